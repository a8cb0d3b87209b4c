"""One severity mapping for advisories (``aibom.vulns.advisory_severity``): the exit policy, the
audit reports and the BOM's ``aibom:vuln:policy-severity`` property give an advisory the same level."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aibom.findings import Severity
from aibom.vulns import UNRATED, advisory_severity, parse_record, to_cyclonedx
from aibom.vulns.bomio import json_report, table_report
from aibom.vulns.match import Match
from aibom.vulns.severity import policy_severity, ratings
from tests.vulns.osv_builders import CVSS_CRITICAL, CVSS_MEDIUM, advisory


@pytest.mark.parametrize(
    ("labels", "advisory_id", "expected"),
    [
        ((), "PYSEC-2024-1", Severity.HIGH),
        ((), "GHSA-aaaa-bbbb-cccc", Severity.HIGH),
        (("unknown",), "PYSEC-2024-1", Severity.HIGH),
        ((), "MAL-2024-7", Severity.CRITICAL),
        (("low",), "MAL-2024-7", Severity.LOW),
        (("medium", "critical", "low"), "GHSA-x", Severity.CRITICAL),
        (("LOW",), "GHSA-x", Severity.LOW),
        (("none",), "GHSA-x", Severity.INFO),
    ],
)
def test_advisory_severity(labels: tuple[str, ...], advisory_id: str, expected: Severity) -> None:
    assert advisory_severity(labels, advisory_id) is expected


def test_unrated_is_high() -> None:
    assert UNRATED is Severity.HIGH


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "high"),
        ({"severity": [{"type": "CVSS_V3", "score": CVSS_MEDIUM}]}, "medium"),
        (
            {
                "severity": [
                    {"type": "CVSS_V3", "score": CVSS_MEDIUM},
                    {"type": "CVSS_V3", "score": CVSS_CRITICAL},
                ]
            },
            "critical",
        ),
        ({"database_specific": {"severity": "MODERATE"}}, "medium"),
    ],
)
def test_every_output_gives_the_same_level(extra: dict[str, Any], expected: str) -> None:
    record = parse_record(advisory("PYSEC-2024-5", "pkg", ("introduced", "0"), **extra))
    match = Match(
        record=record, name="pkg", version="1.0", bom_ref="pkg", evidence="test", fixed=()
    )
    assert policy_severity(record, ratings(record)).label == expected
    (entry,) = to_cyclonedx([match])
    props = {p["name"]: p["value"] for p in entry["properties"]}
    assert props["aibom:vuln:policy-severity"] == expected
    (row,) = json.loads(json_report([match], [], "test"))["vulnerabilities"]
    assert row["severity"] == expected
    assert f" {expected} " in table_report([match], "test")
