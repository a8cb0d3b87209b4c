from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from aibom.cli.ui import RichProgressReporter, human_size, plural, severity_counts, summary
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
    assert text.endswith("; 2 findings (1 medium, 1 info)")


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
