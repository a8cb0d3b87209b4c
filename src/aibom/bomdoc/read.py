"""The one reader of CycloneDX documents: any generator, JSON or XML, one policy for every command.

``report``, ``diff``, ``score``, ``audit``, ``verify --bom`` and the GitHub Action all read BOMs here,
so they accept and refuse the same files with the same words:

- at most ``Limits.max_bom_bytes`` (256 MiB), from a file (never blocking on a FIFO or device) or stdin;
- JSON, or XML when the first non-space byte is ``<``. XML is parsed with ``defusedxml`` and any DTD
  is refused (so no entity expansion and no external entity), then converted to the JSON form
  (``aibom.bomdoc.fromxml``, driven by the version's XSD) so that every reader sees one shape.
  The conversion loses nothing: what JSON has no field for (foreign elements and attributes, XML
  signatures) is kept under extension keys, and ``aibom.bom.xml.write_xml`` writes it all back;
- nesting at most ``Limits.max_bom_depth`` deep and at most ``Limits.max_bom_components`` components;
- ``bomFormat`` CycloneDX (in XML: a ``<bom>`` in the CycloneDX namespace);
- spec version 1.2 to 1.7 (``SPEC_VERSIONS``). Any other version is an **error**, never a warning, in
  every command: 1.0 and 1.1 have no JSON form and no ``metadata`` and a future version may move
  fields, and a warning printed in CI is easily missed while the report below it would silently be
  wrong. 1.2 to 1.4 documents are read as they are: they simply have no ``modelCard`` or ``data``.

Every refusal is a ``UsageError`` (exit code 2 through the CLI) that names the input and says why.
The document is returned as plain data, never through ``Bom.from_json`` (which drops ``modelCard``
and ``data``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from aibom._io import open_regular
from aibom.bomdoc import fromxml
from aibom.bomdoc.walk import nodes
from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS, Limits, MiB

SPEC_VERSIONS: tuple[str, ...] = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
"""CycloneDX versions read; 1.2 is the first with a JSON form."""
STDIN = "-"
"""The source name that means standard input."""

BomSource = Path | str | BinaryIO
_XML_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*<")
_FORMATS_HINT = "aibom reads CycloneDX BOMs as JSON or XML (aibom scan writes either)"


def read_bom(
    source: BomSource,
    limits: Limits = DEFAULT_LIMITS,
    *,
    versions: Sequence[str] = SPEC_VERSIONS,
    xml: bool = True,
) -> dict[str, Any]:
    """The CycloneDX document at ``source`` (a path, ``"-"`` for stdin, or a binary stream) as the
    JSON form's dict, XML included; ``UsageError`` for anything the module docstring refuses.

    ``xml=False`` refuses XML: for a caller that can only write the document back as JSON, where
    XML-only content (extension elements, XML signatures) would have no valid place. (``score
    --annotate`` and ``audit --format cyclonedx`` write XML back as XML: ``aibom.cli.bomout``.)"""
    name, data = read_source(source, limits)
    return parse_bom(data, name, limits, versions=versions, xml=xml)


def parse_bom(
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    versions: Sequence[str] = SPEC_VERSIONS,
    xml: bool = True,
) -> dict[str, Any]:
    """``read_bom`` for bytes already in memory; ``name`` is how messages call them."""
    if len(data) > limits.max_bom_bytes:
        raise _too_large(name, limits)
    if is_xml(data) and not xml:
        raise UsageError(
            f"{name} is XML, and this writes the BOM back as JSON (which XML would not survive whole)",
            hint="give the JSON form of the BOM (aibom scan --format json)",
        )
    doc = _parse_xml(data, name, limits) if is_xml(data) else _parse_json(data, name, limits)
    check_bom(doc, name, versions)
    _check_components(doc, name, limits)
    return doc


def is_xml(data: bytes) -> bool:
    """Whether ``data`` is read as XML: its first non-space byte (after a UTF-8 BOM) is ``<``."""
    return _XML_START.match(data) is not None


def read_json(source: BomSource, what: str, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """A JSON object that travels with a BOM (a scorecard), under the same size and depth bounds."""
    name, data = read_source(source, limits)
    doc = _parse_json(data, f"{name} ({what})", limits)
    if not isinstance(doc, dict):
        raise UsageError(f"{name}: {what} must be a JSON object, not {type(doc).__name__}")
    return doc


def check_bom(doc: object, name: str, versions: Sequence[str] = SPEC_VERSIONS) -> None:
    """Refuse what is not a CycloneDX document of a supported version (see the module docstring)."""
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise UsageError(
            f'{name} is not a CycloneDX BOM (no "bomFormat": "CycloneDX")',
            hint=f"{_FORMATS_HINT}; SPDX and other formats are not supported",
        )
    version = doc.get("specVersion")
    if version not in versions:
        raise UsageError(
            f"{name}: CycloneDX {str(version)[:20]} is not supported",
            hint=f"aibom reads CycloneDX {', '.join(versions)}; convert others with the CycloneDX CLI",
        )


# ---------------------------------------------------------------- bytes in


def read_source(source: BomSource, limits: Limits = DEFAULT_LIMITS) -> tuple[str, bytes]:
    """``(name, bytes)`` of a path, ``"-"`` (stdin) or a stream, reading at most one byte more than
    ``Limits.max_bom_bytes`` (so an oversized input is known without reading it all)."""
    if not isinstance(source, (str, Path)):
        name = getattr(source, "name", None)
        return (name if isinstance(name, str) else "stdin"), _read_stream(source, limits)
    if str(source) == STDIN:
        return "stdin", _read_stream(sys.stdin.buffer, limits)
    path = Path(source)
    try:
        with open_regular(path) as stream:
            if os.fstat(stream.fileno()).st_size > limits.max_bom_bytes:
                raise _too_large(str(path), limits)  # known from its size: nothing is read
            return str(path), _read_stream(stream, limits, str(path))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_stream(stream: BinaryIO, limits: Limits, name: str = "stdin") -> bytes:
    try:
        data = stream.read(limits.max_bom_bytes + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > limits.max_bom_bytes:
        raise _too_large(name, limits)
    return data


def _too_large(name: str, limits: Limits) -> UsageError:
    return UsageError(
        f"{name} is larger than {_size(limits.max_bom_bytes)}; not read",
        hint="aibom reads BOMs up to this size (aibom.limits.Limits.max_bom_bytes); "
        "scan fewer targets per BOM",
    )


def _size(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n:,} bytes"


def _too_deep(name: str, limits: Limits) -> UsageError:
    return UsageError(
        f"{name} is nested more than {limits.max_bom_depth} levels deep; not read",
        hint="real BOMs nest about 10 levels (aibom.limits.Limits.max_bom_depth)",
    )


# ---------------------------------------------------------------- JSON


def _parse_json(data: bytes, name: str, limits: Limits) -> Any:
    if not data.strip():
        raise UsageError(f"{name} is empty", hint=_FORMATS_HINT)
    try:
        doc = json.loads(data)
    except RecursionError:
        raise _too_deep(name, limits) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise UsageError(
            f"{name} is neither JSON nor XML: {exc.msg} at {where}", hint=_FORMATS_HINT
        ) from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text ({exc.reason})", hint=_FORMATS_HINT) from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise UsageError(f"{name} is not readable JSON: {str(exc)[:200]}") from None
    if _deeper_than(doc, limits.max_bom_depth):
        raise _too_deep(name, limits)
    return doc


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest more than ``limit`` levels (the top object is level 1)."""
    stack: list[tuple[dict[str, Any] | list[Any], int]] = []
    if isinstance(value, (dict, list)):
        stack.append((value, 1))
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


