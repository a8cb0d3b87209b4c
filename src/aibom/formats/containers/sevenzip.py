"""7z archives through the optional py7zr: members are extracted into bounded spools (never to disk) and
handed back by content. An archive that cannot be opened, or is encrypted, is a finding, never clean."""

from __future__ import annotations

import tempfile
from typing import Any, BinaryIO, cast

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.containers.support import escapes, guarded, path_finding, unopenable
from aibom.formats.interface import InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import inspect_nested
from aibom.formats.streams import DecompressionBomb, SpoolReader, random_access
from aibom.limits import Limits


class _SpoolIO:
    """py7zr writer: one member into a bounded spool."""

    def __init__(self, limits: Limits, total: list[int]) -> None:
        # closed by SevenZipInspector._scan however extraction and inspection end
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

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.SEVEN_ZIP, Kind.ARCHIVE, (".7z",), magic=(Magic(b"7z\xbc\xaf\x27\x1c"),)),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        try:
            import py7zr
        except ImportError:
            return unopenable(
                ctx, "7z content not examined: install py7zr (pip install 'aibom[7z]')"
            )

        def run() -> Inspection:
            with random_access(ctx) as opener:
                return self._scan(ctx, opener, py7zr)

        return guarded(ctx, run)

    def _scan(self, ctx: InspectContext, opener: Opener, py7zr: Any) -> Inspection:
        members: dict[str, _SpoolIO] = {}
        total = [0]

        class Factory(py7zr.io.WriterFactory):  # type: ignore[misc]
            def create(self, filename: str) -> _SpoolIO:
                members[filename] = _SpoolIO(ctx.limits, total)
                return members[filename]

        try:
            return self._extract_and_inspect(ctx, opener, py7zr, Factory, members)
        finally:  # every spool, whichever way extraction or inspection ended
            for sink in members.values():
                sink.spool.close()

    def _extract_and_inspect(
        self,
        ctx: InspectContext,
        opener: Opener,
        py7zr: Any,
        factory: Any,
        members: dict[str, _SpoolIO],
    ) -> Inspection:
        out = Inspection()
        try:
            with opener() as fh, py7zr.SevenZipFile(fh, mode="r") as archive:
                if archive.needs_password():
                    return unopenable(ctx, "7z archive is encrypted; its content was not examined")
                infos = archive.list()
                if len(infos) > ctx.limits.max_members:
                    return unopenable(ctx, f"7z archive lists {len(infos)} members")
                for info in infos:
                    if escapes(info.filename):
                        out.merge(path_finding(ctx, info.filename, "7z member"))
                archive.extractall(factory=factory())  # into bounded memory, not disk
        except DecompressionBomb:
            raise
        except Exception as exc:
            # py7zr raises many types on hostile input; all mean "not examined"
            return unopenable(ctx, f"7z archive cannot be read: {type(exc).__name__}: {exc}")
        for name, sink in members.items():
            out.merge(_spooled_member(ctx, name, cast(BinaryIO, sink.spool), sink.written))
        return out


def _spooled_member(ctx: InspectContext, name: str, spool: BinaryIO, size: int) -> Inspection:
    return inspect_nested(ctx, name, lambda: cast(BinaryIO, SpoolReader(spool, size)), size)
