"""Scorecard value types and their JSON shape (shared with the report renderers; keep keys stable)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aibom.rules.model import Enforcement, Verdict
from aibom.score.evaluate import JsonValue, RuleResult
from aibom.score.mof import CLASS_LABELS, MOF_COMPONENTS, MofResult

PROFILES: dict[str, str] = {
    "procurement": "no evidence counts as a failure",
    "engineering": "no evidence is left out of the score",
}
"""Unknown-outcome policy by profile."""
GRADES = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0), ("E", 50.0), ("F", 0.0))
"""Lowest score of each grade."""


def grade(score: float | None) -> str | None:
    if score is None:
        return None
    return next(letter for letter, floor in GRADES if score >= floor)


def counts_unknown(profile: str) -> bool:
    return profile == "procurement"


def weighted_score(results: Iterable[RuleResult], profile: str) -> float | None:
    """100 x passed weight / counted weight; None when nothing counts (all not applicable)."""
    passed = counted = 0.0
    with_unknown = counts_unknown(profile)
    for result in results:
        weight = result.rule.weight
        if result.outcome is Verdict.PASS:
            passed += weight
            counted += weight
        elif result.outcome is Verdict.FAIL or (result.outcome is Verdict.UNKNOWN and with_unknown):
            counted += weight
    return round(100.0 * passed / counted, 1) if counted > 0 else None


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    not_applicable: int = 0

    @classmethod
    def of(cls, results: Iterable[RuleResult]) -> Counts:
        tally = dict.fromkeys(Verdict, 0)
        for result in results:
            tally[result.outcome] += 1
        return cls(
            tally[Verdict.PASS],
            tally[Verdict.FAIL],
            tally[Verdict.UNKNOWN],
            tally[Verdict.NOT_APPLICABLE],
        )

    def to_json(self) -> dict[str, int]:
        return {
            "pass": self.passed,
            "fail": self.failed,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
        }


@dataclass(frozen=True)
class PackScore:
    id: str
    title: str
    score: float | None
    counts: Counts

    @property
    def grade(self) -> str | None:
        return grade(self.score)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "grade": self.grade,
            "counts": dict(self.counts.to_json()),
        }


@dataclass(frozen=True)
class Coverage:
    """Framework items with evidence: an item is evidenced when every applicable rule citing it passed."""

    framework: str
    items: tuple[str, ...]
    evidenced: tuple[str, ...]

    def to_json(self) -> dict[str, JsonValue]:
        missing: list[JsonValue] = [i for i in self.items if i not in self.evidenced]
        return {
            "framework": self.framework,
            "evidenced": len(self.evidenced),
            "items": len(self.items),
            "missing": missing,
        }


@dataclass(frozen=True)
class SubjectScore:
    ref: str
    kind: str
    name: str
    score: float | None
    packs: tuple[PackScore, ...]
    outcomes: tuple[RuleResult, ...]
    mof: MofResult | None = None
    coverage: tuple[Coverage, ...] = ()
    annex_xi: Coverage | None = None
    members: tuple[str, ...] = ()
    pointer: tuple[str | int, ...] | None = field(default=None, compare=False)

    @property
    def grade(self) -> str | None:
        return grade(self.score)

    @property
    def mof_class(self) -> str | None:
        return self.mof.label if self.mof is not None else None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "ref": self.ref,
            "kind": self.kind,
            "name": self.name,
            "score": self.score,
            "grade": self.grade,
            "mof_class": self.mof_class,
            "packs": [p.to_json() for p in self.packs],
            "outcomes": [outcome_json(r) for r in self.outcomes],
            "frameworks": [c.to_json() for c in self.coverage],
        }
        if self.mof is not None:
            out["mof"] = mof_json(self.mof)
        if self.annex_xi is not None:
            out["annex_xi"] = self.annex_xi.to_json()
        if self.members and self.kind == "supplier":
            out["members"] = list(self.members)
        return out


def outcome_json(result: RuleResult) -> dict[str, JsonValue]:
    rule = result.rule
    out: dict[str, JsonValue] = {
        "rule": rule.id,
        "title": result.title,
        "pack": rule.pack,
        "outcome": result.outcome.value,
        "severity": rule.severity.label,
        "enforcement": rule.enforcement.value,
        "weight": rule.weight,
        "frameworks": [{"framework": f.framework, "ref": f.ref} for f in rule.frameworks],
        "message": result.message,
        "remediation": result.remediation,
        "evidence": [{"path": e.path, "value": e.value} for e in result.evidence],
    }
    if result.satisfied_by:  # passes only: which evidence (a CycloneDX field or an aibom property)
        out["satisfied_by"] = list(result.satisfied_by)
    if result.unsigned_card:  # only then, so documents without signatures keep their shape
        out["unsigned_evidence"] = "model card (not covered by the model's signature)"
    return out


def mof_json(mof: MofResult) -> dict[str, JsonValue]:
    return {
        "class": CLASS_LABELS.get(mof.mof_class, "Unclassified"),
        "progress": {
            CLASS_LABELS[c]: round(p, 1) for c, p in sorted(mof.progress.items(), reverse=True)
        },
        "total_progress": round(mof.total_progress, 1),
        "open_components": [MOF_COMPONENTS[c][0] for c in sorted(mof.open_components)],
        "missing_for_next_class": [*mof.missing(max(1, (mof.mof_class or 4) - 1))],
    }


@dataclass(frozen=True)
class Scorecard:
    profile: str
    rules_version: str
    score: float | None
    packs: tuple[PackScore, ...]
    subjects: tuple[SubjectScore, ...]

    @property
    def grade(self) -> str | None:
        return grade(self.score)

    def results(self) -> list[RuleResult]:
        return [r for s in self.subjects for r in s.outcomes]

    def gating(self, enforcement: Enforcement) -> list[RuleResult]:
        """Failed outcomes of rules with ``enforcement`` (unknown counts as failed in procurement)."""
        bad = {Verdict.FAIL, Verdict.UNKNOWN} if counts_unknown(self.profile) else {Verdict.FAIL}
        return [r for r in self.results() if r.rule.enforcement is enforcement and r.outcome in bad]

    def blocking(self) -> list[RuleResult]:
        return self.gating(Enforcement.BLOCK)

    def subject(self, ref: str) -> SubjectScore | None:
        return next((s for s in self.subjects if s.ref == ref), None)

    def to_json_dict(self) -> dict[str, JsonValue]:
        return {
            "profile": self.profile,
            "rules_version": self.rules_version,
            "score": self.score,
            "grade": self.grade,
            "packs": [p.to_json() for p in self.packs],
            "subjects": [s.to_json() for s in self.subjects],
            "blocking": [{"rule": r.rule.id, "subject": r.subject} for r in self.blocking()],
        }


def pack_scores(
    results: Sequence[RuleResult], packs: Sequence[tuple[str, str]], profile: str
) -> tuple[PackScore, ...]:
    """One ``PackScore`` per (id, title) in ``packs`` that has results."""
    out = []
    for pack_id, title in packs:
        mine = [r for r in results if r.rule.pack == pack_id]
        if mine:
            out.append(PackScore(pack_id, title, weighted_score(mine, profile), Counts.of(mine)))
    return tuple(out)
