"""Terminal output for the CLI (stderr only): a rich progress bar, the scan summary and the score."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aibom.findings import Severity
from aibom.progress import NullProgress, Progress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from aibom.scan import ScanResult
    from aibom.score.model import Scorecard

_SHOW_AFTER_BYTES = 64 * 1024 * 1024
"""Small scans finish before a bar would be readable; show one only for real work."""


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


class RichProgressReporter:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: RichProgress | None = None
        self.files: TaskID | None = None
        self.bytes: TaskID | None = None
        self.lock = threading.Lock()

    def begin(self, stage: str, total_files: int, total_bytes: int) -> None:
        if total_bytes < _SHOW_AFTER_BYTES:
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self.bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.files = self.bar.add_task(f"{stage} files", total=total_files)
        self.bytes = self.bar.add_task(f"{stage} bytes", total=total_bytes)
        self.bar.start()

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        bar = self.bar
        if bar is None or self.files is None or self.bytes is None:
            return
        with self.lock:
            if files:
                bar.advance(self.files, files)
            if nbytes:
                bar.advance(self.bytes, nbytes)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextlib.contextmanager
def make_progress(enabled: bool) -> Iterator[Progress]:
    if not enabled or not sys.stderr.isatty():
        yield NullProgress()
        return
    reporter = RichProgressReporter(_console())
    try:
        yield reporter
    finally:
        reporter.end()


def report_result(result: ScanResult, *, quiet: bool, verbose: bool, output: Path | None) -> None:
    if quiet:
        return
    console = _console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    shown = result.findings if verbose else result.findings[:10]
    for finding in shown:
        where = finding.path + (f" [{finding.member}]" if finding.member else "")
        label = finding.effective_severity.label.upper()
        console.print(f"{label:8} {finding.check.id} {where}: {finding.message}", markup=False)
    if len(shown) < len(result.findings):
        console.print(f"... and {len(result.findings) - len(shown)} more (use -v)", markup=False)
    if verbose:
        for skip in result.skipped:
            console.print(f"skipped  {skip.path}: {skip.reason}", markup=False)
    console.print(summary(result), markup=False)
    if output is not None and str(output) != "-":
        console.print(f"BOM written to {output}", markup=False)


def report_score(scorecard: Scorecard, profile: str, reasons: list[str], *, quiet: bool) -> None:
    """The score of a scored scan, then why it fails the policy (shown even with ``--quiet``)."""
    import click

    if not quiet:
        grade = (
            f"{scorecard.score:.0f}/100 ({scorecard.grade})"
            if scorecard.score is not None
            else "n/a"
        )
        click.echo(f"aibom: transparency score {grade}, profile {profile}", err=True)
    for reason in reasons:
        click.echo(f"policy: {reason}", err=True)


def summary(result: ScanResult) -> str:
    """``aibom: 1 model, ... in 0.65 s; 2 findings (2 info)``: one line for the end of a scan."""
    inv, st = result.inventory, result.stats
    parts = [
        plural(len(inv.models), "model"),
        plural(len(inv.datasets), "dataset"),
        plural(len({(p.normalized_name, p.version) for p in inv.packages}), "package"),
        plural(st.files, "file"),
        human_size(st.bytes),
    ]
    text = f"aibom: {', '.join(parts)} in {st.seconds:.2f} s"
    counts = severity_counts(result)
    if counts:
        detail = ", ".join(f"{n} {s.label}" for s, n in counts.items())
        text += f"; {plural(len(result.findings), 'finding')}"
        if result.vulnerabilities:
            text += f" and {plural(len(result.vulnerabilities), 'known vulnerability')}"
        text += f" ({detail})"
    else:
        text += "; no findings"
    if result.skipped:
        text += f"; {len(result.skipped)} skipped"
    return text


def severity_counts(result: ScanResult) -> dict[Severity, int]:
    """Findings and advisories per severity, most severe first, zero counts left out."""
    counts = Counter(result.severities())
    return {s: counts[s] for s in sorted(Severity, reverse=True) if counts[s]}


def plural(n: int, noun: str) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover
