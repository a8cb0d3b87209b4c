"""``poetry.lock``: lock format 1.x (``[metadata.files]``) and 2.x (inline ``files``)."""

from __future__ import annotations

from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import InputKind, Package, PackageCollection, PackageInput

_URL_SOURCES = frozenset({"git", "url", "directory", "file"})


def parse_poetry_lock(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    text = c.read_text(inp.path, inp.display, limits, out)
    doc = c.load_toml(text, inp.display, out) if text is not None else None
    if doc is None:
        return out
    legacy = c.as_map(c.as_map(doc.get("metadata")).get("files"))
    legacy_files = {c.normalize(name): files for name, files in legacy.items()}
    for index, entry in enumerate(c.as_list(doc.get("package"))):
        table = c.as_map(entry)
        name = c.as_str(table.get("name"))
        if name is None:
            c.malformed(
                out, inp.display, f"package[{index}] has no name", evidence=f"package[{index}]"
            )
            continue
        files = table.get("files", legacy_files.get(c.normalize(name)))
        out.packages.append(_locked_package(name, table, c.as_list(files), inp.display))
    return out


def _locked_package(name: str, table: c.Map, files: list[object], display: str) -> Package:
    groups = tuple(g for g in c.as_list(table.get("groups")) if isinstance(g, str))
    if not groups and (category := c.as_str(table.get("category"))):
        groups = (category,)
    package = Package(
        name=name,
        version=c.as_str(table.get("version")),
        source=display,
        source_kind=InputKind.POETRY_LOCK,
        marker=c.as_str(table.get("markers")),
        summary=c.as_str(table.get("description")),
        dependencies=c.unique_names(c.as_map(table.get("dependencies")).keys()),
        optional=table.get("optional") is True or (bool(groups) and "main" not in groups),
        groups=groups,
        editable=table.get("develop") is True,
        hashes=c.unique_hashes(
            c.parse_hash(c.as_str(c.as_map(f).get("hash")) or "") for f in files
        ),
    )
    _add_source(package, c.as_map(table.get("source")))
    return package


def _add_source(package: Package, source: c.Map) -> None:
    kind = c.as_str(source.get("type"))
    if kind is None:
        return
    package.properties[c.PROP_SOURCE_TYPE] = kind
    url = c.as_str(source.get("url"))
    if kind not in _URL_SOURCES or url is None:
        return  # "legacy" sources are package indexes, not the package's location
    package.url = f"git+{url}" if kind == "git" and not url.startswith("git+") else url
    if kind == "git" and (commit := c.as_str(source.get("resolved_reference"))):
        package.properties[c.PROP_VCS_COMMIT] = commit
