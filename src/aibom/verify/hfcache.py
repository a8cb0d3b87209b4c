"""Integrity of Hugging Face caches, from the digests the scan already computed (no second read).

Blobs are named by their content: SHA-256 (64 hex) for LFS files, git blob SHA-1 (40 hex) otherwise.
``aibom.sources.discover`` already reports snapshot entries that are not links into ``blobs/`` and refs that do
not name a commit (AIBOM-HF-001); this module adds what needs the digests: content that no longer matches
the name, LFS pointers that disagree with their object, and links that leave the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from aibom.artifacts import Artifact
from aibom.checks.verify import HF_BLOB_MISMATCH, HF_LFS_POINTER_MISMATCH, HF_LINK_ESCAPES
from aibom.findings import Finding, Severity, Skipped
from aibom.inventory import Inventory
from aibom.sources.discover import LINK_LEAVES_ROOT

_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHA1 = re.compile(r"[0-9a-f]{40}")
"""Start of the reason ``aibom.sources.discover`` gives for links it did not follow."""


def hf_cache_findings(
    inventory: Inventory, artifacts: Sequence[Artifact], skipped: Sequence[Skipped]
) -> list[Finding]:
    """Cache problems among the scanned ``artifacts`` and the paths discovery ``skipped``."""
    entries = [m.snapshot for m in inventory.models] + [d.snapshot for d in inventory.datasets]
    snapshots = [s.display for s in entries if s is not None]
    findings = [f for art in artifacts if (f := blob_finding(art)) is not None]
    findings += pointer_findings(artifacts)
    findings += escaping_links(skipped, snapshots)
    return findings


def blob_finding(art: Artifact) -> Finding | None:
    """Compare a snapshot file's content digest with the name of the blob it links to."""
    hf = art.ref.hf
    if hf is None or hf.blob_name is None or art.digests is None:
        return None
    name = hf.blob_name.lower()
    if _SHA256.fullmatch(name):
        actual, kind = art.digests.sha256, "SHA-256"
    elif _SHA1.fullmatch(name) and art.digests.git_sha1 is not None:
        actual, kind = art.digests.git_sha1, "git blob SHA-1"
    else:
        return None
    if actual == name:
        return None
    if art.facts.get("lfs_oid") == name:
        return Finding(
            HF_LFS_POINTER_MISMATCH,
            art.display,
            "the cache holds the Git LFS pointer of this blob, not the object itself",
            severity=Severity.MEDIUM,
            evidence=f"blob {name}",
        )
    message = f"cache blob does not match its name: content {kind} is {actual}"
    if isinstance(art.facts.get("lfs_oid"), str):
        message += f"; it holds a Git LFS pointer to object {art.facts['lfs_oid']}"
    return Finding(HF_BLOB_MISMATCH, art.display, message, evidence=f"blob {name}")


def pointer_findings(artifacts: Sequence[Artifact]) -> list[Finding]:
    """LFS pointers whose size disagrees with their object, when the object is in the scan too. (A
    pointer stored under another blob's name is caught by ``blob_finding``.)"""
    sizes = {a.digests.sha256: a.size for a in artifacts if a.digests is not None}
    out = []
    for art in artifacts:
        oid, size = art.facts.get("lfs_oid"), art.facts.get("lfs_size")
        if not isinstance(oid, str) or not isinstance(size, int):
            continue
        real = sizes.get(oid)
        if real is not None and real != size:
            message = (
                f"LFS pointer says {size} bytes, but its object (present in the scan) has {real}"
            )
            out.append(Finding(HF_LFS_POINTER_MISMATCH, art.display, message, evidence=oid))
    return out


def escaping_links(skipped: Iterable[Skipped], snapshots: Sequence[str]) -> list[Finding]:
    """Snapshot entries discovery refused to follow because they leave the repository."""
    out = []
    for skip in skipped:
        if skip.reason != LINK_LEAVES_ROOT:
            continue
        if any(skip.path.startswith(snap + "/") for snap in snapshots):
            message = "snapshot entry links outside the repository; it was not followed"
            out.append(Finding(HF_LINK_ESCAPES, skip.path, message))
    return out
