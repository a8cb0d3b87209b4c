"""A thin wrapper over ``huggingface_hub.HfApi``: one repository listing with declared digests, refs and
security status, under aibom's bounds (``aibom.sources.remote.http``), with errors a user can act on.

Nothing here downloads file content; ``aibom.sources.remote.fetch`` does, through the same bounded client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from aibom._version import __version__
from aibom.errors import UsageError
from aibom.limits import Limits
from aibom.sources.remote.http import (
    AccessError,
    DeadlineExceeded,
    RemoteError,
    ResponseTooLarge,
    RetryPolicy,
    bounded,
    install,
    with_retries,
)

DEFAULT_ENDPOINT = "https://huggingface.co"
SECURITY_BATCH = 50
"""Paths per paths-info request: the Hub returns at most 50 expanded entries per call."""

RepoType = Literal["model", "dataset"]
T = TypeVar("T")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_OFFLINE_VALUES = frozenset({"1", "on", "yes", "true"})


@dataclass(frozen=True)
class HubSettings:
    endpoint: str
    token: str | None
    timeout: float = 30.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class ListedFile:
    """A file as the Hub lists it. Digests are the Hub's declarations, never computed here."""

    relpath: str
    size: int | None
    blob_id: str | None
    lfs_sha256: str | None
    lfs_size: int | None


@dataclass
class RepoListing:
    repo_id: str
    repo_type: RepoType
    commit: str
    files: list[ListedFile]
    security: dict[str, Any] | None
    gated: str | None
    private: bool | None
    truncated: int = 0
    """Files listed beyond ``Limits.max_remote_files`` and dropped."""


