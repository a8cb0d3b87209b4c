"""What an imported pickle global is: allowlisted, denylisted or unknown. Users extend both lists.

The allowlist is exact (module, name) pairs, in two grades: ``CALL`` objects may be called with arguments
from the file (tensor rebuilders, numpy reconstructors, pure constructors such as ``builtins.set``);
``NEW`` classes are safe only when *reconstructed* (NEWOBJ or the copyreg helpers, which never run
``__init__``): torch.nn modules, and classes of the ML libraries listed in ``NEW_PREFIXES``. The denylist
names callables that run code, spawn processes, touch files or the network, or reach such things
indirectly; a module entry covers its submodules. Dunder attribute walks (``__globals__``...) and
``*.__main__`` modules (which run on import) are denied by rule. Python 2 names (``cPickle``,
``commands``, ``__builtin__``) are judged under the names ``fix_imports`` maps them to.

User policy files are TOML::

    [allow]
    globals = ["mypkg.models:Net", "mypkg.layers.*"]   # exact module:name, or a module and submodules
    [deny]
    globals = ["mypkg.unsafe", "builtins:print"]       # a module (and submodules) or module:name

A denylisted entry always wins over an allowlisted one. The built-in lists are data in
``pickle_allowlist`` and ``pickle_denylist``; this module applies them.
"""

from __future__ import annotations

import _compat_pickle
import enum
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from aibom.errors import UsageError
from aibom.formats.pickle.allowlist import CALL, CALL_CLASS_MODULES, NEW, NEW_PREFIXES
from aibom.formats.pickle.denylist import DENY_MODULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "CALL_CLASS_MODULES",
    "DEFAULT_POLICY",
    "NEW_PREFIXES",
    "Grade",
    "Judgement",
    "Policy",
    "active_policy",
    "load_policy",
    "map_py2",
    "use_policy",
]


class Grade(enum.Enum):
    CALL = "allowlisted"
    NEW = "allowlisted for reconstruction only"
    DENY = "denylisted"
    UNKNOWN = "not allowlisted"


@dataclass(frozen=True)
class Judgement:
    grade: Grade
    name: str
    """``module.name`` as the unpickler resolves it (after Python 2 name mapping)."""
    reason: str = ""


_DUNDER = re.compile(r"^__\w+__$")
_DUNDER_OK = frozenset({("copyreg", "__newobj__"), ("copyreg", "__newobj_ex__")})
_CLASS_NAME = re.compile(r"^_*[A-Z][A-Za-z0-9_]*$")
_ENTRY = re.compile(r"^[A-Za-z_][\w.]*(?::[A-Za-z_][\w.]*|\.\*)?$")


