"""Byte-budgeted fetching of remote files: whole small files, and only the parts inspection needs of the
others, written into sparse local files of the declared size.

The plan for one file depends on its content, not its name (a pickle named ``model.safetensors`` is
still fetched as a pickle):

- ``none``: nothing is fetched.
- ``risky`` (default): files up to ``SMALL_FILE`` (and cards, configs, indexes up to
  ``Limits.max_text_file``) are fetched whole. Of bigger files, the first ``Limits.head_bytes`` are
  fetched; then a zip gets its
  end records and central directory, and each pickle-bearing or tiny member (local header and data) by
  HTTP range; a bare pickle stream is fetched whole; a safetensors file gets its JSON header. Other
  formats keep only their head in memory (``RemoteFile.head``) and no local file.
- ``all``: every file whole while the budget lasts, then the ``risky`` plan.

Range fetches are written with ``os.pwrite`` into a file truncated to the declared size, so the holes
read as zeros and the local inspectors read the archive unchanged. Every byte received counts against
the budget; a request that would go past it is not sent.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aibom._version import __version__
from aibom.catalog import Catalog
from aibom.limits import KiB, Limits, MiB
from aibom.sources.remote.http import (
    AccessError,
    RemoteError,
    bounded,
    with_retries,
)
from aibom.sources.remote.hub import HubClient, ListedFile, RepoType, explain
from aibom.sources.remote.plan import (
    digest_mismatch,
    git_sha1,
    is_metadata,
    looks_like_pickle,
    member_spans,
    missing,
    probe_worthy,
)
from aibom.sources.remote.ziptail import TAIL_BYTES, ZipTailError, central_directory

DownloadMode = Literal["none", "risky", "all"]
Fetched = Literal["none", "full", "ranges"]

SMALL_FILE = 1 * MiB
"""Files up to this size are fetched whole in ``risky`` mode: cheaper than planning ranges. A fetch
strategy, not a ceiling on input (the byte budget and ``Limits`` bound what is read). Cards, configs,
shard indexes and requirement files are fetched whole up to ``Limits.max_text_file``; of other files the
first ``Limits.head_bytes`` are fetched to recognise the format by content."""
MIN_THROUGHPUT = 64 * KiB
"""Bytes per second a download must average; with the timeout it sets each download's deadline."""


class FetchProblem(Exception):
    """The server's answer for a file disagrees with what was asked or declared."""


class OverBudget(Exception):
    """A request was not sent because it would exceed the byte budget."""


class Budget:
    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0

    def take(self, n: int) -> None:
        if self.used + n > self.total:
            raise OverBudget(
                f"byte budget exhausted ({self.used} of {self.total} bytes used, {n} more needed)"
            )
        self.used += n


@dataclass
class FileFetch:
    """What was fetched of one file."""

    fetched: Fetched = "none"
    local_path: Path | None = None
    ranges: list[tuple[int, int]] | None = None
    """Half-open byte ranges present in ``local_path`` (None: the whole file)."""
    head: bytes = b""
    received: int = 0
    sha256: str | None = None
    git_sha1: str | None = None
    note: str | None = None
    mismatch: str | None = None


class _Sink:
    """Where one response body goes: memory, or a file at an offset (hashing when asked)."""

    def __init__(self, fd: int | None, offset: int, hashing: bool = False) -> None:
        self.fd, self.offset, self.hashing = fd, offset, hashing
        self.reset()

    def reset(self) -> None:
        self.pos = self.offset
        self.data = bytearray()
        self.sha256 = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        if self.fd is None:
            self.data += chunk
        else:
            os.pwrite(self.fd, chunk, self.pos)
        if self.hashing:
            self.sha256.update(chunk)
        self.pos += len(chunk)


