"""A local stand-in for the Hugging Face Hub: the endpoints huggingface_hub 2.4 calls, answered from
repositories built in memory, on 127.0.0.1 in a thread.

What it serves, as huggingface_hub parses it (``hf_api.py``, ``file_download.py``, ``utils/_http.py``):
- ``GET /api/{models,datasets}/ORG/NAME[/revision/REV]``: ``id``, ``sha``, ``siblings`` (``rfilename``,
  ``size``, ``blobId``, ``lfs`` {``sha256``, ``size``, ``pointerSize``}), ``securityRepoStatus``.
- ``GET /api/{type}s/ORG/NAME/refs``: ``branches``/``tags``/``converts`` with ``targetCommit``.
- ``POST /api/{type}s/ORG/NAME/paths-info/REV``: RepoFile entries with ``securityFileStatus``.
- ``GET /[datasets/]ORG/NAME/resolve/REV/PATH`` with single byte ranges: ``X-Repo-Commit``, ``ETag``
  (git blob id, or the SHA-256 for LFS files, which also get ``X-Linked-Etag``/``X-Linked-Size``),
  ``Accept-Ranges``, ``Content-Range`` on 206.
- Errors with the Hub's ``X-Error-Code`` header: ``RepoNotFound``, ``GatedRepo``, ``RevisionNotFound``.
Every request is recorded (method, path, Range, Authorization) so tests can check what was asked.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d+)-(\d+)?$")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    oid = hashlib.sha256(data).hexdigest()
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n".encode()
    )


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, bytes]
    repo_type: str = "model"
    commit: str = "a" * 40
    branches: dict[str, str] = field(default_factory=lambda: {"main": "a" * 40})
    lfs: frozenset[str] = frozenset()
    """Paths stored in LFS (the rest are plain git blobs)."""
    security: dict[str, str] = field(default_factory=dict)
    """Per-file Hub scan status (path -> status); files not named are 'safe'."""
    repo_security: dict[str, Any] | None = None
    tokens: frozenset[str] | None = None
    """Tokens allowed to read; None: public."""
    gated: bool = False
    gate_api: bool = False
    """Gate the API as well as the downloads (the real Hub gates only downloads)."""
    served: dict[str, bytes] = field(default_factory=dict)
    """Content served instead of ``files`` for some paths (a tampered CDN)."""
    declared_size: dict[str, int] = field(default_factory=dict)
    extra_siblings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    range: str | None
    auth: str | None


Custom = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-response is what several tests do on purpose


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], HubRepo] = {}
        self.seen: list[Seen] = []
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        """Path -> statuses (with headers) to answer before answering normally."""
        self.custom: dict[str, Custom] = {}
        """Path -> handler that writes the whole response itself (hostile servers)."""
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, repo: HubRepo) -> HubRepo:
        self.repos[(repo.repo_type, repo.repo_id)] = repo
        return repo

    def ranges(self, suffix: str) -> list[tuple[int, int]]:
        """Half-open byte ranges asked for files whose path ends with ``suffix``."""
        out = []
        for seen in self.seen:
            if seen.path.endswith(suffix) and "/resolve/" in seen.path and seen.range:
                m = _RANGE.match(seen.range)
                assert m is not None and m.group(2) is not None
                out.append((int(m.group(1)), int(m.group(2)) + 1))
        return out

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            _dispatch(hub, self, "GET")

        def do_HEAD(self) -> None:
            _dispatch(hub, self, "HEAD")

        def do_POST(self) -> None:
            _dispatch(hub, self, "POST")

    return Handler


def send(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    head: bool = False,
) -> None:
    h.send_response(status)
    all_headers = {"Content-Length": str(len(body)), **(headers or {})}
    for name, value in all_headers.items():
        h.send_header(name, value)
    h.end_headers()
    if not head:
        h.wfile.write(body)


def _error(h: BaseHTTPRequestHandler, status: int, code: str, message: str = "") -> None:
    body = json.dumps({"error": message or code}).encode()
    headers = {"X-Error-Code": code, "X-Error-Message": message or code}
    send(h, status, body, {"Content-Type": "application/json", **headers})


def _dispatch(hub: FakeHub, h: BaseHTTPRequestHandler, method: str) -> None:
    path = unquote(urlsplit(h.path).path)
    hub.seen.append(Seen(method, path, h.headers.get("Range"), h.headers.get("Authorization")))
    length = int(h.headers.get("Content-Length") or 0)
    body = h.rfile.read(length) if length else b""
    queued = hub.failures.get(path)
    if queued:
        status, headers = queued.pop(0)
        send(h, status, b'{"error": "try later"}', headers)
        return
    if path in hub.custom:
        hub.custom[path](h)
        return
    api = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)(/.*)?", path)
    if api:
        _api(hub, h, api.group(1)[:-1], api.group(2), api.group(3) or "", body)
        return
    resolve = re.fullmatch(r"/(datasets/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
    if resolve:
        repo_type = "dataset" if resolve.group(1) else "model"
        _resolve(hub, h, method, repo_type, resolve.groups()[1:])
        return
    _error(h, 404, "EntryNotFound", f"no route {path}")


def _access(h: BaseHTTPRequestHandler, repo: HubRepo | None, api: bool) -> bool:
    """Answer with the Hub's error when the request may not read ``repo``; True when it may."""
    if repo is None:
        _error(h, 404, "RepoNotFound", "Repository not found")
        return False
    if repo.tokens is None:
        return True
    auth = h.headers.get("Authorization")
    if auth in {f"Bearer {t}" for t in repo.tokens}:
        return True
    if repo.gated and (repo.gate_api or not api):
        _error(
            h, 401 if auth is None else 403, "GatedRepo", f"Access to {repo.repo_id} is restricted"
        )
        return False
    if repo.gated:
        return True
    _error(h, 401, "RepoNotFound", "Invalid username or password.")
    return False


