"""Compressed streams and archives: gzip, bz2, xz/lzma, zstd, lz4, zip, tar and 7z (optional py7zr).

Every member is handed back by content (``inspect_nested``), so a pickle in a tar in a gzip is walked
like any other. Decompression is bounded in bytes and ratio (a bomb is a finding, not exhaustion); content
that needs random access (tar, zip, 7z inside a compressed stream) is spooled to memory up to
``max_member_bytes_in_memory``, then to a temporary file in the system temp dir, never next to the scan.
"""

from __future__ import annotations

import bz2
import functools
import io
import lzma
import posixpath
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, ClassVar, cast

from aibom.artifacts import Artifact, Format
from aibom.checks.unsafe import (
    ARCHIVE_BOMB,
    ARCHIVE_PATH_ESCAPE,
    ARCHIVE_UNOPENABLE,
    UNSAFE_CHECKS,
    ZIP_BAD_CRC,
    ZIP_ODD_FLAGS,
    ZIP_VIEWS_DISAGREE,
)
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection, Inspector, Opener
from aibom.formats.pickle_family import inspect_nested
from aibom.formats.pickle_vm import DecompressionBomb, cheap_seek
from aibom.formats.zipview import (
    ZipEntry,
    ZipLayout,
    check_bomb,
    crc_of,
    member_opener,
    python_view_errors,
    read_layout,
    readable,
)
from aibom.limits import Limits


def _zstd() -> Callable[[], Any] | None:
    for name in ("compression.zstd", "backports.zstd"):
        try:
            module = __import__(name, fromlist=["ZstdDecompressor"])
        except ImportError:
            continue
        return cast(Callable[[], Any], module.ZstdDecompressor)
    return None


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
_OPTIONAL = {"zstd": "backports.zstd (Python < 3.14)", "lz4": "lz4"}


class _Decompress(io.RawIOBase):
    """Streaming decompression with the bomb checks of ``zipview.check_bomb``."""

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
        except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError, RuntimeError) as exc:
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
    return lambda: cast(BinaryIO, io.BufferedReader(_Decompress(opener(), method, limits)))


class _Shared(io.RawIOBase):
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
                raise DecompressionBomb(f"content exceeds {ctx.limits.max_decompressed} bytes")
            spool.write(chunk)
        shared = cast(BinaryIO, spool)
        yield lambda: cast(BinaryIO, _Shared(shared, size))


def escapes(name: str) -> bool:
    """True for an absolute name or one that climbs out with ``..`` (zip slip)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in posixpath.normpath(name).split("/")[:1]


def _path_finding(ctx: InspectContext, name: str, what: str) -> Inspection:
    text = f"{what} {name!r} would be extracted outside the target folder"
    return Inspection(findings=[ctx.finding(ARCHIVE_PATH_ESCAPE, text)])


# ---------------------------------------------------------------- single compressed streams


class StreamInspector:
    """gzip, bz2, xz, zstd: one compressed stream whose content is inspected by what it is."""

    formats: frozenset[Format] = frozenset({Format.GZIP, Format.BZIP2, Format.XZ, Format.ZSTD})
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
            text = f"{method} content not examined: install {_OPTIONAL.get(method, method)}"
            return Inspection(findings=[ctx.finding(ARCHIVE_UNOPENABLE, text)], complete=False)
        base = posixpath.basename(ctx.member or artifact.ref.relpath)
        name = posixpath.splitext(base)[0] or "content"
        opener = decompressing_opener(ctx.open, method, ctx.limits)
        return _guarded(ctx, lambda: inspect_nested(ctx, name, opener, ctx.limits.max_decompressed))


def _guarded(ctx: InspectContext, run: Callable[[], Inspection]) -> Inspection:
    try:
        return run()
    except DecompressionBomb as exc:
        return Inspection(findings=[ctx.finding(ARCHIVE_BOMB, str(exc))], complete=False)


# ---------------------------------------------------------------- zip


def zip_findings(ctx: InspectContext, layout: ZipLayout, opener: Opener) -> Inspection:
    """Findings for the disagreements between zip views, and the members Python's zipfile refuses."""
    kinds = {"views": ZIP_VIEWS_DISAGREE, "crc": ZIP_BAD_CRC, "flags": ZIP_ODD_FLAGS}
    out = Inspection()
    for name, why in python_view_errors(opener).items():
        kind = (
            "crc" if "CRC" in why else "flags" if "encrypt" in why or "compress" in why else "views"
        )
        layout.problem(kind, f"Python's zipfile refuses {name or 'the archive'}: {why}")
    seen: set[tuple[str, str]] = set()
    for kind, message in layout.problems:
        if (kind, message) not in seen:
            seen.add((kind, message))
            out.findings.append(ctx.finding(kinds[kind], message))
    for entry in [*layout.entries, *layout.local_only]:
        if escapes(entry.name):
            out.merge(_path_finding(ctx, entry.name, "zip member"))
    return out


