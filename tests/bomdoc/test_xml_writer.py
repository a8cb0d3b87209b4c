"""``aibom.bom.xml.write_xml``: the JSON form of any document as CycloneDX XML, and what it refuses."""

from __future__ import annotations

import io
from typing import Any

import pytest

from aibom.bom.xml import unplaced_keys, write_xml, xml_text
from aibom.bomdoc import read_bom
from aibom.errors import InvalidBomError, UsageError


def _doc(**fields: Any) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, **fields}


def test_fields_follow_the_schema_order_and_spelling() -> None:
    doc = _doc(
        components=[
            {
                "name": "a",  # before "type" in the dict; XML wants attributes, then the XSD order
                "type": "library",
                "version": "1",
                "hashes": [{"alg": "SHA-256", "content": "a" * 64}],
                "modified": False,
            }
        ],
        vulnerabilities=[{"id": "V", "ratings": [{"score": 1e-05}], "cwes": [79]}],
    )
    text = write_xml(doc)
    assert '<component type="library">\n      <name>a</name>\n      <version>1</version>' in text
    assert '<hash alg="SHA-256">' in text and "<modified>false</modified>" in text
    assert "<score>0.00001</score>" in text  # xs:decimal has no exponent
    assert read_bom(io.BytesIO(text.encode())) == doc


