"""The CycloneDX XML schema (1.2 to 1.7) as a small model: element order, repetition and value types.

Both directions of the XML conversion are driven by it, so that they follow the schema and cannot drift
apart: ``aibom.bomdoc.fromxml`` (XML to the JSON form) and ``aibom.bom.xml`` (the JSON form to XML).
The model is read from the XSDs that cyclonedx-python-lib ships (trusted files, parsed without DTDs),
once per version.

A ``Node`` is a schema type: its child elements in schema order (choices flattened in order), its
attributes, whether it has text content and of which value kind, and whether it admits foreign
elements (``xs:any``) or attributes (``xs:anyAttribute``).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["string", "normalized", "token", "boolean", "integer", "decimal"]
"""Value kinds: ``string`` keeps its whitespace, ``normalized`` has tabs and newlines as spaces,
``token`` (and every other simple type: URIs, dates, enumerations) has whitespace collapsed."""
_XS = "{http://www.w3.org/2001/XMLSchema}"
_BUILTIN: dict[str, Kind] = {
    "boolean": "boolean",
    "integer": "integer",
    "int": "integer",
    "long": "integer",
    "short": "integer",
    "nonNegativeInteger": "integer",
    "positiveInteger": "integer",
    "negativeInteger": "integer",
    "nonPositiveInteger": "integer",
    "unsignedInt": "integer",
    "unsignedLong": "integer",
    "decimal": "decimal",
    "double": "decimal",
    "float": "decimal",
    "string": "string",
    "normalizedString": "normalized",
}


@dataclass(eq=False)
class Child:
    name: str
    node: Node
    many: bool
    """May repeat (``maxOccurs`` above one, itself or through an enclosing sequence/choice)."""


@dataclass(eq=False)
class Node:
    name: str
    """The schema type's name, or the element path of an anonymous type (for messages)."""
    text: Kind | None = None
    """The kind of the text content; ``None`` for element-only content."""
    children: list[Child] = field(default_factory=list)
    attributes: dict[str, Kind] = field(default_factory=dict)
    foreign_elements: bool = False
    foreign_attributes: bool = False

    @functools.cached_property
    def child(self) -> dict[str, Child]:
        return {c.name: c for c in self.children}

    @property
    def leaf(self) -> bool:
        """Text only: no attributes, no child elements (an ``xs:simpleType`` element)."""
        return not self.children and not self.attributes and self.text is not None

    @property
    def ref_only(self) -> bool:
        """An element that only names another by its ``ref`` attribute (``<assembly ref="..."/>``)."""
        return not self.children and self.text is None and set(self.attributes) == {"ref"}


@dataclass(eq=False)
class Schema:
    version: str
    namespace: str
    bom: Node


SCHEMA_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")


@functools.cache
def schema(version: str) -> Schema:
    """The model of CycloneDX ``version`` (one of ``SCHEMA_VERSIONS``); ``KeyError`` for others."""
    if version not in SCHEMA_VERSIONS:
        raise KeyError(version)
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.schema._res import BOM_XML
    from defusedxml.ElementTree import parse  # type: ignore[import-untyped]

    path = BOM_XML[SchemaVersion.from_version(version)]
    assert path is not None
    root = parse(path, forbid_dtd=True).getroot()
    return _Reader(root, version).schema()


