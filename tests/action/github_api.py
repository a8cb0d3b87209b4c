"""A local stand-in for the parts of the GitHub REST API the action uses (issue comments, /user).

It binds 127.0.0.1 on a free port, keeps comments in memory with their authors, pages
``GET .../comments`` like GitHub (``per_page``, ``page``), records every request, and checks the
bearer token on each one.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    authorization: str
    body: Any = None


@dataclass
class FakeGitHub:
    token: str
    token_user: str | None = None
    """The login ``GET /user`` returns; ``None`` answers 403 as GitHub does for a GITHUB_TOKEN."""
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    next_id: int = 1000
    url: str = ""

    def add_comment(self, login: str, body: str) -> int:
        self.next_id += 1
        self.comments.append({"id": self.next_id, "user": {"login": login}, "body": body})
        return self.next_id

    def author_of_new_comments(self) -> str:
        return self.token_user or "github-actions[bot]"

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]


def _handler(api: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> tuple[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            auth = self.headers.get("Authorization", "")
            api.requests.append(Request(self.command, self.path, auth, body))
            if auth != f"Bearer {api.token}":
                self._reply(401, {"message": "Bad credentials"})
                return None
            return urlsplit(self.path).path, body

        def do_GET(self) -> None:
            got = self._record()
            if got is None:
                return
            path, _ = got
            if path == "/user":
                if api.token_user is None:
                    self._reply(403, {"message": "Resource not accessible by integration"})
                else:
                    self._reply(200, {"login": api.token_user, "type": "User"})
                return
            query = parse_qs(urlsplit(self.path).query)
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            self._reply(200, api.comments[(page - 1) * per_page : page * per_page])

        def do_POST(self) -> None:
            got = self._record()
            if got is None:
                return
            _, body = got
            new = api.add_comment(api.author_of_new_comments(), body["body"])
            self._reply(201, api.comments[-1] | {"id": new})

        def do_PATCH(self) -> None:
            got = self._record()
            if got is None:
                return
            path, body = got
            match = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", path)
            target = [c for c in api.comments if match and c["id"] == int(match[1])]
            if not target:
                self._reply(404, {"message": "Not Found"})
                return
            target[0]["body"] = body["body"]
            self._reply(200, target[0])

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class Server:
    def __init__(self, api: FakeGitHub) -> None:
        self.api = api
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
        api.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self.api

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
