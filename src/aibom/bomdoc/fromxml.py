"""CycloneDX XML as the JSON form's plain dict, every field kept: ``aibom.bom.xml`` writes it back.

The conversion follows the version's XSD (``aibom.bomdoc.xsd``): child elements that may repeat
become arrays, wrapper elements (``<hashes><hash/>...</hashes>``) become the array of their items,
attributes become keys, text becomes a string, or a boolean or number where the schema types it so.
The places where the JSON form is not the XML's shape are in ``aibom.bomdoc.xmlnames`` (shared with
the writer).

What has no place in the JSON form is kept under keys no CycloneDX field can have, so that writing
the XML back loses nothing:

- an element the schema does not know at that place (an extension in another namespace, or an
  unknown CycloneDX element): ``"{namespace}name": ["<serialized element>", ...]``;
- an attribute the schema does not know: ``"@name"`` or ``"@{namespace}name"``;
- both, when they sit on an element whose JSON form is an array or a string (a wrapper, a leaf):
  on the parent object, prefixed with the element's name and ``/`` (``"@components/foo"``).

The tree comes from ``aibom.bomdoc.read``, already parsed safely (no DTD, no entities) and
depth-checked, so the recursion here is bounded by ``Limits.max_bom_depth``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from aibom.bomdoc.xmlnames import (
    ATTRIBUTE_NAMES,
    DATAFLOW_CLASSIFICATION,
    DEPENDENCY_LISTS,
    PARTY_CHOICES,
    REF_CHOICES,
    SCALARS,
    TEXT_KEYS,
    child_key,
)
from aibom.bomdoc.xsd import SCHEMA_VERSIONS, Child, Kind, Node, schema

NAMESPACE = "http://cyclonedx.org/schema/bom/"

Element = ET.Element


def document(root: Element, spec_version: str) -> dict[str, Any]:
    """The JSON form of a CycloneDX ``<bom>`` of ``spec_version`` (its namespace's version)."""
    out: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec_version}
    if spec_version not in SCHEMA_VERSIONS:
        return out  # refused by the caller, which names the version
    model = schema(spec_version)
    _Reader(f"{{{model.namespace}}}").fill(out, root, model.bom)
    return out


def typed(text: str, kind: Kind | None) -> Any:
    """XML text as its JSON value: booleans and numbers converted; anything else (or a value the
    schema would refuse) kept as the text."""
    if kind == "boolean":
        word = text.strip()
        if word in ("true", "1"):
            return True
        if word in ("false", "0"):
            return False
        return text
    if kind == "integer":
        word = text.strip()
        try:
            return int(word)
        except ValueError:
            return text
    if kind == "decimal":
        word = text.strip()
        try:
            number = Decimal(word)
        except InvalidOperation:
            return text
        if not number.is_finite():
            return text
        return (
            int(number)
            if number == number.to_integral_value() and "." not in word
            else float(number)
        )
    if kind == "normalized":
        return _BREAKS.sub(" ", text)
    if kind == "token":
        return " ".join(text.split())
    return text


_BREAKS = re.compile("[\t\n\r]")


