"""CycloneDX XML from the JSON form of a document: aibom's own BOMs and any document ``read_bom`` read.

The writer follows the version's XSD (``aibom.bomdoc.xsd``), the same model the reader
(``aibom.bomdoc.fromxml``) follows, so that ``XML -> read_bom -> write_xml`` gives the document back:
elements in schema order, arrays as repeated elements or wrapped items as the schema wants, booleans
and numbers in their XML spelling. What the reader kept under its extension keys (foreign elements and
attributes, unknown elements) is written back where it was found; elements go after the known ones,
where the schema's ``xs:any`` admits them.

Fields that have no XML counterpart by design are not written: ``$schema``, ``bomFormat``,
``specVersion`` (the namespace says it) and JSON signatures (``signature``: a JSF signature signs the
JSON text, and XML documents are signed with XML Signature; ``xmlnames.JSON_ONLY``). Any other key the
version's XSD has no place for (a vendor's extension key in a JSON BOM, a field of a newer version) is
never dropped silently: ``write_xml`` refuses the document with a ``UsageError`` naming those keys by
their JSON path (``unplaced_keys`` lists them all). It validates the result against the official XSD
unless told not to.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aibom.bomdoc.fromxml import (
    PLAIN_EXPRESSION,
    array,
    dataflow,
    known_keys,
    parties,
    party_of,
    ref_choice,
    wrapper,
)
from aibom.bomdoc.xmlnames import (
    ATTRIBUTE_NAMES,
    DATAFLOW_CLASSIFICATION,
    DEPENDENCY_LISTS,
    JSON_ONLY,
    TEXT_KEYS,
    child_key,
)
from aibom.bomdoc.xsd import SCHEMA_VERSIONS, Child, Node, schema
from aibom.errors import InvalidBomError, UsageError
from aibom.escape import visible
from aibom.limits import DEFAULT_LIMITS

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry."""
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def xml_text(value: object) -> str:
    """``value`` as XML text: booleans ``true``/``false``, numbers without exponents, and the
    characters XML 1.0 cannot carry dropped (scanned text may hold them; JSON keeps them, escaped)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = format(Decimal(repr(value)), "f") if math.isfinite(value) else ""
    else:
        text = str(value)
    return _NOT_XML.sub("", text)


def write_xml(doc: Mapping[str, Any], *, validate: bool = True) -> str:
    """The XML text of CycloneDX document ``doc`` (its JSON form, of ``specVersion`` 1.2 to 1.7).

    ``UsageError`` for a version the XSDs do not cover; ``InvalidBomError`` when ``validate`` and the
    result is not valid against the version's XSD."""
    version = doc.get("specVersion")
    if not isinstance(version, str) or version not in SCHEMA_VERSIONS:
        raise UsageError(f"CycloneDX {str(version)[:20]} has no XML schema aibom writes")
    writer, root = _written(doc, version)
    unplaced = writer.unplaced_paths(doc)
    if unplaced:
        shown = ", ".join(visible(path[:200]) for path in unplaced[:_SHOWN])  # keys are input
        more = f" and {len(unplaced) - _SHOWN} more" if len(unplaced) > _SHOWN else ""
        raise UsageError(
            f"CycloneDX {version} XML has no place for {shown}{more}; nothing was written",
            hint="these JSON keys are not in the version's XML schema (a vendor extension, or a "
            "field of another version): write the BOM as JSON, or remove them",
        )
    _indent(root, writer.prefix)
    for el in root.iter():  # CycloneDX elements in the default namespace, others prefixed
        if el.tag.startswith(writer.prefix):
            el.tag = el.tag[len(writer.prefix) :]
    out = _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
    if validate:
        validate_xml(out, version)
    return out


def unplaced_keys(doc: Mapping[str, Any]) -> list[str]:
    """The JSON paths (``/components/0/x-vendor``) of the keys of ``doc`` that its version's XML has
    no place for, which ``write_xml`` refuses (empty for a version without an XSD)."""
    version = doc.get("specVersion")
    if not isinstance(version, str) or version not in SCHEMA_VERSIONS:
        return []
    writer, _ = _written(doc, version)
    return writer.unplaced_paths(doc)


_SHOWN = 5
"""Unplaced keys named in ``write_xml``'s message."""


def _written(doc: Mapping[str, Any], version: str) -> tuple[_Writer, ET.Element]:
    model = schema(version)
    writer = _Writer(model.namespace)
    root = ET.Element(f"{{{model.namespace}}}bom", xmlns=model.namespace)
    writer.fill(root, doc, model.bom, top=True)
    return writer, root