def zip_contents(layout: ZipLayout) -> Iterator[tuple[str, ZipEntry, bool]]:
    """(display name, entry, Python's view?) for every distinct content a reader may load."""
    for entry in layout.entries:
        if readable(entry):
            yield entry.name, entry, False
        if entry.py_data_offset not in (None, entry.data_offset) and entry.method in (0, 8):
            yield f"{entry.name} (zipfile view)", entry, True
    for entry in layout.local_only:
        if readable(entry):
            yield f"{entry.name} (local header only)", entry, False


def scan_zip(ctx: InspectContext, opener: Opener) -> Inspection:
    with opener() as fh:
        layout = read_layout(fh, ctx.limits)
    out = zip_findings(ctx, layout, opener)
    for name, entry, python in zip_contents(layout):
        if name.endswith("/"):
            continue
        member = member_opener(opener, entry, ctx.limits, python)
        run = functools.partial(inspect_nested, ctx, name, member, entry.usize)
        out.merge(_guarded(ctx, run))
        out.findings.extend(check_crc(ctx, name, entry, member))
    return out


def check_crc(ctx: InspectContext, name: str, entry: ZipEntry, member: Opener) -> list[Any]:
    try:
        actual = crc_of(member, ctx.limits.max_member_bytes_in_memory)
    except (FormatError, DecompressionBomb, OSError):
        return []
    if actual is None or actual == entry.crc:
        return []
    text = f"{name!r}: CRC-32 is {actual:08x}, the header says {entry.crc:08x}"
    return [ctx.finding(ZIP_BAD_CRC, text)]


class ZipInspector:
    formats: frozenset[Format] = frozenset({Format.ZIP})
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        def run() -> Inspection:
            with random_access(ctx) as opener:
                return scan_zip(ctx, opener)

        return _guarded(ctx, run)


# ---------------------------------------------------------------- tar


def _tar_members(fh: BinaryIO, limits: Limits) -> list[tarfile.TarInfo]:
    try:
        with tarfile.open(fileobj=fh, mode="r:") as tar:
            members: list[tarfile.TarInfo] = []
            while len(members) < limits.max_members and (info := tar.next()) is not None:
                members.append(info)
            return members
    except tarfile.TarError as exc:
        raise FormatError(f"tar archive is damaged: {exc}") from None


def _link_escapes(info: tarfile.TarInfo) -> bool:
    if info.issym():
        target = posixpath.join(posixpath.dirname(info.name), info.linkname)
        return escapes(info.linkname) or escapes(target)
    return info.islnk() and escapes(info.linkname)


class TarInspector:
    formats: frozenset[Format] = frozenset({Format.TAR})
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        def run() -> Inspection:
            with random_access(ctx) as opener:
                with opener() as fh:
                    members = _tar_members(fh, ctx.limits)
                return self._members(ctx, opener, members)

        return _guarded(ctx, run)

    def _members(
        self, ctx: InspectContext, opener: Opener, members: list[tarfile.TarInfo]
    ) -> Inspection:
        from aibom.formats.pytorch import LEGACY_TAR_MEMBERS, scan_legacy_tar

        out = Inspection()
        files = {m.name: m for m in members if m.isfile()}
        for info in members:
            if escapes(info.name) or _link_escapes(info):
                out.merge(
                    _path_finding(
                        ctx,
                        f"{info.name} -> {info.linkname}" if info.linkname else info.name,
                        "tar member",
                    )
                )
        if set(files) >= LEGACY_TAR_MEMBERS:
            spans = {n: (files[n].offset_data, files[n].size) for n in LEGACY_TAR_MEMBERS}
            out.merge(scan_legacy_tar(ctx, opener, spans))
        for name, info in files.items():
            if name in LEGACY_TAR_MEMBERS and set(files) >= LEGACY_TAR_MEMBERS:
                continue
            at, size = info.offset_data, info.size
            member = _slice_opener(opener, at, size)
            out.merge(_guarded(ctx, functools.partial(inspect_nested, ctx, name, member, size)))
        return out


