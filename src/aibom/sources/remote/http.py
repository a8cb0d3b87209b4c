"""The HTTP layer under huggingface_hub: bounded bodies, enforced timeouts, retries, clear errors.

huggingface_hub 2.x sends every request through one shared ``httpx2.Client`` created by a factory. Its
default client has no timeout and reads bodies of any size, and ``HfApi`` methods call ``response.json()``
on whatever arrives. aibom installs its own factory once per process (``install()``): the client sends
``Accept-Encoding: identity`` and refuses compressed bodies (no decompression bombs), and, while a
``bounded(...)`` block is active, applies that block's timeout to every request, follows at most the
block's number of redirects, and stops any body past its byte limit or past its overall deadline (a server
dripping one byte at a time never holds the scan). Outside ``bounded`` blocks the client behaves like
huggingface_hub's default (httpx's own redirect cap, 20, is then the only one).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

import httpx2

from aibom.errors import AibomError

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})

T = TypeVar("T")


class RemoteError(AibomError):
    """The Hub (or the network to it) could not give what the scan needs. Exit code 2."""


class AccessError(RemoteError):
    """The repository is missing, gated, private or refused to this token: no file of it can be read,
    so a failed file download stops the whole remote scan instead of being noted per file."""


class ResponseTooLarge(Exception):
    """A response body went past the byte limit of the active ``bounded`` block."""


class DeadlineExceeded(Exception):
    """A response did not finish before the overall deadline of the active ``bounded`` block."""


@dataclass(frozen=True)
class Bounds:
    timeout: float
    """Seconds allowed for connecting and between two reads."""
    limit: int
    """Bytes one response body may have."""
    deadline: float
    """``time.monotonic()`` value after which reading stops."""
    max_redirects: int
    """Redirects followed within the block (one Hub call: an API request or one download)."""
    redirects: list[int] = field(default_factory=lambda: [0])
    """Redirects followed so far (one counter, mutable inside the frozen bounds)."""


_BOUNDS: ContextVar[Bounds | None] = ContextVar("aibom_http_bounds", default=None)


@contextlib.contextmanager
def bounded(
    timeout: float, limit: int, total: float | None = None, *, redirects: int
) -> Iterator[None]:
    """Within the block, every Hub request times out after ``timeout`` s of silence, every body stops at
    ``limit`` bytes, every response must be complete within ``total`` s (default 4 x timeout), and at
    most ``redirects`` redirects are followed."""
    seconds = total if total is not None else 4 * timeout
    token = _BOUNDS.set(Bounds(timeout, limit, time.monotonic() + seconds, redirects))
    try:
        yield
    finally:
        _BOUNDS.reset(token)


class _BoundedStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, bounds: Bounds) -> None:
        self._inner = inner
        self._bounds = bounds

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self._inner:
            total += len(chunk)
            if total > self._bounds.limit:
                raise ResponseTooLarge(f"response body larger than {self._bounds.limit} bytes")
            if time.monotonic() > self._bounds.deadline:
                raise DeadlineExceeded("response did not complete in time")
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _on_request(request: httpx2.Request) -> None:
    request.headers["Accept-Encoding"] = "identity"
    bounds = _BOUNDS.get()
    if bounds is not None:
        timeout = httpx2.Timeout(bounds.timeout).as_dict()
        request.extensions = {**request.extensions, "timeout": timeout}


def _on_response(response: httpx2.Response) -> None:
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise httpx2.DecodingError(
            f"server sent Content-Encoding {encoding!r} after identity was asked"
        )
    bounds = _BOUNDS.get()
    if bounds is None:
        return
    if response.has_redirect_location:
        bounds.redirects[0] += 1
        if bounds.redirects[0] > bounds.max_redirects:
            message = f"more than {bounds.max_redirects} redirects"
            raise httpx2.TooManyRedirects(message, request=response.request)
    declared = response.headers.get("Content-Length", "")
    ranged = "Range" in response.request.headers  # the caller checks the status before reading
    if declared.isdigit() and int(declared) > bounds.limit and not ranged:
        raise ResponseTooLarge(f"response declares {declared} bytes, more than {bounds.limit}")
    assert isinstance(response.stream, httpx2.SyncByteStream)
    response.stream = _BoundedStream(response.stream, bounds)


def _client() -> httpx2.Client:
    return httpx2.Client(
        event_hooks={"request": [_on_request], "response": [_on_response]},
        follow_redirects=True,  # at most ``Bounds.max_redirects`` inside a ``bounded`` block
        timeout=None,
    )


@functools.cache
def install() -> None:
    """Make huggingface_hub use aibom's bounded client (once per process)."""
    from huggingface_hub import set_client_factory

    set_client_factory(_client)


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff: float = 1.0
    """First wait in seconds; doubles after each failed attempt."""
    max_wait: float = 60.0
    """Longest single wait, whatever ``Retry-After`` asks for."""


def retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds from a ``Retry-After`` header (delay-seconds or HTTP-date), None when absent or invalid."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _retryable(exc: Exception) -> tuple[bool, float | None]:
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, HfHubHTTPError):
        return exc.response.status_code in RETRY_STATUS, retry_after(exc.response.headers)
    if isinstance(exc, httpx2.TimeoutException | httpx2.NetworkError | httpx2.RemoteProtocolError):
        return True, None
    return isinstance(exc, DeadlineExceeded), None


def with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep
) -> T:
    """``call()``, retried on timeouts, network errors, 408/429/5xx, with capped exponential backoff that
    honours ``Retry-After``. The last error is raised as it is (see ``explain``)."""
    wait = policy.backoff
    for attempt in range(policy.retries + 1):
        try:
            return call()
        except Exception as exc:
            again, asked = _retryable(exc)
            if not again or attempt == policy.retries:
                raise
            sleep(min(policy.max_wait, asked if asked is not None else wait))
            wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover
