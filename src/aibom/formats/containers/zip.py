"""Zip archives: findings where the zip views disagree, and every content a reader may load, handed
back by content (``inspect_nested``). ``pytorch`` and ``numpy_format`` scan their zips with these too."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks.unsafe import UNSAFE_CHECKS, ZIP_BAD_CRC, ZIP_ODD_FLAGS, ZIP_VIEWS_DISAGREE
from aibom.findings import Check, Finding
from aibom.formats.containers.support import escapes, guarded, path_finding
from aibom.formats.containers.zipview import (
    ZipEntry,
    ZipLayout,
    crc_of,
    member_opener,
    python_view_errors,
    read_layout,
    readable,
)
from aibom.formats.interface import FormatError, InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import inspect_nested
from aibom.formats.streams import DecompressionBomb, random_access


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
            out.merge(path_finding(ctx, entry.name, "zip member"))
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
        out.merge(guarded(ctx, run))
        out.findings.extend(check_crc(ctx, name, entry, member))
    return out


def check_crc(ctx: InspectContext, name: str, entry: ZipEntry, member: Opener) -> list[Finding]:
    try:
        actual = crc_of(member, ctx.limits.max_member_bytes_in_memory)
    except (FormatError, DecompressionBomb, OSError):
        return []
    if actual is None or actual == entry.crc:
        return []
    text = f"{name!r}: CRC-32 is {actual:08x}, the header says {entry.crc:08x}"
    return [ctx.finding(ZIP_BAD_CRC, text)]


class ZipInspector:
    """Plain zips and numpy ``.npz`` archives: every member is inspected by what its content is (an
    object array in an ``.npz`` is a pickle like any other)."""

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.ZIP, Kind.ARCHIVE, (".zip",)),
        FormatSpec(
            Format.NUMPY_NPZ, Kind.WEIGHTS, (".npz",), runs_code=True, containers=(Format.ZIP,)
        ),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        def run() -> Inspection:
            with random_access(ctx) as opener:
                return scan_zip(ctx, opener)

        return guarded(ctx, run)
