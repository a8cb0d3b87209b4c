"""``hf://ORG/NAME[@REV]`` and ``hf://datasets/ORG/NAME[@REV]`` as a scan source: resolve the revision
to its commit, list the files with what the Hub declares about them, fetch what inspection needs, and
describe it all as a ``RemoteSnapshot`` that ``aibom.scan`` turns into artifacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibom.catalog import Catalog
from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS, Limits, MiB
from aibom.sources.remote.fetch import SMALL_FILE, Budget, DownloadMode, Fetched, Fetcher, FileFetch
from aibom.sources.remote.http import RemoteError, RetryPolicy
from aibom.sources.remote.hub import (
    HubClient,
    ListedFile,
    RepoListing,
    RepoType,
    offline_error,
    offline_requested,
    settings_for,
)

SCHEME = "hf://"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RISK_ORDER = (".pkl", ".pickle", ".bin", ".pt", ".pth", ".ckpt", ".joblib", ".npy", ".npz", ".h5")


@dataclass(frozen=True)
class RemoteOptions:
    download: DownloadMode = "risky"
    byte_budget: int = 512 * MiB
    token: str | None = None
    """Hugging Face token; None reads ``HF_TOKEN`` or the saved login."""
    endpoint: str | None = None
    """Hub URL; None reads ``HF_ENDPOINT`` now (huggingface_hub reads it only at import)."""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    """First wait before a retry, in seconds; doubles each time."""
    max_retry_wait: float = 60.0
    """Longest wait before a retry, whatever the server's ``Retry-After`` asks."""


@dataclass(frozen=True)
class RemoteTarget:
    repo_type: RepoType
    repo_id: str
    revision: str | None


@dataclass
class RemoteFile:
    relpath: str
    size: int | None
    """Size declared by the Hub."""
    lfs_sha256: str | None
    """SHA-256 declared by the Hub for LFS files (the LFS oid); never computed by aibom."""
    blob_id: str | None
    """Git object id declared by the Hub."""
    security: dict[str, Any] | None = None
    """The Hub's scan result for the file (``status``, ``safe``, ``av_scan``, ``pickle_import_scan``)."""
    local_path: Path | None = None
    fetched: Fetched = "none"
    ranges: tuple[tuple[int, int], ...] = ()
    """Half-open byte ranges present in ``local_path`` when ``fetched == "ranges"``."""
    head: bytes = b""
    """The first bytes of the file when any were fetched (for classification by content)."""
    fetched_bytes: int = 0
    computed_sha256: str | None = None
    """SHA-256 of the bytes received, for full downloads only."""
    note: str | None = None
    """Why the file was not (completely) fetched."""
    mismatch: str | None = None
    """How the served content disagreed with the listing (size, range, commit or digest)."""

    @property
    def security_status(self) -> str | None:
        status = (self.security or {}).get("status")
        return status if isinstance(status, str) else None


@dataclass
class RemoteSnapshot:
    target: str
    endpoint: str
    repo_id: str
    repo_type: RepoType
    commit: str
    refs: tuple[str, ...]
    files: list[RemoteFile]
    repo_security: dict[str, Any] | None
    requested_revision: str | None = None
    gated: str | None = None
    private: bool | None = None
    byte_budget: int = 0
    fetched_bytes: int = 0
    download: DownloadMode = "risky"
    notes: list[str] = field(default_factory=list)
    """Problems with the repository as a whole (refs or security unavailable, listing truncated)."""
    truncated: int = 0

    @property
    def uri(self) -> str:
        prefix = "datasets/" if self.repo_type == "dataset" else ""
        return f"{SCHEME}{prefix}{self.repo_id}@{self.commit}"

    def display(self, relpath: str) -> str:
        return f"{self.uri}/{relpath}"

    @property
    def purl(self) -> str | None:
        """``pkg:huggingface/ORG/NAME@COMMIT`` for models (the purl type defines models only)."""
        if self.repo_type != "model":
            return None
        from packageurl import PackageURL

        namespace, _, name = self.repo_id.rpartition("/")
        return str(PackageURL("huggingface", namespace or None, name, self.commit))


def is_remote_target(target: str) -> bool:
    return target.startswith(SCHEME)


def parse_target(target: str) -> RemoteTarget:
    """``hf://[models/|datasets/]ORG/NAME[@REV]``, parsed by huggingface_hub's own URI parser."""
    from huggingface_hub import parse_hf_uri
    from huggingface_hub.errors import HfUriError

    try:
        uri = parse_hf_uri(target)
    except (HfUriError, ValueError) as exc:
        raise UsageError(
            f"not a Hugging Face repository: {target!r} ({exc})",
            hint="write hf://ORG/NAME[@REVISION] or hf://datasets/ORG/NAME[@REVISION]",
        ) from exc
    if uri.type not in ("model", "dataset"):
        raise UsageError(f"{target}: only model and dataset repositories can be scanned")
    if uri.path_in_repo:
        raise UsageError(
            f"{target}: scan a whole repository, not a path inside it",
            hint="a revision with '/' in it must be written with %2F",
        )
    repo_type: RepoType = "dataset" if uri.type == "dataset" else "model"
    return RemoteTarget(repo_type, uri.id, uri.revision)


