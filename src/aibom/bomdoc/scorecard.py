"""Read the scorecard mapping (the scoring engine's output, shared contract) into typed values.

Shape: ``{profile, rules_version, packs: [...], subjects: [{ref, kind, name, score, grade, mof_class,
packs, outcomes: [{rule, title, pack, outcome, severity, enforcement, frameworks, message, remediation,
evidence}]}]}``. Extra keys are ignored; wrong types are treated as absent, never raised on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aibom.bomdoc.view import items, obj, text

OUTCOMES = ("pass", "fail", "unknown", "not_applicable")
GRADES = ("A", "B", "C", "D", "E", "F")
MAX_EVIDENCE_CHARS = 300
"""Evidence values are shown, not trusted: long ones (a whole model card) are cut to this."""


@dataclass(frozen=True)
class PackScore:
    id: str
    title: str
    score: float | None
    grade: str | None
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Evidence:
    path: str
    value: str


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    title: str
    pack: str
    outcome: str
    severity: str
    enforcement: str
    frameworks: tuple[tuple[str, str], ...]
    message: str
    remediation: str
    evidence: tuple[Evidence, ...]
    unsigned: str | None = None
    """``unsigned_evidence``: what the outcome rests on that the model's signature does not cover
    (a model card left out of the signature); None when nothing is."""


@dataclass(frozen=True)
class Subject:
    ref: str
    kind: str
    name: str
    score: float | None
    grade: str | None
    mof_class: str | None
    packs: tuple[PackScore, ...]
    outcomes: tuple[RuleOutcome, ...]

    def frameworks(self) -> list[str]:
        seen = dict.fromkeys(f for o in self.outcomes for f, _ in o.frameworks)
        return list(seen)

    def for_framework(self, framework: str) -> list[tuple[RuleOutcome, str]]:
        return [(o, ref) for o in self.outcomes for f, ref in o.frameworks if f == framework]


@dataclass(frozen=True)
class Scorecard:
    profile: str | None
    rules_version: str | None
    packs: tuple[PackScore, ...]
    subjects: tuple[Subject, ...]

    def subject(self, ref: str) -> Subject | None:
        return next((s for s in self.subjects if s.ref == ref), None)

    def overall(self) -> tuple[float | None, str | None]:
        """The score of the ``bom`` subject if there is one, else the mean of scored subjects."""
        bom = next((s for s in self.subjects if s.kind == "bom"), None)
        if bom is not None:
            return bom.score, bom.grade
        scores = [s.score for s in self.subjects if s.score is not None]
        if not scores:
            return None, None
        mean = sum(scores) / len(scores)
        return mean, grade_for(mean)


def grade_for(score: float) -> str:
    """Only for a mean the scorecard did not grade itself: A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    for grade, floor in (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0)):
        if score >= floor:
            return grade
    return "F"


def read_scorecard(data: Mapping[str, Any]) -> Scorecard:
    return Scorecard(
        profile=text(data.get("profile")),
        rules_version=text(data.get("rules_version")),
        packs=tuple(_pack(p) for p in items(data.get("packs")) if isinstance(p, Mapping)),
        subjects=tuple(_subject(s) for s in items(data.get("subjects")) if isinstance(s, Mapping)),
    )


def _score(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 <= value <= 100.0 else None


def _grade(value: Any) -> str | None:
    grade = text(value)
    return grade if grade in GRADES else None


def _pack(raw: Mapping[str, Any]) -> PackScore:
    counts = obj(raw.get("counts"))
    return PackScore(
        id=text(raw.get("id")) or "?",
        title=text(raw.get("title")) or text(raw.get("id")) or "?",
        score=_score(raw.get("score")),
        grade=_grade(raw.get("grade")),
        counts={k: v for k in OUTCOMES if isinstance(v := counts.get(k), int) and v >= 0},
    )


def _subject(raw: Mapping[str, Any]) -> Subject:
    return Subject(
        ref=text(raw.get("ref")) or "",
        kind=text(raw.get("kind")) or "bom",
        name=text(raw.get("name")) or text(raw.get("ref")) or "?",
        score=_score(raw.get("score")),
        grade=_grade(raw.get("grade")),
        mof_class=text(raw.get("mof_class")),
        packs=tuple(_pack(p) for p in items(raw.get("packs")) if isinstance(p, Mapping)),
        outcomes=tuple(_outcome(o) for o in items(raw.get("outcomes")) if isinstance(o, Mapping)),
    )


def _outcome(raw: Mapping[str, Any]) -> RuleOutcome:
    outcome = text(raw.get("outcome"))
    return RuleOutcome(
        rule=text(raw.get("rule")) or "?",
        title=text(raw.get("title")) or text(raw.get("rule")) or "?",
        pack=text(raw.get("pack")) or "",
        outcome=outcome if outcome in OUTCOMES else "unknown",
        severity=text(raw.get("severity")) or "",
        enforcement=text(raw.get("enforcement")) or "",
        frameworks=tuple(
            (f, text(obj(e).get("ref")) or "")
            for e in items(raw.get("frameworks"))
            if (f := text(obj(e).get("framework")))
        ),
        message=text(raw.get("message")) or "",
        remediation=text(raw.get("remediation")) or "",
        evidence=tuple(
            Evidence(text(obj(e).get("path")) or "", _evidence_value(obj(e).get("value")))
            for e in items(raw.get("evidence"))
        ),
        unsigned=_unsigned(raw.get("unsigned_evidence")),
    )


def _unsigned(value: Any) -> str | None:
    """Any present ``unsigned_evidence`` marks the outcome; its text is shown when it is text."""
    if value is None or value is False:
        return None
    shown = text(value) or "model card (not covered by the model's signature)"
    return shown if len(shown) <= MAX_EVIDENCE_CHARS else shown[: MAX_EVIDENCE_CHARS - 1] + "…"


def _evidence_value(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > MAX_EVIDENCE_CHARS:
        return shown[: MAX_EVIDENCE_CHARS - 1] + "…"
    return shown
