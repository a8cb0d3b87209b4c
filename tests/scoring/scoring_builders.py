"""Inputs for the scoring tests: real aibom BOMs made by scanning real files, and hand-written BOMs shaped
like the CycloneDX specification's ML-BOM examples and other generators' output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from aibom.scan import ScanOptions, scan
from tests.builders import write_model

SPARSE_CARD = """---
license: other
---

# Model

## Model description

[More Information Needed]

## Intended uses & limitations

More information needed

## Training data

[More Information Needed]
"""

RICH_CARD = """---
license: apache-2.0
language: [en]
library_name: transformers
pipeline_tag: text-classification
base_model: org/base-model
datasets: [org/train-set]
tags: [arxiv:1810.04805]
co2_eq_emissions: 1200
model-index:
- name: m
  results:
  - task: {type: text-classification}
    dataset: {name: SST-2, type: sst2, split: validation}
    metrics:
    - {type: accuracy, value: 0.91}
---

# Model

## Model description

A sentiment classifier for English product reviews, fine-tuned from a BERT base model on SST-2.

## Intended uses

Triage of English product reviews by sentiment. It must not be used to make decisions about people.

## Limitations

Accuracy drops on sarcasm, on other languages and on texts longer than 512 tokens.

## Bias, risks and limitations

Reviews from some regions are under-represented, so the model may misjudge their dialects.
"""


def scan_model(tmp: Path, card: str | None, name: str = "m") -> dict[str, Any]:
    """Write a real model folder (safetensors weights, config, card) and scan it with aibom."""
    folder = write_model(tmp / name, card=card)
    result = scan(ScanOptions(targets=(folder,), use_cache=False))
    doc = json.loads(result.document)
    assert isinstance(doc, dict)
    return doc


def spec_model_card_bom() -> dict[str, Any]:
    """Shaped like CycloneDX bom-examples MLBOM/Model-Card-With-Dataset (spec 1.7): a model with a full
    modelCard that references a data component by bom-ref."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "serialNumber": "urn:uuid:9b3e1c52-1d5a-4c43-9d5e-0b1bd3c3a5a1",
        "version": 1,
        "metadata": {
            "timestamp": "2025-10-01T12:00:00Z",
            "component": {"type": "application", "name": "sentiment-service", "bom-ref": "app"},
        },
        "components": [
            {
                "type": "machine-learning-model",
                "bom-ref": "model-1",
                "name": "distilbert-sst2",
                "group": "acme",
                "version": "0123456789abcdef0123456789abcdef01234567",
                "supplier": {"name": "ACME AI", "url": ["https://acme.example"]},
                "licenses": [{"license": {"id": "Apache-2.0"}}],
                "purl": "pkg:huggingface/acme/distilbert-sst2@0123456789abcdef0123456789abcdef01234567",
                "hashes": [{"alg": "SHA-256", "content": "a" * 64}],
                "description": "DistilBERT fine-tuned on SST-2 for binary sentiment classification.",
                "modelCard": {
                    "bom-ref": "model-card-1",
                    "modelParameters": {
                        "approach": {"type": "supervised"},
                        "task": "text-classification",
                        "architectureFamily": "distilbert",
                        "modelArchitecture": "DistilBertForSequenceClassification",
                        "datasets": [{"ref": "component-data-1"}],
                        "inputs": [{"format": "string"}],
                        "outputs": [{"format": "string"}],
                    },
                    "quantitativeAnalysis": {
                        "performanceMetrics": [
                            {
                                "type": "accuracy",
                                "value": "0.91",
                                "slice": "SST-2 validation",
                                "confidenceInterval": {"lowerBound": "0.90", "upperBound": "0.92"},
                            }
                        ]
                    },
                    "considerations": {
                        "users": ["Customer-support teams"],
                        "useCases": [
                            "Sentiment triage of English reviews; not for decisions about people."
                        ],
                        "technicalLimitations": ["Struggles with sarcasm and non-English text."],
                        "ethicalConsiderations": [
                            {
                                "name": "Dialect bias",
                                "mitigationStrategy": "Human review of negatives.",
                            }
                        ],
                        "fairnessAssessments": [
                            {"groupAtRisk": "non-native writers", "harms": "misclassification"}
                        ],
                    },
                },
            },
            {
                "type": "data",
                "bom-ref": "component-data-1",
                "name": "sst2",
                "licenses": [{"license": {"id": "CC-BY-4.0"}}],
                "data": [
                    {
                        "type": "dataset",
                        "name": "SST-2",
                        "contents": {"url": "https://huggingface.co/datasets/stanfordnlp/sst2"},
                        "classification": "public",
                        "description": "Stanford Sentiment Treebank, binary labels.",
                        "governance": {"owners": [{"organization": {"name": "Stanford NLP"}}]},
                    }
                ],
            },
        ],
        "dependencies": [
            {"ref": "app", "dependsOn": ["model-1"]},
            {"ref": "model-1", "dependsOn": ["component-data-1"]},
        ],
    }


