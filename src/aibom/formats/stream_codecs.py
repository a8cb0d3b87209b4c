"""Streaming decompression bounded in bytes and ratio: raw deflate for zip members, and gzip, bz2,
xz/lzma, zstd and lz4 (the last two when their optional package is installed) for compressed files.

A bomb is a ``DecompressionBomb`` (a limit, so a finding), never memory exhaustion: every read checks
the output so far against ``max_decompressed`` and, past ``max_ratio_free_bytes``, against the compression ratio.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from aibom.formats.interface import FormatError, Opener
from aibom.formats.streams import DecompressionBomb
from aibom.limits import Limits


def check_bomb(produced: int, consumed: int, limits: Limits) -> None:
    if produced > limits.max_decompressed:
        raise DecompressionBomb(
            f"decompressed size exceeds {limits.max_decompressed} bytes", limit="max_decompressed"
        )
    if produced > limits.max_ratio_free_bytes and produced > limits.max_compression_ratio * max(
        consumed, 1
    ):
        raise DecompressionBomb(
            f"expands more than {limits.max_compression_ratio}x ({produced} bytes from {consumed})",
            limit="max_compression_ratio",
        )


class Inflate(io.RawIOBase):
    """Raw-deflate decompression with a ceiling on output (declared size, bytes and ratio)."""

    def __init__(self, base: BinaryIO, max_out: int, limits: Limits, wbits: int = -15) -> None:
        super().__init__()
        self._base, self._max_out, self._limits = base, max_out, limits
        self._z = zlib.decompressobj(wbits)
        self._out = self._in = 0
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._max_out - self._out)
        while len(self._pending) < want and not self._z.eof:
            chunk = self._z.unconsumed_tail or self._base.read(1 << 16)
            self._in += 0 if self._z.unconsumed_tail else len(chunk)
            try:
                more = self._z.decompress(chunk, max(want - len(self._pending), 1 << 16))
            except zlib.error as exc:
                raise FormatError(f"deflate data is corrupt: {exc}") from None
            self._pending += more
            if not chunk and not more:
                break  # input spent and nothing pending (zlib may hold output past max_length: the
                # last call, with no input, drains it; stopping earlier lost the content's last bytes)
        data, self._pending = self._pending[:want], self._pending[want:]
        self._out += len(data)
        check_bomb(self._out, self._in, self._limits)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._base.close()
        super().close()


# ---------------------------------------------------------------- compressed files


def _zstd() -> Callable[[], Any] | None:
    for name in ("compression.zstd", "backports.zstd"):
        try:
            module = __import__(name, fromlist=["ZstdDecompressor"])
        except ImportError:
            continue
        return cast(Callable[[], Any], module.ZstdDecompressor)
    return None


def _codec_errors() -> tuple[type[Exception], ...]:
    """What a decompressor raises on corrupt input (zstd has its own ``ZstdError``)."""
    errors: list[type[Exception]] = [zlib.error, OSError, EOFError, lzma.LZMAError]
    errors += [ValueError, RuntimeError]
    for name in ("compression.zstd", "backports.zstd"):
        try:
            module = __import__(name, fromlist=["ZstdError"])
        except ImportError:
            continue
        errors.append(cast(type[Exception], module.ZstdError))
        break
    return tuple(errors)


_CODEC_ERRORS = _codec_errors()


def _lz4() -> Callable[[], Any] | None:
    try:
        import lz4.frame  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    return cast(Callable[[], Any], lz4.frame.LZ4FrameDecompressor)


DECOMPRESSORS: dict[str, Callable[[], Any]] = {
    "zlib": lambda: zlib.decompressobj(15),
    "gzip": lambda: zlib.decompressobj(31),
    "bz2": bz2.BZ2Decompressor,
    "xz": lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ),
    "lzma": lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE),
    **({"zstd": z} if (z := _zstd()) else {}),
    **({"lz4": z} if (z := _lz4()) else {}),
}
"""Available decompressors by name; zstd and lz4 only when their package is installed."""
_MULTI_STREAM = frozenset({"gzip", "bz2", "xz", "zstd", "lz4"})
OPTIONAL = {"zstd": "backports.zstd (Python < 3.14)", "lz4": "lz4"}
"""Decompressors that need an optional package -> what to install."""


class Decompress(io.RawIOBase):
    """Streaming decompression with the bomb checks of ``check_bomb``."""

    def __init__(self, base: BinaryIO, method: str, limits: Limits) -> None:
        super().__init__()
        self._base, self._method, self._limits = base, method, limits
        self._d = DECOMPRESSORS[method]()
        self._pending, self._in, self._out, self._done = b"", 0, 0, False

    def readable(self) -> bool:
        return True

    def _input(self) -> bytes:
        tail = getattr(self._d, "unconsumed_tail", b"")
        if tail:
            return cast(bytes, tail)
        if getattr(self._d, "needs_input", True) is False:
            return b""
        chunk = self._base.read(1 << 16)
        self._in += len(chunk)
        return chunk

    def _next_stream(self) -> bool:
        """Concatenated streams (multi-member gzip, several xz/bz2/zstd frames) continue the content."""
        if self._method not in _MULTI_STREAM:
            return False
        more = cast(bytes, getattr(self._d, "unused_data", b""))
        if not more:
            more = self._base.read(1 << 16)
            self._in += len(more)
        if not more.strip(b"\x00"):
            return False
        self._d = DECOMPRESSORS[self._method]()
        self._pending += self._feed(more)
        return True

    def _feed(self, data: bytes) -> bytes:
        try:
            return cast(bytes, self._d.decompress(data, 1 << 20))
        except _CODEC_ERRORS as exc:
            raise FormatError(f"{self._method} data is corrupt: {exc}") from None

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer) and not self._done:
            if getattr(self._d, "eof", False):
                self._done = not self._next_stream()
                continue
            data = self._input()
            if not data and getattr(self._d, "needs_input", True) is not False:
                self._done = True
                break
            self._pending += self._feed(data)
        out, self._pending = self._pending[: len(buffer)], self._pending[len(buffer) :]
        self._out += len(out)
        check_bomb(self._out, self._in, self._limits)
        buffer[: len(out)] = out
        return len(out)

    def close(self) -> None:
        self._base.close()
        super().close()


def decompressing_opener(opener: Opener, method: str, limits: Limits) -> Opener:
    return lambda: cast(BinaryIO, io.BufferedReader(Decompress(opener(), method, limits)))
