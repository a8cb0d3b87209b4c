"""``aibom.spdx.convert``: CycloneDX BOMs (aibom's own and a third party's) as SPDX 3.0.1 JSON-LD."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from spdx_python_model.bindings import v3_0_1 as spdx

from aibom.errors import UsageError
from aibom.spdx import convert, creation_time, tables
from tests.builders import write_model
from tests.spdx.spdx_builders import (
    NO_ASSERTION,
    TINY_BERT,
    by_name,
    element,
    model_card_with_dataset_bom,
    of_type,
    scan_bom,
    targets,
)


def _round_trip(data: dict[str, Any]) -> spdx.SHACLObjectSet:
    """Deserialise with spdx-python-model's JSON-LD deserializer, which checks types and links."""
    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().deserialize_data(copy.deepcopy(data), objects)
    assert objects.missing_ids == set()
    again = spdx.JSONLDSerializer().serialize_data(objects)
    assert again == data  # nothing was lost or re-typed on the way through the model
    return objects


def _expression(data: dict[str, Any], spdx_id: str) -> str:
    if spdx_id == NO_ASSERTION:
        return NO_ASSERTION
    found = element(data, spdx_id)
    assert found["type"] == "simplelicensing_LicenseExpression"
    text = found["simplelicensing_licenseExpression"]
    assert isinstance(text, str)
    return text


# ---------------------------------------------------------------- aibom's own BOM


@pytest.fixture(scope="module")
def tiny_bert() -> tuple[dict[str, Any], dict[str, Any]]:
    bom = scan_bom(TINY_BERT)
    return bom, convert(bom).data


