from __future__ import annotations

import io

from rich.console import Console

from aibom.cli.ui import RichProgressReporter


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
