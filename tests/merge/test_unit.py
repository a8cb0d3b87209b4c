"""``aibom.merge.merge`` on hand-built documents: identity, references, graph, metadata, versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aibom.errors import UsageError
from aibom.merge import merge, purl_key, render
from tests.merge.builders import (
    OTHER_SHA,
    SHA,
    all_components,
    assert_graph_closed,
    bom,
    lib,
    schema_error,
    sha256,
)


def _base(**fields: Any) -> dict[str, Any]:
    root = {"type": "application", "name": "app", "version": "1.0", "bom-ref": "app"}
    return bom(metadata={"component": root}, **fields)


def _ml(**fields: Any) -> dict[str, Any]:
    root = {"type": "application", "name": "ml", "bom-ref": "root"}
    return bom(metadata={"component": root}, **fields)


def _by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in all_components(doc) if "bom-ref" in c}


def _deps(doc: dict[str, Any]) -> dict[str, list[str]]:
    return {d["ref"]: d.get("dependsOn", []) for d in doc.get("dependencies", [])}


# ---------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("pkg:pypi/Jinja2@3.1.4", "pkg:pypi/jinja2@3.1.4", True),
        ("pkg:pypi/typing_extensions@4.12.2", "pkg:pypi/typing-extensions@4.12.2", True),
        ("pkg:pypi/zope.interface@6.0", "pkg:pypi/zope-interface@6.0", True),
        ("pkg:pypi/numpy@1.26", "pkg:pypi/numpy@1.26.0", True),
        ("pkg:pypi/numpy@1.26.4", "pkg:pypi/numpy@1.26.3", False),
        ("pkg:maven/org.Example/Lib@1.0", "pkg:maven/org.example/lib@1.0", False),
        ("pkg:pypi/a@1?b=2&a=1", "pkg:pypi/a@1?a=1&b=2", True),
        ("pkg:huggingface/org/model@abc", "pkg:huggingface/org/model@abc", True),
    ],
)
def test_purl_normalisation(a: str, b: str, same: bool) -> None:
    assert (purl_key(a) == purl_key(b)) is same


def test_same_purl_is_one_component_with_everything_of_both() -> None:
    base = _base(
        components=[
            lib(
                "requirements-L1",
                "pkg:pypi/Requests@2.31.0",
                licenses=[{"license": {"id": "Apache-2.0"}}],
                properties=[{"name": "a", "value": "1"}],
            )
        ],
        dependencies=[{"ref": "app", "dependsOn": ["requirements-L1"]}],
    )
    ml = _ml(
        components=[
            lib(
                "pkg:pypi/requests@2.31.0",
                "pkg:pypi/requests@2.31.0",
                hashes=sha256(),
                properties=[{"name": "a", "value": "1"}, {"name": "b", "value": "2"}],
                description="HTTP for humans",
            )
        ],
        dependencies=[{"ref": "root", "dependsOn": ["pkg:pypi/requests@2.31.0"]}],
    )
    doc, report = merge(base, ml)
    assert report.merged_by_purl == 1 and report.merged_by_hash == 0
    assert report.folded == {"pkg:pypi/requests@2.31.0": "requirements-L1"}
    (requests,) = [c for c in doc["components"] if c.get("purl", "").endswith("@2.31.0")]
    assert requests["bom-ref"] == "requirements-L1"
    assert requests["purl"] == "pkg:pypi/Requests@2.31.0"  # the base's spelling is kept
    assert requests["hashes"] == sha256()
    assert requests["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert requests["properties"] == [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}]
    assert requests["description"] == "HTTP for humans"
    assert _deps(doc)["root"] == ["requirements-L1"]
    assert _deps(doc)["app"] == ["requirements-L1", "root"]
    assert report.root_edge == ("app", "root")
    assert_graph_closed(doc)
    assert schema_error(doc) is None


def test_another_spelling_of_the_same_package_is_no_conflict() -> None:
    base = _base(components=[lib("j", "pkg:pypi/Jinja2@3.1.4", name="Jinja2")])
    ml = _ml(components=[lib("k", "pkg:pypi/jinja2@3.1.4", name="jinja2", version="3.1.4")])
    doc, report = merge(base, ml)
    assert report.merged_by_purl == 1 and report.conflict_count == 0
    assert doc["components"][0] == lib("j", "pkg:pypi/Jinja2@3.1.4", name="Jinja2", version="3.1.4")


def test_different_versions_are_not_duplicates() -> None:
    base = _base(components=[lib("numpy", "pkg:pypi/numpy@1.26.4")])
    ml = _ml(components=[lib("numpy2", "pkg:pypi/numpy@2.0.0")])
    doc, report = merge(base, ml)
    assert report.merged == 0 and report.added == 2  # the root and numpy 2.0.0
    purls = sorted(c.get("purl", "") for c in doc["components"])
    assert purls == ["", "pkg:pypi/numpy@1.26.4", "pkg:pypi/numpy@2.0.0"]


def test_same_strong_hash_is_one_component() -> None:
    base = _base(
        components=[
            {
                "type": "machine-learning-model",
                "name": "bert-base",
                "bom-ref": "other-tool:model",
                "hashes": sha256(SHA.upper()),
            }
        ]
    )
    ml = _ml(
        components=[
            {
                "type": "machine-learning-model",
                "name": "model",
                "bom-ref": "model:m",
                "hashes": sha256(),
                "modelCard": {"modelParameters": {"task": "fill-mask"}},
            }
        ],
        dependencies=[{"ref": "root", "dependsOn": ["model:m"]}],
    )
    doc, report = merge(base, ml)
    assert report.merged_by_hash == 1 and report.merged_by_purl == 0
    merged = _by_ref(doc)["other-tool:model"]
    assert merged["modelCard"] == {"modelParameters": {"task": "fill-mask"}}
    assert merged["name"] == "bert-base"  # the base's, and the difference is reported
    assert report.conflicts == ['other-tool:model: name "model" differs; kept "bert-base"']
    assert _deps(doc)["root"] == ["other-tool:model"]
    assert_graph_closed(doc)


def test_same_hash_but_another_type_is_not_the_same_component() -> None:
    """aibom gives a one-file model its weights' digest: the model is not the file syft lists."""
    base = _base(
        components=[
            {"type": "file", "name": "/app/w.safetensors", "bom-ref": "f", "hashes": sha256()}
        ]
    )
    ml = _ml(
        components=[
            {
                "type": "machine-learning-model",
                "name": "m",
                "bom-ref": "model:m",
                "hashes": sha256(),
                "components": [
                    {
                        "type": "file",
                        "name": "w.safetensors",
                        "bom-ref": "file:w",
                        "hashes": sha256(),
                    }
                ],
            }
        ]
    )
    doc, report = merge(base, ml)
    assert report.merged_by_hash == 1
    assert report.folded == {"file:w": "f"}
    assert _by_ref(doc)["model:m"]["type"] == "machine-learning-model"
    assert _deps(doc)["model:m"] == ["f"]


