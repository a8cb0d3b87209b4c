"""Remote targets (``hf://ORG/NAME[@REV]``): turn a fetched Hub snapshot into the pipeline's own values.

The files the Hub serves become ``Artifact``s exactly like a local cache snapshot's, so inspection,
inventory and the BOM treat both alike. Digests are only those aibom computed over complete downloads;
what the Hub *declares* (LFS SHA-256, sizes, its own scan status) is kept as separate properties.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from aibom.artifacts import Artifact, Digests, FileRef, FileStat, Format, HFFileRef
from aibom.catalog import Catalog
from aibom.findings import Finding
from aibom.limits import Limits
from aibom.sources.classify import classify, kind_of
from aibom.sources.discover import HFSnapshot
from aibom.sources.remote import (
    RemoteFile,
    RemoteOptions,
    RemoteSnapshot,
    file_properties,
    resolve_remote,
    snapshot_findings,
    snapshot_properties,
)


@dataclass
class RemoteScan:
    artifacts: list[Artifact] = field(default_factory=list)
    inspectable: list[Artifact] = field(default_factory=list)
    """Artifacts whose bytes (whole, or the ranges inspection needs) are on local disk."""
    snapshots: list[HFSnapshot] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    properties: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Snapshot display -> properties for its model or dataset component."""
    bytes_fetched: int = 0
    notes: list[str] = field(default_factory=list)


def _artifact(
    snap: RemoteSnapshot, file: RemoteFile, catalog: Catalog, limits: Limits
) -> tuple[Artifact, Finding | None]:
    blob = file.lfs_sha256 or file.blob_id
    path = file.local_path if file.local_path is not None else Path("/nonexistent/aibom-remote")
    ref = FileRef(
        path=path,
        display=snap.display(file.relpath),
        relpath=file.relpath,
        stat=FileStat(dev=0, ino=0, size=file.size or 0, mtime_ns=0),
        hf=HFFileRef(snap.repo_id, snap.repo_type, snap.commit, blob),
    )
    digests = (
        Digests(file.computed_sha256) if file.fetched == "full" and file.computed_sha256 else None
    )
    props = file_properties(file)
    if not file.head and (file.size or 0) > 0:  # nothing fetched: the name is all there is to go on
        fmt = catalog.claimed(posixpath.splitext(file.relpath)[1].lower()) or Format.UNKNOWN
        evidence = "content not fetched; format from the file name only"
        return Artifact(
            ref,
            kind_of(file.relpath, fmt, catalog),
            fmt,
            evidence,
            digests,
            b"",
            extra_properties=props,
        ), None
    c = classify(ref, file.head, catalog, limits)
    art = Artifact(ref, c.kind, c.format, c.evidence, digests, file.head, extra_properties=props)
    return art, c.finding


def scan_remote(
    targets: tuple[str, ...],
    options: RemoteOptions,
    workdir: Path,
    limits: Limits,
    catalog: Catalog,
) -> RemoteScan:
    """Resolve and fetch each target. Access problems (not found, gated, offline) raise ``AccessError``."""
    out = RemoteScan()
    for target in targets:
        snap = resolve_remote(target, options, workdir, limits, catalog=catalog)
        out.snapshots.append(
            HFSnapshot(snap.repo_id, snap.repo_type, snap.commit, snap.refs, snap.uri)
        )
        out.findings += snapshot_findings(snap)
        out.properties[snap.uri] = snapshot_properties(snap)
        out.bytes_fetched += snap.fetched_bytes
        out.notes += [f"{snap.uri}: {note}" for note in snap.notes]
        for file in snap.files:
            art, finding = _artifact(snap, file, catalog, limits)
            out.artifacts.append(art)
            if finding is not None:
                out.findings.append(finding)
            if file.local_path is not None and file.fetched != "none":
                out.inspectable.append(art)
    return out
