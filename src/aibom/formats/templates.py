"""Static check of chat templates for Jinja2 server-side template injection. Parsing is not rendering:
``Environment.parse`` builds the syntax tree; nothing in the template is evaluated or called.

Shared by GGUF (every ``tokenizer.chat_template*`` key), ``tokenizer_config.json`` / ``chat_template.json``
and ``*.jinja`` files. The walk flags what an escape needs: special or private attributes (``__globals__``,
``_TemplateReference__context``), attribute walks from Jinja's globals (``cycler``, ``joiner``, ``lipsum``,
``namespace``, ``range``, ``self``), the ``attr`` filter with a computed name, ``attribute=`` arguments and
``str.format`` fields that reach attributes, ``import``/``include``/``extends``, and free names such as ``os``
or ``popen``. Names assembled from pieces (``'__cla' ~ 'ss__'``, ``'_' * 2``, ``|join``, ``|replace``,
``|reverse``, ``%``-formatting, slicing, through ``set``/``for``/``with``/macro arguments) are folded here
(Jinja's own ``as_const`` would call filters, which is evaluation). A name that cannot be folded and
reaches a subscript or attribute lookup is reported as a computed access.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import Environment, TemplateError
from jinja2 import nodes as n
from jinja2.ext import Extension
from jinja2.parser import Parser

from aibom.checks.unsafe_other import TEMPLATE_DYNAMIC, TEMPLATE_INJECTION, TEMPLATE_UNCHECKED
from aibom.findings import Check, Finding
from aibom.formats.interface import InspectContext

DUNDER = re.compile(r"__[A-Za-z][A-Za-z0-9_]*__")
MANGLED = re.compile(r"^_[A-Za-z][A-Za-z0-9]*__[A-Za-z]")
WALK_GLOBALS = frozenset({"cycler", "joiner", "lipsum", "namespace", "range", "self", "dict"})
"""Jinja's default globals: attribute walks from them lead to ``__globals__`` and Python builtins."""
DANGEROUS_NAMES = frozenset(
    str.split(
        "os sys subprocess popen system eval exec compile open __import__ importlib import_module "
        "builtins __builtins__ getattr setattr delattr globals locals vars breakpoint input posix nt"
    )
)
"""Free names no chat-rendering context defines: a template using them expects Python itself."""
DANGEROUS_ATTRS = frozenset(
    str.split(
        "os sys subprocess popen system eval exec compile builtins importlib import_module load_module "
        "posix nt pty shutil socket ctypes check_output check_call getoutput getstatusoutput Popen spawnl "
        "spawnv spawnve spawnlp execv execve execl execlp fork mro func_globals func_code f_globals "
        "f_locals f_builtins f_back gi_frame gi_code cr_frame cr_code ag_frame ag_code tb_frame co_code "
        "im_func im_class im_self"
    )
)
"""Attributes that lead only to the interpreter, the process or the filesystem."""
ATTRIBUTE_FILTERS = frozenset(
    {"map", "selectattr", "rejectattr", "groupby", "sort", "sum", "unique", "min", "max", "join"}
)
"""Filters whose ``attribute`` argument Jinja resolves with ``getattr`` (dotted paths allowed)."""
_POSITIONAL_ATTRIBUTE = frozenset({"selectattr", "rejectattr", "groupby"})
_FORMAT_FIELD = re.compile(r"\{[^{}]*[.\[][^{}]*\}")
MAX_CONSTS = 64
"""Possible constant values kept per expression; beyond this the value counts as computed."""
MAX_CONST_LEN = 4096
"""Longest folded string; longer results count as computed (bounds ``'_' * 10**9``)."""
MAX_FOLD_DEPTH = 200
"""Expression nesting followed while folding; deeper expressions count as computed."""
_FOLD_PASSES = 4
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
class TemplateIssue:
    check: Check
    message: str
    line: int | None = None


