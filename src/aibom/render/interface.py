"""The renderer plug-in point: a BOM document (plain JSON) plus an optional scorecard in, ``str`` out.

Renderers never print, write files or exit. Everything they show is read from the BOM *document* (any
CycloneDX 1.4-1.7 JSON, not only aibom's), so a renderer must cope with missing or mistyped fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aibom.findings import Severity

if TYPE_CHECKING:
    from aibom.bomdoc.scorecard import Scorecard
    from aibom.bomdoc.view import BomView
    from aibom.diff import BomDiff

MAX_MARKDOWN_CHARS = 65_536
"""GitHub's limit for a PR comment body (and a sensible size for a step summary); Markdown is truncated
with a note beyond it."""

MAX_TABLE_ROWS = 2_000
"""Rows per HTML table. A report is read by a person; beyond this the table says how many were left out
and points to the BOM (keeps a 1M-package BOM from producing a 1 GB page)."""

MAX_SARIF_RESULTS = 25_000
"""GitHub code scanning rejects runs with more results than this (it shows 5,000, most severe first)."""

SARIF_LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""Severity -> SARIF ``level``. The one place this mapping lives."""

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.1",
}
"""Severity -> GitHub ``properties.security-severity`` (over 9.0 critical, 7.0-8.9 high, 4.0-6.9
medium, 3.9 or less low). GitHub has no "info" band, so info sits at the bottom of "low"."""


@dataclass(frozen=True)
class RenderOptions:
    source_root: Path | None = None
    """SARIF paths are made relative to this (the repository root); ``None`` means the current directory."""
    category: str = "aibom/"
    """SARIF ``runAutomationDetails.id``: GitHub rejects two runs with the same category in one upload."""
    base_scorecard: Mapping[str, Any] | None = None
    """The base's scorecard, for score changes in diffs."""
    title: str | None = None
    """Report title; defaults to the BOM's subject."""


@dataclass(frozen=True)
class Report:
    """Everything a renderer may show, parsed once."""

    bom: BomView
    scorecard: Scorecard | None
    diff: BomDiff | None
    options: RenderOptions


class Renderer(Protocol):
    """One output format. ``render`` returns the whole output as text."""

    @property
    def name(self) -> str: ...

    @property
    def media_type(self) -> str: ...

    def render(self, report: Report) -> str: ...


@dataclass(frozen=True)
class FunctionRenderer:
    """A renderer made from a function; the registry lists these."""

    name: str
    media_type: str
    function: _RenderFunction

    def render(self, report: Report) -> str:
        return self.function(report)


class _RenderFunction(Protocol):
    def __call__(self, report: Report, /) -> str: ...
