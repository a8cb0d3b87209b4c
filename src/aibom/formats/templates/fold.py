"""Constant folding of chat-template expressions: the strings an expression may evaluate to, as far as
the template alone decides (``'__cla' ~ 'ss__'``, ``'_' * 2``, ``|join``, ``|replace``, ``|reverse``,
``%``-formatting, slicing, macro bodies). Written here because Jinja's own ``as_const`` would call filters,
which is evaluation; nothing is rendered or called. Results are bounded in count, length and depth, and
anything beyond the bounds counts as computed at render time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes as n

from aibom.limits import Limits

_SAFE_PERCENT = re.compile(r"%(?:\([^)]{0,64}\))?[-#0 +]{0,3}\d{0,2}(?:\.\d{0,2})?[sdirxXc%]")
_UNARY_FILTERS: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "trim": str.strip,
    "title": str.title,
    "capitalize": str.capitalize,
    "reverse": lambda s: s[::-1],
    "string": str,
    "list": str,
    "first": lambda s: s[:1],
    "last": lambda s: s[-1:],
}


@dataclass(frozen=True)
class Val:
    """What an expression may evaluate to, as far as the template alone decides: constant strings, and
    whether it may also be a string assembled at render time from parts not known statically."""

    consts: frozenset[str] = frozenset()
    built: bool = False

    @property
    def stringish(self) -> bool:
        return bool(self.consts) or self.built


OPAQUE, BUILT, EMPTY = Val(), Val(built=True), Val(frozenset({""}))


def capped(consts: Iterable[str], built: bool, limits: Limits) -> Val:
    """``consts`` within ``max_template_const_len`` and ``max_template_consts``; the rest is computed."""
    given = set(consts)
    kept = {c for c in given if len(c) <= limits.max_template_const_len}
    built = built or len(kept) != len(given)
    if len(kept) > limits.max_template_consts:
        kept, built = set(sorted(kept)[: limits.max_template_consts]), True
    return Val(frozenset(kept), built)


def join(a: Val, b: Val, limits: Limits) -> Val:
    """Either value (the join of the two)."""
    return capped(a.consts | b.consts, a.built or b.built, limits)


@dataclass
class Env:
    limits: Limits
    values: dict[str, Val] = field(default_factory=dict)
    lists: dict[str, list[n.Expr]] = field(default_factory=dict)
    macros: dict[str, n.Macro] = field(default_factory=dict)
    call_blocks: list[n.CallBlock] = field(default_factory=list)
    bound: set[str] = field(default_factory=set)
    cache: dict[int, Val] = field(default_factory=dict)


def val(node: n.Node | None, env: Env, depth: int = 0) -> Val:
    """Fold ``node`` (memoised per node while ``env`` does not change)."""
    if node is None:
        return OPAQUE
    key = id(node)
    if key not in env.cache:
        deep = depth >= env.limits.max_template_fold_depth
        env.cache[key] = BUILT if deep else _fold(node, env, depth + 1)
    return env.cache[key]


_Fold = Callable[[Any, Env, int], "Val"]


def _fold(node: n.Node, env: Env, depth: int) -> Val:
    for kind, fold in _FOLDERS:
        if isinstance(node, kind):
            return fold(node, env, depth)
    return OPAQUE


def _fold_name(node: n.Name, env: Env, depth: int) -> Val:
    return env.values.get(node.name, OPAQUE)


def _fold_getattr(node: n.Getattr, env: Env, depth: int) -> Val:
    base = node.node
    return (
        env.values.get(f"{base.name}.{node.attr}", OPAQUE) if isinstance(base, n.Name) else OPAQUE
    )


def _fold_add(node: n.Add, env: Env, depth: int) -> Val:
    left, right = val(node.left, env, depth), val(node.right, env, depth)
    return _concat([left, right], env.limits) if left.stringish or right.stringish else OPAQUE


def _fold_mul(node: n.Mul, env: Env, depth: int) -> Val:
    left, right = val(node.left, env, depth), val(node.right, env, depth)
    limits = env.limits
    return join(_repeat(left, node.right, limits), _repeat(right, node.left, limits), limits)


def union(values: Iterable[Val], limits: Limits) -> Val:
    out = OPAQUE
    for value in values:
        out = join(out, value, limits)
    return out


def _concat(parts: list[Val], limits: Limits) -> Val:
    longest, most = limits.max_template_const_len, limits.max_template_consts
    combos: set[str] = {""}
    for part in parts:
        if not part.consts:
            return BUILT
        combos = {a + b for a in combos for b in part.consts if len(a) + len(b) <= longest}
        if not combos or len(combos) > most:
            return BUILT
    return capped(combos, any(p.built for p in parts), limits)


def literal(node: n.Node | None) -> object:
    """A constant argument (string, number, negative number or tuple of them), else None."""
    if isinstance(node, n.Const) and type(node.value) in (str, int, float):
        return node.value
    if isinstance(node, n.Neg) and isinstance(node.node, n.Const) and type(node.node.value) is int:
        return -node.node.value
    if isinstance(node, n.Tuple):
        items = [literal(item) for item in node.items]
        return None if any(i is None for i in items) else tuple(items)
    return None


def _repeat(text: Val, count_node: n.Node, limits: Limits) -> Val:
    count, longest = literal(count_node), limits.max_template_const_len
    if not text.stringish:
        return OPAQUE
    if type(count) is not int or not 0 <= count <= longest:
        return BUILT
    repeated = {s * count for s in text.consts if len(s) * count <= longest}
    return capped(repeated, text.built, limits)


def _percent(fmt: Val, args: object, limits: Limits) -> Val:
    """``fmt % args`` for constant arguments and plain ``%s``/``%c``/``%d``-style fields only."""
    if not fmt.stringish:
        return OPAQUE
    out: set[str] = set()
    for text in fmt.consts:
        if args is None or "%" in _SAFE_PERCENT.sub("", text):
            return BUILT
        try:
            out.add(text % args)
        except (TypeError, ValueError, OverflowError, KeyError):
            return BUILT
    return capped(out, fmt.built, limits)


def _filter_val(node: n.Filter, env: Env, depth: int) -> Val:
    base, limits = val(node.node, env, depth), env.limits
    if node.name in ("default", "d"):
        return join(base, val(node.args[0], env, depth) if node.args else OPAQUE, limits)
    if node.name == "join":
        items = sequence(node.node, env)
        if items is None or node.kwargs:
            return BUILT if base.stringish else OPAQUE
        sep = val(node.args[0], env, depth) if node.args else EMPTY
        return _joined(sep, [val(i, env, depth) for i in items], limits)
    if node.name == "format":
        args = [literal(a) for a in node.args]
        packed = (
            None if None in args or node.kwargs else (args[0] if len(args) == 1 else tuple(args))
        )
        return _percent(base, packed, limits)
    if not base.stringish:
        return OPAQUE
    if node.name == "replace" and len(node.args) >= 2:
        old, new = literal(node.args[0]), literal(node.args[1])
        if isinstance(old, str) and isinstance(new, str) and old:
            return capped({s.replace(old, new) for s in base.consts}, base.built, limits)
    unary = _UNARY_FILTERS.get(node.name)
    if unary is not None and not node.args:
        return capped({unary(s) for s in base.consts}, base.built, limits)
    return BUILT


def _joined(sep: Val, items: list[Val], limits: Limits) -> Val:
    parts = [x for i, item in enumerate(items) for x in ([sep] if i else []) + [item]]
    return _concat(parts, limits) if parts else EMPTY


def sequence(node: n.Node | None, env: Env) -> list[n.Expr] | None:
    if isinstance(node, (n.List, n.Tuple)):
        return list(node.items)
    if isinstance(node, n.Name):
        return env.lists.get(node.name)
    most = env.limits.max_template_consts
    if isinstance(node, n.Const) and isinstance(node.value, str) and len(node.value) <= most:
        return [n.Const(c) for c in node.value]
    return None


def _getitem_val(base: Val, arg: n.Node, limits: Limits) -> Val:
    if not base.stringish:
        return OPAQUE
    if isinstance(arg, n.Slice):
        parts = (arg.start, arg.stop, arg.step)
        bounds = [None if x is None else literal(x) for x in parts]
        if any(type(b) is not int for b, x in zip(bounds, parts, strict=True) if x is not None):
            return BUILT
        start, stop, step = (b if type(b) is int else None for b in bounds)
        if step == 0:
            return OPAQUE
        return capped({s[start:stop:step] for s in base.consts}, base.built, limits)
    index = literal(arg)
    if type(index) is int:
        picked = {s[index] for s in base.consts if -len(s) <= index < len(s)}
        return capped(picked, base.built, limits)
    return BUILT


def _call_val(node: n.Call, env: Env, depth: int) -> Val:
    target = node.node
    if isinstance(target, n.Name) and target.name in env.macros:
        return body_val(env.macros[target.name].body, env, depth)
    if isinstance(target, n.Getattr) and val(target.node, env, depth).stringish:
        return BUILT  # a str method on a template-made string: anything
    return OPAQUE


def body_val(body: list[n.Node], env: Env, depth: int) -> Val:
    """What a macro body or ``{% set x %}`` block outputs, when it is only text and expressions."""
    if not all(isinstance(stmt, n.Output) for stmt in body):
        return BUILT
    parts = [val(item, env, depth) for stmt in body for item in stmt.iter_child_nodes()]
    return _concat(parts, env.limits) if parts else EMPTY


_FOLDERS: tuple[tuple[type | tuple[type, ...], _Fold], ...] = (
    (n.Const, lambda x, e, d: Val(frozenset({x.value})) if isinstance(x.value, str) else OPAQUE),
    (n.TemplateData, lambda x, e, d: Val(frozenset({x.data}))),
    (n.Name, _fold_name),
    (n.Getattr, _fold_getattr),
    (n.Concat, lambda x, e, d: _concat([val(p, e, d) for p in x.nodes], e.limits)),
    (n.Add, _fold_add),
    (n.Mul, _fold_mul),
    (n.Mod, lambda x, e, d: _percent(val(x.left, e, d), literal(x.right), e.limits)),
    (n.CondExpr, lambda x, e, d: join(val(x.expr1, e, d), val(x.expr2, e, d), e.limits)),
    ((n.List, n.Tuple), lambda x, e, d: union((val(i, e, d) for i in x.items), e.limits)),
    (n.Filter, _filter_val),
    (n.Getitem, lambda x, e, d: _getitem_val(val(x.node, e, d), x.arg, e.limits)),
    (n.Call, _call_val),
)
