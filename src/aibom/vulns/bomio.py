"""Reading any CycloneDX 1.4-1.7 JSON BOM as plain JSON (never through ``Bom.from_json``, which drops
``modelCard`` and ``data``), taking its PyPI components, and writing audit results back or as reports."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.errors import UsageError
from aibom.findings import Severity
from aibom.limits import MiB
from aibom.vulns.cyclonedx import ATTRIBUTION, VULN_DATABASE, match_severity, to_cyclonedx
from aibom.vulns.match import Match

MAX_BOM_BYTES = 512 * MiB
"""Largest BOM file read."""
MAX_COMPONENTS = 1_000_000
"""Components walked in one BOM (nested ones included)."""
SPEC_VERSIONS = ("1.4", "1.5", "1.6", "1.7")
OSV_REF_PREFIX = "osv:"


@dataclass(frozen=True)
class PyPIComponent:
    name: str
    version: str | None
    bom_ref: str


def read_bom(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_BOM_BYTES:
            raise UsageError(f"{path}: {size} bytes is larger than the {MAX_BOM_BYTES} accepted")
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{path} is not JSON: {str(exc)[:200]}") from exc
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise UsageError(f"{path} is not a CycloneDX JSON BOM (no bomFormat: CycloneDX)")
    if doc.get("specVersion") not in SPEC_VERSIONS:
        raise UsageError(
            f"{path}: CycloneDX {doc.get('specVersion')!r} is not supported",
            hint=f"supported versions: {', '.join(SPEC_VERSIONS)}",
        )
    return doc


def _components(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    metadata = doc.get("metadata")
    roots = [metadata.get("component")] if isinstance(metadata, dict) else []
    stack = [*roots, *reversed(doc.get("components") or [])]
    seen = 0
    while stack and seen < MAX_COMPONENTS:
        comp = stack.pop()
        if not isinstance(comp, dict):
            continue
        seen += 1
        yield comp
        nested = comp.get("components")
        if isinstance(nested, list):
            stack.extend(reversed(nested))


def pypi_components(doc: dict[str, Any]) -> list[PyPIComponent]:
    """Components with a ``pkg:pypi`` purl. Components without a bom-ref get one (needed by
    ``affects``), written into ``doc``."""
    from packageurl import PackageURL

    out: list[PyPIComponent] = []
    refs = {c.get("bom-ref") for c in _components(doc)}
    for comp in _components(doc):
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
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    schema = SchemaVersion.from_version(str(doc["specVersion"]))
    error = JsonStrictValidator(schema).validate_str(json.dumps(doc))
    return None if error is None else str(error)[:2000]


def exit_code(matches: Sequence[Match], fail_on: Severity | None) -> int:
    if fail_on is None:
        return 0
    return 1 if any(match_severity(m) >= fail_on for m in matches) else 0


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
