"""CycloneDX XML is read into the same dict as the JSON form: proved on aibom's own BOMs of real scans
(both written by ``aibom scan``), and on the XML details aibom's writer does not produce."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from aibom.bomdoc import read_bom
from aibom.bomdoc.walk import components
from tests.bomdoc.docs import fixture_tree, scan_to


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_tree(tmp_path_factory.mktemp("bomdoc") / "repo")


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_aibom_xml_reads_as_its_json_form(tree: Path, tmp_path: Path, spec: str) -> None:
    from_json = read_bom(scan_to(tree, tmp_path / "bom.json", "json", spec))
    from_xml = read_bom(scan_to(tree, tmp_path / "bom.xml", "xml", spec))
    del from_json["$schema"]  # JSON Schema's pointer: no XML counterpart
    assert from_xml == from_json
    _assert_rich(from_json)


def _assert_rich(doc: dict[str, Any]) -> None:
    """The comparison above covers every field the tests promise (else it would prove little)."""
    every = list(components(doc, metadata=True))
    cards = [c["modelCard"] for c in every if "modelCard" in c]
    assert any("quantitativeAnalysis" in card for card in cards)
    assert any("considerations" in card and "properties" in card for card in cards)
    assert any("description" in d and "contents" in d for c in every for d in c.get("data", []))
    assert any(c.get("hashes") for c in every) and any(c.get("licenses") for c in every)
    assert any(c.get("purl", "").startswith("pkg:pypi/") for c in every)
    assert any(c.get("externalReferences") for c in every)
    assert any(c.get("type") == "file" for c in every)
    assert doc["metadata"]["tools"]["components"] and doc["metadata"]["properties"]
    assert any(d.get("dependsOn") for d in doc["dependencies"])
    assert any(v.get("ratings") and v.get("affects") for v in doc["vulnerabilities"])


def _xml(body: str, spec: str = "1.6", attrs: str = 'version="3"') -> io.BytesIO:
    ns = f"http://cyclonedx.org/schema/bom/{spec}"
    return io.BytesIO(f'<?xml version="1.0"?><bom xmlns="{ns}" {attrs}>{body}</bom>'.encode())


def test_other_generators_xml_fields() -> None:
    """Fields aibom does not write but other generators do: 1.4 tools, license expressions and
    texts, suppliers, vulnerability scores and CWEs, analysis, foreign extension elements."""
    body = """
      <metadata><timestamp>2024-01-01T00:00:00Z</timestamp>
        <tools><tool><vendor>acme</vendor><name>gen</name><version>1</version></tool></tools>
      </metadata>
      <components>
        <component type="library" bom-ref="a" xmlns:x="urn:x">
          <supplier><name>Acme</name><url>https://a.test</url><url>https://b.test</url></supplier>
          <name>a</name><version>1.0</version>
          <licenses><expression>MIT OR Apache-2.0</expression>
            <license><name>Custom</name><text content-type="text/plain">be nice</text></license>
          </licenses>
          <x:name>a name in another namespace is not the name</x:name>
        </component>
      </components>
      <vulnerabilities><vulnerability bom-ref="v">
        <id>CVE-1</id><ratings><rating><score>9.8</score><severity>critical</severity></rating></ratings>
        <cwes><cwe>79</cwe></cwes>
        <analysis><state>exploitable</state><responses><response>update</response></responses></analysis>
        <affects><target><ref>a</ref><versions><version><version>1.0</version><status>affected</status></version></versions></target></affects>
      </vulnerability></vulnerabilities>"""
    doc = read_bom(_xml(body, "1.4", 'serialNumber="urn:uuid:1" version="3"'))
    assert doc["serialNumber"] == "urn:uuid:1" and doc["version"] == 3
    assert doc["metadata"]["tools"] == [{"vendor": "acme", "name": "gen", "version": "1"}]
    [comp] = doc["components"]
    foreign = comp.pop("{urn:x}name")  # kept, under its own key, never taken for the name
    assert ["a name in another namespace is not the name" in e for e in foreign] == [True]
    assert comp == {
        "type": "library",
        "bom-ref": "a",
        "supplier": {"name": "Acme", "url": ["https://a.test", "https://b.test"]},
        "name": "a",
        "version": "1.0",
        "licenses": [
            {"expression": "MIT OR Apache-2.0"},
            {
                "license": {
                    "name": "Custom",
                    "text": {"content": "be nice", "contentType": "text/plain"},
                }
            },
        ],
    }
    [vuln] = doc["vulnerabilities"]
    assert vuln["ratings"] == [{"score": 9.8, "severity": "critical"}] and vuln["cwes"] == [79]
    assert vuln["analysis"] == {"state": "exploitable", "response": ["update"]}
    assert vuln["affects"] == [{"ref": "a", "versions": [{"version": "1.0", "status": "affected"}]}]


def test_modelcard_arrays_unwrap_like_the_json_form() -> None:
    body = """<components><component type="machine-learning-model" bom-ref="m"><name>m</name>
      <modelCard bom-ref="card"><modelParameters><datasets><ref>d</ref>
        <dataset><type>dataset</type><name>inline</name></dataset></datasets></modelParameters>
        <considerations><useCases><useCase>one</useCase><useCase>two</useCase></useCases></considerations>
      </modelCard>
      <data><type>dataset</type><sensitiveData>pii</sensitiveData><sensitiveData>faces</sensitiveData>
        <graphics><collection><graphic><name>g</name></graphic></collection></graphics></data>
      <data><type>configuration</type><governance><owners><owner><organization><name>org</name>
        </organization></owner></owners></governance></data>
    </component></components>"""
    [comp] = read_bom(_xml(body))["components"]
    assert comp["modelCard"] == {
        "bom-ref": "card",
        "modelParameters": {"datasets": [{"ref": "d"}, {"type": "dataset", "name": "inline"}]},
        "considerations": {"useCases": ["one", "two"]},
    }
    assert comp["data"] == [
        {
            "type": "dataset",
            "sensitiveData": ["pii", "faces"],
            "graphics": {"collection": [{"name": "g"}]},
        },
        {"type": "configuration", "governance": {"owners": [{"organization": {"name": "org"}}]}},
    ]
