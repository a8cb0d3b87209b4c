"""joblib files: pickles with raw numpy buffers interleaved, plain or compressed (zlib, gzip, bz2, xz,
lzma, lz4, and the pre-0.10 ``ZF`` format).

The raw arrays between the pickle opcodes are stepped over by ``pickle_joblib.joblib_build_hook``
(re-exported here), which every stream walk uses; this module finds the compression and walks the file.
"""

from __future__ import annotations

from typing import BinaryIO

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks.unsafe import ARCHIVE_UNOPENABLE, UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection
from aibom.formats.pickle.joblib import WRAPPERS, joblib_build_hook
from aibom.formats.pickle.scan import scan_pickles
from aibom.formats.stream_codecs import DECOMPRESSORS, decompressing_opener

__all__ = [
    "WRAPPERS",
    "JoblibInspector",
    "compression_of",
    "joblib_build_hook",
]

_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"ZF", "zfile"),
    (b"\x78", "zlib"),
)


def compression_of(head: bytes) -> str | None:
    """The joblib compressor a file starts with (joblib detects it by these magic bytes too)."""
    for magic, name in _MAGICS:
        if head.startswith(magic):
            return name
    return None


class JoblibInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.JOBLIB, Kind.WEIGHTS, (".joblib",), runs_code=True),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        head = ctx.read_at(0, 32)
        method = compression_of(head)
        if method is None:
            return scan_pickles(ctx, ctx.open, what="joblib pickle")
        if method == "zfile":
            return self._zfile(ctx, head)
        if method not in DECOMPRESSORS:
            text = f"joblib file compressed with {method}, which needs an optional package"
            return Inspection(findings=[ctx.finding(ARCHIVE_UNOPENABLE, text)], complete=False)
        opener = decompressing_opener(ctx.open, method, ctx.limits)
        return scan_pickles(ctx, opener, what=f"{method}-compressed joblib pickle")

    def _zfile(self, ctx: InspectContext, head: bytes) -> Inspection:
        """joblib < 0.10: ``ZF``, the hex length padded to 19 characters, maybe a space, zlib data."""
        try:
            int(head[2:21], 16)
        except ValueError:
            raise FormatError("ZF header does not hold a hexadecimal length", offset=2) from None
        start = 22 if head[21:22] == b" " else 21
        opener = decompressing_opener(lambda: _skip(ctx.open(), start), "zlib", ctx.limits)
        return scan_pickles(ctx, opener, what="joblib (ZF) pickle")


def _skip(fh: BinaryIO, n: int) -> BinaryIO:
    fh.seek(n)
    return fh