def validate_xml(text: str, version: str) -> None:
    """``InvalidBomError`` unless ``text`` is valid against CycloneDX ``version``'s XSD."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    error = XmlValidator(SchemaVersion.from_version(version)).validate_str(text)
    if error is not None:
        raise InvalidBomError(str(error))


class _Writer:
    def __init__(self, namespace: str) -> None:
        self.prefix = f"{{{namespace}}}"
        self.unplaced: list[tuple[Mapping[str, Any], str]] = []
        """(object, key) of each key written nowhere."""

    def unplaced_paths(self, doc: Mapping[str, Any]) -> list[str]:
        """``self.unplaced`` as JSON paths into ``doc``, in the order the writer met them."""
        if not self.unplaced:
            return []
        where: dict[int, str] = {}
        stack: list[tuple[Any, str]] = [(doc, "")]
        while stack:  # iterative: the document is depth-checked, but a path map needs no recursion
            value, path = stack.pop()
            if isinstance(value, Mapping):
                where.setdefault(id(value), path)
                stack.extend((v, f"{path}/{_escape(k)}") for k, v in reversed(list(value.items())))
            elif isinstance(value, list):
                stack.extend((v, f"{path}/{i}") for i, v in reversed(list(enumerate(value))))
        return [f"{where.get(id(obj), '?')}/{_escape(key)}" for obj, key in self.unplaced]

    def element(self, name: str, value: Any, node: Node, parent: Mapping[str, Any]) -> ET.Element:
        el = ET.Element(self.prefix + name)
        self.content(el, name, value, node, parent)
        return el

    def content(
        self, el: ET.Element, name: str, value: Any, node: Node, parent: Mapping[str, Any]
    ) -> None:
        if isinstance(value, Mapping):
            if not self.party(el, name, value, node, parent):
                self.fill(el, value, node)
            return
        self.unstash(el, name, parent)
        if self.special(el, name, value, node, parent):
            pass
        elif wrapper(node) and isinstance(value, list):
            for item in value:
                child = _alternative(node, item)
                el.append(self.element(child.name, item, child.node, parent))
        elif not isinstance(value, list):
            el.text = xml_text(value)
        self.foreign(el, parent, f"{name}/")

    def special(
        self, el: ET.Element, name: str, value: Any, node: Node, parent: Mapping[str, Any]
    ) -> bool:
        """The shapes ``aibom.bomdoc.fromxml`` reads by name; whether ``value`` was one."""
        if name == "licenses" and "license" in node.child and isinstance(value, list):
            for item in value:
                self.license(el, item, node)
        elif name == "datasets" and "ref" in node.child and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping) and set(item) == {"ref"}:
                    ET.SubElement(el, self.prefix + "ref").text = xml_text(item["ref"])
                else:
                    el.append(self.element("dataset", item, node.child["dataset"].node, parent))
        elif name == "tools" and "tool" in node.child and isinstance(value, list):
            tool = node.child["tool"].node
            el.extend(self.element("tool", item, tool, parent) for item in value)
        elif node.name == "copyrightsType" and isinstance(value, list):
            for item in value:
                text = item.get("text", "") if isinstance(item, Mapping) else item
                ET.SubElement(el, self.prefix + "text").text = xml_text(text)
        elif isinstance(value, str) and ref_choice(node, name):
            ET.SubElement(el, self.prefix + "ref").text = xml_text(value)
        elif node.ref_only and not isinstance(value, (Mapping, list)):
            el.set("ref", xml_text(value))
        else:
            return False
        return True

    def party(
        self,
        el: ET.Element,
        name: str,
        value: Mapping[str, Any],
        node: Node,
        parent: Mapping[str, Any],
    ) -> bool:
        """JSON's untagged organisation or person (``xmlnames.PARTY_CHOICES``) as its element."""
        choice = parties(node, name)
        if choice is None:
            return False
        if len(value) == 1 and any(isinstance(value.get(c), Mapping) for c in choice):
            return False  # the reader's tagged {"individual": {...}} (see party_of)
        party = party_of(node, choice, dict(value))
        el.append(self.element(party, value, node.child[party].node, parent))
        return True

    def fill(
        self, el: ET.Element, obj: Mapping[str, Any], node: Node, *, top: bool = False
    ) -> None:
        original, obj = obj, _dataflow_view(obj, node)
        placed = self.attributes(el, obj, node)
        if node.text is not None and not node.children:
            key = TEXT_KEYS.get(node.name, "content")
            if key in obj:
                el.text = xml_text(obj[key])
                placed.add(key)
        lists = DEPENDENCY_LISTS if "ref" in node.attributes else frozenset()
        for child in node.children:
            key = child_key(child.name, lists)
            if key not in obj:
                continue
            placed.add(key)
            value = obj[key]
            if child.name in lists and isinstance(value, list):
                for ref in value:
                    ET.SubElement(el, self.prefix + child.name, ref=xml_text(ref))
            elif array(child) and isinstance(value, list):
                el.extend(self.element(child.name, item, child.node, obj) for item in value)
            else:
                el.append(self.element(child.name, value, child.node, obj))
        self.foreign(el, obj, "")
        for key in obj:
            if key not in placed and not _kept(key, top):
                self.unplaced.append((original, key))

    def attributes(self, el: ET.Element, obj: Mapping[str, Any], node: Node) -> set[str]:
        """Set the attributes of ``el`` from ``obj``; the schema's keys that were written."""
        placed: set[str] = set()
        for attr in node.attributes:
            key = ATTRIBUTE_NAMES.get(attr, attr)
            if key in obj and not isinstance(obj[key], (Mapping, list)):
                el.set(attr, xml_text(obj[key]))
                placed.add(key)
        for key, value in obj.items():
            if key.startswith("@") and "/" not in key[1:].partition("{")[0]:
                el.set(key[1:], xml_text(value))
        return placed

    def license(self, el: ET.Element, item: Any, node: Node) -> None:
        if not isinstance(item, Mapping):
            return
        if "license" in item:
            el.append(self.element("license", item["license"], node.child["license"].node, item))
            self.unplaced.extend((item, key) for key in item if key != "license")
            return
        detailed = node.child.get("expression-detailed")
        if detailed is not None and not set(item) <= PLAIN_EXPRESSION:
            el.append(self.element("expression-detailed", item, detailed.node, item))
            return
        expression = node.child["expression"].node
        known = {"expression", *expression.attributes}
        self.unplaced.extend(
            (item, key) for key in item if key not in known and not _kept(key, False)
        )
        out = ET.SubElement(el, self.prefix + "expression")
        for attr in expression.attributes:
            if attr in item:
                out.set(attr, xml_text(item[attr]))
        out.text = xml_text(item.get("expression", ""))

    def unstash(self, el: ET.Element, name: str, parent: Mapping[str, Any]) -> None:
        """Attributes the reader kept on the parent for an element whose JSON form is no object."""
        prefix = f"@{name}/"
        for key, value in parent.items():
            if key.startswith(prefix):
                el.set(key[len(prefix) :], xml_text(value))

    def foreign(self, el: ET.Element, obj: Mapping[str, Any], prefix: str) -> None:
        """Elements the reader kept as XML text (``{namespace}name`` keys), after the known ones."""
        for key, value in obj.items():
            if not key.startswith(prefix + "{") or not isinstance(value, list):
                continue
            for text in value:
                if isinstance(text, str):
                    el.append(_parse(text))


