"""Online advisories from the OSV API with ``requests``: ``POST /v1/querybatch`` for the ids that
affect each package version (following ``next_page_token``), then ``GET /v1/vulns/{id}`` for each
record. The base URL is ``AIBOM_OSV_URL`` when set (tests point it at a local server).

Every response is bounded in size and time, compressed bodies are refused, and 408/429/5xx answers and
network errors are retried with capped exponential backoff that honours ``Retry-After``.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from aibom._version import __version__
from aibom.errors import AibomError, UsageError
from aibom.limits import DEFAULT_LIMITS
from aibom.vulns.match import ECOSYSTEM, PackageKey
from aibom.vulns.osv import OsvFormatError, OsvRecord, parse_record

DEFAULT_URL = "https://api.osv.dev"
URL_ENV = "AIBOM_OSV_URL"
BATCH = 1_000
"""Queries per querybatch request (the API's own maximum)."""
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class OnlineError(AibomError):
    """The OSV API could not be used."""


def _retry_after(value: str | None) -> float | None:
    if not value or not value.strip():
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class OnlineDatabase:
    """A ``VulnSource`` over the OSV API."""

    prefiltered = True

    def __init__(
        self,
        url: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests

        self.url = (url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise UsageError(f"OSV API URL {self.url!r} is not an http(s) URL")
        self.label = f"OSV API {self.url}"
        self.timeout, self.retries, self.backoff, self.max_wait = (
            timeout,
            retries,
            backoff,
            max_wait,
        )
        self._sleep = sleep
        self._session = requests.Session()
        self._session.max_redirects = 5
        self._session.headers.update(
            {"User-Agent": f"aibom/{__version__}", "Accept-Encoding": "identity"}
        )

    def _once(self, method: str, url: str, body: object | None) -> tuple[int, Any, str | None]:
        deadline = time.monotonic() + 4 * self.timeout
        with self._session.request(
            method, url, json=body, timeout=self.timeout, stream=True
        ) as response:
            encoding = response.headers.get("Content-Encoding", "identity").lower()
            if encoding not in ("", "identity"):
                raise OnlineError(f"{url}: compressed answer ({encoding}) refused")
            data = bytearray()
            for chunk in response.raw.stream(64 * 1024, decode_content=False):
                data += chunk
                if len(data) > DEFAULT_LIMITS.max_osv_response_bytes or time.monotonic() > deadline:
                    raise OnlineError(f"{url}: answer too large or too slow; stopped")
            return response.status_code, data, response.headers.get("Retry-After")

    def _request(self, method: str, url: str, body: object | None = None) -> Any:
        import requests

        wait = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                status, data, after = self._once(method, url, body)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise OnlineError(f"cannot reach the OSV API at {self.url}: {exc}") from exc
                self._sleep(min(self.max_wait, wait))
            else:
                if status not in RETRY_STATUS or last:
                    return self._decode(url, status, data)
                asked = _retry_after(after)
                self._sleep(min(self.max_wait, asked if asked is not None else wait))
            wait *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _decode(self, url: str, status: int, data: bytes) -> Any:
        if status == 404:
            return None
        if status != 200:
            raise OnlineError(f"the OSV API answered HTTP {status} for {url}")
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise OnlineError(f"the OSV API sent malformed JSON for {url}") from exc

    def _ids(self, packages: Sequence[PackageKey]) -> dict[PackageKey, list[str]]:
        found: dict[PackageKey, list[str]] = {key: [] for key in packages}
        pending: list[tuple[PackageKey, str | None, int]] = [(k, None, 0) for k in packages]
        while pending:
            batch, pending = pending[:BATCH], pending[BATCH:]
            queries = [_query(key, token) for key, token, _ in batch]
            answer = self._request("POST", f"{self.url}/v1/querybatch", {"queries": queries})
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(batch):
                raise OnlineError("the OSV API's querybatch answer does not match the queries")
            for (key, _token, page), result in zip(batch, results, strict=True):
                ids, token = _result_ids(result)
                found[key] += ids
                if token and page + 1 < DEFAULT_LIMITS.max_osv_pages:
                    pending.append((key, token, page + 1))
        return found

    def _record(self, advisory_id: str) -> OsvRecord | None:
        data = self._request("GET", f"{self.url}/v1/vulns/{quote(advisory_id, safe='')}")
        if data is None:
            return None
        try:
            return parse_record(data)
        except OsvFormatError as exc:
            raise OnlineError(f"the OSV API sent an unusable record {advisory_id}: {exc}") from exc

    def query(self, packages: Sequence[PackageKey]) -> dict[PackageKey, list[OsvRecord]]:
        ids = self._ids(packages)
        unique = sorted({i for found in ids.values() for i in found})
        if len(unique) > DEFAULT_LIMITS.max_osv_records:
            raise OnlineError(
                f"the OSV API named {len(unique)} advisories; at most {DEFAULT_LIMITS.max_osv_records}"
            )
        records = {i: self._record(i) for i in unique}
        return {
            key: [r for i in dict.fromkeys(found) if (r := records.get(i)) is not None]
            for key, found in ids.items()
        }

    def close(self) -> None:
        self._session.close()


def _query(key: PackageKey, token: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {"package": {"name": key[0], "ecosystem": ECOSYSTEM}, "version": key[1]}
    if token:
        query["page_token"] = token
    return query


def _result_ids(result: object) -> tuple[list[str], str | None]:
    if not isinstance(result, dict):
        return [], None
    vulns = result.get("vulns")
    ids = (
        [v["id"] for v in vulns if isinstance(v, dict) and isinstance(v.get("id"), str)]
        if isinstance(vulns, list)
        else []
    )
    token = result.get("next_page_token")
    return [i for i in ids if 0 < len(i) <= 128], token if isinstance(
        token, str
    ) and token else None


def online_source(url: str | None = None, **kwargs: Any) -> OnlineDatabase:
    """The OSV API at ``url`` (default: ``AIBOM_OSV_URL``, then https://api.osv.dev)."""
    return OnlineDatabase(url, **kwargs)
