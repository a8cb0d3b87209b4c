"""Locate a zip's central directory from the last bytes of the file (end-of-central-directory record,
and the zip64 records when present), so a remote zip can be read by HTTP range requests.

Hand-written because ``zipfile`` only reads the records from a whole file object; its ``_EndRecData`` is
private. The arithmetic follows ``zipfile`` (APPNOTE 4.3.14-4.3.16): the directory ends where the end
record (or the zip64 end record) begins, which also accounts for data prepended to the archive.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

EOCD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
EOCD_SIG = b"PK\x05\x06"
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD_SIG = b"PK\x06\x06"
MAX_COMMENT = 0xFFFF
"""Longest zip archive comment (a 16-bit length in the zip specification; not a ``Limits`` policy)."""
TAIL_BYTES = EOCD.size + MAX_COMMENT + ZIP64_LOCATOR.size + ZIP64_EOCD.size
"""Bytes from the end that always hold the end record, its comment and the zip64 records that precede
it (when the zip64 end record has no extensible data, as every writer in practice produces)."""


class ZipTailError(ValueError):
    """The tail does not hold a usable end-of-central-directory record."""


@dataclass(frozen=True)
class CentralDirectory:
    start: int
    """Absolute offset of the first central directory entry."""
    size: int
    entries: int


def _find_eocd(tail: bytes) -> int:
    pos = len(tail)
    while True:
        pos = tail.rfind(EOCD_SIG, 0, pos)
        if pos < 0:
            raise ZipTailError("no end-of-central-directory record in the last bytes")
        if pos + EOCD.size <= len(tail):
            comment = struct.unpack_from("<H", tail, pos + 20)[0]
            if pos + EOCD.size + comment <= len(tail):
                return pos


def central_directory(tail: bytes, tail_start: int) -> CentralDirectory:
    """Where the central directory is, from ``tail`` (the bytes from ``tail_start`` to the end)."""
    pos = _find_eocd(tail)
    _sig, disk, cd_disk, _n_disk, entries, cd_size, _cd_offset, _comment = EOCD.unpack_from(
        tail, pos
    )
    if disk != 0 or cd_disk != 0:
        raise ZipTailError("multi-disk zip archives are not supported")
    location = tail_start + pos
    zip64 = (
        pos >= ZIP64_LOCATOR.size and tail[pos - ZIP64_LOCATOR.size : pos - 16] == ZIP64_LOCATOR_SIG
    )
    if zip64:
        location, entries, cd_size = _zip64(tail, tail_start, pos)
    start = location - cd_size
    if start < 0:
        raise ZipTailError(
            f"central directory of {cd_size} bytes does not fit before its end record"
        )
    return CentralDirectory(start, cd_size, entries)


def _zip64(tail: bytes, tail_start: int, pos: int) -> tuple[int, int, int]:
    _sig, _disk, record_at, _disks = ZIP64_LOCATOR.unpack_from(tail, pos - ZIP64_LOCATOR.size)
    rel = record_at - tail_start
    if rel < 0 or rel + ZIP64_EOCD.size > pos - ZIP64_LOCATOR.size:
        raise ZipTailError("zip64 end record is not where its locator points, within the tail")
    fields = ZIP64_EOCD.unpack_from(tail, rel)
    if fields[0] != ZIP64_EOCD_SIG:
        raise ZipTailError("zip64 end record signature missing")
    entries, cd_size = fields[7], fields[8]
    return record_at, entries, cd_size
