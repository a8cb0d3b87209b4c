"""``REFERENCE_KEYS`` is every place the CycloneDX JSON schemas put a bom-ref reference."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from aibom.merge import REFERENCE_KEYS

_REF_TYPES = (
    "#/definitions/refType",
    "#/definitions/refLinkType",
    "#/definitions/bomLinkElementType",
)
NOT_REWRITTEN = {
    "bom-ref": "the definition itself (rewritten too, but not a reference)",
    "url": "an external reference's url may be a BOM-Link to another BOM; never a local ref",
}


def _holds_ref(schema: Any, depth: int = 0) -> bool:
    """Whether a property schema is a reference or an array/choice of references."""
    if not isinstance(schema, dict) or depth > 4:
        return False
    if schema.get("$ref") in _REF_TYPES:
        return True
    if _holds_ref(schema.get("items"), depth + 1):
        return True
    return any(
        _holds_ref(option, depth + 1)
        for key in ("anyOf", "oneOf", "allOf")
        for option in schema.get(key, [])
    )


def _reference_properties(schema: Any) -> set[str]:
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                found.update(name for name, sub in props.items() if _holds_ref(sub))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@pytest.mark.parametrize("version", ["1.5", "1.6", "1.7"])
def test_reference_keys_cover_the_schema(version: str) -> None:
    resource = files("cyclonedx.schema._res") / f"bom-{version}.SNAPSHOT.schema.json"
    schema = json.loads(resource.read_text(encoding="utf-8"))
    wanted = _reference_properties(schema) - set(NOT_REWRITTEN)
    assert wanted, "the schema walk found nothing: the test is broken"
    assert wanted <= REFERENCE_KEYS, sorted(wanted - REFERENCE_KEYS)
