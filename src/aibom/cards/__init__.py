"""Model and dataset cards (README.md with YAML front matter) and config.json, parsed into facts.

Never touches the network: huggingface_hub is used only on data we read and sanitised ourselves
(``ModelCardData`` / ``DatasetCardData`` built from the bounded, JSON-safe front matter, and
``model_index_to_eval_results`` per result). Its ``RepoCard`` is not used because it runs
``yaml.safe_load`` on the raw block and only finds front matter at the very top.

Ceilings (``Limits``): at most ``max_text_file`` bytes are read; a bigger card is parsed truncated
with a LIMIT_REACHED finding. Front matter is bounded by ``max_yaml_nodes`` (after alias expansion)
and ``max_json_depth``; past either, metadata is dropped with a LIMIT_REACHED finding. The Markdown
body is read for sections up to ``max_card_lines`` lines (a LIMIT_REACHED finding beyond). Every pass
over the text is linear (see ``aibom.cards.sections``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from huggingface_hub.repocard_data import DatasetCardData, ModelCardData

from aibom import checks
from aibom.cards.config import ConfigFacts, parse_config
from aibom.cards.fields import (
    DatasetSize,
    EvalResult,
    co2_facts,
    dataset_size,
    eval_results,
    licence,
    str_list,
    text_or_none,
)
from aibom.cards.front_matter import YamlLimitError, load_bounded
from aibom.cards.reading import TextRead, read_text
from aibom.cards.sections import first_lines, parse_body
from aibom.cards.whole import DATASET_TAG_KEYS, KeyAccount, account
from aibom.findings import Check, Finding
from aibom.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "CardFacts",
    "ConfigFacts",
    "DatasetSize",
    "EvalResult",
    "KeyAccount",
    "parse_card",
    "parse_config",
]

# The Hub's own front-matter regex (huggingface_hub.repocard.REGEX_YAML_BLOCK, "exact same regex as
# in the Hub server"); copied so importing this module does not import huggingface_hub.hf_api.
_HUB_YAML_BLOCK = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_PREAMBLE_LINE = re.compile(r"^\s*(?:$|!\[|\[!\[|<)")
MAX_PROBLEMS = 50
"""Problems (and so CARD_METADATA findings) kept per card; the rest are summarised in one. This and
``MAX_EVIDENCE_HEADINGS`` cap output; ceilings on the input are in ``Limits``."""
MAX_EVIDENCE_HEADINGS = 100
"""Section headings listed as evidence in one finding (an output cap)."""
MISPLACED = "front matter is not at the top of the file; the Hugging Face Hub ignores it"
NO_FRONT_MATTER = "no YAML front matter"


@dataclass
class CardFacts:
    kind: Literal["model", "dataset"]
    display: str
    has_front_matter: bool = False
    license: str | None = None
    """SPDX identifier or expression, when the card's licence is one."""
    license_name: str | None = None
    """Non-SPDX licence: the card's ``license_name``, else its ``license`` (e.g. ``llama3.2``)."""
    license_link: str | None = None
    base_models: list[str] = field(default_factory=list)
    base_model_relation: str | None = None
    datasets: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    languages: list[str] = field(default_factory=list)
    library_name: str | None = None
    tags: list[str] = field(default_factory=list)
    model_name: str | None = None
    eval_results: list[EvalResult] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)
    co2: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # dataset cards
    pretty_name: str | None = None
    task_categories: list[str] = field(default_factory=list)
    size_categories: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    """Dataset facets (``task_categories``, ``language``, ``size_categories``, ...) by key, as written."""
    source_datasets: list[str] = field(default_factory=list)
    dataset_size: DatasetSize | None = None
    keys: KeyAccount = field(default_factory=KeyAccount)
    """Where each front-matter key went (``aibom.cards.whole``)."""
    front_matter_refused: bool = False
    """True when a front matter block was found but not read (invalid YAML, over a limit, not a
    mapping): none of its keys are in the facts; ``problems`` says why."""


@dataclass
class _FrontMatter:
    yaml_text: str
    first_line: int
    """1-based line number, in the file, of the first YAML line."""
    body: str
    misplaced: bool


@dataclass
class _Problems:
    items: list[tuple[Check, str]] = field(default_factory=list)
    dropped: int = 0
    """Problems past ``MAX_PROBLEMS``, counted but not kept (a hostile card could make thousands)."""

    def add(self, message: str, check: Check = checks.CARD_METADATA) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.dropped += 1
            return
        self.items.append((check, message))

    def limit(self, message: str) -> None:
        self.add(message, checks.LIMIT_REACHED)

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.items]


