"""Tar archives: members handed back by content, links and names that leave the target folder as
findings, and PyTorch's legacy tar checkpoints (``storages``/``tensors``/``pickle``) walked the way
``torch.load`` reads them."""

from __future__ import annotations

import functools
import posixpath
import struct
import tarfile
from typing import BinaryIO

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.containers.support import escapes, guarded, path_finding
from aibom.formats.interface import FormatError, InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import inspect_nested, member_context, report, scan_pickles
from aibom.formats.pickle.values import GlobalRef, Trace
from aibom.formats.pickle.vm import PickleVM
from aibom.formats.streams import ByteSource, open_slice, random_access
from aibom.limits import Limits


def _tar_members(fh: BinaryIO, limits: Limits) -> tuple[list[tarfile.TarInfo], bool]:
    """The first ``max_members`` members, and whether the archive holds more (never silent: the
    rest are a LIMIT_REACHED finding and partial coverage)."""
    try:
        with tarfile.open(fileobj=fh, mode="r:") as tar:
            members: list[tarfile.TarInfo] = []
            while len(members) < limits.max_members and (info := tar.next()) is not None:
                members.append(info)
            more = len(members) >= limits.max_members and tar.next() is not None
            return members, more
    except tarfile.TarError as exc:
        raise FormatError(f"tar archive is damaged: {exc}") from None


def _link_escapes(info: tarfile.TarInfo) -> bool:
    if info.issym():
        target = posixpath.join(posixpath.dirname(info.name), info.linkname)
        return escapes(info.linkname) or escapes(target)
    return info.islnk() and escapes(info.linkname)


class TarInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.TAR, Kind.ARCHIVE, (".tar",), magic=(Magic(b"ustar", 257),), probe_remote=False
        ),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        def run() -> Inspection:
            with random_access(ctx) as opener:
                with opener() as fh:
                    members, more = _tar_members(fh, ctx.limits)
                out = self._members(ctx, opener, members)
                if more:
                    out.findings.append(
                        ctx.finding(
                            LIMIT_REACHED,
                            f"tar archive holds more than {ctx.limits.max_members} members "
                            "(max_members): the rest were not analysed",
                        )
                    )
                    out.hit("max_members")
                return out

        return guarded(ctx, run)

    def _members(
        self, ctx: InspectContext, opener: Opener, members: list[tarfile.TarInfo]
    ) -> Inspection:
        out = Inspection()
        files = {m.name: m for m in members if m.isfile()}
        for info in members:
            if escapes(info.name) or _link_escapes(info):
                out.merge(
                    path_finding(
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
            out.merge(guarded(ctx, functools.partial(inspect_nested, ctx, name, member, size)))
        return out


def _slice_opener(opener: Opener, at: int, size: int) -> Opener:
    return functools.partial(open_slice, opener, at, size)


LEGACY_TAR_MEMBERS = frozenset({"storages", "tensors", "pickle"})
ELEMENT_SIZE = {
    "DoubleStorage": 8,
    "FloatStorage": 4,
    "HalfStorage": 2,
    "BFloat16Storage": 2,
    "LongStorage": 8,
    "IntStorage": 4,
    "ShortStorage": 2,
    "CharStorage": 1,
    "ByteStorage": 1,
    "BoolStorage": 1,
    "ComplexDoubleStorage": 16,
    "ComplexFloatStorage": 8,
    "QUInt8Storage": 1,
    "QInt8Storage": 1,
    "QInt32Storage": 4,
    "QUInt4x2Storage": 1,
    "QUInt2x4Storage": 1,
}
"""Bytes per element of the legacy storage classes (the tar format writes raw storages by count)."""


# ---------------------------------------------------------------- legacy tar format


def scan_legacy_tar(
    ctx: InspectContext, opener: Opener, spans: dict[str, tuple[int, int]]
) -> Inspection:
    """The tar format: ``pickle`` holds the object; ``storages`` and ``tensors`` interleave pickles
    with raw data, each pickle unpickled by torch.load."""
    out = Inspection()
    for name in sorted(LEGACY_TAR_MEMBERS):
        at, size = spans[name]
        member: Opener = functools.partial(open_slice, opener, at, size)
        child = member_context(ctx, name, member)
        if isinstance(child, Inspection):
            out.merge(child)
            continue
        if name == "pickle":
            out.merge(scan_pickles(child, member, max_pickles=1, emit_low=False))
            continue
        traces, problem = _interleaved(child, member, name)
        out.merge(report(child, traces, emit_low=False, what=f"legacy torch {name} pickle"))
        if problem:
            out.findings.append(child.finding(MALFORMED_FILE, f"legacy torch {name}: {problem}"))
    return out


def _interleaved(ctx: InspectContext, opener: Opener, name: str) -> tuple[list[Trace], str]:
    with opener() as fh:
        src = ByteSource(fh, 0)
        first = PickleVM(src, ctx.limits).walk()
        traces = [first]
        count = first.result
        if first.end is None:
            return traces, ""
        if not isinstance(count, int) or not 0 <= count <= ctx.limits.max_members:
            return traces, f"record count {count!r} is not a plausible number"
        step = _storage if name == "storages" else _tensor
        for _ in range(count):
            trace = PickleVM(src, ctx.limits).walk()
            traces.append(trace)
            problem = step(src, trace) if trace.end is not None else "stops"
            if problem:
                return traces, "" if problem == "stops" else problem
        if name == "storages":
            traces.append(PickleVM(src, ctx.limits).walk())
    return traces, ""


def _storage(src: ByteSource, trace: Trace) -> str:
    args = trace.result
    kind = args[2] if isinstance(args, tuple) and len(args) == 3 else None
    size = ELEMENT_SIZE.get(kind.name) if isinstance(kind, GlobalRef) else None
    if size is None:
        return "storage record does not name a known storage class"
    raw = src.read(8)
    if len(raw) != 8:
        return "stream ends inside a storage"
    (count,) = struct.unpack("<q", raw)
    if count < 0 or src.skip(count * size) != count * size:
        return "stream ends inside a storage"
    return ""


def _tensor(src: ByteSource, trace: Trace) -> str:
    raw = src.read(8)
    if len(raw) != 8:
        return "stream ends inside a tensor record"
    (ndim,) = struct.unpack("<i", raw[:4])
    if not 0 <= ndim <= 64 or src.skip(16 * ndim + 8) != 16 * ndim + 8:
        return "tensor record has an impossible rank or is cut short"
    return ""
