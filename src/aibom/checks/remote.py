"""Checks of remote sources (Hugging Face Hub repositories scanned by id)."""

from __future__ import annotations

from aibom.findings import Check, Severity

HUB_SCAN_FLAGGED = Check(
    id="AIBOM-HF-002",
    name="hub-scan-flagged",
    title="The Hugging Face Hub's own scanners flag this file",
    severity=Severity.HIGH,
    help="The Hub scans uploaded files (malware, pickle imports) and reported a problem with this one. "
    "aibom records the Hub's verdict as it was given; its own inspection is reported separately.",
    remediation="Do not load the file. Read the Hub's report on the file page; prefer safetensors.",
    tags=("hub", "code-execution"),
)

REMOTE_NOT_INSPECTED = Check(
    id="AIBOM-REMOTE-001",
    name="remote-file-not-inspected",
    title="A remote file that can run code was not fetched, so it was not inspected",
    severity=Severity.LOW,
    help="The file is in a format that can execute code when loaded (pickle, PyTorch, joblib, numpy), "
    "but the download mode or the byte budget kept aibom from fetching what inspection needs.",
    remediation="Scan again with `--download risky` or `--download all`, or a larger byte budget.",
    tags=("completeness",),
)

REMOTE_CONTENT_MISMATCH = Check(
    id="AIBOM-REMOTE-002",
    name="remote-content-mismatch",
    title="Content served by the Hub disagrees with its own listing",
    severity=Severity.MEDIUM,
    help="The bytes, size, commit or digest served for the file differ from what the repository "
    "listing declared. The file may have changed during the scan, or something between aibom and the "
    "Hub altered it.",
    remediation="Scan again; if it persists, download the file and verify its SHA-256 by hand.",
    cwe=345,
    tags=("integrity",),
)

REMOTE_CHECKS: tuple[Check, ...] = (HUB_SCAN_FLAGGED, REMOTE_NOT_INSPECTED, REMOTE_CONTENT_MISMATCH)
