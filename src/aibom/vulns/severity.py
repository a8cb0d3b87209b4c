"""Severity of an OSV advisory: CVSS base scores computed from the vectors the record gives (with the
``cvss`` library, Red Hat's implementation of FIRST's v2, v3.x and v4 specifications), the database's
own label when there is one, and the one severity aibom gives the advisory (``advisory_severity``),
for ``--fail-on`` and in every report alike.

Scores are computed from vectors, never invented: a record without any severity gets no rating, and
its severity is ``UNRATED`` (see there for why that is ``high``). An OpenSSF malicious-package record
(``MAL-``) without a rating is ``critical``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aibom.findings import CYCLONEDX_SEVERITY, Severity
from aibom.vulns.osv import OsvRecord, SeverityScore

UNRATED = Severity.HIGH
"""The severity of an advisory that carries no CVSS vector and no label, the same for ``--fail-on``
and in every report (they disagreed: ``high`` for the exit code, ``medium`` in the reports).

``high``, not ``medium``: an OSV record says that this version is vulnerable; a missing score means
nobody has measured the impact, not that it is moderate. pip-audit and osv-scanner fail on every known
vulnerability whatever its score, and ``high`` keeps aibom's default gate (``--fail-on high``) failing on
it too, so an unrated advisory cannot pass a pipeline unseen; ``--fail-on critical`` or ``none`` is there
for those who accept the risk. Reports show the same level so that what failed the build is what the
report says."""
_LABELS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "info",
    "none": "none",
}
_POLICY = CYCLONEDX_SEVERITY


@dataclass(frozen=True)
class Rating:
    method: str
    """CycloneDX rating method: CVSSv2, CVSSv3, CVSSv31, CVSSv4 or other."""
    severity: str
    """CycloneDX severity: critical, high, medium, low, info, none or unknown."""
    source: str
    """Who gave the vector or label (the database the record comes from)."""
    vector: str | None = None
    score: float | None = None


def database_name(advisory_id: str) -> str:
    prefix = advisory_id.split("-", 1)[0].upper()
    return {
        "GHSA": "GitHub Advisory Database",
        "PYSEC": "PyPA Advisory Database",
        "PSF": "Python Software Foundation",
        "MAL": "OpenSSF Malicious Packages",
        "CVE": "NVD",
        "OSV": "OSV",
    }.get(prefix, "OSV")


def _cvss(entry: SeverityScore, source: str) -> Rating:
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    vector = entry.score.strip()
    if entry.type == "CVSS_V3":
        method = "CVSSv31" if vector.startswith("CVSS:3.1/") else "CVSSv3"
    else:
        method = {"CVSS_V2": "CVSSv2", "CVSS_V4": "CVSSv4"}[entry.type]
    try:
        if entry.type == "CVSS_V4":
            parsed = CVSS4(vector)
            score, label = float(parsed.base_score), str(parsed.severity)
        else:
            parsed = (CVSS3 if entry.type == "CVSS_V3" else CVSS2)(vector)
            score, label = float(parsed.base_score), str(parsed.severities()[0])
    except (CVSSError, ValueError, KeyError, IndexError):
        return Rating(method, "unknown", source, vector=vector[:256])
    return Rating(method, _LABELS.get(label.lower(), "unknown"), source, vector=vector, score=score)


def ratings(record: OsvRecord, scores: tuple[SeverityScore, ...] = ()) -> list[Rating]:
    """Ratings from the record's (and the matched packages') severity entries and database label."""
    source = database_name(record.id)
    out: list[Rating] = []
    for entry in (*record.severity, *scores):
        if entry.type in ("CVSS_V2", "CVSS_V3", "CVSS_V4"):
            rating = _cvss(entry, source)
        elif entry.type.lower() == "ubuntu":
            rating = Rating("other", _LABELS.get(entry.score.lower(), "unknown"), "Ubuntu")
        else:
            continue
        if rating not in out:
            out.append(rating)
    label = record.database_specific.get("severity")
    if isinstance(label, str) and label.lower() in _LABELS:
        out.append(Rating("other", _LABELS[label.lower()], source))
    return out


def advisory_severity(labels: Iterable[str], advisory_id: str) -> Severity:
    """The one severity mapping for advisories: the most severe of the CycloneDX rating severities
    ``labels`` (``critical`` .. ``info``, ``none`` as info; ``unknown`` and others ignored); else
    ``critical`` for a malicious-package record (``MAL-``); else ``UNRATED``."""
    known = [_POLICY[label.lower()] for label in labels if label.lower() in _POLICY]
    if known:
        return max(known)
    if advisory_id.upper().startswith("MAL-"):
        return Severity.CRITICAL
    return UNRATED


def policy_severity(record: OsvRecord, found: list[Rating]) -> Severity:
    """``advisory_severity`` of a record and its ratings."""
    return advisory_severity((r.severity for r in found), record.id)
