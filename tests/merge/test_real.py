"""Merging the real cyclonedx-py SBOM of a project with the real aibom ML-BOM of its model."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

from aibom.bomdoc.read import parse_bom, read_bom
from aibom.merge import MergeReport, merge, purl_key, render
from tests.merge.builders import all_components, assert_graph_closed, schema_error
from tests.merge.realtools import SHARED, Project, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("merge-real"))


@pytest.fixture(scope="module")
def merged(project: Project) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], MergeReport]:
    base, ml = read_bom(project.sbom), read_bom(project.mlbom)
    doc, report = merge(base, ml)
    return base, ml, doc, report


def _purls(doc: dict[str, Any]) -> list[str]:
    return [str(purl_key(c["purl"])) for c in all_components(doc) if "purl" in c]


def test_the_inputs_are_what_the_tests_assume(project: Project) -> None:
    base, ml = read_bom(project.sbom), read_bom(project.mlbom)
    tools = [t["name"] for t in base["metadata"]["tools"]["components"]]
    assert "cyclonedx-py" in tools
    assert base["metadata"]["component"]["name"] == "demo-app"
    for purl in SHARED:
        assert purl_key(purl) in _purls(base) and purl_key(purl) in _purls(ml)
    assert {c["bom-ref"] for c in base["components"]}.isdisjoint(
        c["bom-ref"] for c in all_components(ml)
    )  # cyclonedx-py names refs "Jinja2==3.1.4", aibom "pkg:pypi/jinja2@3.1.4"


def test_shared_packages_are_one_component(merged: Any) -> None:
    base, ml, doc, report = merged
    purls = _purls(doc)
    for purl in SHARED:
        assert purls.count(str(purl_key(purl))) == 1, purl
    assert report.merged_by_purl == 2
    assert purls.count("pkg:pypi/packaging@24") == 1  # PEP 440: 24.0 is 24
    assert purls.count("pkg:pypi/packaging@23.2") == 1  # another version: kept apart
    assert purl_key("pkg:pypi/safetensors@0.4.5") in purls
    assert purl_key("pkg:pypi/markupsafe@2.1.5") in purls
    expected = len(all_components(base)) + len(all_components(ml)) - 2
    assert len(all_components(doc)) == expected
    assert report.base_components == len(base["components"])
    assert report.added + report.merged == len(all_components(ml))


def test_folded_components_keep_the_base_ref_and_get_the_ml_bom_fields(merged: Any) -> None:
    _base, ml, doc, report = merged
    by_purl = {purl_key(c.get("purl")): c for c in all_components(doc)}
    jinja = by_purl[purl_key("pkg:pypi/jinja2@3.1.4")]
    assert jinja["bom-ref"] == "Jinja2==3.1.4"
    assert report.folded["pkg:pypi/jinja2@3.1.4"] == "Jinja2==3.1.4"
    ml_jinja = next(c for c in ml["components"] if c.get("purl") == "pkg:pypi/jinja2@3.1.4")
    for prop in ml_jinja.get("properties", []):
        assert prop in jinja["properties"]


def test_graph_is_joined(merged: Any) -> None:
    base, ml, doc, report = merged
    assert_graph_closed(doc)
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    base_root = base["metadata"]["component"]["bom-ref"]
    ml_root = ml["metadata"]["component"]["bom-ref"]
    assert report.root_edge == (base_root, ml_root)
    assert ml_root in deps[base_root]
    assert deps["Jinja2==3.1.4"] == ["MarkupSafe==2.1.5"]  # cyclonedx-py's edge kept
    assert "Jinja2==3.1.4" in deps[ml_root]  # aibom's edge, pointed at the base's component
    assert "requests==2.31.0" in deps[ml_root]
    models = [c for c in all_components(doc) if c["type"] == "machine-learning-model"]
    assert models and all(m["bom-ref"] in deps for m in models)


def test_base_metadata_is_kept(merged: Any) -> None:
    base, _ml, doc, _ = merged
    meta, old = doc["metadata"], base["metadata"]
    assert meta["component"] == old["component"]
    assert meta.get("timestamp") == old.get("timestamp")
    assert doc.get("serialNumber") == base.get("serialNumber")
    assert doc["version"] == base["version"] + 1
    names = [t["name"] for t in meta["tools"]["components"]]
    assert names[: len(old["tools"]["components"])] == [
        t["name"] for t in old["tools"]["components"]
    ]
    assert names.count("aibom") == 1
    ml_root = next(c for c in doc["components"] if c["bom-ref"] == "root")
    assert {"name": "aibom:scan:reproducible", "value": "true"} in ml_root["properties"]


def test_findings_of_the_ml_bom_are_carried(merged: Any) -> None:
    _, ml, doc, _ = merged
    assert ml["vulnerabilities"]
    for vuln in ml["vulnerabilities"]:
        assert vuln in doc["vulnerabilities"]
    refs = {c["bom-ref"] for c in all_components(doc)}
    for vuln in doc["vulnerabilities"]:
        assert all(a["ref"] in refs for a in vuln.get("affects", []))


def test_result_is_schema_valid_and_round_trips(merged: Any, tmp_path: Path) -> None:
    base, ml, doc, _ = merged
    assert schema_error(doc) is None
    out = tmp_path / "merged.json"
    out.write_text(render(doc, inputs={"sbom": base, "ml": ml}))
    assert read_bom(out) == doc
    xml = render(doc, "xml")
    back = parse_bom(xml.encode(), "merged.xml")
    assert [c["bom-ref"] for c in all_components(back)] == [
        c["bom-ref"] for c in all_components(doc)
    ]
    assert back["dependencies"] == doc["dependencies"]


def test_merging_is_deterministic(project: Project, merged: Any) -> None:
    again, _ = merge(read_bom(project.sbom), read_bom(project.mlbom))
    assert again == merged[2]


def test_an_xml_sbom_merges(project: Project) -> None:
    base, ml = read_bom(project.sbom_xml), read_bom(project.mlbom)
    doc, report = merge(base, ml)
    assert report.merged_by_purl == 2
    assert_graph_closed(doc)
    assert schema_error(doc) is None
    assert doc["metadata"]["component"]["name"] == "demo-app"


def test_a_syft_style_file_component_is_folded_by_hash(project: Project) -> None:
    """syft lists files with their SHA-256; aibom hashes the model's file too: one component, which
    the model (no longer its holder) depends on."""
    base = read_bom(project.sbom)
    data = (project.model / "model.safetensors").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    base = copy.deepcopy(base)
    base["components"].append(
        {
            "type": "file",
            "name": "/app/model/model.safetensors",
            "bom-ref": "syft-file-1",
            "hashes": [{"alg": "SHA-1", "content": hashlib.sha1(data).hexdigest()},
                       {"alg": "SHA-256", "content": digest}],
        }
    )  # fmt: skip
    ml = read_bom(project.mlbom)
    carriers = [
        c
        for c in all_components(ml)
        if {"alg": "SHA-256", "content": digest} in c.get("hashes", [])
    ]
    assert sorted(c["type"] for c in carriers) == ["file", "machine-learning-model"]
    doc, report = merge(base, ml)
    assert report.merged_by_hash == 1  # the file; the model has its digest but is not a file
    carrying = [
        c for c in all_components(doc) if any(h["content"] == digest for h in c.get("hashes", []))
    ]
    assert sorted(c["bom-ref"] for c in carrying) == ["model:model", "syft-file-1"]
    assert (
        "syft-file-1"
        in {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}["model:model"]
    )
    assert_graph_closed(doc)
    assert schema_error(doc) is None


def test_both_audited_against_osv_list_the_shared_advisory_once(
    project: Project, tmp_path: Path
) -> None:
    """The real ``aibom audit --format cyclonedx`` on both BOMs, then a merge: one entry per advisory
    and affected package, pointing at the SBOM's component."""
    from tests.merge.realtools import AIBOM, run
    from tests.vulns.osv_builders import advisory, write_export

    db = write_export(
        tmp_path / "all.zip",
        [advisory("GHSA-aaaa-bbbb-cccc", "jinja2", ("introduced", "0"), ("fixed", "3.1.5"))],
    )
    audited = {}
    for name, bom in (("sbom", project.sbom), ("ml", project.mlbom)):
        audited[name] = tmp_path / f"{name}.audited.json"
        done = run(
            AIBOM, "audit", bom, "--osv-db", db, "--format", "cyclonedx", "-o", audited[name],
            "--fail-on", "none", "--cache-dir", tmp_path / "cache",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    doc, report = merge(read_bom(audited["sbom"]), read_bom(audited["ml"]))
    assert report.vulnerabilities_merged == 1
    osv = [v for v in doc["vulnerabilities"] if v["id"] == "GHSA-aaaa-bbbb-cccc"]
    assert len(osv) == 1
    assert [a["ref"] for a in osv[0]["affects"]] == ["Jinja2==3.1.4"]
    assert any(v["id"].startswith("AIBOM-") for v in doc["vulnerabilities"])  # the scan's findings
    assert_graph_closed(doc)
    assert schema_error(doc) is None


def _syft_shaped(model_sha256: str) -> dict[str, Any]:
    """A document in the shape syft 1.x writes with ``-o cyclonedx-json`` (written by hand: syft is
    not installed here): bom-refs are purls with a ``package-id`` qualifier or opaque ids, the root
    is a ``file``, files carry SHA-1 and SHA-256."""
    jinja = "pkg:pypi/jinja2@3.1.4?package-id=7fa0b2d3a3c2c2c1"
    markupsafe = "pkg:pypi/markupsafe@2.1.5?package-id=91d1f1a7e0c45d12"

    def python(ref: str, name: str, version: str) -> dict[str, Any]:
        return {
            "bom-ref": ref,
            "type": "library",
            "name": name,
            "version": version,
            "cpe": f"cpe:2.3:a:python-{name.lower()}:python-{name.lower()}:{version}:*:*:*:*:*:*:*",
            "purl": ref.split("?", 1)[0],
            "properties": [
                {"name": "syft:package:foundBy", "value": "python-installed-package-cataloger"},
                {"name": "syft:package:language", "value": "python"},
            ],
        }

    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:8b5e0f1c-6b7e-4d55-9d7a-2c3f2f6f0e11",
        "version": 1,
        "metadata": {
            "timestamp": "2026-12-01T10:00:00Z",
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "author": "anchore",
                        "name": "syft",
                        "version": "1.18.1",
                    }
                ]
            },
            "component": {"bom-ref": "af63bd4c8601b7f1", "type": "file", "name": "/app"},
        },
        "components": [
            python(jinja, "Jinja2", "3.1.4"),
            python(markupsafe, "MarkupSafe", "2.1.5"),
            {
                "bom-ref": "3f2a8e1f6c0d9b77",
                "type": "file",
                "name": "/app/model/model.safetensors",
                "hashes": [
                    {"alg": "SHA-1", "content": "0" * 40},
                    {"alg": "SHA-256", "content": model_sha256},
                ],
            },
        ],
        "dependencies": [
            {"ref": jinja, "dependsOn": [markupsafe]},
            {"ref": "af63bd4c8601b7f1", "dependsOn": [jinja, "3f2a8e1f6c0d9b77"]},
        ],
    }


