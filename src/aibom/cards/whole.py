"""Every front-matter key of a card accounted for: at its CycloneDX place, kept as a property, or
dropped with a reason, never lost silently.

Each key of the front matter ends in one of four states:

- **placed**: its value is at a CycloneDX place (or an aibom property of its own) listed in
  ``MODEL_PLACES`` / ``DATASET_PLACES``;
- **partly**: part of it is placed (the first of several licences, the metrics of ``model-index``, the
  split sizes of ``dataset_info``...) and the whole value is kept as well, as ``aibom:card:hf:<key>``;
- **kept**: it has no place (or its value could not be used there: a wrong type, an empty list), so the
  whole value is kept as ``aibom:card:hf:<key>``;
- **dropped**: not even that (a key name that is blank, too long or holds control characters, or past
  ``Limits.max_card_properties``); the key and the reason are listed.

Values kept as properties are text: strings as written (control and invisible characters shown as
escapes, see ``aibom.escape``), numbers and booleans in their JSON spelling, lists and mappings as
compact JSON. A value longer than ``Limits.max_card_property_chars`` is cut (ending ``…``) and its
key listed as truncated. docs/cards.md describes the mapping; ``MODEL_PLACES`` and ``DATASET_PLACES``
are its source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from aibom.cards.fields import CO2_FIELDS, text_or_none
from aibom.escape import json_text, visible
from aibom.iri import safe_url
from aibom.limits import Limits

if TYPE_CHECKING:
    from aibom.cards import CardFacts

State = Literal["placed", "partly", "kept"]
MAX_KEY_CHARS = 128
"""Longest front-matter key used in a property name (an output cap: longer keys are dropped with
their reason)."""
_BAD_KEY = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b\u2060-\u2064\u202a-\u202e\u2066-\u2069\ufeff]"
)

# Keys whose values are copied into component tags as ``<key>:<value>`` (the Hub's own spelling of
# a dataset's facets: https://huggingface.co/api/datasets/squad lists "task_categories:question-answering").
DATASET_TAG_KEYS = (
    "task_categories",
    "task_ids",
    "language",
    "multilinguality",
    "size_categories",
    "annotations_creators",
    "language_creators",
    "source_datasets",
)

_LICENCE = "`licenses` (SPDX id or expression; otherwise a licence name)"
MODEL_PLACES: dict[str, str] = {
    "license": _LICENCE,
    "license_name": "`licenses[].license.name` (and `aibom:model:license-name` beside an SPDX id)",
    "license_link": "`licenses[].license.url`, `externalReferences[type=license]`, "
    "`aibom:model:license-link`",
    "base_model": "`pedigree.ancestors`, a declared model component and a dependency",
    "base_model_relation": "`aibom:model:base-model-relation`",
    "datasets": "data components, `modelCard.modelParameters.datasets[].ref`, dependencies",
    "pipeline_tag": "`modelCard.modelParameters.task` (and `inputs`/`outputs` formats)",
    "library_name": "`aibom:model:library`",
    "language": "`aibom:model:languages`",
    "tags": "`tags` (and `aibom:model:tags`)",
    "model-index": "`modelCard.quantitativeAnalysis.performanceMetrics` (type, value, slice = dataset "
    "[split]); partly: also kept whole",
    "co2_eq_emissions": "`modelCard.considerations.environmentalConsiderations.properties` "
    "(`aibom:model:co2:*`); partly when it has other fields",
}
DATASET_PLACES: dict[str, str] = {
    "license": _LICENCE,
    "license_name": "`licenses[].license.name` (when `license` is not SPDX)",
    "license_link": "`licenses[].license.url`, `externalReferences[type=license]`",
    "pretty_name": "`data[].description` (first paragraph)",
    "tags": "`tags`",
    **{
        key: f"`tags` as `{key}:<value>`"
        for key in DATASET_TAG_KEYS
        if key not in ("source_datasets",)
    },
    "source_datasets": "`tags` as `source_datasets:<value>`; `pedigree.ancestors` for "
    "`extended|<dataset>` and dataset ids",
    "dataset_info": "`data[].contents.properties` (`aibom:dataset:splits`, `aibom:dataset:size-bytes`, "
    "`aibom:dataset:download-bytes`); partly: also kept whole",
}


@dataclass
class KeyAccount:
    """Where each front-matter key went (see the module docstring)."""

    kept: list[tuple[str, str]] = field(default_factory=list)
    """(key, value as text) for every partly placed or kept key, in front-matter order."""
    unmapped: list[str] = field(default_factory=list)
    partly: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """``key: reason`` for each key not kept at all."""


def value_text(value: object) -> str:
    """A front-matter value as property text: strings as written, the rest as compact JSON."""
    if isinstance(value, str):
        return visible(value, multiline=True)
    return json_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _strings(value: object) -> State:
    """Placed when every item is usable text, partly when some are, kept when none is."""
    items = value if isinstance(value, list) else [value]
    items = [item for item in items if item not in (None, "")]
    good = sum(1 for item in items if text_or_none(item) is not None)
    if good == 0:
        return "kept"
    return "placed" if good == len(items) else "partly"


def _text(value: object) -> State:
    return "placed" if text_or_none(value) is not None else "kept"


def _licence(value: object) -> State:
    state = _strings(value)
    if state == "placed" and isinstance(value, list) and len(value) > 1:
        return "partly"  # only the first SPDX licence (or the first name) is used
    return state


def _co2(facts: CardFacts, value: object) -> State:
    if not facts.co2:
        return "kept"
    if isinstance(value, dict) and any(
        key not in CO2_FIELDS or isinstance(item, (dict, list)) for key, item in value.items()
    ):
        return "partly"
    return "placed"


Judge = Callable[["CardFacts", object], State]

_COMMON: dict[str, Judge] = {
    "license": lambda facts, value: _licence(value),
    "tags": lambda facts, value: _strings(value),
}
_MODEL: dict[str, Judge] = {
    **_COMMON,
    "license_name": lambda facts, value: _text(value),
    "license_link": lambda facts, value: _text(value),
    "base_model": lambda facts, value: _strings(value),
    "base_model_relation": lambda facts, value: _text(value),
    "datasets": lambda facts, value: _strings(value),
    "pipeline_tag": lambda facts, value: _text(value),
    "library_name": lambda facts, value: _text(value),
    "language": lambda facts, value: _strings(value),
    "model-index": lambda facts, value: "partly" if facts.eval_results else "kept",
    "co2_eq_emissions": _co2,
}
_DATASET: dict[str, Judge] = {
    **_COMMON,
    "license_name": lambda facts, value: "kept" if facts.license else _text(value),
    "license_link": lambda facts, value: "placed" if safe_url(text_or_none(value)) else "kept",
    "pretty_name": lambda facts, value: _text(value),
    **{key: (lambda facts, value: _strings(value)) for key in DATASET_TAG_KEYS},
    "dataset_info": lambda facts, value: "partly" if facts.dataset_size else "kept",
}
assert set(_MODEL) == set(MODEL_PLACES) and set(_DATASET) == set(DATASET_PLACES)


def _key_problem(key: str) -> str | None:
    if not key.strip():
        return "the key is blank"
    if len(key) > MAX_KEY_CHARS:
        return f"the key is longer than {MAX_KEY_CHARS} characters"
    if _BAD_KEY.search(key):
        return "the key holds control or invisible characters"
    return None


def _shown(key: str) -> str:
    return visible(key[:MAX_KEY_CHARS] + ("…" if len(key) > MAX_KEY_CHARS else ""))


def account(facts: CardFacts, meta: dict[str, object], limits: Limits) -> KeyAccount:
    """Sort the keys of ``meta`` (the card's JSON-safe front matter) by where their values went."""
    judges = _DATASET if facts.kind == "dataset" else _MODEL
    out = KeyAccount()
    for key, value in meta.items():
        judge = judges.get(key)
        state = judge(facts, value) if judge is not None else "kept"
        if state == "placed":
            continue
        problem = _key_problem(key)
        if problem is None and len(out.kept) >= limits.max_card_properties:
            problem = f"over the {limits.max_card_properties}-key limit"
        if problem is not None:
            where = "placed in part, not kept whole" if state == "partly" else "not kept"
            out.dropped.append(f"{_shown(key)}: {where}, {problem}")
            continue
        text = value_text(value)
        if len(text) > limits.max_card_property_chars:
            text = text[: limits.max_card_property_chars - 1] + "…"
            out.truncated.append(key)
        out.kept.append((key, text))
        (out.partly if state == "partly" else out.unmapped).append(key)
    return out
