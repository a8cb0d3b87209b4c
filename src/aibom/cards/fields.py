"""Typed reading of card front-matter fields: strings, lists, licences, eval results, CO2 emissions.

Every reader takes the JSON-safe front matter and a ``problem`` callback; odd values are reported
through it and skipped, never raised.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cyclonedx import spdx
from huggingface_hub.repocard_data import model_index_to_eval_results
from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

Problem = Callable[[str], None]


# Hugging Face licence ids whose SPDX spelling differs beyond letter case.
@functools.cache
def _spdx_licensing() -> Any:
    return get_spdx_licensing()  # building it takes ~25 ms: once per process


_HF_TO_SPDX = {
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "pddl": "PDDL-1.0",
    "cc0": "CC0-1.0",
}
_EXPRESSION = re.compile(r"\s(?:and|or|with)\s|[()]", re.IGNORECASE)
CO2_FIELDS = ("emissions", "source", "training_type", "geographical_location", "hardware_used")


@dataclass(frozen=True)
class EvalResult:
    task_type: str | None
    task_name: str | None
    dataset_type: str | None
    dataset_name: str | None
    dataset_split: str | None
    metric_type: str
    metric_name: str | None
    metric_value: str
    verified: bool | None


def text_or_none(value: object) -> str | None:
    """A non-empty string (numbers are accepted and written as text); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def str_list(meta: dict[str, object], key: str, problem: Problem) -> list[str]:
    """A string or list of strings under ``key``; other items are reported and skipped."""
    value = meta.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for item in items:
        text = text_or_none(item)
        if text is None:
            if item not in (None, ""):
                problem(f"front matter {key!r} holds a {type(item).__name__}, not a string")
            continue
        result.append(text)
    return result


def spdx_licence(value: str) -> str | None:
    """The SPDX id (canonical case) or normalised SPDX expression for ``value``, else None."""
    text = value.strip()
    alias = _HF_TO_SPDX.get(text.lower())
    if alias is not None:
        return alias
    fixed = spdx.fixup_id(text)
    if fixed is not None:
        return fixed
    if not _EXPRESSION.search(text):
        return None
    try:
        result = _spdx_licensing().validate(text)
    except Exception:  # license_expression can crash on unexpected characters
        return None
    if result.errors or not result.normalized_expression:
        return None
    expression = str(result.normalized_expression)
    if _EXPRESSION.search(expression):
        return expression
    return spdx.fixup_id(expression)  # "(MIT)" -> "MIT"; ids the CycloneDX schema lacks -> None


def licence(meta: dict[str, object], problem: Problem) -> tuple[str | None, str | None, str | None]:
    """(SPDX licence, licence name, link) from ``license``, ``license_name``, ``license_link``.

    A list of licences is ambiguous: the first SPDX one is used and the list is reported.
    """
    candidates = str_list(meta, "license", problem)
    name = text_or_none(meta.get("license_name"))
    link = text_or_none(meta.get("license_link"))
    chosen: str | None = None
    for candidate in candidates:
        chosen = spdx_licence(candidate)
        if chosen is not None:
            break
    if len(candidates) > 1:
        used = f"the first SPDX one ({chosen}) is used" if chosen else "none is an SPDX identifier"
        problem(f"card lists {len(candidates)} licences ({', '.join(candidates)}); {used}")
    if chosen is None and candidates and name is None:
        name = candidates[0]
    return chosen, name, link


