"""``aibom audit BOM``: any CycloneDX BOM ``aibom.bomdoc.read_bom`` reads (JSON or XML), offline or
online, with exit codes that follow ``--fail-on`` and output formats for people, machines and BOM
consumers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aibom.cli.audit import audit
from aibom.errors import UsageError
from tests.vulns.osv_builders import CVSS_CRITICAL, OsvApi, advisory, serve, write_export

AIBOM = str(Path(sys.executable).with_name("aibom"))
"""The installed console script (exit codes are only real through ``aibom.cli.main.main``)."""

RECORDS = [
    advisory(
        "GHSA-crit-1111-2222",
        "jinja2",
        ("introduced", "0"),
        ("fixed", "2.11.3"),
        severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
        aliases=["CVE-2020-28493"],
    ),
    advisory(
        "PYSEC-2019-1",
        "requests",
        ("introduced", "0"),
        ("fixed", "2.20.0"),
        database_specific={"severity": "LOW"},
    ),
]


def _bom(tmp_path: Path, spec: str = "1.5", nested: bool = True) -> Path:
    jinja = {
        "type": "library",
        "bom-ref": "jinja",
        "name": "Jinja2",
        "version": "2.10",
        "purl": "pkg:pypi/jinja2@2.10",
    }
    requests = {"type": "library", "name": "requests", "purl": "pkg:pypi/requests@2.19.0"}
    app = {"type": "application", "bom-ref": "app", "name": "app", "components": [requests]}
    doc: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "components": [
            jinja,
            app if nested else requests,
            {"type": "library", "bom-ref": "np", "name": "numpy", "purl": "pkg:pypi/numpy"},
        ],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(doc))
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(audit, list(args), catch_exceptions=True)


def test_offline_table_and_policy_exit(tmp_path: Path) -> None:
    db = write_export(tmp_path / "all.zip", RECORDS)
    result = _run(str(_bom(tmp_path)), "--osv-db", str(db), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "PACKAGE",
        "VERSION",
        "ADVISORY",
        "SEVERITY",
        "FIXED",
        "IN",
        "ALIASES",
    ]
    assert lines[1].split()[:5] == ["jinja2", "2.10", "GHSA-crit-1111-2222", "critical", "2.11.3"]
    assert lines[2].split()[:4] == ["requests", "2.19.0", "PYSEC-2019-1", "low"]
    assert "CC-BY 4.0" in result.stdout
    assert "2 packages checked, 2 affected (1 without a version not checked)" in result.stderr


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 1), ("none", 0)])
def test_fail_on_threshold(tmp_path: Path, fail_on: str, code: int) -> None:
    db = write_export(tmp_path / "all.zip", RECORDS[1:])  # only the low one
    args = [str(_bom(tmp_path)), "--osv-db", str(db), "--cache-dir", str(tmp_path / "c")]
    assert _run(*args, "--fail-on", fail_on).exit_code == (0 if fail_on == "critical" else code)
    assert _run(*args, "--fail-on", "low").exit_code == 1


def test_json_report(tmp_path: Path) -> None:
    db = write_export(tmp_path / "all.zip", RECORDS)
    out = tmp_path / "report.json"
    result = _run(
        str(_bom(tmp_path)),
        "--osv-db",
        str(db),
        "--format",
        "json",
        "-o",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert result.exit_code == 1 and result.stdout == ""
    report = json.loads(out.read_text())
    assert report["packages_checked"] == 2 and report["packages_without_version"] == 1
    assert [(v["package"], v["id"], v["severity"]) for v in report["vulnerabilities"]] == [
        ("jinja2", "GHSA-crit-1111-2222", "critical"),
        ("requests", "PYSEC-2019-1", "low"),
    ]


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6", "1.7"])
def test_cyclonedx_output_is_the_bom_with_vulnerabilities(tmp_path: Path, spec: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    db = write_export(tmp_path / "all.zip", RECORDS)
    out = tmp_path / "audited.json"
    args = ["--osv-db", str(db), "--format", "cyclonedx", "--cache-dir", str(tmp_path / "c")]
    result = _run(str(_bom(tmp_path, spec)), *args, "-o", str(out))
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text())
    assert (
        JsonStrictValidator(SchemaVersion.from_version(spec)).validate_str(out.read_text()) is None
    )
    assert [v["id"] for v in doc["vulnerabilities"]] == ["GHSA-crit-1111-2222", "PYSEC-2019-1"]
    refs = {a["ref"] for v in doc["vulnerabilities"] for a in v["affects"]}
    assert "jinja" in refs and all(isinstance(r, str) for r in refs)
    again = _run(str(out), *args, "-o", str(out))
    assert again.exit_code == 1
    assert len(json.loads(out.read_text())["vulnerabilities"]) == 2, "re-audit duplicated entries"


def test_aibom_scan_bom_is_audited(tmp_path: Path) -> None:
    from aibom.scan import ScanOptions, scan

    req = tmp_path / "project" / "requirements.txt"
    req.parent.mkdir()
    req.write_text("jinja2==2.10\nrequests==2.31.0\n")
    bom = tmp_path / "bom.json"
    bom.write_text(scan(ScanOptions(targets=(req.parent,))).document)
    db = write_export(tmp_path / "all.zip", RECORDS)
    result = _run(
        str(bom), "--osv-db", str(db), "--format", "json", "--cache-dir", str(tmp_path / "c")
    )
    ids = [(v["package"], v["id"]) for v in json.loads(result.stdout)["vulnerabilities"]]
    assert ids == [("jinja2", "GHSA-crit-1111-2222")]


def test_online_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = OsvApi({r["id"]: r for r in RECORDS}, {("jinja2", "2.10"): ["GHSA-crit-1111-2222"]})
    with serve(api) as url:
        monkeypatch.setenv("AIBOM_OSV_URL", url)
        result = _run(str(_bom(tmp_path)), "--online", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["source"] == f"OSV API {url}"
    assert [v["id"] for v in report["vulnerabilities"]] == ["GHSA-crit-1111-2222"]


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ('{"bomFormat": "CycloneDX", "specVersion": "1.5"}', [], "choose one advisory source"),
        ('{"bomFormat": "SPDX"}', ["--online"], "not a CycloneDX BOM"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.1"}', ["--online"], "not supported"),
        ("[" * 100_000, ["--online"], "nested more than 64 levels"),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.3"}',
            ["--online", "--format", "cyclonedx"],
            "no vulnerabilities to write back",
        ),
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.3'/>",
            ["--online", "--format", "cyclonedx"],
            "no vulnerabilities to write back",
        ),
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.6'/>",
            ["--online", "--format", "json", "--bom-format", "xml"],
            "--bom-format is the form of the BOM written by --format cyclonedx",
        ),
    ],
)
def test_usage_errors(tmp_path: Path, content: str, extra: list[str], message: str) -> None:
    path = tmp_path / "bom.json"
    path.write_text(content)
    result = _run(str(path), *extra)
    assert isinstance(result.exception, UsageError)
    assert message in result.exception.message


def _scan_xml(tmp_path: Path) -> tuple[Path, Path]:
    """The same project's BOM as JSON and as XML, written by ``aibom scan``."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("jinja2==2.10\nrequests==2.19.0\n")
    paths = tmp_path / "bom.json", tmp_path / "bom.xml"
    for path, fmt in zip(paths, ("json", "xml"), strict=True):
        argv = [AIBOM, "scan", str(project), "--format", fmt, "--reproducible", "-q"]
        subprocess.run([*argv, "-o", str(path), "--fail-on", "none"], check=True)
    return paths


