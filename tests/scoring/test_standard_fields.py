"""Scores that read the standard (issue 14, item 4): the rules read CycloneDX's own fields first and
aibom's ``aibom:*`` properties only as extra evidence, so a BOM from another generator scores for what
it documents.

Measured with ``aibom score BOM --format json`` (all packs, procurement profile; engineering in
brackets), before (main at af20af2) and after this change:

- the golden example, CycloneDX bom-examples "MLBOM/Model-Card-With-Dataset" (vendored in
  ``tests/data/cyclonedx/mlbom``): 25.2 (38.7) before, 29.3 (43.3) after;
- ``aibom scan`` of a minimal model (config.json with 9 BERT keys and a 64-parameter safetensors file,
  no README): 37.4 (43.5) before, 37.8 (43.5) after;
- a bare BOM (one machine-learning-model component named X): 1.0 (2.9) before and after.

On the documentation packs (model-card, eu-ai-act, fmti, g7-aibom) the golden example scores 47.5
against 20.4 for aibom's minimal BOM. Over all packs in the procurement profile it still scores below
it: the example records no licence, no hash, no signature and no scan, and the procurement profile
counts the missing safety evidence (SAFE-001..005, G7-011, NIS2-009: 18 units of weight) as failures.
That part of the issue's goal is not met, and there is no test for it here: closing it would mean
crediting evidence the example does not have (the closing note of issue 14 says so).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file

from aibom.bomdoc import read_bom
from aibom.limits import DEFAULT_LIMITS
from aibom.rules import load_rules
from aibom.rules.model import Verdict
from aibom.rules.spdx import recognise_licence
from aibom.scan import ScanOptions, scan
from aibom.score import score_document
from aibom.score.model import Scorecard, outcome_json
from aibom.score.selftest import run_rule_tests
from aibom.score.subjects import extract_subjects
from tests.scoring.scoring_builders import write_rule

DATA = Path(__file__).resolve().parents[1] / "data" / "cyclonedx"
GOLDEN = DATA / "mlbom" / "MLBOM__Model-Card-With-Dataset__bom.json"
PUBLISHED = sorted(
    p for p in DATA.rglob("*") if p.suffix in (".json", ".xml") and "modelCard" in p.read_text()
)
DOCUMENTATION_PACKS = ("model-card", "eu-ai-act", "fmti", "g7-aibom")
GOLDEN_BEFORE = 25.2
"""The golden example's overall (procurement) score before this change."""
BARE: dict[str, Any] = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "components": [{"type": "machine-learning-model", "name": "X"}],
}


def _score(doc: dict[str, Any], profile: str = "procurement", packs: Any = None) -> float:
    card = score_document(doc, packs=packs, profile=profile)
    assert card.score is not None
    return card.score


