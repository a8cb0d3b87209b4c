"""OSV test data built in code: records, a PyPI ``all.zip`` export, and a local OSV API server."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CVSS_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
CVSS_MEDIUM = "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N"


def advisory(
    advisory_id: str,
    name: str,
    *events: tuple[str, str],
    versions: Sequence[str] = (),
    range_type: str = "ECOSYSTEM",
    ecosystem: str = "PyPI",
    **extra: Any,
) -> dict[str, Any]:
    """An OSV record affecting ``name`` with one range of ``(kind, version)`` events."""
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if events:
        affected["ranges"] = [{"type": range_type, "events": [{k: v} for k, v in events]}]
    if versions:
        affected["versions"] = list(versions)
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": advisory_id,
        "modified": "2024-05-01T12:00:00Z",
        "published": "2024-04-01T00:00:00Z",
        "summary": f"{advisory_id} in {name}",
        "details": f"Details of {advisory_id}.",
        "affected": [affected],
        "references": [{"type": "ADVISORY", "url": f"https://example.org/{advisory_id}"}],
    }
    record.update(extra)
    return record


def write_export(
    path: Path, records: Sequence[dict[str, Any]], extra: dict[str, bytes] | None = None
) -> Path:
    """An ``all.zip`` like OSV's: one ``<ID>.json`` per record (deflated), plus raw ``extra`` members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for record in records:
            zf.writestr(f"{record['id']}.json", json.dumps(record))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


@dataclass
class OsvApi:
    """A local OSV API: ``answers`` maps (name, version) to advisory ids; records are served by id."""

    records: dict[str, dict[str, Any]]
    answers: dict[tuple[str, str], list[str]]
    page_size: int = 1000
    failures: list[int] = field(default_factory=list)
    """Statuses answered (one per request) before answering normally."""
    seen: list[tuple[str, str, Any]] = field(default_factory=list)

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        self.seen.append((method, path, body))
        if self.failures:
            return self.failures.pop(0), {"error": "later"}
        if method == "POST" and path == "/v1/querybatch":
            return 200, {"results": [self._result(q) for q in body["queries"]]}
        if method == "GET" and path.startswith("/v1/vulns/"):
            record = self.records.get(unquote(path.removeprefix("/v1/vulns/")))
            return (200, record) if record else (404, {"message": "Bug not found."})
        return 404, {"message": "no route"}

    def _result(self, query: dict[str, Any]) -> dict[str, Any]:
        key = (query["package"]["name"], query["version"])
        ids = self.answers.get(key, [])
        start = int(query.get("page_token") or 0)
        page = ids[start : start + self.page_size]
        result: dict[str, Any] = {}
        if page:
            result["vulns"] = [{"id": i, "modified": "2024-05-01T12:00:00Z"} for i in page]
        if start + self.page_size < len(ids):
            result["next_page_token"] = str(start + self.page_size)
        return result


@contextmanager
def serve(api: OsvApi) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, data = api.handle(method, urlsplit(self.path).path, body)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
