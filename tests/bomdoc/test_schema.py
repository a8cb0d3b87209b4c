"""``aibom.bomdoc.schema`` (jsonschema-rs) accepts and rejects what python-jsonschema, through
cyclonedx-python-lib's ``JsonStrictValidator``, accepts and rejects; and it is linear in list length.

The reference validator is what aibom used before: every published example document and every
mutation below gets the same verdict from both."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aibom.bomdoc.schema import schema_errors, validate_document
from aibom.errors import InvalidBomError

SPEC = Path(__file__).parents[1] / "data" / "cyclonedx" / "spec"
EXAMPLES = sorted(p for p in SPEC.glob("1.[2-7]/*.json") if p.name.startswith("valid-"))


def reference_rejects(doc: Any, version: str) -> bool:
    validator = JsonStrictValidator(SchemaVersion.from_version(version))
    return validator.validate_str(json.dumps(doc)) is not None


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) > 200


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_published_examples_get_the_reference_verdict(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    version = path.parent.name
    assert bool(schema_errors(doc, version)) == reference_rejects(doc, version)


def _component(doc: dict[str, Any]) -> dict[str, Any]:
    comps = doc.setdefault("components", [])
    if not comps:
        comps.append({"type": "library", "name": "x", "bom-ref": "x"})
    first: dict[str, Any] = comps[0]
    return first


def dup_component(doc: dict[str, Any]) -> None:
    doc["components"].append(copy.deepcopy(_component(doc)))


def dup_hash(doc: dict[str, Any]) -> None:
    entry = {"alg": "SHA-256", "content": "a" * 64}
    _component(doc)["hashes"] = [entry, dict(entry)]


def unknown_top(doc: dict[str, Any]) -> None:
    doc["surprise"] = 1


def unknown_nested(doc: dict[str, Any]) -> None:
    _component(doc)["surprise"] = "x"


def version_as_string(doc: dict[str, Any]) -> None:
    doc["version"] = "1"


def version_zero(doc: dict[str, Any]) -> None:
    doc["version"] = 0


def bad_type(doc: dict[str, Any]) -> None:
    _component(doc)["type"] = "model"


def bad_timestamp(doc: dict[str, Any]) -> None:
    doc.setdefault("metadata", {})["timestamp"] = "yesterday"


def bad_email(doc: dict[str, Any]) -> None:
    _component(doc)["supplier"] = {"name": "s", "contact": [{"email": "not an email"}]}


def bad_url(doc: dict[str, Any]) -> None:
    _component(doc)["externalReferences"] = [{"type": "website", "url": "http://exa mple.com/<>"}]


def bad_hash_content(doc: dict[str, Any]) -> None:
    _component(doc)["hashes"] = [{"alg": "SHA-256", "content": "xyz"}]


def bad_licence_id(doc: dict[str, Any]) -> None:
    _component(doc)["licenses"] = [{"license": {"id": "Not-A-Licence"}}]


def no_bom_format(doc: dict[str, Any]) -> None:
    del doc["bomFormat"]


def bad_serial(doc: dict[str, Any]) -> None:
    doc["serialNumber"] = "urn:uuid:nope"


def ref_as_int(doc: dict[str, Any]) -> None:
    _component(doc)["bom-ref"] = 7


def property_name_int(doc: dict[str, Any]) -> None:
    _component(doc)["properties"] = [{"name": 1, "value": "v"}]


def dup_dependency(doc: dict[str, Any]) -> None:
    ref = _component(doc).setdefault("bom-ref", "x")
    doc["dependencies"] = [{"ref": ref, "dependsOn": []}, {"ref": ref, "dependsOn": []}]


def fine_property(doc: dict[str, Any]) -> None:
    _component(doc)["properties"] = [{"name": "a", "value": "b"}]


MUTATIONS: list[Callable[[dict[str, Any]], None]] = [
    dup_component, dup_hash, unknown_top, unknown_nested, version_as_string, version_zero,
    bad_type, bad_timestamp, bad_email, bad_url, bad_hash_content, bad_licence_id, no_bom_format,
    bad_serial, ref_as_int, property_name_int, dup_dependency, fine_property,
]  # fmt: skip
STILL_VALID = (fine_property, dup_hash)  # the schema does not ask for unique hashes
BASES = [p for p in EXAMPLES if p.parent.name in ("1.6", "1.7")][::12]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("path", BASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mutations_get_the_reference_verdict(
    path: Path, mutate: Callable[[dict[str, Any]], None]
) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    version = path.parent.name
    mutate(doc)
    expected = reference_rejects(doc, version)
    assert bool(schema_errors(doc, version)) == expected
    if mutate not in STILL_VALID:
        assert expected, f"{mutate.__name__} makes the document invalid"


def test_errors_are_short_and_say_where() -> None:
    items = [{"type": "library", "name": f"n{i}", "bom-ref": f"r{i}"} for i in range(5000)]
    items.append(dict(items[0]))
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": items}
    errors = schema_errors(doc, "1.6")
    assert len(errors) == 1 and errors[0].endswith("at /components")
    assert len(errors[0]) < 400
    with pytest.raises(InvalidBomError) as raised:
        validate_document(doc, "1.6")
    assert "non-unique" in str(raised.value.hint)


def test_unknown_versions_and_unconvertible_values_are_errors_not_crashes() -> None:
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
    assert schema_errors(doc, "1.6") == []
    assert schema_errors(doc, "9.9")
    huge = {**doc, "version": 10**400}
    assert bool(schema_errors(huge, "1.6")) == reference_rejects(huge, "1.6")
    as_tuple = {**doc, "components": ({"type": "library", "name": "x"},)}
    assert schema_errors(as_tuple, "1.6") in ([], ["not checkable as JSON data"])
