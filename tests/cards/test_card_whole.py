"""Whole cards: every front-matter key of a model or dataset card is at its CycloneDX place, kept as an
``aibom:card:hf:<key>`` property, or listed as dropped, in a BOM made by scanning real folders."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from safetensors.numpy import save_file

from aibom.cards import parse_card
from aibom.cards.front_matter import load_bounded
from aibom.cards.whole import DATASET_PLACES, MODEL_PLACES
from aibom.cli.catalog import is_documented
from aibom.limits import Limits
from aibom.properties import FAMILY_CARD_HF, Prop
from aibom.scan import ScanOptions, scan
from tests.builders import hf_cache_repo, validate_bom

AIBOM = Path(sys.executable).parent / "aibom"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cards.md"

# The shape of a fine-tuned BERT card as the Hub's trainer writes it, with the gated-access, widget,
# inference and CO2 keys real cards carry (bert-base-uncased, Llama and Mistral cards).
MODEL_FRONT = """\
language:
- en
license: apache-2.0
library_name: transformers
tags:
- text-classification
- generated_from_trainer
datasets:
- stanfordnlp/imdb
metrics:
- accuracy
- f1
base_model: google-bert/bert-base-uncased
pipeline_tag: text-classification
model-index:
- name: bert-imdb
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: imdb
      type: stanfordnlp/imdb
      config: plain_text
      split: test
      args: plain_text
    metrics:
    - type: accuracy
      value: 0.9387
      name: Accuracy
      verified: false
    - type: f1
      value: 0.9391
      name: F1
    source:
      name: Self-reported
      url: https://example.org/eval
widget:
- text: I loved this movie!
  example_title: Positive
inference:
  parameters:
    temperature: 0.7
co2_eq_emissions:
  emissions: 149.2
  source: CodeCarbon
  training_type: fine-tuning
  geographical_location: Frankfurt, Germany
  hardware_used: 1 x A100-40GB
thumbnail: https://example.org/thumb.png
new_version: acme/bert-imdb-v2
extra_gated_prompt: You agree to not use the model to conduct experiments that cause harm.
extra_gated_fields:
  Company: text
  Country: country
  I agree to use this model for non-commercial use ONLY: checkbox
"""
MODEL_PLACED = {
    "language", "license", "library_name", "tags", "datasets", "base_model", "pipeline_tag",
    "co2_eq_emissions",
}  # fmt: skip
MODEL_PARTLY = ["model-index"]
MODEL_UNMAPPED = [
    "metrics", "widget", "inference", "thumbnail", "new_version", "extra_gated_prompt",
    "extra_gated_fields",
]  # fmt: skip

# The SQuAD dataset card's front matter (rajpurkar/squad), trimmed to one config.
DATASET_FRONT = """\
annotations_creators:
- crowdsourced
language_creators:
- crowdsourced
- found
language:
- en
license: cc-by-sa-4.0
multilinguality:
- monolingual
size_categories:
- 10K<n<100K
source_datasets:
- extended|wikipedia
task_categories:
- question-answering
task_ids:
- extractive-qa
paperswithcode_id: squad
pretty_name: SQuAD
dataset_info:
  config_name: plain_text
  features:
  - name: id
    dtype: string
  - name: answers
    sequence:
    - name: text
      dtype: string
    - name: answer_start
      dtype: int32
  splits:
  - name: train
    num_bytes: 79346108
    num_examples: 87599
  - name: validation
    num_bytes: 10472984
    num_examples: 10570
  download_size: 16278203
  dataset_size: 89819092
configs:
- config_name: plain_text
  data_files:
  - split: train
    path: plain_text/train-*
  - split: validation
    path: plain_text/validation-*
  default: true
train-eval-index:
- config: plain_text
  task: question-answering
  task_id: extractive_question_answering
  splits:
    train_split: train
    eval_split: validation
  col_mapping:
    question: question
    context: context
  metrics:
  - type: squad
    name: SQuAD
