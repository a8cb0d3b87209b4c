"""parse_config: real-world config.json shapes and broken or hostile ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom import checks
from aibom.cards import ConfigFacts, parse_config
from aibom.limits import Limits

WriteFile = Callable[[str | bytes, str], Path]

LLAMA = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "max_position_embeddings": 131072,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 16,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {"factor": 32.0, "rope_type": "llama3"},
    "rope_theta": 500000.0,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.45.0.dev0",
    "vocab_size": 128256,
}

BERT = {
    "architectures": ["BertForMaskedLM"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_size": 768,
    "intermediate_size": 3072,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "type_vocab_size": 2,
    "vocab_size": 30522,
}


def _parse(
    write_file: WriteFile, content: str | bytes, limits: Limits | None = None
) -> tuple[ConfigFacts | None, list[tuple[str, str]]]:
    path = write_file(content, "config.json")
    facts, findings = parse_config(path, "m/config.json", limits or Limits())
    assert all(f.path == "m/config.json" for f in findings)
    return facts, [(f.check.id, f.message) for f in findings]


def test_llama_config(write_file: WriteFile) -> None:
    facts, findings = _parse(write_file, json.dumps(LLAMA))
    assert findings == []
    assert facts == ConfigFacts(
        architectures=["LlamaForCausalLM"],
        model_type="llama",
        torch_dtype="bfloat16",
        quantization=None,
        hyperparameters={
            "hidden_size": "2048",
            "num_hidden_layers": "16",
            "num_attention_heads": "32",
            "num_key_value_heads": "8",
            "intermediate_size": "8192",
            "hidden_act": "silu",
            "vocab_size": "128256",
            "max_position_embeddings": "131072",
            "rope_theta": "500000.0",
            "tie_word_embeddings": "true",
        },
        transformers_version="4.45.0.dev0",
        auto_map=False,
    )


def test_bert_config(write_file: WriteFile) -> None:
    facts, findings = _parse(write_file, json.dumps(BERT))
    assert findings == []
    assert facts is not None
    assert facts.architectures == ["BertForMaskedLM"]
    assert facts.model_type == "bert"
    assert facts.torch_dtype is None
    assert facts.transformers_version is None
    assert facts.hyperparameters["type_vocab_size"] == "2"
    assert facts.hyperparameters["hidden_act"] == "gelu"
    assert "attention_probs_dropout_prob" not in facts.hyperparameters


def test_gpt2_style_and_new_dtype_key(write_file: WriteFile) -> None:
    config = {"architectures": "GPT2LMHeadModel", "model_type": "gpt2", "n_ctx": 1024,
              "n_embd": 768, "n_layer": 12, "n_head": 12, "dtype": "float32"}  # fmt: skip
    facts, _ = _parse(write_file, json.dumps(config))
    assert facts is not None
    assert facts.architectures == ["GPT2LMHeadModel"]
    assert facts.torch_dtype == "float32"
    assert facts.hyperparameters == {"n_ctx": "1024", "n_embd": "768", "n_layer": "12",
                                     "n_head": "12"}  # fmt: skip


def test_multimodal_text_config_fills_gaps(write_file: WriteFile) -> None:
    config = {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
              "text_config": {"hidden_size": 2560, "num_hidden_layers": 34, "sliding_window": 1024},
              "vocab_size": 262208}  # fmt: skip
    facts, _ = _parse(write_file, json.dumps(config))
    assert facts is not None
    assert facts.hyperparameters == {"hidden_size": "2560", "num_hidden_layers": "34",
                                     "vocab_size": "262208", "sliding_window": "1024"}  # fmt: skip


@pytest.mark.parametrize(
    ("quant", "expected"),
    [
        ({"quant_method": "gptq", "bits": 4, "group_size": 128}, "gptq 4-bit"),
        ({"quant_method": "awq", "bits": 4, "version": "gemm"}, "awq 4-bit"),
        ({"quant_method": "fp8", "activation_scheme": "dynamic"}, "fp8"),
        ({"load_in_4bit": True, "bnb_4bit_quant_type": "nf4"}, "bitsandbytes 4-bit"),
        ({"quant_method": "bitsandbytes", "load_in_8bit": True}, "bitsandbytes 8-bit"),
        ({"bits": 4}, "unknown method 4-bit"),
    ],
)
def test_quantization_config(
    write_file: WriteFile, quant: dict[str, object], expected: str
) -> None:
    facts, _ = _parse(write_file, json.dumps({**LLAMA, "quantization_config": quant}))
    assert facts is not None
    assert facts.quantization == expected


def test_auto_map_means_custom_code(write_file: WriteFile) -> None:
    config = {**BERT, "auto_map": {"AutoModel": "modeling_acme.AcmeModel"}}
    facts, _ = _parse(write_file, json.dumps(config))
    assert facts is not None
    assert facts.auto_map is True


def test_invalid_json_reports_position(write_file: WriteFile) -> None:
    facts, findings = _parse(write_file, '{\n  "model_type": "bert",\n  "hidden_size": 768,\n}\n')
    assert facts is None
    assert len(findings) == 1
    assert findings[0][0] == checks.MALFORMED_FILE.id
    # the message after the position varies between Python versions
    assert findings[0][1].startswith("invalid JSON at line 4 column 1: ")


def test_json_list_is_not_a_config(write_file: WriteFile) -> None:
    facts, findings = _parse(write_file, "[1, 2]")
    assert facts is None
    assert findings == [(checks.MALFORMED_FILE.id, "JSON top level is list, not an object")]


def test_hundred_thousand_deep_nesting_is_a_finding(write_file: WriteFile) -> None:
    facts, findings = _parse(write_file, "[" * 100_000 + "]" * 100_000)
    assert facts is None
    assert findings == [(checks.MALFORMED_FILE.id, "JSON nests too deeply to be parsed")]


def test_nesting_past_the_depth_limit_keeps_top_level_facts(write_file: WriteFile) -> None:
    deep: object = 1
    for _ in range(80):
        deep = {"x": deep}
    facts, findings = _parse(write_file, json.dumps({**BERT, "custom": deep}))
    assert facts is not None
    assert facts.model_type == "bert"
    assert findings == [
        (checks.LIMIT_REACHED.id, "JSON nests deeper than 64 levels; only top-level keys read")
    ]


def test_oversized_config_is_not_parsed(write_file: WriteFile) -> None:
    content = json.dumps({**BERT, "pad": "x" * 2000})
    facts, findings = _parse(write_file, content, Limits(max_text_file=1000))
    assert facts is None
    assert findings == [
        (
            checks.LIMIT_REACHED.id,
            (
                f"file is {len(content)} bytes, over the 1000-byte limit for metadata files; "
                "it was not parsed"
            ),
        )
    ]


def test_non_utf8_config_still_parsed_with_finding(write_file: WriteFile) -> None:
    content = b'{"model_type": "bert", "note": "\xff"}'
    facts, findings = _parse(write_file, content)
    assert facts is not None
    assert facts.model_type == "bert"
    offset = content.index(b"\xff")
    assert findings == [
        (checks.MALFORMED_FILE.id, f"not valid UTF-8 (first bad byte at offset {offset})")
    ]


def test_odd_values_are_ignored(write_file: WriteFile) -> None:
    config = {"architectures": [1, "", "X"], "model_type": {"a": 1}, "torch_dtype": 3,
              "hidden_size": None, "vocab_size": [1], "num_hidden_layers": 2}  # fmt: skip
    facts, findings = _parse(write_file, json.dumps(config))
    assert findings == []
    assert facts == ConfigFacts(architectures=["X"], hyperparameters={"num_hidden_layers": "2"})
