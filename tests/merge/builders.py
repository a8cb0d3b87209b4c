"""Hand-built CycloneDX documents for the merge tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SHA = "a" * 64
OTHER_SHA = "b" * 64


def bom(version: str = "1.6", **fields: Any) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": version, "version": 1, **fields}


def lib(ref: str, purl: str | None = None, **fields: Any) -> dict[str, Any]:
    comp: dict[str, Any] = {
        "type": "library",
        "name": ref.rsplit("/", maxsplit=1)[-1],
        "bom-ref": ref,
    }
    if purl is not None:
        comp["purl"] = purl
    return {**comp, **fields}


def sha256(value: str = SHA) -> list[dict[str, str]]:
    return [{"alg": "SHA-256", "content": value}]


def schema_error(doc: Mapping[str, Any]) -> str | None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    schema = SchemaVersion.from_version(str(doc["specVersion"]))
    error = JsonStrictValidator(schema).validate_str(json.dumps(doc))
    return None if error is None else str(error)


def all_components(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    from aibom.bomdoc.walk import components

    return list(components(doc, metadata=True))


def refs(doc: Mapping[str, Any]) -> list[str]:
    """The bom-refs of every component (metadata.component and nested ones included)."""
    return [c["bom-ref"] for c in all_components(doc) if "bom-ref" in c]


def assert_graph_closed(doc: Mapping[str, Any]) -> None:
    """Every ref the dependency graph names is a component's (or service's) bom-ref, each once."""
    known = refs(doc) + [s["bom-ref"] for s in doc.get("services", []) if "bom-ref" in s]
    assert len(known) == len(set(known)), sorted(r for r in known if known.count(r) > 1)
    for entry in doc.get("dependencies", []):
        assert entry["ref"] in known, entry["ref"]
        for ref in entry.get("dependsOn", []) + entry.get("provides", []):
            assert ref in known, ref
    named = [e["ref"] for e in doc.get("dependencies", [])]
    assert len(named) == len(set(named))
