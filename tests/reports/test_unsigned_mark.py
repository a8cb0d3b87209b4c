"""Scores resting on an unsigned model card say so in HTML and Markdown (the scorecard's
``unsigned_evidence``): a marker on those rule rows and a one-line explanation; nothing when no
outcome is marked. The last test produces such a BOM for real (a model signed with its README left
out, as in tests/verify/test_card_unsigned_score.py) and renders it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from aibom.render import render
from aibom.render.markdown import UNSIGNED_MARK, UNSIGNED_NOTE
from tests.reports.builders import document, model, scorecard

MARK = "evidence from an unsigned model card"
UNSIGNED = "model card (not covered by the model's signature)"


def _marked_scorecard() -> dict[str, Any]:
    card = scorecard("model:tiny", "tiny")
    card["subjects"][0]["outcomes"][0]["unsigned_evidence"] = UNSIGNED  # MC-001, not G7-004
    return card


def _doc() -> dict[str, Any]:
    return document(components=[model("tiny")])


def _rows(page: str) -> dict[str, str]:
    """Checklist rows of the HTML page by rule id (the first framework's table wins)."""
    found: dict[str, str] = {}
    for row in re.findall(r"<tr class=\"row-[a-z_]+\">.*?</tr>", page, re.DOTALL):
        rule = re.search(r"<span class=\"muted small\">([A-Z0-9-]+)", row)
        if rule:
            found.setdefault(rule.group(1), row)
    return found


def test_html_marks_the_rows_and_explains_once() -> None:
    page = render("html", _doc(), _marked_scorecard())
    rows = _rows(page)
    assert MARK in rows["MC-001"]
    assert f'title="{UNSIGNED.replace(chr(39), "&#39;")}"' in rows["MC-001"]
    assert MARK not in rows["G7-004"]
    assert page.count("rest on model-card text that the model's signature does not cover") == 1


def test_markdown_marks_the_rules_and_explains() -> None:
    out = render("markdown", _doc(), _marked_scorecard())
    assert UNSIGNED_NOTE in out
    marked = [line for line in out.splitlines() if UNSIGNED_MARK in line]
    assert len(marked) == 1
    assert marked[0].startswith("| tiny | `MC-001` The model card states intended uses | fail |")
    assert "G7-004" not in out


def test_nothing_is_marked_without_unsigned_evidence() -> None:
    card = scorecard("model:tiny", "tiny")
    page = render("html", _doc(), card)
    out = render("markdown", _doc(), card)
    assert MARK not in page and MARK not in out and UNSIGNED_NOTE not in out


def test_hostile_unsigned_evidence_is_escaped_and_bounded() -> None:
    card = _marked_scorecard()
    outcome = card["subjects"][0]["outcomes"][0]
    outcome["unsigned_evidence"] = '"><script>x</script>\x1b[2J' + "y" * 10_000
    many = [{**copy.deepcopy(outcome), "rule": f"R-{i}"} for i in range(200)]
    card["subjects"][0]["outcomes"] = many
    page = render("html", _doc(), card)
    out = render("markdown", _doc(), card)
    assert "<script>" not in page and "\x1b" not in page and "y" * 400 not in page
    assert "…and 150 more." in out
    odd = _marked_scorecard()
    odd["subjects"][0]["outcomes"][0]["unsigned_evidence"] = {"not": "text"}
    assert MARK in render("html", _doc(), odd)  # present is present, whatever its type


def test_a_real_unsigned_card_is_marked_in_both_reports(tmp_path: Path) -> None:
    import model_signing as ms

    from aibom.rules import load_rules
    from aibom.scan import ScanOptions, scan
    from aibom.score import evaluate_document
    from aibom.verify import VerifyOptions
    from tests.builders import write_model
    from tests.scoring.scoring_builders import RICH_CARD
    from tests.verify.vbuilders import write_keypair

    keys = write_keypair(tmp_path / "keys")
    folder = tmp_path / "m"
    write_model(folder, card=RICH_CARD)
    hashing = ms.hashing.Config()  # type: ignore[no-untyped-call]
    hashing.set_ignored_paths(paths=["README.md", "model.sig"])
    signing = ms.signing.Config()  # type: ignore[no-untyped-call]
    signing.use_elliptic_key_signer(private_key=keys.private_pem).set_hashing_config(hashing).sign(
        folder, folder / "model.sig"
    )
    options = ScanOptions(
        targets=(folder,), use_cache=False, verify=VerifyOptions(key=keys.public_pem)
    )
    doc = json.loads(scan(options).document)
    card = evaluate_document(doc, load_rules(), "procurement").to_json_dict()
    page = render("html", doc, card)
    out = render("markdown", doc, card)
    rows = _rows(page)
    assert MARK in rows["MC-001"]
    assert UNSIGNED_NOTE in out
    assert any(
        line.startswith("| ") and "`MC-001`" in line and UNSIGNED_MARK in line
        for line in out.splitlines()
    )