def test_the_model_is_an_ai_package_with_the_model_card_fields(
    tiny_bert: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bom, data = tiny_bert
    model = by_name(data, "ai_AIPackage", "tiny-bert")
    assert model["software_primaryPurpose"] == "model"
    assert model["ai_typeOfModel"] == ["bert", "BertForMaskedLM"]
    assert model["ai_informationAboutApplication"].startswith("Task: fill-mask\nUse case: ")
    assert "untrained" in model["ai_limitation"]
    assert {"key": "perplexity [WikiText-103 [test]]", "value": "812.4"} in [
        {k: v for k, v in m.items() if k != "type"} for m in model["ai_metric"]
    ]
    hyper = {h["key"]: h["value"] for h in model["ai_hyperparameter"]}
    assert hyper["hidden_size"] == "32" and hyper["num_hidden_layers"] == "2"
    weights = next(c for c in bom["components"] if c["bom-ref"] == "model:tiny-bert")
    assert model["verifiedUsing"] == [
        {"type": "Hash", "algorithm": "sha256", "hashValue": weights["hashes"][0]["content"]}
    ]


def test_datasets_files_and_dependencies_become_relationships(
    tiny_bert: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, data = tiny_bert
    model = by_name(data, "ai_AIPackage", "tiny-bert")["spdxId"]
    dataset = by_name(data, "dataset_DatasetPackage", "wikitext")
    assert dataset["dataset_datasetType"] == ["noAssertion"]
    assert (
        dataset["software_downloadLocation"]
        == "https://huggingface.co/datasets/Salesforce/wikitext"
    )
    assert targets(data, "trainedOn", model) == [dataset["spdxId"]]
    base = by_name(data, "ai_AIPackage", "bert-base-uncased")
    assert base["software_packageUrl"] == "pkg:huggingface/google-bert/bert-base-uncased"
    assert set(targets(data, "dependsOn", model)) == {dataset["spdxId"], base["spdxId"]}
    # pedigree.ancestors names the declared base model by purl: one element, not two
    assert targets(data, "descendantOf", model) == [base["spdxId"]]
    files = {element(data, f)["name"] for f in targets(data, "contains", model)}
    assert files == {p.name for p in TINY_BERT.iterdir()}
    weights = by_name(data, "software_File", "model.safetensors")
    assert weights["software_additionalPurpose"] == ["model"]


def test_licences_are_declared_and_nothing_is_concluded(
    tiny_bert: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, data = tiny_bert
    model = by_name(data, "ai_AIPackage", "tiny-bert")["spdxId"]
    assert [_expression(data, t) for t in targets(data, "hasDeclaredLicense", model)] == [
        "Apache-2.0"
    ]
    assert targets(data, "hasConcludedLicense", model) == [NO_ASSERTION]
    # the AI and Dataset profiles want exactly one of each relationship per package
    for kind in ("ai_AIPackage", "dataset_DatasetPackage", "software_Package"):
        for package in of_type(data, kind):
            for rel in ("hasDeclaredLicense", "hasConcludedLicense"):
                found = [
                    r
                    for r in of_type(data, "Relationship")
                    if r["from"] == package["spdxId"] and r["relationshipType"] == rel
                ]
                assert len(found) == 1, (package["name"], rel)


def test_the_document_round_trips_through_the_spdx_model(
    tiny_bert: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, data = tiny_bert
    objects = _round_trip(data)
    documents = list(objects.foreach_type(spdx.SpdxDocument))
    assert len(documents) == 1
    (sbom,) = documents[0].rootElement
    assert isinstance(sbom, spdx.software_Sbom)
    (root,) = sbom.rootElement
    assert isinstance(root, spdx.software_Package) and root.name == "tiny-bert"
    assert sorted(documents[0].profileConformance) == sorted(
        spdx.ProfileIdentifierType.NAMED_INDIVIDUALS[p]
        for p in ("core", "software", "simpleLicensing", "ai", "dataset")
    )
    info = documents[0].creationInfo
    assert isinstance(info, spdx.CreationInfo) and info.specVersion == "3.0.1"
    assert [t.name for t in info.createdUsing if isinstance(t, spdx.Tool)] == ["aibom 0.1.0"]


def test_what_spdx_cannot_hold_is_listed_and_recorded(
    tiny_bert: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bom, _ = tiny_bert
    export = convert(bom)
    listed = {u.path: u.count for u in export.unmapped}
    assert listed["vulnerabilities"] == len(bom["vulnerabilities"])
    assert listed["metadata.properties"] == len(bom["metadata"]["properties"])
    grouped = [c for c in bom["components"] if c.get("group")]
    assert listed["components[].group"] == len(grouped) == 2
    assert "components[].modelCard.modelParameters.inputs" in listed
    (document,) = of_type(export.data, "SpdxDocument")
    for path in listed:
        assert path in document["comment"]


def test_a_reproducible_bom_gives_the_same_bytes_and_a_fixed_time(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m")
    first = convert(scan_bom(folder)).text()
    second = convert(scan_bom(folder)).text()
    assert first == second
    (info,) = of_type(json.loads(first), "CreationInfo")
    assert info["created"] == "1970-01-01T00:00:00Z"


def test_identifiers_follow_the_serial_number() -> None:
    bom = model_card_with_dataset_bom()
    ids = {o["spdxId"] for o in convert(bom).data["@graph"] if "spdxId" in o}
    other = copy.deepcopy(bom)
    other["serialNumber"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    other_ids = {o["spdxId"] for o in convert(other).data["@graph"] if "spdxId" in o}
    assert len(ids) == len(other_ids) and not ids & other_ids
    assert any(i.endswith("#component/component-support-ticket-classifier") for i in ids)


# ---------------------------------------------------------------- a third party's ML-BOM


def test_the_spec_example_maps_its_model_card_and_datasets() -> None:
    export = convert(model_card_with_dataset_bom())
    data = export.data
    model = by_name(data, "ai_AIPackage", "support-ticket-classifier")
    assert model["software_packageVersion"] == "1.0.0"
    assert model["ai_informationAboutTraining"] == "Learning approach: supervised"
    assert model["ai_typeOfModel"] == ["transformer", "encoder-only transformer"]
    assert model["ai_informationAboutApplication"] == (
        "Task: text-classification\n"
        "Use case: Suggest a queue for a new support ticket.\n"
        "Intended user: Support staff reviewing suggested queues."
    )
    assert model["ai_limitation"] == "Illustrative only; not production ready."
    assert [(m["key"], m["value"]) for m in model["ai_metric"]] == [
        ("macro-f1 [held-out-evaluation]", "0.91")
    ]
    train = by_name(data, "dataset_DatasetPackage", "support-ticket-training-data")
    held_out = by_name(data, "dataset_DatasetPackage", "support-ticket-evaluation-data")
    assert train["software_downloadLocation"] == "https://example.com/datasets/tickets/train.jsonl"
    assert train["software_packageVersion"] == "2026.04"
    assert targets(data, "trainedOn", model["spdxId"]) == [train["spdxId"], held_out["spdxId"]]
    assert targets(data, "testedOn", model["spdxId"]) == []  # no slice names a dataset
    app = by_name(data, "software_Package", "support-triage-service")
    assert app["software_primaryPurpose"] == "application"
    assert targets(data, "dependsOn", app["spdxId"]) == [model["spdxId"]]
    (created,) = of_type(data, "CreationInfo")
    assert created["created"] == "2026-04-28T12:00:00Z"
    listed = {u.path for u in export.unmapped}
    assert {
        "components[].publisher",
        "components[].modelCard.considerations.ethicalConsiderations",
        "components[].modelCard.considerations.fairnessAssessments",
        "components[].modelCard.considerations.performanceTradeoffs",
        "components[].modelCard.bom-ref",
        "components[].data[].classification",
        "components[].data[].bom-ref",
        "components[].data[].name",
        "components[].data[].description",
    } <= listed
    _round_trip(data)


def test_a_metric_slice_naming_a_dataset_adds_tested_on() -> None:
    bom = model_card_with_dataset_bom()
    metric = bom["components"][0]["modelCard"]["quantitativeAnalysis"]["performanceMetrics"][0]
    metric["slice"] = "support-ticket-evaluation-data [test]"
    data = convert(bom).data
    model = by_name(data, "ai_AIPackage", "support-ticket-classifier")["spdxId"]
    held_out = by_name(data, "dataset_DatasetPackage", "support-ticket-evaluation-data")
    assert targets(data, "testedOn", model) == [held_out["spdxId"]]
    assert len(targets(data, "trainedOn", model)) == 2


def test_inline_datasets_become_dataset_packages() -> None:
    bom = model_card_with_dataset_bom()
    params = bom["components"][0]["modelCard"]["modelParameters"]
    params["datasets"] = [
        {"type": "dataset", "name": "inline-set", "contents": {"url": "https://example.com/d"}}
    ]
    data = convert(bom).data
    model = by_name(data, "ai_AIPackage", "support-ticket-classifier")["spdxId"]
    inline = by_name(data, "dataset_DatasetPackage", "inline-set")
    assert inline["software_downloadLocation"] == "https://example.com/d"
    assert targets(data, "trainedOn", model) == [inline["spdxId"]]
    assert targets(data, "hasDeclaredLicense", inline["spdxId"]) == [NO_ASSERTION]


# ---------------------------------------------------------------- field by field


def _one_component(**fields: Any) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"timestamp": "2025-01-02T03:04:05+01:00"},
        "components": [{"type": "library", "bom-ref": "c", "name": "c", **fields}],
    }


def test_licences_names_expressions_and_acknowledgement() -> None:
    bom = _one_component(
        licenses=[
            {"license": {"name": "Llama 3.2 Community License", "url": "https://example.com/l"}},
            {"expression": "MIT OR Apache-2.0", "acknowledgement": "concluded"},
        ]
    )
    data = convert(bom).data
    package = by_name(data, "software_Package", "c")["spdxId"]
    (declared,) = targets(data, "hasDeclaredLicense", package)
    custom = element(data, declared)
    assert custom["simplelicensing_licenseExpression"] == "LicenseRef-Llama-3.2-Community-License"
    assert custom["comment"] == "CycloneDX licence name: Llama 3.2 Community License"
    assert [(e["key"], e["value"]) for e in custom["simplelicensing_customIdToUri"]] == [
        ("LicenseRef-Llama-3.2-Community-License", "https://example.com/l")
    ]
    (concluded,) = targets(data, "hasConcludedLicense", package)
    assert _expression(data, concluded) == "MIT OR Apache-2.0"


def test_suppliers_authors_and_creators_are_agents() -> None:
    bom = _one_component(
        supplier={"name": "ACME", "url": ["https://acme.example"], "contact": [{"name": "x"}]},
        authors=[{"name": "Bo", "email": "bo@acme.example", "phone": "1"}],
    )
    bom["metadata"]["authors"] = [{"name": "Cy", "email": "cy@acme.example"}]
    export = convert(bom)
    data = export.data
    package = by_name(data, "software_Package", "c")
    supplier = element(data, package["suppliedBy"])
    assert supplier["type"] == "Organization" and supplier["name"] == "ACME"
    assert [
        (i["externalIdentifierType"], i["identifier"]) for i in supplier["externalIdentifier"]
    ] == [("urlScheme", "https://acme.example")]
    (author,) = [element(data, a) for a in package["originatedBy"]]
    assert (
        author["type"] == "Person"
        and author["externalIdentifier"][0]["identifier"] == "bo@acme.example"
    )
    (info,) = of_type(data, "CreationInfo")
    (creator,) = [element(data, c) for c in info["createdBy"]]
    assert creator["name"] == "Cy"
    assert info["created"] == "2025-01-02T02:04:05Z"
    listed = {u.path for u in export.unmapped}
    assert {"components[].supplier.contact", "components[].authors[].phone"} <= listed


def test_hashes_identifiers_and_references() -> None:
    bom = _one_component(
        version="1.2",
        purl="pkg:pypi/c@1.2",
        cpe="cpe:2.3:a:acme:c:1.2:*:*:*:*:*:*:*",
        hashes=[
            {"alg": "SHA-512", "content": "ab" * 64},
            {"alg": "Streebog-256", "content": "cd" * 32},
        ],
        externalReferences=[
            {"type": "website", "url": "https://c.example"},
            {"type": "vcs", "url": "https://git.example/c"},
            {"type": "bom", "url": "https://c.example/bom.json", "comment": "upstream"},
        ],
    )
    data = convert(bom).data
    package = by_name(data, "software_Package", "c")
    assert package["software_packageVersion"] == "1.2"
    assert package["software_packageUrl"] == "pkg:pypi/c@1.2"
    assert package["software_homePage"] == "https://c.example"
    kinds = [(i["externalIdentifierType"], i["identifier"]) for i in package["externalIdentifier"]]
    assert kinds == [
        ("packageUrl", "pkg:pypi/c@1.2"),
        ("cpe23", "cpe:2.3:a:acme:c:1.2:*:*:*:*:*:*:*"),
    ]
    assert [(h["algorithm"], h.get("comment")) for h in package["verifiedUsing"]] == [
        ("sha512", None),
        ("other", "CycloneDX hash algorithm Streebog-256"),
    ]
    assert [
        (r["externalRefType"], r["locator"], r.get("comment")) for r in package["externalRef"]
    ] == [
        ("vcs", ["https://git.example/c"], None),
        ("other", ["https://c.example/bom.json"], "CycloneDX bom: upstream"),
    ]


def test_energy_consumption_maps_training_and_inference() -> None:
    bom = model_card_with_dataset_bom()
    bom["components"][0]["modelCard"]["considerations"]["environmentalConsiderations"] = {
        "energyConsumptions": [
            {
                "activity": "training",
                "energyProviders": [],
                "activityEnergyCost": {"value": 12.5, "unit": "kWh"},
            },
            {
                "activity": "inference",
                "energyProviders": [],
                "activityEnergyCost": {"value": 0.25, "unit": "kWh"},
            },
            {
                "activity": "deployment",
                "energyProviders": [],
                "activityEnergyCost": {"value": 1, "unit": "kWh"},
            },
            {
                "activity": "training",
                "energyProviders": [],
                "activityEnergyCost": {"value": float("nan"), "unit": "kWh"},
            },
        ]
    }
    export = convert(bom)
    model = by_name(export.data, "ai_AIPackage", "support-ticket-classifier")
    energy = model["ai_energyConsumption"]
    assert [
        (float(e["ai_energyQuantity"]), e["ai_energyUnit"])
        for e in energy["ai_trainingEnergyConsumption"]
    ] == [(12.5, "kilowattHour")]
    assert [float(e["ai_energyQuantity"]) for e in energy["ai_inferenceEnergyConsumption"]] == [
        0.25
    ]
    listed = {u.path: u.count for u in export.unmapped}
    path = "components[].modelCard.considerations.environmentalConsiderations.energyConsumptions[]"
    assert listed[path] == 2  # deployment has no SPDX list; NaN is no quantity
    assert "NaN" not in export.text()


def test_compositions_give_completeness() -> None:
    bom = model_card_with_dataset_bom()
    bom["compositions"] = [
        {"aggregate": "complete", "dependencies": ["component-support-ticket-classifier"]}
    ]
    data = convert(bom).data
    model = by_name(data, "ai_AIPackage", "support-ticket-classifier")["spdxId"]
    (rel,) = [
        r
        for r in of_type(data, "Relationship")
        if r["from"] == model and r["relationshipType"] == "dependsOn"
    ]
    assert rel["completeness"] == "complete"


def test_every_table_value_is_an_spdx_named_individual() -> None:
    checks: list[tuple[dict[str, str], type[spdx.SHACLObject]]] = [
        (tables.HASH_ALGORITHMS, spdx.HashAlgorithm),
        (tables.PURPOSES, spdx.software_SoftwarePurpose),
        (tables.FILE_KIND_PURPOSES, spdx.software_SoftwarePurpose),
        (tables.EXTERNAL_REFERENCES, spdx.ExternalRefType),
        (tables.SBOM_TYPES, spdx.software_SbomType),
        (tables.COMPLETENESS, spdx.RelationshipCompleteness),
    ]
    for table, cls in checks:
        assert set(table.values()) <= set(cls.NAMED_INDIVIDUALS), cls.__name__
    energy = spdx.ai_EnergyConsumption()
    for name in tables.ENERGY_ACTIVITIES.values():
        assert hasattr(energy, name), name


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["components"][0].update(name=5), "components[0].name is int"),
        (
            lambda d: d["components"][0].update(hashes={"alg": "MD5"}),
            "components[0].hashes is dict",
        ),
        (lambda d: d.update(dependencies="x"), "dependencies is str"),
        (
            lambda d: d["metadata"].update(timestamp="yesterday"),
            "metadata.timestamp is not a date-time",
        ),
        (
            lambda d: d["components"][0]["modelCard"]["modelParameters"].update(datasets=[7]),
            "datasets[0] is int",
        ),
    ],
)
def test_fields_of_the_wrong_type_are_refused_by_name(change: Any, needle: str) -> None:
    bom = model_card_with_dataset_bom()
    change(bom)
    with pytest.raises(UsageError) as caught:
        convert(bom)
    assert needle in caught.value.message


def test_a_value_the_spdx_model_refuses_is_a_usage_error() -> None:
    bom = model_card_with_dataset_bom()
    bom["metadata"]["timestamp"] = "0001-01-01T00:00:00Z"  # before any SPDX date-time can say
    with pytest.raises(UsageError, match=r"cannot be written as SPDX 3\.0\.1"):
        convert(bom)


def test_creation_time_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    bom = model_card_with_dataset_bom()
    del bom["metadata"]["timestamp"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert creation_time(bom).isoformat() == "1970-01-02T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        creation_time(bom)


def test_more_components_than_the_export_holds_are_refused_before_building() -> None:
    bom = model_card_with_dataset_bom()  # four components with metadata.component
    assert convert(bom, max_components=4).elements > 4
    with pytest.raises(UsageError, match="has 4 components; the SPDX export holds at most 3"):
        convert(bom, max_components=3)
