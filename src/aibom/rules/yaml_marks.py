"""YAML for rule files: plain data only, bounded, with the line of every key for error messages.

``yaml.compose`` (safe loader) gives nodes with marks; this module turns them into plain Python data and
keeps a map from each key's location (``("condition", "all", 0, "path")``) to its 1-based line and column.
Anchors and aliases are allowed but every node visit is counted, so an alias bomb hits a ceiling; merge
keys (``<<``) and duplicate keys are errors because in a rule file they are always mistakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from aibom.limits import Limits

Loc = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader (about 10x faster) when PyYAML was built with it; same nodes and marks."""
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


class YamlError(ValueError):
    """A rule file that is not the plain YAML data we accept; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class LoadedYaml:
    data: object
    marks: dict[Loc, tuple[int, int]]

    def mark(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Line and column of ``loc``, or of its nearest ancestor that has one (1, 1 at worst)."""
        key = tuple(loc)
        while key:
            if key in self.marks:
                return self.marks[key]
            key = key[:-1]
        return self.marks.get((), (1, 1))


def format_loc(loc: Sequence[str | int]) -> str:
    """``("condition", "all", 0, "path")`` -> ``condition.all[0].path``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def load_yaml(text: str, limits: Limits) -> LoadedYaml:
    """Parse one YAML document into plain data plus key marks, within the rule-file ceilings of
    ``limits``. Raises ``YamlError``."""
    if len(text) > limits.max_rule_file_chars:
        raise YamlError(f"file is larger than {limits.max_rule_file_chars} characters", 1, 1)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1, 1) from None
    except RecursionError:
        raise YamlError("invalid YAML: nested too deeply", 1, 1) from None
    converter = _Converter(limits)
    if node is None:
        return LoadedYaml(None, {(): (1, 1)})
    data = converter.convert(node, (), 0)
    converter.marks.setdefault((), (1, 1))
    return LoadedYaml(data, converter.marks)


class _Converter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.marks: dict[Loc, tuple[int, int]] = {}
        self.nodes = 0
        self.constructor = SafeConstructor()

    def convert(self, node: yaml.Node, loc: Loc, depth: int) -> object:
        self.nodes += 1
        most, deepest = self.limits.max_rule_nodes, self.limits.max_rule_depth
        if self.nodes > most:
            raise YamlError(f"more than {most} YAML nodes (alias expansion?)", *_pos(node))
        if depth > deepest:
            raise YamlError(f"nested deeper than {deepest} levels", *_pos(node))
        self.marks.setdefault(loc, _pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, object]:
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("merge keys ('<<') are not supported in rules", *_pos(key_node))
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise YamlError("keys must be plain strings", *_pos(key_node))
            if key in out:
                raise YamlError(f"duplicate key {key!r}", *_pos(key_node))
            here = (*loc, key)
            self.marks[here] = _pos(key_node)
            out[key] = self.convert(value_node, here, depth + 1)
        return out

    def _scalar(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlError("expected a plain value", *_pos(node))
        if node.tag not in _PLAIN_TAGS:
            return str(node.value)  # timestamps, binary, custom tags: keep the text as written
        try:
            return self.constructor.construct_object(node)
        except (ConstructorError, ValueError):
            return str(node.value)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