class _GenerationBlock(Extension):
    """transformers' ``{% generation %}...{% endgeneration %}`` block, parsed as a plain scope."""

    tags = {"generation"}  # noqa: RUF012 - jinja2's class attribute

    def parse(self, parser: Parser) -> n.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return n.Scope(body, lineno=lineno)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Parse-only (never used to render, so autoescape is irrelevant) with the extensions chat
    templates use: transformers adds ``loopcontrols`` and ``generation``; ``do`` is accepted too."""
    extensions: list[str | type[Extension]] = [
        "jinja2.ext.loopcontrols",
        "jinja2.ext.do",
        _GenerationBlock,
    ]
    return Environment(extensions=extensions)  # noqa: S701


def parse_template(source: str) -> tuple[n.Template | None, str | None]:
    """The syntax tree, or why it cannot be built."""
    try:
        return _environment().parse(source), None
    except TemplateError as exc:
        return None, f"not valid Jinja2 ({exc.message}, line {getattr(exc, 'lineno', '?')})"
    except RecursionError:
        return None, "nested too deeply to parse"
    except (UnicodeError, ValueError, OverflowError, MemoryError) as exc:
        return None, f"not parseable ({type(exc).__name__})"


def check_template(source: object, max_bytes: int) -> list[TemplateIssue]:
    """Issues in one template (empty when it is clean)."""
    if not isinstance(source, str):
        return [
            TemplateIssue(TEMPLATE_UNCHECKED, f"template is a {type(source).__name__}, not text")
        ]
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return [TemplateIssue(TEMPLATE_UNCHECKED, f"template of {size} bytes exceeds {max_bytes}")]
    tree, problem = parse_template(source)
    if tree is None:
        return [TemplateIssue(TEMPLATE_UNCHECKED, f"template is {problem}")]
    try:
        found = _Walker(tree).issues()
    except RecursionError:
        found = [TemplateIssue(TEMPLATE_UNCHECKED, "template is nested too deeply to check")]
    unique: dict[tuple[str, str], TemplateIssue] = {}
    for issue in found:
        unique.setdefault((issue.check.id, issue.message), issue)
    for name in WALK_GLOBALS:  # a walk already says it: drop the plain mention
        if (TEMPLATE_INJECTION.id, f"walks attributes of Jinja global {name!r}") in unique:
            unique.pop((TEMPLATE_DYNAMIC.id, f"uses Jinja global {name!r}"), None)
    return sorted(unique.values(), key=lambda i: (-int(i.check.severity), i.line or 0, i.message))


def template_findings(ctx: InspectContext, source: object, where: str) -> list[Finding]:
    """At most one finding per check for one template, naming what was found and where."""
    issues = check_template(source, ctx.limits.max_template_bytes)
    findings: list[Finding] = []
    for check in (TEMPLATE_INJECTION, TEMPLATE_DYNAMIC, TEMPLATE_UNCHECKED):
        mine = [i for i in issues if i.check is check]
        if not mine or (check is TEMPLATE_DYNAMIC and findings):
            continue
        shown = "; ".join(i.message + (f" (line {i.line})" if i.line else "") for i in mine[:5])
        more = f"; and {len(mine) - 5} more" if len(mine) > 5 else ""
        findings.append(ctx.finding(check, f"{where}: {shown}{more}", evidence=where))
    return findings


def bad_name(name: str) -> bool:
    """An attribute name only an escape needs: special, private or interpreter-level."""
    return name.startswith("_") or name in DANGEROUS_ATTRS or bool(DUNDER.search(name))


def _special(text: str) -> bool:
    return bool(DUNDER.search(text) or MANGLED.match(text))


def _iter_nodes(tree: n.Node) -> Iterator[n.Node]:
    """Every node, iteratively (a deep template must not exhaust the Python stack)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.iter_child_nodes())


# ---------------------------------------------------------------- constant folding


@dataclass(frozen=True)
class Val:
    """What an expression may evaluate to, as far as the template alone decides: constant strings, and
    whether it may also be a string assembled at render time from parts not known statically."""

    consts: frozenset[str] = frozenset()
    built: bool = False

    def __or__(self, other: Val) -> Val:
        return _capped(self.consts | other.consts, self.built or other.built)

    @property
    def stringish(self) -> bool:
        return bool(self.consts) or self.built


OPAQUE, BUILT, EMPTY = Val(), Val(built=True), Val(frozenset({""}))


def _capped(consts: Iterable[str], built: bool) -> Val:
    given = set(consts)
    kept = {c for c in given if len(c) <= MAX_CONST_LEN}
    built = built or len(kept) != len(given)
    if len(kept) > MAX_CONSTS:
        kept, built = set(sorted(kept)[:MAX_CONSTS]), True
    return Val(frozenset(kept), built)


@dataclass
class Env:
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
        env.cache[key] = _fold(node, env, depth + 1) if depth < MAX_FOLD_DEPTH else BUILT
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
    return _concat([left, right]) if left.stringish or right.stringish else OPAQUE


