"""The PyPI components of a BOM (read by ``aibom.bomdoc.read_bom``: any CycloneDX 1.2-1.7 document,
JSON or XML), and audit results written back into it or as reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aibom.bomdoc.walk import components
from aibom.findings import Severity
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.vulns.cyclonedx import ATTRIBUTION, VULN_DATABASE, match_severity, to_cyclonedx
from aibom.vulns.match import Match

OSV_REF_PREFIX = "osv:"


@dataclass(frozen=True)
class PyPIComponent:
    name: str
    version: str | None
    bom_ref: str


def pypi_components(doc: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> list[PyPIComponent]:
    """Components with a ``pkg:pypi`` purl (``metadata.component`` included). Components without a
    bom-ref get one (needed by ``affects``), written into ``doc``."""
    from packageurl import PackageURL

    out: list[PyPIComponent] = []
    refs = {c.get("bom-ref") for c in components(doc, limits, metadata=True)}
    for comp in components(doc, limits, metadata=True):
        purl = comp.get("purl")
        if not isinstance(purl, str) or not purl.startswith("pkg:pypi/"):
            continue
        try:
            parsed = PackageURL.from_string(purl)
        except ValueError:
            continue
        ref = comp.get("bom-ref")
        if not isinstance(ref, str) or not ref:
            ref = _new_ref(f"aibom-audit:{purl}", refs)
            comp["bom-ref"] = ref
            refs.add(ref)
        version = parsed.version or (
            comp.get("version") if isinstance(comp.get("version"), str) else None
        )
        out.append(PyPIComponent(parsed.name, version, ref))
    return out


def _new_ref(base: str, taken: set[Any]) -> str:
    ref, n = base, 1
    while ref in taken:
        n += 1
        ref = f"{base}#{n}"
    return ref


def merge_vulnerabilities(doc: dict[str, Any], matches: Sequence[Match], label: str) -> None:
    """Replace earlier OSV entries of ``doc`` by the new ones; other vulnerabilities are kept."""
    kept = [
        v
        for v in doc.get("vulnerabilities") or []
        if not (isinstance(v, dict) and str(v.get("bom-ref", "")).startswith(OSV_REF_PREFIX))
    ]
    doc["vulnerabilities"] = kept + to_cyclonedx(matches, str(doc.get("specVersion")))
    if not doc["vulnerabilities"]:
        del doc["vulnerabilities"]
    metadata = doc.setdefault("metadata", {})
    props = [p for p in metadata.get("properties") or [] if p.get("name") != VULN_DATABASE]
    metadata["properties"] = [*props, {"name": VULN_DATABASE, "value": label}]


def validate(doc: dict[str, Any]) -> str | None:
    """Schema errors of ``doc`` for its spec version (None when valid)."""
    from aibom.bomdoc.schema import schema_errors

    errors = schema_errors(doc, str(doc.get("specVersion")))
    return "; ".join(errors)[:2000] if errors else None


def reaches(matches: Sequence[Match], fail_on: Severity | None) -> bool:
    """Whether an advisory is at or above ``fail_on`` (``None``: never)."""
    return fail_on is not None and any(match_severity(m) >= fail_on for m in matches)


def json_report(matches: Sequence[Match], components: Sequence[PyPIComponent], label: str) -> str:
    rows = [
        {
            "package": m.name,
            "version": m.version,
            "bom-ref": m.bom_ref,
            "id": m.record.id,
            "aliases": list(m.record.aliases),
            "summary": m.record.summary,
            "severity": match_severity(m).label,
            "fixed": list(m.fixed),
            "evidence": m.evidence,
        }
        for m in matches
    ]
    report = {
        "source": label,
        "attribution": ATTRIBUTION,
        "packages_checked": sum(1 for c in components if c.version),
        "packages_without_version": sum(1 for c in components if not c.version),
        "vulnerabilities": rows,
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def table_report(matches: Sequence[Match], label: str) -> str:
    header = ("PACKAGE", "VERSION", "ADVISORY", "SEVERITY", "FIXED IN", "ALIASES")
    rows = [
        (
            m.name,
            m.version,
            m.record.id,
            match_severity(m).label,
            ", ".join(m.fixed[:3]) or "-",
            ", ".join(m.record.aliases[:3]) or "-",
        )
        for m in matches
    ]
    if not rows:
        return f"No known vulnerabilities ({label}).\n{ATTRIBUTION}\n"
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    return "\n".join([*lines, "", f"Source: {label}. {ATTRIBUTION}"]) + "\n"
