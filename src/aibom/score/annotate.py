"""Write a scorecard into the BOM document as ``aibom:score:*`` properties (CycloneDX-valid).

Scored components (models, datasets, packages) get their own score; ``metadata.properties`` gets the
document's. Existing ``aibom:score:*`` properties are replaced, so scoring twice gives the same BOM.
Nothing else in the document changes.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aibom.score.model import Scorecard, SubjectScore

SCORE_PROFILE = "aibom:score:profile"
SCORE_RULES_VERSION = "aibom:score:rules-version"
SCORE_OVERALL = "aibom:score:overall"
SCORE_GRADE = "aibom:score:grade"
SCORE_FAILED = "aibom:score:failed"
SCORE_UNKNOWN = "aibom:score:unknown"
SCORE_MOF_CLASS = "aibom:score:mof-class"
SCORE_ANNEX_XI = "aibom:score:annex-xi"
SCORE_BLOCKING = "aibom:score:blocking"
SCORE_SUPPLIER = "aibom:score:supplier"
FAMILY_SCORE_PACK = "aibom:score:pack:"
_PREFIX = "aibom:score:"

PROPERTIES: dict[str, str] = {
    SCORE_PROFILE: "Scoring profile: `procurement` (no evidence counts as a failure) or `engineering` "
    "(no evidence is left out).",
    SCORE_RULES_VERSION: "Version of the rule packs that produced the scores.",
    SCORE_OVERALL: "Transparency score, 0-100 (weighted share of rules passed), of the component or, in "
    "`metadata`, of the whole BOM. Absent when no rule applied.",
    SCORE_GRADE: "Grade of the score: A (90+), B (80+), C (70+), D (60+), E (50+), F.",
    SCORE_FAILED: "Ids of the rules the component failed (comma-separated).",
    SCORE_UNKNOWN: "Ids of the rules the BOM gave no evidence for (comma-separated).",
    SCORE_MOF_CLASS: "Model Openness Framework 1.0 class reached: `Class I`, `Class II`, `Class III` or "
    "`Unclassified`.",
    SCORE_ANNEX_XI: "EU AI Act Annex XI items evidenced, as `N of M`.",
    SCORE_BLOCKING: "Failed rules whose enforcement is `block`, as `RULE@subject-ref` (comma-separated).",
    SCORE_SUPPLIER: "One per supplier: `<score> <grade> <supplier name>` (score `-` when no rule applied).",
}
"""Every ``aibom:score:`` property name and its meaning (folded into ``aibom.properties``)."""

FAMILIES: dict[str, str] = {
    FAMILY_SCORE_PACK: "`aibom:score:pack:<pack>`: score and grade of one rule pack, as `<score> <grade>` "
    "(e.g. `72.5 C`), on a scored component or, in `metadata`, for the whole BOM.",
}


def annotate(doc: MutableMapping[str, object], scorecard: Scorecard) -> None:
    """Add the scorecard to ``doc`` in place: per scored component and in ``metadata.properties``."""
    for subject in scorecard.subjects:
        if subject.pointer is None or subject.kind == "bom":
            continue
        component = _locate(doc, subject.pointer)
        if component is not None:
            _replace(component, _subject_props(subject))
    metadata = doc.get("metadata")
    if not isinstance(metadata, MutableMapping):
        metadata = {}
        doc["metadata"] = metadata
    _replace(metadata, _document_props(scorecard))


def _score_text(score: float | None, grade: str | None) -> str:
    return f"{score:.1f} {grade}" if score is not None and grade is not None else "- -"


def _subject_props(subject: SubjectScore) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if subject.score is not None and subject.grade is not None:
        pairs += [(SCORE_OVERALL, f"{subject.score:.1f}"), (SCORE_GRADE, subject.grade)]
    pairs += [
        (FAMILY_SCORE_PACK + p.id, _score_text(p.score, p.grade))
        for p in subject.packs
        if p.score is not None
    ]
    failed = [r.rule.id for r in subject.outcomes if r.outcome.value == "fail"]
    unknown = [r.rule.id for r in subject.outcomes if r.outcome.value == "unknown"]
    if failed:
        pairs.append((SCORE_FAILED, ", ".join(failed)))
    if unknown:
        pairs.append((SCORE_UNKNOWN, ", ".join(unknown)))
    if subject.mof is not None:
        pairs.append((SCORE_MOF_CLASS, subject.mof.label or "Unclassified"))
    if subject.annex_xi is not None:
        xi = subject.annex_xi
        pairs.append((SCORE_ANNEX_XI, f"{len(xi.evidenced)} of {len(xi.items)}"))
    return pairs


def _document_props(scorecard: Scorecard) -> list[tuple[str, str]]:
    pairs = [(SCORE_PROFILE, scorecard.profile), (SCORE_RULES_VERSION, scorecard.rules_version)]
    if scorecard.score is not None and scorecard.grade is not None:
        pairs += [(SCORE_OVERALL, f"{scorecard.score:.1f}"), (SCORE_GRADE, scorecard.grade)]
    pairs += [
        (FAMILY_SCORE_PACK + p.id, _score_text(p.score, p.grade))
        for p in scorecard.packs
        if p.score is not None
    ]
    blocking = [f"{r.rule.id}@{r.subject}" for r in scorecard.blocking()]
    if blocking:
        pairs.append((SCORE_BLOCKING, ", ".join(blocking)))
    for subject in scorecard.subjects:
        if subject.kind == "supplier":
            score = f"{subject.score:.1f}" if subject.score is not None else "-"
            pairs.append((SCORE_SUPPLIER, f"{score} {subject.grade or '-'} {subject.name}"))
    return pairs


def _locate(
    doc: MutableMapping[str, object], pointer: Sequence[str | int]
) -> MutableMapping[str, object] | None:
    node: object = doc
    for step in pointer:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        else:
            node = node.get(step) if isinstance(node, MutableMapping) else None
    return node if isinstance(node, MutableMapping) else None


def _replace(target: MutableMapping[str, object], pairs: list[tuple[str, str]]) -> None:
    existing = target.get("properties")
    kept = [
        p
        for p in (existing if isinstance(existing, list) else [])
        if not (isinstance(p, dict) and str(p.get("name", "")).startswith(_PREFIX))
    ]
    kept += [{"name": name, "value": value} for name, value in pairs]
    if kept:
        target["properties"] = kept