# ---------------------------------------------------------------- XML


def _parse_xml(data: bytes, name: str, limits: Limits) -> dict[str, Any]:
    root = _xml_tree(data, name)
    if _xml_deeper_than(root, limits.max_bom_depth):
        raise _too_deep(name, limits)
    return fromxml.document(root, _xml_version(root, name))


def _xml_tree(data: bytes, name: str) -> ET.Element:
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UsageError(
            f"{name}: XML with a DOCTYPE or entity declarations is not read",
            hint="CycloneDX XML needs neither; they are refused so no entity is ever expanded",
        ) from None
    except ET.ParseError as exc:
        raise UsageError(f"{name} is not well-formed XML: {exc}", hint=_FORMATS_HINT) from None
    except (LookupError, ValueError) as exc:  # an XML declaration naming an unknown encoding
        raise UsageError(f"{name} is not readable XML: {exc}", hint=_FORMATS_HINT) from None
    assert isinstance(root, ET.Element)
    return root


def _xml_deeper_than(root: ET.Element, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in el)
    return False


def _xml_version(root: ET.Element, name: str) -> str:
    prefix, suffix = "{" + fromxml.NAMESPACE, "}bom"
    if not (root.tag.startswith(prefix) and root.tag.endswith(suffix)):
        raise UsageError(
            f"{name} is not a CycloneDX BOM (the root element is not a <bom> in the "
            f"{fromxml.NAMESPACE}... namespace)",
            hint=f"{_FORMATS_HINT}; SPDX and other formats are not supported",
        )
    return root.tag[len(prefix) : -len(suffix)]


# ---------------------------------------------------------------- size of the component tree


def _check_components(doc: Mapping[str, Any], name: str, limits: Limits) -> None:
    ceiling = limits.max_bom_components
    probe = replace(limits, max_bom_components=ceiling + 1)
    if sum(1 for _ in nodes(doc, probe, metadata=True)) > ceiling:
        raise UsageError(
            f"{name} has more than {ceiling:,} components; not read",
            hint="aibom reads BOMs up to this many components (Limits.max_bom_components)",
        )