@pytest.fixture(scope="module")
def minimal_aibom_bom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What ``aibom scan`` writes for a minimal model: config.json and a small safetensors file (written
    with the real safetensors library), no README."""
    folder = tmp_path_factory.mktemp("minimal") / "tiny"
    folder.mkdir()
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": 4,
        "num_hidden_layers": 1,
        "num_attention_heads": 1,
        "intermediate_size": 8,
        "vocab_size": 16,
        "max_position_embeddings": 32,
        "torch_dtype": "float32",
    }
    (folder / "config.json").write_text(json.dumps(config))
    save_file(
        {"embeddings.weight": np.zeros((16, 4), dtype=np.float32)},
        str(folder / "model.safetensors"),
    )
    doc = json.loads(scan(ScanOptions(targets=(folder,), use_cache=False)).document)
    assert isinstance(doc, dict)
    return doc


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return read_bom(GOLDEN)


@pytest.fixture(scope="module")
def golden_card(golden: dict[str, Any]) -> Scorecard:
    return score_document(golden)


def test_the_published_examples_are_found() -> None:
    names = {p.name for p in PUBLISHED}
    assert GOLDEN.name in names
    assert len(PUBLISHED) >= 11  # spec 1.5-1.7 ML examples (JSON and XML) and the golden one


@pytest.mark.parametrize("profile", ["procurement", "engineering"])
@pytest.mark.parametrize("path", PUBLISHED, ids=[p.relative_to(DATA).as_posix() for p in PUBLISHED])
def test_every_published_ml_bom_scores_above_a_bare_one(path: Path, profile: str) -> None:
    assert _score(read_bom(path), profile) > _score(BARE, profile)


def test_the_golden_example_scores_better_than_before(golden: dict[str, Any]) -> None:
    assert _score(golden) > GOLDEN_BEFORE


@pytest.mark.parametrize("profile", ["procurement", "engineering"])
def test_golden_documents_no_less_than_aibom_minimal_bom(
    golden: dict[str, Any], minimal_aibom_bom: dict[str, Any], profile: str
) -> None:
    ours = _score(minimal_aibom_bom, profile, DOCUMENTATION_PACKS)
    assert _score(golden, profile, DOCUMENTATION_PACKS) >= ours


def test_a_bare_bom_scores_lowest_of_all(minimal_aibom_bom: dict[str, Any]) -> None:
    assert _score(BARE) < _score(minimal_aibom_bom)


# ---------------------------------------------------------------- which evidence satisfied a rule


def _outcome(card: Scorecard, rule_id: str, kind: str = "model") -> dict[str, Any]:
    subject = next(s for s in card.subjects if s.kind == kind)
    return outcome_json(next(r for r in subject.outcomes if r.rule.id == rule_id))


def test_passes_name_the_standard_field_that_satisfied_them(golden_card: Scorecard) -> None:
    assert _outcome(golden_card, "MC-001")["satisfied_by"] == ["modelCard.considerations.useCases"]
    assert _outcome(golden_card, "PROV-005")["satisfied_by"] == ["publisher"]
    assert _outcome(golden_card, "G7-013", "dataset")["satisfied_by"] == ["data[].classification"]
    datasets = _outcome(golden_card, "EUAI-009")["satisfied_by"]  # a for_each over @datasets
    assert datasets == ["@datasets[].data[].contents.url"]
    assert _outcome(golden_card, "MC-009")["satisfied_by"][0] == "modelCard.considerations.useCases"


def test_failures_carry_no_satisfied_by(golden_card: Scorecard) -> None:
    failed = _outcome(golden_card, "MC-010")
    assert failed["outcome"] == "fail" and "satisfied_by" not in failed
    assert failed["remediation"] and failed["evidence"]


def _model(**fields: Any) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "machine-learning-model", "name": "m", "bom-ref": "m", **fields}],
    }


def test_a_standard_field_is_preferred_to_an_aibom_property() -> None:
    both = _model(properties=[{"name": "aibom:model:library", "value": "transformers"}])
    both["components"].append({"type": "library", "name": "torch", "bom-ref": "t", "version": "2"})
    both["dependencies"] = [{"ref": "m", "dependsOn": ["t"]}]
    card = score_document(both, packs=["eu-ai-act"])
    assert _outcome(card, "EUAI-012")["satisfied_by"] == ["@dependencies[].type"]
    only_ours = _model(properties=[{"name": "aibom:model:library", "value": "transformers"}])
    card = score_document(only_ours, packs=["eu-ai-act"])
    assert _outcome(card, "EUAI-012")["satisfied_by"] == ["@props.aibom:model:library"]


# ---------------------------------------------------------------- licences by name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apache-2.0", "Apache-2.0"),
        ("apache-2.0", "Apache-2.0"),
        ("Apache License 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("Llama 3.2 Community License", "LicenseRef-Llama-3.2-Community-License"),
        ("llama3.1", "LicenseRef-Llama-3.1-Community-License"),
        ("Llama 2 Community License Agreement", "LicenseRef-Llama-2-Community-License"),
        ("Gemma Terms of Use", "LicenseRef-Gemma-Terms-of-Use"),
        ("creativeml-openrail-m", "LicenseRef-CreativeML-OpenRAIL-M"),
        ("OpenRAIL-M", "LicenseRef-OpenRAIL-M"),
        ("BigScience BLOOM RAIL 1.0", "LicenseRef-BigScience-BLOOM-RAIL-1.0"),
        ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"),
        ("LicenseRef-acme-eula", "LicenseRef-acme-eula"),
        ("other", None),
        ("NOASSERTION", None),
        ("Our Own Terms", None),
        ("", None),
    ],
)
def test_licence_names_are_recognised(text: str, expected: str | None) -> None:
    assert recognise_licence(text, DEFAULT_LIMITS) == expected


@pytest.mark.parametrize(
    "licence",
    [
        {"license": {"name": "Llama 3.2 Community License"}},
        {"license": {"name": "Apache License 2.0"}},
        {"license": {"id": "Apache-2.0"}},
        {"expression": "Apache-2.0 OR MIT"},
        {"license": {"name": "Our Own Terms", "url": "https://example.com/terms"}},
    ],
)
def test_a_named_licence_is_a_declared_licence(licence: dict[str, Any]) -> None:
    card = score_document(_model(licenses=[licence]))
    for rule_id in ("MC-010", "EUAI-006", "FMTI-008"):
        assert _outcome(card, rule_id)["outcome"] == "pass", rule_id


@pytest.mark.parametrize("name", ["other", "Our Own Terms"])
def test_an_unrecognised_name_without_a_link_is_not_a_licence(name: str) -> None:
    card = score_document(_model(licenses=[{"license": {"name": name}}]))
    assert _outcome(card, "MC-010")["outcome"] == "fail"


def test_an_open_licence_written_by_name_counts_as_open() -> None:
    doc = _model(
        licenses=[{"license": {"name": "Apache License 2.0"}}],
        hashes=[{"alg": "SHA-256", "content": "0" * 64}],
    )
    card = score_document(doc, packs=["openness"])
    assert _outcome(card, "MOF-010")["outcome"] == "pass"
    model = next(s for s in extract_subjects(doc) if s.kind == "model")
    assert model.facts["@license-ids"] == ["Apache-2.0"]
    assert model.facts["@licenses"] == ["Apache License 2.0"]


def test_a_community_licence_is_identified_but_not_open() -> None:
    doc = _model(
        licenses=[{"license": {"name": "Llama 3.2 Community License"}}],
        hashes=[{"alg": "SHA-256", "content": "0" * 64}],
    )
    card = score_document(doc, packs=["openness", "model-card"])
    assert _outcome(card, "MC-010")["outcome"] == "pass"
    assert _outcome(card, "MOF-010")["outcome"] == "fail"


# ---------------------------------------------------------------- datasets are datasets

_MODEL_WORD = re.compile(r"\bmodel('s|s)?\b", re.IGNORECASE)


def test_dataset_outcomes_speak_of_the_dataset(golden_card: Scorecard) -> None:
    datasets = [s for s in golden_card.subjects if s.kind == "dataset"]
    assert len(datasets) == 2
    for subject in datasets:
        for result in subject.outcomes:
            shown = outcome_json(result)
            for key in ("title", "message", "remediation"):
                text = str(shown[key])
                assert not _MODEL_WORD.search(text) or "dataset" in text, (
                    result.rule.id,
                    key,
                    text,
                )
    supplier = _outcome(golden_card, "NIS2-012", "dataset")
    assert supplier["title"] == "The dataset's supplier is identified"
    assert "dataset" in supplier["remediation"]


def test_the_same_rule_still_speaks_of_the_model_to_a_model(golden_card: Scorecard) -> None:
    assert _outcome(golden_card, "NIS2-012")["title"] == "The model's supplier is identified"


def test_the_text_report_words_dataset_remediation_for_datasets(golden_card: Scorecard) -> None:
    from aibom.score.text import render_table

    text = render_table(golden_card)
    assert "Record who supplied the dataset" in text


def test_selftest_flags_a_dataset_rule_that_calls_its_subject_a_model(tmp_path: Path) -> None:
    write_rule(
        tmp_path / "custom",
        "T-001",
        """
        id: T-001
        version: 1
        title: The model's source is recorded
        rationale: Buyers need to know where data comes from.
        frameworks: [{framework: G7 SBOM for AI, ref: Dataset Properties}]
        applies_to: {kinds: [dataset]}
        condition: {path: "data[].contents.url", informative: true, absent: false}
        severity: low
        enforcement: report
        remediation: Record where the data comes from.
        tests:
          - {name: ok, expect: pass, component: {type: data, name: d, data: [{contents: {url: "https://x.org/d"}}]}}
          - {name: missing, expect: fail, component: {type: data, name: d}}
        """,
    )
    rules = load_rules([tmp_path / "custom"], shipped=False)
    problems = [r.describe() for r in run_rule_tests(rules) if not r.ok]
    assert len(problems) == 1 and "calls a dataset a model" in problems[0]


# ---------------------------------------------------------------- rules about aibom's own work


def test_aibom_process_rules_do_not_apply_to_other_generators_boms(golden_card: Scorecard) -> None:
    for rule_id, kind in (("MC-013", "model"), ("SAFE-006", "bom")):
        assert _outcome(golden_card, rule_id, kind)["outcome"] == Verdict.NOT_APPLICABLE.value


def test_aibom_process_rules_still_judge_aibom_scans(minimal_aibom_bom: dict[str, Any]) -> None:
    card = score_document(minimal_aibom_bom, packs=["safety"])
    assert _outcome(card, "SAFE-006", "bom")["outcome"] == "pass"


# ---------------------------------------------------------------- aibom's own BOMs gain too

OUT_OF_SCOPE_CARD = """---
license: llama3.2
---

# M

## Uses

### Direct Use

Summarise support tickets.

### Out-of-Scope Use

Medical or legal advice.
"""


def test_aibom_bom_of_a_community_licensed_card_with_out_of_scope_uses(tmp_path: Path) -> None:
    """aibom writes a Hub card's "Out-of-Scope Use" into technicalLimitations (CycloneDX has no field
    for it) and its ``license: llama3.2`` as a licence name: both used to fail."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    save_file({"w": np.zeros((2, 2), dtype=np.float32)}, str(folder / "model.safetensors"))
    (folder / "README.md").write_text(OUT_OF_SCOPE_CARD)
    doc = json.loads(scan(ScanOptions(targets=(folder,), use_cache=False)).document)
    card = score_document(doc, packs=["eu-ai-act", "model-card"])
    assert _outcome(card, "EUAI-002")["satisfied_by"] == [
        "modelCard.considerations.technicalLimitations"
    ]
    licence = _outcome(card, "MC-010")
    assert licence["outcome"] == "pass"
    assert licence["message"] == "Licence: LicenseRef-Llama-3.2-Community-License"
