"""The one interface every format inspector implements.

An inspector reads only through its ``InspectContext`` (``open()``/``read_at()``), never imports, loads,
unpickles or renders what it reads, and raises ``FormatError`` for malformed input or ``LimitExceeded``
when a ceiling is hit. The wrapper in ``aibom.formats.inspect_artifact`` turns both into findings.

Containers hand nested content back with ``ctx.inspect_member(name, opener, size)``: the member is
classified by its content, dispatched to its inspector with a child context (``ctx.member`` names the path
inside the container, ``ctx.depth`` spends the nesting budget), and its findings come back in the returned
``Inspection``. Findings made inside a member carry ``member=ctx.member``: use ``ctx.finding(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from aibom._io import open_regular
from aibom.artifacts import Artifact, Coverage
from aibom.catalog import Catalog, FormatSpec
from aibom.findings import Check, Finding, Severity, Skipped
from aibom.limits import Limits


class FormatError(Exception):
    """The file is not a valid instance of its format. The message says what is wrong, and where."""

    def __init__(
        self, message: str, *, offset: int | None = None, reason: str = "malformed"
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.reason = reason
        """The coverage reason (``aibom.artifacts.Coverage.reasons``) when this stops analysis."""


class LimitExceeded(Exception):
    """A size, count or depth read from the file is beyond the configured ceiling. ``limit`` names the
    ``Limits`` field (for the file's coverage record); ``covered`` is how many bytes of the content
    were examined before it, when known."""

    def __init__(
        self, message: str, *, limit: str | None = None, covered: int | None = None
    ) -> None:
        super().__init__(message)
        self.limit = limit
        self.covered = covered


@dataclass
class Inspection:
    facts: dict[str, object] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True
    skipped: list[Skipped] = field(default_factory=list)
    """Content that could not be examined because of an error in aibom (never because of the file)."""
    limits: list[str] = field(default_factory=list)
    """Why the content (or a member) was not read to the end: ``Limits`` field names or conditions
    (``aibom.artifacts.Coverage.reasons``). Merged from members."""
    covered: int | None = None
    """Bytes of this content examined when analysis stopped early (None: unknown, or read whole)."""
    examined: bool = True
    """False when the inspector found nothing in its remit (a JSON file that is no configuration or
    template it reads): no coverage is recorded, as for formats without an inspector."""
    coverage: Coverage | None = None
    """The file's coverage record, set by ``aibom.formats.inspect_artifact`` for the outermost file."""

    def merge(self, other: Inspection) -> None:
        """Fold a member's inspection into this one (facts are not merged: they describe the member;
        nor is ``covered``: a member's offsets are not the container's)."""
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.complete = self.complete and other.complete
        for reason in other.limits:
            self.hit(reason)

    def hit(self, reason: str, *, covered: int | None = None) -> None:
        """Record that analysis stopped early because of ``reason`` (a ``Limits`` field name)."""
        self.complete = False
        if reason not in self.limits:
            self.limits.append(reason)
        if covered is not None:
            self.covered = covered if self.covered is None else min(self.covered, covered)


Opener = Callable[[], BinaryIO]
MemberDispatch = Callable[["InspectContext", str, Opener, int], Inspection]
"""Classify a member by content and inspect it (``aibom.formats.inspect_member``)."""


class InspectContext:
    def __init__(
        self,
        artifact: Artifact,
        limits: Limits,
        *,
        opener: Opener | None = None,
        member: str | None = None,
        depth: int = 0,
        members: MemberDispatch | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.artifact = artifact
        self.limits = limits
        self.member = member
        """Path inside the outermost file, members joined with ``!`` (None for the file itself)."""
        self.depth = depth
        self._opener = opener
        self._members = members
        self.catalog = catalog
        """Every format's spec, for inspectors that classify what they find (None when tested alone)."""

    @property
    def path(self) -> str:
        """Display path of the file on disk that holds this content."""
        return self.artifact.display

    def open(self) -> BinaryIO:
        """Open the content for reading (the file, or the member for a child context)."""
        if self._opener is not None:
            return self._opener()
        return open_regular(self.artifact.ref.path)

    def read_at(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``, served from the kept head when possible."""
        head = self.artifact.head
        if offset + length <= len(head):
            return head[offset : offset + length]
        with self.open() as fh:
            fh.seek(offset)
            return fh.read(length)

    def finding(
        self,
        check: Check,
        message: str,
        *,
        severity: Severity | None = None,
        offset: int | None = None,
        evidence: str | None = None,
    ) -> Finding:
        """A finding located at this context's file and member."""
        return Finding(
            check,
            self.path,
            message,
            severity=severity,
            member=self.member,
            offset=offset,
            evidence=evidence,
        )

    def inspect_member(self, name: str, opener: Opener, size: int) -> Inspection:
        """Classify a nested member by content and inspect it with its own inspector. A context made
        without a member dispatcher (an inspector tested alone) reports members as not examined."""
        if self._members is None:
            return Inspection(complete=False)
        return self._members(self, name, opener, size)

    def child(self, artifact: Artifact, opener: Opener, member: str) -> InspectContext:
        return InspectContext(
            artifact,
            self.limits,
            opener=opener,
            member=member,
            depth=self.depth + 1,
            members=self._members,
            catalog=self.catalog,
        )


class Inspector(Protocol):
    specs: tuple[FormatSpec, ...]
    """The formats it reads, each with how it is recognised (``aibom.catalog``)."""
    checks: tuple[Check, ...]

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection: ...
