"""Inputs and helpers for the SPDX export tests: BOMs aibom writes for real model folders, a BOM with
the structure of CycloneDX's ``MLBOM/Model-Card-With-Dataset`` example (spec 1.7), and look-ups into
the JSON-LD graph."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from aibom.scan import ScanOptions, scan

REPO = Path(__file__).resolve().parents[2]
TINY_BERT = REPO / "examples" / "tiny-bert"
NO_ASSERTION = "expandedlicensing_NoAssertionLicense"


def scan_bom(*targets: Path) -> dict[str, Any]:
    """The CycloneDX JSON aibom writes for ``targets`` (reproducible, no digest cache)."""
    result = scan(ScanOptions(targets=targets, use_cache=False, reproducible=True))
    doc = json.loads(result.document)
    assert isinstance(doc, dict)
    return doc


def model_card_with_dataset_bom() -> dict[str, Any]:
    """A BOM with the structure of CycloneDX bom-examples ``MLBOM/Model-Card-With-Dataset/bom.json``:
    an application, a supervised text classifier with a full model card that names two data
    components (training and evaluation) by bom-ref, and a publisher but no supplier or licence."""
    data = [
        ("training", "train.jsonl", "Training split of the support-ticket classifier."),
        ("evaluation", "eval.jsonl", "Held-out split used to evaluate the classifier."),
    ]
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.7.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "serialNumber": "urn:uuid:df4f6ec7-6d36-47e6-a15b-640a0af54267",
        "version": 1,
        "metadata": {
            "timestamp": "2026-04-28T12:00:00Z",
            "component": {
                "type": "application",
                "bom-ref": "component-support-triage-service",
                "name": "support-triage-service",
                "version": "1.0.0",
                "description": "Application that routes support tickets with a classifier.",
            },
        },
        "components": [
            {
                "type": "machine-learning-model",
                "bom-ref": "component-support-ticket-classifier",
                "publisher": "Example ML Team",
                "name": "support-ticket-classifier",
                "version": "1.0.0",
                "description": "Supervised text classification model for ticket routing.",
                "modelCard": {
                    "bom-ref": "model-card-support-ticket-classifier",
                    "modelParameters": {
                        "approach": {"type": "supervised"},
                        "task": "text-classification",
                        "architectureFamily": "transformer",
                        "modelArchitecture": "encoder-only transformer",
                        "datasets": [
                            {"ref": f"component-support-ticket-{role}-data"} for role, _, _ in data
                        ],
                        "inputs": [{"format": "text/plain"}],
                        "outputs": [{"format": "application/json"}],
                    },
                    "quantitativeAnalysis": {
                        "performanceMetrics": [
                            {"type": "macro-f1", "value": "0.91", "slice": "held-out-evaluation"}
                        ]
                    },
                    "considerations": {
                        "users": ["Support staff reviewing suggested queues."],
                        "useCases": ["Suggest a queue for a new support ticket."],
                        "technicalLimitations": ["Illustrative only; not production ready."],
                        "performanceTradeoffs": ["The metric only shows the structure."],
                        "ethicalConsiderations": [
                            {"name": "automation bias", "mitigationStrategy": "Human review."}
                        ],
                        "fairnessAssessments": [
                            {
                                "groupAtRisk": "Customers writing in under-represented languages",
                                "benefits": "Faster triage.",
                                "harms": "Misrouting delays support.",
                                "mitigationStrategy": "Monitor quality per language.",
                            }
                        ],
                    },
                },
            },
            *(
                {
                    "type": "data",
                    "bom-ref": f"component-support-ticket-{role}-data",
                    "name": f"support-ticket-{role}-data",
                    "version": "2026.04",
                    "description": description,
                    "data": [
                        {
                            "bom-ref": f"data-support-ticket-{role}-data",
                            "type": "dataset",
                            "name": f"Support Ticket {role.title()} Data",
                            "contents": {"url": f"https://example.com/datasets/tickets/{file}"},
                            "classification": "internal",
                            "description": f"The {role} split.",
                        }
                    ],
                }
                for role, file, description in data
            ),
        ],
        "dependencies": [
            {
                "ref": "component-support-triage-service",
                "dependsOn": ["component-support-ticket-classifier"],
            },
            {
                "ref": "component-support-ticket-classifier",
                "dependsOn": [f"component-support-ticket-{role}-data" for role, _, _ in data],
            },
            *({"ref": f"component-support-ticket-{role}-data"} for role, _, _ in data),
        ],
    }


def provenance_bom() -> dict[str, Any]:
    """The Model-Card-With-Dataset BOM with what BSI TR-03183-2 asks of each component added:
    an SBOM author with an email, versions, suppliers and manufacturers with URLs, concluded licences
    and a purl on every package."""
    doc = copy.deepcopy(model_card_with_dataset_bom())
    doc["metadata"]["authors"] = [{"name": "Ada Example", "email": "ada@example.com"}]
    org = {"name": "Example Corp", "url": ["https://example.com"]}
    everything = [doc["metadata"]["component"], *doc["components"]]
    for comp in everything:
        comp["supplier"] = org
        comp["manufacturer"] = org
        comp["licenses"] = [
            {"license": {"id": "Apache-2.0", "acknowledgement": "declared"}},
            {"license": {"id": "Apache-2.0", "acknowledgement": "concluded"}},
        ]
        comp["purl"] = f"pkg:generic/example/{comp['name']}@{comp['version']}"
    return doc


# ---------------------------------------------------------------- reading the JSON-LD graph


def graph(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    objects = data["@graph"]
    assert isinstance(objects, list)
    return objects


def of_type(data: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in graph(data) if o["type"] == kind]


def by_name(data: Mapping[str, Any], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in of_type(data, kind) if o.get("name") == name]
    assert len(found) == 1, (kind, name, [o.get("name") for o in of_type(data, kind)])
    return found[0]


def relationships(data: Mapping[str, Any], kind: str, source: str) -> Iterator[list[str]]:
    """The ``to`` lists of the ``kind`` relationships from the element ``source`` (an spdxId)."""
    for rel in of_type(data, "Relationship"):
        if rel["relationshipType"] == kind and rel["from"] == source:
            yield rel["to"]


def targets(data: Mapping[str, Any], kind: str, source: str) -> list[str]:
    found = list(relationships(data, kind, source))
    assert len(found) <= 1, found
    return found[0] if found else []


def element(data: Mapping[str, Any], spdx_id: str) -> dict[str, Any]:
    found = [o for o in graph(data) if o.get("spdxId") == spdx_id]
    assert len(found) == 1, spdx_id
    return found[0]
