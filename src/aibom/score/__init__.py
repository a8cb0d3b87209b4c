"""Transparency scoring: evaluate rule packs against a CycloneDX BOM *document* -> ``Scorecard``.

Works on any CycloneDX JSON (1.2-1.7, any generator), read as plain data. Each rule gives each subject it
applies to one outcome (pass, fail, unknown = no evidence, not_applicable) with the evidence seen. Scores
are weighted pass ratios, 0-100, per subject, per pack and for the document; the profile decides whether
unknown counts as a failure (``procurement``) or is left out (``engineering``). Models also get their
Model Openness Framework class and "N of M Annex XI items evidenced". Suppliers are scored on their own
rules plus every outcome of the models and datasets they supply.

Public API: ``score_document``, ``evaluate_document``, ``annotate``, ``policy_failures``, ``Scorecard``,
``ScoreOptions``, ``PROFILES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aibom.errors import UsageError
from aibom.rules import load_rules
from aibom.rules.model import KINDS, RuleSet, Verdict
from aibom.score.annotate import PROPERTIES, annotate
from aibom.score.evaluate import RuleResult, evaluate_rule
from aibom.score.model import (
    PROFILES,
    Coverage,
    Scorecard,
    SubjectScore,
    pack_scores,
    weighted_score,
)
from aibom.score.mof import MofResult, classify
from aibom.score.subjects import Subject, extract_subjects

__all__ = [
    "PROFILES",
    "PROPERTIES",
    "ScoreOptions",
    "Scorecard",
    "annotate",
    "evaluate_document",
    "policy_failures",
    "score_document",
]

ANNEX_XI_ITEMS = tuple(f"Annex XI 1({c})" for c in "abcdef") + tuple(
    f"Annex XI 2({c})" for c in "abcde"
)
"""The 11 items of EU AI Act Annex XI Section 1 (documentation every GPAI provider keeps), as rules cite
them (``framework: EU AI Act``)."""


@dataclass(frozen=True)
class ScoreOptions:
    """What to score with, and the gate a scored run must pass (``aibom scan --score``)."""

    profile: str = "procurement"
    """``procurement`` counts missing evidence as a failure; ``engineering`` leaves it out."""
    packs: tuple[str, ...] = ()
    """Only these rule packs (empty: every pack)."""
    rule_dirs: tuple[Path, ...] = ()
    """Rule folders loaded on top of the shipped rules."""
    min_score: float | None = None
    """The overall score a run must reach (None: no minimum; blocking rules still gate)."""

    def score(self, doc: Mapping[str, object]) -> Scorecard:
        """``score_document`` with these options."""
        return score_document(doc, self.packs or None, self.profile, self.rule_dirs)

    def failures(self, scorecard: Scorecard) -> list[str]:
        """``policy_failures`` with this ``min_score``."""
        return policy_failures(scorecard, self.min_score)


def score_document(
    doc: Mapping[str, object],
    packs: Iterable[str] | None = None,
    profile: str = "procurement",
    rule_dirs: Sequence[Path] = (),
) -> Scorecard:
    """Score ``doc`` with the shipped rules plus ``rule_dirs``, restricted to ``packs``.

    Raises ``UsageError`` (unknown profile or pack) or ``RuleError`` (broken rule files)."""
    _check_profile(profile)
    ruleset = load_rules(rule_dirs, packs)
    return evaluate_document(doc, ruleset, profile)


def policy_failures(scorecard: Scorecard, min_score: float | None) -> list[str]:
    """Why a scored run fails its policy (empty: it passes): a failed rule with enforcement ``block``,
    or an overall score below ``min_score`` (or no score at all to compare with it)."""
    reasons = [
        f"rule {r.rule.id} (enforcement: block) {r.outcome.value} on {r.subject}: {r.message}"
        for r in scorecard.blocking()
    ]
    if min_score is not None:
        if scorecard.score is None:
            reasons.append(
                f"no rule applied, so there is no score to compare with --min-score {min_score:g}"
            )
        elif scorecard.score < min_score:
            reasons.append(f"score {scorecard.score:.1f} is below --min-score {min_score:g}")
    return reasons


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}", hint=f"choose from {', '.join(PROFILES)}")


def evaluate_document(doc: Mapping[str, object], ruleset: RuleSet, profile: str) -> Scorecard:
    _check_profile(profile)
    subjects = extract_subjects(doc)
    by_kind = {kind: [r for r in ruleset.rules if kind in r.kinds] for kind in KINDS}
    results = {s.ref: [evaluate_rule(r, s) for r in by_kind[s.kind]] for s in subjects}
    pack_list = [(p.id, p.title) for p in ruleset.packs.values()]
    scored = tuple(_subject_score(s, results, ruleset, pack_list, profile) for s in subjects)
    everything = [r for found in results.values() for r in found]
    return Scorecard(
        profile=profile,
        rules_version=ruleset.version,
        score=weighted_score(everything, profile),
        packs=pack_scores(everything, pack_list, profile),
        subjects=scored,
    )


def _subject_score(
    subject: Subject,
    results: Mapping[str, list[RuleResult]],
    ruleset: RuleSet,
    pack_list: Sequence[tuple[str, str]],
    profile: str,
) -> SubjectScore:
    own = results.get(subject.ref, [])
    counted = own + [r for ref in subject.members for r in results.get(ref, [])]
    coverage = _coverage(own)
    return SubjectScore(
        ref=subject.ref,
        kind=subject.kind,
        name=subject.name,
        score=weighted_score(counted, profile),
        packs=pack_scores(counted, pack_list, profile),
        outcomes=tuple(own),
        mof=_mof(own, ruleset) if subject.kind == "model" else None,
        coverage=coverage,
        annex_xi=_annex_xi(own) if subject.kind == "model" else None,
        members=subject.members,
        pointer=subject.pointer,
    )


def _mof(results: Sequence[RuleResult], ruleset: RuleSet) -> MofResult | None:
    if not any(r.mof_component is not None for r in ruleset.rules):
        return None
    return classify(
        r.rule.mof_component
        for r in results
        if r.outcome is Verdict.PASS and r.rule.mof_component is not None
    )


def _coverage(results: Sequence[RuleResult]) -> tuple[Coverage, ...]:
    """Per framework: the items cited by applicable rules, and those whose rules all passed."""
    items: dict[str, dict[str, bool]] = {}
    for result in results:
        if result.outcome is Verdict.NOT_APPLICABLE:
            continue
        for ref in result.rule.frameworks:
            seen = items.setdefault(ref.framework, {})
            seen[ref.ref] = seen.get(ref.ref, True) and result.outcome is Verdict.PASS
    return tuple(
        Coverage(name, tuple(found), tuple(k for k, ok in found.items() if ok))
        for name, found in items.items()
    )


def _annex_xi(results: Sequence[RuleResult]) -> Coverage | None:
    """The "N of 11 Annex XI items evidenced" figure: an item is evidenced when every applicable rule
    citing it passed; items no rule evidences count as missing. None when no rule cites Annex XI."""
    found: dict[str, bool] = {}
    for result in results:
        if result.outcome is Verdict.NOT_APPLICABLE:
            continue
        for ref in result.rule.frameworks:
            if ref.framework == "EU AI Act" and ref.ref in ANNEX_XI_ITEMS:
                found[ref.ref] = found.get(ref.ref, True) and result.outcome is Verdict.PASS
    if not found:
        return None
    evidenced = tuple(item for item in ANNEX_XI_ITEMS if found.get(item, False))
    return Coverage("EU AI Act Annex XI", ANNEX_XI_ITEMS, evidenced)