def _at_top(text: str) -> _FrontMatter | None:
    match = _HUB_YAML_BLOCK.search(text)
    if match is None:
        return None
    first_line = text.count("\n", 0, match.start(2)) + 1
    return _FrontMatter(match.group(2), first_line, text[match.end() :], misplaced=False)


def _misplaced(text: str, max_lines: int) -> _FrontMatter | None:
    """A ``---`` block after blank, badge, HTML or HTML-comment lines (the Hub ignores those)."""
    lines = [m.group(0) for m in _LINE.finditer(text, 0, min(len(text), 1 << 20))]
    in_comment = False
    for number, line in enumerate(lines[:max_lines]):
        stripped = line.strip()
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if stripped == "---":
            return _block_after(text, lines, number)
        if not _PREAMBLE_LINE.match(stripped):
            return None
    return None


def _block_after(text: str, lines: list[str], opener: int) -> _FrontMatter | None:
    for closer in range(opener + 1, len(lines)):
        if lines[closer].rstrip(" \t\r\n") == "---":
            yaml_text = "".join(lines[opener + 1 : closer])
            end = sum(len(line) for line in lines[: closer + 1])
            preamble = "".join(lines[:opener])
            return _FrontMatter(yaml_text, opener + 2, preamble + text[end:], misplaced=True)
    return None


def _load(front: _FrontMatter, limits: Limits, problems: _Problems) -> dict[str, object] | None:
    """Bounded YAML -> JSON-safe mapping; every failure becomes a problem and gives None."""
    if len(front.yaml_text) > limits.max_front_matter:
        problems.limit(
            f"YAML front matter is {len(front.yaml_text)} characters, over the "
            f"{limits.max_front_matter} limit; metadata ignored"
        )
        return None
    try:
        safe = load_bounded(
            front.yaml_text, limits.max_yaml_nodes, limits.max_json_depth, front.first_line
        )
    except YamlLimitError as error:
        problems.limit(f"{error}; metadata ignored")
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {front.first_line + mark.line}" if mark is not None else ""
        detail = error.problem or error.context or "parse error"
        problems.add(f"invalid YAML front matter{where}: {detail}")
        return None
    except (yaml.YAMLError, ValueError) as error:
        problems.add(f"invalid YAML front matter: {error}")
        return None
    if safe.value is None:
        problems.add("YAML front matter is empty")
        return {}
    for message in safe.problems:
        problems.add(message)
    if not isinstance(safe.value, dict):
        problems.add(f"YAML front matter is a {type(safe.value).__name__}, not a mapping; ignored")
        return None
    return safe.value


def _front_matter(
    text: str, limits: Limits, problems: _Problems
) -> tuple[_FrontMatter | None, dict[str, object], bool]:
    """(block, metadata, refused): ``refused`` when a block was found but could not be read."""
    front = _at_top(text)
    if front is not None:
        meta = _load(front, limits, problems)
        return front, meta or {}, meta is None
    front = _misplaced(text, limits.max_card_preamble_lines)
    refused = False
    if front is not None:
        trial = _Problems()
        meta = _load(front, limits, trial)
        if meta:  # a mapping: misplaced metadata, not a horizontal rule around prose
            problems.add(MISPLACED)
            problems.items.extend(trial.items)
            return front, meta, False
        limited = [item for item in trial.items if item[0] is checks.LIMIT_REACHED]
        problems.items.extend(limited)
        refused = bool(limited)
    problems.add(NO_FRONT_MATTER)
    return None, {}, refused


_RESERVED = frozenset({"self", "ignore_metadata_errors", "model-index", "eval_results"})


def _hf_data(kind: str, meta: dict[str, object]) -> dict[str, object]:
    """Front matter as huggingface_hub's card-data class reads it (else the raw mapping)."""
    kwargs: dict[str, Any] = {key: value for key, value in meta.items() if key not in _RESERVED}
    try:
        if kind == "dataset":
            return dict(vars(DatasetCardData(ignore_metadata_errors=True, **kwargs)))
        return dict(vars(ModelCardData(ignore_metadata_errors=True, **kwargs)))
    except (TypeError, ValueError):
        return dict(kwargs)