class _Reader:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def local(self, tag: str) -> str | None:
        return tag[len(self.prefix) :] if tag.startswith(self.prefix) else None

    # ---------------------------------------------------------------- one element

    def value(self, el: Element, node: Node, name: str, parent: dict[str, Any]) -> Any:
        """The JSON value of ``el`` (element ``name`` of type ``node``); what an array or a string
        cannot carry goes to ``parent`` under ``name/...``."""
        if name == "licenses" and "license" in node.child:
            return self.licenses(el, node, parent, name)
        if name == "datasets" and "ref" in node.child:
            return self.datasets(el, node, parent, name)
        if name == "tools" and "tool" in node.child:
            if any(self.local(c.tag) == "tool" for c in el) or not len(el):
                return self.items(el, node, parent, name, only="tool")
            return self.object(el, node)
        if node.name == "copyrightsType":
            return [{"text": item} for item in self.items(el, node, parent, name)]
        if node.leaf:
            self.stash(el, node, parent, name)
            return typed(el.text or "", node.text)
        chosen = self.chosen(el, node, name)
        if chosen is not None:
            return chosen
        if node.ref_only:
            self.stash(el, node, parent, name)
            return el.get("ref", "")
        if wrapper(node):
            return self.items(el, node, parent, name)
        if node.text is None and not len(el) and not el.attrib and (el.text or "").strip():
            return el.text  # mixed content used as text (1.7's deprecated IKEv2 refs)
        return self.object(el, node)

    def chosen(self, el: Element, node: Node, name: str) -> str | dict[str, Any] | None:
        """The JSON form of a choice JSON does not tag: a ``<ref>`` as its text (``REF_CHOICES``), an
        organisation or a person as its object (``PARTY_CHOICES``); ``None`` for anything else."""
        if _ref_choice(node, name, el, self.prefix):
            return (el[0].text or "").strip()
        choice = parties(node, name)
        local = self.local(el[0].tag) if choice and len(el) == 1 and not el.attrib else None
        if choice is None or local not in choice:
            return None
        party = self.object(el[0], node.child[local].node)
        return party if party_of(node, choice, party) == local else None  # else kept tagged

    def object(self, el: Element, node: Node) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self.fill(out, el, node)
        return out

    def fill(self, out: dict[str, Any], el: Element, node: Node) -> None:
        for attr, text in el.attrib.items():
            if attr in node.attributes:
                out[ATTRIBUTE_NAMES.get(attr, attr)] = typed(text, node.attributes[attr])
            else:
                out[f"@{attr}"] = text
        if node.text is not None and not node.children and el.text is not None:
            out[TEXT_KEYS.get(node.name, "content")] = typed(el.text, node.text)
        lists = DEPENDENCY_LISTS if "ref" in node.attributes else frozenset()
        for child in el:
            local = self.local(child.tag)
            spec = node.child.get(local) if local is not None else None
            if spec is None or local is None:
                out.setdefault(child.tag, []).append(_serialize(child))
                continue
            key = child_key(local, lists)
            if local in lists:
                value: Any = child.get("ref", "")
            else:
                value = self.value(child, spec.node, key, out)
            if array(spec) or local in lists:
                out.setdefault(key, []).append(value)
            elif key in out:  # a repeat the JSON form has no room for
                out.setdefault(child.tag, []).append(_serialize(child))
            else:
                out[key] = value
        if dataflow(node):
            _flatten_classification(out)

    def stash(self, el: Element, node: Node, parent: dict[str, Any], name: str) -> None:
        """Attributes of an element whose JSON form is a string or array, kept on ``parent``."""
        for attr, text in el.attrib.items():
            if attr not in node.attributes:
                parent[f"@{name}/{attr}"] = text

    def items(
        self, el: Element, node: Node, parent: dict[str, Any], name: str, only: str | None = None
    ) -> list[Any]:
        self.stash(el, node, parent, name)
        out: list[Any] = []
        for child in el:
            local = self.local(child.tag)
            spec = node.child.get(local) if local is not None else None
            if spec is None or (only is not None and local != only):
                parent.setdefault(f"{name}/{child.tag}", []).append(_serialize(child))
                continue
            out.append(self.value(child, spec.node, spec.name, parent))
        return out

    def known(
        self, el: Element, node: Node, parent: dict[str, Any], name: str
    ) -> Iterator[tuple[Element, str, Any]]:
        """The children the schema knows, as (element, local name, spec); the rest are kept in
        ``parent`` as serialised XML under ``name/{namespace}tag`` (nothing is dropped)."""
        self.stash(el, node, parent, name)
        for child in el:
            local = self.local(child.tag)
            spec = node.child.get(local) if local is not None else None
            if spec is None or local is None:
                parent.setdefault(f"{name}/{child.tag}", []).append(_serialize(child))
            else:
                yield child, local, spec

    def licenses(self, el: Element, node: Node, parent: dict[str, Any], name: str) -> list[Any]:
        """``<license>`` as ``{"license": {...}}``; ``<expression>`` as ``{"expression": ...}``
        with its attributes; 1.7's ``<expression-detailed>`` as its object."""
        out: list[Any] = []
        for child, local, spec in self.known(el, node, parent, name):
            if local == "license":
                out.append({"license": self.object(child, spec.node)})
            else:
                item = self.object(child, spec.node)
                if local == "expression" and "content" in item:
                    item["expression"] = item.pop("content")
                elif local == "expression-detailed" and set(item) <= PLAIN_EXPRESSION:
                    item.setdefault("expressionDetails", [])  # what tells it from <expression>
                out.append(item)
        return out

    def datasets(self, el: Element, node: Node, parent: dict[str, Any], name: str) -> list[Any]:
        """``<dataset>`` as its object, ``<ref>`` as ``{"ref": ...}``."""
        out: list[Any] = []
        for child, local, spec in self.known(el, node, parent, name):
            if local == "ref":
                out.append({"ref": child.text or ""})
            else:
                out.append(self.value(child, spec.node, local, parent))
        return out


