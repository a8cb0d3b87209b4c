"""Facts from a Transformers `config.json`: architecture, dtype, quantization, sizes. No network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aibom import checks
from aibom.cards.reading import read_text
from aibom.findings import Finding
from aibom.limits import DEFAULT_LIMITS, Limits

HYPERPARAMETERS: tuple[str, ...] = (
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "hidden_act",
    "vocab_size",
    "type_vocab_size",
    "max_position_embeddings",
    "n_positions",
    "n_ctx",
    "n_embd",
    "n_layer",
    "n_head",
    "d_model",
    "d_ff",
    "num_layers",
    "num_heads",
    "encoder_layers",
    "decoder_layers",
    "rope_theta",
    "sliding_window",
    "num_experts",
    "num_local_experts",
    "num_experts_per_tok",
    "tie_word_embeddings",
)
"""Keys copied from config.json (or, when missing at the top, from its ``text_config``)."""


@dataclass
class ConfigFacts:
    architectures: list[str] = field(default_factory=list)
    model_type: str | None = None
    torch_dtype: str | None = None
    quantization: str | None = None
    """``quantization_config.quant_method`` plus the bit width when stated, e.g. ``gptq 4-bit``."""
    hyperparameters: dict[str, str] = field(default_factory=dict)
    transformers_version: str | None = None
    auto_map: bool = False
    """True when the config has ``auto_map``: loading with ``trust_remote_code`` runs repo code."""


def scalar_text(value: object) -> str | None:
    """A JSON scalar as a property string (``true``/``false`` for booleans); None otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def json_depth(value: object, ceiling: int) -> int:
    """Nesting depth of a decoded JSON value, counting stops just past ``ceiling``."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > ceiling:
            break
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _finding(check_name: str, display: str, message: str) -> Finding:
    check = checks.LIMIT_REACHED if check_name == "limit" else checks.MALFORMED_FILE
    return Finding(check=check, path=display, message=message)


def load_json_object(
    path: Path, display: str, limits: Limits
) -> tuple[dict[str, object] | None, list[Finding]]:
    """Bounded read + ``json.loads`` guarded against size, recursion and non-object documents."""
    read = read_text(path, limits.max_text_file)
    if read.truncated:
        message = (
            f"file is {read.size} bytes, over the {limits.max_text_file}-byte limit for "
            "metadata files; it was not parsed"
        )
        return None, [_finding("limit", display, message)]
    findings: list[Finding] = []
    if read.bad_utf8_at is not None:
        message = f"not valid UTF-8 (first bad byte at offset {read.bad_utf8_at})"
        findings.append(_finding("malformed", display, message))
    try:
        data: object = json.loads(read.text)
    except json.JSONDecodeError as error:
        message = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        return None, [*findings, _finding("malformed", display, message)]
    except RecursionError:
        message = "JSON nests too deeply to be parsed"
        return None, [*findings, _finding("malformed", display, message)]
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        return None, [*findings, _finding("malformed", display, f"invalid JSON: {error}")]
    if not isinstance(data, dict):
        message = f"JSON top level is {type(data).__name__}, not an object"
        return None, [*findings, _finding("malformed", display, message)]
    if json_depth(data, limits.max_json_depth) > limits.max_json_depth:
        message = f"JSON nests deeper than {limits.max_json_depth} levels; only top-level keys read"
        findings.append(_finding("limit", display, message))
    return data, findings


def _quantization(config: dict[str, object]) -> str | None:
    quant = config.get("quantization_config")
    if not isinstance(quant, dict):
        return scalar_text(config.get("quant_method"))
    method = scalar_text(quant.get("quant_method"))
    bits = quant.get("bits")
    if method is None and (quant.get("load_in_4bit") is True or quant.get("load_in_8bit") is True):
        method = "bitsandbytes"
    if quant.get("load_in_4bit") is True:
        bits = 4
    elif quant.get("load_in_8bit") is True:
        bits = 8
    method = method or "unknown method"
    if isinstance(bits, int) and not isinstance(bits, bool):
        return f"{method} {bits}-bit"
    return method


def _hyperparameters(config: dict[str, object]) -> dict[str, str]:
    nested = config.get("text_config")
    fallback: dict[str, object] = nested if isinstance(nested, dict) else {}
    result: dict[str, str] = {}
    for key in HYPERPARAMETERS:
        text = scalar_text(config[key]) if key in config else scalar_text(fallback.get(key))
        if text is not None:
            result[key] = text
    return result


def config_facts(config: dict[str, object]) -> ConfigFacts:
    architectures = config.get("architectures")
    if isinstance(architectures, str):
        architectures = [architectures]
    names = architectures if isinstance(architectures, list) else []
    dtype = config.get("torch_dtype", config.get("dtype"))
    return ConfigFacts(
        architectures=[name.strip() for name in names if isinstance(name, str) and name.strip()],
        model_type=scalar_text(config.get("model_type")),
        torch_dtype=dtype.strip() if isinstance(dtype, str) and dtype.strip() else None,
        quantization=_quantization(config),
        hyperparameters=_hyperparameters(config),
        transformers_version=scalar_text(config.get("transformers_version")),
        auto_map="auto_map" in config,
    )


def parse_config(
    path: Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[ConfigFacts | None, list[Finding]]:
    """Read ``config.json``. Bad files give ``None`` and a finding; never raises for bad content.

    Raises ``OSError`` only when the file cannot be read at all (the caller records it as skipped).
    """
    data, findings = load_json_object(path, display, limits)
    if data is None:
        return None, findings
    return config_facts(data), findings
