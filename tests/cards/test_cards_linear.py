"""Card parsing is linear in the card (issue 13 item 5): the scanners that replaced backtracking
regexes give the regexes' results, hostile shapes parse to the right facts, and the two body ceilings
(``max_card_lines``, ``max_card_heading_chars``) cut with a LIMIT_REACHED finding.

Speed itself is measured in ``bench/hostile_cards.py`` (no timed assertions here); the big inputs
below would each take minutes to hours with the old regexes, so a regression shows as a hung test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from aibom import checks
from aibom.cards import parse_card
from aibom.cards.sections import (
    _BULLET,
    _drop_link_syntax,
    atx_heading,
    first_lines,
    parse_body,
    strip_links,
)
from aibom.limits import Limits

WriteFile = Callable[[str | bytes, str], Path]

# The regexes the scanners replaced, kept here as the reference for short inputs.
OLD_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
OLD_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
OLD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
OLD_LINK_SYNTAX = re.compile(r"[*_`]|\[|\]\([^)]*\)|\]")
OLD_BULLET = re.compile(r"^(?:>\s*)*(?:[-*+]|\d{1,3}[.)])\s+")

MARKDOWN_BITS = st.text(
    alphabet=st.sampled_from(list(" \t#a1.)]([*_`>-+\u3000\u00a0")), max_size=14
)


def old_atx(line: str) -> tuple[int, str] | None:
    match = OLD_ATX.match(line)
    if match is None:
        return None
    return len(match.group(1)), OLD_CLOSING_HASHES.sub("", match.group(2) or "").strip()


@given(MARKDOWN_BITS)
def test_scanners_match_the_regexes_they_replaced(line: str) -> None:
    assert atx_heading(line) == old_atx(line)
    assert strip_links(line) == OLD_LINK.sub(r"\1", line)
    assert _drop_link_syntax(line) == OLD_LINK_SYNTAX.sub("", line)
    stripped = line.strip()
    assert _BULLET.sub("", stripped) == OLD_BULLET.sub("", stripped)


def test_atx_heading_cases() -> None:
    assert atx_heading("## Uses ##") == (2, "Uses")
    assert atx_heading("   # Title #not-closing") == (1, "Title #not-closing")
    assert atx_heading("# a\t#") == (1, "a")
    assert atx_heading("### ###") == (3, "")
    assert atx_heading("#") == (1, "")
    assert atx_heading("    # indented code") is None
    assert atx_heading("####### seven") is None
    assert atx_heading("#hashtag") is None


def test_heading_then_a_long_run_of_blanks(write_file: WriteFile) -> None:
    # was 40-75 s for far fewer blanks: the lazy title retried the trailing [ \t]* at every blank
    card = "# x" + " " * 2_000_000 + "y\n## Limitations " + " \t" * 500_000 + "#\n\nText.\n"
    facts, _ = parse_card(write_file(card, "README.md"), "README.md", "model")
    assert facts.sections == {"limitations": "Text."}


def test_unclosed_links_and_emphasis_in_a_section(write_file: WriteFile) -> None:
    card = "## Limitations\n" + "[" * 1_000_000 + "\n" + "[a](" * 250_000 + "\n" + "*_" * 500_000
    facts, _ = parse_card(write_file(card, "README.md"), "README.md", "model")
    assert facts.sections["limitations"].startswith("[[[")


def test_deep_quote_prefix_line_is_content(write_file: WriteFile) -> None:
    card = "## Limitations\n" + "> " * 1_000_000 + "- [More Information Needed]\n"
    facts, _ = parse_card(write_file(card, "README.md"), "README.md", "model")
    assert facts.placeholders == ["Limitations"]


def test_long_heading_is_cut_and_still_matched(write_file: WriteFile) -> None:
    card = "## Limitations " + "](" * 500_000 + "\n\n[More Information Needed]\n"
    facts, findings = parse_card(write_file(card, "README.md"), "README.md", "model", Limits())
    (heading,) = facts.placeholders
    assert len(heading) == Limits().max_card_heading_chars and heading.endswith("…")
    assert heading.startswith("Limitations ](")
    placeholder = next(f for f in findings if f.check is checks.CARD_PLACEHOLDER)
    assert len(placeholder.message) < 1_000


def test_body_past_max_card_lines_is_cut_with_a_finding(write_file: WriteFile) -> None:
    card = "## Limitations\n\nKnown.\n" + "line\n" * 50 + "## Training data\n\nHidden.\n"
    path = write_file(card, "README.md")
    facts, findings = parse_card(path, "README.md", "model", Limits(max_card_lines=20))
    assert "limitations" in facts.sections and "training_data" not in facts.sections
    limit = [f for f in findings if f.check is checks.LIMIT_REACHED]
    assert len(limit) == 1 and "more than 20 lines" in limit[0].message
    whole, findings = parse_card(path, "README.md", "model")
    assert whole.sections["training_data"] == "Hidden."
    assert not [f for f in findings if f.check is checks.LIMIT_REACHED]


def test_first_lines_counts_every_line_break_kind() -> None:
    assert first_lines("a\r\nb\rc\nd", 3) == ("a\r\nb\rc", True)
    assert first_lines("a\nb", 3) == ("a\nb", False)


def test_many_sections_with_one_key_are_joined_in_order() -> None:
    body = parse_body("## Limitations\none\n" * 3 + "# Top\n" + "## Sub\n" * 5000)
    assert body.texts["limitations"] == "one\n\none\n\none"
    assert body.placeholders == ["Top", *["Sub"] * 5000]
