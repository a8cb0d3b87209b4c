"""pip requirements files (``requirements*.txt``, pip-tools ``*.in``), read without pip.

pip's parser (``pip._internal.req.req_file``) is not a public API, so this module re-implements
the documented file format: line continuations, comments, ``-r``/``-c`` includes relative to the
including file, ``-e``, per-requirement ``--hash`` and the global options (which are ignored).
Each requirement itself is parsed by ``packaging.requirements.Requirement``. Environment markers
are kept as text and not evaluated: the target platform is not known.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from aibom import checks
from aibom.findings import Finding, Skipped
from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import InputKind, Package, PackageCollection, PackageInput

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_EGG_RE = re.compile(r"[#&]egg=([^&]+)")
_EXTRAS_RE = re.compile(r"^(.+?)(\[[^\]]*\])$")
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")

_OPTION_NAMES = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
    "-e": "editable",
    "--editable": "editable",
    "--hash": "hash",
}
_IGNORED_WITH_VALUE = frozenset(
    {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
     "--no-binary", "--only-binary", "--use-feature", "--global-option", "--config-settings",
     "-C", "--install-option", "--progress-bar"}
)  # fmt: skip
_INCLUDE_SUFFIXES = (".txt", ".in")
_NOT_FOLLOWED = "include not followed: only .txt and .in files are read as requirements"
"""A hostile file could include ``-r /home/u/.ssh/id_rsa``: its lines would surface as package
names in the BOM. Requirement files are .txt (pip) or .in (pip-tools) in practice."""
_IGNORED_FLAGS = frozenset({"--pre", "--no-index", "--prefer-binary", "--require-hashes"})


@dataclass
class _Entry:
    package: Package
    line: int
    specifier: SpecifierSet | None


@dataclass
class _Tree:
    limits: Limits
    out: PackageCollection = field(default_factory=PackageCollection)
    entries: list[_Entry] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)
    stack: list[Path] = field(default_factory=list)
    visited: set[tuple[Path, bool]] = field(default_factory=set)


@dataclass(frozen=True)
class _Where:
    """The file being read, the line within it, and whether its entries are constraints."""

    path: Path
    display: str
    depth: int
    constraint: bool
    line: int = 0


def parse_requirements(inp: PackageInput, limits: Limits) -> PackageCollection:
    tree = _Tree(limits)
    _parse_file(_Where(inp.path, inp.display, 0, constraint=False), tree)
    _finish(tree)
    return tree.out


def _parse_file(where: _Where, tree: _Tree) -> None:
    try:
        key = where.path.resolve()
    except (OSError, RuntimeError) as exc:
        tree.out.skipped.append(Skipped(where.display, f"cannot resolve path: {exc}"))
        return
    if (key, where.constraint) in tree.visited:
        return  # included twice (not a cycle): pip would read the same lines again
    text = c.read_text(where.path, where.display, tree.limits, tree.out)
    if text is None:
        return
    tree.visited.add((key, where.constraint))
    tree.stack.append(key)
    for number, line in logical_lines(text):
        _parse_line(line, dataclasses.replace(where, line=number), tree)
    tree.stack.pop()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line number, logical line) with continuations joined and comments removed,
    in the same order of steps as pip (join, then strip comments)."""
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        is_comment = _COMMENT_RE.match(line) is not None
        if line.endswith("\\") and not is_comment:
            start = start if pending else number
            pending.append(line[:-1])
            continue
        tail = " " + line if is_comment else line
        joined, first = ("".join([*pending, tail]), start) if pending else (tail, number)
        pending = []
        if stripped := _COMMENT_RE.sub("", joined).strip():
            yield first, stripped
    if pending and (stripped := _COMMENT_RE.sub("", "".join(pending)).strip()):
        yield start, stripped


