"""Text tests for rules: placeholder-aware "is this really filled in?" and bounded regular expressions.

Placeholders reuse the model-card parser's notion (``aibom.cards.sections``: "[More Information Needed]",
template leftovers such as ``{{ ... }}``, TODO/TBD, the Hugging Face template's boiler-plate sentences)
and add the one-word non-answers BOM generators write ("unknown", "none", "other", ...).

Regular expressions come from rule files, which may come from anyone (``--rules DIR``), and run on BOM
strings, which may come from anyone. Python's ``re`` backtracks, so ``(a+)+$`` on a long string never
finishes. They are compiled with RE2 (google-re2), which matches in linear time and rejects the
constructs that need backtracking (back-references, look-around), with a memory cap
(``Limits.max_pattern_memory``), on at most ``Limits.max_match_chars`` of input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2  # type: ignore[import-untyped]

from aibom.cards.sections import classify_body
from aibom.limits import Limits

NON_ANSWERS = frozenset(
    {
        "",
        "unknown",
        "none",
        "null",
        "nil",
        "other",
        "n/a",
        "na",
        "tba",
        "tbd",
        "todo",
        "not specified",
        "unspecified",
        "not available",
        "not provided",
        "not applicable",
        "coming soon",
        "to be added",
        "to be determined",
        "to be announced",
        "more info needed",
        "needs more information",
        "information needed",
        "placeholder",
        "lorem ipsum",
        "see above",
        "see below",
        "...",
        "-",
        "?",
    }
)
"""Whole-text answers that say nothing, compared case-insensitively without surrounding punctuation."""
_TRIM = " \t\r\n.:;,!?-_*'\"`[](){}<>"


@dataclass(frozen=True)
class Pattern:
    text: str
    _compiled: Any
    max_chars: int
    """Characters of a value searched (``Limits.max_match_chars``)."""

    def search(self, value: str) -> bool:
        return bool(self._compiled.search(value[: self.max_chars]))


def compile_pattern(text: str, limits: Limits) -> Pattern:
    """Compile with RE2; raises ``ValueError`` with RE2's reason on a bad or oversized pattern."""
    if len(text) > limits.max_pattern_chars:
        raise ValueError(f"pattern longer than {limits.max_pattern_chars} characters")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = limits.max_pattern_memory
    try:
        return Pattern(text, re2.compile(text, options), limits.max_match_chars)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else "invalid"
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise ValueError(f"invalid regular expression (RE2 syntax): {reason}") from None


def texts(value: object, limits: Limits) -> list[str]:
    """The strings in ``value``: itself, the items of a list, the string fields of a mapping (one
    level); at most ``max_rule_texts``."""
    out: list[str] = []
    _collect(value, out, 0, limits.max_rule_texts)
    return out[: limits.max_rule_texts]


def _collect(value: object, out: list[str], depth: int, most: int) -> None:
    if len(out) >= most or depth > 2:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, bool | int | float):
        out.append(str(value).lower() if isinstance(value, bool) else str(value))
    elif isinstance(value, Mapping):
        for item in list(value.values())[:most]:
            _collect(item, out, depth + 1, most)
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        for item in value[:most]:
            _collect(item, out, depth + 1, most)


def is_informative(text: str, limits: Limits, min_length: int = 3) -> bool:
    """True when ``text`` says something: not empty, not a template placeholder, not a non-answer,
    and at least ``min_length`` letters or digits once placeholders are removed (in the first
    ``max_match_chars``)."""
    has_content, kept = classify_body(text[: limits.max_match_chars])
    if not has_content:
        return False
    if kept.strip(_TRIM).casefold() in NON_ANSWERS:
        return False
    return sum(ch.isalnum() for ch in kept) >= min_length