def _norm_etag(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().removeprefix("W/").strip('"').lower()


class Fetcher:
    def __init__(
        self,
        client: HubClient,
        repo: tuple[RepoType, str, str],
        budget: Budget,
        root: Path,
        limits: Limits,
        catalog: Catalog,
    ) -> None:
        self.client = client
        self.limits = limits
        self.catalog = catalog
        self.repo_type, self.repo_id, self.commit = repo
        self.budget = budget
        self.root = root
        self.failures = 0

    def url(self, relpath: str) -> str:
        from huggingface_hub import hf_hub_url

        return hf_hub_url(
            self.repo_id,
            relpath,
            repo_type=self.repo_type,
            revision=self.commit,
            endpoint=self.client.settings.endpoint,
        )

    def get(self, listed: ListedFile, start: int, length: int, sink: _Sink) -> None:
        """Fetch ``length`` bytes at ``start`` into ``sink``, checked against the listing."""
        assert listed.size is not None
        self.budget.take(length)
        settings = self.client.settings
        total = settings.timeout + length / MIN_THROUGHPUT
        body = max(length, self.limits.max_hub_error_body)
        redirects = self.limits.max_hub_redirects

        def attempt() -> None:
            sink.reset()
            with bounded(settings.timeout, body, total, redirects=redirects):
                self._stream(listed, start, length, sink)

        try:
            with_retries(attempt, settings.policy)
        except (FetchProblem, OverBudget):
            raise
        except Exception as exc:
            raise explain(exc, f"hf://{self.repo_id}/{listed.relpath}", settings) from exc

    def _stream(self, listed: ListedFile, start: int, length: int, sink: _Sink) -> None:
        from huggingface_hub import get_session, hf_raise_for_status

        headers = {"User-Agent": f"aibom/{__version__}"}
        if self.client.settings.token:
            headers["Authorization"] = f"Bearer {self.client.settings.token}"
        ranged = not (start == 0 and length == listed.size)
        if ranged:
            headers["Range"] = f"bytes={start}-{start + length - 1}"
        with get_session().stream("GET", self.url(listed.relpath), headers=headers) as response:
            if response.status_code >= 400:
                response.read()
                hf_raise_for_status(response)
            self._check(response.status_code, response.headers, listed, start, length, ranged)
            received = 0
            for chunk in response.iter_raw():
                if received + len(chunk) > length:
                    raise FetchProblem(f"server sent more than the {length} bytes asked for")
                sink.write(chunk)
                received += len(chunk)
        if received != length:
            raise FetchProblem(f"server sent {received} bytes, {length} were asked for")

    def _check(
        self, status: int, headers: Any, listed: ListedFile, start: int, length: int, ranged: bool
    ) -> None:
        if ranged:
            if status != 206:
                raise FetchProblem(f"server ignored the byte range (HTTP {status})")
            expected = f"bytes {start}-{start + length - 1}/{listed.size}"
            if headers.get("Content-Range", "").strip() != expected:
                got = headers.get("Content-Range")
                raise FetchProblem(f"Content-Range {got!r} does not match {expected!r}")
        elif status != 200:
            raise FetchProblem(f"unexpected HTTP {status} for a whole-file download")
        commit = headers.get("X-Repo-Commit")
        if commit and commit.strip().lower() != self.commit:
            raise FetchProblem(f"served from commit {commit!r}, not the listed {self.commit}")
        declared = listed.lfs_sha256 or listed.blob_id
        etag = _norm_etag(headers.get("X-Linked-Etag") or headers.get("ETag"))
        if declared and etag and len(etag) == len(declared) and etag != declared:
            raise FetchProblem(f"server's ETag {etag} differs from the listed digest {declared}")

    # ---------------------------------------------------------------- plans

    def fetch(self, listed: ListedFile, mode: DownloadMode) -> FileFetch:
        """Fetch what ``mode`` asks of ``listed``; problems become notes, never exceptions."""
        out = FileFetch()
        if mode == "none":
            return out
        if listed.size is None:
            out.note = "the Hub declared no size for this file; not fetched"
            return out
        if self.failures >= self.limits.max_failed_fetches:
            most = self.limits.max_failed_fetches
            out.note = f"not fetched: fetching stopped after {most} failed files"
            return out
        try:
            self._plan(listed, mode, out)
        except OverBudget as exc:
            out.note = f"{_partial(out)}{exc}"
        except FetchProblem as exc:
            out.mismatch = str(exc)
            out.note = f"{_partial(out)}the server's answer was inconsistent"
        except AccessError:
            raise
        except RemoteError as exc:
            self.failures += 1
            out.note = f"{_partial(out)}fetch failed: {exc.message}"
        except OSError as exc:
            out.note = f"{_partial(out)}cannot write the local copy: {exc}"
        return out

    def _plan(self, listed: ListedFile, mode: DownloadMode, out: FileFetch) -> None:
        size = listed.size
        assert size is not None
        fits = size <= self.budget.total - self.budget.used
        metadata = is_metadata(listed.relpath) and size <= self.limits.max_text_file
        small = size <= SMALL_FILE or metadata
        if small or (mode == "all" and fits):
            self._whole(listed, out)
        elif probe_worthy(listed.relpath, self.catalog):
            self._partial_plan(listed, out)

    def _whole(self, listed: ListedFile, out: FileFetch) -> None:
        assert listed.size is not None
        fd, path = self._create(listed)
        try:
            sink = _Sink(fd, 0, hashing=True)
            if listed.size:
                self.get(listed, 0, listed.size, sink)
        finally:
            os.close(fd)
        out.local_path, out.fetched, out.received = path, "full", listed.size
        out.sha256 = sink.sha256.hexdigest()
        out.git_sha1 = git_sha1(path, listed.size) if not listed.lfs_sha256 else None
        with path.open("rb") as fh:
            out.head = fh.read(self.limits.head_bytes)
        out.mismatch = digest_mismatch(listed, out.sha256, out.git_sha1)

    def _partial_plan(self, listed: ListedFile, out: FileFetch) -> None:
        assert listed.size is not None
        head_len = min(self.limits.head_bytes, listed.size)
        sink = _Sink(None, 0)
        self.get(listed, 0, head_len, sink)
        out.head, out.received = bytes(sink.data), head_len
        head = out.head
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            self._zip_plan(listed, out)
        elif looks_like_pickle(head, listed.relpath, self.catalog):
            self._whole(listed, out)
        elif len(head) >= 9 and head[8:9] == b"{":
            self._safetensors_plan(listed, out)

    def _create(self, listed: ListedFile) -> tuple[int, Path]:
        assert listed.size is not None
        path = self.root.joinpath(*listed.relpath.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
        os.ftruncate(fd, listed.size)
        return fd, path

    def _ranges_into(
        self, listed: ListedFile, out: FileFetch, spans: list[tuple[int, int]]
    ) -> None:
        """Write ``out.head`` and each half-open span into a sparse file; record what is present."""
        if out.local_path is None:
            fd, out.local_path = self._create(listed)
            os.pwrite(fd, out.head, 0)
            out.ranges = [(0, len(out.head))]
            out.fetched = "ranges"
        else:
            fd = os.open(out.local_path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            for start, end in spans:
                self.get(listed, start, end - start, _Sink(fd, start))
                assert out.ranges is not None
                out.ranges.append((start, end))
                out.received += end - start
        finally:
            os.close(fd)

    def _safetensors_plan(self, listed: ListedFile, out: FileFetch) -> None:
        assert listed.size is not None
        length = int.from_bytes(out.head[:8], "little")
        limit = self.limits.max_safetensors_header
        if not 2 <= length <= min(limit, listed.size - 8):
            return
        end = 8 + length
        self._ranges_into(listed, out, [(len(out.head), end)] if end > len(out.head) else [])

    def _zip_plan(self, listed: ListedFile, out: FileFetch) -> None:
        size = listed.size
        assert size is not None
        tail_start = max(len(out.head), size - TAIL_BYTES)
        self._ranges_into(listed, out, [(tail_start, size)] if tail_start < size else [])
        assert out.local_path is not None
        with out.local_path.open("rb") as fh:
            fh.seek(max(0, size - TAIL_BYTES))
            tail = fh.read()
        try:
            cd = central_directory(tail, max(0, size - TAIL_BYTES))
        except ZipTailError as exc:
            out.note = f"zip end records unreadable: {exc}"
            return
        most = self.limits.max_remote_central_directory
        if cd.size > most:
            out.note = f"zip central directory of {cd.size} bytes exceeds {most}"
            return
        directory = missing([(cd.start, cd.start + cd.size)], out.ranges or [])
        self._ranges_into(listed, out, directory)
        self._members(listed, out, cd.start)

    def _members(self, listed: ListedFile, out: FileFetch, cd_start: int) -> None:
        assert out.local_path is not None
        try:
            with zipfile.ZipFile(out.local_path) as zf:
                infos = zf.infolist()[: self.limits.max_members]
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
            out.note = f"zip central directory unreadable: {exc}"
            return
        spans = member_spans(infos, cd_start, self.catalog.member_suffixes)
        self._ranges_into(listed, out, missing(spans, out.ranges or []))


def _partial(out: FileFetch) -> str:
    return "fetched partly; " if out.fetched != "none" else "not fetched: "
