"""The views of one zip archive that matter for models, and bounded readers for its members.

PyTorch reads zips through miniz (``caffe2/serialize/inline_container.cc``): it parses the central
directory, takes the archive prefix from the *first* central-directory entry, finds records by name with
a case-insensitive binary search (so duplicates and case variants are ambiguous), reads each member at the
central directory's offset using the local header only for the name and extra lengths, never compares
local and central names, and ignores CRC-32 (torch builds miniz with MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS).
Python's ``zipfile`` shifts offsets when data is prepended, refuses a local name that differs from the
central one, checks CRC-32 and supports bzip2/lzma members. A sequential walk of local headers finds data
that no central directory lists. Each view is parsed here; ``archives``/``pytorch`` scan what they expose
and report where they disagree. Written by hand because ``zipfile`` raises on exactly the
inconsistencies that must be reported, and hides the miniz view entirely.

The records themselves are parsed in ``zip_records``; the stream windows and the deflate reader live in
``streams`` and ``stream_codecs``. Their names are re-exported here.
"""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import BinaryIO, cast

from aibom.formats.containers.zip_records import (
    DESCRIPTOR,
    KNOWN_FLAGS,
    METHODS,
    UNSUPPORTED_FLAGS,
    BudgetSpent,
    InflationBudget,
    ZipEntry,
    ZipLayout,
    cd_location,
    find_eocd,
    read_central,
    walk_locals,
)
from aibom.formats.interface import FormatError, Opener
from aibom.formats.stream_codecs import Decompress, Inflate, check_bomb
from aibom.formats.streams import open_slice
from aibom.limits import Limits

__all__ = [
    "KNOWN_FLAGS",
    "METHODS",
    "UNSUPPORTED_FLAGS",
    "BudgetSpent",
    "InflationBudget",
    "Opener",
    "ZipEntry",
    "ZipLayout",
    "check_bomb",
    "crc_of",
    "local_reading",
    "member_opener",
    "open_slice",
    "python_view_errors",
    "read_layout",
    "readable",
    "sharing_budget",
]

_OUTER_BUDGET: ContextVar[InflationBudget | None] = ContextVar("aibom_zip_budget", default=None)
OVERLAPS_DESCRIBED = 20
"""Overlap problems described one by one; the rest are counted in one more message."""


@contextmanager
def sharing_budget(budget: InflationBudget) -> Iterator[None]:
    """Zips read (``read_layout``) inside the block draw on ``budget``: members of nested archives
    are part of the outer archive's work, not a fresh budget each."""
    token = _OUTER_BUDGET.set(budget)
    try:
        yield
    finally:
        _OUTER_BUDGET.reset(token)


def read_layout(fh: BinaryIO, limits: Limits) -> ZipLayout:
    """Parse the central directory (miniz's view), local headers, and where the views differ."""
    size = fh.seek(0, io.SEEK_END)
    layout = ZipLayout(size)
    eocd = find_eocd(fh, size)
    if eocd is not None:
        count, cd_size, cd_off, ends = cd_location(fh, eocd)
        if count > limits.max_members:
            raise FormatError(
                f"central directory lists {count} entries (limit {limits.max_members})"
            )
        layout.concat = max(0, ends - cd_size - cd_off)
        read_central(fh, layout, cd_off, cd_size, count)
    walk_locals(fh, layout, limits)
    if eocd is None and not layout.local_only:
        raise FormatError("no end-of-central-directory record and no local headers")
    if eocd is None:
        layout.problem("views", "no central directory: only a sequential reader sees the members")
    _compare(layout)
    _overlaps(layout)
    outer = _OUTER_BUDGET.get()
    layout.budget = outer or InflationBudget(limits.max_archive_inflated_bytes + 2 * size)
    for entry in (*layout.entries, *layout.local_only):
        entry.budget, entry.end = layout.budget, size
    return layout


