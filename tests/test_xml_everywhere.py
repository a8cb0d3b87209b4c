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


# ---------------------------------------------------------------- commands that write the BOM back


def _xml_valid(path: Path, version: SchemaVersion = SchemaVersion.V1_6) -> str:
    text = path.read_text()
    assert text.startswith("<?xml"), text[:80]
    assert XmlValidator(version).validate_str(text) is None
    return text


def _score_properties(doc: dict[str, object]) -> list[tuple[str, str]]:
    metadata = doc["metadata"]
    assert isinstance(metadata, dict)
    return [(p["name"], p["value"]) for p in metadata["properties"] if "score" in p["name"]]


def test_score_annotate_writes_an_xml_bom_back_as_valid_xml(scanned: Scanned) -> None:
    """XML in, XML out (validated against the XSD), with the same scores as the JSON path."""
    root = scanned.root
    proc = aibom("score", "bom.xml", "-q", "--annotate", "annotated-xml", cwd=root)
    assert proc.returncode == ExitCode.OK, proc.stderr
    text = _xml_valid(root / "annotated-xml")  # no suffix: the input's form
    assert 'name="aibom:score:overall"' in text
    json_side = aibom("score", "bom.json", "-q", "--annotate", "annotated.json", cwd=root)
    assert json_side.returncode == ExitCode.OK, json_side.stderr
    from_xml, from_json = read_bom(root / "annotated-xml"), read_bom(root / "annotated.json")
    assert _score_properties(from_xml) == _score_properties(from_json)
    del from_json["$schema"]
    assert from_xml == from_json  # the whole document, not only the scores
    # the suffix or --bom-format chooses the other form
    to_json = aibom("score", "bom.xml", "-q", "--annotate", "from-xml.json", cwd=root)
    assert to_json.returncode == ExitCode.OK, to_json.stderr
    assert validate_bom((root / "from-xml.json").read_text())
    to_xml = aibom(
        "score", "bom.json", "-q", "--annotate", "x.out", "--bom-format", "xml", cwd=root
    )
    assert to_xml.returncode == ExitCode.OK, to_xml.stderr
    assert read_bom(root / "x.out") == from_xml


def test_audit_writes_an_xml_bom_back_as_valid_xml(scanned: Scanned) -> None:
    root = scanned.root
    args = ("--osv-db", scanned.osv, "--format", "cyclonedx", "--fail-on", "critical")
    proc = aibom("audit", "bom.xml", *args, "-o", "audited.xml", cwd=root)
    assert proc.returncode == ExitCode.POLICY, proc.stderr  # the critical advisory: exit 1
    text = _xml_valid(root / "audited.xml")
    assert "GHSA-test-torch" in text
    again = aibom("audit", "audited.xml", *args, "-o", "audited.xml", cwd=root)
    assert again.returncode == ExitCode.POLICY, again.stderr
    vulns = read_bom(root / "audited.xml")["vulnerabilities"]
    assert sum(1 for v in vulns if v["id"] == "GHSA-test-torch") == 1, "re-audit duplicated it"
    clean = aibom("audit", "bom.xml", *args[:-1], "none", cwd=root)  # to stdout, --fail-on none
    assert clean.returncode == ExitCode.OK, clean.stderr
    assert clean.stdout.startswith("<?xml") and "GHSA-test-torch" in clean.stdout


def _refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == ExitCode.ERROR, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("error: ") == 1 and "Traceback" not in proc.stderr
    assert all(word in proc.stderr for word in words), proc.stderr


