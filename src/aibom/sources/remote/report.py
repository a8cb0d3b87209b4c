"""What a remote snapshot adds to a BOM: property names (declared facts kept apart from computed ones),
the checks remote scans can raise, and the findings for one snapshot."""

from __future__ import annotations

import json

from aibom.checks.remote import (
    HUB_SCAN_FLAGGED,
    REMOTE_CONTENT_MISMATCH,
    REMOTE_NOT_INSPECTED,
)
from aibom.findings import Finding, Severity
from aibom.sources.remote.source import RemoteFile, RemoteSnapshot

HF_DECLARED_SHA256 = "aibom:hf:declared-sha256"
HF_DECLARED_SIZE = "aibom:hf:declared-size"
HF_BLOB_ID = "aibom:hf:blob-id"
HF_SECURITY_STATUS = "aibom:hf:security-status"
HF_REPO_SECURITY = "aibom:hf:repo-security"
HF_GATED = "aibom:hf:gated"
HF_PRIVATE = "aibom:hf:private"
HF_REQUESTED_REVISION = "aibom:hf:requested-revision"
REMOTE_SOURCE = "aibom:remote:source"
REMOTE_FETCHED = "aibom:remote:fetched"
REMOTE_FETCHED_BYTES = "aibom:remote:fetched-bytes"
REMOTE_FETCHED_RANGES = "aibom:remote:fetched-ranges"
REMOTE_NOTE = "aibom:remote:note"
REMOTE_BYTE_BUDGET = "aibom:remote:byte-budget"

PROPERTIES: dict[str, str] = {
    HF_DECLARED_SHA256: "SHA-256 of the file as declared by the Hugging Face Hub (its LFS oid). Declared, "
    "not computed: aibom's own digest, when it downloaded the whole file, is in `hashes`.",
    HF_DECLARED_SIZE: "Size in bytes declared by the Hub's file listing.",
    HF_BLOB_ID: "Git object id of the file declared by the Hub (for LFS files, the id of the pointer).",
    HF_SECURITY_STATUS: "The Hub's own scan verdict for the file (`safe`, `unsafe`, `suspicious`, "
    "`caution`, `unscanned`, ...), as the Hub reported it.",
    HF_REPO_SECURITY: "The Hub's repository-level scan summary (`securityRepoStatus`) as compact JSON.",
    HF_GATED: "The Hub's gating mode for the repository (`auto` or `manual`), when it is gated.",
    HF_PRIVATE: "`true` when the Hub reports the repository as private.",
    HF_REQUESTED_REVISION: "The revision named in the `hf://` target (branch, tag or commit) that was "
    "resolved to the commit in `aibom:hf:commit`.",
    REMOTE_SOURCE: "The `hf://` target and Hub endpoint the model or dataset was read from.",
    REMOTE_FETCHED: "How much of a remote file aibom fetched: `none` (listing only), `full`, or "
    "`ranges` (only the parts inspection needs, e.g. a zip's directory and pickle members).",
    REMOTE_FETCHED_BYTES: "Bytes of the file aibom downloaded.",
    REMOTE_FETCHED_RANGES: "Half-open byte ranges fetched (`start-end`, comma-separated) for `ranges`.",
    REMOTE_NOTE: "Why a remote file was not (completely) fetched: download mode, byte budget, or an "
    "error.",
    REMOTE_BYTE_BUDGET: "The byte budget of the remote scan and how much of it was used (`used/total`).",
}


_CODE_SUFFIXES = (".pkl", ".pickle", ".bin", ".pt", ".pth", ".ckpt", ".joblib", ".npy", ".npz")
_SAFE_STATUSES = frozenset({"safe", "unscanned", "queued", "pending", "scanning", "error"})


def _flag_severity(status: str) -> Severity:
    return Severity.HIGH if status in ("unsafe", "infected", "malicious") else Severity.MEDIUM


