"""CycloneDX ``component.modelCard`` and ``component.data`` fragments from card and config facts.

The fragments are plain JSON dicts spliced into the BOM that cyclonedx-python-lib serialises (the
library models neither). They are valid against the CycloneDX 1.6 and 1.7 schemas, where every
object has ``additionalProperties: false``: keys with empty values are left out, free texts are
cleaned of control characters and cut at ``MAX_TEXT`` characters. Output order is deterministic.

Decisions: CycloneDX has no out-of-scope field, so out-of-scope uses go to ``technicalLimitations``
prefixed ``Out of scope:``. Card CO2 figures (grams CO2eq) cannot fill ``energyConsumptions``
(which requires kWh, providers and activity cost), so they go to
``environmentalConsiderations.properties``. ``users`` and ``approach`` are never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from aibom.cards import CardFacts, ConfigFacts
from aibom.iri import is_absolute_url
from aibom.properties import FAMILY_CARD_HF, FAMILY_CO2, FAMILY_HYPERPARAMETER, Prop

MAX_TEXT = 4000
"""Longest free text written into a fragment; longer texts end with an ellipsis."""

HYPERPARAMETER_PREFIX = FAMILY_HYPERPARAMETER
CO2_PREFIX = FAMILY_CO2
PROP_CONFIG_DTYPE = Prop.MODEL_CONFIG_DTYPE.value
PROP_QUANTIZATION = Prop.MODEL_QUANTIZATION.value
PROP_TRANSFORMERS_VERSION = Prop.MODEL_TRANSFORMERS_VERSION.value
PROP_CUSTOM_CODE = Prop.MODEL_CUSTOM_CODE.value
PROP_BASE_MODEL_RELATION = Prop.MODEL_BASE_MODEL_RELATION.value

# C0 controls (but tab, LF, CR), DEL, lone surrogates and U+FFFE/U+FFFF: invalid in XML 1.0 too.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_HF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+")

_SUB_DELIMS = "!$&'()*+,;="
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

_TEXT, _IMAGE, _AUDIO, _VIDEO = ("text",), ("image",), ("audio",), ("video",)
_IMAGE_TEXT = ("image", "text")
# Hugging Face pipeline tag -> (input formats, output formats).
_TASK_IO: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "text-generation": (_TEXT, _TEXT),
    "text2text-generation": (_TEXT, _TEXT),
    "summarization": (_TEXT, _TEXT),
    "translation": (_TEXT, _TEXT),
    "question-answering": (_TEXT, _TEXT),
    "fill-mask": (_TEXT, _TEXT),
    "text-classification": (_TEXT, _TEXT),
    "token-classification": (_TEXT, _TEXT),
    "zero-shot-classification": (_TEXT, _TEXT),
    "sentence-similarity": (_TEXT, _TEXT),
    "feature-extraction": (_TEXT, ("embedding",)),
    "table-question-answering": (("table", "text"), _TEXT),
    "image-classification": (_IMAGE, _TEXT),
    "zero-shot-image-classification": (_IMAGE_TEXT, _TEXT),
    "object-detection": (_IMAGE, _TEXT),
    "image-segmentation": (_IMAGE, _IMAGE),
    "depth-estimation": (_IMAGE, _IMAGE),
    "image-to-image": (_IMAGE, _IMAGE),
    "image-to-text": (_IMAGE, _TEXT),
    "image-text-to-text": (_IMAGE_TEXT, _TEXT),
    "visual-question-answering": (_IMAGE_TEXT, _TEXT),
    "document-question-answering": (_IMAGE_TEXT, _TEXT),
    "text-to-image": (_TEXT, _IMAGE),
    "automatic-speech-recognition": (_AUDIO, _TEXT),
    "audio-classification": (_AUDIO, _TEXT),
    "text-to-speech": (_TEXT, _AUDIO),
    "text-to-audio": (_TEXT, _AUDIO),
    "audio-to-audio": (_AUDIO, _AUDIO),
    "video-classification": (_VIDEO, _TEXT),
    "text-to-video": (_TEXT, _VIDEO),
    "tabular-classification": (("table",), _TEXT),
    "tabular-regression": (("table",), _TEXT),
    "time-series-forecasting": (("time-series",), ("time-series",)),
}
# Card tags that name an architecture family, used only when there is no config.json.
_FAMILIES = frozenset(
    {
        "bert", "roberta", "deberta", "distilbert", "albert", "electra", "t5", "bart", "gpt2",
        "gpt_neox", "gptj", "llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2",
        "gemma3", "phi", "phi3", "falcon", "bloom", "opt", "mpt", "vit", "clip", "whisper",
        "wav2vec2", "stable-diffusion", "yolo",
    }
)  # fmt: skip


@dataclass(frozen=True)
class WeightsSummary:
    formats: tuple[str, ...] = ()
    parameter_count: int | None = None
    dtypes: tuple[str, ...] = ()


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str | None:
    """Text without control characters (tab and newlines kept), stripped, cut to ``limit``."""
    if text is None:
        return None
    cleaned = _CONTROL.sub("", text).strip()
    if not cleaned:
        return None
    if len(cleaned) > limit:
        return cleaned[: limit - 1].rstrip() + "\u2026"
    return cleaned


def _compact(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """A dict of the pairs whose value is not None, empty or blank."""
    result: dict[str, object] = {}
    for key, value in pairs:
        if value is None or value in ("", [], {}):
            continue
        result[key] = value
    return result


def _texts(*items: str | None) -> list[str]:
    return [text for item in items if (text := clean_text(item)) is not None]


def _prefixed(prefix: str, text: str | None) -> str | None:
    return f"{prefix}{text}" if text and text.strip() else None


def _family(card: CardFacts | None, config: ConfigFacts | None) -> str | None:
    if config is not None and config.model_type:
        return config.model_type
    tags = card.tags if card is not None else []
    return next((tag for tag in tags if tag.lower() in _FAMILIES), None)


def _model_parameters(
    card: CardFacts | None, config: ConfigFacts | None, dataset_refs: Sequence[str]
) -> dict[str, object]:
    task = card.pipeline_tag if card is not None else None
    inputs, outputs = _TASK_IO.get(task or "", ((), ()))
    refs = list(dict.fromkeys(ref for ref in dataset_refs if ref))
    architecture = config.architectures[0] if config is not None and config.architectures else None
    return _compact(
        [
            ("task", clean_text(task, 200)),
            ("architectureFamily", clean_text(_family(card, config), 200)),
            ("modelArchitecture", clean_text(architecture, 200)),
            ("datasets", [{"ref": ref} for ref in refs]),
            ("inputs", [{"format": item} for item in inputs]),
            ("outputs", [{"format": item} for item in outputs]),
        ]
    )


def _quantitative_analysis(card: CardFacts | None) -> dict[str, object]:
    metrics: list[dict[str, object]] = []
    for result in card.eval_results if card is not None else []:
        dataset = result.dataset_name or result.dataset_type
        split = f" [{result.dataset_split}]" if result.dataset_split else ""
        metric = _compact(
            [
                ("type", clean_text(result.metric_type, 200)),
                ("value", clean_text(result.metric_value, 200)),
                ("slice", clean_text(f"{dataset}{split}" if dataset else None, 400)),
            ]
        )
        if "value" in metric:
            metrics.append(metric)
    return _compact([("performanceMetrics", metrics)])


def _considerations(card: CardFacts | None) -> dict[str, object]:
    if card is None:
        return {}
    text = card.sections.get
    risk = _compact(
        [
            ("name", clean_text(text("bias_risks"))),
            ("mitigationStrategy", clean_text(text("recommendations"))),
        ]
    )
    co2 = [
        {"name": f"{CO2_PREFIX}{key.replace('_', '-')}", "value": value}
        for key, raw in card.co2.items()
        if (value := clean_text(raw, 400)) is not None
    ]
    downstream = _prefixed("Downstream use: ", text("downstream_use"))
    out_of_scope = _prefixed("Out of scope: ", text("out_of_scope_use"))
    return _compact(
        [
            ("useCases", _texts(text("intended_uses"), downstream)),
            ("technicalLimitations", _texts(text("limitations"), out_of_scope)),
            ("ethicalConsiderations", [risk] if risk else []),
            ("environmentalConsiderations", _compact([("properties", co2)])),
        ]
    )


def _join(items: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(item for item in items if item))


def _properties(
    card: CardFacts | None, config: ConfigFacts | None, weights: WeightsSummary
) -> list[dict[str, object]]:
    count = weights.parameter_count
    pairs: list[tuple[str, str | None]] = [
        (Prop.MODEL_FORMATS.value, _join(weights.formats)),
        (Prop.MODEL_PARAMETERS.value, str(count) if count is not None else None),
        (Prop.MODEL_DTYPES.value, _join(weights.dtypes)),
    ]
    if config is not None:
        pairs += [
            (PROP_CONFIG_DTYPE, config.torch_dtype),
            (PROP_QUANTIZATION, config.quantization),
            (PROP_TRANSFORMERS_VERSION, config.transformers_version),
            (PROP_CUSTOM_CODE, "true" if config.auto_map else None),
        ]
    if card is not None:
        pairs += [
            (Prop.MODEL_LIBRARY.value, card.library_name),
            (Prop.MODEL_LANGUAGES.value, _join(card.languages)),
            (Prop.MODEL_TAGS.value, _join(card.tags)),
            (PROP_BASE_MODEL_RELATION, card.base_model_relation),
        ]
    if config is not None:
        pairs += [
            (f"{HYPERPARAMETER_PREFIX}{key}", value)
            for key, value in sorted(config.hyperparameters.items())
        ]
    return [
        {"name": name, "value": value}
        for name, raw in pairs
        if (value := clean_text(raw)) is not None
    ]


def model_card(
    card: CardFacts | None,
    config: ConfigFacts | None,
    weights: WeightsSummary,
    dataset_refs: Sequence[str],
) -> dict[str, object]:
    """``component.modelCard`` for a machine-learning-model component; ``{}`` if nothing is known.

    ``dataset_refs`` are bom-refs of data components already in the BOM.
    """
    return _compact(
        [
            ("modelParameters", _model_parameters(card, config, dataset_refs)),
            ("quantitativeAnalysis", _quantitative_analysis(card)),
            ("considerations", _considerations(card)),
            ("properties", _properties(card, config, weights)),
        ]
    )


def _dataset_description(name: str, card: CardFacts | None) -> str | None:
    if card is None:
        return None
    summary = card.sections.get("dataset_summary") or card.sections.get("model_description")
    title = card.pretty_name if card.pretty_name and card.pretty_name != name else None
    parts = [part for part in (title, summary) if part]
    return clean_text("\n\n".join(parts)) if parts else None


def safe_url(url: str | None) -> str | None:
    """``url`` as an absolute http(s) URL with unsafe characters percent-encoded, or None when it
    cannot be one (other scheme, bad port...). The schema checks the ``iri-reference`` format."""
    if url is None or not url.strip():
        return None
    try:
        parts = urlsplit(_STRAY_PERCENT.sub("%25", url.strip()))
    except ValueError:
        return None
    candidate = urlunsplit(
        (
            parts.scheme,
            quote(parts.netloc, safe=f"{_SUB_DELIMS}:@%"),
            quote(parts.path, safe=f"{_SUB_DELIMS}:@%/"),
            quote(parts.query, safe=f"{_SUB_DELIMS}:@%/?"),
            quote(parts.fragment, safe=f"{_SUB_DELIMS}:@%/?"),
        )
    )
    return candidate if is_absolute_url(candidate) else None


def _owners(name: str) -> list[dict[str, object]]:
    if not _HF_ID.fullmatch(name):
        return []
    return [{"organization": {"name": name.split("/", 1)[0]}}]


def dataset_data(
    name: str,
    card: CardFacts | None,
    url: str | None,
    contents_properties: Sequence[tuple[str, str]] = (),
) -> list[dict[str, object]]:
    """``component.data`` (one ``componentData`` of type ``dataset``) for a data component.

    ``url`` is where the data can be fetched (e.g. ``https://huggingface.co/datasets/<id>``); it is
    percent-encoded where needed. Owners come from the organisation part of a Hugging Face id.
    """
    properties = [
        _compact([("name", clean_text(key, 200)), ("value", clean_text(value))])
        for key, value in contents_properties
        if clean_text(key, 200) is not None
    ]
    location = safe_url(url)
    entry = _compact(
        [
            ("type", "dataset"),
            ("name", clean_text(name, 400)),
            ("contents", _compact([("url", location), ("properties", properties)])),
            ("description", _dataset_description(name, card)),
            ("sensitiveData", _texts(card.sections.get("personal_information") if card else None)),
            ("governance", _compact([("owners", _owners(name))])),
        ]
    )
    return [entry]


# ---------------------------------------------------------------- the rest of the front matter

MAX_TAG = 200
"""Longest tag written (an output cap); a longer one ends with an ellipsis."""
_SOURCE_SKIP = frozenset({"original", "extended", "other"})


def card_tags(card: CardFacts | None) -> list[str]:
    """Component ``tags``: the card's ``tags``; for a dataset also its facets as ``<key>:<value>``
    (the Hub's spelling), e.g. ``task_categories:question-answering``."""
    if card is None:
        return []
    tags = list(card.tags)
    if card.kind == "dataset":
        tags += [f"{key}:{value}" for key, values in card.facets.items() for value in values]
    return list(dict.fromkeys(tag for item in tags if (tag := clean_text(item, MAX_TAG))))


def card_key_properties(card: CardFacts | None) -> list[tuple[str, str]]:
    """``aibom:card:hf:<key>`` for the front-matter keys kept whole, and the accounting properties."""
    if card is None:
        return []
    keys = card.keys
    dropped = list(keys.dropped)
    if card.front_matter_refused:
        dropped.insert(0, "(front matter): not read, see the card's problems and findings")
    pairs = [(f"{FAMILY_CARD_HF}{key}", value or '""') for key, value in keys.kept]
    pairs += [
        (Prop.CARD_UNMAPPED.value, ", ".join(keys.unmapped)),
        (Prop.CARD_PARTLY.value, ", ".join(keys.partly)),
        (Prop.CARD_TRUNCATED.value, ", ".join(keys.truncated)),
        (Prop.CARD_DROPPED.value, "; ".join(dropped)),
    ]
    return [(name, value) for name, value in pairs if value]


def source_datasets(card: CardFacts | None) -> list[str]:
    """Datasets a dataset card says it was built from (``source_datasets``): ``extended|<id>`` and
    plain ids; ``original``, ``extended`` and ``other...`` name none."""
    if card is None or card.kind != "dataset":
        return []
    out: list[str] = []
    for value in card.source_datasets:
        name = value.split("|", 1)[1] if value.startswith("extended|") else value
        name = clean_text(name, 400) or ""
        if not name or name.lower() in _SOURCE_SKIP or name.lower().startswith("other-"):
            continue
        out.append(name)
    return list(dict.fromkeys(out))


def dataset_contents_properties(card: CardFacts | None) -> list[tuple[str, str]]:
    """``data[].contents.properties`` from the card's ``dataset_info``."""
    size = card.dataset_size if card is not None else None
    if size is None:
        return []
    pairs = [
        (Prop.DATASET_SPLITS.value, "; ".join(size.splits)),
        (
            Prop.DATASET_SIZE.value,
            str(size.dataset_bytes) if size.dataset_bytes is not None else "",
        ),
        (
            Prop.DATASET_DOWNLOAD_SIZE.value,
            str(size.download_bytes) if size.download_bytes is not None else "",
        ),
    ]
    return [(name, value) for name, value in pairs if value]
