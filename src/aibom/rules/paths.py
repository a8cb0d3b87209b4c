"""The path syntax rules use to point into a subject's facts (hand-written: no JSONPath library is a
dependency, and rules need only this small, total subset).

Grammar::

    path     = segment *( "." segment )
    segment  = key *selector
    key      = name / '"' quoted '"'          ; name: any characters but . [ ] "
    selector = "[]"                           ; every item of a list
             / "[" integer "]"                ; one item (negative counts from the end)
             / "[" name "=" value "]"         ; the items whose field ``name`` equals ``value``

Examples: ``modelCard.considerations.useCases``, ``hashes[].alg``, ``properties[name=aibom:hf:commit].value``,
``@props."my.dotted.name"``. A path starting with ``$.`` is read from the subject itself even inside a
``for_each`` (where other paths are read from the item). A key looks up a mapping; a selector applies to a list. Anything that does
not fit (a key on a list, an index out of range, a missing key) yields nothing, never an error.
Filter values compare case-insensitively. ``null`` values count as absent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from aibom.limits import DEFAULT_LIMITS, Limits


class PathError(ValueError):
    """A path that does not follow the grammar."""


@dataclass(frozen=True)
class Selector:
    kind: str
    """``each``, ``index`` or ``filter``."""
    index: int = 0
    field: str = ""
    value: str = ""


@dataclass(frozen=True)
class Segment:
    key: str
    selectors: tuple[Selector, ...] = ()


@dataclass(frozen=True)
class Path:
    text: str
    segments: tuple[Segment, ...]
    absolute: bool = False
    """Written ``$.``: read from the subject, not from the current ``for_each`` item."""
    limits: Limits = field(default=DEFAULT_LIMITS, compare=False, repr=False)
    """The ceilings the path (and the rule holding it) was compiled with; evaluation keeps to them."""

    def join(self, other: Path) -> Path:
        """``self`` then ``other`` (the path of an item field seen from the subject)."""
        if other.absolute:
            return other
        text, segments = f"{self.text}.{other.text}", self.segments + other.segments
        return Path(text, segments, self.absolute, self.limits)

    def resolve(self, root: object, limit: int | None = None) -> list[object]:
        return resolve(self, root, limit)

    def iterate(self, root: object) -> Iterator[object]:
        return iterate(self, root)


def parse_path(text: str, limits: Limits = DEFAULT_LIMITS) -> Path:
    """Parse ``text``; raises ``PathError`` naming the problem and its position."""
    if not text.strip():
        raise PathError("a path must be a non-empty string")
    if len(text) > limits.max_path_chars:
        raise PathError(f"path longer than {limits.max_path_chars} characters")
    absolute = text.startswith("$.")
    segments: list[Segment] = []
    pos = 2 if absolute else 0
    while True:
        key, pos = _key(text, pos)
        selectors: list[Selector] = []
        while pos < len(text) and text[pos] == "[":
            selector, pos = _selector(text, pos)
            selectors.append(selector)
        segments.append(Segment(key, tuple(selectors)))
        if pos == len(text):
            break
        if text[pos] != ".":
            raise PathError(f"unexpected {text[pos]!r} at position {pos + 1} of {text!r}")
        pos += 1
    if len(segments) > limits.max_path_segments:
        raise PathError(f"path has more than {limits.max_path_segments} segments")
    return Path(text, tuple(segments), absolute, limits)


def _key(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] == '"':
        end = text.find('"', pos + 1)
        if end < 0:
            raise PathError(f"unterminated quote at position {pos + 1} of {text!r}")
        if end == pos + 1:
            raise PathError(f"empty quoted key at position {pos + 1} of {text!r}")
        return text[pos + 1 : end], end + 1
    end = pos
    while end < len(text) and text[end] not in '.[]"':
        end += 1
    if end == pos:
        raise PathError(f"expected a key at position {pos + 1} of {text!r}")
    return text[pos:end].strip(), end


def _selector(text: str, pos: int) -> tuple[Selector, int]:
    end = text.find("]", pos)
    if end < 0:
        raise PathError(f"unclosed '[' at position {pos + 1} of {text!r}")
    body = text[pos + 1 : end].strip()
    if not body:
        return Selector("each"), end + 1
    if "=" in body:
        name, _, value = body.partition("=")
        if not name.strip() or not value.strip():
            raise PathError(f"filter needs 'field=value' at position {pos + 1} of {text!r}")
        return Selector("filter", field=name.strip(), value=value.strip().casefold()), end + 1
    try:
        return Selector("index", index=int(body)), end + 1
    except ValueError:
        raise PathError(f"bad selector [{body}] in {text!r}") from None


def resolve(path: Path, root: object, limit: int | None = None) -> list[object]:
    """The first ``limit`` (at most ``max_path_values``) non-null values ``path`` reaches from ``root``."""
    most = path.limits.max_path_values
    return list(itertools.islice(iterate(path, root), most if limit is None else min(limit, most)))


def iterate(path: Path, root: object) -> Iterator[object]:
    """The non-null values ``path`` reaches from ``root``, lazily, in document order. At most
    ``max_path_visits`` nodes are looked at, so a hostile document cannot make one path slow."""
    budget = _Budget(path.limits.max_path_visits, path.limits.max_path_values)
    values: Iterator[object] = iter((root,))
    for segment in path.segments:
        values = _step(values, segment, budget)
    return values


@dataclass
class _Budget:
    visits: int
    """Nodes still to be looked at."""
    items: int
    """Items of one list looked at."""


def _step(values: Iterator[object], segment: Segment, budget: _Budget) -> Iterator[object]:
    for value in values:
        if isinstance(value, Mapping) and segment.key in value:
            yield from _select(value[segment.key], segment.selectors, budget)


def _select(value: object, selectors: tuple[Selector, ...], budget: _Budget) -> Iterator[object]:
    budget.visits -= 1
    if budget.visits < 0 or value is None:
        return
    if not selectors:
        yield value
        return
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        return
    selector, rest = selectors[0], selectors[1:]
    if selector.kind == "index":
        if -len(value) <= selector.index < len(value):
            yield from _select(value[selector.index], rest, budget)
        return
    for item in itertools.islice(value, budget.items):
        if selector.kind == "each" or _field_is(item, selector):
            yield from _select(item, rest, budget)
        if budget.visits < 0:
            return


def _field_is(item: object, selector: Selector) -> bool:
    if not isinstance(item, Mapping):
        return False
    value = item.get(selector.field)
    return value is not None and scalar_text(value).casefold() == selector.value


def scalar_text(value: object) -> str:
    """Text of a scalar as BOMs write it: ``true``/``false`` for booleans, ``str`` otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else ""
