"""model_card / dataset_data: content, and strict CycloneDX 1.6 + 1.7 validity inside a BOM."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from huggingface_hub import ModelCard, ModelCardData
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.bom.modelcard import (
    MAX_TEXT,
    WeightsSummary,
    clean_text,
    dataset_data,
    model_card,
    safe_url,
)
from aibom.cards import CardFacts, ConfigFacts, EvalResult, parse_card
from aibom.properties import Prop

WriteFile = Callable[[str | bytes, str], Path]
SchemaErrors = Callable[[dict[str, object] | None, list[dict[str, object]] | None], list[str]]

DATA_REF = "data-1"  # the data component in conftest's BOM


def _rich_card() -> CardFacts:
    return CardFacts(
        kind="model",
        display="acme/README.md",
        has_front_matter=True,
        license="Apache-2.0",
        pipeline_tag="text-generation",
        languages=["en", "fr"],
        library_name="transformers",
        tags=["llama", "chat"],
        base_model_relation="finetune",
        eval_results=[
            EvalResult(
                "text-generation",
                None,
                "openai/gsm8k",
                "GSM8K",
                "test",
                "accuracy",
                "Accuracy",
                "0.512",
                False,
            ),
            EvalResult(None, None, "mmlu", None, None, "acc", None, "61.0", None),
            EvalResult(None, None, None, None, None, "f1", None, "0.8", None),
        ],
        sections={
            "intended_uses": "Customer-support chat.",
            "downstream_use": "Fine-tuning for other domains.",
            "out_of_scope_use": "Medical advice.",
            "limitations": "Hallucinates product names.",
            "bias_risks": "English-centric training data.",
            "recommendations": "Keep a human in the loop.",
        },
        co2={"emissions": "149.2", "source": "CodeCarbon", "hardware_used": "8 x A100"},
    )


def _rich_config() -> ConfigFacts:
    return ConfigFacts(
        architectures=["LlamaForCausalLM"],
        model_type="llama",
        torch_dtype="bfloat16",
        quantization="gptq 4-bit",
        hyperparameters={"vocab_size": "128256", "hidden_size": "2048"},
        transformers_version="4.45.0",
        auto_map=True,
    )


WEIGHTS = WeightsSummary(formats=("safetensors",), parameter_count=1_235_814_400,
                         dtypes=("BF16", "F32"))  # fmt: skip


def test_rich_model_card(schema_errors: SchemaErrors) -> None:
    fragment = model_card(_rich_card(), _rich_config(), WEIGHTS, [DATA_REF, DATA_REF, ""])
    assert fragment["modelParameters"] == {
        "task": "text-generation",
        "architectureFamily": "llama",
        "modelArchitecture": "LlamaForCausalLM",
        "datasets": [{"ref": DATA_REF}],
        "inputs": [{"format": "text"}],
        "outputs": [{"format": "text"}],
    }
    assert fragment["quantitativeAnalysis"] == {
        "performanceMetrics": [
            {"type": "accuracy", "value": "0.512", "slice": "GSM8K [test]"},
            {"type": "acc", "value": "61.0", "slice": "mmlu"},
            {"type": "f1", "value": "0.8"},
        ]
    }
    assert fragment["considerations"] == {
        "useCases": ["Customer-support chat.", "Downstream use: Fine-tuning for other domains."],
        "technicalLimitations": ["Hallucinates product names.", "Out of scope: Medical advice."],
        "ethicalConsiderations": [
            {
                "name": "English-centric training data.",
                "mitigationStrategy": "Keep a human in the loop.",
            }
        ],
        "environmentalConsiderations": {
            "properties": [
                {"name": "aibom:model:co2:emissions", "value": "149.2"},
                {"name": "aibom:model:co2:source", "value": "CodeCarbon"},
                {"name": "aibom:model:co2:hardware-used", "value": "8 x A100"},
            ]
        },
    }
    assert fragment["properties"] == [
        {"name": Prop.MODEL_FORMATS.value, "value": "safetensors"},
        {"name": Prop.MODEL_PARAMETERS.value, "value": "1235814400"},
        {"name": Prop.MODEL_DTYPES.value, "value": "BF16, F32"},
        {"name": "aibom:model:config-dtype", "value": "bfloat16"},
        {"name": "aibom:model:quantization", "value": "gptq 4-bit"},
        {"name": "aibom:model:transformers-version", "value": "4.45.0"},
        {"name": "aibom:model:custom-code", "value": "true"},
        {"name": Prop.MODEL_LIBRARY.value, "value": "transformers"},
        {"name": Prop.MODEL_LANGUAGES.value, "value": "en, fr"},
        {"name": Prop.MODEL_TAGS.value, "value": "llama, chat"},
        {"name": "aibom:model:base-model-relation", "value": "finetune"},
        {"name": "aibom:model:hyperparameter:hidden_size", "value": "2048"},
        {"name": "aibom:model:hyperparameter:vocab_size", "value": "128256"},
    ]
    assert schema_errors(fragment, dataset_data("acme/support", None, None)) == []


def test_key_order_and_output_are_deterministic() -> None:
    first = model_card(_rich_card(), _rich_config(), WEIGHTS, [DATA_REF])
    second = model_card(_rich_card(), _rich_config(), WEIGHTS, [DATA_REF])
    assert json.dumps(first) == json.dumps(second)
    assert list(first) == [
        "modelParameters",
        "quantitativeAnalysis",
        "considerations",
        "properties",
    ]


def test_nothing_known_gives_empty_valid_model_card(schema_errors: SchemaErrors) -> None:
    fragment = model_card(None, None, WeightsSummary(), [])
    assert fragment == {}
    assert schema_errors(fragment, None) == []


def test_config_only_and_card_tag_family(schema_errors: SchemaErrors) -> None:
    from_config = model_card(None, _rich_config(), WeightsSummary(), [])
    assert from_config["modelParameters"] == {
        "architectureFamily": "llama",
        "modelArchitecture": "LlamaForCausalLM",
    }
    card = CardFacts(kind="model", display="R", tags=["chat", "Mistral"], pipeline_tag="x-unknown")
    from_tags = model_card(card, None, WeightsSummary(), [])
    assert from_tags["modelParameters"] == {"task": "x-unknown", "architectureFamily": "Mistral"}
    assert schema_errors(from_config, None) == []
    assert schema_errors(from_tags, None) == []


@pytest.mark.parametrize(
    ("task", "inputs", "outputs"),
    [
        ("image-classification", ["image"], ["text"]),
        ("automatic-speech-recognition", ["audio"], ["text"]),
        ("text-to-image", ["text"], ["image"]),
        ("visual-question-answering", ["image", "text"], ["text"]),
        ("feature-extraction", ["text"], ["embedding"]),
    ],
)
def test_task_io_table(task: str, inputs: list[str], outputs: list[str]) -> None:
    fragment = model_card(CardFacts("model", "R", pipeline_tag=task), None, WeightsSummary(), [])
    params = fragment["modelParameters"]
    assert isinstance(params, dict)
    assert params["inputs"] == [{"format": f} for f in inputs]
    assert params["outputs"] == [{"format": f} for f in outputs]


def test_placeholder_card_adds_no_considerations(
    write_file: WriteFile, schema_errors: SchemaErrors, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL):
        text = str(ModelCard.from_template(ModelCardData(license="mit", pipeline_tag="fill-mask")))
    card, _ = parse_card(write_file(text, "README.md"), "README.md", "model")
    fragment = model_card(card, None, WeightsSummary(), [])
    assert "considerations" not in fragment
    assert "More Information Needed" not in json.dumps(fragment)
    assert schema_errors(fragment, None) == []


def test_weird_text_is_cleaned_and_valid(schema_errors: SchemaErrors) -> None:
    weird = (
        "<script>alert('x')</script> \x00\x07 zero\u200bwidth \u202eRTL\u202c "
        'emoji 🤗🦙 CJK 模型 \ud7ff tab\tnew\nline\r\n ]]> & "quotes" \\ backslash'
    )
    card = CardFacts(
        kind="model",
        display="R",
        pipeline_tag="text-generation",
        sections={"intended_uses": weird, "bias_risks": "\x1b[31m"},
        eval_results=[EvalResult(None, None, "<d>", None, "t\x01", "m\x02", None, "1 ± 0.2", None)],
        co2={"emissions": "\x00"},
        languages=["\x00", "en"],
    )
    fragment = model_card(card, None, WeightsSummary(), [])
    text = json.dumps(fragment, ensure_ascii=False)
    assert "\x00" not in text
    assert "\x07" not in text
    assert "\x1b" not in text
    considerations = fragment["considerations"]
    assert isinstance(considerations, dict)
    assert considerations["useCases"] == [clean_text(weird)]
    assert "<script>" in considerations["useCases"][0]
    assert "ethicalConsiderations" in considerations  # "[31m" survives the escape char
    assert "environmentalConsiderations" not in considerations
    assert schema_errors(fragment, None) == []


def test_long_text_is_truncated(schema_errors: SchemaErrors) -> None:
    long = "word " * 3000
    card = CardFacts(kind="model", display="R", sections={"limitations": long})
    fragment = model_card(card, None, WeightsSummary(), [])
    considerations = fragment["considerations"]
    assert isinstance(considerations, dict)
    (limit,) = considerations["technicalLimitations"]
    assert len(limit) <= MAX_TEXT
    assert limit.endswith("\u2026")
    assert limit.startswith("word word")
    assert schema_errors(fragment, None) == []


def test_dataset_data_with_card(schema_errors: SchemaErrors) -> None:
    card = CardFacts(
        kind="dataset",
        display="R",
        pretty_name="ACME Support Conversations",
        sections={"dataset_summary": "Forty thousand anonymised chats."},
    )
    data = dataset_data(
        "acme/support-chats",
        card,
        "https://huggingface.co/datasets/acme/support-chats",
        [("aibom:dataset:file-count", "3"), ("aibom:x", ""), ("", "dropped")],
    )
    assert data == [
        {
            "type": "dataset",
            "name": "acme/support-chats",
            "contents": {
                "url": "https://huggingface.co/datasets/acme/support-chats",
                "properties": [
                    {"name": "aibom:dataset:file-count", "value": "3"},
                    {"name": "aibom:x"},
                ],
            },
            "description": "ACME Support Conversations\n\nForty thousand anonymised chats.",
            "governance": {"owners": [{"organization": {"name": "acme"}}]},
        }
    ]
    assert schema_errors(None, data) == []


def test_dataset_data_minimal_and_odd_url(schema_errors: SchemaErrors) -> None:
    assert dataset_data("squad", None, None) == [{"type": "dataset", "name": "squad"}]
    data = dataset_data("my data", None, "https://example.org/a b/ü?q=<x>")
    assert data == [
        {
            "type": "dataset",
            "name": "my data",
            "contents": {"url": "https://example.org/a%20b/%C3%BC?q=%3Cx%3E"},
        }
    ]
    assert schema_errors(None, data) == []
    assert schema_errors(None, dataset_data("", None, "  ")) == []


def test_model_card_and_data_together_from_parsed_cards(
    write_file: WriteFile, schema_errors: SchemaErrors
) -> None:
    model_text = (
        "---\nlicense: mit\npipeline_tag: image-classification\nco2_eq_emissions: 3.5\n"
        "model-index:\n- name: v\n  results:\n  - task: {type: image-classification}\n"
        "    dataset: {name: ImageNet, type: imagenet-1k, split: validation}\n"
        "    metrics: [{type: top1, value: {mean: 81.2}}]\n---\n"
        "## Intended uses & limitations\n\nClassify photos.\n"
    )
    card, _ = parse_card(write_file(model_text, "m/README.md"), "m/README.md", "model")
    dataset_card, _ = parse_card(
        write_file("---\npretty_name: ImageNet\n---\n", "d/README.md"), "d/README.md", "dataset"
    )
    fragment = model_card(card, None, WeightsSummary(formats=("onnx",)), [DATA_REF])
    quantitative = fragment["quantitativeAnalysis"]
    assert quantitative == {
        "performanceMetrics": [
            {"type": "top1", "value": '{"mean": 81.2}', "slice": "ImageNet [validation]"}
        ]
    }
    data = dataset_data("imagenet-1k", dataset_card, "https://huggingface.co/datasets/imagenet-1k")
    assert data[0]["description"] == "ImageNet"
    assert schema_errors(fragment, data) == []


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sections=st.dictionaries(
        st.sampled_from(["intended_uses", "limitations", "bias_risks", "recommendations",
                         "downstream_use", "out_of_scope_use"]),
        _TEXT,
    ),
    tagged=st.tuples(st.lists(_TEXT, max_size=3), _TEXT),
    metric=st.tuples(_TEXT, _TEXT, st.one_of(st.none(), _TEXT)),
    named=st.tuples(
        _TEXT, st.one_of(st.none(), _TEXT, _TEXT.map(lambda t: f"https://example.org/{t}"))
    ),
)  # fmt: skip
def test_fuzz_fragments_always_validate(
    schema_errors: SchemaErrors,
    sections: dict[str, str],
    tagged: tuple[list[str], str],
    metric: tuple[str, str, str | None],
    named: tuple[str, str | None],
) -> None:
    tags, task = tagged
    name, url = named
    metric_type, value, dataset = metric
    card = CardFacts(
        kind="model",
        display="R",
        pipeline_tag=task,
        tags=tags,
        sections=sections,
        eval_results=[EvalResult(None, None, None, dataset, None, metric_type, None, value, None)],
    )
    fragment = model_card(card, None, WeightsSummary(), [DATA_REF])
    data = dataset_data(name, card, url, [(name, task)])
    assert schema_errors(fragment, data) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://huggingface.co/datasets/acme/x", "https://huggingface.co/datasets/acme/x"),
        ("https://a/%zz#f#g", "https://a/%25zz#f%23g"),
        ("http://example.org/a b", "http://example.org/a%20b"),
        ("file:///tmp/a", None),
        (":", None),
        ("relative/path", None),
        ("http://host:port/", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None, schema_errors: SchemaErrors) -> None:
    assert safe_url(url) == expected
    assert schema_errors(None, dataset_data("x", None, url)) == []


def test_clean_text_drops_xml_invalid_characters() -> None:
    assert clean_text("a\x00b\ud800c\ufffed\uffffe\x7f\tf\n") == "abcde\tf"
    assert clean_text(" \x01 ") is None
    assert clean_text("abcdef", limit=4) == "abc\u2026"
