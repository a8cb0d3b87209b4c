"""What changed between two BOM documents: models, datasets, packages, findings and scores.

``diff_boms(base, head)`` compares two documents as ``aibom.bomdoc.read_bom`` returns them (any
generator, JSON or XML) and reports models, datasets and packages added, removed or changed (revision,
hashes, licence, version), findings new in HEAD or resolved since BASE, and score changes. The policy
"fail only on findings the change introduced" is ``BomDiff.new_at_or_above``. Components are matched
by identity (purl without version, else group/name; packages by normalised name), never by bom-ref,
because bom-refs differ between generators and runs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aibom.bomdoc.scorecard import Scorecard, read_scorecard
from aibom.bomdoc.view import BomView, ComponentView, FindingView, view_of
from aibom.findings import Severity

CATEGORIES = ("model", "dataset", "package")
_TYPES = {"machine-learning-model": "model", "data": "dataset", "library": "package"}
_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class ComponentChange:
    category: str
    status: str
    """added, removed or changed."""
    name: str
    before: str | None
    after: str | None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreChange:
    ref: str
    name: str
    before: float | None
    after: float | None
    grade_before: str | None
    grade_after: str | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass(frozen=True)
class BomDiff:
    components: tuple[ComponentChange, ...]
    new_findings: tuple[FindingView, ...]
    resolved_findings: tuple[FindingView, ...]
    scores: tuple[ScoreChange, ...]

    def of(self, category: str) -> list[ComponentChange]:
        return [c for c in self.components if c.category == category]

    @property
    def empty(self) -> bool:
        return not (self.components or self.new_findings or self.resolved_findings or self.scores)

    def new_at_or_above(self, threshold: Severity) -> list[FindingView]:
        return [f for f in self.new_findings if f.severity >= threshold]

    def to_json(self) -> dict[str, Any]:
        return {
            "components": [_change_json(c) for c in self.components],
            "findings": {
                "new": [finding_json(f) for f in self.new_findings],
                "resolved": [finding_json(f) for f in self.resolved_findings],
            },
            "scores": [_score_json(s) for s in self.scores],
        }


def compare(
    base: BomView, head: BomView, base_scores: Scorecard | None, head_scores: Scorecard | None
) -> BomDiff:
    changes: list[ComponentChange] = []
    for category in CATEGORIES:
        changes += _compare_category(category, base, head)
    new, resolved = _compare_findings(base.findings, head.findings)
    return BomDiff(tuple(changes), new, resolved, _compare_scores(base_scores, head_scores))


def finding_key(f: FindingView) -> tuple[str, str, str, str]:
    """Identity of a finding across runs (also the SARIF fingerprint input)."""
    where = f.path or (f.affects[0] if f.affects else "")
    return (f.id, where, f.member or "", f.evidence or "")


def finding_json(f: FindingView) -> dict[str, Any]:
    return {
        "id": f.id,
        "title": f.title,
        "severity": f.severity.label,
        "message": f.message,
        "path": f.path,
        "member": f.member,
        "evidence": f.evidence,
        "remediation": f.remediation,
    }


def _identity(c: ComponentView, category: str) -> str:
    if category == "package":
        return _SEPARATORS.sub("-", c.name).lower()
    if c.purl:
        return c.purl.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0]
    return c.display_name


def _index(view: BomView, category: str) -> dict[str, list[ComponentView]]:
    out: dict[str, list[ComponentView]] = {}
    for c in view.components:
        if _TYPES.get(c.type) == category:
            out.setdefault(_identity(c, category), []).append(c)
    return out


def _compare_category(category: str, base: BomView, head: BomView) -> list[ComponentChange]:
    old, new = _index(base, category), _index(head, category)
    out: list[ComponentChange] = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            out.append(
                ComponentChange(category, "added", after[0].display_name, None, _versions(after))
            )
        elif after is None and before is not None:
            out.append(
                ComponentChange(
                    category, "removed", before[0].display_name, _versions(before), None
                )
            )
        elif before is not None and after is not None:
            details = _details(before, after, category)
            if details:
                name = after[0].display_name
                out.append(
                    ComponentChange(
                        category, "changed", name, _versions(before), _versions(after), details
                    )
                )
    return out


def _versions(cs: list[ComponentView]) -> str | None:
    found = sorted({v for c in cs if (v := c.version or c.prop("aibom:hf:commit"))})
    return ", ".join(found) or None


def _details(
    before: list[ComponentView], after: list[ComponentView], category: str
) -> tuple[str, ...]:
    out = []
    if _versions(before) != _versions(after):
        label = "version" if category == "package" else "revision"
        out.append(f"{label} {_versions(before) or '(none)'} -> {_versions(after) or '(none)'}")
    if category == "package":
        return tuple(out)
    b, a = before[0], after[0]
    if b.licenses != a.licenses:
        out.append(
            f"licence {', '.join(b.licenses) or '(none)'} -> {', '.join(a.licenses) or '(none)'}"
        )
    if b.sha256 != a.sha256 and (b.sha256 or a.sha256):
        out.append("weights hash changed")
    out += _file_changes(b, a)
    return tuple(out)


def _file_changes(before: ComponentView, after: ComponentView) -> list[str]:
    old = {f.path: f.sha256 for f in before.files}
    new = {f.path: f.sha256 for f in after.files}
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    changed = sorted(p for p in old.keys() & new.keys() if old[p] != new[p])
    out = []
    for label, paths in (("added", added), ("removed", removed), ("changed", changed)):
        if paths:
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            out.append(f"files {label}: {shown}")
    return out


def _compare_findings(
    base: Iterable[FindingView], head: Iterable[FindingView]
) -> tuple[tuple[FindingView, ...], tuple[FindingView, ...]]:
    base_list, head_list = list(base), list(head)
    base_keys = Counter(finding_key(f) for f in base_list)
    head_keys = Counter(finding_key(f) for f in head_list)
    return _surplus(head_list, base_keys), _surplus(base_list, head_keys)


def _surplus(
    findings: list[FindingView], other: Counter[tuple[str, str, str, str]]
) -> tuple[FindingView, ...]:
    """Findings beyond those the other side also has (a multiset difference, order kept)."""
    remaining = Counter(other)
    out = []
    for f in findings:
        key = finding_key(f)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(f)
    return tuple(out)


def _compare_scores(base: Scorecard | None, head: Scorecard | None) -> tuple[ScoreChange, ...]:
    if base is None and head is None:
        return ()
    old = {s.ref: s for s in base.subjects} if base else {}
    new = {s.ref: s for s in head.subjects} if head else {}
    out = []
    for ref in sorted(old.keys() | new.keys()):
        b, a = old.get(ref), new.get(ref)
        named = a or b
        change = ScoreChange(
            ref,
            named.name if named is not None else ref,
            b.score if b else None,
            a.score if a else None,
            b.grade if b else None,
            a.grade if a else None,
        )
        if (change.before, change.grade_before) != (change.after, change.grade_after):
            out.append(change)
    return tuple(out)


def _change_json(c: ComponentChange) -> dict[str, Any]:
    return {
        "category": c.category,
        "status": c.status,
        "name": c.name,
        "before": c.before,
        "after": c.after,
        "details": list(c.details),
    }


def _score_json(s: ScoreChange) -> dict[str, Any]:
    return {
        "ref": s.ref,
        "name": s.name,
        "before": s.before,
        "after": s.after,
        "delta": s.delta,
        "grade_before": s.grade_before,
        "grade_after": s.grade_after,
    }


def diff_boms(
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    base_scores: Mapping[str, Any] | None = None,
    head_scores: Mapping[str, Any] | None = None,
) -> BomDiff:
    return compare(
        view_of(base),
        view_of(head),
        read_scorecard(base_scores) if base_scores is not None else None,
        read_scorecard(head_scores) if head_scores is not None else None,
    )