_READ_ABOVE = frozenset({"language", "task_categories", "size_categories"})
"""Facets already read (and their odd items reported) from huggingface_hub's view of the card."""
MAX_SPLITS = 1000
"""Splits listed in ``aibom:dataset:splits`` (an output cap; the whole ``dataset_info`` is also kept)."""


def _quiet(message: str) -> None:
    """Problem callback for a second read of a field already reported."""


def _fill(facts: CardFacts, meta: dict[str, object], problems: _Problems) -> None:
    data = _hf_data(facts.kind, meta)
    facts.license, facts.license_name, facts.license_link = licence(data, problems.add)
    facts.languages = str_list(data, "language", problems.add)
    facts.tags = list(dict.fromkeys(str_list(data, "tags", problems.add)))
    facts.datasets = str_list(data, "datasets", problems.add)
    if facts.kind == "dataset":
        facts.pretty_name = text_or_none(data.get("pretty_name"))
        facts.task_categories = str_list(data, "task_categories", problems.add)
        facts.size_categories = str_list(data, "size_categories", problems.add)
        facts.facets = {
            key: values
            for key in DATASET_TAG_KEYS
            if (values := str_list(meta, key, _quiet if key in _READ_ABOVE else problems.add))
        }
        facts.source_datasets = facts.facets.get("source_datasets", [])
        facts.dataset_size = dataset_size(meta.get("dataset_info"), problems.add, MAX_SPLITS)
        return
    facts.base_models = str_list(data, "base_model", problems.add)
    facts.base_model_relation = text_or_none(data.get("base_model_relation"))
    facts.pipeline_tag = text_or_none(data.get("pipeline_tag"))
    facts.library_name = text_or_none(data.get("library_name"))
    facts.co2 = co2_facts(data.get("co2_eq_emissions"), problems.add)
    index_name, facts.eval_results = eval_results(meta.get("model-index"), problems.add)
    facts.model_name = index_name or text_or_none(data.get("model_name"))


def _read_problems(read: TextRead, limits: Limits, problems: _Problems) -> None:
    if read.truncated:
        problems.limit(
            f"card is {read.size} bytes, over the {limits.max_text_file}-byte limit; "
            "only the beginning was read"
        )
    if read.bad_utf8_at is not None:
        problems.add(
            f"card is not valid UTF-8 (first bad byte at offset {read.bad_utf8_at}); "
            "undecodable bytes were replaced"
        )


def parse_card(
    path: Path,
    display: str,
    kind: Literal["model", "dataset"],
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[CardFacts, list[Finding]]:
    """Parse a local card file. Bad content gives problems and findings, never an exception.

    Raises ``OSError`` only when the file cannot be read at all (the caller records it as skipped).
    """
    read = read_text(path, limits.max_text_file)
    problems = _Problems()
    _read_problems(read, limits, problems)
    facts = CardFacts(kind=kind, display=display)
    if not read.text.strip():
        problems.add("card is empty")
        return _finish(facts, problems)
    front, meta, facts.front_matter_refused = _front_matter(read.text, limits, problems)
    facts.has_front_matter = front is not None
    facts.metadata = meta
    _fill(facts, meta, problems)
    facts.keys = account(facts, meta, limits)
    text, cut = first_lines(front.body if front is not None else read.text, limits.max_card_lines)
    if cut:
        problems.limit(
            f"card body has more than {limits.max_card_lines} lines; only the first "
            f"{limits.max_card_lines} were read for sections and placeholders"
        )
    body = parse_body(text, limits)
    facts.sections = body.texts
    facts.placeholders = body.placeholders
    return _finish(facts, problems)


def _finish(facts: CardFacts, problems: _Problems) -> tuple[CardFacts, list[Finding]]:
    if problems.dropped:
        problems.items.append(
            (checks.CARD_METADATA, f"{problems.dropped} more problems with this card not listed")
        )
    facts.problems = problems.messages
    path = facts.display
    findings = [Finding(check=check, path=path, message=msg) for check, msg in problems.items]
    if facts.placeholders:
        shown = ", ".join(repr(h) for h in facts.placeholders[:8])
        more = f" and {len(facts.placeholders) - 8} more" if len(facts.placeholders) > 8 else ""
        findings.append(
            Finding(
                check=checks.CARD_PLACEHOLDER,
                path=path,
                message=f"{len(facts.placeholders)} card section(s) hold only template "
                f"placeholders: {shown}{more}",
                evidence="; ".join(facts.placeholders[:MAX_EVIDENCE_HEADINGS]),
            )
        )
    return facts, findings
