"""Checks, BOM properties and findings derived from verification results."""

from __future__ import annotations

import datetime as dt

from aibom.checks import ALL_CHECKS
from aibom.checks.verify import (
    MODEL_UNSIGNED,
    SIGNATURE_INVALID,
    SIGNATURE_MISMATCH,
    SIGNATURE_NOT_CHECKED,
    VERIFY_CHECKS,
)
from aibom.findings import Severity
from aibom.verify import (
    PROPERTIES,
    FileProblem,
    Method,
    ProblemKind,
    Signer,
    Status,
    Verification,
    verification_findings,
    verification_properties,
)
from aibom.verify.drift import DriftReport, EntityDrift


def _full() -> Verification:
    return Verification(
        "models/m",
        Status.MISMATCH,
        Method.SIGSTORE,
        "1 file(s) differ",
        "models/m/model.sig",
        Signer("a@b.test", "https://issuer.test", "sha256:" + "1" * 64, "CN=x"),
        dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
        "transparency-log",
        "trusted_root.json",
        "2" * 64,
        "3" * 64,
        [
            FileProblem("config.json", ProblemKind.CHANGED, "sha256 differs"),
            FileProblem("new.py", ProblemKind.EXTRA),
            FileProblem("big.bin", ProblemKind.UNCHECKED, "cannot compute blake3"),
        ],
        unsigned=["README.md", "scratch/"],
    )


def test_verify_checks_are_catalogued_with_unique_ids() -> None:
    ids = [c.id for c in VERIFY_CHECKS]
    assert len(ids) == len(set(ids)) >= 8
    assert all(i.startswith("AIBOM-VER-0") for i in ids)
    assert all(c in ALL_CHECKS for c in VERIFY_CHECKS)
    assert all(c.help and c.remediation for c in VERIFY_CHECKS)


def test_every_property_written_is_documented_and_namespaced() -> None:
    pairs = verification_properties(_full())
    names = [name for name, _value in pairs]
    assert len(names) == len(PROPERTIES)  # a fully populated result uses every property
    assert set(names) == set(PROPERTIES)
    assert all(name.startswith("aibom:signature:") for name in names)
    values = dict(pairs)
    assert values["aibom:signature:time"] == "2024-01-02T00:00:00+00:00"
    assert values["aibom:signature:problems"] == (
        "changed: config.json; extra: new.py; unchecked: big.bin"
    )
    assert values["aibom:signature:unsigned-files"] == "README.md; scratch/"
    assert values["aibom:signature:card-unsigned"] == "true"


def test_empty_values_are_left_out() -> None:
    pairs = verification_properties(
        Verification("m", Status.UNSIGNED, message="no model.sig found")
    )
    assert dict(pairs) == {
        "aibom:signature:status": "unsigned",
        "aibom:signature:method": "none",
        "aibom:signature:message": "no model.sig found",
    }


def test_findings_per_status() -> None:
    mismatch = verification_findings(_full())
    assert [(f.check, f.path, f.effective_severity) for f in mismatch] == [
        (SIGNATURE_MISMATCH, "models/m/config.json", Severity.CRITICAL),
        (SIGNATURE_MISMATCH, "models/m/new.py", Severity.HIGH),
    ]
    invalid = Verification("m", Status.INVALID, message="bad", signature="m/model.sig")
    assert [f.check for f in verification_findings(invalid)] == [SIGNATURE_INVALID]
    assert verification_findings(invalid)[0].path == "m/model.sig"
    assert [f.check for f in verification_findings(Verification("m", Status.NOT_CHECKED))] == [
        SIGNATURE_NOT_CHECKED
    ]
    assert [f.check for f in verification_findings(Verification("m", Status.UNSIGNED))] == [
        MODEL_UNSIGNED
    ]
    assert verification_findings(Verification("m", Status.VERIFIED)) == []


def test_drift_findings() -> None:
    report = DriftReport(
        "1.6", [EntityDrift("model", "org/m", "a", "b", changed=["x"])], ["model:n"]
    )
    findings = report.findings()
    assert [(f.check.id, f.path) for f in findings] == [
        ("AIBOM-VER-020", "model:n"),
        ("AIBOM-VER-020", "model:org/m"),
    ]
    assert "revision a -> b" in findings[1].message