def _slice_opener(opener: Opener, at: int, size: int) -> Opener:
    from aibom.formats.zipview import open_slice

    return functools.partial(open_slice, opener, at, size)


# ---------------------------------------------------------------- 7z


class _SpoolIO:
    """py7zr writer: one member into a bounded spool."""

    def __init__(self, limits: Limits, total: list[int]) -> None:
        # closed by SevenZipInspector._scan once the member has been inspected
        self.spool = tempfile.SpooledTemporaryFile(limits.max_member_bytes_in_memory)  # noqa: SIM115
        self._limits, self._total = limits, total
        self.written = 0

    def write(self, s: bytes | bytearray) -> int:
        self._total[0] += len(s)
        self.written += len(s)
        if self._total[0] > self._limits.max_decompressed:
            raise DecompressionBomb(f"7z content exceeds {self._limits.max_decompressed} bytes")
        return self.spool.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self.spool.read(size if size is not None else -1)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.spool.seek(offset, whence)

    def flush(self) -> None:
        self.spool.flush()

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        return None


class SevenZipInspector:
    """7z through the optional py7zr; an archive that cannot be opened is a finding, never clean."""

    formats: frozenset[Format] = frozenset({Format.SEVEN_ZIP})
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        try:
            import py7zr
        except ImportError:
            return _unopenable(
                ctx, "7z content not examined: install py7zr (pip install 'aibom[7z]')"
            )

        def run() -> Inspection:
            with random_access(ctx) as opener:
                return self._scan(ctx, opener, py7zr)

        return _guarded(ctx, run)

    def _scan(self, ctx: InspectContext, opener: Opener, py7zr: Any) -> Inspection:
        members: dict[str, _SpoolIO] = {}
        total = [0]

        class Factory(py7zr.io.WriterFactory):  # type: ignore[misc]
            def create(self, filename: str) -> _SpoolIO:
                members[filename] = _SpoolIO(ctx.limits, total)
                return members[filename]

        out = Inspection()
        try:
            with opener() as fh, py7zr.SevenZipFile(fh, mode="r") as archive:
                if archive.needs_password():
                    return _unopenable(ctx, "7z archive is encrypted; its content was not examined")
                infos = archive.list()
                if len(infos) > ctx.limits.max_members:
                    return _unopenable(ctx, f"7z archive lists {len(infos)} members")
                for info in infos:
                    if escapes(info.filename):
                        out.merge(_path_finding(ctx, info.filename, "7z member"))
                archive.extractall(factory=Factory())  # noqa: S202 - into bounded memory, not disk
        except DecompressionBomb:
            raise
        except (
            Exception
        ) as exc:  # py7zr raises many types on hostile input; all mean "not examined"
            return _unopenable(ctx, f"7z archive cannot be read: {type(exc).__name__}: {exc}")
        try:
            for name, sink in members.items():
                out.merge(_spooled_member(ctx, name, cast(BinaryIO, sink.spool), sink.written))
        finally:
            for sink in members.values():
                sink.spool.close()
        return out


def _spooled_member(ctx: InspectContext, name: str, spool: BinaryIO, size: int) -> Inspection:
    return inspect_nested(ctx, name, lambda: cast(BinaryIO, _Shared(spool, size)), size)


def _unopenable(ctx: InspectContext, text: str) -> Inspection:
    return Inspection(findings=[ctx.finding(ARCHIVE_UNOPENABLE, text)], complete=False)


ARCHIVE_INSPECTORS: tuple[Inspector, ...] = (
    StreamInspector(),
    ZipInspector(),
    TarInspector(),
    SevenZipInspector(),
)
