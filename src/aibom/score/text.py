"""Text renderings of a scorecard for ``aibom score``: a terminal table and Markdown. Both return ``str``.

Only failed and unknown outcomes are listed per subject (with the remediation); passes are counted.
"""

from __future__ import annotations

import json

from aibom.rules.model import Verdict
from aibom.score.evaluate import RuleResult
from aibom.score.model import PROFILES, Scorecard, SubjectScore
from aibom.score.mof import CLASS_LABELS

_SHOWN = (Verdict.FAIL, Verdict.UNKNOWN)
_LABEL = {Verdict.FAIL: "FAIL", Verdict.UNKNOWN: "NO EVIDENCE"}


def render_json(scorecard: Scorecard) -> str:
    return json.dumps(scorecard.to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def _score(score: float | None, grade: str | None) -> str:
    return f"{score:5.1f} {grade}" if score is not None and grade is not None else "    - -"


def _headline(scorecard: Scorecard) -> list[str]:
    return [
        f"Profile: {scorecard.profile} ({PROFILES[scorecard.profile]}); rules {scorecard.rules_version}",
        f"Overall: {_score(scorecard.score, scorecard.grade).strip()}",
    ]


def _subject_facts(subject: SubjectScore) -> list[str]:
    facts = []
    if subject.mof is not None:
        mof = subject.mof
        progress = ", ".join(
            f"{CLASS_LABELS[c]} {p:.0f}%" for c, p in sorted(mof.progress.items(), reverse=True)
        )
        facts.append(f"MOF: {mof.label or 'Unclassified'} ({progress})")
    if subject.annex_xi is not None:
        xi = subject.annex_xi
        facts.append(f"Annex XI: {len(xi.evidenced)} of {len(xi.items)} items evidenced")
    return facts


def _shown(subject: SubjectScore) -> list[RuleResult]:
    return [r for r in subject.outcomes if r.outcome in _SHOWN]


def render_table(scorecard: Scorecard) -> str:
    lines = [*_headline(scorecard), "", f"{'pack':<12} {'score':>7}  pass fail unknown n/a  title"]
    for pack in scorecard.packs:
        c = pack.counts
        lines.append(
            f"{pack.id:<12} {_score(pack.score, pack.grade):>7}  {c.passed:>4} {c.failed:>4} "
            f"{c.unknown:>7} {c.not_applicable:>3}  {pack.title}"
        )
    for subject in scorecard.subjects:
        if not subject.outcomes and subject.kind != "supplier":
            continue
        lines += [
            "",
            f"{subject.kind} {subject.name} [{subject.ref}]: {_score(subject.score, subject.grade).strip()}",
        ]
        lines += [f"  {fact}" for fact in _subject_facts(subject)]
        for result in _shown(subject):
            rule = result.rule
            lines.append(
                f"  {_LABEL[result.outcome]:<11} {rule.id:<9} {rule.severity.label:<8} {result.message}"
            )
            lines.append(f"  {'':<11} {'':<9} {'':<8} -> {result.remediation}")
    lines += ["", *_gates(scorecard)]
    return "\n".join(lines) + "\n"


def _gates(scorecard: Scorecard) -> list[str]:
    blocking = scorecard.blocking()
    if not blocking:
        return ["Blocking rules: none failed"]
    return ["Blocking rules failed:"] + [
        f"  {r.rule.id} on {r.subject}: {r.message}" for r in blocking
    ]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(scorecard: Scorecard) -> str:
    lines = ["# Transparency scorecard", "", *[f"- {line}" for line in _headline(scorecard)], ""]
    lines += [
        "| pack | score | grade | pass | fail | no evidence | n/a |",
        "|---|---:|:---:|---:|---:|---:|---:|",
    ]
    for pack in scorecard.packs:
        c = pack.counts
        score = f"{pack.score:.1f}" if pack.score is not None else "-"
        lines.append(
            f"| {_md(pack.title)} | {score} | {pack.grade or '-'} | {c.passed} | {c.failed} | "
            f"{c.unknown} | {c.not_applicable} |"
        )
    for subject in scorecard.subjects:
        if not subject.outcomes and subject.kind != "supplier":
            continue
        lines += [
            "",
            f"## {subject.kind}: {_md(subject.name)} ({_score(subject.score, subject.grade).strip()})",
            "",
        ]
        lines += [f"- {fact}" for fact in _subject_facts(subject)]
        shown = _shown(subject)
        if shown:
            lines += ["", "| outcome | rule | what | to do |", "|---|---|---|---|"]
            lines += [
                f"| {_LABEL[r.outcome].lower()} | {r.rule.id} | {_md(r.message)} | {_md(r.remediation)} |"
                for r in shown
            ]
    lines += ["", *[f"- {line}" for line in _gates(scorecard)]]
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
"""Every ``--format`` of ``aibom score``."""
