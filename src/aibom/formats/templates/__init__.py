"""Static check of chat templates for Jinja2 server-side template injection. Parsing is not rendering:
``Environment.parse`` builds the syntax tree; nothing in the template is evaluated or called.

Shared by GGUF (every ``tokenizer.chat_template*`` key), ``tokenizer_config.json`` / ``chat_template.json``
and ``*.jinja`` files. The walk flags what an escape needs: special or private attributes (``__globals__``,
``_TemplateReference__context``), attribute walks from Jinja's globals (``cycler``, ``joiner``, ``lipsum``,
``namespace``, ``range``, ``self``), the ``attr`` filter with a computed name, ``attribute=`` arguments and
``str.format`` fields that reach attributes, ``import``/``include``/``extends``, and free names such as ``os``
or ``popen``. Names assembled from pieces (``'__cla' ~ 'ss__'``, ``'_' * 2``, ``|join``, ``|replace``,
``|reverse``, ``%``-formatting, slicing, through ``set``/``for``/``with``/macro arguments) are folded
statically (``aibom.formats.templates.fold``, with bindings from ``aibom.formats.templates.bind``; Jinja's
own ``as_const`` would call filters, which is evaluation). A name that cannot be folded and reaches a
subscript or attribute lookup is reported as a computed access.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, TemplateError
from jinja2 import nodes as n
from jinja2.ext import Extension
from jinja2.parser import Parser

from aibom.checks.unsafe_other import TEMPLATE_DYNAMIC, TEMPLATE_INJECTION, TEMPLATE_UNCHECKED
from aibom.findings import Check, Finding
from aibom.formats.interface import InspectContext
from aibom.formats.templates.bind import Site, bind_all, iter_nodes
from aibom.formats.templates.fold import (
    BUILT,
    EMPTY,
    OPAQUE,
    Env,
    Val,
    literal,
    val,
)
from aibom.limits import Limits

__all__ = [
    "ATTRIBUTE_FILTERS",
    "BUILT",
    "DANGEROUS_ATTRS",
    "DANGEROUS_NAMES",
    "DUNDER",
    "EMPTY",
    "MANGLED",
    "OPAQUE",
    "WALK_GLOBALS",
    "Env",
    "Site",
    "TemplateIssue",
    "Val",
    "bad_name",
    "bind_all",
    "check_template",
    "parse_template",
    "template_findings",
    "val",
]

DUNDER = re.compile(r"__[a-z][a-z0-9_]*__")
"""Python's special names are lower case (attribute lookup is case-sensitive, and the folder applies
``lower``/``upper``), so a sentinel string such as ``"__NOT_A_NUMBER__"`` (torch's own inductor
templates) names nothing."""
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


def check_template(source: object, limits: Limits) -> list[TemplateIssue]:
    """Issues in one template (empty when it is clean)."""
    max_bytes = limits.max_template_bytes
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
        found = _Walker(tree, limits).issues()
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
    issues = check_template(source, ctx.limits)
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


# ---------------------------------------------------------------- the walk


class _Walker:
    def __init__(self, tree: n.Template, limits: Limits) -> None:
        self.tree = tree
        self.env = bind_all(tree, limits)
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
        for node in iter_nodes(self.tree):
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
            and type(literal(node.arg)) is not int
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
