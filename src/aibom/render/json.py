"""A machine-readable summary of the BOM: verdict, traffic lights, findings, models, scores, diff.

Not the BOM itself (that is the CycloneDX document): this is what dashboards and scripts want without
walking CycloneDX. Keys are sorted and values deterministic, so two runs over one BOM are identical.
Values are the BOM's own; control, bidi and lone-surrogate characters are written as JSON ``\\u``
escapes (``aibom.escape.json_text``), so the text holds none of them raw.
"""

from __future__ import annotations

import json
from typing import Any

from aibom._version import __version__
from aibom.bomdoc.scorecard import Scorecard
from aibom.bomdoc.view import ComponentView, FindingView
from aibom.diff import finding_json
from aibom.escape import json_text
from aibom.render.interface import Report
from aibom.render.summary import lights, model_formats, signature_status, worst

REPORT_VERSION = 1
"""Bumped when a key is removed or changes meaning (adding keys is compatible)."""


def render(report: Report) -> str:
    dumped = json.dumps(to_json(report), indent=2, sort_keys=True, ensure_ascii=False)
    return json_text(dumped) + "\n"


def to_json(report: Report) -> dict[str, Any]:
    bom = report.bom
    found = lights(report)
    return {
        "report_version": REPORT_VERSION,
        "generator": {"name": "aibom", "version": __version__},
        "bom": {
            "spec_version": bom.spec_version,
            "serial_number": bom.serial,
            "timestamp": bom.timestamp,
            "subject": bom.subject,
            "tools": [{"name": n, "version": v} for n, v in bom.tools],
        },
        "verdict": worst(found),
        "lights": [
            {
                "key": x.key,
                "label": x.label,
                "status": x.status,
                "headline": x.headline,
                "detail": x.detail,
            }
            for x in found
        ],
        "counts": {s.label: n for s, n in bom.counts().items()},
        "findings": [_finding(f) for f in bom.findings],
        "skipped": [{"path": s.path, "reason": s.reason} for s in bom.skipped],
        "partly_analysed": [
            {
                "path": f.path,
                "format": f.format,
                "coverage": f.coverage,
                "bytes": f.coverage_bytes,
                "limits": f.coverage_limits,
            }
            for f in bom.partly_analysed
        ],
        "models": [_model(m) for m in bom.models],
        "datasets": [_component(d) for d in bom.datasets],
        "packages": [_component(p) for p in bom.packages],
        "scorecard": _scorecard(report.scorecard),
        "diff": report.diff.to_json() if report.diff is not None else None,
    }


def _finding(f: FindingView) -> dict[str, Any]:
    out = finding_json(f)
    out.update(
        affects=list(f.affects), cwe=f.cwe, tags=list(f.tags), offset=f.offset, known_check=f.known
    )
    return out


def _component(c: ComponentView) -> dict[str, Any]:
    return {
        "ref": c.ref,
        "name": c.display_name,
        "version": c.version,
        "purl": c.purl,
        "licenses": list(c.licenses),
    }


def _model(m: ComponentView) -> dict[str, Any]:
    out = _component(m)
    out.update(
        formats=model_formats(m),
        signature=signature_status(m),
        sha256=m.sha256,
        files=[{"path": f.path, "sha256": f.sha256, "size": f.size} for f in m.files],
    )
    return out


def _scorecard(card: Scorecard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    score, grade = card.overall()
    return {
        "profile": card.profile,
        "rules_version": card.rules_version,
        "overall": {"score": score, "grade": grade},
        "subjects": [
            {"ref": s.ref, "name": s.name, "kind": s.kind, "score": s.score, "grade": s.grade}
            for s in card.subjects
        ],
    }
