"""Serialize a built BOM, splice in ``modelCard`` and ``data``, and validate before anything is returned.

An invalid document is never returned: ``InvalidBomError`` (a bug in aibom) is raised instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, cast

from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from aibom.bom.build import Built
from aibom.bom.components import library_order
from aibom.bomdoc.schema import validate_document
from aibom.errors import UsageError

SPEC_VERSIONS = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}


@dataclass(frozen=True)
class DocumentOptions:
    spec_version: str = "1.6"
    output_format: str = "json"
    reproducible: bool = False


def tool_component(version: str) -> Component:
    return Component(
        type=ComponentType.APPLICATION,
        name="aibom",
        version=version,
        description="AI supply-chain scanner",
        bom_ref="tool:aibom",
    )


def _timestamp(reproducible: bool) -> datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return None if reproducible else datetime.now(tz=timezone.utc).replace(microsecond=0)


def render_document(
    built: Built,
    version: str,
    options: DocumentOptions,
    stage: Callable[[dict[str, Any]], None] | None = None,
) -> str:
    """The BOM text, schema-validated. ``stage`` (scoring) sees the JSON document before it is
    finalized and validated, so what it writes into the document is validated too."""
    schema = _schema(options.spec_version)
    stamp = _stamp(built, version, options)
    doc = json.loads(make_outputter(built.bom, OutputFormat.JSON, schema).output_as_string())
    splice(doc, built, schema)
    if built.extra_vulnerabilities:
        doc.setdefault("vulnerabilities", []).extend(built.extra_vulnerabilities)
    if stage is not None:
        stage(doc)
    finalize(doc, reproducible=options.reproducible, keep_timestamp=stamp is not None)
    out = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    validate_document(doc, options.spec_version)
    if options.output_format == "xml":
        from aibom.bom.xml import write_xml

        return write_xml(doc)  # the same document, validated against the XSD
    return out


def _schema(spec_version: str) -> SchemaVersion:
    schema = SPEC_VERSIONS.get(spec_version)
    if schema is None:
        raise UsageError(f"unsupported CycloneDX version {spec_version} (choose 1.6 or 1.7)")
    return schema


def _stamp(built: Built, version: str, options: DocumentOptions) -> datetime | None:
    """Add aibom as the tool and set the timestamp (none when reproducible)."""
    built.bom.metadata.tools.components.add(tool_component(version))
    stamp = _timestamp(options.reproducible)
    if stamp is not None:
        built.bom.metadata.timestamp = stamp
    return stamp


def splice(doc: dict[str, Any], built: Built, schema: SchemaVersion) -> None:
    """Put ``modelCard``, ``data`` and file components on the components the library serialized, by
    bom-ref, and the top-level files with their dependency entries, where the library would have
    put them (components sorted by type, then name; dependencies by ref)."""
    for comp in _walk(doc.get("components", [])):
        ref = comp.get("bom-ref")
        if not ref:
            continue
        card = built.model_cards.get(ref)
        if card:
            comp["modelCard"] = card
        data = built.data.get(ref)
        if data:
            comp["data"] = data
        files = built.files.get(ref)
        if files:
            _insert_sorted(comp, "components", files)
    root = built.bom.metadata.component
    if (built.loose or built.package_components) and root is not None:
        _splice_top(doc, built, str(root.bom_ref.value), schema)


def _insert_sorted(obj: dict[str, Any], key: str, value: object) -> None:
    """Set ``key`` where the library would have written it: its keys are in alphabetical order."""
    items = list(obj.items())
    at = next((i for i, (k, _) in enumerate(items) if k > key), len(items))
    items.insert(at, (key, value))
    obj.clear()
    obj.update(items)


def _splice_top(doc: dict[str, Any], built: Built, root: str, schema: SchemaVersion) -> None:
    """Top-level files and packages, made outside the library's ``Bom``, with their dependency
    entries: the root depends on each; a package on the packages it requires."""
    from cyclonedx.schema.schema import SCHEMA_VERSIONS

    view = SCHEMA_VERSIONS[schema]
    # py-serializable adds ``as_json`` to the class at run time: the library's own serializer, so a
    # component comes out exactly as in a whole-``Bom`` output
    packages = [json.loads(cast(Any, c).as_json(view_=view)) for c in built.package_components]
    comps = doc.setdefault("components", [])
    comps.extend(built.loose)
    comps.extend(packages)
    comps.sort(key=library_order)
    refs = [str(c["bom-ref"]) for c in (*built.loose, *packages)]
    deps = doc.setdefault("dependencies", [])
    entry = next((d for d in deps if d.get("ref") == root), None)
    if entry is None:
        entry = {"ref": root}
        deps.append(entry)
    depends_on = sorted({*entry.pop("dependsOn", []), *refs})
    ref = entry.pop("ref")
    entry.update({"dependsOn": depends_on, "ref": ref})  # the library's key order
    deps.extend({"ref": str(c["bom-ref"])} for c in built.loose)
    for pkg_ref, needs in built.package_edges.items():
        wanted = sorted(set(needs) - {pkg_ref})
        deps.append({"dependsOn": wanted, "ref": pkg_ref} if wanted else {"ref": pkg_ref})
    deps.sort(key=lambda d: str(d.get("ref", "")))


def _walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = list(reversed(components))
    while stack:
        comp = stack.pop()
        out.append(comp)
        stack.extend(reversed(comp.get("components", [])))
    return out


def finalize(doc: dict[str, Any], *, reproducible: bool, keep_timestamp: bool) -> None:
    if reproducible:
        doc.pop("serialNumber", None)
        if not keep_timestamp:
            doc.get("metadata", {}).pop("timestamp", None)


def use_builtin_iri_format() -> None:
    """Validate ``iri-reference`` with ``aibom.iri`` instead of rfc3987-syntax, whose import alone costs
    about a second (it compiles a grammar). Call before anything imports jsonschema; used by the CLI so
    every run starts fast. Library users who do not call it get jsonschema's own checker."""
    import sys

    if "jsonschema" in sys.modules:
        return
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        from jsonschema import Draft7Validator
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    from aibom.iri import is_iri_reference

    for name in ("iri", "iri-reference"):
        Draft7Validator.FORMAT_CHECKER.checks(name)(is_iri_reference)
