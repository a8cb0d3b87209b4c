"""Declarative transparency rules: find the packs, load and validate every rule, build a ``RuleSet``.

Shipped rules live in ``rules/<pack>/<ID>.yaml`` (one rule per file, optional ``_pack.yaml`` with the
pack's title) and are validated against ``schemas/rule.schema.json``. In an installed wheel both are
package data under ``aibom/_data/``; from a source checkout they are read next to ``src/``.
``data_root()`` is the one place that decides. Extra rule directories (``--rules DIR``) hold either rule
files (the directory is one pack, named after it) or pack sub-directories; a rule whose id matches a
shipped rule replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Protocol

from aibom.errors import AibomError, UsageError
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.rules.load import RuleFileError, parse_rule
from aibom.rules.model import (
    KINDS,
    Enforcement,
    FrameworkRef,
    Pack,
    Rule,
    RuleCase,
    RuleSet,
    Verdict,
)
from aibom.rules.yaml_marks import YamlError, load_yaml

__all__ = [
    "KINDS",
    "Enforcement",
    "FrameworkRef",
    "Pack",
    "Rule",
    "RuleCase",
    "RuleError",
    "RuleSet",
    "Verdict",
    "data_root",
    "load_rules",
]

MAX_ERRORS_SHOWN = 20
"""Broken rule files listed in one error; fix those and run again (an output cap, not in ``Limits``)."""
_SUFFIXES = (".yaml", ".yml")


class Resource(Protocol):
    """What both ``pathlib.Path`` and ``importlib.resources`` traversables offer."""

    @property
    def name(self) -> str: ...

    def is_dir(self) -> bool: ...

    def is_file(self) -> bool: ...

    def iterdir(self) -> Iterator[Resource]: ...

    def read_text(self, encoding: str | None = None) -> str: ...

    def joinpath(self, child: str, /) -> Resource: ...


class RuleError(AibomError):
    """Rule files that cannot be used; the message lists ``file:line:col: key: problem`` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_ERRORS_SHOWN])
        if len(problems) > len(shown):
            shown.append(f"... and {len(problems) - len(shown)} more")
        super().__init__(
            "invalid rules:\n  " + "\n  ".join(shown),
            hint="see docs/scoring.md (rule authors) and schemas/rule.schema.json",
        )
        self.problems = list(problems)


def data_root() -> Resource:
    """Where the shipped ``rules/`` and ``schemas/`` are: the wheel's ``aibom/_data`` when present,
    else the source checkout (the directory that holds ``src/``)."""
    packaged = resources.files("aibom").joinpath("_data")
    if packaged.joinpath("rules").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3]


def shipped_rules() -> Resource:
    rules = data_root().joinpath("rules")
    if not rules.is_dir():
        raise AibomError("the shipped rules were not found", hint="reinstall aibom")
    return rules


def schema_text() -> str:
    return data_root().joinpath("schemas").joinpath("rule.schema.json").read_text(encoding="utf-8")