"""
DATASET_PLACED = {
    "annotations_creators", "language_creators", "language", "license", "multilinguality",
    "size_categories", "source_datasets", "task_categories", "task_ids", "pretty_name",
}  # fmt: skip
DATASET_PARTLY = ["dataset_info"]
DATASET_UNMAPPED = ["paperswithcode_id", "configs", "train-eval-index"]

BERT_CONFIG = {
    "architectures": ["BertForSequenceClassification"],
    "model_type": "bert",
    "hidden_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "vocab_size": 30522,
    "torch_dtype": "float32",
    "transformers_version": "4.46.0",
}


def _card(front: str, body: str) -> str:
    return f"---\n{front}---\n\n{body}"


def _model_folder(root: Path, front: str = MODEL_FRONT) -> Path:
    folder = root / "bert-imdb"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    save_file(
        {"classifier.weight": rng.standard_normal((2, 8)).astype(np.float32)},
        str(folder / "model.safetensors"),
        metadata={"format": "pt"},
    )
    (folder / "config.json").write_text(json.dumps(BERT_CONFIG))
    body = "# bert-imdb\n\n## Model description\n\nBERT fine-tuned on IMDB reviews.\n"
    (folder / "README.md").write_text(_card(front, body), encoding="utf-8")
    return folder


def _dataset_folder(root: Path, front: str = DATASET_FRONT) -> Path:
    folder = root / "squad"
    (folder / "plain_text").mkdir(parents=True)
    rows = "id,title,context,question,answers\n1,Normans,The Normans...,Who?,Normans\n"
    (folder / "plain_text" / "train-00000-of-00001.csv").write_text(rows)
    (folder / "plain_text" / "validation-00000-of-00001.csv").write_text(rows)
    body = (
        "# Dataset Card for SQuAD\n\n## Dataset Summary\n\nQuestions on Wikipedia articles.\n\n"
        "### Personal and Sensitive Information\n\nNone: the articles are public.\n"
    )
    (folder / "README.md").write_text(_card(front, body), encoding="utf-8")
    return folder


def _scan(*targets: Path, version: str = "1.6", **kw: Any) -> dict[str, Any]:
    result = scan(ScanOptions(targets=targets, spec_version=version, use_cache=False, **kw))
    return validate_bom(result.document, version)


def _component(doc: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    found = [c for c in doc["components"] if c["type"] == kind and c["name"] == name]
    assert len(found) == 1, [c["name"] for c in doc["components"]]
    comp: dict[str, Any] = found[0]
    return comp


def _props(comp: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in comp.get("properties", [])}


def _keys(value: str | None) -> list[str]:
    return value.split(", ") if value else []


# ---------------------------------------------------------------- realistic cards, scanned


def test_model_card_every_key_is_accounted_for(tmp_path: Path) -> None:
    doc = _scan(_model_folder(tmp_path))
    model = _component(doc, "machine-learning-model", "bert-imdb")
    props = _props(model)
    front = yaml.safe_load(MODEL_FRONT)
    assert set(front) == MODEL_PLACED | set(MODEL_PARTLY) | set(MODEL_UNMAPPED)
    assert _keys(props.get(Prop.CARD_UNMAPPED.value)) == MODEL_UNMAPPED
    assert _keys(props.get(Prop.CARD_PARTLY.value)) == MODEL_PARTLY
    assert Prop.CARD_DROPPED.value not in props
    assert Prop.CARD_TRUNCATED.value not in props
    # kept whole: the value parses back to what the card said
    for key in [*MODEL_UNMAPPED, *MODEL_PARTLY]:
        text = props[f"{FAMILY_CARD_HF}{key}"]
        assert (text if isinstance(front[key], str) else json.loads(text)) == front[key], key
    for key in MODEL_PLACED:
        assert f"{FAMILY_CARD_HF}{key}" not in props, key
    # at their CycloneDX places
    card = model["modelCard"]
    assert card["modelParameters"]["task"] == "text-classification"
    assert card["modelParameters"]["architectureFamily"] == "bert"
    assert card["modelParameters"]["modelArchitecture"] == "BertForSequenceClassification"
    (dataset_ref,) = card["modelParameters"]["datasets"]
    imdb = next(c for c in doc["components"] if c["bom-ref"] == dataset_ref["ref"])
    assert (imdb["group"], imdb["name"]) == ("stanfordnlp", "imdb")
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "accuracy", "value": "0.9387", "slice": "imdb [test]"},
        {"type": "f1", "value": "0.9391", "slice": "imdb [test]"},
    ]
    co2 = {p["name"]: p["value"] for p in card["considerations"]["environmentalConsiderations"]["properties"]}  # fmt: skip
    assert co2["aibom:model:co2:emissions"] == "149.2"
    assert co2["aibom:model:co2:hardware-used"] == "1 x A100-40GB"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert model["tags"] == [
        "generated_from_trainer",
        "text-classification",
    ]  # sorted by the library
    assert model["pedigree"]["ancestors"][0]["name"] == "bert-base-uncased"
    card_props = {p["name"]: p["value"] for p in card["properties"]}
    assert card_props[Prop.MODEL_LIBRARY.value] == "transformers"
    assert card_props[Prop.MODEL_LANGUAGES.value] == "en"


def test_dataset_card_every_key_is_accounted_for(tmp_path: Path) -> None:
    doc = _scan(_dataset_folder(tmp_path))
    data = _component(doc, "data", "squad")
    props = _props(data)
    front = yaml.safe_load(DATASET_FRONT)
    assert set(front) == DATASET_PLACED | set(DATASET_PARTLY) | set(DATASET_UNMAPPED)
    assert _keys(props.get(Prop.CARD_UNMAPPED.value)) == DATASET_UNMAPPED
    assert _keys(props.get(Prop.CARD_PARTLY.value)) == DATASET_PARTLY
    assert Prop.CARD_DROPPED.value not in props
    for key in [*DATASET_UNMAPPED, *DATASET_PARTLY]:
        text = props[f"{FAMILY_CARD_HF}{key}"]
        assert (text if isinstance(front[key], str) else json.loads(text)) == front[key], key
    for key in DATASET_PLACED:
        assert f"{FAMILY_CARD_HF}{key}" not in props, key
    assert data["tags"] == sorted(
        [
            "task_categories:question-answering",
            "task_ids:extractive-qa",
            "language:en",
            "multilinguality:monolingual",
            "size_categories:10K<n<100K",
            "annotations_creators:crowdsourced",
            "language_creators:crowdsourced",
            "language_creators:found",
            "source_datasets:extended|wikipedia",
        ]
    )
    assert data["licenses"] == [{"license": {"id": "CC-BY-SA-4.0"}}]
    assert data["pedigree"]["ancestors"] == [{"type": "data", "name": "wikipedia"}]
    (entry,) = data["data"]
    assert entry["description"].startswith("SQuAD\n\nQuestions on Wikipedia articles.")
    assert entry["sensitiveData"] == ["None: the articles are public."]
    contents = {p["name"]: p["value"] for p in entry["contents"]["properties"]}
    assert contents == {
        Prop.DATASET_SPLITS.value: "train: 87599 examples, 79346108 bytes; "
        "validation: 10570 examples, 10472984 bytes",
        Prop.DATASET_SIZE.value: "89819092",
        Prop.DATASET_DOWNLOAD_SIZE.value: "16278203",
    }


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_both_cards_valid_in_json_and_xml(tmp_path: Path, version: str) -> None:
    model, dataset = _model_folder(tmp_path), _dataset_folder(tmp_path)
    doc = _scan(model, dataset, version=version)  # validated against the JSON schema
    names = set(re.findall(r'"name": "(aibom:[^"]+)"', json.dumps(doc)))
    assert len(names) > 20
    assert [name for name in names if not is_documented(name)] == []
    result = scan(
        ScanOptions(
            targets=(model, dataset), spec_version=version, output_format="xml", use_cache=False
        )
    )  # write_xml validates against the XSD
    assert "aibom:card:unmapped-keys" in result.document
    assert "<tag>task_categories:question-answering</tag>" in result.document


def test_cli_scan_writes_the_accounting(tmp_path: Path) -> None:
    _model_folder(tmp_path)
    _dataset_folder(tmp_path)
    out = tmp_path / "bom.json"
    run = subprocess.run(
        [str(AIBOM), "scan", "bert-imdb", "squad", "-o", str(out), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    doc = validate_bom(out.read_text())
    assert _keys(_props(_component(doc, "data", "squad"))[Prop.CARD_UNMAPPED.value]) == (
        DATASET_UNMAPPED
    )
    model = _component(doc, "machine-learning-model", "bert-imdb")
    assert _keys(_props(model)[Prop.CARD_UNMAPPED.value]) == MODEL_UNMAPPED


# The Llama 3.2 card's shape: a non-SPDX licence with a relative link, and the gated-access keys.
LLAMA_FRONT = """\
language:
- en
- de
library_name: transformers
pipeline_tag: text-generation
tags:
- facebook
- meta
- llama
license: llama3.2
license_link: LICENSE
extra_gated_prompt: >-
  ### LLAMA 3.2 COMMUNITY LICENSE AGREEMENT

  Llama 3.2 Version Release Date: September 25, 2024
