"""Scores written into the BOM keep it valid against the strict CycloneDX schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aibom.cli.catalog import is_documented
from aibom.rules import load_rules
from aibom.score import annotate, evaluate_document
from aibom.score.annotate import FAMILIES, PROPERTIES
from tests.builders import validate_bom
from tests.scoring.scoring_builders import RICH_CARD, scan_model, spec_model_card_bom

RULES = load_rules()


def _props(node: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in node.get("properties", []):
        out.setdefault(prop["name"], []).append(prop["value"])
    return out


def _documented(name: str) -> bool:
    return name in PROPERTIES or any(name.startswith(prefix) for prefix in FAMILIES)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan_model(tmp_path_factory.mktemp("m"), RICH_CARD)


def test_annotated_aibom_bom_is_valid_cyclonedx_16(scanned: dict[str, Any]) -> None:
    doc = copy.deepcopy(scanned)
    scorecard = evaluate_document(doc, RULES, "procurement")
    annotate(doc, scorecard)
    validated = validate_bom(json.dumps(doc), "1.6")
    meta = _props(validated["metadata"])
    assert meta["aibom:score:profile"] == ["procurement"]
    assert meta["aibom:score:rules-version"] == [RULES.version]
    assert meta["aibom:score:overall"] == [f"{scorecard.score:.1f}"]
    assert meta["aibom:score:grade"] == [scorecard.grade]
    assert "aibom:score:pack:model-card" in meta
    model = next(
        c
        for c in validated["components"]
        if c["type"] == "machine-learning-model" and c["bom-ref"].startswith("model:m")
    )
    props = _props(model)
    subject = next(s for s in scorecard.subjects if s.ref == model["bom-ref"])
    assert props["aibom:score:overall"] == [f"{subject.score:.1f}"]
    assert props["aibom:score:mof-class"] == [
        subject.mof.label if subject.mof and subject.mof.label else "Unclassified"
    ]
    assert props["aibom:score:annex-xi"][0].endswith(" of 11")
    assert "PROV-009" in props["aibom:score:failed"][0]
    assert all(is_documented(n) or _documented(n) for n in props)


def test_annotation_is_idempotent(scanned: dict[str, Any]) -> None:
    once = copy.deepcopy(scanned)
    annotate(once, evaluate_document(once, RULES, "procurement"))
    twice = copy.deepcopy(once)
    annotate(twice, evaluate_document(twice, RULES, "procurement"))
    assert twice == once


def test_annotated_17_document_stays_valid_and_names_suppliers() -> None:
    doc = spec_model_card_bom()
    original_components = len(doc["components"])
    annotate(doc, evaluate_document(doc, RULES, "engineering"))
    validated = validate_bom(json.dumps(doc), "1.7")
    assert len(validated["components"]) == original_components
    suppliers = _props(validated["metadata"])["aibom:score:supplier"]
    assert len(suppliers) == 1
    assert suppliers[0].endswith(" ACME AI")
    score_text = suppliers[0].split(" ")[0]
    assert float(score_text) >= 0


def test_annotate_creates_metadata_when_absent() -> None:
    doc: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"type": "library", "name": "x", "version": "1"}],
    }
    annotate(doc, evaluate_document(doc, RULES, "procurement"))
    validate_bom(json.dumps(doc), "1.6")
    assert _props(doc["metadata"])["aibom:score:profile"] == ["procurement"]
    assert "aibom:score:failed" in _props(doc["components"][0])


def test_every_written_property_is_documented() -> None:
    assert all(name.startswith("aibom:score:") for name in [*PROPERTIES, *FAMILIES])
    assert all(text.strip() for text in [*PROPERTIES.values(), *FAMILIES.values()])


def test_existing_properties_are_kept(tmp_path: Path) -> None:
    doc = spec_model_card_bom()
    doc["components"][0]["properties"] = [
        {"name": "other:keep", "value": "1"},
        {"name": "aibom:score:overall", "value": "stale"},
    ]
    annotate(doc, evaluate_document(doc, RULES, "procurement"))
    props = _props(doc["components"][0])
    assert props["other:keep"] == ["1"]
    assert props["aibom:score:overall"] != ["stale"]
    assert len(props["aibom:score:overall"]) == 1
