"""The one interface every format inspector implements.

An inspector reads only through ``InspectContext.open()``, never imports, loads, unpickles or renders what
it reads, and raises ``FormatError`` for malformed input or ``LimitExceeded`` when a ceiling is hit. The
wrapper in ``aibom.formats.inspect_artifact`` turns both into findings.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from aibom.artifacts import Artifact, Format
from aibom.findings import Check, Finding
from aibom.limits import Limits


class FormatError(Exception):
    """The file is not a valid instance of its format. The message says what is wrong, and where."""

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


class LimitExceeded(Exception):
    """A size, count or depth read from the file is beyond the configured ceiling."""


@dataclass
class Inspection:
    facts: dict[str, object] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True


class InspectContext:
    def __init__(self, artifact: Artifact, limits: Limits) -> None:
        self.artifact = artifact
        self.limits = limits

    def open(self) -> BinaryIO:
        """Open the artifact for reading; refuses anything that is not a regular file at open time."""
        fd = os.open(self.artifact.ref.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        fh = os.fdopen(fd, "rb")
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            fh.close()
            raise FormatError("not a regular file at read time")
        return fh

    def read_at(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``, served from the kept head when possible."""
        head = self.artifact.head
        if offset + length <= len(head):
            return head[offset : offset + length]
        with self.open() as fh:
            fh.seek(offset)
            return fh.read(length)


class Inspector(Protocol):
    formats: frozenset[Format]
    checks: tuple[Check, ...]

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection: ...
