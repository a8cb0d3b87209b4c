"""Every shipped rule: its embedded cases pass (at least one pass and one fail each), and the packs are
complete and consistent with the frameworks they claim to cover."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from aibom.cli.catalog import is_documented
from aibom.rules import load_rules, shipped_rules
from aibom.rules.conditions import ForEach, Negation, Node, Predicate
from aibom.rules.model import Rule, Verdict
from aibom.score.mof import MOF_COMPONENTS
from aibom.score.selftest import run_rule

RULES = load_rules()
PACKS = {"model-card", "provenance", "openness", "fmti", "nis2", "eu-ai-act", "g7-aibom", "safety"}


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_embedded_cases_pass(rule: Rule) -> None:
    results = run_rule(rule)
    assert [r.describe() for r in results if not r.ok] == []
    expected = Counter(case.expect for case in rule.tests)
    assert expected[Verdict.PASS] >= 1 and expected[Verdict.FAIL] >= 1


def test_all_packs_are_shipped_with_titles() -> None:
    assert set(RULES.packs) == PACKS
    assert all(pack.title != pack.id and pack.description for pack in RULES.packs.values())
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", RULES.version)


def test_rule_files_are_named_after_ids_in_their_pack() -> None:
    root = shipped_rules()
    assert isinstance(root, Path)
    files = sorted(p for p in root.glob("*/*.yaml") if not p.name.startswith("_"))
    assert len(files) == len(RULES.rules)
    for rule in RULES.rules:
        assert rule.source == f"rules/{rule.pack}/{rule.id}.yaml"
    prefixes = {
        pack: {r.id.rsplit("-", 1)[0] for r in RULES.rules if r.pack == pack} for pack in PACKS
    }
    assert all(len(found) == 1 for found in prefixes.values()), prefixes


def _property_names(node: Node) -> list[str]:
    if isinstance(node, Predicate):
        return re.findall(r"aibom:[a-z0-9:-]+", node.path.text)
    if isinstance(node, Negation):
        return _property_names(node.child)
    children = list(node.children)
    if isinstance(node, ForEach) and node.where is not None:
        children.append(node.where)
    names = re.findall(r"aibom:[a-z0-9:-]+", node.path.text) if isinstance(node, ForEach) else []
    return names + [n for child in children for n in _property_names(child)]


def test_rules_read_only_documented_aibom_properties() -> None:
    used: set[str] = set()
    for rule in RULES.rules:
        for node in (rule.condition, rule.where, rule.needs):
            if node is not None:
                used.update(_property_names(node))
        for path in rule.evidence:
            used.update(re.findall(r"aibom:[a-z0-9:-]+", path.text))
    undocumented = {n for n in used if not is_documented(n)}
    assert undocumented == set()


def test_openness_pack_covers_every_required_mof_component_once() -> None:
    components = [r.mof_component for r in RULES.rules if r.pack == "openness"]
    assert sorted(c for c in components if c is not None) == sorted(MOF_COMPONENTS)
    assert all(r.mof_component is None for r in RULES.rules if r.pack != "openness")


def test_eu_ai_act_pack_covers_all_eleven_annex_xi_items() -> None:
    refs = {
        f.ref
        for r in RULES.rules
        if r.pack == "eu-ai-act"
        for f in r.frameworks
        if f.framework == "EU AI Act" and re.match(r"^Annex XI [12]\(", f.ref)
    }
    expected = {f"Annex XI 1({c})" for c in "abcdef"} | {f"Annex XI 2({c})" for c in "abcde"}
    assert refs == expected


def test_g7_pack_covers_the_seven_clusters() -> None:
    clusters = {
        f.ref
        for r in RULES.rules
        if r.pack == "g7-aibom"
        for f in r.frameworks
        if f.framework == "G7 SBOM for AI"
    }
    assert clusters == {
        "Metadata",
        "System-Level Properties",
        "Models",
        "Dataset Properties",
        "KPIs",
        "Infrastructure",
        "Security",
    }


def test_safety_pack_blocks_on_critical_findings() -> None:
    rule = RULES.by_id("SAFE-001")
    assert rule is not None
    assert rule.enforcement.value == "block"
    assert rule.severity.label == "critical"


def test_fmti_pack_is_labelled_as_coverage_not_a_score() -> None:
    title = RULES.pack("fmti").title
    assert "not an FMTI score" in title
    assert all(
        any(f.framework == "FMTI 2025" for f in r.frameworks)
        for r in RULES.rules
        if r.pack == "fmti"
    )


def test_no_group_is_empty_anywhere() -> None:
    def walk(node: Node) -> int:
        if isinstance(node, Predicate):
            return 1
        if isinstance(node, Negation):
            return walk(node.child)
        assert node.children
        return sum(walk(child) for child in node.children)

    assert all(walk(rule.condition) >= 1 for rule in RULES.rules)
