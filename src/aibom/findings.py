"""Findings (something is wrong with a scanned file) and skips (something could not be looked at)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered: ``Severity.HIGH > Severity.LOW``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None

    @classmethod
    def parse_threshold(cls, text: str) -> Severity | None:
        """A gate such as ``--fail-on``: a severity, or ``None`` for ``none`` (never fail)."""
        return None if text.strip().lower() == "none" else cls.parse(text)


CYCLONEDX_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "none": Severity.INFO,
}
"""CycloneDX rating severities (``unknown`` has no level) -> aibom's, for every reader of a BOM."""


@dataclass(frozen=True)
class Check:
    """A kind of finding, with the metadata reports need. ``id`` never changes once released."""

    id: str
    name: str
    title: str
    severity: Severity
    help: str
    remediation: str
    cwe: int | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    check: Check
    path: str
    """Display path of the file (relative to the scan root in reproducible mode)."""
    message: str
    severity: Severity | None = None
    """Overrides the check's default severity when the evidence warrants it."""
    member: str | None = None
    """Path inside an archive or container, if any."""
    offset: int | None = None
    evidence: str | None = None

    @property
    def effective_severity(self) -> Severity:
        return self.severity if self.severity is not None else self.check.severity

    def sort_key(self) -> tuple[int, str, str, str, int]:
        return (
            -int(self.effective_severity),
            self.check.id,
            self.path,
            self.member or "",
            self.offset if self.offset is not None else -1,
        )


@dataclass(frozen=True)
class Skipped:
    """A path that was not (fully) examined, and why."""

    path: str
    reason: str
    deliberate: bool = False
    """Left out of the inventory on purpose (an exclude rule, or a file outside any model or dataset
    that is no AI artifact), after it was looked at for code; False for a path that could not be
    read, listed or parsed."""


@dataclass
class Outcome:
    """Findings and skips gathered by a stage; stages merge these rather than raising."""

    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def extend(self, other: Outcome) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