def _expand(table: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((module, name) for module, names in table.items() for name in names.split())


def map_py2(module: str, name: str) -> tuple[str, str]:
    """The names CPython's ``fix_imports`` substitutes for protocol 0-2 pickles."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, name)]
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _covers(prefix: str, dotted: str) -> bool:
    return dotted == prefix or dotted.startswith(prefix + ".")


@dataclass(frozen=True)
class Policy:
    call: frozenset[tuple[str, str]] = _expand(CALL)
    new: frozenset[tuple[str, str]] = _expand(NEW)
    deny: tuple[tuple[str, str], ...] = tuple(DENY_MODULES.items())
    allow_prefixes: tuple[str, ...] = ()
    deny_pairs: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def judge(self, module: str, name: str, proto: int) -> Judgement:
        """How the global ``module name`` read under protocol ``proto`` is classified."""
        eff_module, eff_name = map_py2(module, name) if proto < 3 else (module, name)
        denied = self._denied(*map_py2(module, name)) or self._denied(module, name)
        dotted = f"{eff_module}.{eff_name}"
        if denied:
            return Judgement(Grade.DENY, dotted, denied)
        if (eff_module, eff_name) in self.call or self._user_allowed(eff_module):
            return Judgement(Grade.CALL, dotted)
        if self._call_by_rule(eff_module, eff_name):
            return Judgement(Grade.CALL, dotted)
        if eff_module == "__torch__" or eff_module.startswith("__torch__."):
            return Judgement(
                Grade.CALL, dotted, "TorchScript class, resolved from the archive's code/"
            )
        if (eff_module, eff_name) in self.new or self._new_by_rule(eff_module, eff_name):
            return Judgement(Grade.NEW, dotted)
        return Judgement(Grade.UNKNOWN, dotted)

    def _denied(self, module: str, name: str) -> str:
        dotted = f"{module}.{name}"
        if any(module == m and (name == n or name.startswith(n + ".")) for m, n in self.deny_pairs):
            return _USER
        reasons = [
            why for prefix, why in self.deny if _covers(prefix, module) or _covers(prefix, dotted)
        ]
        if _USER in reasons:
            return _USER
        if (module, name) in _BUILTIN_CALL:
            return ""  # an exact built-in allow entry beats a built-in module-wide deny
        if (module, name) not in _DUNDER_OK and any(_DUNDER.match(p) for p in name.split(".")):
            return "walks interpreter internals through a dunder attribute"
        if module.rsplit(".", maxsplit=1)[-1] == "__main__" and module != "__main__":
            return "a __main__ module runs its program when imported"
        return reasons[0] if reasons else ""

    def _user_allowed(self, module: str) -> bool:
        return any(_covers(prefix, module) for prefix in self.allow_prefixes)

    @staticmethod
    def _call_by_rule(module: str, name: str) -> bool:
        return bool(_CLASS_NAME.match(name)) and any(_covers(p, module) for p in CALL_CLASS_MODULES)

    @staticmethod
    def _new_by_rule(module: str, name: str) -> bool:
        return bool(_CLASS_NAME.match(name)) and any(_covers(p, module) for p in NEW_PREFIXES)

    def extended(self, allow: Iterable[str] = (), deny: Iterable[str] = ()) -> Policy:
        """This policy plus user entries (see the module docstring for their syntax)."""
        pairs, prefixes = set(self.call), list(self.allow_prefixes)
        for entry in allow:
            if entry.endswith(".*"):
                prefixes.append(entry[:-2])
            else:
                pairs.add(_split(entry))
        deny_pairs, deny_mods = set(self.deny_pairs), list(self.deny)
        for entry in deny:
            if ":" in entry:
                deny_pairs.add(_split(entry))
            else:
                deny_mods.append((entry, _USER))
        return Policy(
            frozenset(pairs), self.new, tuple(deny_mods), tuple(prefixes), frozenset(deny_pairs)
        )


_USER = "denied by the user policy"
_BUILTIN_CALL = _expand(CALL)


def _split(entry: str) -> tuple[str, str]:
    module, _, name = entry.partition(":") if ":" in entry else entry.rpartition(".")
    return module, name


DEFAULT_POLICY = Policy()

_ACTIVE: ContextVar[Policy] = ContextVar("aibom_pickle_policy", default=DEFAULT_POLICY)


def active_policy() -> Policy:
    """The policy inspections use: the default, or the one installed with ``use_policy``."""
    return _ACTIVE.get()


@contextmanager
def use_policy(policy: Policy) -> Iterator[Policy]:
    """Inspect with ``policy`` inside the ``with`` block (per thread / context)."""
    token = _ACTIVE.set(policy)
    try:
        yield policy
    finally:
        _ACTIVE.reset(token)


def load_policy(path: Path, base: Policy = DEFAULT_POLICY) -> Policy:
    """Read a TOML policy file; usage errors name the file and the offending entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read policy file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"policy file {path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"allow", "deny"}
    if unknown:
        raise UsageError(
            f"policy file {path}: unknown table(s) {', '.join(sorted(unknown))}",
            hint="a policy file has only [allow] and [deny] tables, each with a globals list",
        )
    return base.extended(_entries(path, data, "allow"), _entries(path, data, "deny"))


def _entries(path: Path, data: dict[str, object], table: str) -> list[str]:
    section = data.get(table, {})
    if not isinstance(section, dict) or set(section) - {"globals"}:
        raise UsageError(f"policy file {path}: [{table}] may only hold 'globals = [...]'")
    values = section.get("globals", [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UsageError(f"policy file {path}: [{table}] globals must be a list of strings")
    for value in values:
        if not _ENTRY.match(value) or (table == "allow" and "." not in value and ":" not in value):
            raise UsageError(
                f"policy file {path}: [{table}] entry {value!r} is not a global",
                hint="write 'module:name' for one object, 'module.*' for a module and its "
                "submodules (allow), or 'module' (deny)",
            )
    return list(values)
