"""Declared dependencies in ``pyproject.toml``: PEP 621, PEP 735 dependency groups, Poetry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.packages import _common as c
from aibom.packages.interface import InputKind, Package, PackageCollection, PackageInput

_KIND = InputKind.PYPROJECT


@dataclass
class _Ctx:
    display: str
    out: PackageCollection
    main_names: set[str] = field(default_factory=set)


def parse_pyproject(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    text = c.read_text(inp.path, inp.display, limits, out)
    doc = c.load_toml(text, inp.display, out) if text is not None else None
    if doc is None:
        return out
    ctx = _Ctx(inp.display, out)
    _pep621(c.as_map(doc.get("project")), ctx)
    for group, entries in c.as_map(doc.get("dependency-groups")).items():
        _pep508_list(entries, f"dependency-groups.{group}", (group,), ctx)
    _poetry(c.as_map(c.as_map(doc.get("tool")).get("poetry")), ctx)
    return out


def _pep621(project: c.Map, ctx: _Ctx) -> None:
    for package in _pep508_list(project.get("dependencies"), "project.dependencies", (), ctx):
        ctx.main_names.add(package.normalized_name)
    for extra, entries in c.as_map(project.get("optional-dependencies")).items():
        _pep508_list(entries, f"project.optional-dependencies.{extra}", (extra,), ctx)


def _pep508_list(entries: object, key: str, groups: tuple[str, ...], ctx: _Ctx) -> list[Package]:
    """Packages from a list of PEP 508 strings (``{include-group = ...}`` tables are skipped:
    the included group lists its own entries)."""
    added: list[Package] = []
    if entries is not None and not isinstance(entries, list):
        c.malformed(ctx.out, ctx.display, f"{key} is not an array", evidence=key)
        return added
    for index, entry in enumerate(entries or []):
        if isinstance(entry, dict) and "include-group" in entry:
            continue
        where = f"{key}[{index}]"
        if not isinstance(entry, str):
            found = type(entry).__name__
            c.malformed(ctx.out, ctx.display, f"{where}: expected a string, found {found}", where)
            continue
        try:
            req = Requirement(entry)
        except InvalidRequirement as exc:
            c.malformed(ctx.out, ctx.display, f"{where}: {c.first_line(exc)}", evidence=where)
            continue
        added.append(_from_requirement(req, groups, ctx))
    ctx.out.packages.extend(added)
    return added


def _from_requirement(req: Requirement, groups: tuple[str, ...], ctx: _Ctx) -> Package:
    version = c.exact_pin(req)
    extras = tuple(sorted(req.extras))
    detail = f" @ {req.url}" if req.url else str(req.specifier)
    extra_text = f"[{','.join(extras)}]" if extras else ""
    return Package(
        name=req.name,
        version=version,
        source=ctx.display,
        source_kind=_KIND,
        specifier=None if version else f"{req.name}{extra_text}{detail}",
        marker=str(req.marker) if req.marker is not None else None,
        extras=extras,
        url=req.url,
        optional=bool(groups),
        groups=groups,
        direct=True,
    )


# ---------------------------------------------------------------- Poetry


def _poetry(poetry: c.Map, ctx: _Ctx) -> None:
    extras_of: dict[str, list[str]] = {}
    for extra, names in c.as_map(poetry.get("extras")).items():
        for name in c.as_list(names):
            if isinstance(name, str):
                extras_of.setdefault(c.normalize(name), []).append(extra)
    for name, spec in c.as_map(poetry.get("dependencies")).items():
        if c.normalize(name) not in ctx.main_names and name.lower() != "python":
            for package in _poetry_packages(name, spec, None, ctx):
                if package.optional:
                    package.groups = tuple(extras_of.get(package.normalized_name, ()))
                ctx.out.packages.append(package)
    for name, spec in c.as_map(poetry.get("dev-dependencies")).items():
        ctx.out.packages.extend(_poetry_packages(name, spec, "dev", ctx))
    for group, table in c.as_map(poetry.get("group")).items():
        for name, spec in c.as_map(c.as_map(table).get("dependencies")).items():
            ctx.out.packages.extend(_poetry_packages(name, spec, group, ctx))


def _poetry_packages(name: str, spec: object, group: str | None, ctx: _Ctx) -> list[Package]:
    """One package per constraint: a string, a table, or an array of tables."""
    specs = spec if isinstance(spec, list) else [spec]
    packages: list[Package] = []
    for one in specs:
        if not isinstance(one, (str, dict)):
            where = f"tool.poetry dependency {name!r}"
            c.malformed(ctx.out, ctx.display, f"{where}: unsupported value {type(one).__name__}")
            continue
        table = one if isinstance(one, dict) else {"version": one}
        package = _poetry_package(name, table, ctx)
        package.optional = package.optional or group is not None
        package.groups = (group,) if group else ()
        packages.append(package)
    return packages


def _poetry_package(name: str, table: c.Map, ctx: _Ctx) -> Package:
    constraint = (c.as_str(table.get("version")) or "").strip()
    version = poetry_exact_version(constraint)
    package = Package(
        name=name, version=version, source=ctx.display, source_kind=_KIND, direct=True
    )
    if version is None and constraint:
        package.specifier = f"{name} {constraint}"
    package.extras = tuple(sorted(e for e in c.as_list(table.get("extras")) if isinstance(e, str)))
    package.marker = c.as_str(table.get("markers"))
    package.optional = table.get("optional") is True
    if git := c.as_str(table.get("git")):
        ref = next((r for k in ("rev", "tag", "branch") if (r := c.as_str(table.get(k)))), None)
        package.url = f"git+{git}" + (f"@{ref}" if ref else "")
    elif location := c.as_str(table.get("path")) or c.as_str(table.get("url")):
        package.url = location
        package.editable = table.get("develop") is True
    return package


def poetry_exact_version(constraint: str) -> str | None:
    """The version when a Poetry constraint is an exact pin (``1.2.3`` or ``==1.2.3``)."""
    text = constraint.strip().removeprefix("==").strip()
    if not text or any(ch in text for ch in "*,<>=!~^ "):
        return None
    try:
        Version(text)
    except InvalidVersion:
        return None
    return text


# ---------------------------------------------------------------- project metadata


def project_metadata(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, str] | None:
    """``name``, ``version`` and ``license`` of the project a pyproject.toml declares (PEP 621, else
    Poetry), where given; None when the file cannot be read or names no project."""
    out = PackageCollection()
    text = c.read_text(path, str(path), limits, out)
    doc = c.load_toml(text, str(path), out) if text is not None else None
    if doc is None:
        return None
    for table in (c.as_map(doc.get("project")), c.as_map(c.as_map(doc.get("tool")).get("poetry"))):
        name = c.as_str(table.get("name"))
        if name is None:
            continue
        result = {"name": name}
        if version := c.as_str(table.get("version")):
            result["version"] = version
        license_value = table.get("license")
        license_text = c.as_str(license_value) or c.as_str(c.as_map(license_value).get("text"))
        if license_text:
            result["license"] = license_text
        return result
    return None