def _split_args(line: str) -> tuple[str, str]:
    """pip's split: leading tokens up to the first one starting with ``-`` are the requirement."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), " ".join(tokens[index:])
    return line.strip(), ""


def _parse_options(text: str) -> list[tuple[str, str]]:
    """(canonical name, value) for the options that matter; ValueError for unknown options."""
    tokens = shlex.split(text)
    result: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.startswith("--"):
            name, eq, value = token.partition("=")
        else:  # short options take their value attached ("-rbase.txt") or as the next token
            name, eq, value = (token[:2], "=", token[2:]) if len(token) > 2 else (token, "", "")
        if name in _IGNORED_FLAGS:
            continue
        if name not in _OPTION_NAMES and name not in _IGNORED_WITH_VALUE:
            raise ValueError(f"unknown option {token[:40]!r}")
        if not eq:
            if index >= len(tokens):
                raise ValueError(f"option {name} needs a value")
            value, index = tokens[index], index + 1
        if name in _OPTION_NAMES:
            result.append((_OPTION_NAMES[name], value))
    return result


def _parse_line(line: str, where: _Where, tree: _Tree) -> None:
    args, rest = _split_args(line)
    try:
        options = _parse_options(rest)
    except ValueError as exc:
        _malformed(tree, where, f"cannot parse line {where.line}: {exc}")
        return
    hashes = c.unique_hashes(c.parse_hash(v) for k, v in options if k == "hash")
    for kind, value in options:
        if kind in {"requirement", "constraint"}:
            _include(value, where, tree, constraint=where.constraint or kind == "constraint")
        elif kind == "editable":
            _add(_url_requirement(value, where, editable=True), where, tree)
    if args:
        entry = _requirement(args, where, tree)
        if entry is not None:
            entry.package.hashes = hashes
            _add(entry, where, tree)


def _malformed(tree: _Tree, where: _Where, message: str) -> None:
    c.malformed(tree.out, where.display, message, evidence=f"line {where.line}")


def _add(entry: _Entry, where: _Where, tree: _Tree) -> None:
    if not where.constraint:
        tree.entries.append(entry)
    elif entry.package.version is not None:
        tree.constraints.setdefault(entry.package.normalized_name, entry.package.version)


def _include(target: str, where: _Where, tree: _Tree, *, constraint: bool) -> None:
    display = _include_display(where.display, target)
    if _SCHEME_RE.match(target):
        tree.out.skipped.append(Skipped(display, "remote requirements file not fetched"))
        return
    path = where.path.parent / target
    if where.depth + 1 > tree.limits.max_requirements_depth:
        message = (
            f"includes nest deeper than {tree.limits.max_requirements_depth}; {target} not read"
        )
        tree.out.findings.append(
            Finding(checks.LIMIT_REACHED, where.display, message, evidence=f"line {where.line}")
        )
        return
    try:
        exists = path.exists()
    except OSError as exc:  # a name longer than NAME_MAX, a loop of links
        exists, problem = False, f": {exc.strerror or exc}"
    else:
        problem = ""
    if not exists:
        reason = f"included from {where.display} line {where.line}, but the file does not exist"
        reason += problem
        tree.out.skipped.append(Skipped(display, reason))
        return
    if _resolved(path) in tree.stack:
        _malformed(tree, where, f"include cycle: {target} is already being read")
        return
    if not path.name.lower().endswith(_INCLUDE_SUFFIXES):
        tree.out.skipped.append(Skipped(display, _NOT_FOLLOWED))
        return
    _parse_file(_Where(path, display, where.depth + 1, constraint), tree)


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _include_display(parent: str, target: str) -> str:
    target = target.replace("\\", "/")
    if target.startswith("/") or _SCHEME_RE.match(target):
        return target
    return posixpath.normpath(posixpath.join(posixpath.dirname(parent), target))


def _new_package(name: str, where: _Where) -> Package:
    package = Package(name, None, where.display, InputKind.REQUIREMENTS)
    package.properties[c.PROP_LINE] = str(where.line)
    return package


def _requirement(args: str, where: _Where, tree: _Tree) -> _Entry | None:
    """A PEP 508 requirement, or a bare URL / path (``./pkg.whl``, ``git+https://…#egg=x``)."""
    if _is_url_or_path(args):
        return _url_requirement(args, where, editable=False)
    try:
        req = Requirement(args)
    except InvalidRequirement as exc:
        _malformed(tree, where, f"cannot parse line {where.line}: {c.first_line(exc)}")
        return None
    package = _new_package(req.name, where)
    package.version = c.exact_pin(req)
    package.extras = tuple(sorted(req.extras))
    package.marker = str(req.marker) if req.marker is not None else None
    package.url = req.url
    if package.version is None:
        extras = f"[{','.join(package.extras)}]" if package.extras else ""
        detail = f" @ {req.url}" if req.url else str(req.specifier)
        package.specifier = f"{req.name}{extras}{detail}"
    return _Entry(package, where.line, req.specifier if not req.url else None)


def _is_url_or_path(args: str) -> bool:
    first = args.split(";", 1)[0].strip().split(" ", 1)[0]
    if _SCHEME_RE.match(first) or first.startswith((".", "/", "~", "file:")):
        return True
    if ("/" in first or "\\" in first) and "@" not in args:
        return True
    return _EXTRAS_RE.sub(r"\1", first).lower().endswith(_ARCHIVES)


def _url_requirement(text: str, where: _Where, *, editable: bool) -> _Entry:
    separator = "; " if _SCHEME_RE.match(text) else ";"
    location, _, marker = text.partition(separator)
    location = location.strip()
    extras = ""
    if (match := _EXTRAS_RE.match(location)) and not _SCHEME_RE.match(location):
        location, extras = match.group(1), match.group(2)
    package = _new_package(_name_from_location(location, where.path.parent), where)
    package.url = location
    package.editable = editable
    package.marker = marker.strip() or None
    package.extras = tuple(sorted(e.strip() for e in extras.strip("[]").split(",") if e.strip()))
    package.specifier = location
    return _Entry(package, where.line, None)


def _name_from_location(location: str, base: Path) -> str:
    """Project name from ``#egg=``, a wheel or sdist file name, or the last path segment."""
    if match := _EGG_RE.search(location):
        return _EXTRAS_RE.sub(r"\1", match.group(1)).strip()
    path = location.split("#", 1)[0].split("?", 1)[0].rstrip("/\\")
    last = re.split(r"[/\\]", path)[-1]
    last = last.split("@", 1)[0] if _SCHEME_RE.match(location) else last
    try:
        if last.endswith(".whl"):
            return str(parse_wheel_filename(last)[0])
        if last.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(last)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    if last in {"", ".", ".."} and not _SCHEME_RE.match(location):
        resolved = _resolved(base / path)
        last = resolved.name if resolved is not None else ""
    return last.removesuffix(".git") or location


def _finish(tree: _Tree) -> None:
    """Apply constraint pins, then report what is still not pinned."""
    for entry in tree.entries:
        package = entry.package
        pin = tree.constraints.get(package.normalized_name)
        spec = entry.specifier
        if package.version is None and spec is not None and pin and spec.contains(pin, True):
            package.version = pin
            package.properties[c.PROP_PINNED_BY] = "constraint"
        if package.version is None:
            tree.out.findings.append(_unpinned_finding(package, entry.line))
        tree.out.packages.append(package)


def _unpinned_finding(package: Package, line: int) -> Finding:
    if package.editable:
        message = f"{package.name} is an editable install of {package.url}, not a pinned version"
    elif package.url:
        message = f"{package.name} is installed from {package.url}, not a pinned version"
    else:
        message = f"{package.specifier or package.name!r} is not pinned to an exact version"
    return Finding(checks.UNPINNED_REQUIREMENT, package.source, message, evidence=f"line {line}")
