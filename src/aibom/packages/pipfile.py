"""``Pipfile.lock`` (pipenv, JSON): ``default`` and ``develop`` sections."""

from __future__ import annotations

from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import InputKind, Package, PackageCollection, PackageInput

_SECTIONS = (("default", False), ("develop", True))


def parse_pipfile_lock(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    text = c.read_text(inp.path, inp.display, limits, out)
    data = c.load_json(text, inp.display, out) if text is not None else None
    if text is None or data is None:
        return out
    if not isinstance(data, dict):
        c.malformed(out, inp.display, f"expected a JSON object, found {type(data).__name__}")
        return out
    for section, optional in _SECTIONS:
        for name, spec in c.as_map(data.get(section)).items():
            package = _locked_package(name, c.as_map(spec), inp.display)
            package.optional = optional
            package.groups = (section,) if optional else ()
            out.packages.append(package)
    return out


def _locked_package(name: str, spec: c.Map, display: str) -> Package:
    written = (c.as_str(spec.get("version")) or "").strip()
    pinned = written.startswith("==") and "*" not in written and "," not in written
    version = written.lstrip("=").strip() if pinned else None
    package = Package(
        name=name,
        version=version or None,
        source=display,
        source_kind=InputKind.PIPFILE_LOCK,
        specifier=f"{name}{written}" if written and written != "*" and not version else None,
        marker=c.as_str(spec.get("markers")),
        extras=tuple(sorted(e for e in c.as_list(spec.get("extras")) if isinstance(e, str))),
        editable=spec.get("editable") is True,
        hashes=c.unique_hashes(
            c.parse_hash(h) for h in c.as_list(spec.get("hashes")) if isinstance(h, str)
        ),
    )
    if git := c.as_str(spec.get("git")):
        package.url = git if git.startswith("git+") else f"git+{git}"
        package.properties[c.PROP_SOURCE_TYPE] = "git"
        if ref := c.as_str(spec.get("ref")):
            package.properties[c.PROP_VCS_COMMIT] = ref
    elif location := c.as_str(spec.get("path")) or c.as_str(spec.get("file")):
        package.url = location
        package.properties[c.PROP_SOURCE_TYPE] = "path" if spec.get("path") else "file"
    return package
