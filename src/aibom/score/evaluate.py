"""Evaluate one rule on one subject: outcome, message and the evidence seen.

Order: a subject of another kind is not evaluated at all; ``applies_to.where`` not holding gives
``not_applicable``; ``needs`` not holding gives ``unknown`` (no evidence); otherwise the condition decides
(True pass, False fail, None unknown). ``on_unknown`` then turns unknown into ``fail`` or
``not_applicable`` when the rule asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aibom.rules.conditions import evaluate, items_of, predicate_paths, witness_paths
from aibom.rules.model import Rule, Verdict
from aibom.rules.paths import Path, parse_path
from aibom.score.subjects import Subject

MAX_EVIDENCE_PATHS = 6
"""Evidence entries per outcome when the rule does not list its own."""
MAX_EVIDENCE_TEXT = 300
"""Characters kept from one evidence string (hostile BOMs carry megabyte strings)."""
MAX_EVIDENCE_ITEMS = 10
"""Items kept from one evidence list or mapping."""
MAX_EVIDENCE_DEPTH = 3
"""Nesting kept in one evidence value."""
MAX_MESSAGE_CHARS = 500

_TEMPLATE_FIELD = re.compile(r"\{([^{}]{1,400})\}")
_DEFAULT_MESSAGES = {
    Verdict.PASS: "{title}",
    Verdict.FAIL: "Not met: {title}",
    Verdict.UNKNOWN: "No evidence: {title}",
    Verdict.NOT_APPLICABLE: "Not applicable: {title}",
}

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class Evidence:
    path: str
    value: JsonValue


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    subject: str
    outcome: Verdict
    message: str
    evidence: tuple[Evidence, ...]
    unsigned_card: bool = False
    """The outcome rests on model-card data that the model's signature does not cover (the signer
    ignored the card): a reader should weigh it as the vendor's unverified word."""
    satisfied_by: tuple[str, ...] = ()
    """For a pass: the paths whose values made the condition hold, standard CycloneDX fields or
    aibom properties (``@props.aibom:...``), in the order the rule tries them."""
    kind: str = ""
    """The subject's kind; the title and remediation are worded for it (``Rule.wording``)."""

    @property
    def title(self) -> str:
        return self.rule.title_for(self.kind)

    @property
    def remediation(self) -> str:
        return self.rule.remediation_for(self.kind)


CARD_UNSIGNED = "aibom:signature:card-unsigned"
"""Model property written by verification (``aibom.verify.report``) when the card is not signed."""
_CARD_PATH_PREFIXES = ("modelCard", "@datasets", "@props.aibom:card:")


def verdict(rule: Rule, facts: Mapping[str, object]) -> Verdict:
    if rule.where is not None and evaluate(rule.where, facts) is not True:
        return Verdict.NOT_APPLICABLE
    if rule.needs is not None and evaluate(rule.needs, facts) is not True:
        result: bool | None = None
    else:
        result = evaluate(rule.condition, facts)
    if result is True:
        return Verdict.PASS
    if result is False:
        return Verdict.FAIL
    if rule.on_unknown == "fail":
        return Verdict.FAIL
    if rule.on_unknown == "skip":
        return Verdict.NOT_APPLICABLE
    return Verdict.UNKNOWN


def evaluate_rule(rule: Rule, subject: Subject) -> RuleResult:
    outcome = verdict(rule, subject.facts)
    applies = outcome is not Verdict.NOT_APPLICABLE
    return RuleResult(
        rule=rule,
        subject=subject.ref,
        outcome=outcome,
        message=render_message(rule, outcome, subject.facts, subject.kind),
        evidence=evidence(rule, subject.facts) if applies else (),
        unsigned_card=applies and _rests_on_unsigned_card(rule, subject.facts),
        satisfied_by=satisfying_paths(rule, subject.facts) if outcome is Verdict.PASS else (),
        kind=subject.kind,
    )


def satisfying_paths(rule: Rule, facts: Mapping[str, object]) -> tuple[str, ...]:
    """The paths that made a passing rule's condition hold (duplicates removed, bounded)."""
    paths = witness_paths(rule.condition, facts)
    return tuple(dict.fromkeys(p.text for p in paths))[:MAX_EVIDENCE_PATHS]


def _rests_on_unsigned_card(rule: Rule, facts: Mapping[str, object]) -> bool:
    """A signed model whose card the signature leaves out, judged by a rule that reads the card."""
    props = facts.get("@props")
    if not isinstance(props, Mapping) or props.get(CARD_UNSIGNED) != "true":
        return False
    return any(p.text.startswith(_CARD_PATH_PREFIXES) for p in evidence_paths(rule))


def evidence_paths(rule: Rule) -> list[Path]:
    if rule.evidence:
        return list(rule.evidence)
    paths = predicate_paths(rule.condition)
    unique = list({p.text: p for p in paths}.values())
    return unique[:MAX_EVIDENCE_PATHS]


def evidence(rule: Rule, facts: Mapping[str, object]) -> tuple[Evidence, ...]:
    out = []
    for path in evidence_paths(rule):
        values = path.resolve(facts, MAX_EVIDENCE_ITEMS)
        value: object = None if not values else values[0] if len(values) == 1 else values
        out.append(Evidence(path.text, to_json(value)))
    return tuple(out)


def to_json(value: object, depth: int = 0) -> JsonValue:
    """A bounded, JSON-safe copy of a value from the document (for evidence and messages)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return (
            value if len(value) <= MAX_EVIDENCE_TEXT else value[: MAX_EVIDENCE_TEXT - 1] + "\u2026"
        )
    if depth >= MAX_EVIDENCE_DEPTH:
        return "\u2026"
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items() if not str(k).startswith("@")]
        return {k: to_json(v, depth + 1) for k, v in items[:MAX_EVIDENCE_ITEMS]}
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [to_json(v, depth + 1) for v in list(value[:MAX_EVIDENCE_ITEMS])]
    return str(value)[:MAX_EVIDENCE_TEXT]


def render_message(
    rule: Rule, outcome: Verdict, facts: Mapping[str, object], kind: str = ""
) -> str:
    messages, title = rule.messages_for(kind), rule.title_for(kind)
    template = messages.get(outcome.value) or messages.get("*")
    if not template:
        return _DEFAULT_MESSAGES[outcome].format(title=title)

    def field(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name == "title":
            return title
        values = items_of(parse_path(name).resolve(facts, 5))
        return ", ".join(_short_text(v) for v in values[:5]) if values else "(none)"

    text = _TEMPLATE_FIELD.sub(field, template)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "\u2026"


def _short_text(value: object) -> str:
    if isinstance(value, str):
        text = " ".join(value.split())
        return text if len(text) <= 80 else text[:79] + "\u2026"
    if isinstance(value, bool | int | float):
        return str(value)
    return f"({type(value).__name__})"
