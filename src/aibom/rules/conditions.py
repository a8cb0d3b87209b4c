"""Rule conditions: a small tree of named predicates on paths, evaluated in three-valued logic.

A condition is one of::

    {all: [condition, ...]}            every one holds
    {any: [condition, ...]}            at least one holds
    {not: condition}
    {for_each: PATH, all: [...]}       every item of PATH satisfies every listed condition
    {for_each: PATH, any: [...]}       at least one item does (optional ``where:`` filters the items,
                                       optional ``empty: pass|fail|unknown`` is the result with no items)
    {path: PATH, OPERATOR: ARGUMENT}   a predicate

Results are True, False or None (unknown: "no evidence"). ``all``/``any``/``not`` follow Kleene logic: a
False anywhere decides ``all``, a True anywhere decides ``any``, otherwise unknown stays unknown.

Presence predicates are definite: ``exists`` (the path has a value), ``non_empty`` (a value that is not
an empty string, list or mapping), ``count_gte``/``count_lte`` (how many values; a list value counts its
items). Value predicates are *unknown when the path has no value*: ``equals``, ``in``, ``matches``
(RE2 regex, searched), ``gte``/``lte`` (numbers, numeric strings accepted), ``spdx_in`` (licence id or
expression within a list or named set, see ``aibom.rules.spdx``), ``informative`` (text that is not a
placeholder, with ``min_length`` letters/digits, default 3) and ``placeholder`` (text present but
unfilled: some value is a placeholder). Value predicates hold when *any* value satisfies them (use ``for_each`` for "every").
Strings compare case-insensitively. ``absent: false`` (or ``true``) on a value predicate makes a missing
value a definite answer instead of unknown: "the card was read and this section is not in it".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.rules.paths import (
    Path,
    PathError,
    Segment,
    Selector,
    parse_path,
    scalar_text,
)
from aibom.rules.spdx import licence_in, licence_set
from aibom.rules.text import Pattern, compile_pattern, is_informative, texts

Tri = bool | None
T = TypeVar("T")
Loc = tuple[str | int, ...]

PRESENCE_OPS = ("exists", "non_empty", "count_gte", "count_lte")
VALUE_OPS = ("equals", "in", "matches", "gte", "lte", "spdx_in", "informative", "placeholder")
OPERATORS = PRESENCE_OPS + VALUE_OPS


class ConditionError(ValueError):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass(frozen=True)
class Predicate:
    op: str
    path: Path
    arg: object
    min_length: int = 3
    pattern: Pattern | None = None
    allowed: frozenset[str] = frozenset()
    absent: Tri = None
    """Result when the path has no value (value predicates only)."""


@dataclass(frozen=True)
class Group:
    op: str
    """``all`` or ``any``."""
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Negation:
    child: Node


@dataclass(frozen=True)
class ForEach:
    path: Path
    quantifier: str
    children: tuple[Node, ...]
    where: Node | None
    empty: Tri


Node = Predicate | Group | Negation | ForEach
_EMPTY = {"pass": True, "fail": False, "unknown": None}


def compile_condition(data: object, loc: Loc, limits: Limits, depth: int = 0) -> Node:
    """Turn the YAML mapping into nodes; raises ``ConditionError`` naming the offending key. The paths
    and patterns compiled keep ``limits`` for evaluation."""
    if depth > limits.max_condition_depth:
        raise ConditionError(
            loc, f"conditions nest deeper than {limits.max_condition_depth} levels"
        )
    if not isinstance(data, Mapping):
        raise ConditionError(loc, "a condition must be a mapping")
    if "for_each" in data:
        return _for_each(data, loc, limits, depth)
    if "path" in data:
        return _predicate(data, loc, limits)
    kinds = [k for k in ("all", "any", "not") if k in data]
    if len(kinds) != 1 or len(data) != 1:
        keys = ", ".join(sorted(map(str, data))) or "nothing"
        raise ConditionError(loc, f"expected exactly one of all/any/not/for_each/path, got {keys}")
    if kinds[0] == "not":
        return Negation(compile_condition(data["not"], (*loc, "not"), limits, depth + 1))
    return Group(kinds[0], _children(data[kinds[0]], (*loc, kinds[0]), limits, depth))


def _children(items: object, loc: Loc, limits: Limits, depth: int) -> tuple[Node, ...]:
    if not isinstance(items, list) or not items:
        raise ConditionError(loc, "expected a non-empty list of conditions")
    return tuple(
        compile_condition(item, (*loc, i), limits, depth + 1) for i, item in enumerate(items)
    )


def _for_each(data: Mapping[str, object], loc: Loc, limits: Limits, depth: int) -> ForEach:
    quantifiers = [k for k in ("all", "any") if k in data]
    extra = set(data) - {"for_each", "all", "any", "where", "empty"}
    if len(quantifiers) != 1 or extra:
        raise ConditionError(
            loc, "for_each needs exactly one of all/any (and optional where, empty)"
        )
    empty = data.get("empty", "unknown")
    if empty not in _EMPTY:
        raise ConditionError((*loc, "empty"), "empty must be pass, fail or unknown")
    where = data.get("where")
    return ForEach(
        path=_path(data["for_each"], (*loc, "for_each"), limits),
        quantifier=quantifiers[0],
        children=_children(data[quantifiers[0]], (*loc, quantifiers[0]), limits, depth),
        where=(
            None if where is None else compile_condition(where, (*loc, "where"), limits, depth + 1)
        ),
        empty=_EMPTY[str(empty)],
    )


def _path(text: object, loc: Loc, limits: Limits) -> Path:
    try:
        return parse_path(str(text) if isinstance(text, str) else "", limits)
    except PathError as exc:
        raise ConditionError(loc, str(exc)) from None


def _predicate(data: Mapping[str, object], loc: Loc, limits: Limits) -> Predicate:
    ops = [k for k in OPERATORS if k in data]
    extra = set(data) - {"path", "min_length", "absent", *OPERATORS}
    if len(ops) != 1 or extra:
        found = ", ".join(sorted(map(str, set(data) - {"path"}))) or "no operator"
        raise ConditionError(loc, f"a predicate needs exactly one operator ({found} given)")
    op, arg = ops[0], data[ops[0]]
    path = _path(data["path"], (*loc, "path"), limits)
    min_length = data.get("min_length", 3)
    if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < 0:
        raise ConditionError((*loc, "min_length"), "min_length must be a non-negative integer")
    absent = data.get("absent", "unknown")
    if absent not in (True, False, "unknown") or (op in PRESENCE_OPS and "absent" in data):
        raise ConditionError(
            (*loc, "absent"), "absent is true, false or unknown, on value predicates"
        )
    try:
        pattern = compile_pattern(str(arg), limits) if op == "matches" else None
        allowed = (
            licence_set(arg) if op == "spdx_in" and isinstance(arg, str | list) else frozenset()
        )
    except ValueError as exc:
        raise ConditionError((*loc, op), str(exc)) from None
    absent_value = absent if isinstance(absent, bool) else None
    return Predicate(op, path, arg, min_length, pattern, allowed, absent_value)


def evaluate(node: Node, root: object, subject: object = None) -> Tri:
    """Evaluate on ``root`` (a for_each item, or the subject); ``$.`` paths read ``subject``."""
    subject = root if subject is None else subject
    if isinstance(node, Predicate):
        return _evaluate_predicate(node, root, subject)
    if isinstance(node, Negation):
        result = evaluate(node.child, root, subject)
        return None if result is None else not result
    if isinstance(node, Group):
        return (_all if node.op == "all" else _any)(node.children, root, subject)
    return _evaluate_for_each(node, root, subject)


def _all(children: Sequence[Node], root: object, subject: object) -> Tri:
    return _all_results(evaluate(child, root, subject) for child in children)


def _any(children: Sequence[Node], root: object, subject: object) -> Tri:
    return _any_results(evaluate(child, root, subject) for child in children)


def _evaluate_for_each(node: ForEach, root: object, subject: object) -> Tri:
    items = items_of(node.path.resolve(subject if node.path.absolute else root), node.path.limits)
    if node.where is not None:
        items = [item for item in items if evaluate(node.where, item, subject) is True]
    if not items:
        return node.empty
    results = (_all(node.children, item, subject) for item in items)
    if node.quantifier == "all":
        return _all_results(results)
    return _any_results(results)


def _all_results(results: Iterable[Tri]) -> Tri:
    unknown = False
    for result in results:
        if result is False:
            return False
        unknown = unknown or result is None
    return None if unknown else True


def _any_results(results: Iterable[Tri]) -> Tri:
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown = unknown or result is None
    return None if unknown else False


def items_of(values: list[object], limits: Limits = DEFAULT_LIMITS) -> list[object]:
    """The items a ``for_each`` visits: a single list value is iterated (its first
    ``max_path_values`` items), several values are the items."""
    if len(values) == 1 and _is_list(values[0]):
        only = values[0]
        assert isinstance(only, Sequence)
        return [item for item in only[: limits.max_path_values] if item is not None]
    return values


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _flat(values: Iterator[object], most: int) -> Iterator[object]:
    """Values with list values replaced by their first ``most`` items (one level), lazily."""
    for value in values:
        if _is_list(value):
            assert isinstance(value, Sequence)
            yield from (v for v in itertools.islice(value, most) if v is not None)
        else:
            yield value


def _nonempty_iter(values: Iterator[T]) -> Iterator[T] | None:
    """``values`` unchanged, or None when it yields nothing (consumes one item to find out)."""
    first = next(values, None)
    return None if first is None else itertools.chain((first,), values)


def _evaluate_predicate(pred: Predicate, root: object, subject: object) -> Tri:
    base, limits = subject if pred.path.absolute else root, pred.path.limits
    if pred.op in PRESENCE_OPS:
        return _presence(pred, base)
    flat = _nonempty_iter(_flat(pred.path.iterate(base), limits.max_path_values))
    if flat is None:
        return pred.absent
    if pred.op in ("informative", "placeholder"):
        strings = _nonempty_iter(text for value in flat for text in texts(value, limits))
        if strings is None:
            return pred.absent
        filled = (is_informative(text, limits, pred.min_length) for text in strings)
        found = any(filled) if pred.op == "informative" else not all(filled)
        return found == bool(pred.arg)
    return any(_value_test(pred, value) for value in flat)


def _presence(pred: Predicate, base: object) -> bool:
    if pred.op == "exists":
        return (next(pred.path.iterate(base), None) is not None) == bool(pred.arg)
    if pred.op == "non_empty":
        return any(_non_empty(v) for v in pred.path.iterate(base)) == bool(pred.arg)
    values = pred.path.resolve(base)
    count = sum(len(v) if _is_list(v) and isinstance(v, Sequence) else 1 for v in values)
    limit = _number(pred.arg)
    if limit is None:
        return False
    return count >= limit if pred.op == "count_gte" else count <= limit


def _non_empty(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping | list | tuple):
        return len(value) > 0
    return True


def _value_test(pred: Predicate, value: object) -> bool:
    if pred.op == "equals":
        return _equal(value, pred.arg)
    if pred.op == "in":
        return isinstance(pred.arg, list) and any(_equal(value, item) for item in pred.arg)
    if pred.op == "matches":
        text = scalar_text(value)
        return pred.pattern is not None and bool(text) and pred.pattern.search(text)
    if pred.op in ("gte", "lte"):
        number, limit = _number(value), _number(pred.arg)
        if number is None or limit is None:
            return False
        return number >= limit if pred.op == "gte" else number <= limit
    return isinstance(value, str) and licence_in(value, pred.allowed, pred.path.limits)


def _equal(value: object, expected: object) -> bool:
    number, wanted = _number(value), _number(expected)
    if number is not None and wanted is not None and not isinstance(expected, bool):
        return number == wanted
    left, right = scalar_text(value), scalar_text(expected)
    return bool(left or right) and left.casefold() == right.casefold()


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and len(value) < 40:
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def predicate_paths(node: Node, prefix: Path | None = None) -> list[Path]:
    """Every path a condition reads, as seen from the subject (for default evidence)."""
    if isinstance(node, Predicate):
        return [prefix.join(node.path) if prefix else node.path]
    if isinstance(node, Negation):
        return predicate_paths(node.child, prefix)
    if isinstance(node, Group):
        return [p for child in node.children for p in predicate_paths(child, prefix)]
    inner = _items_path(prefix.join(node.path) if prefix else node.path)
    return [p for child in node.children for p in predicate_paths(child, inner)]


def _items_path(path: Path) -> Path:
    """``path`` ending in ``[]`` so that joining an item field reaches into the items."""
    last = path.segments[-1]
    if last.selectors:
        return path
    segments = (*path.segments[:-1], Segment(last.key, (Selector("each"),)))
    return Path(path.text + "[]", segments, limits=path.limits)


def witness_paths(
    node: Node, root: object, subject: object = None, prefix: Path | None = None
) -> list[Path]:
    """The paths that made ``node`` hold on ``root`` (as seen from the subject): the predicates that
    held, the first alternative of an ``any`` that held, every part of an ``all``. Empty when the
    node does not hold. Used to report which evidence satisfied a rule (a standard CycloneDX field
    or an aibom property)."""
    subject = root if subject is None else subject
    if evaluate(node, root, subject) is not True:
        return []
    if isinstance(node, Predicate):
        return [prefix.join(node.path) if prefix else node.path]
    if isinstance(node, Negation):
        return predicate_paths(node.child, prefix)
    if isinstance(node, Group):
        if node.op == "any":
            child = next(c for c in node.children if evaluate(c, root, subject) is True)
            return witness_paths(child, root, subject, prefix)
        return [p for c in node.children for p in witness_paths(c, root, subject, prefix)]
    path = node.path if node.path.absolute or prefix is None else prefix.join(node.path)
    items = items_of(node.path.resolve(subject if node.path.absolute else root), node.path.limits)
    if node.where is not None:
        items = [item for item in items if evaluate(node.where, item, subject) is True]
    inner = _items_path(path)
    for item in items:
        if _all(node.children, item, subject) is True:
            found = [p for c in node.children for p in witness_paths(c, item, subject, inner)]
            if node.quantifier == "any":
                return found
            return found or [path]
    return [path]
