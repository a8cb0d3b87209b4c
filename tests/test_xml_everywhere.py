"""XML everywhere: ``aibom scan --format xml`` with ``--score`` and ``--vulns`` writes the same
document as JSON (validated against the official XSD), and every command that reads a BOM (``report``,
``score``, ``diff``, ``audit``, ``verify --bom``) gives the same answer for the XML form as for the JSON
form. All run the installed ``aibom`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.xml import XmlValidator

from aibom.bomdoc import read_bom
from aibom.cli.exit import ExitCode
from tests.builders import validate_bom, write_model
from tests.processes import HANG_GUARD
from tests.vulns.osv_builders import CVSS_CRITICAL, advisory, write_export

INSTALLED = Path(sys.executable).parent / "aibom"


def aibom(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "SOURCE_DATE_EPOCH": "1700000000"}
    if cwd is not None:
        env["AIBOM_CACHE_DIR"] = str(cwd / "cache")
    return subprocess.run(
        [str(INSTALLED), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=HANG_GUARD,
        check=False,
    )


class Scanned:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.model = write_model(root / "model")
        (root / "requirements.txt").write_text("torch==2.13.0\n")
        record = advisory(
            "GHSA-test-torch",
            "torch",
            ("introduced", "0"),
            ("fixed", "2.14.0"),
            severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
        )
        self.osv = write_export(root / "all.zip", [record])
        self.xml = root / "bom.xml"
        self.json = root / "bom.json"
        for fmt, out in (("xml", self.xml), ("json", self.json)):
            proc = aibom(
                "scan", "model", "requirements.txt", "--score", "--osv-db", self.osv,
                "--fail-on", "none", "--reproducible", "--format", fmt, "-o", out, cwd=root,
            )  # fmt: skip
            assert proc.returncode == ExitCode.OK, proc.stderr


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    return Scanned(tmp_path_factory.mktemp("xml-everywhere"))


def test_scan_writes_scores_and_advisories_into_valid_xml(scanned: Scanned) -> None:
    text = scanned.xml.read_text()
    assert text.startswith("<?xml")
    assert XmlValidator(SchemaVersion.V1_6).validate_str(text) is None
    from_json = validate_bom(scanned.json.read_text())
    from_xml = read_bom(scanned.xml)
    del from_json["$schema"]  # JSON Schema's pointer: no XML counterpart
    assert from_xml == from_json
    names = {p["name"] for p in from_xml["metadata"]["properties"]}
    assert "aibom:score:overall" in names
    [vuln] = [v for v in from_xml["vulnerabilities"] if v["id"] == "GHSA-test-torch"]
    assert vuln["affects"][0]["ref"] == "pkg:pypi/torch@2.13.0"
    assert "<vulnerabilities>" in text and 'name="aibom:score:overall"' in text


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "sarif"])
def test_report_reads_xml_as_json(scanned: Scanned, fmt: str) -> None:
    """The XML BOM reports as its JSON form does (equal to the JSON BOM as data, above; written out
    here in the XML's key order, which the HTML report's raw-value cells show)."""
    as_json = scanned.root / "bom-xml-as.json"
    as_json.write_text(json.dumps(read_bom(scanned.xml)))
    outs = [aibom("report", bom, "--format", fmt, cwd=scanned.root) for bom in (as_json, "bom.xml")]
    assert [p.returncode for p in outs] == [0, 0], outs[1].stderr
    assert outs[0].stdout and outs[1].stdout == outs[0].stdout


def test_score_reads_xml_as_json(scanned: Scanned) -> None:
    outs = [
        aibom("score", bom, "--format", "json", cwd=scanned.root) for bom in ("bom.json", "bom.xml")
    ]
    assert [p.returncode for p in outs] == [0, 0], outs[1].stderr
    assert json.loads(outs[1].stdout) == json.loads(outs[0].stdout)
    assert json.loads(outs[0].stdout)["score"] is not None


def test_diff_between_the_two_forms_is_empty(scanned: Scanned) -> None:
    across = aibom("diff", "bom.json", "bom.xml", "--format", "json", cwd=scanned.root)
    same = aibom("diff", "bom.json", "bom.json", "--format", "json", cwd=scanned.root)
    assert across.returncode == same.returncode == 0, across.stderr
    assert json.loads(across.stdout) == json.loads(same.stdout)


def test_audit_reads_xml_as_json(scanned: Scanned) -> None:
    outs = [
        aibom("audit", bom, "--osv-db", scanned.osv, "--format", "json", "--fail-on", "none",
              cwd=scanned.root)
        for bom in ("bom.json", "bom.xml")
    ]  # fmt: skip
    assert [p.returncode for p in outs] == [0, 0], outs[1].stderr
    assert json.loads(outs[1].stdout) == json.loads(outs[0].stdout)
    assert "GHSA-test-torch" in outs[0].stdout


def test_verify_against_an_xml_bom(scanned: Scanned) -> None:
    outs = [
        aibom("verify", "model", "--bom", bom, "--format", "json", cwd=scanned.root)
        for bom in ("bom.json", "bom.xml")
    ]
    assert outs[1].returncode == outs[0].returncode, outs[1].stderr
    assert json.loads(outs[1].stdout) == json.loads(outs[0].stdout)
    (scanned.model / "config.json").write_text("{}")  # the BOM's digest no longer matches
    try:
        changed = aibom("verify", "model", "--bom", "bom.xml", "--format", "json", cwd=scanned.root)
    finally:
        write_model(scanned.model)
    assert changed.returncode != outs[1].returncode
    assert changed.stdout != outs[1].stdout