def _fold_mul(node: n.Mul, env: Env, depth: int) -> Val:
    left, right = val(node.left, env, depth), val(node.right, env, depth)
    return _repeat(left, node.right) | _repeat(right, node.left)


def _union(values: Iterable[Val]) -> Val:
    out = OPAQUE
    for value in values:
        out = out | value
    return out


def _concat(parts: list[Val]) -> Val:
    combos: set[str] = {""}
    for part in parts:
        if not part.consts:
            return BUILT
        combos = {a + b for a in combos for b in part.consts if len(a) + len(b) <= MAX_CONST_LEN}
        if not combos or len(combos) > MAX_CONSTS:
            return BUILT
    return _capped(combos, any(p.built for p in parts))


def _literal(node: n.Node | None) -> object:
    """A constant argument (string, number, negative number or tuple of them), else None."""
    if isinstance(node, n.Const) and type(node.value) in (str, int, float):
        return node.value
    if isinstance(node, n.Neg) and isinstance(node.node, n.Const) and type(node.node.value) is int:
        return -node.node.value
    if isinstance(node, n.Tuple):
        items = [_literal(item) for item in node.items]
        return None if any(i is None for i in items) else tuple(items)
    return None


def _repeat(text: Val, count_node: n.Node) -> Val:
    count = _literal(count_node)
    if not text.stringish:
        return OPAQUE
    if type(count) is not int or not 0 <= count <= MAX_CONST_LEN:
        return BUILT
    return _capped({s * count for s in text.consts if len(s) * count <= MAX_CONST_LEN}, text.built)


def _percent(fmt: Val, args: object) -> Val:
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
    return _capped(out, fmt.built)


def _filter_val(node: n.Filter, env: Env, depth: int) -> Val:
    base = val(node.node, env, depth)
    if node.name in ("default", "d"):
        return base | (val(node.args[0], env, depth) if node.args else OPAQUE)
    if node.name == "join":
        items = _sequence(node.node, env)
        if items is None or node.kwargs:
            return BUILT if base.stringish else OPAQUE
        sep = val(node.args[0], env, depth) if node.args else EMPTY
        return _joined(sep, [val(i, env, depth) for i in items])
    if node.name == "format":
        args = [_literal(a) for a in node.args]
        packed = (
            None if None in args or node.kwargs else (args[0] if len(args) == 1 else tuple(args))
        )
        return _percent(base, packed)
    if not base.stringish:
        return OPAQUE
    if node.name == "replace" and len(node.args) >= 2:
        old, new = _literal(node.args[0]), _literal(node.args[1])
        if isinstance(old, str) and isinstance(new, str) and old:
            return _capped({s.replace(old, new) for s in base.consts}, base.built)
    unary = _UNARY_FILTERS.get(node.name)
    if unary is not None and not node.args:
        return _capped({unary(s) for s in base.consts}, base.built)
    return BUILT


def _joined(sep: Val, items: list[Val]) -> Val:
    parts = [x for i, item in enumerate(items) for x in ([sep] if i else []) + [item]]
    return _concat(parts) if parts else EMPTY


def _sequence(node: n.Node | None, env: Env) -> list[n.Expr] | None:
    if isinstance(node, (n.List, n.Tuple)):
        return list(node.items)
    if isinstance(node, n.Name):
        return env.lists.get(node.name)
    if isinstance(node, n.Const) and isinstance(node.value, str) and len(node.value) <= MAX_CONSTS:
        return [n.Const(c) for c in node.value]
    return None


def _getitem_val(base: Val, arg: n.Node) -> Val:
    if not base.stringish:
        return OPAQUE
    if isinstance(arg, n.Slice):
        parts = (arg.start, arg.stop, arg.step)
        bounds = [None if x is None else _literal(x) for x in parts]
        if any(type(b) is not int for b, x in zip(bounds, parts, strict=True) if x is not None):
            return BUILT
        start, stop, step = (b if type(b) is int else None for b in bounds)
        if step == 0:
            return OPAQUE
        return _capped({s[start:stop:step] for s in base.consts}, base.built)
    index = _literal(arg)
    if type(index) is int:
        return _capped({s[index] for s in base.consts if -len(s) <= index < len(s)}, base.built)
    return BUILT


