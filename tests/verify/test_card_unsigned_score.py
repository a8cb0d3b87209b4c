"""Scores that rest on unsigned card data say so (issue 13, item 1).

A model signed with its README left out (model-signing's ignore list) verifies, but what its card says
is the vendor's unverified word: every card-reading rule outcome of that model carries
``unsigned_evidence`` in the scorecard. Signed with the card, or not signed at all, no outcome does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import model_signing as ms

from aibom.rules import load_rules
from aibom.scan import ScanOptions, scan
from aibom.score import evaluate_document
from aibom.verify import VerifyOptions
from tests.scoring.scoring_builders import RICH_CARD
from tests.verify.vbuilders import KeyPair, key_sign

RULES = load_rules()


def _signed_model(folder: Path, keys: KeyPair, *, ignore_card: bool) -> Path:
    from tests.builders import write_model

    write_model(folder, card=RICH_CARD)
    if not ignore_card:
        key_sign(folder, keys)
        return folder
    hashing = ms.hashing.Config()  # type: ignore[no-untyped-call]
    hashing.set_ignored_paths(paths=["README.md", "model.sig"])
    signing = ms.signing.Config()  # type: ignore[no-untyped-call]
    signing.use_elliptic_key_signer(private_key=keys.private_pem).set_hashing_config(hashing).sign(
        folder, folder / "model.sig"
    )
    return folder


def _model_outcomes(folder: Path, keys: KeyPair) -> list[dict[str, Any]]:
    options = ScanOptions(
        targets=(folder,), use_cache=False, verify=VerifyOptions(key=keys.public_pem)
    )
    doc = json.loads(scan(options).document)
    card = evaluate_document(doc, RULES, "procurement").to_json_dict()
    subjects: list[dict[str, Any]] = card["subjects"]  # type: ignore[assignment]
    (model,) = [s for s in subjects if s["kind"] == "model"]
    outcomes: list[dict[str, Any]] = model["outcomes"]
    return outcomes


def test_outcomes_on_an_unsigned_card_are_marked(tmp_path: Path, keys: KeyPair) -> None:
    outcomes = _model_outcomes(_signed_model(tmp_path / "m", keys, ignore_card=True), keys)
    marked = {o["rule"] for o in outcomes if "unsigned_evidence" in o}
    assert "MC-001" in marked  # intended uses come from the card
    card_rules = {
        o["rule"]
        for o in outcomes
        if o["outcome"] != "not_applicable"
        and any(e["path"].startswith("modelCard") for e in o["evidence"])
    }
    assert card_rules and card_rules <= marked
    unmarked = {o["rule"] for o in outcomes} - marked
    assert unmarked  # rules on hashes, formats or signatures are not card data


def test_a_signed_card_marks_nothing(tmp_path: Path, keys: KeyPair) -> None:
    outcomes = _model_outcomes(_signed_model(tmp_path / "m", keys, ignore_card=False), keys)
    assert outcomes
    assert not [o["rule"] for o in outcomes if "unsigned_evidence" in o]