extra_gated_fields:
  First Name: text
  Date of birth: date_picker
  Country: country
  Job title:
    type: select
    options:
    - Student
    - Other
  geo: ip_location
  By clicking Submit below I accept the terms of the license: checkbox
extra_gated_description: The information you provide will be collected, stored, processed and shared.
extra_gated_button_content: Submit
extra_gated_eu_disallowed: true
"""


def test_gated_llama_card(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path, LLAMA_FRONT)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8}
    (folder / "config.json").write_text(json.dumps(config))
    model = _component(_scan(folder), "machine-learning-model", "bert-imdb")
    props = _props(model)
    gated = [
        "extra_gated_prompt", "extra_gated_fields", "extra_gated_description",
        "extra_gated_button_content", "extra_gated_eu_disallowed",
    ]  # fmt: skip
    assert _keys(props[Prop.CARD_UNMAPPED.value]) == gated
    assert Prop.CARD_PARTLY.value not in props
    front = yaml.safe_load(LLAMA_FRONT)
    assert json.loads(props[f"{FAMILY_CARD_HF}extra_gated_fields"]) == front["extra_gated_fields"]
    assert props[f"{FAMILY_CARD_HF}extra_gated_eu_disallowed"] == "true"
    assert props[f"{FAMILY_CARD_HF}extra_gated_prompt"] == front["extra_gated_prompt"]
    assert model["licenses"] == [{"license": {"name": "llama3.2"}}]
    assert props[Prop.MODEL_LICENSE_LINK.value] == "LICENSE"
    params = model["modelCard"]["modelParameters"]
    assert (params["task"], params["architectureFamily"]) == ("text-generation", "llama")
    assert model["tags"] == ["facebook", "llama", "meta"]


# ---------------------------------------------------------------- odd and hostile front matter


def _parse(tmp_path: Path, front: str, kind: str = "model", **limits: int) -> Any:
    path = tmp_path / "README.md"
    path.write_text(_card(front, "# x\n"), encoding="utf-8")
    facts, _ = parse_card(path, "README.md", kind, Limits(**limits))  # type: ignore[arg-type]
    return facts


def test_wrong_types_are_kept_not_lost(tmp_path: Path) -> None:
    front = (
        "pipeline_tag: {a: 1}\nlicense: [mit, apache-2.0]\ntags: [ok, {x: 1}]\n"
        "language: []\nlibrary_name: 7\nbase_model: [[nested]]\n"
    )
    facts = _parse(tmp_path, front)
    assert facts.keys.unmapped == ["pipeline_tag", "language", "base_model"]
    assert facts.keys.partly == ["license", "tags"]
    kept = dict(facts.keys.kept)
    assert json.loads(kept["pipeline_tag"]) == {"a": 1}
    assert json.loads(kept["license"]) == ["mit", "apache-2.0"]
    assert json.loads(kept["base_model"]) == [["nested"]]
    assert "library_name" not in kept  # a number is usable text


def test_dataset_licence_name_beside_an_spdx_id_is_kept(tmp_path: Path) -> None:
    front = "license: mit\nlicense_name: My Licence\nlicense_link: LICENSE.md\ndatasets: [a/b]\n"
    facts = _parse(tmp_path, front, "dataset")
    assert facts.keys.unmapped == ["license_name", "license_link", "datasets"]


def test_long_value_is_cut_and_noted(tmp_path: Path) -> None:
    facts = _parse(tmp_path, f"widget: [{{text: {'x' * 5000}}}]\n", max_card_property_chars=100)
    ((key, text),) = facts.keys.kept
    assert key == "widget" and len(text) == 100 and text.endswith("…")
    assert facts.keys.truncated == ["widget"]


def test_too_many_keys_are_dropped_with_the_reason(tmp_path: Path) -> None:
    front = "".join(f"k{i}: {i}\n" for i in range(12))
    facts = _parse(tmp_path, front, max_card_properties=10)
    assert [k for k, _ in facts.keys.kept] == [f"k{i}" for i in range(10)]
    assert facts.keys.dropped == ["k10: not kept, over the 10-key limit", "k11: not kept, over the 10-key limit"]  # fmt: skip


def test_escape_characters_in_keys_and_values(
    tmp_path: Path,
) -> None:
    front = '"evil\\e[2Jkey": 1\nnote: "clear\\e[2J screen\\u202e"\nok_list: ["\\e[31m"]\n'
    facts = _parse(tmp_path, front)
    kept = dict(facts.keys.kept)
    assert kept["note"] == "clear\\x1b[2J screen\\u202e"
    assert kept["ok_list"] == '["\\u001b[31m"]'
    assert json.loads(kept["ok_list"]) == ["\x1b[31m"]  # lossless
    (dropped,) = facts.keys.dropped
    assert dropped.startswith("evil\\x1b[2Jkey: not kept") and "\x1b" not in dropped


def test_escape_characters_reach_a_valid_bom_as_escapes(tmp_path: Path) -> None:
    front = MODEL_FRONT + 'note: "bell\\a and esc\\e[0m"\n"bad\\ekey": 2\n'
    doc = _scan(_model_folder(tmp_path, front), version="1.7")
    props = _props(_component(doc, "machine-learning-model", "bert-imdb"))
    assert props[f"{FAMILY_CARD_HF}note"] == "bell\\x07 and esc\\x1b[0m"
    assert props[Prop.CARD_DROPPED.value].startswith("bad\\x1bkey: not kept")
    assert "\x1b" not in json.dumps(doc, ensure_ascii=False)


def test_alias_bomb_is_refused_and_said_so(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"  # fmt: skip
    facts = _parse(tmp_path, bomb)
    assert facts.front_matter_refused and facts.keys.kept == []
    assert any("through aliases" in p for p in facts.problems)
    doc = _scan(_model_folder(tmp_path / "m", bomb))
    props = _props(_component(doc, "machine-learning-model", "bert-imdb"))
    assert props[Prop.CARD_DROPPED.value].startswith("(front matter): not read")


def test_small_alias_use_is_expanded_and_bounded(tmp_path: Path) -> None:
    front = "base: &b {k: v}\nwidget: [*b, *b]\n"
    facts = _parse(tmp_path, front)
    assert json.loads(dict(facts.keys.kept)["widget"]) == [{"k": "v"}, {"k": "v"}]


def test_deep_yaml_is_refused(tmp_path: Path) -> None:
    front = "widget: " + "[" * 200 + "]" * 200 + "\n"
    facts = _parse(tmp_path, front)
    assert facts.front_matter_refused
    assert any("nests deeper" in p for p in facts.problems)


def test_huge_front_matter_is_refused(tmp_path: Path) -> None:
    front = "".join(f"key{i}: {'v' * 50}\n" for i in range(30000))  # ~1.7 MB
    facts = _parse(tmp_path, front)
    assert facts.front_matter_refused and facts.keys.kept == []


def test_many_keys_stay_bounded_in_the_bom(tmp_path: Path) -> None:
    front = MODEL_FRONT + "".join(f"extra_{i}: {i}\n" for i in range(300))
    doc = _scan(_model_folder(tmp_path, front))
    props = _props(_component(doc, "machine-learning-model", "bert-imdb"))
    hf = [n for n in props if n.startswith(FAMILY_CARD_HF)]
    assert len(hf) == Limits().max_card_properties
    assert props[Prop.CARD_DROPPED.value].count("over the 200-key limit") == 300 - (200 - 8)


def test_dataset_info_per_config(tmp_path: Path) -> None:
    front = (
        "dataset_info:\n"
        "- config_name: cola\n  splits: [{name: train, num_examples: 8551}]\n  dataset_size: 10\n"
        "- config_name: sst2\n  splits: [{name: train, num_examples: 67349, num_bytes: 5}]\n"
        "  dataset_size: 32\n  download_size: true\n"
        "- just text\n"
    )
    facts = _parse(tmp_path, front, "dataset")
    assert facts.dataset_size.splits == ("cola/train: 8551 examples", "sst2/train: 67349 examples, 5 bytes")  # fmt: skip
    assert (facts.dataset_size.dataset_bytes, facts.dataset_size.download_bytes) == (42, None)
    assert facts.keys.partly == ["dataset_info"]
    assert any("not mappings" in p for p in facts.problems)


def test_source_datasets_without_ancestors(tmp_path: Path) -> None:
    front = DATASET_FRONT.replace("- extended|wikipedia", "- original\n- extended|other-web\n- acme/corpus\n- a/..")  # fmt: skip
    doc = _scan(_dataset_folder(tmp_path, front))
    data = _component(doc, "data", "squad")
    ancestor, odd = data["pedigree"]["ancestors"]
    assert odd == {"type": "data", "name": "a/.."}  # no Hub link
    assert (ancestor["group"], ancestor["name"]) == ("acme", "corpus")
    assert ancestor["externalReferences"][0]["url"] == "https://huggingface.co/datasets/acme/corpus"
    assert "source_datasets:original" in data["tags"]


# ---------------------------------------------------------------- the documented mapping


def test_docs_list_every_placed_key() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for key in {*MODEL_PLACES, *DATASET_PLACES}:
        assert f"| `{key}` |" in text, key
    assert FAMILY_CARD_HF in text


def test_key_with_spaces_is_kept(tmp_path: Path) -> None:
    facts = _parse(tmp_path, '"my key": value\n"": blank\n')
    assert facts.keys.kept == [("my key", "value")]
    assert facts.keys.dropped == [": not kept, the key is blank"]


NASTY = [
    "task_categories: {a: 1}\nsize_categories: [[1]]\nsource_datasets: 5\nlanguage: [null, '']\n",
    "tags: ['\\e[2J', '\\u202eevil', '']\nlicense: {x: y}\nlicense_link: 'javascript:alert(1)'\n",
    "dataset_info: {splits: [{name: {x: 1}, num_examples: -3}, 7], dataset_size: 1.5}\n",
    "source_datasets: ['extended|', 'extended|\\e', 'a/b/c', '../..']\npretty_name: [x]\n",
    "'1': 2\ntrue: 3\nnull: 4\n2020-01-01: 5\n",
    "widget: !!binary aGVsbG8=\nwhen: 2024-05-01\nnan: .nan\n",
]


@pytest.mark.parametrize("front", NASTY)
def test_nasty_front_matter_gives_valid_boms(tmp_path: Path, front: str) -> None:
    # ``configs:`` makes the folder a dataset (aibom.inventory looks for dataset-card keys)
    fronts = {"machine-learning-model": front, "data": front + "configs: []\n"}
    model, dataset = (
        _model_folder(tmp_path, fronts["machine-learning-model"]),
        _dataset_folder(tmp_path, fronts["data"]),
    )
    doc = _scan(model, dataset, version="1.7")
    for kind, name, places in (
        ("machine-learning-model", "bert-imdb", MODEL_PLACES),
        ("data", "squad", DATASET_PLACES),
    ):
        props = _props(_component(doc, kind, name))
        listed = {
            *_keys(props.get(Prop.CARD_UNMAPPED.value)),
            *_keys(props.get(Prop.CARD_PARTLY.value)),
        }
        meta = load_bounded(fronts[kind], 1000, 64).value
        assert isinstance(meta, dict)
        for key in meta:  # every key, as text
            assert key in listed or key in places or key in props.get(Prop.CARD_DROPPED.value, "")
            if key not in places:
                assert f"{FAMILY_CARD_HF}{key}" in props, key
    assert "\x1b" not in json.dumps(doc, ensure_ascii=False)
    scan(
        ScanOptions(
            targets=(model, dataset), spec_version="1.7", output_format="xml", use_cache=False
        )
    )


def test_dataset_card_in_a_hub_cache(tmp_path: Path) -> None:
    files = {
        "README.md": _card(DATASET_FRONT, "# SQuAD\n").encode(),
        "plain_text/train-00000-of-00001.csv": b"id,question\n1,Who?\n",
    }
    hf_cache_repo(tmp_path / "hub", "rajpurkar/squad", "d" * 40, files, repo_type="dataset")
    doc = _scan(tmp_path / "hub")
    data = _component(doc, "data", "squad")
    assert data["group"] == "rajpurkar"
    assert "task_categories:question-answering" in data["tags"]
    assert _keys(_props(data)[Prop.CARD_UNMAPPED.value]) == DATASET_UNMAPPED