def offline_requested() -> bool:
    """``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) read now, not at import like huggingface_hub."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    return any(os.environ.get(n, "").strip().lower() in _OFFLINE_VALUES for n in names)


def settings_for(
    endpoint: str | None,
    token: str | None,
    timeout: float,
    policy: RetryPolicy,
) -> HubSettings:
    """Endpoint from the option, else ``HF_ENDPOINT`` now, else huggingface.co; token from the option,
    else ``HF_TOKEN`` or the saved login. Refuses to send a token over plain http to a remote host."""
    base = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"Hub endpoint {base!r} is not an http(s) URL")
    if token is None:
        from huggingface_hub import get_token

        token = get_token()
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if token and parts.scheme == "http" and not loopback:
        raise UsageError(
            f"refusing to send a Hugging Face token over plain http to {parts.hostname}",
            hint="use an https endpoint, or unset HF_TOKEN for anonymous access",
        )
    return HubSettings(base, token or None, timeout, policy)


class HubClient:
    def __init__(self, settings: HubSettings, limits: Limits) -> None:
        from huggingface_hub import HfApi

        install()
        self.settings = settings
        self.limits = limits
        self.api = HfApi(
            endpoint=settings.endpoint,
            token=settings.token or False,
            library_name="aibom",
            library_version=__version__,
        )

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one bounded, retried API call; failures become a ``RemoteError`` about ``what``."""
        if offline_requested():
            raise offline_error(what)
        limits = self.limits

        def attempt() -> T:
            with bounded(
                self.settings.timeout, limits.max_hub_response, redirects=limits.max_hub_redirects
            ):
                return fn()

        try:
            return with_retries(attempt, self.settings.policy)
        except RemoteError:
            raise
        except Exception as exc:
            raise explain(exc, what, self.settings) from exc

    def listing(self, repo_type: RepoType, repo_id: str, revision: str | None) -> RepoListing:
        what = f"hf://{'datasets/' if repo_type == 'dataset' else ''}{repo_id}"

        def info() -> Any:
            if repo_type == "dataset":
                return self.api.dataset_info(repo_id, revision=revision, files_metadata=True)
            return self.api.model_info(
                repo_id, revision=revision, files_metadata=True, securityStatus=True
            )

        return parse_listing(
            self.call(what, info), repo_type, repo_id, self.limits.max_remote_files
        )

    def refs(self, repo_type: RepoType, repo_id: str, commit: str) -> tuple[str, ...]:
        """Branches and tags that point at ``commit``."""
        found = self.call(
            f"refs of {repo_id}", lambda: self.api.list_repo_refs(repo_id, repo_type=repo_type)
        )
        names = [r.name for r in (*found.branches, *found.tags) if r.target_commit == commit]
        return tuple(sorted(names))

    def security(
        self, repo_type: RepoType, repo_id: str, commit: str, paths: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """The Hub's per-file scan results (``securityFileStatus``) for ``paths``, when it gives them."""
        out: dict[str, dict[str, Any]] = {}
        wanted = list(paths)[: self.limits.max_security_paths]
        for start in range(0, len(wanted), SECURITY_BATCH):
            batch = wanted[start : start + SECURITY_BATCH]

            def ask(batch: list[str] = batch) -> list[Any]:
                return self.api.get_paths_info(
                    repo_id, batch, expand=True, revision=commit, repo_type=repo_type
                )

            for entry in self.call(f"security status of {repo_id}", ask):
                status = _security_of(entry)
                path = getattr(entry, "path", None)
                if status is not None and isinstance(path, str):
                    out[path] = status
        return out


def _security_of(entry: object) -> dict[str, Any] | None:
    security = getattr(entry, "security", None)
    if not isinstance(security, dict) or not isinstance(security.get("status"), str):
        return None
    return {
        k: security[k] for k in ("status", "safe", "av_scan", "pickle_import_scan") if k in security
    }


def _clean_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _clean_hex(value: object, pattern: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def _listed(sibling: Any) -> ListedFile | None:
    name = getattr(sibling, "rfilename", None)
    if not isinstance(name, str):
        return None
    lfs = getattr(sibling, "lfs", None)
    lfs_sha = _clean_hex(lfs.get("sha256"), _HEX64) if isinstance(lfs, dict) else None
    lfs_size = _clean_int(lfs.get("size")) if isinstance(lfs, dict) else None
    blob = getattr(sibling, "blob_id", None)
    blob_id = _clean_hex(blob, _HEX40) or _clean_hex(blob, _HEX64)
    return ListedFile(name, _clean_int(getattr(sibling, "size", None)), blob_id, lfs_sha, lfs_size)


def parse_listing(info: Any, repo_type: RepoType, repo_id: str, max_files: int) -> RepoListing:
    """Validate what ``model_info``/``dataset_info`` returned: a 40-hex commit, the same repository, and
    well-formed file entries (malformed entries are dropped, never trusted); at most ``max_files``."""
    what = f"{repo_type} {repo_id}"
    commit = getattr(info, "sha", None)
    if not isinstance(commit, str) or not _HEX40.fullmatch(commit):
        raise RemoteError(f"the Hub did not give a 40-hex commit for {what} (got {commit!r})")
    listed_id = getattr(info, "id", None)
    if isinstance(listed_id, str) and listed_id.lower() != repo_id.lower():
        raise RemoteError(f"asked for {what} but the Hub answered about {listed_id!r}")
    siblings = getattr(info, "siblings", None) or []
    if not isinstance(siblings, list):
        raise RemoteError(f"the Hub's file list for {what} is not a list")
    files = [f for f in map(_listed, siblings[:max_files]) if f is not None]
    security = getattr(info, "security_repo_status", None)
    gated = getattr(info, "gated", None)
    private = getattr(info, "private", None)
    return RepoListing(
        repo_id=listed_id if isinstance(listed_id, str) else repo_id,
        repo_type=repo_type,
        commit=commit,
        files=files,
        security=security if isinstance(security, dict) else None,
        gated=gated if isinstance(gated, str) else None,
        private=private if isinstance(private, bool) else None,
        truncated=max(0, len(siblings) - max_files),
    )


def offline_error(what: str) -> RemoteError:
    return RemoteError(
        f"cannot reach the Hub for {what}: offline mode is on (HF_HUB_OFFLINE)",
        hint="unset HF_HUB_OFFLINE to scan hf:// targets, or scan a local copy or cache instead",
    )


def explain(exc: BaseException, what: str, settings: HubSettings) -> RemoteError:
    """Turn a huggingface_hub or transport error into a message that says what to do."""
    import httpx2
    from huggingface_hub import errors as hf

    access_hint = "set HF_TOKEN to a token of an account that has access"
    cases: Iterable[
        tuple[type[BaseException] | tuple[type[BaseException], ...], str, str | None]
    ] = (
        (
            hf.GatedRepoError,
            f"{what} is gated: its conditions must be accepted before it can be read",
            "accept the conditions on the repository page, then " + access_hint,
        ),
        (
            hf.RepositoryNotFoundError,
            f"{what} was not found (or it is private and no token with access was sent)",
            "check the id (datasets are hf://datasets/ORG/NAME); for a private repository "
            + access_hint,
        ),
        (hf.RevisionNotFoundError, f"{what}: revision not found", "check the @REVISION part"),
        (hf.RemoteEntryNotFoundError, f"{what}: file listed but not found", None),
        (hf.DisabledRepoError, f"{what} is disabled on the Hub", None),
        (hf.OfflineModeIsEnabled, offline_error(what).message, offline_error(what).hint),
        (ResponseTooLarge, f"{what}: the Hub's response is too large ({exc})", None),
        (
            (DeadlineExceeded, httpx2.TimeoutException),
            f"{what}: no complete answer from {settings.endpoint} within the time limit",
            f"the timeout is {settings.timeout:g} s per request; try again later",
        ),
        (
            httpx2.ConnectError,
            f"{what}: cannot connect to {settings.endpoint}",
            "check the network, or set HF_ENDPOINT",
        ),
    )
    for kinds, message, hint in cases:
        if isinstance(exc, kinds):
            denied = isinstance(exc, hf.RepositoryNotFoundError | hf.DisabledRepoError)
            return (AccessError if denied else RemoteError)(message, hint=hint)
    if isinstance(exc, hf.HfHubHTTPError):
        return _http_status_error(exc, what, settings)
    return RemoteError(f"{what}: {type(exc).__name__}: {str(exc)[:300]}")


def _http_status_error(exc: Any, what: str, settings: HubSettings) -> RemoteError:
    status = exc.response.status_code
    if status == 401:
        hint = "the token was rejected: check HF_TOKEN" if settings.token else "set HF_TOKEN"
        return AccessError(f"{what}: authentication required or refused (HTTP 401)", hint=hint)
    if status == 403:
        return AccessError(
            f"{what}: access forbidden (HTTP 403)", hint="check the token's permissions"
        )
    if status == 429:
        return RemoteError(
            f"{what}: rate limited by the Hub (HTTP 429) after {settings.policy.retries} retries",
            hint="wait and try again, or authenticate with HF_TOKEN for a higher limit",
        )
    return RemoteError(f"{what}: the Hub answered HTTP {status}", hint="try again later")
