"""Tar archives: members handed back by content, links and names that leave the target folder as
findings, and PyTorch's legacy tar checkpoints (``storages``/``tensors``/``pickle``) walked the way
``torch.load`` reads them."""

from __future__ import annotations

import functools
import posixpath
import tarfile
from typing import BinaryIO

from aibom.artifacts import Artifact, Format
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.containers.support import escapes, guarded, path_finding
from aibom.formats.interface import FormatError, InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import inspect_nested
from aibom.formats.pytorch import LEGACY_TAR_MEMBERS, scan_legacy_tar
from aibom.formats.streams import open_slice, random_access
from aibom.limits import Limits


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
