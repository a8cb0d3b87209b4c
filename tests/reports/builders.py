"""Inputs for the report tests: real BOMs from real scans, hostile documents, scorecards."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from aibom.scan import ScanOptions, scan
from tests.builders import lfs_pointer, safetensors_bytes, write_model

PICKLE_CALLING_OS_SYSTEM = b"\x80\x02cos\nsystem\n(X\n\x00\x00\x00echo ownedtR."
"""Protocol-2 pickle bytes that would call os.system if loaded. Written, hashed, never loaded."""

PAYLOADS = (
    "<script>alert('x')</script>",
    "</style><script>alert(1)</script>",
    "javascript:alert(document.domain)",
    '"><img src=x onerror=alert(2)>',
    "<a href='https://evil.example/track'>click</a>",
    "![pixel](https://evil.example/p.png) [link](javascript:alert(3)) | cell |",
    "@octocat please review",
    "`code` **bold** # heading",
)
"""Hostile text for names, descriptions, properties and findings (model cards are attacker-written)."""

HOSTILE = " ".join(PAYLOADS)

REQUIREMENTS = "torch==2.3.1\nnumpy>=1.26\ntransformers==4.44.0\n"


def project(root: Path, *, unsafe: bool = True, lfs: bool = True) -> Path:
    """A repository with a model folder (optionally with a disguised pickle and an LFS pointer) and
    a requirements file."""
    root.mkdir(parents=True, exist_ok=True)
    write_model(root / "models" / "tiny")
    if unsafe:
        (root / "models" / "tiny" / "extra.safetensors").write_bytes(PICKLE_CALLING_OS_SYSTEM)
    if lfs:
        write_model(root / "models" / "pointer", card=None, seed=1)
        data = safetensors_bytes(seed=2)
        (root / "models" / "pointer" / "model.safetensors").write_bytes(lfs_pointer(data))
    (root / "requirements.txt").write_text(REQUIREMENTS)
    return root


def scan_doc(*targets: Path, reproducible: bool = False, cwd: Path | None = None) -> dict[str, Any]:
    result = scan(ScanOptions(targets=targets, use_cache=False, reproducible=reproducible))
    doc = json.loads(result.document)
    assert isinstance(doc, dict)
    return doc


def vulnerability(
    vid: str,
    severity: str = "high",
    path: str | None = "model/weights.bin",
    member: str | None = None,
    evidence: str | None = None,
    affects: str = "model:x",
    description: str = "something is wrong",
) -> dict[str, Any]:
    props = [
        {"name": name, "value": value}
        for name, value in (
            ("aibom:file:path", path),
            ("aibom:finding:member", member),
            ("aibom:finding:evidence", evidence),
        )
        if value is not None
    ]
    return {
        "bom-ref": f"finding:{vid}:{path}:{member}",
        "id": vid,
        "description": description,
        "ratings": [{"severity": severity, "method": "other"}],
        "affects": [{"ref": affects}],
        "properties": props,
    }


def document(
    components: list[dict[str, Any]] | None = None,
    vulnerabilities: list[dict[str, Any]] | None = None,
    skipped: list[str] | None = None,
    spec: str = "1.6",
) -> dict[str, Any]:
    props = [{"name": "aibom:scan:skipped", "value": s} for s in skipped or []]
    return {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "subject"}, "properties": props},
        "components": components or [],
        "vulnerabilities": vulnerabilities or [],
    }


def model(name: str, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "machine-learning-model",
        "name": name,
        "bom-ref": ref or f"model:{name}",
        **extra,
    }


def hostile_document(text: str = HOSTILE) -> dict[str, Any]:
    """Every text field a renderer shows carries the payloads (or ``text``)."""
    files = [
        {
            "type": "file",
            "name": text,
            "bom-ref": "file:evil",
            "hashes": [{"alg": "SHA-256", "content": text}],
            "properties": [{"name": "aibom:file:path", "value": text}],
        }
    ]
    evil = model(
        text,
        "model:evil",
        group=text,
        version=text,
        description=text,
        purl=text,
        licenses=[{"license": {"name": text}}],
        externalReferences=[{"type": "website", "url": "javascript:alert(5)"}],
        properties=[{"name": "aibom:signature:status", "value": text}],
        components=files,
        modelCard={"modelParameters": {"task": text}},
    )
    package = {
        "type": "library",
        "name": text,
        "bom-ref": "pkg:evil",
        "properties": [{"name": "aibom:python:specifier", "value": text}],
    }
    data = {"type": "data", "name": text, "bom-ref": "data:evil"}
    vuln = vulnerability(text, "critical", text, text, text, "model:evil", text)
    vuln["recommendation"] = text
    doc = document([evil, package, data], [vuln], skipped=[f"{text}: {text}"])
    doc["metadata"]["component"]["name"] = text
    doc["metadata"]["tools"] = {
        "components": [{"type": "application", "name": text, "version": text}]
    }
    return doc


def scorecard(
    ref: str = "model:tiny", name: str = "tiny", score: float | None = 64.0
) -> dict[str, Any]:
    """The shared scorecard contract, filled in."""
    outcome = {
        "rule": "MC-001",
        "title": "The model card states intended uses",
        "pack": "model-card",
        "outcome": "fail",
        "severity": "medium",
        "enforcement": "warn",
        "frameworks": [
            {"framework": "EU AI Act", "ref": "Annex XII 1(a)"},
            {"framework": "NIS2", "ref": "Art. 21(2)(d)"},
        ],
        "message": "No intended uses in the card",
        "remediation": "Add an 'Intended uses' section to README.md",
        "evidence": [{"path": "modelCard.considerations.useCases", "value": None}],
    }
    passing = {
        **copy.deepcopy(outcome),
        "rule": "G7-004",
        "title": "Risks are documented",
        "outcome": "pass",
    }
    passing["frameworks"] = [{"framework": "G7", "ref": "Action 4"}]
    pack = {
        "id": "nis2",
        "title": "NIS2 supply-chain evidence",
        "score": 72.5,
        "grade": "C",
        "counts": {"pass": 5, "fail": 2, "unknown": 1, "not_applicable": 0},
    }
    subject = {
        "ref": ref,
        "kind": "model",
        "name": name,
        "score": score,
        "grade": "D" if score is not None else None,
        "mof_class": "Class III",
        "packs": [pack],
        "outcomes": [outcome, passing],
    }
    return {
        "profile": "procurement",
        "rules_version": "2026.11.0",
        "packs": [pack],
        "subjects": [subject],
    }