def _overlaps(layout: ZipLayout) -> None:
    """Members whose data is shared (central entries pointing at one local entry) or overlaps (the
    data of one holds the header of another): no archiver writes either; zip bombs do."""
    spans = sorted(
        (
            (e.data_offset, -e.csize, i, e)
            for i, e in enumerate((*layout.entries, *layout.local_only))
            if e.data_offset is not None and e.csize > 0 and e.described
        ),  # a walked deflate member with no known length runs "to the end": not an overlap
        key=lambda span: span[:3],
    )
    shared: dict[str, list[str]] = {}
    overlapping = 0
    owner: ZipEntry | None = None
    for start, _, _, entry in spans:
        assert entry.data_offset is not None
        if owner is None or owner.data_offset is None:
            owner = entry
            continue
        same = (entry.method, entry.csize, entry.usize) == (owner.method, owner.csize, owner.usize)
        if start == owner.data_offset and same:
            shared.setdefault(owner.name, []).append(entry.name)
        elif start < owner.data_offset + owner.csize:
            overlapping += 1
            if overlapping <= OVERLAPS_DESCRIBED:
                layout.problem(
                    "overlap",
                    f"{entry.name!r}: its data (bytes {start}-{start + entry.csize}) overlaps the "
                    f"data of {owner.name!r} (bytes {owner.data_offset}-"
                    f"{owner.data_offset + owner.csize})",
                )
        if start + entry.csize > owner.data_offset + owner.csize:
            owner = entry
    if overlapping > OVERLAPS_DESCRIBED:
        rest = overlapping - OVERLAPS_DESCRIBED
        layout.problem("overlap", f"{rest} more members overlap the data of others")
    for first, names in shared.items():
        listed = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
        layout.problem(
            "shared",
            f"{len(names)} more central-directory entries point at the data of {first!r} "
            f"({listed}); it is analysed once, as {first!r}",
        )


def _compare(layout: ZipLayout) -> None:
    seen: dict[str, str] = {}
    for entry in layout.entries:
        folded = entry.name.lower()
        if folded in seen:
            what = "twice" if seen[folded] == entry.name else f"also as {seen[folded]!r}"
            layout.problem("views", f"{entry.name!r} is listed {what}: readers may pick either")
        seen.setdefault(folded, entry.name)
        _compare_entry(layout, entry)
    for entry in layout.local_only:
        layout.problem("views", f"{entry.name!r} has a local header but no central-directory entry")
    if layout.concat:
        layout.problem(
            "views",
            f"{layout.concat} bytes precede the archive: zipfile and miniz read other offsets",
        )


def _compare_entry(layout: ZipLayout, entry: ZipEntry) -> None:
    if entry.local_name is not None and entry.local_name != entry.raw_name:
        layout.problem(
            "views", f"central name {entry.name!r} but local header name {entry.local_name!r}"
        )
    if entry.local_method is not None and entry.local_method != entry.method:
        layout.problem(
            "views",
            f"{entry.name!r}: compression method differs between headers (central "
            f"{entry.method}, local {entry.local_method}): both readings are analysed",
        )
    if entry.local_flags is not None and entry.local_flags != entry.flags:
        layout.problem(
            "views",
            f"{entry.name!r}: general-purpose flags differ between headers (central "
            f"0x{entry.flags:04x}, local 0x{entry.local_flags:04x})",
        )
    for what, central, local in (
        ("CRC-32", entry.crc, entry.local_crc),
        ("compressed size", entry.csize, entry.local_csize),
        ("uncompressed size", entry.usize, entry.local_usize),
    ):
        deferred = bool((entry.local_flags or 0) & DESCRIPTOR) and local == 0
        if local is not None and local != central and not deferred:
            layout.problem(
                "views",
                f"{entry.name!r}: {what} differs between headers (central {central}, local {local})",
            )
    if entry.flags & UNSUPPORTED_FLAGS or entry.flags & ~KNOWN_FLAGS & 0xFFFF:
        layout.problem("flags", f"{entry.name!r}: general-purpose flags 0x{entry.flags:04x}")
    if entry.method not in (0, 8):
        layout.problem("flags", f"{entry.name!r}: compression method {entry.method}")
    if entry.method == 0 and entry.csize != entry.usize:
        layout.problem("views", f"{entry.name!r}: stored member with two different sizes")


def local_reading(entry: ZipEntry) -> ZipEntry | None:
    """The member as a streaming reader reads it (the local header's method and sizes) when that
    reads other bytes than the central directory's entry; None when the readings are the same."""
    if entry.data_offset is None or entry.local_method is None:
        return None
    deferred = bool((entry.local_flags or 0) & DESCRIPTOR)
    csize = entry.csize if deferred and not entry.local_csize else entry.local_csize
    usize = entry.usize if deferred and not entry.local_usize else entry.local_usize
    if csize is None or usize is None:
        return None
    if (entry.local_method, csize, usize) == (entry.method, entry.csize, entry.usize):
        return None
    flags = entry.local_flags if entry.local_flags is not None else entry.flags
    crc = entry.crc if deferred and not entry.local_crc else entry.local_crc
    return dataclasses.replace(
        entry,
        method=entry.local_method,
        csize=csize,
        usize=usize,
        flags=flags,
        crc=entry.crc if crc is None else crc,
    )


