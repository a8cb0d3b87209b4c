"""``aibom report`` and ``aibom diff`` through click, on real BOM files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aibom.cli.output import write_text
from aibom.cli.report import diff, report
from aibom.errors import UsageError
from tests.reports.builders import document, scorecard, vulnerability

AIBOM = str(Path(sys.executable).with_name("aibom"))


@pytest.fixture
def bom_file(tmp_path: Path, repo_doc: dict[str, Any]) -> Path:
    path = tmp_path / "bom.cdx.json"
    path.write_text(json.dumps(repo_doc))
    return path


def test_report_to_stdout_and_file(tmp_path: Path, bom_file: Path, repo: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(report, [str(bom_file), "--format", "markdown"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("<!-- aibom-report -->")
    target = tmp_path / "r.sarif"
    done = runner.invoke(
        report, [str(bom_file), "--format", "sarif", "-o", str(target), "--source-root", str(repo)]
    )
    assert done.exit_code == 0 and done.stdout == ""
    log = json.loads(target.read_text())
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ].startswith("models/")


def test_report_with_scores_and_base(tmp_path: Path, bom_file: Path) -> None:
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps(scorecard("model:repo/models/tiny")))
    base = tmp_path / "base.json"
    base.write_text(json.dumps(document()))
    out = CliRunner().invoke(
        report, [str(bom_file), "--scores", str(scores), "--base", str(base), "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["scorecard"]["overall"] == {"score": 64.0, "grade": "D"}
    assert len(data["diff"]["findings"]["new"]) == len(
        json.loads(bom_file.read_text())["vulnerabilities"]
    )
    html = CliRunner().invoke(
        report, [str(bom_file), "--scores", str(scores), "--title", "Vendor X"]
    )
    assert "<h1>Vendor X</h1>" in html.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is neither JSON nor XML: Expecting property name"),
        (b"<?xml version='1.0'?><bom/>", "is not a CycloneDX BOM (the root element"),
        (b"[1, 2]", "is not a CycloneDX BOM"),
        (b'{"specVersion": "1.6"}', "not a CycloneDX BOM"),
        (b'{"a": "\xff"}', "is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels"),
    ],
)
def test_bad_input_is_a_usage_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    result = CliRunner().invoke(report, [str(path)])
    assert isinstance(result.exception, UsageError)
    assert message in result.exception.diagnostics()


def test_a_bad_scorecard_is_a_usage_error(tmp_path: Path, bom_file: Path) -> None:
    scores = tmp_path / "scores.json"
    scores.write_text("[]")
    result = CliRunner().invoke(report, [str(bom_file), "--scores", str(scores)])
    assert isinstance(result.exception, UsageError)
    assert "the scorecard must be a JSON object, not list" in result.exception.message


def test_old_spec_versions_are_read_and_unknown_ones_refused(tmp_path: Path) -> None:
    """One policy for every command (``aibom.bomdoc.read``): 1.2 to 1.7 read, anything else an error."""
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document(spec="1.3")))
    result = CliRunner().invoke(report, [str(path), "--format", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    path.write_text(json.dumps(document(spec="1.1")))
    refused = CliRunner().invoke(report, [str(path), "--format", "json"])
    assert isinstance(refused.exception, UsageError)
    assert "CycloneDX 1.1 is not supported" in refused.exception.message


def test_report_and_diff_read_xml_like_json(tmp_path: Path, repo: Path) -> None:
    """The same scan as JSON and as XML gives the same report and no difference in ``diff``."""
    boms = {}
    for fmt in ("json", "xml"):
        boms[fmt] = tmp_path / f"bom.{fmt}"
        argv = [AIBOM, "scan", str(repo), "--format", fmt, "--reproducible", "-q", "--fail-on"]
        subprocess.run([*argv, "none", "-o", str(boms[fmt])], check=True, cwd=repo)
    reports = [
        CliRunner().invoke(report, [str(boms[fmt]), "--format", "json"]) for fmt in ("json", "xml")
    ]
    assert [r.exit_code for r in reports] == [0, 0]
    assert reports[1].stdout == reports[0].stdout
    assert json.loads(reports[1].stdout)["models"] and json.loads(reports[1].stdout)["findings"]
    changes = CliRunner().invoke(diff, [str(boms["json"]), str(boms["xml"]), "--format", "json"])
    assert changes.exit_code == 0, changes.output
    data = json.loads(changes.stdout)
    assert data == {"components": [], "findings": {"new": [], "resolved": []}, "scores": []}


def test_write_text_into_a_special_file_keeps_it(tmp_path: Path) -> None:
    """``-o /dev/null`` must write into the device, never replace it (aibom may run as root)."""
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_text("hello", fifo)
        assert os.read(reader, 100) == b"hello"
    finally:
        os.close(reader)
    assert fifo.is_fifo()
    regular = tmp_path / "out.txt"
    write_text("one", regular)
    write_text("two", regular)
    assert regular.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_diff_markdown_json_and_fail_on_new(tmp_path: Path) -> None:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(document()))
    head.write_text(
        json.dumps(document(vulnerabilities=[vulnerability("AIBOM-FMT-001", "medium")]))
    )
    runner = CliRunner()
    md = runner.invoke(diff, [str(base), str(head)])
    assert md.exit_code == 0
    assert "#### New findings (1)" in md.stdout
    js = runner.invoke(diff, [str(base), str(head), "--format", "json"])
    assert json.loads(js.stdout)["findings"]["new"][0]["id"] == "AIBOM-FMT-001"
    failed = runner.invoke(diff, [str(base), str(head), "--fail-on-new", "medium"])
    assert failed.exit_code == 1
    assert "new findings at or above medium" in failed.stderr
    assert runner.invoke(diff, [str(base), str(head), "--fail-on-new", "high"]).exit_code == 0
    assert runner.invoke(diff, [str(head), str(base), "--fail-on-new", "info"]).exit_code == 0


def test_diff_with_scores(tmp_path: Path) -> None:
    files = {}
    for name, value in (
        ("b", document()),
        ("h", document()),
        ("bs", scorecard(score=50.0)),
        ("hs", scorecard(score=75.0)),
    ):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(value))
    out = CliRunner().invoke(
        diff,
        [
            str(files["b"]),
            str(files["h"]),
            "--base-scores",
            str(files["bs"]),
            "--head-scores",
            str(files["hs"]),
        ],
    )
    assert "| tiny | 50.0 (D) | 75.0 (D) | +25.0 |" in out.stdout


def test_help_needs_no_heavy_imports() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom aibom.cli.report import report, diff\n"
        "CliRunner().invoke(report, ['--help']); CliRunner().invoke(diff, ['--help'])\n"
        "heavy = [m for m in ('jinja2', 'aibom.render', 'cyclonedx', 'requests') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
