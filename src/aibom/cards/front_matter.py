"""Bounded YAML for card front matter: counted nodes, bounded alias expansion and depth.

``yaml.safe_load`` shares aliased nodes, so loading a "billion laughs" document is cheap; the danger
is whoever walks the result afterwards (``copy.deepcopy`` in huggingface_hub's ``to_dict``,
``json.dumps``, our own converters), and merge keys (``<<: [*a, *a]``), which the constructor *does*
expand eagerly. So the front matter is composed with a loader that counts nodes and nesting, then
the node graph is walked once with every alias expanded, stopping as soon as the expanded size
passes the node budget. Only a graph that fits is constructed. Booleans follow YAML 1.2 (only
``true``/``false``), as the Hub does, so ``language: [en, no]`` keeps Norwegian.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

_BOOL_TAG = "tag:yaml.org,2002:bool"


class YamlLimitError(Exception):
    """The document passed a node, alias-expansion or depth ceiling; it was not constructed."""


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with too many nodes or too deep nesting while composing."""

    def __init__(self, text: str, max_nodes: int, max_depth: int) -> None:
        super().__init__(text)
        self._max_nodes = max_nodes
        self._max_depth = max_depth
        self._nodes = 0
        self._depth = 0
        self.key_problems: list[tuple[str, str, int]] = []
        """(key as text, YAML type, 1-based line in the document) for each non-string key."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise YamlLimitError(f"front matter has more than {self._max_nodes} YAML nodes")
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                raise YamlLimitError(f"front matter nests deeper than {self._max_depth} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """String keys only: ``1:`` and ``true:`` would otherwise collide (``1 == True``)."""
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                text = _key_text(key)
                line = key_node.start_mark.line + 1 if key_node.start_mark else 0
                self.key_problems.append((text, type(key).__name__, line))
                key = text
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# YAML 1.2 core-schema booleans (the Hub's YAML parser), not YAML 1.1's yes/no/on/off.
_GuardedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_GuardedLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _check_expansion(root: Node, max_nodes: int, max_depth: int) -> None:
    """Walk the node graph as a tree (aliases expanded); stop once it would pass either ceiling."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen + len(stack) > max_nodes:
            raise YamlLimitError(
                f"front matter expands to more than {max_nodes} YAML nodes through aliases"
            )
        if depth > max_depth:
            raise YamlLimitError(f"front matter nests deeper than {max_depth} levels")
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


def load_bounded(text: str, max_nodes: int, max_depth: int, first_line: int = 1) -> JsonSafe:
    """Parse one YAML document within the ceilings into JSON types (``value`` None when empty).

    ``first_line`` is the line of the document's first line in its file, for messages.
    Raises ``yaml.YAMLError`` for invalid YAML, ``YamlLimitError`` past a ceiling and ``ValueError``
    for scalars the constructor rejects (e.g. integers longer than Python's digit limit).
    """
    loader = _GuardedLoader(text, max_nodes, max_depth)
    try:
        node = loader.get_single_node()
        if node is None:
            return JsonSafe(None)
        _check_expansion(node, max_nodes, max_depth)
        raw = loader.construct_document(node)
    finally:
        loader.dispose()
    problems = [
        f"front matter key {key!r} at line {first_line + line - 1} is a YAML {kind}, not a string"
        for key, kind, line in loader.key_problems
    ]
    safe = to_json_safe(raw, max_depth)
    return JsonSafe(safe.value, problems + safe.problems)


@dataclass
class JsonSafe:
    """Result of ``to_json_safe``: the value, and the keys that had to be turned into strings."""

    value: object
    problems: list[str] = field(default_factory=list)


def _key_text(key: object) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _scalar(value: object) -> object:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def to_json_safe(value: object, max_depth: int) -> JsonSafe:
    """Convert constructed YAML to JSON types: str keys, finite floats, ISO dates, lists for sets.

    Depth is bounded again here (recursive aliases become ``None`` past ``max_depth``) so the
    function is safe on any input, not only on what ``load_bounded`` returns.
    """
    out = JsonSafe(None)
    out.value = _convert(value, 1, max_depth, "", out.problems)
    return out


def _convert(value: object, depth: int, max_depth: int, where: str, problems: list[str]) -> object:
    if depth > max_depth:
        problems.append(f"front matter value at {where or 'top level'} nests too deep; dropped")
        return None
    if isinstance(value, dict):
        result: dict[str, object] = {}
        for key, item in value.items():
            text = key if isinstance(key, str) else _key_text(key)
            path = f"{where}.{text}" if where else text
            if not isinstance(key, str):
                kind = type(key).__name__
                problems.append(f"front matter key {path!r} is a YAML {kind}, not a string")
            result[text] = _convert(item, depth + 1, max_depth, path, problems)
        return result
    if isinstance(value, (list, tuple)):
        return [_convert(item, depth + 1, max_depth, where, problems) for item in value]
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=_key_text)
        return [_convert(item, depth + 1, max_depth, where, problems) for item in items]
    return _scalar(value)