class _Reader:
    def __init__(self, root: ET.Element, version: str) -> None:
        self.version = version
        self.namespace = f"http://cyclonedx.org/schema/bom/{version}"
        self.complex = {e.get("name", ""): e for e in root.findall(f"{_XS}complexType")}
        self.simple = {e.get("name", ""): e for e in root.findall(f"{_XS}simpleType")}
        self.groups = {e.get("name", ""): e for e in root.findall(f"{_XS}attributeGroup")}
        self.elements = {e.get("name", ""): e for e in root.findall(f"{_XS}element")}
        self.named: dict[str, Node] = {}

    def schema(self) -> Schema:
        return Schema(self.version, self.namespace, self.element_node(self.elements["bom"], "bom"))

    # ---------------------------------------------------------------- types

    def element_node(self, el: ET.Element, path: str) -> Node:
        type_name = el.get("type")
        if type_name is not None:
            return self.type_node(type_name)
        inline = el.find(f"{_XS}complexType")
        if inline is not None:
            node = Node(path)
            self.fill_complex(node, inline, path)
            return node
        simple = el.find(f"{_XS}simpleType")
        return Node(path, text=self.simple_kind(simple) if simple is not None else "string")

    def type_node(self, qname: str) -> Node:
        prefix, _, local = qname.rpartition(":")
        if prefix == "bom" and local in self.complex:
            if local not in self.named:
                node = self.named[local] = Node(local)  # registered first: types recurse
                self.fill_complex(node, self.complex[local], local)
            return self.named[local]
        return Node(local, text=self.kind(qname))

    def kind(self, qname: str) -> Kind:
        prefix, _, local = qname.rpartition(":")
        if prefix == "xs":
            return _BUILTIN.get(local, "token")
        if prefix == "bom" and local in self.simple:
            return self.simple_kind(self.simple[local])
        return "string"  # spdx:licenseId and the like

    def simple_kind(self, el: ET.Element) -> Kind:
        restriction = el.find(f"{_XS}restriction")
        if restriction is not None and restriction.get("base"):
            return self.kind(restriction.get("base", ""))
        return "string"  # unions and lists

    def fill_complex(self, node: Node, el: ET.Element, path: str) -> None:
        for part in el:
            tag = part.tag.removeprefix(_XS)
            if tag in ("sequence", "choice", "all"):
                self.particles(node, part, path, _repeats(part))
            elif tag in ("simpleContent", "complexContent"):
                for ext in part:
                    if ext.tag.removeprefix(_XS) not in ("extension", "restriction"):
                        continue
                    base = ext.get("base", "xs:string")
                    if tag == "simpleContent":
                        node.text = self.kind(base)
                    elif base.startswith("bom:") and base[4:] in self.complex:
                        self.fill_complex(node, self.complex[base[4:]], path)
                    self.fill_complex(node, ext, path)
            else:
                self.attribute(node, part)

    def attribute(self, node: Node, part: ET.Element) -> None:
        tag = part.tag.removeprefix(_XS)
        if tag == "attribute" and part.get("name"):
            simple = part.find(f"{_XS}simpleType")
            kind = (
                self.simple_kind(simple)
                if simple is not None
                else self.kind(part.get("type", "xs:string"))
            )
            node.attributes[part.get("name", "")] = kind
        elif tag == "attributeGroup" and part.get("ref"):
            group = self.groups.get(part.get("ref", "").rpartition(":")[2])
            for item in group if group is not None else ():
                self.attribute(node, item)
        elif tag == "anyAttribute":
            node.foreign_attributes = True

    def particles(self, node: Node, group: ET.Element, path: str, many: bool) -> None:
        for part in group:
            tag = part.tag.removeprefix(_XS)
            if tag == "element" and part.get("name"):
                name = part.get("name", "")
                if name in node.child:  # in two branches of a choice: placed at the later
                    node.children.remove(node.child[name])
                child = Child(name, self.element_node(part, f"{path}/{name}"), many or _many(part))
                node.children.append(child)
                node.__dict__.pop("child", None)  # the cached index is rebuilt
            elif tag in ("sequence", "choice", "all"):
                self.particles(node, part, path, many or _repeats(part))
            elif tag == "any":
                node.foreign_elements = True


def _repeats(group: ET.Element) -> bool:
    """Whether a repeating sequence or choice makes its elements arrays: a choice, or a sequence of
    one element. (Some types wrap a whole record in ``<xs:sequence maxOccurs="unbounded">``, which
    the JSON form, one object, does not follow.)"""
    if not _many(group):
        return False
    if group.tag == f"{_XS}choice":
        return True
    return (
        len([p for p in group if p.tag in (f"{_XS}element", f"{_XS}sequence", f"{_XS}choice")]) == 1
    )


def _many(el: ET.Element) -> bool:
    return el.get("maxOccurs", "1") not in ("0", "1")
