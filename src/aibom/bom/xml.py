"""CycloneDX XML: the library's XML plus ``modelCard`` and ``data`` converted from their JSON form.

cyclonedx-python-lib cannot model either field, so they are converted here following the XSD's element
order and singular/plural naming, inserted where the schema's component sequence wants them, and the whole
document is validated against the XSD before it is returned.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from aibom.bom.build import Built
from aibom.bomdoc.xmlnames import SINGULAR, UNWRAPPED
from aibom.errors import InvalidBomError

ORDER: dict[str, tuple[str, ...]] = {
    "modelCard": ("modelParameters", "quantitativeAnalysis", "considerations", "properties"),
    "modelParameters": (
        "approach",
        "task",
        "architectureFamily",
        "modelArchitecture",
        "datasets",
        "inputs",
        "outputs",
    ),
    "performanceMetric": ("type", "value", "slice", "confidenceInterval"),
    "considerations": (
        "users",
        "useCases",
        "technicalLimitations",
        "performanceTradeoffs",
        "ethicalConsiderations",
        "environmentalConsiderations",
        "fairnessAssessments",
    ),
    "ethicalConsideration": ("name", "mitigationStrategy"),
    "fairnessAssessment": ("groupAtRisk", "benefits", "harms", "mitigationStrategy"),
    "data": (
        "type",
        "name",
        "contents",
        "classification",
        "sensitiveData",
        "graphics",
        "description",
        "governance",
    ),
    "contents": ("attachment", "url", "properties"),
    "governance": ("custodians", "stewards", "owners"),
    "organization": ("name", "address", "url", "contact"),
}
_LATER = frozenset({"cryptoProperties", "tags"})


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry. Scanned text (card sections, names) may hold them; they are dropped
from the XML form only (the JSON form keeps them, escaped)."""


def xml_text(value: object) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return _NOT_XML.sub("", text)


def _ns(schema: SchemaVersion) -> str:
    return f"http://cyclonedx.org/schema/bom/{schema.to_version()}"


def _ordered(name: str, value: Mapping[str, Any]) -> list[tuple[str, Any]]:
    order = ORDER.get(name, ())
    keys = sorted(value, key=lambda k: (order.index(k) if k in order else len(order), 0))
    return [(k, value[k]) for k in keys if k != "bom-ref"]


def _element(ns: str, name: str, value: Any) -> ET.Element:
    el = ET.Element(f"{{{ns}}}{name}")
    if isinstance(value, Mapping):
        if "bom-ref" in value:
            el.set("bom-ref", str(value["bom-ref"]))
        for key, child in _ordered(name, value):
            _append(el, ns, key, child)
    else:
        el.text = xml_text(value)
    return el


def _append(parent: ET.Element, ns: str, key: str, value: Any) -> None:
    if key == "properties":
        wrapper = ET.SubElement(parent, f"{{{ns}}}properties")
        for item in value:
            p = ET.SubElement(wrapper, f"{{{ns}}}property", {"name": xml_text(item["name"])})
            p.text = xml_text(item.get("value", ""))
        return
    if key == "datasets":
        wrapper = ET.SubElement(parent, f"{{{ns}}}datasets")
        for item in value:
            if set(item) == {"ref"}:
                ET.SubElement(wrapper, f"{{{ns}}}ref").text = xml_text(item["ref"])
            else:
                wrapper.append(_element(ns, "dataset", item))
        return
    if isinstance(value, list):
        if key in UNWRAPPED:
            parent.extend(_element(ns, key, item) for item in value)
            return
        wrapper = ET.SubElement(parent, f"{{{ns}}}{key}")
        wrapper.extend(_element(ns, SINGULAR.get(key, key), item) for item in value)
        return
    parent.append(_element(ns, key, value))


def _insert(component: ET.Element, ns: str, elements: list[ET.Element]) -> None:
    """Before the first element the schema puts after ``modelCard``/``data``, else at the end."""
    children = list(component)
    position = len(children)
    for i, child in enumerate(children):
        if child.tag.removeprefix(f"{{{ns}}}") in _LATER:
            position = i
            break
    for offset, el in enumerate(elements):
        component.insert(position + offset, el)


def render_xml(built: Built, schema: SchemaVersion, *, reproducible: bool, timestamp: bool) -> str:
    text = _NOT_XML.sub("", make_outputter(built.bom, OutputFormat.XML, schema).output_as_string())
    ns = _ns(schema)
    ET.register_namespace("", ns)
    root = ET.fromstring(text)  # noqa: S314 - our own serializer's output, not scanned input
    for comp in root.iter(f"{{{ns}}}component"):
        ref = comp.get("bom-ref")
        extra: list[ET.Element] = []
        if ref and ref in built.model_cards and built.model_cards[ref]:
            extra.append(_element(ns, "modelCard", built.model_cards[ref]))
        if ref and built.data.get(ref):
            extra.extend(_element(ns, "data", item) for item in built.data[ref])
        if extra:
            _insert(comp, ns, extra)
    if reproducible:
        root.attrib.pop("serialNumber", None)
        meta = root.find(f"{{{ns}}}metadata")
        stamp = meta.find(f"{{{ns}}}timestamp") if meta is not None else None
        if meta is not None and stamp is not None and not timestamp:
            meta.remove(stamp)
    ET.indent(root)
    out = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    _validate(out, schema)
    return out


def _validate(text: str, schema: SchemaVersion) -> None:
    from cyclonedx.validation.xml import XmlValidator

    error = XmlValidator(schema).validate_str(text)
    if error is not None:
        raise InvalidBomError(str(error))
