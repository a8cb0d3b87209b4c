"""PEP 751 lock files (``pylock.toml``, ``pylock.<name>.toml``).

When the installed ``packaging`` has ``packaging.pylock`` (25.0+), the document is validated with
it and a spec violation becomes a MALFORMED_FILE finding. Packages are then read from the TOML
tables directly, leniently, so that one bad entry does not hide the others and older ``packaging``
releases give the same inventory.
"""

from __future__ import annotations

from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import (
    InputKind,
    Package,
    PackageCollection,
    PackageHash,
    PackageInput,
)


def parse_pylock(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    text = c.read_text(inp.path, inp.display, limits, out)
    doc = c.load_toml(text, inp.display, out) if text is not None else None
    if doc is None:
        return out
    _validate(doc, inp.display, out)
    for index, entry in enumerate(c.as_list(doc.get("packages"))):
        table = c.as_map(entry)
        name = c.as_str(table.get("name"))
        if name is None:
            where = f"packages[{index}]"
            c.malformed(out, inp.display, f"{where} has no name", evidence=where)
            continue
        out.packages.append(_locked_package(name, table, inp.display))
    return out


def _validate(doc: c.Map, display: str, out: PackageCollection) -> None:
    try:
        from packaging.pylock import Pylock, PylockValidationError
    except ImportError:  # packaging < 25: read without validation
        return
    if c.as_str(doc.get("lock-version")) not in {"1", "1.0"}:
        # packaging rejects other majors and *logs* a warning for newer minors; say it ourselves
        version = doc.get("lock-version")
        c.malformed(
            out, display, f"lock-version {version!r} is not 1.0; read on a best-effort basis"
        )
        return
    try:
        Pylock.from_dict(doc)
    except PylockValidationError as exc:
        c.malformed(out, display, f"not a valid PEP 751 lock file: {exc}")
    except Exception as exc:  # packaging raises assorted types on odd values
        c.malformed(out, display, f"not a valid PEP 751 lock file: {c.first_line(exc)}")


def _hashes(tables: list[object]) -> tuple[PackageHash, ...]:
    found: list[PackageHash | None] = []
    for table in tables:
        for alg, value in c.as_map(c.as_map(table).get("hashes")).items():
            if isinstance(value, str):
                found.append(c.make_hash(alg, value))
    return c.unique_hashes(found)


def _locked_package(name: str, table: c.Map, display: str) -> Package:
    files = [table.get("sdist"), *c.as_list(table.get("wheels")), table.get("archive")]
    package = Package(
        name=name,
        version=c.as_str(table.get("version")),
        source=display,
        source_kind=InputKind.PYLOCK,
        marker=c.as_str(table.get("marker")),
        dependencies=c.unique_names(
            n
            for d in c.as_list(table.get("dependencies"))
            if (n := c.as_str(c.as_map(d).get("name")))
        ),
        hashes=_hashes(files),
    )
    vcs, directory, archive = (c.as_map(table.get(k)) for k in ("vcs", "directory", "archive"))
    if vcs:
        kind = c.as_str(vcs.get("type")) or "vcs"
        location = c.as_str(vcs.get("url")) or c.as_str(vcs.get("path"))
        package.url = f"{kind}+{location}" if location else None
        package.properties[c.PROP_SOURCE_TYPE] = "vcs"
        if commit := c.as_str(vcs.get("commit-id")):
            package.properties[c.PROP_VCS_COMMIT] = commit
    elif directory:
        package.url = c.as_str(directory.get("path"))
        package.editable = directory.get("editable") is True
        package.properties[c.PROP_SOURCE_TYPE] = "directory"
    elif archive:
        package.url = c.as_str(archive.get("url")) or c.as_str(archive.get("path"))
        package.properties[c.PROP_SOURCE_TYPE] = "archive"
    return package
