"""Value types of the rule engine: verdicts, rules, packs and rule sets."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aibom.findings import Severity
from aibom.rules.conditions import Node
from aibom.rules.paths import Path

KINDS = ("bom", "model", "dataset", "package", "supplier")
"""What a rule can apply to: the BOM document, a model, a dataset, a package, or a supplier."""


class Verdict(str, enum.Enum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"
    """No evidence: the BOM does not say."""
    NOT_APPLICABLE = "not_applicable"


class Enforcement(str, enum.Enum):
    REPORT = "report"
    WARN = "warn"
    BLOCK = "block"


@dataclass(frozen=True)
class FrameworkRef:
    framework: str
    ref: str
    note: str | None = None


@dataclass(frozen=True)
class RuleCase:
    """An embedded test: score ``document`` (or a minimal BOM around ``component``), expect ``expect``."""

    name: str
    expect: Verdict
    document: Mapping[str, object]
    subject: str | None
    index: int


@dataclass(frozen=True)
class Wording:
    """A rule's text for subjects of one kind (``wording.dataset``); None falls back to the rule's."""

    title: str | None = None
    remediation: str | None = None
    messages: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    pack: str
    title: str
    rationale: str
    frameworks: tuple[FrameworkRef, ...]
    kinds: tuple[str, ...]
    condition: Node
    severity: Severity
    enforcement: Enforcement
    remediation: str
    source: str
    """Where the rule was read from (for messages and ``aibom rules explain``)."""
    where: Node | None = None
    needs: Node | None = None
    on_unknown: str = "unknown"
    weight: float = 1.0
    references: tuple[str, ...] = ()
    evidence: tuple[Path, ...] = ()
    messages: Mapping[str, str] = field(default_factory=dict)
    mof_component: int | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    tests: tuple[RuleCase, ...] = ()
    wording: Mapping[str, Wording] = field(default_factory=dict)
    """Title, remediation and messages by subject kind, where the rule's own would misname it."""
    raw: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)
    """The rule as written (for ``aibom rules explain``)."""

    def title_for(self, kind: str) -> str:
        """The title as a subject of ``kind`` reads it ("The dataset's ..." for a dataset)."""
        wording = self.wording.get(kind)
        return wording.title if wording is not None and wording.title else self.title

    def remediation_for(self, kind: str) -> str:
        wording = self.wording.get(kind)
        return (
            wording.remediation if wording is not None and wording.remediation else self.remediation
        )

    def messages_for(self, kind: str) -> Mapping[str, str]:
        wording = self.wording.get(kind)
        return wording.messages if wording is not None and wording.messages else self.messages


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    packs: Mapping[str, Pack]
    version: str

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id.casefold() == rule_id.casefold()), None)

    def pack(self, pack_id: str) -> Pack:
        return self.packs.get(pack_id) or Pack(pack_id, pack_id)

    def select(self, packs: Iterable[str] | None) -> RuleSet:
        """Only the rules of ``packs`` (all when None); unknown names raise ``KeyError``."""
        if packs is None:
            return self
        wanted = list(dict.fromkeys(packs))
        missing = [p for p in wanted if p not in self.packs]
        if missing:
            raise KeyError(", ".join(missing))
        rules = tuple(r for r in self.rules if r.pack in wanted)
        return RuleSet(rules, {p: self.packs[p] for p in wanted}, self.version)