def test_weak_hashes_and_names_do_not_make_duplicates() -> None:
    md5 = [{"alg": "MD5", "content": "0" * 32}]
    base = _base(components=[lib("a", hashes=md5)])
    ml = _ml(components=[lib("b", hashes=md5), lib("a2", name="a")])
    _, report = merge(base, ml)
    assert report.merged == 0


def test_shared_hash_but_different_purls_stays_two_components() -> None:
    base = _base(components=[lib("x", "pkg:pypi/x@1", hashes=sha256())])
    ml = _ml(components=[lib("y", "pkg:pypi/y@1", hashes=sha256())])
    _doc, report = merge(base, ml)
    assert report.merged == 0
    assert any("different purls" in n for n in report.notes)


def test_a_second_value_of_one_hash_algorithm_is_kept_and_reported() -> None:
    base = _base(components=[lib("x", "pkg:pypi/x@1", hashes=sha256())])
    ml = _ml(components=[lib("x", "pkg:pypi/x@1", hashes=sha256(OTHER_SHA))])
    doc, report = merge(base, ml)
    assert doc["components"][0]["hashes"] == sha256() + sha256(OTHER_SHA)
    assert any("two different SHA-256" in c for c in report.conflicts)


def test_nested_components_are_compared_and_kept() -> None:
    base = _base(
        components=[lib("outer", components=[lib("inner", "pkg:pypi/inner@1")])],
    )
    ml = _ml(
        components=[
            {
                "type": "machine-learning-model",
                "name": "m",
                "bom-ref": "model:m",
                "components": [
                    lib("dup", "pkg:pypi/inner@1", description="found in the model"),
                    lib("new", "pkg:pypi/new@1"),
                ],
            }
        ],
        dependencies=[{"ref": "model:m", "dependsOn": ["dup", "new"]}],
    )
    doc, report = merge(base, ml)
    assert report.merged_by_purl == 1
    comps = _by_ref(doc)
    assert comps["inner"]["description"] == "found in the model"
    assert [c["bom-ref"] for c in comps["model:m"]["components"]] == ["new"]
    assert _deps(doc)["model:m"] == ["inner", "new"]
    assert_graph_closed(doc)