def test_an_xml_bom_is_audited_like_its_json_form(tmp_path: Path) -> None:
    json_bom, xml_bom = _scan_xml(tmp_path)
    db = write_export(tmp_path / "all.zip", RECORDS)
    args = ["--osv-db", str(db), "--format", "json", "--cache-dir", str(tmp_path / "c")]
    from_json, from_xml = _run(str(json_bom), *args), _run(str(xml_bom), *args)
    assert (from_json.exit_code, from_xml.exit_code) == (1, 1)
    assert from_xml.stdout == from_json.stdout
    assert [v["id"] for v in json.loads(from_xml.stdout)["vulnerabilities"]] == [
        "GHSA-crit-1111-2222",
        "PYSEC-2019-1",
    ]


def test_policy_failure_exits_1_through_the_console_script(tmp_path: Path) -> None:
    """``aibom audit`` used ``ctx.exit``, which ``main()``'s ``standalone_mode=False`` turns into a
    return value: the process exited 0 whatever it found. CliRunner could not show it."""
    db = write_export(tmp_path / "all.zip", RECORDS)
    argv = [AIBOM, "audit", str(_bom(tmp_path)), "--osv-db", str(db), "--cache-dir", str(tmp_path)]
    failing = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert failing.returncode == 1, failing.stderr
    assert "GHSA-crit-1111-2222" in failing.stdout
    passing = subprocess.run([*argv, "--fail-on", "none"], capture_output=True, check=False)
    assert passing.returncode == 0


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6", "1.7"])
def test_cyclonedx_output_of_an_xml_bom_is_valid_xml_with_vulnerabilities(
    tmp_path: Path, spec: str
) -> None:
    """An XML BOM comes back as XML (validated against the version's XSD), re-audited idempotently."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    from aibom.bom.xml import write_xml
    from aibom.bomdoc import read_bom

    source = tmp_path / "bom.xml"
    source.write_text(write_xml(json.loads(_bom(tmp_path, spec).read_text())))
    db = write_export(tmp_path / "all.zip", RECORDS)
    out = tmp_path / "audited.xml"
    args = ["--osv-db", str(db), "--format", "cyclonedx", "--cache-dir", str(tmp_path / "c")]
    result = _run(str(source), *args, "-o", str(out))
    assert result.exit_code == 1, result.output
    text = out.read_text()
    assert XmlValidator(SchemaVersion.from_version(spec)).validate_str(text) is None
    doc = read_bom(out)
    assert [v["id"] for v in doc["vulnerabilities"]] == ["GHSA-crit-1111-2222", "PYSEC-2019-1"]
    assert _run(str(out), *args, "-o", str(out)).exit_code == 1
    assert read_bom(out) == doc, "re-audit changed the document"