def _call_val(node: n.Call, env: Env, depth: int) -> Val:
    target = node.node
    if isinstance(target, n.Name) and target.name in env.macros:
        return _body_val(env.macros[target.name].body, env, depth)
    if isinstance(target, n.Getattr) and val(target.node, env, depth).stringish:
        return BUILT  # a str method on a template-made string: anything
    return OPAQUE


def _body_val(body: list[n.Node], env: Env, depth: int) -> Val:
    """What a macro body or ``{% set x %}`` block outputs, when it is only text and expressions."""
    if not all(isinstance(stmt, n.Output) for stmt in body):
        return BUILT
    parts = [val(item, env, depth) for stmt in body for item in stmt.iter_child_nodes()]
    return _concat(parts) if parts else EMPTY


_FOLDERS: tuple[tuple[type | tuple[type, ...], _Fold], ...] = (
    (n.Const, lambda x, e, d: Val(frozenset({x.value})) if isinstance(x.value, str) else OPAQUE),
    (n.TemplateData, lambda x, e, d: Val(frozenset({x.data}))),
    (n.Name, _fold_name),
    (n.Getattr, _fold_getattr),
    (n.Concat, lambda x, e, d: _concat([val(p, e, d) for p in x.nodes])),
    (n.Add, _fold_add),
    (n.Mul, _fold_mul),
    (n.Mod, lambda x, e, d: _percent(val(x.left, e, d), _literal(x.right))),
    (n.CondExpr, lambda x, e, d: val(x.expr1, e, d) | val(x.expr2, e, d)),
    ((n.List, n.Tuple), lambda x, e, d: _union(val(i, e, d) for i in x.items)),
    (n.Filter, _filter_val),
    (n.Getitem, lambda x, e, d: _getitem_val(val(x.node, e, d), x.arg)),
    (n.Call, _call_val),
)


# ---------------------------------------------------------------- bindings

Site = tuple[str, Callable[[], Val]]


def bind_all(tree: n.Template) -> Env:
    """Bind every name the template sets (``set``, ``for``, ``with``, macro and call-block parameters)
    to the join of everything assigned to it, iterating to a fixed point."""
    every = list(_iter_nodes(tree))
    env = Env(macros={m.name: m for m in every if isinstance(m, n.Macro)})
    env.call_blocks = [c for c in every if isinstance(c, n.CallBlock)]
    env.bound.update(env.macros)
    sites = [site for node in every for site in _sites(node, env)]
    for _ in range(_FOLD_PASSES):
        env.cache.clear()
        fresh: dict[str, Val] = {}
        for name, compute in sites:
            fresh[name] = fresh.get(name, OPAQUE) | compute()
        if fresh == env.values:
            break
        env.values = fresh
    else:  # still growing (self-referencing loops): whatever it holds may be anything
        env.values = {k: v | BUILT if v.stringish else v for k, v in env.values.items()}
    env.cache.clear()
    return env


def _sites(node: n.Node, env: Env) -> list[Site]:
    if isinstance(node, n.Assign):
        return _assign(node.target, node.node, env)
    if isinstance(node, n.AssignBlock):
        return _bind(node.target, lambda: _body_val(node.body, env, 0), env)
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
    seq = _sequence(iterable, env)
    if seq is not None:
        return _union(val(item, env) for item in seq)
    whole = val(iterable, env)
    return _capped({c for s in whole.consts for c in s}, whole.built) if whole.stringish else whole


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


# ---------------------------------------------------------------- the walk