# ---------------------------------------------------------------- references


def test_colliding_refs_are_renamed_everywhere() -> None:
    """The ML-BOM's refs that the base already uses are renamed in every place a ref can be."""
    base = _base(
        components=[lib("dataset", "pkg:pypi/other@1"), lib("model", "pkg:pypi/thing@1")],
        dependencies=[{"ref": "app", "dependsOn": ["dataset", "model"]}],
        vulnerabilities=[{"bom-ref": "v1", "id": "CVE-1", "affects": [{"ref": "model"}]}],
    )
    ml = _ml(
        components=[
            {
                "type": "data",
                "name": "corpus",
                "bom-ref": "dataset",
                "data": [{"type": "dataset", "name": "corpus", "bom-ref": "dataset-data"}],
            },
            {
                "type": "machine-learning-model",
                "name": "bert",
                "bom-ref": "model",
                "modelCard": {"modelParameters": {"datasets": [{"ref": "dataset"}]}},
            },
        ],
        dependencies=[
            {"ref": "root", "dependsOn": ["model", "dataset"]},
            {"ref": "model", "dependsOn": ["dataset"]},
        ],
        compositions=[{"aggregate": "complete", "assemblies": ["model"], "dependencies": ["root"]}],
        vulnerabilities=[{"bom-ref": "v1", "id": "AIBOM-1", "affects": [{"ref": "model"}]}],
        annotations=[
            {
                "subjects": ["model", "dataset"],
                "annotator": {"component": {"type": "application", "name": "aibom"}},
                "timestamp": "2024-01-01T00:00:00Z",
                "text": "checked",
            }
        ],
    )
    doc, report = merge(base, ml)
    assert report.renamed == {"dataset": "dataset#2", "model": "model#2", "v1": "v1#2"}
    comps = _by_ref(doc)
    bert = comps["model#2"]
    assert bert["name"] == "bert"
    assert bert["modelCard"]["modelParameters"]["datasets"] == [{"ref": "dataset#2"}]
    assert comps["model"]["purl"] == "pkg:pypi/thing@1"  # the base's own is untouched
    deps = _deps(doc)
    assert deps["app"] == ["dataset", "model", "root"]
    assert deps["root"] == ["model#2", "dataset#2"]
    assert deps["model#2"] == ["dataset#2"]
    assert doc["compositions"] == [
        {"aggregate": "complete", "assemblies": ["model#2"], "dependencies": ["root"]}
    ]
    vulns = {v["bom-ref"]: v for v in doc["vulnerabilities"]}
    assert vulns["v1"]["affects"] == [{"ref": "model"}]
    assert vulns["v1#2"]["affects"] == [{"ref": "model#2"}]
    assert doc["annotations"][0]["subjects"] == ["model#2", "dataset#2"]
    assert_graph_closed(doc)
    assert schema_error(doc) is None


