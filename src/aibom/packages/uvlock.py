"""``uv.lock``: every locked package, with the project(s) themselves marked, not dropped.

The workspace root (``source = { editable = "." }`` or ``{ virtual = "." }``) and workspace members
are kept and marked ``aibom:python:project = "true"``: their entries carry the project's version and
direct dependencies, which the BOM stage needs for the root component; dropping them would lose
that. From the projects' dependency lists the other packages get ``direct`` (named by a project),
``groups`` (the extras / dev groups naming them) and ``optional`` (not reachable from the projects'
required dependencies, i.e. only needed for extras or dev groups).
"""

from __future__ import annotations

from collections.abc import Iterable

from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import InputKind, Package, PackageCollection, PackageInput

_SOURCE_KINDS = ("registry", "git", "url", "path", "directory", "editable", "virtual")
_Dep = tuple[str, tuple[str, ...]]


def parse_uv_lock(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    text = c.read_text(inp.path, inp.display, limits, out)
    doc = c.load_toml(text, inp.display, out) if text is not None else None
    if doc is None:
        return out
    entries: list[c.Map] = []
    for index, entry in enumerate(c.as_list(doc.get("package"))):
        if c.as_str(c.as_map(entry).get("name")) is None:
            c.malformed(
                out, inp.display, f"package[{index}] has no name", evidence=f"package[{index}]"
            )
        else:
            entries.append(c.as_map(entry))
    members = {c.normalize(m) for m in c.as_list(c.as_map(doc.get("manifest")).get("members"))}
    projects = [e for e in entries if _is_project(e, members)]
    project_ids = {id(p) for p in projects}
    required = _reachable(entries, [d for p in projects for d in _deps(p.get("dependencies"))])
    groups = _direct_groups(projects)
    for entry in entries:
        package = _locked_package(entry, inp.display)
        if id(entry) in project_ids:
            package.properties[c.PROP_PROJECT] = "true"
        elif projects:
            package.direct = package.normalized_name in groups
            package.groups = groups.get(package.normalized_name, ())
            package.optional = package.normalized_name not in required
        out.packages.append(package)
    return out


def _is_project(entry: c.Map, members: set[str]) -> bool:
    source = c.as_map(entry.get("source"))
    local = source.get("editable", source.get("virtual"))
    if not isinstance(local, str):
        return False
    return local == "." or c.normalize(str(entry["name"])) in members


def _deps(value: object) -> list[_Dep]:
    """(normalised name, requested extras) of a uv.lock dependency array."""
    result: list[_Dep] = []
    for dep in c.as_list(value):
        table = c.as_map(dep)
        if name := c.as_str(table.get("name")):
            extras = tuple(e for e in c.as_list(table.get("extra")) if isinstance(e, str))
            result.append((c.normalize(name), extras))
    return result


def _reachable(entries: list[c.Map], start: list[_Dep]) -> set[str]:
    """Names needed by the required dependencies (with the extras they ask for), transitively."""
    by_name: dict[str, list[c.Map]] = {}
    for entry in entries:
        by_name.setdefault(c.normalize(str(entry["name"])), []).append(entry)
    required: set[str] = set()
    expanded: set[tuple[str, str]] = set()
    queue = list(start)
    while queue:
        name, extras = queue.pop()
        fresh = name not in required
        required.add(name)
        for entry in by_name.get(name, []):
            if fresh:
                queue.extend(_deps(entry.get("dependencies")))
            for extra in extras:
                if (name, extra) not in expanded:
                    expanded.add((name, extra))
                    queue.extend(_deps(c.as_map(entry.get("optional-dependencies")).get(extra)))
    return required


def _direct_groups(projects: list[c.Map]) -> dict[str, tuple[str, ...]]:
    """Names the projects depend on directly -> the extras / dev groups that list them."""
    groups: dict[str, list[str]] = {}
    for project in projects:
        for name, _ in _deps(project.get("dependencies")):
            groups.setdefault(name, [])
        for key in ("optional-dependencies", "dev-dependencies"):
            for group, deps in c.as_map(project.get(key)).items():
                for name, _ in _deps(deps):
                    groups.setdefault(name, []).append(group)
    return {name: tuple(dict.fromkeys(found)) for name, found in groups.items()}


def _locked_package(entry: c.Map, display: str) -> Package:
    files: Iterable[object] = [entry.get("sdist"), *c.as_list(entry.get("wheels"))]
    package = Package(
        name=str(entry["name"]),
        version=c.as_str(entry.get("version")),
        source=display,
        source_kind=InputKind.UV_LOCK,
        dependencies=tuple(dict.fromkeys(name for name, _ in _deps(entry.get("dependencies")))),
        hashes=c.unique_hashes(
            c.parse_hash(c.as_str(c.as_map(f).get("hash")) or "") for f in files
        ),
    )
    source = c.as_map(entry.get("source"))
    kind = next((k for k in _SOURCE_KINDS if isinstance(source.get(k), str)), None)
    if kind is not None:
        package.properties[c.PROP_SOURCE_TYPE] = kind
        _add_location(package, kind, str(source[kind]))
    return package


def _add_location(package: Package, kind: str, value: str) -> None:
    if kind == "registry":
        return  # the index URL, not the package's own location
    if kind == "git":
        package.url = value if value.startswith("git+") else f"git+{value}"
        _, _, commit = value.partition("#")
        if commit:
            package.properties[c.PROP_VCS_COMMIT] = commit
        return
    package.url = value
    package.editable = kind == "editable"