def member_opener(opener: Opener, entry: ZipEntry, limits: Limits, python: bool = False) -> Opener:
    """Open the member the way miniz reads it, or (``python``) where Python's zipfile finds it. What is
    read is bounded by the member's own sizes (and the archive's end), never the rest of the archive."""
    start = entry.py_data_offset if python else entry.data_offset
    assert start is not None
    budget = entry.budget
    span = entry.available(python)

    def open_member() -> BinaryIO:
        if budget is not None:
            budget.open()
        if entry.method == 0:
            stored = cast(io.RawIOBase, open_slice(opener, start, entry.content_size(python)))
            return cast(BinaryIO, stored if budget is None else _Charged(stored, budget))
        raw = open_slice(opener, start, span)
        inflate: io.RawIOBase
        if entry.method == 12:
            inflate = _Capped(Decompress(raw, "bz2", limits), entry.usize)
        elif entry.method == 14:
            inflate = _Capped(Decompress(_zip_lzma(raw, entry), "lzma", limits), entry.usize)
        else:
            inflate = Inflate(raw, entry.usize, limits)
        if budget is not None:
            inflate = _Charged(inflate, budget)
        return cast(BinaryIO, io.BufferedReader(inflate))

    return open_member


def _zip_lzma(raw: BinaryIO, entry: ZipEntry) -> BinaryIO:
    """A zip lzma member (version, properties size, properties, raw LZMA) as an ``.lzma`` stream: the
    properties, then the uncompressed size (unknown when bit 1 says an end marker closes the data)."""
    head = raw.read(4)
    if len(head) < 4:
        raise FormatError("lzma member is shorter than its header")
    (psize,) = struct.unpack("<H", head[2:4])
    props = raw.read(psize)
    if psize != 5 or len(props) != 5:
        raise FormatError(f"lzma member has {psize} bytes of properties, not 5")
    size = b"\xff" * 8 if entry.flags & 0x0002 else struct.pack("<Q", entry.usize)
    return cast(BinaryIO, _Prefixed(props + size, raw))


class _Prefixed(io.RawIOBase):
    """``prefix``, then what ``inner`` reads."""

    def __init__(self, prefix: bytes, inner: BinaryIO) -> None:
        super().__init__()
        self._prefix, self._inner = prefix, inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n], self._prefix = self._prefix[:n], self._prefix[n:]
            return n
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Capped(io.RawIOBase):
    """At most ``limit`` bytes of ``inner``: a member is as long as its declared size, no longer."""

    def __init__(self, inner: io.RawIOBase, limit: int) -> None:
        super().__init__()
        self._inner, self._left = inner, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        n = self._inner.readinto(buffer[: min(len(buffer), self._left)]) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Charged(io.RawIOBase):
    """A member's bytes, each read charged to the archive's inflation budget; seeks (stored members
    skip payloads that way) are passed through and cost nothing."""

    def __init__(self, inner: io.RawIOBase, budget: InflationBudget) -> None:
        super().__init__()
        self._inner, self._budget = inner, budget
        self.cheap_seek = bool(getattr(inner, "cheap_seek", False))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._inner.readinto(buffer) or 0
        self._budget.charge(n)
        return n

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        return self._inner.seek(pos, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        self._inner.close()
        super().close()


def readable(entry: ZipEntry) -> bool:
    """Whether some reader can load the member's bytes: a method whose data is read (stored and deflate
    as miniz reads them, bzip2 and lzma as zipfile does) and not encrypted, unless its data was found
    to read as plain (``ZipEntry.plain``: a loader that ignores the flag loads it so)."""
    return (
        entry.data_offset is not None
        and entry.method in METHODS
        and (entry.plain or not entry.flags & UNSUPPORTED_FLAGS)
    )


def crc_of(open_member: Opener, limit: int) -> int | None:
    """CRC-32 of the member's content, or None when it is longer than ``limit``."""
    crc, total = 0, 0
    with open_member() as fh:
        while chunk := fh.read(1 << 20):
            total += len(chunk)
            if total > limit:
                return None
            crc = zlib.crc32(chunk, crc)
    return crc


def python_view_errors(opener: Opener) -> dict[str, str]:
    """Members Python's zipfile refuses to open (name -> reason); {"": reason} if it refuses the file."""
    errors: dict[str, str] = {}
    try:
        with opener() as fh, zipfile.ZipFile(fh) as zf:
            for info in zf.infolist():
                try:
                    zf.open(info).close()
                except (
                    zipfile.BadZipFile,
                    NotImplementedError,
                    RuntimeError,
                    OSError,
                    ValueError,
                    EOFError,
                    struct.error,
                    OverflowError,
                ) as exc:
                    errors[info.filename] = str(exc)
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        struct.error,
        KeyError,
        IndexError,
        OverflowError,
    ) as exc:  # zipfile on hostile input
        errors[""] = f"{type(exc).__name__}: {exc}"
    return errors
