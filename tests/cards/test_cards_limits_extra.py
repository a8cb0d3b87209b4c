from __future__ import annotations

from pathlib import Path

from aibom.cards import parse_card
from aibom.checks import LIMIT_REACHED
from aibom.limits import Limits


def test_front_matter_over_the_limit_is_ignored_with_a_finding(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\ntags:\n" + "- x\n" * 400 + "---\n# card\n")
    facts, findings = parse_card(card, "README.md", "model", Limits(max_front_matter=1000))
    assert facts.license is None
    assert [f.check for f in findings if f.check is LIMIT_REACHED]
    assert any("over the 1000 limit" in f.message for f in findings)
    facts, _ = parse_card(card, "README.md", "model")
    assert facts.license == "MIT"