def safe_relpath(name: str, max_chars: int) -> str | None:
    """``name`` when it is a plain relative POSIX path of at most ``max_chars`` characters that stays
    inside the snapshot, else None."""
    if not name or len(name) > max_chars or _CONTROL.search(name) or "\\" in name:
        return None
    parts = name.split("/")
    if any(p in ("", ".", "..") or len(p.encode()) > 255 for p in parts):
        return None
    return name


def _risk_rank(relpath: str) -> tuple[int, str]:
    lower = relpath.lower()
    return (0 if lower.endswith(_RISK_ORDER) else 1, relpath)


def _security(
    client: HubClient, listing: RepoListing, files: list[ListedFile]
) -> tuple[dict[str, dict[str, Any]], str | None]:
    paths = [f.relpath for f in sorted(files, key=lambda f: _risk_rank(f.relpath))]
    try:
        found = client.security(listing.repo_type, listing.repo_id, listing.commit, paths)
    except RemoteError as exc:
        return {}, f"per-file security status unavailable: {exc.message}"
    return found, None


def _refs(client: HubClient, listing: RepoListing) -> tuple[tuple[str, ...], str | None]:
    try:
        return client.refs(listing.repo_type, listing.repo_id, listing.commit), None
    except RemoteError as exc:
        return (), f"refs unavailable: {exc.message}"


def _remote_file(listed: ListedFile, got: FileFetch, security: dict[str, Any] | None) -> RemoteFile:
    return RemoteFile(
        relpath=listed.relpath,
        size=listed.size,
        lfs_sha256=listed.lfs_sha256,
        blob_id=listed.blob_id,
        security=security,
        local_path=got.local_path,
        fetched=got.fetched,
        ranges=tuple(got.ranges or ()),
        head=got.head,
        fetched_bytes=got.received,
        computed_sha256=got.sha256,
        note=got.note,
        mismatch=got.mismatch,
    )


def _checked_files(listing: RepoListing, notes: list[str], limits: Limits) -> list[ListedFile]:
    files: list[ListedFile] = []
    for listed in listing.files:
        if safe_relpath(listed.relpath, limits.max_remote_relpath) is None:
            notes.append(f"file with an unsafe path ignored: {listed.relpath[:200]!r}")
        elif listed.lfs_size is not None and listed.lfs_size != listed.size:
            notes.append(
                f"{listed.relpath}: LFS size {listed.lfs_size} differs from size {listed.size}"
            )
            files.append(listed)
        else:
            files.append(listed)
    if listing.truncated:
        first = limits.max_remote_files
        notes.append(f"{listing.truncated} files beyond the first {first} not examined")
    return files


def resolve_remote(
    target: str,
    options: RemoteOptions,
    workdir: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    catalog: Catalog,
) -> RemoteSnapshot:
    """Resolve ``target`` on the Hub and fetch what ``options.download`` asks into ``workdir``;
    ``catalog`` says which bytes of each format inspection needs.

    Raises ``UsageError`` for a malformed target and ``RemoteError`` (an ``AibomError``) when the Hub
    cannot be reached or refuses (not found, gated, no token, offline, rate limited). Problems with
    single files are recorded on them (``note``, ``mismatch``) and never raise."""
    parsed = parse_target(target)
    if offline_requested():
        raise offline_error(target)
    policy = RetryPolicy(options.retries, options.backoff, options.max_retry_wait)
    client = HubClient(
        settings_for(options.endpoint, options.token, options.timeout, policy), limits
    )
    listing = client.listing(parsed.repo_type, parsed.repo_id, parsed.revision)
    notes: list[str] = []
    files = _checked_files(listing, notes, limits)
    refs, problem = _refs(client, listing)
    security, problem2 = _security(client, listing, files)
    notes += [p for p in (problem, problem2) if p]
    root = workdir / f"{listing.repo_type}s--{listing.repo_id.replace('/', '--')}--{listing.commit}"
    root.mkdir(parents=True, exist_ok=True)
    budget = Budget(options.byte_budget)
    repo = (listing.repo_type, listing.repo_id, listing.commit)
    fetcher = Fetcher(client, repo, budget, root, limits, catalog)
    remote = [
        _remote_file(f, fetcher.fetch(f, options.download), security.get(f.relpath))
        for f in sorted(files, key=lambda f: ((f.size or 0) > SMALL_FILE, *_risk_rank(f.relpath)))
    ]
    remote.sort(key=lambda f: f.relpath)
    return RemoteSnapshot(
        target=target,
        endpoint=client.settings.endpoint,
        repo_id=listing.repo_id,
        repo_type=listing.repo_type,
        commit=listing.commit,
        refs=refs,
        files=remote,
        repo_security=listing.security,
        requested_revision=parsed.revision,
        gated=listing.gated,
        private=listing.private,
        byte_budget=options.byte_budget,
        fetched_bytes=budget.used,
        download=options.download,
        notes=notes,
        truncated=listing.truncated,
    )