@dataclass
class _Loader:
    schema: str
    limits: Limits
    rules: dict[str, Rule] = field(default_factory=dict)
    packs: dict[str, Pack] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    files: int = 0

    def tree(self, root: Resource, display: str, *, replace: bool) -> None:
        """Load a rules tree: pack sub-directories, or rule files directly (one pack named after it)."""
        seen: dict[str, str] = {}
        direct = [n for n in _children(root) if _is_rule_file(n)]
        if direct:
            self.pack(root, root.name or "custom", display, seen, replace=replace)
        for child in _children(root):
            if child.is_dir() and not child.name.startswith((".", "_")):
                self.pack(child, child.name, f"{display}/{child.name}", seen, replace=replace)

    def pack(
        self, folder: Resource, pack: str, display: str, seen: dict[str, str], *, replace: bool
    ) -> None:
        self.packs[pack] = self.pack_meta(folder, pack, display)
        for node in sorted(
            (n for n in _children(folder) if _is_rule_file(n)), key=lambda n: n.name
        ):
            self.files += 1
            if self.files > self.limits.max_rule_files:
                self.problems.append(
                    f"{display}: more than {self.limits.max_rule_files} rule files"
                )
                return
            self.one(node, f"{display}/{node.name}", pack, seen, replace=replace)

    def one(
        self, node: Resource, display: str, pack: str, seen: dict[str, str], *, replace: bool
    ) -> None:
        try:
            text = _read(node, display, self.limits)
            rule = parse_rule(text, display, pack, self.schema, self.limits)
        except RuleFileError as exc:
            self.problems.extend(exc.problems)
            return
        if rule.id in seen:
            self.problems.append(f"{display}: id {rule.id} is also used by {seen[rule.id]}")
            return
        if rule.id in self.rules and not replace:
            self.problems.append(
                f"{display}: id {rule.id} is also used by {self.rules[rule.id].source}"
            )
            return
        seen[rule.id] = display
        self.rules[rule.id] = rule

    def pack_meta(self, folder: Resource, pack: str, display: str) -> Pack:
        meta = folder.joinpath("_pack.yaml")
        if not meta.is_file():
            return self.packs.get(pack) or Pack(pack, pack)
        try:
            data = load_yaml(_read(meta, f"{display}/_pack.yaml", self.limits), self.limits).data
        except (YamlError, RuleFileError) as exc:
            self.problems.append(f"{display}/_pack.yaml: {exc}")
            return Pack(pack, pack)
        if not isinstance(data, dict) or not isinstance(data.get("title"), str):
            self.problems.append(f"{display}/_pack.yaml:1:1: title: a pack needs a title string")
            return Pack(pack, pack)
        return Pack(pack, data["title"].strip(), " ".join(str(data.get("description", "")).split()))


def _children(node: Resource) -> list[Resource]:
    try:
        return sorted(node.iterdir(), key=lambda n: n.name)
    except OSError:
        return []


def _is_rule_file(node: Resource) -> bool:
    return node.name.endswith(_SUFFIXES) and not node.name.startswith((".", "_")) and node.is_file()


def _read(node: Resource, display: str, limits: Limits) -> str:
    most = limits.max_rule_file_chars
    if (
        isinstance(node, Path) and node.stat().st_size > most * 4
    ):  # UTF-8: at most 4 bytes a character
        raise RuleFileError([f"{display}:1:1: file is larger than {most} characters"])
    try:
        return node.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RuleFileError([f"{display}:1:1: not UTF-8 text"]) from None
    except OSError as exc:
        raise RuleFileError([f"{display}:1:1: cannot read ({exc.strerror or exc})"]) from None


def load_rules(
    rule_dirs: Iterable[Path] = (),
    packs: Iterable[str] | None = None,
    *,
    shipped: bool = True,
    shipped_root: Resource | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RuleSet:
    """The shipped rules (unless ``shipped=False``) plus ``rule_dirs``, restricted to ``packs``; rule
    files are read, and their conditions later evaluated, within ``limits``.

    Raises ``RuleError`` listing every broken file, ``UsageError`` for an unknown pack name."""
    loader = _Loader(schema_text(), limits)
    version = "custom"
    if shipped:
        root = shipped_root or shipped_rules()
        loader.tree(root, "rules", replace=False)
        version_file = root.joinpath("VERSION")
        version = (
            version_file.read_text(encoding="utf-8").strip() if version_file.is_file() else "0"
        )
    extra = list(rule_dirs)
    for folder in extra:
        if not folder.is_dir():
            raise UsageError(f"rules directory {folder} does not exist")
        loader.tree(folder, str(folder), replace=True)
    if loader.problems:
        raise RuleError(loader.problems)
    if extra and shipped:
        version += "+local"
    ruleset = RuleSet(tuple(sorted(loader.rules.values(), key=_order)), loader.packs, version)
    try:
        return ruleset.select(packs)
    except KeyError as exc:
        names = ", ".join(sorted(ruleset.packs))
        raise UsageError(f"unknown pack {exc.args[0]}", hint=f"packs: {names}") from None


def _order(rule: Rule) -> tuple[str, str]:
    return rule.pack, rule.id
