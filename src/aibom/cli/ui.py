"""Terminal output for the CLI (stderr only): a rich progress bar, the scan summary and the score.

Text that comes from scanned content (file and member names, card text in messages, skipped reasons)
is printed with its control characters made visible (``aibom.escape.visible``) and with rich
markup, emoji codes and highlighting off, so a file name cannot clear the screen, set the terminal
title, ring the bell, reorder the line or fake a finding line. Other commands print through ``say``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aibom.escape import visible
from aibom.findings import Severity
from aibom.progress import NullProgress, Progress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import ProgressColumn, TaskID

    from aibom.scan import ScanResult
    from aibom.score.model import Scorecard

_SHOW_AFTER_BYTES = 64 * 1024 * 1024
"""Small scans finish before a bar would be readable; show one only for real work."""


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def say(text: str) -> None:
    """One message on stderr with untrusted parts made visible: for every command's diagnostics
    (``click.echo(..., err=True)`` prints control characters raw)."""
    import click

    click.echo(visible(text), err=True)


class RichProgressReporter:
    """Two rows: files done of all files (a count, in files per second) and bytes done of all bytes
    (a size, in bytes per second). Each row's columns follow its ``unit`` field, so the files row
    never shows a byte size (rich's columns apply to every row of one bar)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: RichProgress | None = None
        self.files: TaskID | None = None
        self.bytes: TaskID | None = None
        self.lock = threading.Lock()

    def begin(self, stage: str, total_files: int, total_bytes: int) -> None:
        if total_bytes < _SHOW_AFTER_BYTES:
            return
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        count, rate = _unit_columns()
        self.bar = RichProgress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            count,
            rate,
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.files = self.bar.add_task(f"{stage} files", total=total_files, unit=FILES)
        self.bytes = self.bar.add_task(f"{stage} bytes", total=total_bytes, unit=BYTES)
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


FILES, BYTES = "files", "bytes"
"""Values of a progress row's ``unit`` field."""


def _unit_columns() -> tuple[ProgressColumn, ProgressColumn]:
    """(done/total, speed) columns that show files as counts and bytes as sizes."""
    from rich.progress import DownloadColumn, ProgressColumn, Task, TransferSpeedColumn
    from rich.text import Text

    class Count(ProgressColumn):
        sizes = DownloadColumn(binary_units=True)

        def render(self, task: Task) -> Text:
            if task.fields.get("unit") == BYTES:
                return self.sizes.render(task)
            total = "?" if task.total is None else f"{int(task.total):,}"
            return Text(f"{int(task.completed):,}/{total} files", style="progress.download")

    class Rate(ProgressColumn):
        speed = TransferSpeedColumn()

        def render(self, task: Task) -> Text:
            if task.fields.get("unit") == BYTES:
                return self.speed.render(task)
            per_second = task.finished_speed or task.speed
            shown = "?" if per_second is None else f"{per_second:.1f}"
            return Text(f"{shown} files/s", style="progress.data.speed")

    return Count(), Rate()


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

    def show(line: str) -> None:
        console.print(visible(line), markup=False, emoji=False, highlight=False)

    for note in result.notes:
        show(f"note: {note}")
    shown = result.findings if verbose else result.findings[:10]
    for finding in shown:
        where = finding.path + (f" [{finding.member}]" if finding.member else "")
        label = finding.effective_severity.label.upper()
        show(f"{label:8} {finding.check.id} {where}: {finding.message}")
    if len(shown) < len(result.findings):
        show(f"... and {len(result.findings) - len(shown)} more (use -v)")
    if verbose:
        for skip in result.skipped:
            show(f"skipped  {skip.path}: {skip.reason}")
    show(summary(result))
    if output is not None and str(output) != "-":
        show(f"BOM written to {output}")


def report_score(scorecard: Scorecard, profile: str, reasons: list[str], *, quiet: bool) -> None:
    """The score of a scored scan, then why it fails the policy (shown even with ``--quiet``)."""
    if not quiet:
        grade = (
            f"{scorecard.score:.0f}/100 ({scorecard.grade})"
            if scorecard.score is not None
            else "n/a"
        )
        say(f"aibom: transparency score {grade}, profile {profile}")
    for reason in reasons:
        say(f"policy: {reason}")


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
    partial = sum(1 for a in result.artifacts if a.coverage is not None and not a.coverage.complete)
    if partial:
        text += f"; {plural(partial, 'file')} partly analysed"
    deliberate = sum(1 for s in result.skipped if s.deliberate)
    if deliberate:
        text += f"; {deliberate} not inventoried"
    if len(result.skipped) > deliberate:
        text += f"; {len(result.skipped) - deliberate} skipped"
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
