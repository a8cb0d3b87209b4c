"""CycloneDX JSON schema validation in time linear in the document.

The official schemas (the strict files cyclonedx-python-lib ships, with the SPDX licence-id, JSF and
cryptography-definition schemas they reference) are checked with jsonschema-rs. Two reasons not to use
cyclonedx-python-lib's own ``JsonStrictValidator`` (python-jsonschema underneath):

- its ``uniqueItems`` compares every pair of items: 20,000 file components took minutes, a
  5,000-line requirements file 211 s (issue 15). jsonschema-rs hashes items, so cost is linear;
- its format checker imports ``rfc3987_syntax`` when installed, which builds a grammar at import
  (about 2.5 s of CPU on every run). jsonschema-rs checks ``iri-reference``, ``date-time``, ``email``
  and the rest natively, with no start-up bill (building a validator takes about 50 ms, once per
  process and spec version).

Formats are validated (``validate_formats``; an unknown format name is ignored, as python-jsonschema
does: the 1.2 schema declares ``"format": "string"``), and no reference is fetched from the network: the three referenced schemas are registered
under the URIs the CycloneDX schemas use, and ``offline`` refuses anything else.
``tests/bomdoc/test_schema.py`` checks that every mutation python-jsonschema rejects is rejected here
too, and that valid documents pass both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from aibom.errors import InvalidBomError

_PREFIX = "http://cyclonedx.org/schema/"
JSON_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")


@cache
def _validator(spec_version: str) -> Any:
    import jsonschema_rs
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.schema._res import BOM_JSON_STRICT, CRYPTOGRAPHY_DEFS, JSF, SPDX_JSON

    path = BOM_JSON_STRICT.get(SchemaVersion.from_version(spec_version))
    if path is None:  # pragma: no cover - every version in JSON_VERSIONS has a file
        raise InvalidBomError(f"CycloneDX {spec_version} has no JSON schema")
    resources = []
    for name, file in (
        ("spdx.SNAPSHOT.schema.json", SPDX_JSON),
        ("jsf-0.82.SNAPSHOT.schema.json", JSF),
        ("cryptography-defs.SNAPSHOT.schema.json", CRYPTOGRAPHY_DEFS),
    ):
        resources.append((_PREFIX + name, json.loads(Path(file).read_text(encoding="utf-8"))))
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    return jsonschema_rs.Draft7Validator(
        schema,
        registry=jsonschema_rs.Registry(resources),
        validate_formats=True,
        ignore_unknown_formats=True,  # the 1.2 schema says format "string"
        offline=True,
    )


def schema_errors(doc: Any, spec_version: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` schema errors of ``doc`` (plain JSON data) against CycloneDX ``spec_version``
    (strict: unknown properties are errors). Empty when valid."""
    if spec_version not in JSON_VERSIONS:
        return [f"specVersion {spec_version!r} is not a CycloneDX version with a JSON schema"]
    validator = _validator(spec_version)
    try:
        if validator.is_valid(doc):
            return []
        out = []
        for error in validator.iter_errors(doc):
            where = "/".join(str(p) for p in error.instance_path)
            message = _short(error.message)
            out.append(f"{message} at /{where}" if where else message)
            if len(out) >= limit:
                break
        return out
    except (TypeError, ValueError, OverflowError) as exc:
        # a value jsonschema-rs cannot take: an integer beyond 64 bits, a tuple, a non-str key
        return [f"not checkable as JSON data: {str(exc)[:200]}"]


def _short(message: str, limit: int = 300) -> str:
    """jsonschema-rs puts the whole offending value in its message (a 20,000-item list, say)."""
    if len(message) <= limit:
        return message
    return f"{message[: limit // 2]} ... ({len(message):,} chars) ... {message[-(limit // 2) :]}"


def validate_document(doc: Mapping[str, Any], spec_version: str) -> None:
    """Raise ``InvalidBomError`` naming the first schema errors when ``doc`` is not valid."""
    errors = schema_errors(doc, spec_version)
    if errors:
        more = (
            ""
            if len(errors) == 1
            else f" (and {len(errors) - 1} more shown: " + "; ".join(errors[1:]) + ")"
        )
        raise InvalidBomError(f"CycloneDX {spec_version} schema: {errors[0]}{more}")