_NO_NAME = (
    "<bom xmlns='http://cyclonedx.org/schema/bom/1.6' version='1'>"
    "<components><component type='library'/></components></bom>"
)
_EXTENDED = """<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:x" version="1">
  <components><component type="library"><name>a</name><x:vendor>kept</x:vendor></component></components>
</bom>"""


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (  # 1.2 has no properties: the scores have no place in its XML
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.2' version='1'/>",
            "old.xml",
            ["CycloneDX 1.2 XML has no place for /metadata/properties", "nothing was written"],
        ),
        (  # valid under 1.6 only with a name: the reader keeps what it found, the XSD refuses
            _NO_NAME,
            "noname.xml",
            ["not valid CycloneDX 1.6 XML", "nothing was written"],
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "x-vendor": 1}',
            "vendor.json",
            ["/x-vendor"],
        ),
        (_EXTENDED, "extended.xml", ["XML-only content", "{urn:x}vendor"]),
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.6' version='1'><components>",
            "cut.xml",
            ["not well-formed XML"],
        ),
    ],
)
def test_score_annotate_refuses_with_exit_2_and_writes_nothing(
    tmp_path: Path, content: str, name: str, words: list[str]
) -> None:
    """Neither the annotated BOM nor the scorecard (-o) is left behind, whatever the refusal."""
    (tmp_path / name).write_text(content)
    target = "annotated.json" if name == "extended.xml" else "annotated.xml"
    proc = aibom(
        "score",
        name,
        "-q",
        "-o",
        "card.json",
        "--format",
        "json",
        "--annotate",
        target,
        cwd=tmp_path,
    )
    _refused(proc, *words)
    left = {p.name for p in tmp_path.iterdir()} - {"cache"}  # AIBOM_CACHE_DIR, see aibom()
    assert left == {name}  # no annotated BOM, no card.json, no temporary file


@pytest.mark.parametrize(
    ("content", "name", "extra", "words"),
    [
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.3' version='1'/>",
            "old.xml",
            [],
            ["CycloneDX 1.3 has no vulnerabilities to write back"],
        ),
        (
            _NO_NAME,
            "noname.xml",
            [],
            ["not valid CycloneDX 1.6 XML", "nothing was written"],
        ),
        (_EXTENDED, "extended.xml", ["--bom-format", "json"], ["XML-only content"]),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "x-vendor": 1}',
            "vendor.json",
            ["--bom-format", "xml"],
            ["/x-vendor"],
        ),
        (
            "<bom xmlns='http://cyclonedx.org/schema/bom/1.6'",
            "cut.xml",
            [],
            ["not well-formed XML"],
        ),
    ],
)
def test_audit_cyclonedx_refuses_with_exit_2_and_writes_nothing(
    scanned: Scanned, tmp_path: Path, content: str, name: str, extra: list[str], words: list[str]
) -> None:
    (tmp_path / name).write_text(content)
    args: list[str | Path] = [
        "--osv-db",
        scanned.osv,
        "--format",
        "cyclonedx",
        "--fail-on",
        "none",
        *extra,
    ]
    _refused(aibom("audit", name, *args, "-o", "out.xml", cwd=tmp_path), *words)
    assert not (tmp_path / "out.xml").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_bom_format_without_a_bom_written_is_a_usage_error(scanned: Scanned) -> None:
    root = scanned.root
    _refused(aibom("score", "bom.xml", "--bom-format", "xml", cwd=root), "--annotate")
    args = ("--osv-db", scanned.osv, "--format", "json", "--bom-format", "xml")
    _refused(aibom("audit", "bom.xml", *args, cwd=root), "--format cyclonedx")


def test_sign_bom_refuses_xml_and_verify_bom_answers_for_it(
    scanned: Scanned, tmp_path: Path
) -> None:
    """The signed predicate is the JSON document, so ``sign-bom`` refuses XML (exit 2, no bundle);
    ``verify-bom`` of the XML form against the JSON form's bundle is a clean "not covered" (exit 1)."""
    from tests.verify.vbuilders import write_keypair

    keys = write_keypair(tmp_path / "keys")
    refused = aibom("sign-bom", scanned.xml, "--key", keys.private_pem, "-o", tmp_path / "x.json")
    _refused(refused, "only CycloneDX JSON BOMs can be signed")
    assert not (tmp_path / "x.json").exists()
    bundle = tmp_path / "bom.json.sigstore.json"
    signed = aibom("sign-bom", scanned.json, "--key", keys.private_pem, "-o", bundle)
    assert signed.returncode == ExitCode.OK, signed.stderr
    args = ("--signature", bundle, "--key", keys.public_pem)
    assert aibom("verify-bom", scanned.json, *args).returncode == ExitCode.OK
    other = aibom("verify-bom", scanned.xml, *args, "--format", "json")
    assert other.returncode == ExitCode.POLICY, other.stderr
    assert json.loads(other.stdout)["status"] != "verified"
