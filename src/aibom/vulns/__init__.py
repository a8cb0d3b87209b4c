"""Known vulnerabilities of Python packages from OSV: offline (the PyPI ``all.zip`` export, indexed
once into SQLite) or online (the OSV batch API), matched with OSV's own range semantics and written as
CycloneDX ``vulnerabilities``."""

from __future__ import annotations

from aibom.vulns.cyclonedx import ATTRIBUTION, PROPERTIES, match_severity, to_cyclonedx
from aibom.vulns.match import Match, VulnSource, match_packages, normalize_name
from aibom.vulns.offline import DatabaseError, OfflineDatabase, offline_source
from aibom.vulns.online import OnlineDatabase, OnlineError, online_source
from aibom.vulns.osv import OsvFormatError, OsvRecord, parse_record
from aibom.vulns.severity import UNRATED, advisory_severity

__all__ = [
    "ATTRIBUTION",
    "PROPERTIES",
    "UNRATED",
    "DatabaseError",
    "Match",
    "OfflineDatabase",
    "OnlineDatabase",
    "OnlineError",
    "OsvFormatError",
    "OsvRecord",
    "VulnSource",
    "advisory_severity",
    "match_packages",
    "match_severity",
    "normalize_name",
    "offline_source",
    "online_source",
    "parse_record",
    "to_cyclonedx",
]
