from __future__ import annotations

import pytest

from tests.snapshots.test_snapshots import REWROTE


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the snapshot files AIBOM_RECREATE_SNAPSHOTS=1 wrote (works under xdist: user properties
    travel with the test reports)."""
    rewritten = sorted(
        {
            str(value)
            for reports in terminalreporter.stats.values()
            for report in reports
            if isinstance(report, pytest.TestReport) and report.when == "call"
            for key, value in report.user_properties
            if key == REWROTE
        }
    )
    if rewritten:
        terminalreporter.write_sep("=", f"rewrote {len(rewritten)} snapshot file(s)")
        for name in rewritten:
            terminalreporter.write_line(f"tests/snapshots/expected/{name}")