def test_renaming_skips_refs_already_taken() -> None:
    base = _base(components=[lib("x"), lib("x#2")])
    ml = _ml(components=[lib("x")], dependencies=[{"ref": "root", "dependsOn": ["x"]}])
    doc, report = merge(base, ml)
    assert report.renamed == {"x": "x#3"}
    assert _deps(doc)["root"] == ["x#3"]


def test_same_root_ref_on_both_sides() -> None:
    base = _base()
    base["metadata"]["component"]["bom-ref"] = "root"
    ml = _ml(
        components=[lib("a", "pkg:pypi/a@1")], dependencies=[{"ref": "root", "dependsOn": ["a"]}]
    )
    doc, report = merge(base, ml)
    assert report.renamed == {"root": "root#2"}
    assert _deps(doc) == {"root#2": ["a"], "root": ["root#2"]}
    assert_graph_closed(doc)


def test_ml_root_with_the_base_roots_purl_is_folded_into_it() -> None:
    base = _base()
    base["metadata"]["component"]["purl"] = "pkg:pypi/app@1.0"
    ml = _ml(
        components=[lib("a", "pkg:pypi/a@1")], dependencies=[{"ref": "root", "dependsOn": ["a"]}]
    )
    ml["metadata"]["component"]["purl"] = "pkg:pypi/app@1.0"
    doc, report = merge(base, ml)
    assert report.root_edge is None
    assert _deps(doc) == {"app": ["a"]}
    assert [c["bom-ref"] for c in doc["components"]] == ["a"]


def test_merging_adds_no_self_dependency() -> None:
    base = _base(components=[lib("a", "pkg:pypi/a@1")])
    ml = _ml(
        components=[lib("a1", "pkg:pypi/a@1"), lib("a2", "pkg:pypi/A@1")],
        dependencies=[{"ref": "a1", "dependsOn": ["a2"]}],
    )
    doc, _ = merge(base, ml)
    assert _deps(doc)["a"] == []


# ---------------------------------------------------------------- metadata and versions