class _Walker:
    def __init__(self, tree: n.Template) -> None:
        self.tree = tree
        self.env = bind_all(tree)
        self.found: list[TemplateIssue] = []

    def issues(self) -> list[TemplateIssue]:
        handlers: dict[type, Callable[[Any], None]] = {
            n.Getattr: self._getattr,
            n.Getitem: self._getitem,
            n.Filter: self._filter,
            n.Call: self._call,
            n.Name: self._name,
            n.Keyword: self._keyword,
        }
        for node in _iter_nodes(self.tree):
            if isinstance(node, (n.Import, n.FromImport, n.Include, n.Extends)):
                self._hit(
                    TEMPLATE_INJECTION, f"'{type(node).__name__}' loads other templates", node
                )
            handler = handlers.get(type(node))
            if handler is not None:
                handler(node)
            if isinstance(node, n.Expr) and not isinstance(node, (n.Name, n.TemplateData)):
                for text in sorted(val(node, self.env).consts):
                    if _special(text):
                        self._hit(TEMPLATE_INJECTION, f"names special attribute {text!r}", node)
        return self.found

    def _hit(self, check: Check, message: str, node: n.Node) -> None:
        self.found.append(TemplateIssue(check, message, getattr(node, "lineno", None)))

    def _global(self, node: n.Node) -> str | None:
        """The Jinja global (a name the template does not set) that ``node`` is, if any."""
        if isinstance(node, n.Name) and node.name not in self.env.bound:
            return node.name if node.name in WALK_GLOBALS else None
        return None

    def _getattr(self, node: n.Getattr) -> None:
        if bad_name(node.attr):
            self._hit(TEMPLATE_INJECTION, f"accesses attribute {node.attr!r}", node)
        if base := self._global(node.node):
            self._hit(TEMPLATE_INJECTION, f"walks attributes of Jinja global {base!r}", node)

    def _getitem(self, node: n.Getitem) -> None:
        key = val(node.arg, self.env)
        for text in sorted(key.consts):
            if _special(text):
                self._hit(TEMPLATE_INJECTION, f"subscript reaches attribute {text!r}", node)
        if key.built:
            self._hit(TEMPLATE_DYNAMIC, "subscript with a key computed at render time", node)
        if (
            isinstance(node.node, n.Name)
            and node.node.name == "loop"
            and type(_literal(node.arg)) is not int
        ):
            # LoopContext is not a container: Jinja falls back to getattr, with a key the data chooses
            self._hit(TEMPLATE_DYNAMIC, "subscript of the loop object (an attribute lookup)", node)
        if base := self._global(node.node):
            self._hit(TEMPLATE_INJECTION, f"walks items of Jinja global {base!r}", node)

    def _filter(self, node: n.Filter) -> None:
        if node.name == "attr":
            name = val(node.args[0], self.env) if node.args else BUILT
            computed = name.built or not name.consts or node.dyn_args or node.dyn_kwargs
            self._names(node, name, bool(computed), TEMPLATE_INJECTION, bad_name)
        elif node.name in ATTRIBUTE_FILTERS:
            for arg in _attribute_args(node, self.env):
                name = val(arg, self.env)
                self._names(node, name, name.built or not name.consts, TEMPLATE_DYNAMIC, _bad_path)
            if node.name == "map" and node.args and not val(node.args[0], self.env).consts:
                self._hit(TEMPLATE_DYNAMIC, "'map' applies a filter chosen at render time", node)

    def _names(
        self, node: n.Filter, name: Val, computed: bool, check: Check, bad: Callable[[str], bool]
    ) -> None:
        for text in sorted(name.consts):
            if bad(text):
                self._hit(TEMPLATE_INJECTION, f"'{node.name}' filter reaches {text!r}", node)
        if computed:
            self._hit(check, f"'{node.name}' filter with a computed attribute name", node)

    def _call(self, node: n.Call) -> None:
        target = node.node
        if not (isinstance(target, n.Getattr) and target.attr in ("format", "format_map")):
            return
        receiver = val(target.node, self.env)
        for text in sorted(receiver.consts):
            if _FORMAT_FIELD.search(text):
                self._hit(
                    TEMPLATE_INJECTION, f"str.format field reaches attributes: {text!r}", node
                )
        if receiver.built or not receiver.consts:
            self._hit(TEMPLATE_DYNAMIC, "str.format on a string computed at render time", node)

    def _name(self, node: n.Name) -> None:
        if node.ctx != "load" or node.name in self.env.bound:
            return
        if node.name in DANGEROUS_NAMES or DUNDER.fullmatch(node.name):
            self._hit(TEMPLATE_INJECTION, f"uses Python name {node.name!r}", node)
        elif node.name in ("cycler", "joiner", "lipsum", "self"):
            self._hit(TEMPLATE_DYNAMIC, f"uses Jinja global {node.name!r}", node)

    def _keyword(self, node: n.Keyword) -> None:
        if bad_name(node.key):
            self._hit(TEMPLATE_INJECTION, f"keyword argument named {node.key!r}", node)


def _bad_path(path: str) -> bool:
    return any(bad_name(part) for part in path.split("."))


def _attribute_args(node: n.Filter, env: Env) -> Iterator[n.Expr]:
    yield from (kw.value for kw in node.kwargs if kw.key == "attribute")
    if node.name in _POSITIONAL_ATTRIBUTE and node.args:
        yield node.args[0]
    if node.name == "map" and len(node.args) >= 2 and "attr" in val(node.args[0], env).consts:
        yield node.args[1]
