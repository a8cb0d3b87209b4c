"""Bounded byte sources shared by the pickle-family inspectors: a forward-only reader for opcode walks,
windows onto part of a stream, and seekable views of content that arrives as a stream.

Nothing here decodes a format; ``stream_codecs`` decompresses, ``pickle_vm`` and ``zipview`` parse.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from aibom.formats.interface import InspectContext, LimitExceeded, Opener

_CHUNK = 64 * 1024


class DecompressionBomb(LimitExceeded):
    """Decompressing the content produced more than the size or ratio limit allows."""


def cheap_seek(fh: BinaryIO) -> bool:
    """Whether seeking ``fh`` is cheap: files, memory, slices of those (not decompressing streams)."""
    kind_ok = isinstance(fh, io.BufferedReader | io.BytesIO | io.FileIO)
    try:
        return (kind_ok or bool(getattr(fh, "cheap_seek", False))) and fh.seekable()
    except (OSError, ValueError):
        return False


def _cheap_size(fh: BinaryIO) -> int | None:
    """The stream's size when it can seek cheaply; None otherwise."""
    if not cheap_seek(fh):
        return None
    here = fh.tell()
    size = fh.seek(0, io.SEEK_END)
    fh.seek(here)
    return size


class ByteSource:
    """Forward-only reader: small reads go through a buffer, large payloads are skipped by seeking (or read
    and discarded when the stream cannot seek). ``bytes_read`` counts what was actually read."""

    def __init__(self, fh: BinaryIO, start: int = 0) -> None:
        self._fh = fh
        self._buf = b""
        self._i = 0
        self._base = start
        self.bytes_read = 0
        self._size = _cheap_size(fh)

    @property
    def pos(self) -> int:
        return self._base + self._i

    def _fill(self, need: int) -> None:
        rest = self._buf[self._i :]
        more = self._fh.read(max(_CHUNK, need - len(rest)))
        self.bytes_read += len(more)
        self._base += self._i
        self._buf, self._i = rest + more, 0

    def read(self, n: int) -> bytes:
        if self._i + n > len(self._buf):
            self._fill(n)
        data = self._buf[self._i : self._i + n]
        self._i += len(data)
        return data

    def peek(self, n: int) -> bytes:
        if self._i + n > len(self._buf):
            self._fill(n)
        return self._buf[self._i : self._i + n]

    def readline(self, limit: int) -> bytes | None:
        """One line including its newline, or None when there is none within ``limit`` bytes."""
        while True:
            end = self._buf.find(b"\n", self._i)
            if end >= 0:
                return self.read(end + 1 - self._i) if end - self._i <= limit else None
            if len(self._buf) - self._i > limit:
                return None
            before = len(self._buf) - self._i
            self._fill(before + _CHUNK)
            if len(self._buf) - self._i == before:
                return None

    def skip(self, n: int) -> int:
        """Advance ``n`` bytes; returns how many were there (fewer at the end of the stream)."""
        inbuf = min(n, len(self._buf) - self._i)
        self._i += inbuf
        rest = n - inbuf
        if rest == 0:
            return n
        self._base += len(self._buf)
        self._buf, self._i = b"", 0
        return inbuf + self._skip_stream(rest)

    def _skip_stream(self, rest: int) -> int:
        if self._size is not None:
            moved = max(0, min(rest, self._size - self._base))
            self._fh.seek(self._base + moved)
            self._base += moved
            return moved
        moved = 0
        while moved < rest:
            got = len(self._fh.read(min(1 << 20, rest - moved)))
            if got == 0:
                break
            moved += got
        self._base += moved
        return moved

    def at_eof(self) -> bool:
        return not self.peek(1)


# ---------------------------------------------------------------- windows and spools


class _Raw(io.RawIOBase):
    """A read-only window ``[offset, offset + length)`` of another stream."""

    def __init__(self, base: BinaryIO, offset: int, length: int, seekable: bool) -> None:
        super().__init__()
        self._base, self._start, self._len, self._pos = base, offset, length, 0
        self._can_seek = seekable
        self.cheap_seek = seekable

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._can_seek

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._len - self._pos)
        if want <= 0:
            return 0
        if self._can_seek:
            self._base.seek(self._start + self._pos)
        data = self._base.read(want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if not self._can_seek:
            raise io.UnsupportedOperation("seek")
        target = {io.SEEK_SET: pos, io.SEEK_CUR: self._pos + pos, io.SEEK_END: self._len + pos}[
            whence
        ]
        self._pos = max(0, min(target, self._len))
        self._base.seek(self._start + self._pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._base.close()
        super().close()


def open_slice(opener: Opener, offset: int, length: int) -> BinaryIO:
    """``length`` bytes at ``offset`` of what ``opener`` opens; seeks when it can, else reads forward."""
    base = opener()
    seekable = cheap_seek(base)
    if seekable:
        base.seek(offset)
    else:
        left = offset
        while left > 0:
            got = len(base.read(min(left, 1 << 20)))
            if got == 0:
                break
            left -= got
    return cast(BinaryIO, _Raw(base, offset, length, seekable))


class SpoolReader(io.RawIOBase):
    """A reader over a spooled file that leaves the spool open when closed."""

    cheap_seek = True

    def __init__(self, spool: BinaryIO, size: int) -> None:
        super().__init__()
        self._spool, self._size, self._pos = spool, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._spool.seek(self._pos)
        data = self._spool.read(min(len(buffer), self._size - self._pos))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos


@contextmanager
def random_access(ctx: InspectContext) -> Iterator[Opener]:
    """An opener of seekable views of the content; spools it first when it is a stream."""
    probe = ctx.open()
    if cheap_seek(probe):
        probe.close()
        yield ctx.open
        return
    with probe, tempfile.SpooledTemporaryFile(ctx.limits.max_member_bytes_in_memory) as spool:
        size = 0
        while chunk := probe.read(1 << 20):
            size += len(chunk)
            if size > ctx.limits.max_decompressed:
                raise DecompressionBomb(
                    f"content exceeds {ctx.limits.max_decompressed} bytes", limit="max_decompressed"
                )
            spool.write(chunk)
        shared = cast(BinaryIO, spool)
        yield lambda: cast(BinaryIO, SpoolReader(shared, size))
