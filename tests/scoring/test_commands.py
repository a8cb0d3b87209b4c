"""``aibom score`` and ``aibom rules ...`` through click's test runner, on the command objects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aibom.cli.score import PROFILE_CHOICES, rules, score
from aibom.errors import AibomError, UsageError
from aibom.rules import RuleError
from aibom.score import PROFILES
from tests.builders import validate_bom, write_model
from tests.scoring.scoring_builders import (
    RICH_CARD,
    minimal_rule,
    owasp_style_bom,
    scan_model,
    write_rule,
)

AIBOM = str(Path(sys.executable).with_name("aibom"))


@pytest.fixture(scope="module")
def bom_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bom")
    path = tmp / "bom.cdx.json"
    path.write_text(json.dumps(scan_model(tmp, RICH_CARD)))
    return path


def run(*args: str | Path, stdin: str | None = None, command: Any = score) -> Any:
    return CliRunner().invoke(command, [str(a) for a in args], input=stdin)


def test_profile_choices_match_the_library() -> None:
    assert set(PROFILE_CHOICES) == set(PROFILES)


def test_score_json_to_stdout(bom_file: Path) -> None:
    result = run(bom_file, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["profile"] == "procurement"
    assert any(s["kind"] == "model" for s in data["subjects"])


def test_score_table_names_failures_and_remediation(bom_file: Path) -> None:
    result = run(bom_file, "--pack", "provenance", "--profile", "engineering", "-q")
    assert result.exit_code == 0
    assert "Profile: engineering" in result.stdout
    assert "PROV-009" in result.stdout and "FAIL" in result.stdout
    assert "-> Name the base model with its revision" in result.stdout
    assert "Blocking rules: none failed" in result.stdout


def test_score_markdown_to_a_file(bom_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "score.md"
    result = run(bom_file, "--format", "markdown", "-o", out, "-q")
    assert result.exit_code == 0
    text = out.read_text()
    assert text.startswith("# Transparency scorecard")
    assert "| pack | score | grade |" in text
    assert "MOF:" in text and "Annex XI:" in text


def test_min_score_above_the_score_exits_1(bom_file: Path) -> None:
    result = run(bom_file, "--min-score", "99", "-q")
    assert result.exit_code == 1
    assert "is below --min-score 99" in result.stderr


def test_min_score_below_the_score_exits_0(bom_file: Path) -> None:
    assert run(bom_file, "--min-score", "1", "-q").exit_code == 0


def test_failed_block_rule_exits_1(tmp_path: Path) -> None:
    write_rule(tmp_path / "gate", "T-001", minimal_rule(enforcement="block"))
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(owasp_style_bom()))
    result = run(bom, "--rules", tmp_path / "gate", "--pack", "gate")
    assert result.exit_code == 1
    assert "rule T-001 (enforcement: block) fail" in result.stderr


def test_warn_rules_are_reported_on_stderr(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(owasp_style_bom()))
    result = run(bom, "--pack", "model-card")
    assert result.exit_code == 0
    assert "warning: MC-001 on pkg:huggingface/org/llm@86b5e093" in result.stderr


def test_annotate_writes_a_valid_scored_bom(bom_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.cdx.json"
    result = run(bom_file, "--annotate", out, "--format", "json", "-q")
    assert result.exit_code == 0
    doc = validate_bom(out.read_text(), "1.6")
    names = {p["name"] for p in doc["metadata"]["properties"]}
    assert {"aibom:score:overall", "aibom:score:profile"} <= names


def test_bom_from_stdin(bom_file: Path) -> None:
    result = run("-", "--format", "json", "-q", stdin=bom_file.read_text())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["subjects"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "bom.json is neither JSON nor XML: Expecting property name"),
        ('<?xml version="1.0"?><bom/>', "is not a CycloneDX BOM (the root element"),
        ('{"spdxVersion": "SPDX-2.3"}', "not a CycloneDX BOM"),
        ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels"),
    ],
)
def test_unreadable_boms_are_errors_not_crashes(tmp_path: Path, content: str, message: str) -> None:
    bom = tmp_path / "bom.json"
    bom.write_text(content)
    result = run(bom)
    assert isinstance(result.exception, AibomError)
    assert message in str(result.exception)


def test_missing_bom_file_is_an_error(tmp_path: Path) -> None:
    result = run(tmp_path / "absent.json")
    assert isinstance(result.exception, AibomError)
    assert "cannot read" in str(result.exception)


def test_unknown_pack_is_a_usage_error(bom_file: Path) -> None:
    result = run(bom_file, "--pack", "nope")
    assert isinstance(result.exception, UsageError)


def test_broken_custom_rule_is_reported(bom_file: Path, tmp_path: Path) -> None:
    write_rule(tmp_path / "bad", "T-001", minimal_rule().replace("title:", "titel:"))
    result = run(bom_file, "--rules", tmp_path / "bad")
    assert isinstance(result.exception, RuleError)
    assert "bad/T-001.yaml:3:1: titel: unknown key 'titel'" in result.exception.diagnostics()


def test_bad_option_value_is_a_click_usage_error(bom_file: Path) -> None:
    assert run(bom_file, "--profile", "lenient").exit_code == 2
    assert run(bom_file, "--min-score", "120").exit_code == 2


def test_rules_list_table_and_json() -> None:
    table = run("list", command=rules)
    assert table.exit_code == 0
    assert "MC-001" in table.stdout and "rules in 8 packs" in table.stdout
    data = json.loads(run("list", "--format", "json", "--pack", "safety", command=rules).stdout)
    assert {r["pack"] for r in data["rules"]} == {"safety"}
    assert all(r["source"].startswith("rules/safety/") for r in data["rules"])


def test_rules_explain() -> None:
    result = run("explain", "mc-001", command=rules)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "MC-001 (version 1, pack model-card): The model card states intended uses"
    )
    assert "Condition:" in result.stdout and "modelCard.considerations.useCases" in result.stdout
    assert "To fix a failure:" in result.stdout


def test_rules_explain_unknown_id() -> None:
    result = run("explain", "NOPE-001", command=rules)
    assert isinstance(result.exception, UsageError)


def test_rules_test_runs_every_shipped_case() -> None:
    result = run("test", command=rules)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(", 0 failed")


def test_rules_test_on_a_directory_with_a_wrong_expectation(tmp_path: Path) -> None:
    wrong = minimal_rule().replace("expect: fail", "expect: pass")
    write_rule(tmp_path / "mine", "T-001", wrong)
    result = run("test", tmp_path / "mine", command=rules)
    assert result.exit_code == 1
    assert "T-001: case 2 (missing): expected pass, got fail" in result.stderr
    assert "has no case expecting fail" in result.stderr


def test_rules_test_on_an_empty_directory_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("test", tmp_path / "empty", command=rules)
    assert result.exit_code == 1
    assert "0 rules" in result.stdout


def test_output_file_is_replaced_atomically(bom_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "score.json"
    out.write_text("old")
    assert run(bom_file, "--format", "json", "-o", out, "-q").exit_code == 0
    assert json.loads(out.read_text())["profile"] == "procurement"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["score.json"]


def test_unwritable_output_leaves_no_temporary_file(bom_file: Path, tmp_path: Path) -> None:
    result = run(bom_file, "-o", tmp_path / "missing-dir" / "score.txt", "-q")
    assert result.exit_code == 2  # refused while parsing (aibom.cli.params.OutputPath)
    assert "folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "missing-dir").exists()


def test_an_xml_bom_scores_like_its_json_form(tmp_path: Path) -> None:
    """``aibom scan --format xml`` output is scored exactly as the JSON form of the same scan."""
    model = write_model(tmp_path / "m", card=RICH_CARD)
    boms = [tmp_path / "bom.json", tmp_path / "bom.xml"]
    for bom, fmt in zip(boms, ("json", "xml"), strict=True):
        argv = [AIBOM, "scan", str(model), "--format", fmt, "--reproducible", "-q"]
        subprocess.run([*argv, "--fail-on", "none", "-o", str(bom)], check=True)
    from_json, from_xml = (run(bom, "--format", "json", "-q") for bom in boms)
    assert (from_json.exit_code, from_xml.exit_code) == (0, 0)
    assert json.loads(from_xml.stdout) == json.loads(from_json.stdout)
    assert json.loads(from_xml.stdout)["score"] is not None


def test_annotate_writes_xml_back_as_xml_and_refuses_json_it_could_not_carry(
    tmp_path: Path,
) -> None:
    """XML in, XML out; asking for JSON of an XML BOM with XML-only content is refused, not
    dropped (tests/test_xml_everywhere.py runs these through the console script)."""
    bom = tmp_path / "bom.xml"
    bom.write_text("<bom xmlns='http://cyclonedx.org/schema/bom/1.6' version='1'/>")
    assert run(bom, "-q", "--annotate", tmp_path / "annotated.xml").exit_code == 0
    assert 'name="aibom:score:profile"' in (tmp_path / "annotated.xml").read_text()
    extended = tmp_path / "extended.xml"
    extended.write_text(
        "<bom xmlns='http://cyclonedx.org/schema/bom/1.6' xmlns:x='urn:x' x:a='1' version='1'/>"
    )
    result = run(extended, "-q", "--annotate", tmp_path / "annotated.json")
    assert isinstance(result.exception, UsageError)
    assert "XML-only content (@{urn:x}a)" in result.exception.message
    assert not (tmp_path / "annotated.json").exists()