PLAIN_EXPRESSION = frozenset({"expression", "bom-ref", "acknowledgement"})
"""The keys a plain ``<expression>`` carries; a JSON licence expression with any other key is 1.7's
``<expression-detailed>``."""


def parties(node: Node, name: str) -> tuple[str, str] | None:
    """The (organisation, person) elements of a ``PARTY_CHOICES`` element, whose JSON form is the
    chosen object itself; ``None`` for any other element."""
    choice = PARTY_CHOICES.get(name)
    if choice is None or not set(choice) <= set(node.child) <= {*choice, "ref"}:
        return None
    return choice if not node.attributes and node.text is None else None


def party_of(node: Node, choice: tuple[str, str], obj: Any) -> str:
    """Which of ``choice`` writes the untagged ``obj``: the one whose schema knows more of its keys
    (the organisation on a tie, e.g. a name alone; the reader keeps such a person tagged)."""
    org, person = (known_keys(node.child[p].node) for p in choice)
    keys = set(obj) if isinstance(obj, dict) else set()
    return choice[1] if len(keys & person) > len(keys & org) else choice[0]


def known_keys(node: Node) -> set[str]:
    """The JSON keys the schema has for an object of type ``node``."""
    names = {ATTRIBUTE_NAMES.get(a, a) for a in node.attributes} | {
        child_key(c.name, DEPENDENCY_LISTS if "ref" in node.attributes else frozenset())
        for c in node.children
    }
    if node.text is not None:
        names.add(TEXT_KEYS.get(node.name, "content"))
    return names


def dataflow(node: Node) -> bool:
    """1.5+'s ``<dataflow>``, whose ``<classification flow>`` is two of its JSON keys."""
    spec = node.child.get(DATAFLOW_CLASSIFICATION)
    return (
        node.name.endswith("/dataflow")
        and spec is not None
        and not spec.many
        and spec.node.text is not None
        and set(spec.node.attributes) == {"flow"}
    )


def _flatten_classification(out: dict[str, Any]) -> None:
    item = out.get(DATAFLOW_CLASSIFICATION)
    if isinstance(item, dict) and set(item) <= {"flow", "classification"} and "flow" not in out:
        out[DATAFLOW_CLASSIFICATION] = item.get("classification", "")
        if "flow" in item:
            out["flow"] = item["flow"]


def array(spec: Child) -> bool:
    """A repeatable element whose JSON form is an array of its occurrences (a repeatable wrapper is
    one array already)."""
    return spec.many and spec.name not in SCALARS and not wrapper(spec.node)


def wrapper(node: Node) -> bool:
    """An element that only holds repeated items (of one element, or a choice of several): its JSON
    form is the array of them."""
    return (
        bool(node.children)
        and all(c.many for c in node.children)
        and not node.attributes
        and node.text is None
    )


def ref_choice(node: Node, name: str) -> bool:
    """A choice of objects or a ``<ref>`` to one, whose JSON form is the ref's string when it is
    that (``REF_CHOICES``: a patent assertion's ``asserter``)."""
    ref = node.child.get("ref")
    return name in REF_CHOICES and ref is not None and ref.node.leaf and not node.attributes


def _ref_choice(node: Node, name: str, el: Element, prefix: str) -> bool:
    return ref_choice(node, name) and len(el) == 1 and el[0].tag == f"{prefix}ref"


def _serialize(el: Element) -> str:
    tail, el.tail = el.tail, None
    try:
        return ET.tostring(el, encoding="unicode")
    finally:
        el.tail = tail


def extension_keys(doc: object, limit: int = 3) -> list[str]:
    """Up to ``limit`` of the keys this module keeps XML-only content under (``{namespace}name``,
    ``@attribute``, ``name/...``): what a JSON form written as JSON would carry as odd keys rather
    than as the XML it was."""
    found: list[str] = []
    stack: list[object] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if (key[:1] in ("{", "@") or "/{" in key) and key not in found:
                    found.append(key)
                    if len(found) >= limit:
                        return found
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found
