"""Matches as CycloneDX vulnerabilities: schema-valid for 1.4-1.7, ratings computed from CVSS vectors
(never invented), fixed versions as advice, and the data's licence attributed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aibom.findings import Severity
from aibom.vulns import match_severity, to_cyclonedx
from aibom.vulns.match import Match
from aibom.vulns.osv import parse_record
from aibom.vulns.severity import policy_severity, ratings
from tests.vulns.osv_builders import CVSS_CRITICAL, CVSS_MEDIUM, advisory


def _match(
    record: dict[str, Any], ref: str = "pkg-ref", fixed: tuple[str, ...] = ("2.0",)
) -> Match:
    return Match(ref, "pkg", "1.0", parse_record(record), "1.0 is listed as affected", fixed)


def _bom(vulnerabilities: list[dict[str, Any]], spec: str) -> str:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "components": [
            {"type": "library", "bom-ref": "pkg-ref", "name": "pkg", "version": "1.0"},
            {"type": "library", "bom-ref": "other-ref", "name": "other", "version": "3"},
        ],
        "vulnerabilities": vulnerabilities,
    }
    return json.dumps(doc)


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6", "1.7"])
def test_entries_validate_against_every_supported_schema(spec: str) -> None:
    record = advisory(
        "GHSA-abcd-efgh-ijkl",
        "pkg",
        ("introduced", "0"),
        ("fixed", "2.0"),
        aliases=["CVE-2024-0001", "PYSEC-2024-1"],
        severity=[
            {"type": "CVSS_V3", "score": CVSS_CRITICAL},
            {
                "type": "CVSS_V4",
                "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
            },
        ],
        database_specific={"severity": "CRITICAL", "cwe_ids": ["CWE-94", "bogus"]},
    )
    entries = to_cyclonedx([_match(record), _match(record, "other-ref")], spec)
    error = JsonStrictValidator(SchemaVersion.from_version(spec)).validate_str(_bom(entries, spec))
    assert error is None, error
    (entry,) = entries
    assert entry["id"] == "GHSA-abcd-efgh-ijkl"
    assert entry["source"]["url"] == "https://osv.dev/vulnerability/GHSA-abcd-efgh-ijkl"
    assert [r["id"] for r in entry["references"]] == ["CVE-2024-0001", "PYSEC-2024-1"]
    assert [a["ref"] for a in entry["affects"]] == ["pkg-ref", "other-ref"]
    assert entry["recommendation"] == "Upgrade pkg from 1.0 to 2.0 or later."
    assert entry["cwes"] == [94]
    props = {p["name"]: p["value"] for p in entry["properties"]}
    assert props["aibom:vuln:data-license"] == "GitHub Advisory Database, CC-BY-4.0, via OSV.dev"


def test_cvss_scores_are_computed_from_vectors() -> None:
    record = parse_record(
        advisory(
            "PYSEC-1",
            "pkg",
            ("introduced", "0"),
            severity=[
                {"type": "CVSS_V3", "score": CVSS_CRITICAL},
                {"type": "CVSS_V3", "score": CVSS_MEDIUM},
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:X/garbage"},
            ],
        )
    )
    found = ratings(record)
    assert [(r.method, r.score, r.severity) for r in found] == [
        ("CVSSv31", 9.8, "critical"),
        ("CVSSv3", 6.8, "medium"),
        ("CVSSv31", None, "unknown"),
    ]
    assert policy_severity(record, found) is Severity.CRITICAL


def test_unrated_advisories_fail_closed_and_malicious_packages_are_critical() -> None:
    plain = _match(advisory("PYSEC-2", "pkg", ("introduced", "0")))
    malicious = _match(advisory("MAL-2024-1", "pkg", ("introduced", "0")), fixed=())
    assert match_severity(plain) is Severity.HIGH
    assert match_severity(malicious) is Severity.CRITICAL
    (entry,) = to_cyclonedx([malicious])
    assert "ratings" not in entry and "recommendation" not in entry
    props = {p["name"]: p["value"] for p in entry["properties"]}
    assert props["aibom:vuln:data-license"].startswith("OpenSSF Malicious Packages, Apache-2.0")
    assert props["aibom:vuln:policy-severity"] == "critical"


def test_database_label_is_kept_as_given() -> None:
    record = parse_record(
        advisory("GHSA-x", "pkg", ("introduced", "0"), database_specific={"severity": "MODERATE"})
    )
    found = ratings(record)
    assert [(r.method, r.severity, r.source) for r in found] == [
        ("other", "medium", "GitHub Advisory Database")
    ]


def test_hostile_reference_urls_are_dropped() -> None:
    record = advisory(
        "PYSEC-3",
        "pkg",
        ("introduced", "0"),
        references=[
            {"type": "ADVISORY", "url": "javascript:alert(1)"},
            {"type": "WEB", "url": "https://ok.example/a b"},
            {"type": "WEB", "url": "https://ok.example/fine"},
        ],
    )
    (entry,) = to_cyclonedx([_match(record)])
    assert entry["advisories"] == [{"url": "https://ok.example/fine"}]