def co2_facts(value: object, problem: Problem) -> dict[str, str]:
    """``co2_eq_emissions``: a bare number (grams CO2eq) or a mapping of the Hub's fields."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        emissions = text_or_none(value)
        if emissions is None:
            problem("front matter 'co2_eq_emissions' is neither a number nor a mapping")
            return {}
        return {"emissions": emissions}
    facts: dict[str, str] = {}
    for key in CO2_FIELDS:
        text = _value_text(value.get(key))
        if text is not None and not isinstance(value.get(key), (dict, list)):
            facts[key] = text
    return facts


def _value_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value).strip() or None
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def eval_results(model_index: object, problem: Problem) -> tuple[str | None, list[EvalResult]]:
    """``model-index`` via huggingface_hub, one result at a time: a bad entry costs only itself."""
    if model_index is None:
        return None, []
    if not isinstance(model_index, list) or not model_index:
        problem("front matter 'model-index' is not a non-empty list; evaluation results ignored")
        return None, []
    name: str | None = None
    results: list[EvalResult] = []
    for number, entry in enumerate(model_index, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("results"), list):
            problem(f"model-index entry {number} has no 'results' list; ignored")
            continue
        name = name or text_or_none(entry.get("name"))
        for position, result in enumerate(entry["results"], start=1):
            where = f"model-index entry {number} result {position}"
            results.extend(_one_result(entry.get("name"), result, where, problem))
    return name, results


def _one_result(name: object, result: object, where: str, problem: Problem) -> list[EvalResult]:
    try:
        _, parsed = model_index_to_eval_results([{"name": name, "results": [result]}])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        problem(f"{where} could not be read ({type(error).__name__}: {error}); ignored")
        return []
    out: list[EvalResult] = []
    for item in parsed:
        metric_type = text_or_none(item.metric_type) or text_or_none(item.metric_name)
        value = _value_text(item.metric_value)
        if metric_type is None or value is None:
            problem(f"{where} has a metric without type or value; ignored")
            continue
        verified = item.verified if isinstance(item.verified, bool) else None
        out.append(
            EvalResult(
                task_type=text_or_none(item.task_type),
                task_name=text_or_none(item.task_name),
                dataset_type=text_or_none(item.dataset_type),
                dataset_name=text_or_none(item.dataset_name),
                dataset_split=text_or_none(item.dataset_split),
                metric_type=metric_type,
                metric_name=text_or_none(item.metric_name),
                metric_value=value,
                verified=verified,
            )
        )
    return out


@dataclass(frozen=True)
class DatasetSize:
    """What ``dataset_info`` says about a dataset's size: its splits and byte counts."""

    splits: tuple[str, ...] = ()
    """``<split>: <n> examples, <b> bytes`` (``<config>/<split>`` when the card has several configs)."""
    dataset_bytes: int | None = None
    """``dataset_size``, summed over configs."""
    download_bytes: int | None = None
    """``download_size``, summed over configs."""


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _total(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _split_text(split: dict[str, Any], config: str | None) -> str | None:
    name = text_or_none(split.get("name"))
    if name is None:
        return None
    parts = [
        f"{count} {unit}"
        for key, unit in (("num_examples", "examples"), ("num_bytes", "bytes"))
        if (count := _count(split.get(key))) is not None
    ]
    label = f"{config}/{name}" if config else name
    return f"{label}: {', '.join(parts)}" if parts else label


def dataset_size(value: object, problem: Problem, max_items: int) -> DatasetSize | None:
    """``dataset_info`` (one mapping, or a list of them, one per config); None when it says nothing
    about size. At most ``max_items`` splits are listed."""
    if value is None:
        return None
    configs = value if isinstance(value, list) else [value]
    infos = [info for info in configs if isinstance(info, dict)]
    if len(infos) < len(configs):
        problem("front matter 'dataset_info' holds entries that are not mappings; they are ignored")
    several = len(infos) > 1
    splits: list[str] = []
    for info in infos:
        config = text_or_none(info.get("config_name")) if several else None
        raw = info.get("splits")
        for split in raw if isinstance(raw, list) else []:
            text = _split_text(split, config) if isinstance(split, dict) else None
            if text is not None and len(splits) < max_items:
                splits.append(text)
    size = DatasetSize(
        tuple(splits),
        _total([_count(info.get("dataset_size")) for info in infos]),
        _total([_count(info.get("download_size")) for info in infos]),
    )
    return size if size != DatasetSize() else None