def _commit_for(repo: HubRepo, rev: str | None) -> str | None:
    if rev is None:
        rev = "main"
    if rev == repo.commit:
        return rev
    return repo.branches.get(rev)


def _api(
    hub: FakeHub, h: BaseHTTPRequestHandler, repo_type: str, repo_id: str, rest: str, body: bytes
) -> None:
    repo = hub.repos.get((repo_type, repo_id))
    if not _access(h, repo, api=True):
        return
    assert repo is not None
    if rest == "/refs":
        branches = [
            {"name": n, "ref": f"refs/heads/{n}", "targetCommit": c}
            for n, c in repo.branches.items()
        ]
        _json(h, {"branches": branches, "tags": [], "converts": []})
    elif rest.startswith("/paths-info/"):
        paths = parse_qs(body.decode()).get("paths", [])
        _json(h, [_tree_entry(repo, p) for p in paths if p in repo.files])
    elif rest == "" or rest.startswith("/revision/"):
        rev = rest.removeprefix("/revision/") or None
        if _commit_for(repo, rev) is None:
            _error(h, 404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return
        _json(h, _info(repo))
    else:
        _error(h, 404, "EntryNotFound")


def _json(h: BaseHTTPRequestHandler, data: object) -> None:
    send(h, 200, json.dumps(data).encode(), {"Content-Type": "application/json"})


def _lfs(repo: HubRepo, path: str) -> dict[str, Any] | None:
    if path not in repo.lfs:
        return None
    data = repo.files[path]
    pointer = lfs_pointer(data)
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "pointerSize": len(pointer),
    }


def _blob_id(repo: HubRepo, path: str) -> str:
    data = repo.files[path]
    return git_blob_sha1(lfs_pointer(data) if path in repo.lfs else data)


