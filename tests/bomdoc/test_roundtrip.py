"""Lossless reading: every published CycloneDX example (tests/data/cyclonedx) read and written back
gives an equal document, JSON -> JSON, XML -> XML and XML -> JSON form -> XML, the XML valid against
the official XSD. What "equal" normalises is in tests/bomdoc/roundtrip.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aibom.bom.xml import write_xml
from aibom.bomdoc import read_bom
from tests.bomdoc.roundtrip import DATA, corpus, parse, xml_difference

JSON_FILES = corpus(".json")
XML_FILES = corpus(".xml")


def _id(path: Path) -> str:
    return str(path.relative_to(DATA))


def test_the_corpus_is_all_there() -> None:
    """Every version 1.2-1.7 in both formats, the extension and signature documents included (so no
    test below can pass by finding nothing)."""
    for version in ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7"):
        assert len(list((DATA / "spec" / version).glob("valid-*.json"))) >= 20
        assert len(list((DATA / "spec" / version).glob("valid-*.xml"))) >= 20
    names = {p.name for p in XML_FILES}
    assert {"valid-random-attributes-1.7.xml", "valid-xml-signature-1.7.xml"} <= names
    assert "valid-external-elements-1.7.xml" in names
    assert len(JSON_FILES) + len(XML_FILES) > 450


@pytest.mark.parametrize("path", JSON_FILES, ids=_id)
def test_json_read_then_written_is_the_same_document(path: Path) -> None:
    written = json.dumps(read_bom(path), ensure_ascii=False)
    assert json.loads(written) == json.loads(path.read_bytes())


@pytest.mark.parametrize("path", XML_FILES, ids=_id)
def test_xml_read_then_written_is_the_same_document(path: Path) -> None:
    written = write_xml(read_bom(path))  # validated against the XSD
    assert xml_difference(parse(path.read_bytes()), parse(written)) is None


@pytest.mark.parametrize("path", XML_FILES, ids=_id)
def test_xml_through_its_json_form_is_the_same_document(path: Path) -> None:
    """The JSON form is plain JSON: serialised and parsed again, it still writes the same XML."""
    as_json = json.dumps(read_bom(path), ensure_ascii=False)
    written = write_xml(json.loads(as_json))
    assert xml_difference(parse(path.read_bytes()), parse(written)) is None
    again = read_bom(io.BytesIO(written.encode()))
    assert again == json.loads(as_json)


def test_extensions_survive_as_their_keys() -> None:
    """Foreign attributes, foreign elements and an XML signature are kept (not just ignored)."""
    spec = DATA / "spec" / "1.7"
    doc = read_bom(spec / "valid-random-attributes-1.7.xml")
    assert doc["@foo"] == "bar" and doc["@components/bar"] == "foo"
    signed = read_bom(spec / "valid-xml-signature-1.7.xml")
    key = "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert key in signed and "SignatureValue" in signed[key][0]
    assert "Signature" in write_xml(signed)


def test_string_text_keeps_its_whitespace_and_tokens_are_collapsed() -> None:
    text = """<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
      <components><component type="library"><name>a</name>
      <hashes><hash alg="SHA-256">
          0000000000000000000000000000000000000000000000000000000000000000
      </hash></hashes>
      <licenses><license><name>x</name><text>  two
  lines  </text></license></licenses>
      </component></components></bom>"""
    doc = read_bom(io.BytesIO(text.encode()))
    [comp] = doc["components"]
    assert comp["hashes"][0]["content"] == "0" * 64  # xs:token-like: collapsed
    assert comp["licenses"][0]["license"]["text"] == {"content": "  two\n  lines  "}  # xs:string
    assert "<text>  two\n  lines  </text>" in write_xml(doc)


def test_typed_values_are_json_values() -> None:
    doc = read_bom(DATA / "spec" / "1.6" / "valid-vulnerability-1.6.xml")
    [vuln] = doc["vulnerabilities"]
    assert isinstance(vuln["ratings"][0]["score"], float)
    assert all(isinstance(cwe, int) for cwe in vuln["cwes"])
    assert isinstance(doc["version"], int)