def owasp_style_bom() -> dict[str, Any]:
    """Shaped like the OWASP AIBOM generator's output (1.6): a job application as metadata component,
    commit[:8] versions, inline datasets, AI fields as metadata properties, custom property prefixes."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:1d1c6b1e-3c0a-4e43-8e0b-1f1d4b8f0a11",
        "version": 1,
        "metadata": {
            "timestamp": "2026-04-27T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": "OWASP AIBOM Generator"}]},
            "component": {"type": "application", "name": "job-1714176000", "bom-ref": "job"},
            "properties": [{"name": "primaryPurpose", "value": "text-generation"}],
        },
        "components": [
            {
                "type": "machine-learning-model",
                "bom-ref": "pkg:huggingface/org/llm@86b5e093",
                "name": "llm",
                "version": "86b5e093",
                "purl": "pkg:huggingface/org/llm@86b5e093",
                "licenses": [{"license": {"name": "llama3"}}],
                "externalReferences": [
                    {"type": "website", "url": "https://huggingface.co/org/llm"}
                ],
                "modelCard": {
                    "modelParameters": {
                        "task": "text-generation",
                        "modelArchitecture": "LlamaForCausalLM",
                        "datasets": [{"type": "dataset", "name": "fineweb"}],
                    },
                    "properties": [
                        {"name": "genai:aibom:modelcard:context_length", "value": "8192"}
                    ],
                },
                "x-vendor-extension": {"anything": ["goes", 1, None]},
            }
        ],
        "dependencies": [{"ref": "job", "dependsOn": ["pkg:huggingface/org/llm@86b5e093"]}],
    }


def manifest_15_bom() -> dict[str, Any]:
    """A 1.5 document in the style of the Manifest public AIBOMs: file components, paper-derived datasets."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "machine-learning-model",
                "name": "falcon-7b",
                "publisher": "tiiuae",
                "externalReferences": [
                    {"type": "documentation", "url": "https://arxiv.org/abs/2306.01116"}
                ],
                "components": [
                    {
                        "type": "file",
                        "name": "pytorch_model-00001-of-00002.bin",
                        "hashes": [{"alg": "SHA-1", "content": "0" * 40}],
                    }
                ],
                "modelCard": {
                    "modelParameters": {"datasets": [{"type": "dataset", "name": "RefinedWeb"}]}
                },
            }
        ],
    }


def packages_14_bom() -> dict[str, Any]:
    """A 1.4 SBOM of Python packages only (cyclonedx-py style), with a CVE."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "metadata": {"tools": [{"vendor": "CycloneDX", "name": "cyclonedx-py", "version": "4.0"}]},
        "components": [
            {
                "type": "library",
                "bom-ref": "pillow",
                "name": "pillow",
                "version": "9.0.0",
                "purl": "pkg:pypi/pillow@9.0.0",
            },
            {"type": "library", "bom-ref": "requests", "name": "requests", "version": "2.32.3"},
        ],
        "vulnerabilities": [
            {
                "id": "CVE-2023-50447",
                "affects": [{"ref": "pillow"}],
                "ratings": [{"severity": "critical"}],
            }
        ],
    }


def write_rule(folder: Path, rule_id: str, body: str) -> Path:
    """Write ``rules/<pack>/<rule_id>.yaml`` with ``body`` (dedented)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rule_id}.yaml"
    path.write_text(textwrap.dedent(body).lstrip("\n"))
    return path


MINIMAL_RULE = """\
id: {rule_id}
version: 1
title: The model card states intended uses
rationale: Buyers need to know what the model is for.
frameworks: [{{framework: EU AI Act, ref: "Annex XII 1(a)"}}]
applies_to: {{kinds: [model]}}
condition: {{path: modelCard.considerations.useCases, informative: true, absent: false}}
severity: medium
enforcement: {enforcement}
remediation: Add an intended-uses section to the card.
tests:
  - {{name: ok, expect: pass, component: {{type: machine-learning-model, name: m, modelCard: {{considerations: {{useCases: ["Review triage."]}}}}}}}}
  - {{name: missing, expect: fail, component: {{type: machine-learning-model, name: m}}}}
"""


def minimal_rule(rule_id: str = "T-001", enforcement: str = "warn") -> str:
    return MINIMAL_RULE.format(rule_id=rule_id, enforcement=enforcement)
