"""Scoring real aibom BOMs and other generators' BOMs: outcomes, evidence, scores, profiles, MOF, Annex XI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.limits import DEFAULT_LIMITS
from aibom.rules import load_rules
from aibom.rules.model import RuleSet, Verdict
from aibom.score import PROFILES, ScoreOptions, evaluate_document, policy_failures, score_document
from aibom.score.model import Scorecard, SubjectScore, grade
from aibom.score.subjects import extract_subjects
from tests.scoring.scoring_builders import (
    RICH_CARD,
    SPARSE_CARD,
    manifest_15_bom,
    minimal_rule,
    owasp_style_bom,
    packages_14_bom,
    scan_model,
    spec_model_card_bom,
    write_rule,
)

RULES = load_rules()


def score(doc: dict[str, Any], profile: str = "procurement", rules: RuleSet = RULES) -> Scorecard:
    return evaluate_document(doc, rules, profile)


def model(card: Scorecard) -> SubjectScore:
    return next(s for s in card.subjects if s.kind == "model")


def outcome(subject: SubjectScore, rule_id: str) -> Verdict:
    return next(r.outcome for r in subject.outcomes if r.rule.id == rule_id)


@pytest.fixture(scope="module")
def sparse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan_model(tmp_path_factory.mktemp("sparse"), SPARSE_CARD)


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan_model(tmp_path_factory.mktemp("rich"), RICH_CARD)


def test_rich_card_scores_well_above_sparse_card(
    sparse: dict[str, Any], rich: dict[str, Any]
) -> None:
    sparse_model, rich_model = model(score(sparse)), model(score(rich))
    assert sparse_model.score is not None and rich_model.score is not None
    assert rich_model.score >= sparse_model.score + 25
    card_pack = {p.id: p for p in rich_model.packs}["model-card"]
    assert card_pack.score is not None and card_pack.score >= 80


def test_sparse_card_placeholders_and_license_other_fail(sparse: dict[str, Any]) -> None:
    subject = model(score(sparse))
    assert outcome(subject, "MC-001") is Verdict.FAIL  # intended uses: "More information needed"
    assert outcome(subject, "MC-009") is Verdict.FAIL  # unfilled template sections
    assert outcome(subject, "MC-010") is Verdict.FAIL  # license: other, no link
    placeholders = next(r for r in subject.outcomes if r.rule.id == "MC-009")
    assert any(
        e.path == "@props.aibom:model:card-placeholders" and e.value for e in placeholders.evidence
    )


def test_rich_card_outcomes_carry_evidence_and_remediation(rich: dict[str, Any]) -> None:
    subject = model(score(rich))
    result = next(r for r in subject.outcomes if r.rule.id == "MC-001")
    assert result.outcome is Verdict.PASS
    assert result.evidence[0].path == "modelCard.considerations.useCases"
    assert "Triage of English product reviews" in str(result.evidence[0].value)
    assert result.rule.remediation
    assert outcome(subject, "PROV-004") is Verdict.PASS  # base model declared
    assert outcome(subject, "PROV-009") is Verdict.FAIL  # ... but not pinned to a revision
    assert outcome(subject, "SAFE-003") is Verdict.PASS  # safetensors weights
    assert outcome(subject, "MOF-021") is Verdict.PASS  # arxiv tag = research paper


def test_annex_xi_is_counted_out_of_eleven(rich: dict[str, Any]) -> None:
    subject = model(score(rich))
    assert subject.annex_xi is not None
    assert len(subject.annex_xi.items) == 11
    assert 0 < len(subject.annex_xi.evidenced) < 11
    assert subject.to_json()["annex_xi"] == {
        "framework": "EU AI Act Annex XI",
        "evidenced": len(subject.annex_xi.evidenced),
        "items": 11,
        "missing": [i for i in subject.annex_xi.items if i not in subject.annex_xi.evidenced],
    }


def test_annex_xi_counts_out_of_eleven_even_with_one_pack(rich: dict[str, Any]) -> None:
    subject = model(score(rich, rules=load_rules(packs=["model-card"])))
    assert subject.annex_xi is not None
    assert len(subject.annex_xi.items) == 11
    assert subject.annex_xi.evidenced == ("Annex XI 1(a)",)  # only MC-004 cites Annex XI
    assert model(score(rich, rules=load_rules(packs=["safety"]))).annex_xi is None


def test_the_bom_subject_scores_the_whole_document(rich: dict[str, Any]) -> None:
    card = score(rich)
    bom = card.subjects[0]
    assert bom.kind == "bom"
    assert bom.score == card.score
    assert [p.to_json() for p in bom.packs] == [p.to_json() for p in card.packs]
    assert {r.rule.id for r in bom.outcomes} <= {r.id for r in RULES.rules if "bom" in r.kinds}
    assert "members" not in bom.to_json()


def test_scorecard_json_follows_the_shared_contract(rich: dict[str, Any]) -> None:
    data: Any = json.loads(json.dumps(score(rich).to_json_dict()))  # proves it is plain JSON
    assert data["profile"] == "procurement"
    assert data["rules_version"] == RULES.version
    packs = data["packs"]
    assert isinstance(packs, list) and packs
    for pack in packs:
        assert isinstance(pack, dict)
        assert set(pack) >= {"id", "title", "score", "grade", "counts"}
        assert set(pack["counts"]) == {"pass", "fail", "unknown", "not_applicable"}
    subjects = data["subjects"]
    assert isinstance(subjects, list)
    kinds = set()
    for subject in subjects:
        assert isinstance(subject, dict)
        assert set(subject) >= {
            "ref",
            "kind",
            "name",
            "score",
            "grade",
            "mof_class",
            "packs",
            "outcomes",
        }
        kinds.add(subject["kind"])
        for item in subject["outcomes"]:
            assert isinstance(item, dict)
            assert set(item) >= {
                "rule",
                "title",
                "pack",
                "outcome",
                "severity",
                "enforcement",
                "frameworks",
                "message",
                "remediation",
                "evidence",
            }
            assert item["outcome"] in {"pass", "fail", "unknown", "not_applicable"}
            assert all(set(e) == {"path", "value"} for e in item["evidence"])
    assert kinds <= {"bom", "model", "dataset", "package", "supplier"}
    assert {"bom", "model"} <= kinds


def test_cyclonedx_spec_shaped_17_bom_reaches_mof_class_iii() -> None:
    card = score(spec_model_card_bom())
    subject = model(card)
    assert subject.ref == "model-1"
    assert subject.name == "acme/distilbert-sst2"
    assert outcome(subject, "MC-007") is Verdict.PASS
    assert outcome(subject, "MOF-014") is Verdict.PASS  # data card: dataset description
    assert outcome(subject, "MOF-015") is Verdict.PASS  # CC-BY-4.0 dataset
    assert outcome(subject, "PROV-001") is Verdict.PASS
    assert subject.mof is not None and subject.mof.progress[3] < 100  # no report, no paper
    with_report = spec_model_card_bom()
    with_report["components"][0]["externalReferences"] = [
        {"type": "documentation", "url": "https://acme.example/distilbert-sst2-report.pdf"}
    ]
    upgraded = model(score(with_report))
    assert upgraded.mof_class == "Class III"
    suppliers = [s for s in card.subjects if s.kind == "supplier"]
    assert [s.name for s in suppliers] == ["ACME AI"]
    assert suppliers[0].members == ("model-1",)


def test_owasp_generator_shaped_bom_is_scored_without_crashing() -> None:
    subject = model(score(owasp_style_bom()))
    assert outcome(subject, "PROV-001") is Verdict.FAIL  # commit[:8] is not a pinned revision
    assert outcome(subject, "MC-010") is Verdict.PASS  # "llama3" is a known licence name
    assert outcome(subject, "SAFE-001") is Verdict.UNKNOWN  # the generator does not scan
    assert outcome(subject, "PROV-007") is Verdict.UNKNOWN  # aibom-only evidence
    assert outcome(subject, "MC-001") is Verdict.FAIL  # the card has no intended uses


def test_manifest_style_15_bom_flags_sha1_only_pickle_shards() -> None:
    subject = model(score(manifest_15_bom()))
    assert outcome(subject, "NIS2-004") is Verdict.FAIL
    assert outcome(subject, "SAFE-003") is Verdict.FAIL
    assert outcome(subject, "PROV-005") is Verdict.PASS  # publisher
    assert outcome(subject, "MOF-021") is Verdict.FAIL  # an arXiv paper, but no licence at all


def test_package_only_14_sbom_scores_packages_and_the_cve() -> None:
    card = score(packages_14_bom())
    packages = {s.name: s for s in card.subjects if s.kind == "package"}
    assert outcome(packages["pillow"], "NIS2-009") is Verdict.FAIL
    assert outcome(packages["requests"], "NIS2-009") is Verdict.PASS
    bom = card.subjects[0]
    assert bom.kind == "bom"
    assert outcome(bom, "NIS2-001") is Verdict.FAIL  # no model in the BOM
    assert all(s.mof is None for s in card.subjects)


def test_missing_sections_and_wrong_types_do_not_crash() -> None:
    hostile: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": "not a mapping",
        "components": [
            None,
            7,
            {"type": "machine-learning-model"},
            {
                "type": "machine-learning-model",
                "name": ["x"],
                "licenses": "MIT",
                "properties": {"a": 1},
                "modelCard": "card",
                "hashes": [None, {"alg": 5}],
                "pedigree": {"ancestors": "x"},
            },
            {"type": "data", "data": "nope", "licenses": [{"license": None}]},
        ],
        "vulnerabilities": [
            {"affects": "x"},
            {"id": 3, "affects": [{"ref": None}], "ratings": "high"},
        ],
        "dependencies": [{"ref": 1}, "x", {"ref": "a", "dependsOn": "b"}],
    }
    card = score(hostile)
    assert [s.kind for s in card.subjects] == ["bom", "model", "model", "dataset"]
    assert len({s.ref for s in card.subjects}) == len(card.subjects)


def test_deeply_nested_components_are_bounded() -> None:
    node: dict[str, Any] = {"type": "machine-learning-model", "name": "leaf"}
    for i in range(200):
        node = {"type": "library", "name": f"p{i}", "components": [node]}
    subjects = extract_subjects({"bomFormat": "CycloneDX", "components": [node]})
    assert len(subjects) == DEFAULT_LIMITS.max_bom_depth + 2  # the BOM plus depths 0..max


def test_declared_base_models_are_not_subjects(rich: dict[str, Any]) -> None:
    refs = [s.ref for s in extract_subjects(rich)]
    assert not any(ref.startswith("model:declared:") for ref in refs)
    assert any(ref.startswith("model:") for ref in refs)


def test_engineering_profile_leaves_unknowns_out() -> None:
    doc = owasp_style_bom()
    procurement, engineering = model(score(doc, "procurement")), model(score(doc, "engineering"))
    assert procurement.outcomes == engineering.outcomes
    assert any(r.outcome is Verdict.UNKNOWN for r in procurement.outcomes)
    assert procurement.score is not None and engineering.score is not None
    assert engineering.score > procurement.score


def test_weights_and_grades(tmp_path: Path) -> None:
    heavy = minimal_rule("T-001").replace("severity: medium", "severity: medium\nweight: 3")
    light = minimal_rule("T-002").replace("modelCard.considerations.useCases", "description")
    write_rule(tmp_path / "p", "T-001", heavy)
    write_rule(tmp_path / "p", "T-002", light)
    rules = load_rules([tmp_path / "p"], shipped=False)
    doc = {
        "bomFormat": "CycloneDX",
        "components": [
            {
                "type": "machine-learning-model",
                "name": "m",
                "modelCard": {"considerations": {"useCases": ["Triage."]}},
            }
        ],
    }
    subject = model(score(doc, rules=rules))
    assert subject.score == 75.0  # 3 of 4 weight passed
    assert subject.grade == "C"
    assert [grade(s) for s in (95, 85, 72.5, 64, 55, 10, None)] == [
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        None,
    ]


def test_nothing_applicable_gives_a_null_score() -> None:
    card = score(
        {"bomFormat": "CycloneDX", "specVersion": "1.6"}, rules=load_rules(packs=["model-card"])
    )
    assert card.score is None
    assert card.subjects[0].to_json()["score"] is None


def test_block_rules_gate_only_on_failure(tmp_path: Path) -> None:
    write_rule(tmp_path / "gate", "T-001", minimal_rule(enforcement="block"))
    rules = load_rules([tmp_path / "gate"], shipped=False)
    failing: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "components": [{"type": "machine-learning-model", "name": "m"}],
    }
    assert [r.rule.id for r in score(failing, rules=rules).blocking()] == ["T-001"]
    passing = copy.deepcopy(failing)
    passing["components"][0]["modelCard"] = {"considerations": {"useCases": ["Triage."]}}
    assert score(passing, rules=rules).blocking() == []


def test_policy_failures_name_blocking_rules_and_the_minimum(tmp_path: Path) -> None:
    write_rule(tmp_path / "gate", "T-001", minimal_rule(enforcement="block"))
    options = ScoreOptions(rule_dirs=(tmp_path / "gate",), packs=("gate",), min_score=50)
    failing: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "components": [{"type": "machine-learning-model", "name": "m"}],
    }
    card = options.score(failing)
    reasons = options.failures(card)
    assert reasons == policy_failures(card, 50)
    assert reasons[0].startswith("rule T-001 (enforcement: block) fail on ")
    assert reasons[1:] == ["score 0.0 is below --min-score 50"]
    passing = copy.deepcopy(failing)
    passing["components"][0]["modelCard"] = {"considerations": {"useCases": ["Triage."]}}
    assert options.failures(options.score(passing)) == []
    empty = options.score({"bomFormat": "CycloneDX"})
    assert policy_failures(empty, 50) == [
        "no rule applied, so there is no score to compare with --min-score 50"
    ]
    assert policy_failures(empty, None) == []


def test_score_options_default_to_every_shipped_pack_and_procurement() -> None:
    doc = spec_model_card_bom()
    assert ScoreOptions().score(doc) == score_document(doc)


def test_score_document_uses_packs_and_profiles() -> None:
    card = score_document(spec_model_card_bom(), packs=["openness"], profile="engineering")
    assert [p.id for p in card.packs] == ["openness"]
    assert card.profile == "engineering"
    assert set(PROFILES) == {"procurement", "engineering"}


@settings(max_examples=60)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=12),
        lambda kids: (
            st.lists(kids, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "type",
                        "name",
                        "components",
                        "modelCard",
                        "licenses",
                        "hashes",
                        "properties",
                        "bom-ref",
                        "supplier",
                        "considerations",
                        "useCases",
                    ]
                ),
                kids,
                max_size=5,
            )
        ),
        max_leaves=25,
    )
)
def test_random_documents_never_crash(components: object) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "machine-learning-model", "name": "m", "components": components},
            components,
        ],
    }
    card = score(doc)
    assert card.to_json_dict()["profile"] == "procurement"