def _hub_flag(
    snapshot: RemoteSnapshot, file: RemoteFile, flagged: dict[str, str]
) -> Finding | None:
    status = file.security_status or flagged.get(file.relpath)
    if status is None or status.lower() in _SAFE_STATUSES:
        return None
    evidence = (
        json.dumps(file.security, sort_keys=True, default=str)[:2000] if file.security else None
    )
    return Finding(
        HUB_SCAN_FLAGGED,
        snapshot.display(file.relpath),
        f"the Hub's scan reports {status!r} for this file",
        severity=_flag_severity(status.lower()),
        evidence=evidence,
    )


def _repo_flags(snapshot: RemoteSnapshot) -> dict[str, str]:
    """Files named in the repository summary's ``filesWithIssues`` (path -> level)."""
    issues = (snapshot.repo_security or {}).get("filesWithIssues")
    out: dict[str, str] = {}
    for item in issues if isinstance(issues, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            level = item.get("level")
            out[item["path"]] = level if isinstance(level, str) else "unsafe"
    return out


def _not_inspected(snapshot: RemoteSnapshot, file: RemoteFile) -> Finding | None:
    if file.fetched != "none" or not file.relpath.lower().endswith(_CODE_SUFFIXES):
        return None
    why = file.note or f"download mode {snapshot.download!r}"
    return Finding(REMOTE_NOT_INSPECTED, snapshot.display(file.relpath), f"not inspected: {why}")


def snapshot_findings(snapshot: RemoteSnapshot) -> list[Finding]:
    """Findings about the snapshot itself (the inspectors add theirs for the fetched files)."""
    flagged = _repo_flags(snapshot)
    findings: list[Finding] = []
    for file in snapshot.files:
        for finding in (_hub_flag(snapshot, file, flagged), _not_inspected(snapshot, file)):
            if finding is not None:
                findings.append(finding)
        if file.mismatch:
            path = snapshot.display(file.relpath)
            findings.append(Finding(REMOTE_CONTENT_MISMATCH, path, file.mismatch))
    return findings


def file_properties(file: RemoteFile) -> list[tuple[str, str]]:
    """``aibom:`` properties for one remote file component, in a stable order."""
    props: list[tuple[str, str]] = [(REMOTE_FETCHED, file.fetched)]
    if file.lfs_sha256:
        props.append((HF_DECLARED_SHA256, file.lfs_sha256))
    if file.size is not None:
        props.append((HF_DECLARED_SIZE, str(file.size)))
    if file.blob_id:
        props.append((HF_BLOB_ID, file.blob_id))
    if file.security_status:
        props.append((HF_SECURITY_STATUS, file.security_status))
    if file.fetched_bytes:
        props.append((REMOTE_FETCHED_BYTES, str(file.fetched_bytes)))
    if file.fetched == "ranges":
        props.append((REMOTE_FETCHED_RANGES, ",".join(f"{a}-{b}" for a, b in file.ranges)))
    if file.note:
        props.append((REMOTE_NOTE, file.note))
    return props


def snapshot_properties(snapshot: RemoteSnapshot) -> list[tuple[str, str]]:
    """``aibom:`` properties for the model or dataset component of a remote snapshot."""
    props = [
        (REMOTE_SOURCE, f"{snapshot.target} ({snapshot.endpoint})"),
        (REMOTE_BYTE_BUDGET, f"{snapshot.fetched_bytes}/{snapshot.byte_budget}"),
    ]
    if snapshot.requested_revision:
        props.append((HF_REQUESTED_REVISION, snapshot.requested_revision))
    if snapshot.repo_security is not None:
        summary = json.dumps(snapshot.repo_security, sort_keys=True, default=str)[:4000]
        props.append((HF_REPO_SECURITY, summary))
    if snapshot.gated:
        props.append((HF_GATED, snapshot.gated))
    if snapshot.private is not None:
        props.append((HF_PRIVATE, "true" if snapshot.private else "false"))
    props += [(REMOTE_NOTE, note) for note in snapshot.notes]
    return props
