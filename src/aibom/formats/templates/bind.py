"""Name bindings of a chat template: every name it sets (``set``, ``for``, ``with``, macro and call-block
parameters, ``namespace`` attributes) bound to the join of everything assigned to it, so the folding in
``aibom.formats.templates.fold`` follows values through variables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2 import nodes as n

from aibom.formats.templates.fold import (
    BUILT,
    OPAQUE,
    Env,
    Val,
    body_val,
    capped,
    join,
    sequence,
    union,
    val,
)
from aibom.limits import Limits

_FOLD_PASSES = 4
"""Fixed-point passes over the bindings; values still growing after them count as computed."""


def iter_nodes(tree: n.Node) -> Iterator[n.Node]:
    """Every node, iteratively (a deep template must not exhaust the Python stack)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.iter_child_nodes())


Site = tuple[str, Callable[[], Val]]


def bind_all(tree: n.Template, limits: Limits) -> Env:
    """Bind every name the template sets (``set``, ``for``, ``with``, macro and call-block parameters)
    to the join of everything assigned to it, iterating to a fixed point."""
    every = list(iter_nodes(tree))
    env = Env(limits, macros={m.name: m for m in every if isinstance(m, n.Macro)})
    env.call_blocks = [c for c in every if isinstance(c, n.CallBlock)]
    env.bound.update(env.macros)
    sites = [site for node in every for site in _sites(node, env)]
    for _ in range(_FOLD_PASSES):
        env.cache.clear()
        fresh: dict[str, Val] = {}
        for name, compute in sites:
            fresh[name] = join(fresh.get(name, OPAQUE), compute(), limits)
        if fresh == env.values:
            break
        env.values = fresh
    else:  # still growing (self-referencing loops): whatever it holds may be anything
        env.values = {
            k: join(v, BUILT, limits) if v.stringish else v for k, v in env.values.items()
        }
    env.cache.clear()
    return env


def _sites(node: n.Node, env: Env) -> list[Site]:
    if isinstance(node, n.Assign):
        return _assign(node.target, node.node, env)
    if isinstance(node, n.AssignBlock):
        return _bind(node.target, lambda: body_val(node.body, env, 0), env)
    if isinstance(node, n.For):
        return _bind(node.target, lambda: _items(node.iter, env), env)
    if isinstance(node, n.With):
        pairs = list(zip(node.targets, node.values, strict=False))
        return [s for t, v in pairs for s in _bind(t, _later(v, env), env)]
    if isinstance(node, (n.Macro, n.CallBlock)):
        params = [a.name for a in node.args]
        env.bound.update(params)
        defaults = zip(params[len(params) - len(node.defaults) :], node.defaults, strict=True)
        return [(p, _later(d, env)) for p, d in defaults]
    if isinstance(node, n.Call) and isinstance(node.node, n.Name):
        return _call_sites(node, node.node.name, env)
    if isinstance(node, n.Import):
        env.bound.add(node.target)
    if isinstance(node, n.FromImport):
        env.bound.update(x if isinstance(x, str) else x[1] for x in node.names)
    return []


def _assign(target: n.Node, value: n.Node, env: Env) -> list[Site]:
    """``{% set %}``: lists are remembered for ``join``; ``namespace(k=v)`` binds ``ns.k``."""
    sites = _bind(target, _later(value, env), env)
    if isinstance(target, n.Name) and isinstance(value, (n.List, n.Tuple)):
        env.lists.setdefault(target.name, list(value.items))
    if isinstance(target, n.Name) and isinstance(value, n.Call):
        callee = value.node
        if isinstance(callee, n.Name) and callee.name == "namespace":
            sites += [(f"{target.name}.{kw.key}", _later(kw.value, env)) for kw in value.kwargs]
    return sites


def _later(node: n.Node, env: Env) -> Callable[[], Val]:
    return lambda: val(node, env)


def _bind(target: n.Node, compute: Callable[[], Val], env: Env) -> list[Site]:
    if isinstance(target, n.Name):
        env.bound.add(target.name)
        return [(target.name, compute)]
    if isinstance(target, n.NSRef):
        return [(f"{target.name}.{target.attr}", compute)]
    if isinstance(target, n.Tuple):  # unpacking: parts of something unknown
        return [s for item in target.items for s in _bind(item, lambda: OPAQUE, env)]
    return []


def _items(iterable: n.Node, env: Env) -> Val:
    """The values a ``for`` loop variable takes."""
    seq = sequence(iterable, env)
    if seq is not None:
        return union((val(item, env) for item in seq), env.limits)
    whole = val(iterable, env)
    if not whole.stringish:
        return whole
    return capped({c for s in whole.consts for c in s}, whole.built, env.limits)


def _call_sites(node: n.Call, name: str, env: Env) -> list[Site]:
    """Arguments of calls to the template's own macros (``caller`` binds call-block parameters)."""
    if name == "caller":
        params = [a.name for block in env.call_blocks for a in block.args]
    elif name in env.macros:
        params = [a.name for a in env.macros[name].args]
    else:
        return []
    sites = [(p, _later(a, env)) for p, a in zip(params, node.args, strict=False)]
    sites += [(kw.key, _later(kw.value, env)) for kw in node.kwargs if kw.key in params]
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        sites += [(p, lambda: BUILT) for p in params]
    return sites
