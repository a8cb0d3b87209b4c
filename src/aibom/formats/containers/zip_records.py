"""The records of a zip archive as they lie on disk: the end records (zip64 included), the central
directory, and the local headers found by a sequential walk, parsed into ``ZipEntry``/``ZipLayout``.

Every offset and count comes from the file, so every read is bounded: offsets no file can have read
nothing, counts stop at ``max_members``, and a record that does not fit is a problem of the layout, not
an exception. ``zipview`` compares the views these records give and opens members through them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from aibom.formats.interface import FormatError
from aibom.formats.streams import DecompressionBomb
from aibom.limits import Limits

_EOCD = b"PK\x05\x06"
_EOCD64_LOC = b"PK\x06\x07"
_CDH = b"PK\x01\x02"
_LFH = b"PK\x03\x04"
_DD = b"PK\x07\x08"
UNSUPPORTED_FLAGS = 0x0001 | 0x0020 | 0x0040
"""Encrypted, compressed patch data, strong encryption: miniz and zipfile both refuse these members, but
a loader may ignore the bits, so a member flagged so is still read as plain when its data allows it."""
KNOWN_FLAGS = UNSUPPORTED_FLAGS | 0x0002 | 0x0004 | 0x0008 | 0x0800
"""Flag bits a plain deflate/stored writer uses (compression options, data descriptor, UTF-8 names)."""
DESCRIPTOR = 0x0008
"""Sizes and CRC-32 follow the data (the local header may hold zeros): the central directory has them."""
METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "lzma"}
"""Compression methods whose data is read (bzip2 and lzma as Python's zipfile reads them)."""


class BudgetSpent(DecompressionBomb):
    """The archive's inflation budget is spent: what is left of it is not read."""


class InflationBudget:
    """Bytes read out of the members of one archive (inflated or stored), over every open of every
    member: the sniffing, the inspection and the CRC check each count. Zips nested in the archive
    draw on the same budget (``aibom.formats.containers.zip.scan_zip``)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.opens = 0
        """Members opened for reading (each open inflates from the start): a count for tests."""
        self._exhausted = False

    def spent(self) -> bool:
        return self._exhausted

    def open(self) -> None:
        self.opens += 1
        if self._exhausted:
            raise self._error()

    def charge(self, produced: int) -> None:
        self.used += produced
        if self.used > self.limit:
            self._exhausted = True
            raise self._error()

    def _error(self) -> BudgetSpent:
        return BudgetSpent(
            f"the archive's members need more than {self.limit} bytes read or inflated in total "
            "(max_archive_inflated_bytes); reading stopped"
        )


@dataclass
class ZipEntry:
    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    header_offset: int
    local_name: bytes | None = None
    local_flags: int | None = None
    local_method: int | None = None
    local_crc: int | None = None
    local_csize: int | None = None
    local_usize: int | None = None
    """The local header's CRC-32 and sizes (zip64 extra applied): what a streaming reader goes by."""
    data_offset: int | None = None
    """Where miniz (and PyTorch) reads the member's data; None when the local header is missing."""
    py_data_offset: int | None = None
    """Where Python's zipfile reads it (offsets shifted by the bytes that precede the archive)."""
    budget: InflationBudget | None = field(default=None, repr=False, compare=False)
    """The archive's inflation budget, which every read of the member draws on."""
    described: bool = True
    """False for a deflate member found by the walk whose data descriptor was not located: its CRC-32
    and compressed size are unknown (its data is taken to run to the archive's end, inflation stops at
    the stream's end), so there is no CRC to check and no span to compare with other members."""
    plain: bool = False
    """Flagged encrypted (or patch data) but read as plain anyway: its data decodes as its method."""
    end: int | None = None
    """The archive's size: no read of the member goes past it."""

    def available(self, python: bool = False) -> int:
        """The bytes the member's data spans: its compressed size, cut at the end of the archive."""
        start = self.py_data_offset if python else self.data_offset
        if start is None:
            return 0
        if self.end is None:
            return self.csize
        return max(0, min(self.csize, self.end - start))

    def content_size(self, python: bool = False) -> int:
        """The size of the member's content as its own sizes bound it (never the rest of the archive):
        a stored member is the bytes it spans (the smaller size; cut at the archive's end), any other
        its declared uncompressed size (inflation stops there)."""
        if self.method == 0:
            return min(self.available(python), self.usize)
        return self.usize


@dataclass
class ZipLayout:
    size: int
    entries: list[ZipEntry] = field(default_factory=list)
    """Central directory order (index 0 names PyTorch's archive prefix)."""
    concat: int = 0
    """Bytes before the archive: Python's zipfile shifts every offset by this, miniz does not."""
    local_only: list[ZipEntry] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(kind, message); kind is "views", "crc", "flags", "shared", "overlap" or "unread" (a member
    whose content could not be read at all: encrypted, an unknown method, no length)."""
    budget: InflationBudget = field(default_factory=lambda: InflationBudget(0), repr=False)

    def problem(self, kind: str, message: str) -> None:
        if len(self.problems) < 200:
            self.problems.append((kind, message))


def _decode(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8", "replace") if flags & 0x800 else raw.decode("cp437")


def _read(fh: BinaryIO, offset: int, n: int) -> bytes:
    """``n`` bytes at ``offset``; nothing for offsets no file has (zip64 fields are 64-bit)."""
    if not 0 <= offset < 1 << 62:
        return b""
    try:
        fh.seek(offset)
    except (OSError, OverflowError):
        return b""  # beyond what the filesystem allows: no file has data there
    return fh.read(n)


def find_eocd(fh: BinaryIO, size: int) -> int | None:
    start = max(0, size - 22 - 65535)
    tail = _read(fh, start, size - start)
    pos = tail.rfind(_EOCD)
    while pos >= 0 and len(tail) - pos < 22:
        pos = tail.rfind(_EOCD, 0, pos)
    return None if pos < 0 else start + pos


def cd_location(fh: BinaryIO, eocd: int) -> tuple[int, int, int, int]:
    """(entries, cd size, cd offset, where the zip64/plain end records start)."""
    rec = _read(fh, eocd, 22)
    count, cd_size, cd_off = struct.unpack("<10xHIIxx", rec)
    loc = _read(fh, eocd - 20, 20) if eocd >= 20 else b""
    if loc[:4] != _EOCD64_LOC:
        return count, cd_size, cd_off, eocd
    (z64_off,) = struct.unpack("<Q", loc[8:16])
    z64 = _read(fh, z64_off, 56)
    if z64[:4] != b"PK\x06\x06":
        raise FormatError("zip64 end record missing where its locator points", offset=eocd - 20)
    count, cd_size, cd_off = struct.unpack("<QQQ", z64[32:56])
    return count, cd_size, cd_off, z64_off


def read_central(fh: BinaryIO, layout: ZipLayout, cd_off: int, cd_size: int, count: int) -> None:
    data = _read(fh, cd_off, min(cd_size, layout.size))
    pos = 0
    for _ in range(count):
        if data[pos : pos + 4] != _CDH or pos + 46 > len(data):
            layout.problem("views", f"central directory ends after {len(layout.entries)} entries")
            return
        fields = struct.unpack("<4s6H3I5HII", data[pos : pos + 46])
        flags, method, crc, csize, usize, nlen, xlen, clen = (*fields[3:5], *fields[7:13])
        offset = fields[16]
        raw = data[pos + 46 : pos + 46 + nlen]
        extra = data[pos + 46 + nlen : pos + 46 + nlen + xlen]
        usize, csize, offset = _zip64(extra, usize, csize, offset)
        layout.entries.append(
            ZipEntry(_decode(raw, flags), raw, flags, method, crc, csize, usize, offset)
        )
        pos += 46 + nlen + xlen + clen
    for entry in layout.entries:
        _attach_local(fh, layout, entry)
        entry.py_data_offset = _data_offset(fh, entry.header_offset + layout.concat)


def _data_offset(fh: BinaryIO, header: int) -> int | None:
    head = _read(fh, header, 30)
    if head[:4] != _LFH or len(head) < 30:
        return None
    nlen, xlen = struct.unpack("<2H", head[26:30])
    return header + 30 + int(nlen) + int(xlen)


def _zip64(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[pos : pos + 4])
        body = extra[pos + 4 : pos + 4 + length]
        if tag == 1:
            values = [usize, csize, offset]
            at = 0
            for i, value in enumerate(values):
                if value == 0xFFFFFFFF and at + 8 <= len(body):
                    values[i] = struct.unpack("<Q", body[at : at + 8])[0]
                    at += 8
            return values[0], values[1], values[2]
        pos += 4 + length
    return usize, csize, offset


def _attach_local(fh: BinaryIO, layout: ZipLayout, entry: ZipEntry) -> None:
    head = _read(fh, entry.header_offset, 30)
    if head[:4] != _LFH or len(head) < 30:
        layout.problem("views", f"{entry.name!r}: no local header at offset {entry.header_offset}")
        return
    _, _, lflags, lmethod, _, _, lcrc, lcsize, lusize, nlen, xlen = struct.unpack("<4s5H3I2H", head)
    entry.local_name = _read(fh, entry.header_offset + 30, nlen)
    entry.local_flags, entry.local_method = lflags, lmethod
    lextra = _read(fh, entry.header_offset + 30 + nlen, xlen)
    lusize, lcsize, _ = _zip64(lextra, lusize, lcsize, 0)
    entry.local_crc, entry.local_csize, entry.local_usize = lcrc, lcsize, lusize
    entry.data_offset = entry.header_offset + 30 + nlen + xlen
    if entry.data_offset + entry.csize > layout.size:
        layout.problem("views", f"{entry.name!r}: data runs past the end of the file")


def walk_locals(fh: BinaryIO, layout: ZipLayout, limits: Limits) -> None:
    known = {e.header_offset: e for e in layout.entries}
    pos, seen = 0, 0
    while seen < limits.max_members:
        head = _read(fh, pos, 30)
        if head[:4] != _LFH or len(head) < 30:
            return
        seen += 1
        _, _, flags, method, _, _, crc, csize, usize, nlen, xlen = struct.unpack("<4s5H3I2H", head)
        data_at = pos + 30 + nlen + xlen
        entry = known.get(pos)
        if entry is None:
            raw = _read(fh, pos + 30, nlen)
            entry = ZipEntry(_decode(raw, flags), raw, flags, method, crc, csize, usize, pos)
            entry.local_name, entry.local_flags, entry.local_method = raw, flags, method
            entry.local_crc, entry.local_csize, entry.local_usize = crc, csize, usize
            entry.data_offset = data_at
            layout.local_only.append(entry)
            if (
                flags & DESCRIPTOR
                and csize == 0
                and not _descriptor_sizes(fh, layout, entry, limits)
            ):
                return  # the walk cannot tell where the next header is: it stops here
        if flags & DESCRIPTOR and entry.csize == 0:
            return  # length only in a trailing descriptor: a sequential reader cannot go on safely
        pos = (
            data_at + entry.csize + (_descriptor(fh, data_at + entry.csize) if flags & 0x08 else 0)
        )


def _descriptor_sizes(fh: BinaryIO, layout: ZipLayout, entry: ZipEntry, limits: Limits) -> bool:
    """Sizes for a member no central directory lists whose local header defers them to a trailing
    data descriptor, found the way a streaming reader finds them: a deflate stream ends by itself (its
    data is taken to run to the end of the archive, inflation stops at the stream's end), a stored one
    at the first descriptor whose compressed size is the distance to it (searched in a bounded window).
    True when the member's end is known (the walk can go on after its descriptor)."""
    assert entry.data_offset is not None
    rest = max(0, layout.size - entry.data_offset)
    if entry.method != 0:
        entry.csize = rest
        entry.usize = min(limits.max_decompressed, max(rest, 1) * limits.max_compression_ratio)
        entry.described = False
        return False
    window, at, tail = min(rest, limits.max_member_bytes_in_memory), 0, b""
    while at < window:
        chunk = tail + _read(fh, entry.data_offset + at, min(1 << 20, window - at))
        base = entry.data_offset + at - len(tail)
        if len(chunk) == len(tail):
            break
        pos = chunk.find(_DD)
        while pos >= 0 and pos + 16 <= len(chunk):
            crc, csize, usize = struct.unpack("<3I", chunk[pos + 4 : pos + 16])
            if base + pos - entry.data_offset == csize == usize:
                entry.crc, entry.csize, entry.usize = crc, csize, usize
                return True
            pos = chunk.find(_DD, pos + 1)
        at += len(chunk) - len(tail)
        tail = chunk[-15:]
    layout.problem(
        "unread",
        f"{entry.name!r}: stored member with its length only in a data descriptor that was not found",
    )
    return False


def _descriptor(fh: BinaryIO, at: int) -> int:
    return 16 if _read(fh, at, 4) == _DD else 12
