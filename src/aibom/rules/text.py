"""Text tests for rules: placeholder-aware "is this really filled in?" and bounded regular expressions.

Placeholders reuse the model-card parser's notion (``aibom.cards.sections``: "[More Information Needed]",
template leftovers such as ``{{ ... }}``, TODO/TBD, the Hugging Face template's boiler-plate sentences)
and add the one-word non-answers BOM generators write ("unknown", "none", "other", ...).

Regular expressions come from rule files, which may come from anyone (``--rules DIR``), and run on BOM
strings, which may come from anyone. Python's ``re`` backtracks, so ``(a+)+$`` on a long string never
finishes. They are compiled with RE2 (google-re2), which matches in linear time and rejects the
constructs that need backtracking (back-references, look-around), with a memory cap, on at most
``MAX_MATCH_CHARS`` of input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2  # type: ignore[import-untyped]

from aibom.cards.sections import classify_body

MAX_PATTERN_CHARS = 512
"""Longest regular expression a rule may use."""
MAX_MATCH_CHARS = 8192
"""Characters of a BOM string that a pattern or text test looks at (the rest is ignored)."""
RE2_MAX_MEM = 8 * 1024 * 1024
"""Memory RE2 may use for one compiled pattern."""
MAX_TEXTS = 1000
"""Strings gathered from one value for a text test."""

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

    def search(self, value: str) -> bool:
        return bool(self._compiled.search(value[:MAX_MATCH_CHARS]))


def compile_pattern(text: str) -> Pattern:
    """Compile with RE2; raises ``ValueError`` with RE2's reason on a bad or oversized pattern."""
    if len(text) > MAX_PATTERN_CHARS:
        raise ValueError(f"pattern longer than {MAX_PATTERN_CHARS} characters")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    try:
        return Pattern(text, re2.compile(text, options))
    except re2.error as exc:
        raw = exc.args[0] if exc.args else "invalid"
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise ValueError(f"invalid regular expression (RE2 syntax): {reason}") from None


def texts(value: object) -> list[str]:
    """The strings in ``value``: itself, the items of a list, the string fields of a mapping (one level)."""
    out: list[str] = []
    _collect(value, out, 0)
    return out[:MAX_TEXTS]


def _collect(value: object, out: list[str], depth: int) -> None:
    if len(out) >= MAX_TEXTS or depth > 2:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, bool | int | float):
        out.append(str(value).lower() if isinstance(value, bool) else str(value))
    elif isinstance(value, Mapping):
        for item in list(value.values())[:MAX_TEXTS]:
            _collect(item, out, depth + 1)
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        for item in value[:MAX_TEXTS]:
            _collect(item, out, depth + 1)


def is_informative(text: str, min_length: int = 3) -> bool:
    """True when ``text`` says something: not empty, not a template placeholder, not a non-answer,
    and at least ``min_length`` letters or digits once placeholders are removed."""
    has_content, kept = classify_body(text[:MAX_MATCH_CHARS])
    if not has_content:
        return False
    if kept.strip(_TRIM).casefold() in NON_ANSWERS:
        return False
    return sum(ch.isalnum() for ch in kept) >= min_length