def test_a_syft_shaped_sbom_merges_by_purl_and_by_hash(project: Project) -> None:
    digest = hashlib.sha256((project.model / "model.safetensors").read_bytes()).hexdigest()
    base = _syft_shaped(digest)
    assert schema_error(base) is None
    ml = read_bom(project.mlbom)
    doc, report = merge(base, ml)
    assert report.merged_by_purl == 1  # jinja2; requests is not in this SBOM
    assert report.merged_by_hash >= 1  # the model file
    by_ref = {c["bom-ref"]: c for c in all_components(doc)}
    jinja = by_ref["pkg:pypi/jinja2@3.1.4?package-id=7fa0b2d3a3c2c2c1"]
    assert {"name": "syft:package:foundBy", "value": "python-installed-package-cataloger"} in jinja[
        "properties"
    ]
    assert by_ref["3f2a8e1f6c0d9b77"]["name"] == "/app/model/model.safetensors"
    model = next(c for c in doc["components"] if c["type"] == "machine-learning-model")
    assert "3f2a8e1f6c0d9b77" not in [c["bom-ref"] for c in model["components"]]
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps["af63bd4c8601b7f1"] == [
        "pkg:pypi/jinja2@3.1.4?package-id=7fa0b2d3a3c2c2c1",
        "3f2a8e1f6c0d9b77",
        "root",
    ]
    assert "3f2a8e1f6c0d9b77" in deps[model["bom-ref"]]  # the model's file, now the SBOM's
    assert any("now depends on it" in n for n in report.notes)
    assert doc["metadata"]["tools"]["components"][0]["name"] == "syft"
    assert doc["serialNumber"] == base["serialNumber"] and doc["version"] == 2
    assert_graph_closed(doc)
    assert schema_error(doc) is None
