"""CycloneDX XML as the same plain dict as the JSON form, for the fields aibom reads.

Converted: ``bomFormat``/``specVersion``/``serialNumber``/``version``; ``metadata`` (timestamp,
lifecycles, tools, authors, component, manufacturer, supplier, licenses, properties); ``components``
(nested, with their hashes, licenses, external references, properties, pedigree, ``modelCard`` and
``data``); ``externalReferences``; ``dependencies``; ``vulnerabilities``; top-level ``properties``.
Elements outside that list (and outside the CycloneDX namespace) are left out. ``modelCard`` and
``data`` follow the XSD's naming, which ``aibom.bom.xml`` writes: plural wrappers of singular items.

The tree comes from ``aibom.bomdoc.read``, already parsed safely (no DTD, no entities) and
depth-checked, so the recursion here is bounded by ``Limits.max_bom_depth``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from aibom.bomdoc.xmlnames import SINGULAR, UNWRAPPED

NAMESPACE = "http://cyclonedx.org/schema/bom/"

"""modelCard/data arrays whose items repeat the element name with no wrapper."""

Element = ET.Element
Reader = Callable[[Element], Any]


def local_names(root: Element, ns: str) -> None:
    """Rename every element of namespace ``ns`` to its local name, and every other one to ``#``
    (foreign extensions, never read). Iterative: ``root.iter`` keeps no recursion."""
    prefix = f"{{{ns}}}"
    for el in root.iter():
        el.tag = el.tag[len(prefix) :] if el.tag.startswith(prefix) else "#"


def document(root: Element, spec_version: str) -> dict[str, Any]:
    """The JSON form of a ``<bom>`` whose element names are already local (``local_names``)."""
    out: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec_version}
    if root.get("serialNumber"):
        out["serialNumber"] = root.get("serialNumber")
    version = root.get("version")
    if version is not None and version.strip().isdigit():
        out["version"] = int(version)
    _fill(out, root, _BOM)
    return out


def _fill(
    out: dict[str, Any],
    el: Element,
    fields: dict[str, Reader],
    repeated: frozenset[str] = frozenset(),
) -> None:
    """Each child with a reader in ``fields`` becomes ``out[tag]``; a ``repeated`` tag (no wrapper
    element in XML) becomes an array."""
    for child in el:
        reader = fields.get(child.tag)
        if reader is None:
            continue
        if child.tag in repeated:
            out.setdefault(child.tag, []).append(reader(child))
        else:
            out[child.tag] = reader(child)


def _attrs(el: Element, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name in names if (value := el.get(name)) is not None}


def _text(el: Element) -> str:
    return (el.text or "").strip()


def _raw_text(el: Element) -> str:
    """Text kept as written (descriptions, property values, license texts)."""
    return el.text or ""


def _list_of(reader: Reader, tag: str | None = None) -> Reader:
    """A wrapper element holding items (of ``tag``, or any tag)."""
    return lambda el: [reader(c) for c in el if tag is None or c.tag == tag]


def _texts(tag: str) -> Reader:
    return _list_of(_raw_text, tag)


def _object(
    fields: dict[str, Reader],
    attrs: tuple[str, ...] = ("bom-ref",),
    repeated: frozenset[str] = frozenset(),
) -> Reader:
    def read(el: Element) -> dict[str, Any]:
        out = _attrs(el, attrs)
        _fill(out, el, fields, repeated)
        return out

    return read


def _boolean(el: Element) -> bool:
    return _text(el) in ("true", "1")


def _number(el: Element) -> float | str:
    text = _text(el)
    try:
        return float(text)
    except ValueError:
        return text


def _integer(el: Element) -> int | str:
    text = _text(el)
    return int(text) if text.isdigit() else text


def _property(el: Element) -> dict[str, Any]:
    return {"name": el.get("name", ""), "value": _raw_text(el)}


def _hash(el: Element) -> dict[str, Any]:
    return {"alg": el.get("alg", ""), "content": _text(el)}


def _licenses(el: Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for choice in el:
        if choice.tag == "expression":
            out.append(
                {"expression": _text(choice), **_attrs(choice, ("acknowledgement", "bom-ref"))}
            )
        elif choice.tag == "license":
            out.append({"license": _LICENSE(choice)})
    return out


def _license_text(el: Element) -> dict[str, Any]:
    out: dict[str, Any] = {"content": _raw_text(el)}
    if el.get("content-type"):
        out["contentType"] = el.get("content-type")
    if el.get("encoding"):
        out["encoding"] = el.get("encoding")
    return out


def _dependency(el: Element) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": el.get("ref", "")}
    depends = [c.get("ref", "") for c in el if c.tag == "dependency"]
    provides = [c.get("ref", "") for c in el if c.tag == "provides"]
    if depends:
        out["dependsOn"] = depends
    if provides:
        out["provides"] = provides
    return out


def _tools(el: Element) -> list[dict[str, Any]] | dict[str, Any]:
    """CycloneDX 1.5+ ``{components, services}``; before, a list of ``tool`` (vendor/name/version)."""
    if any(c.tag == "tool" for c in el):
        return [_TOOL(c) for c in el if c.tag == "tool"]
    out: dict[str, Any] = {}
    _fill(out, el, {"components": _COMPONENTS, "services": _SERVICES})
    return out


def _analysis(el: Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _fill(out, el, _ANALYSIS)
    if "responses" in out:
        out["response"] = out.pop("responses")  # the JSON name is singular
    return out


def _card(el: Element) -> Any:
    """A ``modelCard`` or ``data`` element (or one inside them): objects, wrapped arrays, text."""
    ref = el.get("bom-ref")
    if not len(el):
        return {"bom-ref": ref} if ref else _raw_text(el)
    out: dict[str, Any] = {"bom-ref": ref} if ref else {}
    for child in el:
        key = child.tag
        if key == "#":
            continue
        if key == "properties":
            out[key] = _PROPERTIES(child)
        elif key == "datasets":
            out[key] = [{"ref": _text(c)} if c.tag == "ref" else _card(c) for c in child]
        elif key in SINGULAR:
            out[key] = [_card(c) for c in child if c.tag == SINGULAR[key]]
        elif key in UNWRAPPED:
            out.setdefault(key, []).append(_card(child))
        else:
            out[key] = _card(child)
    return out


def _component(el: Element) -> dict[str, Any]:
    out = _attrs(el, ("type", "mime-type", "bom-ref"))
    _fill(out, el, _COMPONENT, frozenset({"data", "omniborId", "swhid"}))
    return out


_PROPERTIES = _list_of(_property, "property")
_HASHES = _list_of(_hash, "hash")
_LICENSES = _licenses
_LICENSE = _object(
    {"id": _text, "name": _text, "text": _license_text, "url": _text},
    ("bom-ref", "acknowledgement"),
)
_CONTACT = _object({"name": _raw_text, "email": _text, "phone": _text})
_ORGANIZATION = _object(
    {"name": _raw_text, "url": _text, "contact": _CONTACT}, repeated=frozenset({"url", "contact"})
)
_EXTERNAL_REFERENCES = _list_of(
    _object({"url": _text, "comment": _raw_text, "hashes": _HASHES}, ("type",)), "reference"
)
_COMPONENTS = _list_of(_component, "component")
_TOOL = _object(
    {"vendor": _raw_text, "name": _raw_text, "version": _text, "hashes": _HASHES},
    (),
)
_SERVICES = _list_of(
    _object({"provider": _ORGANIZATION, "group": _raw_text, "name": _raw_text, "version": _text}),
    "service",
)
_PEDIGREE = _object(
    {
        "ancestors": _COMPONENTS,
        "descendants": _COMPONENTS,
        "variants": _COMPONENTS,
        "notes": _raw_text,
    },
    (),
)
_TEXT_FIELDS = ("author", "publisher", "group", "name", "description", "copyright")
_COMPONENT: dict[str, Reader] = {
    **dict.fromkeys(_TEXT_FIELDS, _raw_text),
    **dict.fromkeys(("version", "scope", "cpe", "purl", "omniborId", "swhid"), _text),
    "supplier": _ORGANIZATION,
    "manufacturer": _ORGANIZATION,
    "authors": _list_of(_CONTACT, "author"),
    "hashes": _HASHES,
    "licenses": _LICENSES,
    "modified": _boolean,
    "pedigree": _PEDIGREE,
    "externalReferences": _EXTERNAL_REFERENCES,
    "properties": _PROPERTIES,
    "components": _COMPONENTS,
    "modelCard": _card,
    "data": _card,
    "tags": _texts("tag"),
}
_METADATA: dict[str, Reader] = {
    "timestamp": _text,
    "lifecycles": _list_of(
        _object({"phase": _text, "name": _raw_text, "description": _raw_text}, ()), "lifecycle"
    ),
    "tools": _tools,
    "authors": _list_of(_CONTACT, "author"),
    "component": _component,
    "manufacture": _ORGANIZATION,
    "manufacturer": _ORGANIZATION,
    "supplier": _ORGANIZATION,
    "licenses": _LICENSES,
    "properties": _PROPERTIES,
}
_SOURCE = _object({"name": _raw_text, "url": _text}, ())
_RATING = _object(
    {
        "source": _SOURCE,
        "score": _number,
        "severity": _text,
        "method": _text,
        "vector": _text,
        "justification": _raw_text,
    },
    (),
)
_AFFECTED_VERSION = _object({"version": _text, "range": _text, "status": _text}, ())
_VULNERABILITY: dict[str, Reader] = {
    "id": _text,
    "source": _SOURCE,
    "references": _list_of(_object({"id": _text, "source": _SOURCE}, ()), "reference"),
    "ratings": _list_of(_RATING, "rating"),
    "cwes": _list_of(_integer, "cwe"),
    **dict.fromkeys(("description", "detail", "recommendation", "workaround"), _raw_text),
    "advisories": _list_of(_object({"title": _raw_text, "url": _text}, ()), "advisory"),
    **dict.fromkeys(("created", "published", "updated", "rejected"), _text),
    "analysis": _analysis,
    "affects": _list_of(
        _object({"ref": _text, "versions": _list_of(_AFFECTED_VERSION, "version")}, ()),
        "target",
    ),
    "properties": _PROPERTIES,
}
_ANALYSIS: dict[str, Reader] = {
    **dict.fromkeys(("state", "justification", "firstIssued", "lastUpdated"), _text),
    "responses": _texts("response"),
    "detail": _raw_text,
}
_BOM: dict[str, Reader] = {
    "metadata": _object(_METADATA, ()),
    "components": _COMPONENTS,
    "externalReferences": _EXTERNAL_REFERENCES,
    "dependencies": _list_of(_dependency, "dependency"),
    "properties": _PROPERTIES,
    "vulnerabilities": _list_of(_object(_VULNERABILITY), "vulnerability"),
}