def test_base_metadata_is_kept_and_aibom_added_as_a_tool() -> None:
    base = _base(serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    base["metadata"]["timestamp"] = "2024-05-01T10:00:00Z"
    base["metadata"]["tools"] = {"components": [{"type": "application", "name": "cyclonedx-py"}]}
    ml = _ml()
    ml["metadata"]["timestamp"] = "2025-01-01T00:00:00Z"
    ml["metadata"]["properties"] = [{"name": "aibom:scan:targets", "value": "model"}]
    ml["metadata"]["tools"] = {
        "components": [
            {"type": "application", "name": "aibom", "version": "0.1.0", "bom-ref": "tool:aibom"}
        ]
    }
    doc, report = merge(base, ml, tool_version="0.1.0")
    meta = doc["metadata"]
    assert meta["component"] == base["metadata"]["component"]
    assert meta["timestamp"] == "2024-05-01T10:00:00Z"
    assert doc["serialNumber"] == base["serialNumber"]
    assert doc["version"] == 2
    names = [t["name"] for t in meta["tools"]["components"]]
    assert names == ["cyclonedx-py", "aibom"]  # one aibom: the scan's and the merge's are the same
    ml_root = _by_ref(doc)["root"]
    assert ml_root["properties"] == [{"name": "aibom:scan:targets", "value": "model"}]
    assert any("timestamp not carried over" in n for n in report.notes)
    assert schema_error(doc) is None


def test_a_1_4_base_is_raised_to_1_6_and_keeps_its_legacy_tools() -> None:
    base = bom(
        "1.4",
        metadata={
            "tools": [{"vendor": "CycloneDX", "name": "cyclonedx-py", "version": "3.11"}],
            "component": {"type": "application", "name": "app", "bom-ref": "app"},
        },
        components=[lib("a", "pkg:pypi/a@1")],
    )
    ml = _ml(components=[lib("m", hashes=sha256())])
    ml["metadata"]["tools"] = {
        "components": [{"type": "application", "name": "aibom", "group": "x"}]
    }
    doc, report = merge(base, ml, tool_version="9.9")
    assert doc["specVersion"] == "1.6" and report.spec_version == "1.6"
    assert any("raised from the base's 1.4" in n for n in report.notes)
    assert doc["metadata"]["tools"] == [
        {"vendor": "CycloneDX", "name": "cyclonedx-py", "version": "3.11"},
        {"vendor": "x", "name": "aibom"},
        {"name": "aibom", "version": "9.9"},
    ]
    assert schema_error(doc) is None


def test_the_higher_version_wins_and_a_lower_one_is_refused() -> None:
    doc, _report = merge(_base(), bom("1.7"))
    assert doc["specVersion"] == "1.7"
    with pytest.raises(UsageError, match=r"an input is 1\.7"):
        merge(_base(), bom("1.7"), spec_version="1.6")
    doc, _ = merge(_base(), _ml(), spec_version="1.7")
    assert doc["specVersion"] == "1.7" and schema_error(doc) is None


def test_inputs_are_not_modified() -> None:
    base = _base(components=[lib("x", "pkg:pypi/x@1")])
    ml = _ml(components=[lib("x", "pkg:pypi/x@1", hashes=sha256())])
    before = copy.deepcopy((base, ml))
    merge(base, ml)
    assert (base, ml) == before


def test_signatures_of_the_inputs_are_removed() -> None:
    sig = {"algorithm": "ES256", "value": "abc"}
    doc, report = merge(_base(signature=sig), _ml(signature=sig))
    assert "signature" not in doc
    assert sum("signature was removed" in n for n in report.notes) == 2


def test_without_a_base_root_the_ml_root_is_a_plain_component() -> None:
    doc, report = merge(bom(components=[lib("a")]), _ml())
    assert report.root_edge is None
    assert any("no root component" in n for n in report.notes)
    assert [c["bom-ref"] for c in doc["components"]] == ["a", "root"]


# ---------------------------------------------------------------- rendering


def test_render_refuses_an_invalid_result_and_names_the_invalid_input() -> None:
    base = _base(components=[{"type": "not-a-type", "name": "x"}])
    doc, _ = merge(base, _ml())
    with pytest.raises(UsageError, match=r"not valid CycloneDX 1\.6") as info:
        render(doc, inputs={"sbom.json": base})
    assert "sbom.json is itself not valid" in (info.value.hint or "")


def test_render_xml_round_trips() -> None:
    from aibom.bomdoc.read import parse_bom

    doc, _ = merge(_base(components=[lib("a", "pkg:pypi/a@1")]), _ml())
    text = render(doc, "xml")
    back = parse_bom(text.encode(), "merged.xml")
    assert [c["bom-ref"] for c in back["components"]] == ["a", "root"]
    assert back["dependencies"] == doc["dependencies"]


def test_render_refuses_xml_only_content_as_json() -> None:
    doc, _ = merge(_base(), _ml(**{"{urn:x}ext": ["<x:ext xmlns:x='urn:x'/>"]}))
    with pytest.raises(UsageError, match="XML-only content"):
        render(doc)


def test_render_error_shows_input_values_escaped_and_without_the_schema_dump() -> None:
    ml = _ml(components=[lib("a", hashes=sha256("\x1b[31mred"))])
    doc, _ = merge(_base(), ml)
    with pytest.raises(UsageError) as info:
        render(doc, inputs={"ml.json": ml})
    hint = info.value.hint or ""
    assert "\x1b" not in hint and ("\\x1b" in hint or "\\u001b" in hint)
    assert "ml.json is itself not valid CycloneDX 1.6" in hint
    assert "does not match" in hint and "at /components/1/hashes/0/content" in hint
    assert "'examples'" not in hint  # the schema jsonschema quotes is left out


def test_render_error_names_an_older_input_valid_on_its_own() -> None:
    from aibom.errors import InvalidBomError
    from aibom.merge import _invalid

    old = bom("1.4")
    error = _invalid(InvalidBomError("x"), "1.6", {"old.json": old}, "json")
    assert "old.json is CycloneDX 1.4" in (error.hint or "")


def test_a_vulnerability_both_list_is_listed_once() -> None:
    """Both BOMs audited against OSV: the advisory for the shared package is one entry."""
    source = {"name": "OSV", "url": "https://osv.dev/vulnerability/GHSA-1"}
    base = _base(
        components=[lib("Jinja2==3.1.4", "pkg:pypi/jinja2@3.1.4")],
        vulnerabilities=[
            {
                "bom-ref": "osv:GHSA-1",
                "id": "GHSA-1",
                "source": source,
                "affects": [{"ref": "Jinja2==3.1.4"}],
            }
        ],
    )
    ml = _ml(
        components=[lib("pkg:pypi/jinja2@3.1.4", "pkg:pypi/jinja2@3.1.4")],
        vulnerabilities=[
            {
                "bom-ref": "osv:GHSA-1",
                "id": "GHSA-1",
                "source": source,
                "affects": [{"ref": "pkg:pypi/jinja2@3.1.4"}],
                "ratings": [{"severity": "high"}],
            },
            {
                "bom-ref": "finding:1",
                "id": "GHSA-1",
                "source": source,
                "affects": [{"ref": "root"}],
            },
        ],
        compositions=[{"aggregate": "complete", "vulnerabilities": ["osv:GHSA-1"]}],
    )
    doc, report = merge(base, ml)
    assert report.vulnerabilities_merged == 1
    assert "1 vulnerabilities already in the base" in report.summary()
    first, second = doc["vulnerabilities"]
    assert first["bom-ref"] == "osv:GHSA-1"
    assert first["ratings"] == [{"severity": "high"}]
    assert second["affects"] == [{"ref": "root"}]  # another component: another entry
    assert doc["compositions"] == [{"aggregate": "complete", "vulnerabilities": ["osv:GHSA-1"]}]
    assert report.folded["osv:GHSA-1"] == "osv:GHSA-1"
    assert "osv:GHSA-1" not in report.renamed
    assert schema_error(doc) is None


def test_two_refs_folded_into_one_are_named_once() -> None:
    """Found by tests/merge/test_properties.py: ``dependsOn: [d, d]`` broke uniqueItems."""
    base = _base(components=[lib("d", "pkg:pypi/a@1", hashes=sha256())])
    ml = _ml(
        components=[lib("e", hashes=sha256()), lib("f", "pkg:pypi/a@1")],
        dependencies=[{"ref": "root", "dependsOn": ["e", "f"]}],
        vulnerabilities=[{"id": "X", "affects": [{"ref": "e"}, {"ref": "f"}]}],
    )
    doc, report = merge(base, ml)
    assert report.folded == {"e": "d", "f": "d"}
    assert _deps(doc)["root"] == ["d"]
    assert doc["vulnerabilities"][0]["affects"] == [{"ref": "d"}]
    assert schema_error(doc) is None


def test_a_nested_part_folded_elsewhere_becomes_a_dependency_of_its_holder() -> None:
    base = _base(components=[lib("weights-file", hashes=sha256())])
    ml = _ml(
        components=[
            {
                "type": "machine-learning-model",
                "name": "m",
                "bom-ref": "model:m",
                "components": [lib("file:m/model.safetensors", hashes=sha256())],
            }
        ]
    )
    doc, report = merge(base, ml)
    assert report.merged_by_hash == 1
    assert "components" not in _by_ref(doc)["model:m"]
    assert _deps(doc)["model:m"] == ["weights-file"]
    assert any("model:m held weights-file" in n for n in report.notes)
    assert_graph_closed(doc)


def test_ml_metadata_without_a_root_is_named_as_not_carried_over() -> None:
    ml = bom(
        metadata={"properties": [{"name": "a", "value": "1"}], "lifecycles": [{"phase": "build"}]}
    )
    doc, report = merge(_base(), ml)
    assert "properties" not in doc["metadata"]
    assert "the ML-BOM's metadata lifecycles, properties not carried over" in " ".join(report.notes)