def test_json_only_fields_are_left_out() -> None:
    """``$schema``, ``bomFormat``, ``specVersion`` and JSF signatures have no XML counterpart by
    design (xmlnames.JSON_ONLY)."""
    signature = {"algorithm": "ES256", "value": "tqIT"}
    doc = _doc(
        **{"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "signature": signature},
        components=[{"type": "library", "name": "a", "signature": signature}],
    )
    text = write_xml(doc)
    assert "schema.json" not in text and "tqIT" not in text and ">CycloneDX<" not in text
    assert unplaced_keys(doc) == []


def test_keys_xml_has_no_place_for_are_refused_by_name_never_dropped() -> None:
    """A vendor's key in a JSON BOM (invalid under the strict schema, but found in the wild) or a
    field of a newer version: refused with every path named, never written as if it were not there."""
    doc = _doc(
        **{"x-vendor": {"a": 1}},
        metadata={"timestamp": "2024-01-01T00:00:00Z", "lifecycles2": []},
        components=[
            {
                "type": "library",
                "name": "a",
                "x/odd~key": 1,
                "licenses": [{"license": {"id": "MIT", "x": 1}}],
            },
            {"type": "library", "name": "b", "licenses": [{"license": {"id": "MIT"}, "y": 2}]},
        ],
    )
    expected = [
        "/metadata/lifecycles2",
        "/components/0/x~1odd~0key",
        "/components/0/licenses/0/license/x",
        "/components/1/licenses/0/y",
        "/x-vendor",
    ]
    assert sorted(unplaced_keys(doc)) == sorted(expected)
    with pytest.raises(UsageError) as caught:
        write_xml(doc)
    message = caught.value.message
    assert (
        message.startswith("CycloneDX 1.6 XML has no place for ")
        and "nothing was written" in message
    )
    assert all(path in message for path in expected)
    with pytest.raises(UsageError) as hostile:
        write_xml(_doc(**{"x\x1b[2J": 1}))
    assert "\x1b" not in hostile.value.message and "/x" in hostile.value.message  # shown escaped
    older = {**_doc(specVersion="1.2"), "metadata": {"properties": [{"name": "a", "value": "b"}]}}
    assert unplaced_keys(older) == ["/metadata/properties"]  # 1.2 has no properties


def test_characters_xml_cannot_carry_are_dropped() -> None:
    assert xml_text("a\x00b\x1bc\ud800") == "abc"
    assert xml_text(True) == "true" and xml_text(float("nan")) == ""
    text = write_xml(_doc(components=[{"type": "library", "name": "x\x00y"}]))
    assert "<name>xy</name>" in text


def test_an_invalid_document_is_refused_not_written() -> None:
    with pytest.raises(InvalidBomError):
        write_xml(_doc(components=[{"name": "no type"}]))
    assert "<name>no type</name>" in write_xml(
        _doc(components=[{"name": "no type"}]), validate=False
    )


@pytest.mark.parametrize("version", [None, "1.1", "2.0", 1.6])
def test_versions_without_an_xml_schema_are_refused(version: object) -> None:
    with pytest.raises(UsageError, match="has no XML schema"):
        write_xml({"bomFormat": "CycloneDX", "specVersion": version})


@pytest.mark.parametrize(
    "extension",
    [
        "<not xml",
        "<!DOCTYPE x [<!ENTITY e 'boom'>]><x:e xmlns:x='urn:x'>&e;</x:e>",
        "<x:a xmlns:x='urn:x'>" + "<x:a>" * 200 + "</x:a>" * 200 + "</x:a>",
    ],
    ids=["malformed", "entity", "deep"],
)
def test_hostile_extension_keys_are_a_clear_error(extension: str) -> None:
    doc = _doc(**{"{urn:x}e": [extension]})
    with pytest.raises(UsageError, match="XML extension element"):
        write_xml(doc)


def test_wrong_shapes_give_an_invalid_document_or_a_valid_one_never_a_crash() -> None:
    refused = 0
    for fields in (
        {"components": "abc"},
        {"components": [None, 3, ["x"]]},
        {"metadata": [1]},
        {"dependencies": [{"ref": "a", "dependsOn": "b"}]},
        {"components": [{"type": "library", "name": {"deep": [{"er": 1}]}}]},
    ):
        try:
            text = write_xml(_doc(**fields))
        except (InvalidBomError, UsageError):  # invalid, or a key named that XML has no place for
            refused += 1
        else:
            read_bom(io.BytesIO(text.encode()))  # what is written (validated) reads back
    assert refused >= 3


def test_choices_json_does_not_tag_are_read_untagged_and_written_back() -> None:
    """1.7 patents' assignee (organisation or individual) and a 1.6 dataflow's classification: JSON
    has the object itself and two keys; a person with only a name (an organisation's keys too) stays
    tagged so that its XML comes back as it was."""
    ns = "http://cyclonedx.org/schema/bom/1.7"
    text = f"""<?xml version="1.0"?><bom xmlns="{ns}" version="1"><definitions><patents>
      <patent bom-ref="p1"><patentNumber>US1234567890</patentNumber><jurisdiction>US</jurisdiction>
        <patentLegalStatus>in-force</patentLegalStatus>
        <patentAssignee><individual><name>Jane</name><email>j@x.org</email></individual></patentAssignee>
        <patentAssignee><individual><name>Only a name</name></individual></patentAssignee>
        <patentAssignee><organization><name>Org</name></organization></patentAssignee>
      </patent></patents></definitions></bom>"""
    doc = read_bom(io.BytesIO(text.encode()))
    [patent] = doc["definitions"]["patents"]
    assert patent["patentAssignee"] == [
        {"name": "Jane", "email": "j@x.org"},
        {"individual": {"name": "Only a name"}},
        {"name": "Org"},
    ]
    written = write_xml(doc)
    assert written.count("<individual>") == 2 and written.count("<organization>") == 1
    assert read_bom(io.BytesIO(written.encode())) == doc
    flows = _doc(
        services=[
            {"name": "s", "data": [{"flow": "inbound", "classification": "PII", "name": "d"}]}
        ]
    )
    xml = write_xml(flows)
    assert '<classification flow="inbound">PII</classification>' in xml
    assert read_bom(io.BytesIO(xml.encode()))["services"] == flows["services"]
    assert unplaced_keys(
        _doc(services=[{"name": "s", "data": [{"name": "d", "flow": "inbound"}]}])
    ) == ["/services/0/data/0/flow"]
