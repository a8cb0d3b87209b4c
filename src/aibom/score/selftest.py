"""Run the test cases embedded in rules (``aibom rules test``).

Each case is a BOM document (or a component placed in a minimal BOM); the rule is evaluated on the case's
subject (by ref, else the first subject of one of the rule's kinds) and its outcome compared with
``expect``. Every rule must also carry at least one passing and one failing case, so that both
branches of its condition are shown to work, and must not call a dataset, package or supplier "the
model": a rule for several kinds words its title and remediation for each (``wording``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aibom.rules.model import Rule, RuleCase, RuleSet, Verdict
from aibom.score.evaluate import verdict
from aibom.score.subjects import Subject, extract_subjects


@dataclass(frozen=True)
class CaseResult:
    rule: Rule
    case: RuleCase | None
    actual: Verdict | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.case is not None and self.actual is self.case.expect

    def describe(self) -> str:
        where = f"{self.rule.source}: {self.rule.id}"
        if self.case is None:
            return f"{where}: {self.problem}"
        label = f"case {self.case.index + 1} ({self.case.name})"
        if self.problem:
            return f"{where}: {label}: {self.problem}"
        actual = self.actual.value if self.actual else "nothing"
        return f"{where}: {label}: expected {self.case.expect.value}, got {actual}"


_MODEL_WORD = re.compile(r"\bmodel('s|s)?\b", re.IGNORECASE)
_WORDED_KINDS = ("dataset", "package", "supplier")
"""Kinds whose subject is not a model: a rule applying to one must not say "the model" to it."""


def wording_problems(rule: Rule) -> list[str]:
    """Kinds the rule applies to whose title or remediation still speaks of "the model"."""
    out = []
    for kind in (k for k in rule.kinds if k in _WORDED_KINDS):
        for label, text in (
            ("title", rule.title_for(kind)),
            ("remediation", rule.remediation_for(kind)),
        ):
            if _MODEL_WORD.search(text) and not re.search(rf"\b{kind}", text, re.IGNORECASE):
                out.append(f"its {label} calls a {kind} a model (add wording.{kind}.{label})")
    return out


def _subject(rule: Rule, case: RuleCase) -> Subject | None:
    subjects = extract_subjects(case.document)
    if case.subject is not None:
        return next((s for s in subjects if s.ref == case.subject), None)
    return next((s for s in subjects if s.kind in rule.kinds), None)


def run_case(rule: Rule, case: RuleCase) -> CaseResult:
    subject = _subject(rule, case)
    if subject is None:
        wanted = case.subject or " or ".join(rule.kinds)
        return CaseResult(rule, case, problem=f"the case has no subject {wanted}")
    if subject.kind not in rule.kinds:
        return CaseResult(rule, case, problem=f"subject {subject.ref} is a {subject.kind}")
    return CaseResult(rule, case, actual=verdict(rule, subject.facts))


def run_rule(rule: Rule) -> list[CaseResult]:
    results = [run_case(rule, case) for case in rule.tests]
    expected = {case.expect for case in rule.tests}
    for needed in (Verdict.PASS, Verdict.FAIL):
        if needed not in expected:
            results.append(CaseResult(rule, None, problem=f"has no case expecting {needed.value}"))
    results += [CaseResult(rule, None, problem=p) for p in wording_problems(rule)]
    return results


def run_rule_tests(rules: RuleSet | Iterable[Rule]) -> list[CaseResult]:
    """Every embedded case of every rule, plus a problem per rule lacking a pass or a fail case."""
    items = rules.rules if isinstance(rules, RuleSet) else rules
    return [result for rule in items for result in run_rule(rule)]