def _dataflow_view(obj: Mapping[str, Any], node: Node) -> Mapping[str, Any]:
    """A 1.5+ dataflow's JSON ``classification`` and ``flow`` as the one ``<classification flow>``
    element they are in XML (``xmlnames.DATAFLOW_CLASSIFICATION``)."""
    text = obj.get(DATAFLOW_CLASSIFICATION)
    if not dataflow(node) or isinstance(text, (Mapping, list)) or text is None:
        return obj
    view = {k: v for k, v in obj.items() if k != "flow"}
    item = {"classification": text}
    if "flow" in obj:
        item["flow"] = obj["flow"]
    view[DATAFLOW_CLASSIFICATION] = item
    return view


def _kept(key: str, top: bool) -> bool:
    """Whether ``key`` has its XML place outside the schema's fields: the reader's extension keys
    (``@attr``, ``{ns}name``, ``name/...``), or one of the fields XML has by design no counterpart
    for (``JSON_ONLY``; ``signature`` anywhere, the rest at the top)."""
    if key[:1] in ("@", "{") or "/{" in key:
        return True
    return key == "signature" or (top and key in JSON_ONLY)


def _escape(key: str) -> str:
    """A key as a JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _indent(root: ET.Element, prefix: str) -> None:
    """Two-space indentation of the CycloneDX elements; foreign ones are left as they were read
    (their whitespace may matter to their schema)."""
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        kids = list(el)
        if not kids or not el.tag.startswith(prefix) or (el.text or "").strip():
            continue
        inner = "\n" + "  " * (depth + 1)
        el.text = inner
        for kid in kids:
            kid.tail = inner
        kids[-1].tail = "\n" + "  " * depth
        stack.extend((kid, depth + 1) for kid in kids)


def _alternative(node: Node, item: Any) -> Child:
    """Which element of a wrapper's choice writes ``item``: for an object, the one whose schema
    knows most of its keys; for a text, the first that holds text."""
    if len(node.children) == 1:
        return node.children[0]
    if not isinstance(item, Mapping):
        return next((c for c in node.children if c.node.leaf), node.children[0])
    return max(
        (c for c in node.children if not c.node.leaf),
        key=lambda c: _known(c.node, item),
        default=node.children[0],
    )


def _known(node: Node, item: Mapping[str, Any]) -> int:
    names = known_keys(node)
    if dataflow(node):
        names.add("flow")  # written on its <classification> (_dataflow_view)
    return sum(1 for key in item if key in names)


def _parse(text: str) -> ET.Element:
    """An element the reader serialized (or a document's extension key said): parsed like any
    input, with no DTD or entities."""
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

    try:
        el = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise UsageError(
            f"an XML extension element in the document is not readable: {exc}"
        ) from None
    assert isinstance(el, ET.Element)
    stack = [(el, 1)]
    while stack:  # serialising recurses: bounded like any document read
        item, depth = stack.pop()
        if depth > DEFAULT_LIMITS.max_bom_depth:
            raise UsageError(
                "an XML extension element in the document is nested more than "
                f"{DEFAULT_LIMITS.max_bom_depth} levels deep"
            )
        stack.extend((child, depth + 1) for child in item)
    return el
