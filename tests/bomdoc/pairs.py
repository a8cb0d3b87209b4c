"""Why the JSON and XML forms of a published CycloneDX example differ, for tests/bomdoc/test_pairs.py.

The CycloneDX repositories publish most examples in both forms (tests/data/cyclonedx/spec/1.x/
valid-*.json and .xml, and one bom-examples pair). After ``read_bom`` both should be the same JSON
form. Where they are not, each difference is one of these kinds:

- ``content``: the two published files say different things (other names, versions, timestamps,
  fields present in one file only). Not a reader bug; nothing to fix here.
- ``empty``: an empty JSON array (``"dependsOn": []``, ``"externalReferences": []``) where XML has no
  element, or an empty XML wrapper where JSON has no key: the same (empty) content.
- ``whitespace``: XML text indented inside its element (``<description>\\n    text\\n  </description>``).
  For xs:string and xs:normalizedString types that whitespace is part of the value, so the reader keeps
  it (a lossless reader must); the JSON file has the text without it.
- ``lexical``: one xs:dateTime written two ways (``+00:00`` and ``Z``): the same instant, kept as written.
- ``signature``: a JSON Signature (JSF, ``signature``) against an XML Signature: each form is signed
  with its own format by design.
- ``identity-form``: 1.6+'s ``evidence.identity`` as the deprecated single object (JSON) against the
  repeated ``<identity>`` (XML, read as an array).

Anything not of the five benign kinds is ``content``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

MISSING = object()
XMLDSIG = "{http://www.w3.org/2000/09/xmldsig#}Signature"

Difference = tuple[str, Any, Any]
"""(JSON path, value in the JSON file's form, value in the XML file's form); ``MISSING`` when absent."""


def differences(a: Any, b: Any, path: str = "") -> list[Difference]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[Difference] = []
        for key in [*a, *(k for k in b if k not in a)]:
            out += differences(a.get(key, MISSING), b.get(key, MISSING), f"{path}/{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}/{i}")
        ]
    return [] if a == b else [(path, a, b)]


def kind(difference: Difference) -> str:
    path, a, b = difference
    if (a is MISSING and b in ([], {})) or (b is MISSING and a in ([], {})):
        return "empty"
    if isinstance(a, str) and isinstance(b, str):
        if a != b and a.split() == b.split():
            return "whitespace"
        if _instant(a) is not None and _instant(a) == _instant(b):
            return "lexical"
    if (path.endswith("/signature") and b is MISSING) or (path.endswith(XMLDSIG) and a is MISSING):
        return "signature"
    if path.endswith("/identity") and isinstance(a, dict) and b == [a]:
        return "identity-form"
    return "content"


def kinds(json_form: dict[str, Any], xml_form: dict[str, Any]) -> tuple[set[str], list[Difference]]:
    """The kinds of the differences between two forms, and the ``content`` ones."""
    found = differences(json_form, xml_form)
    return {kind(d) for d in found}, [d for d in found if kind(d) == "content"]


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
