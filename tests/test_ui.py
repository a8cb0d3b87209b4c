from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from aibom.cli.ui import (
    RichProgressReporter,
    human_size,
    plural,
    report_result,
    say,
    severity_counts,
    summary,
)
from aibom.findings import Severity
from aibom.scan import ScanOptions, scan
from tests.builders import lfs_pointer


def active(reporter: RichProgressReporter) -> bool:
    return reporter.bar is not None


def test_progress_bar_renders_and_is_thread_safe_to_call() -> None:
    out = io.StringIO()
    reporter = RichProgressReporter(Console(file=out, force_terminal=True, width=100))
    reporter.begin("hashing", 3, 512 * 1024 * 1024)
    assert active(reporter)
    for _ in range(3):
        reporter.advance(1, 128 * 1024 * 1024)
    reporter.end()
    assert not active(reporter)
    assert "hashing" in out.getvalue()


def test_small_scans_show_no_bar() -> None:
    out = io.StringIO()
    reporter = RichProgressReporter(Console(file=out, force_terminal=True))
    reporter.begin("hashing", 3, 1024)
    reporter.advance(1, 10)
    reporter.end()
    assert not active(reporter)
    assert out.getvalue() == ""


def test_summary_counts_what_the_scan_found(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.safetensors").write_bytes(lfs_pointer(b"x" * 10))
    result = scan(ScanOptions(targets=(tmp_path / "m",), use_cache=False))
    assert severity_counts(result) == {Severity.MEDIUM: 1, Severity.INFO: 1}
    text = summary(result)
    assert text.startswith("aibom: 1 model, 0 datasets, 0 packages, 1 file, ")
    # a Git LFS pointer stands in for the weights: not the file itself, so partly analysed
    assert text.endswith("; 2 findings (1 medium, 1 info); 1 file partly analysed")


def test_plural_and_sizes() -> None:
    assert [plural(n, "finding") for n in (0, 1, 2)] == ["0 findings", "1 finding", "2 findings"]
    assert plural(2, "known vulnerability") == "2 known vulnerabilities"
    assert [human_size(n) for n in (0, 1023, 1024, 5 * 1024**2, 3 * 1024**4)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "5.0 MiB",
        "3072.0 GiB",
    ]


def test_files_row_counts_files_and_bytes_row_sizes() -> None:
    out = io.StringIO()
    reporter = RichProgressReporter(Console(file=out, force_terminal=True, width=160))
    reporter.begin("hashing", 3, 512 * 1024 * 1024)
    reporter.advance(2, 128 * 1024 * 1024)
    assert reporter.bar is not None
    reporter.bar.refresh()
    reporter.end()
    rows = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line) for line in out.getvalue().splitlines()]
    files = [r for r in rows if "hashing files" in r][-1]
    sizes = [r for r in rows if "hashing bytes" in r][-1]
    assert "2/3 files" in files and "files/s" in files
    assert "B" not in files.replace("hashing", "")  # no byte size or byte rate on the files row
    assert "128.0/512.0 MiB" in sizes


def test_scan_messages_show_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    name = "evil\x1b]0;title\x07\r\nCRITICAL fake\u202e.safetensors"
    (folder / name).write_bytes(lfs_pointer(b"x" * 10))
    result = scan(ScanOptions(targets=(folder,), use_cache=False))
    report_result(result, quiet=False, verbose=True, output=None)
    say("policy: [bold]x[/bold] \x1b[2J")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\r" not in err and "\u202e" not in err
    assert "evil\\x1b]0;title\\x07\\r\\nCRITICAL fake\\u202e.safetensors" in err
    assert not [line for line in err.splitlines() if line.startswith("CRITICAL fake")]
    assert "policy: [bold]x[/bold] \\x1b[2J" in err  # markup shown as text, not applied
