"""Compressed streams and archives: gzip, bz2, xz/lzma, zstd, lz4, zip, tar and 7z (optional py7zr).

Every member is handed back by content (``inspect_nested``), so a pickle in a tar in a gzip is walked
like any other. Decompression is bounded in bytes and ratio (a bomb is a finding, not exhaustion); content
that needs random access (tar, zip, 7z inside a compressed stream) is spooled to memory up to
``max_member_bytes_in_memory``, then to a temporary file in the system temp dir, never next to the scan.

This module holds the single-stream inspector and the registry; zip, tar and 7z live in ``archive_zip``,
``archive_tar`` and ``archive_7z``, the decompressors in ``stream_codecs``. Their names are re-exported.
"""

from __future__ import annotations

import posixpath
from typing import ClassVar

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks.unsafe import ARCHIVE_UNOPENABLE, UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.containers.sevenzip import SevenZipInspector
from aibom.formats.containers.support import escapes, guarded
from aibom.formats.containers.tar import TarInspector
from aibom.formats.containers.zip import (
    ZipInspector,
    check_crc,
    scan_zip,
    zip_contents,
    zip_findings,
)
from aibom.formats.interface import InspectContext, Inspection
from aibom.formats.pickle.scan import inspect_nested
from aibom.formats.stream_codecs import DECOMPRESSORS, OPTIONAL, decompressing_opener
from aibom.formats.streams import random_access

__all__ = [
    "DECOMPRESSORS",
    "SevenZipInspector",
    "StreamInspector",
    "TarInspector",
    "ZipInspector",
    "check_crc",
    "decompressing_opener",
    "escapes",
    "random_access",
    "scan_zip",
    "zip_contents",
    "zip_findings",
]


class StreamInspector:
    """gzip, bz2, xz, zstd: one compressed stream whose content is inspected by what it is."""

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.GZIP,
            Kind.ARCHIVE,
            (".gz", ".tgz"),
            magic=(Magic(b"\x1f\x8b"),),
            probe_remote=False,
        ),
        FormatSpec(Format.BZIP2, Kind.ARCHIVE, (".bz2",), magic=(Magic(b"BZh"),)),
        FormatSpec(Format.XZ, Kind.ARCHIVE, (".xz",), magic=(Magic(b"\xfd7zXZ\x00"),)),
        FormatSpec(Format.ZSTD, Kind.ARCHIVE, (".zst",), magic=(Magic(b"\x28\xb5\x2f\xfd"),)),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS
    _METHOD: ClassVar[dict[Format, str]] = {
        Format.GZIP: "gzip",
        Format.BZIP2: "bz2",
        Format.XZ: "xz",
        Format.ZSTD: "zstd",
    }

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        method = self._METHOD[artifact.format]
        if method not in DECOMPRESSORS:
            text = f"{method} content not examined: install {OPTIONAL.get(method, method)}"
            return Inspection(findings=[ctx.finding(ARCHIVE_UNOPENABLE, text)], complete=False)
        base = posixpath.basename(ctx.member or artifact.ref.relpath)
        name = posixpath.splitext(base)[0] or "content"
        opener = decompressing_opener(ctx.open, method, ctx.limits)
        return guarded(ctx, lambda: inspect_nested(ctx, name, opener, ctx.limits.max_decompressed))
