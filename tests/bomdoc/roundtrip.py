"""Comparing CycloneDX documents as data, for the round-trip tests and bench/bom_io.py.

XML documents are compared as element trees, normalising only what XML and the CycloneDX schema make
insignificant:

- namespace prefixes (elements and attributes compare by namespace URI and local name), attribute
  order, comments and processing instructions, and the whitespace-only text that indents elements;
- leading, trailing and repeated whitespace in text: the schema collapses it in every token, URI,
  date and enumeration type. (xs:string text is written back verbatim; a separate test proves it);
- the lexical form of a number or boolean (``1.0`` and ``1``, ``1`` and ``true``: one xs:decimal or
  xs:boolean value);
- the order of the ``<dependency ref>`` and ``<provides ref>`` inside a ``<dependency>``, which the
  JSON form keeps as two sets (``dependsOn``, ``provides``).

JSON documents are compared as parsed data (key order and formatting are not data).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "cyclonedx"

Tree = tuple[str, tuple[tuple[str, str], ...], str, tuple["Tree", ...]]


def corpus(suffix: str) -> list[Path]:
    """The vendored reference documents (tests/data/cyclonedx, see its NOTICE) ending in ``suffix``."""
    return sorted(DATA.rglob(f"*{suffix}"))


def canonical(el: ET.Element) -> Tree:
    kids = tuple(canonical(c) for c in el)  # comments and PIs are not parsed into the tree
    if el.tag.endswith("}dependency"):
        kids = tuple(sorted(kids))
    text = "" if kids else _value(el.text or "")
    attrs = tuple(sorted((k, _value(v)) for k, v in el.attrib.items()))
    return (el.tag, attrs, text, kids)


def _value(text: str) -> str:
    word = " ".join(text.split())
    if word in ("true", "false"):
        return word
    try:
        number = Decimal(word)
    except InvalidOperation:
        return word
    return str(number.normalize()) if number.is_finite() else word


def xml_difference(a: Tree, b: Tree, path: str = "") -> str | None:
    """Where two canonical trees first differ (``None``: they are equal)."""
    here = f"{path}/{a[0].rpartition('}')[2]}"
    if a[0] != b[0]:
        return f"{path}: <{a[0]}> against <{b[0]}>"
    if a[1] != b[1]:
        return f"{here}: attributes {a[1]} against {b[1]}"
    if a[2] != b[2] and {a[2], b[2]} not in ({"1", "true"}, {"0", "false"}):
        return f"{here}: text {a[2][:60]!r} against {b[2][:60]!r}"
    for x, y in zip(a[3], b[3], strict=False):
        found = xml_difference(x, y, here)
        if found:
            return found
    if len(a[3]) != len(b[3]):
        return f"{here}: {len(a[3])} children against {len(b[3])}"
    return None


def parse(data: bytes | str) -> Tree:
    """A trusted document's canonical tree (the vendored files and aibom's own output)."""
    return canonical(ET.fromstring(data))  # trusted: reference documents, our output