def _info(repo: HubRepo) -> dict[str, Any]:
    siblings: list[dict[str, Any]] = []
    for path, data in repo.files.items():
        entry: dict[str, Any] = {
            "rfilename": path,
            "size": repo.declared_size.get(path, len(data)),
            "blobId": _blob_id(repo, path),
        }
        lfs = _lfs(repo, path)
        if lfs is not None:
            entry["lfs"] = lfs
        siblings.append(entry)
    info: dict[str, Any] = {
        "id": repo.repo_id,
        "sha": repo.commit,
        "siblings": siblings + repo.extra_siblings,
        "private": repo.tokens is not None and not repo.gated,
        "gated": "manual" if repo.gated else False,
    }
    if repo.repo_type == "model":
        info["securityRepoStatus"] = repo.repo_security or {
            "scansDone": True,
            "filesWithIssues": [],
        }
    return info


def _tree_entry(repo: HubRepo, path: str) -> dict[str, Any]:
    lfs = _lfs(repo, path)
    status = repo.security.get(path, "safe")
    entry: dict[str, Any] = {
        "type": "file",
        "path": path,
        "size": len(repo.files[path]),
        "oid": _blob_id(repo, path),
        "securityFileStatus": {
            "status": status,
            "avScan": {"virusFound": False},
            "pickleImportScan": {"highestSafetyLevel": "dangerous", "imports": []}
            if status != "safe"
            else None,
        },
    }
    if lfs is not None:
        entry["lfs"] = {
            "oid": lfs["sha256"],
            "size": lfs["size"],
            "pointerSize": lfs["pointerSize"],
        }
    return entry


def _resolve(
    hub: FakeHub,
    h: BaseHTTPRequestHandler,
    method: str,
    repo_type: str,
    parts: tuple[str | Any, ...],
) -> None:
    repo_id, rev, path = parts
    repo = hub.repos.get((repo_type, repo_id))
    if not _access(h, repo, api=False):
        return
    assert repo is not None
    if _commit_for(repo, rev) is None:
        _error(h, 404, "RevisionNotFound")
        return
    if path not in repo.files:
        _error(h, 404, "EntryNotFound")
        return
    data = repo.served.get(path, repo.files[path])
    headers = {"X-Repo-Commit": repo.commit, "Accept-Ranges": "bytes"}
    lfs = _lfs(repo, path)
    if lfs is not None:
        headers |= {
            "ETag": f'"{lfs["sha256"]}"',
            "X-Linked-Etag": f'"{lfs["sha256"]}"',
            "X-Linked-Size": str(lfs["size"]),
        }
    else:
        headers["ETag"] = f'"{git_blob_sha1(repo.files[path])}"'
    _ranged(h, method, data, headers)


def _ranged(h: BaseHTTPRequestHandler, method: str, data: bytes, headers: dict[str, str]) -> None:
    asked = h.headers.get("Range")
    if asked is None:
        send(h, 200, data, headers, head=method == "HEAD")
        return
    m = _RANGE.match(asked)
    if m is None:
        send(h, 416, b"", {"Content-Range": f"bytes */{len(data)}"})
        return
    start = int(m.group(1))
    end = min(int(m.group(2)) if m.group(2) else len(data) - 1, len(data) - 1)
    if start > end:
        send(h, 416, b"", {"Content-Range": f"bytes */{len(data)}"})
        return
    headers = {**headers, "Content-Range": f"bytes {start}-{end}/{len(data)}"}
    send(h, 206, data[start : end + 1], headers, head=method == "HEAD")


def drip(body: bytes, pause: float) -> Custom:
    """A handler that sends headers, then one byte every ``pause`` seconds."""
    import time

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        try:
            for i in range(len(body)):
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass

    return handle


def endless(chunk: bytes = b" " * 65536) -> Custom:
    """A handler that streams a body with no length and no end (until the client hangs up)."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for _ in _forever():
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass

    return handle


def _forever() -> Iterator[None]:
    while True:
        yield None
