"""Matches as CycloneDX ``vulnerabilities`` (1.4-1.7 JSON): one entry per advisory, affecting every
matched component by bom-ref, with aliases as references, ratings from CVSS vectors, the fixed versions
as a recommendation, and the data's origin and licence.

OSV data comes from several databases under their own licences (osv.dev "Data sources"): the GitHub
Advisory Database, the PyPA Advisory Database and the Python Software Foundation's under CC-BY 4.0, the
OpenSSF Malicious Packages under Apache-2.0. CC-BY asks for attribution: each entry names its database
and licence (``aibom:vuln:data-license``) and links to the record on osv.dev.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from aibom.findings import Severity
from aibom.iri import safe_url
from aibom.vulns.match import Match, normalize_name
from aibom.vulns.osv import OsvRecord
from aibom.vulns.severity import Rating, database_name, policy_severity, ratings

VULN_DATA_LICENSE = "aibom:vuln:data-license"
VULN_EVIDENCE = "aibom:vuln:evidence"
VULN_POLICY_SEVERITY = "aibom:vuln:policy-severity"
VULN_DATABASE = "aibom:vuln:database"

PROPERTIES: dict[str, str] = {
    VULN_DATA_LICENSE: "Origin and licence of the advisory data (e.g. `GitHub Advisory Database, "
    "CC-BY-4.0, via OSV.dev`); CC-BY data must be attributed when redistributed.",
    VULN_EVIDENCE: "Why a component version is affected: `name@version: listed` or the OSV range it "
    "falls in.",
    VULN_POLICY_SEVERITY: "The severity `--fail-on` compares: the highest rating; `critical` for "
    "malicious-package records; `high` for advisories without any score.",
    VULN_DATABASE: "Where advisories were looked up: the OSV API URL or the offline export file "
    "(BOM metadata).",
}

OSV_URL = "https://osv.dev"
ATTRIBUTION = (
    "Vulnerability data from OSV.dev (https://osv.dev), aggregating the GitHub Advisory Database, "
    "the PyPA Advisory Database and the Python Software Foundation advisories (CC-BY 4.0) and the "
    "OpenSSF Malicious Packages (Apache-2.0)."
)
MAX_ADVISORY_LINKS = 20
_LICENSES = {
    "GitHub Advisory Database": "CC-BY-4.0",
    "PyPA Advisory Database": "CC-BY-4.0",
    "Python Software Foundation": "CC-BY-4.0",
    "OpenSSF Malicious Packages": "Apache-2.0",
}


def record_url(advisory_id: str) -> str:
    return f"{OSV_URL}/vulnerability/{quote(advisory_id, safe='')}"


def data_license(advisory_id: str) -> str:
    name = database_name(advisory_id)
    licence = _LICENSES.get(name, "see https://osv.dev for the source's licence")
    return f"{name}, {licence}, via OSV.dev"


def _timestamp(text: str | None) -> str | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rating(rating: Rating, spec_version: str) -> dict[str, Any]:
    method = rating.method
    if method == "CVSSv4" and spec_version == "1.4":
        method = "other"  # CVSSv4 joined the enum in 1.5
    out: dict[str, Any] = {"source": {"name": rating.source}, "severity": rating.severity}
    out["method"] = method
    if rating.score is not None:
        out["score"] = rating.score
    if rating.vector:
        out["vector"] = rating.vector
    return out


def _recommendation(group: Sequence[Match]) -> str | None:
    advice = []
    for match in group:
        if match.fixed:
            advice.append(f"Upgrade {match.name} from {match.version} to {match.fixed[0]} or later")
    if not advice:
        return None
    return "; ".join(dict.fromkeys(advice)) + "."


def _cwes(record: OsvRecord) -> list[int]:
    raw = record.database_specific.get("cwe_ids")
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str) and item.upper().startswith("CWE-") and item[4:].isdigit():
            out.append(int(item[4:]))
    return sorted(set(out))


def _texts(record: OsvRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    description = record.summary or record.details.strip().split("\n", 1)[0][:300]
    if description:
        out["description"] = description
    if record.details:
        out["detail"] = record.details
    links = [safe_url(r.url) for r in record.references if r.type in ("ADVISORY", "WEB", "REPORT")]
    advisories = [{"url": u} for u in dict.fromkeys(u for u in links if u)][:MAX_ADVISORY_LINKS]
    if advisories:
        out["advisories"] = advisories
    for key, value in (("published", record.published), ("updated", record.modified)):
        stamp = _timestamp(value)
        if stamp:
            out[key] = stamp
    return out


def _affected_scores(group: Sequence[Match]) -> tuple[Any, ...]:
    names = {normalize_name(m.name) for m in group}
    return tuple(
        s for a in group[0].record.affected if normalize_name(a.name) in names for s in a.severity
    )


def _entry(group: Sequence[Match], spec_version: str) -> dict[str, Any]:
    record = group[0].record
    found = ratings(record, _affected_scores(group))
    entry: dict[str, Any] = {
        "bom-ref": f"osv:{record.id}",
        "id": record.id,
        "source": {"name": "OSV", "url": record_url(record.id)},
    }
    if record.aliases:
        entry["references"] = [
            {"id": a, "source": {"name": database_name(a), "url": record_url(a)}}
            for a in dict.fromkeys(record.aliases)
            if a != record.id
        ]
    if found:
        entry["ratings"] = [_rating(r, spec_version) for r in found]
    if cwes := _cwes(record):
        entry["cwes"] = cwes
    entry.update(_texts(record))
    if advice := _recommendation(group):
        entry["recommendation"] = advice
    entry["affects"] = [
        {"ref": ref, "versions": [{"version": v, "status": "affected"}]}
        for ref, v in dict.fromkeys((m.bom_ref, m.version) for m in group)
    ]
    entry["properties"] = _properties(group, found)
    return entry


def _properties(group: Sequence[Match], found: list[Rating]) -> list[dict[str, str]]:
    record = group[0].record
    props = [{"name": VULN_DATA_LICENSE, "value": data_license(record.id)}]
    props.append({"name": VULN_POLICY_SEVERITY, "value": policy_severity(record, found).label})
    props += [
        {"name": VULN_EVIDENCE, "value": f"{m.name}@{m.version}: {m.evidence}"}
        for m in dict.fromkeys(group)
    ]
    return props


def to_cyclonedx(matches: Sequence[Match], spec_version: str = "1.6") -> list[dict[str, Any]]:
    """CycloneDX vulnerability objects, one per advisory, in advisory-id order."""
    groups: dict[str, list[Match]] = {}
    for match in matches:
        groups.setdefault(match.record.id, []).append(match)
    return [_entry(groups[key], spec_version) for key in sorted(groups)]


def match_severity(match: Match) -> Severity:
    """The severity ``--fail-on`` compares for one match."""
    scores = tuple(
        s
        for a in match.record.affected
        if normalize_name(a.name) == normalize_name(match.name)
        for s in a.severity
    )
    return policy_severity(match.record, ratings(match.record, scores))
