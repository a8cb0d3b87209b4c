"""Zip archives: findings where the zip views disagree, and every content a reader may load, handed
back by content (``inspect_nested``). ``pytorch`` and ``numpy_format`` scan their zips with these too."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks.core import BUDGET_SPENT, ZIP_OVERLAPPING_MEMBERS
from aibom.checks.unsafe import (
    ARCHIVE_UNOPENABLE,
    UNSAFE_CHECKS,
    ZIP_BAD_CRC,
    ZIP_ODD_FLAGS,
    ZIP_VIEWS_DISAGREE,
)
from aibom.findings import Check, Finding, Severity
from aibom.formats.containers.support import escapes, guarded, path_finding
from aibom.formats.containers.zipview import (
    METHODS,
    UNSUPPORTED_FLAGS,
    BudgetSpent,
    InflationBudget,
    ZipEntry,
    ZipLayout,
    crc_of,
    local_reading,
    member_opener,
    python_view_errors,
    read_layout,
    readable,
    sharing_budget,
)
from aibom.formats.interface import FormatError, InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import inspect_nested
from aibom.formats.streams import DecompressionBomb, random_access


def zip_findings(ctx: InspectContext, layout: ZipLayout, opener: Opener) -> Inspection:
    """Findings for the disagreements between zip views, the members Python's zipfile refuses, and the
    members whose content cannot be read at all (never silent: medium, and the scan is incomplete)."""
    kinds = {
        "views": ZIP_VIEWS_DISAGREE,
        "crc": ZIP_BAD_CRC,
        "flags": ZIP_ODD_FLAGS,
        "shared": ZIP_OVERLAPPING_MEMBERS,
        "overlap": ZIP_OVERLAPPING_MEMBERS,
        "unread": ARCHIVE_UNOPENABLE,
    }
    out = Inspection()
    for name, why in python_view_errors(opener).items():
        kind = (
            "crc" if "CRC" in why else "flags" if "encrypt" in why or "compress" in why else "views"
        )
        layout.problem(kind, f"Python's zipfile refuses {name or 'the archive'}: {why}")
    for entry in (*layout.entries, *layout.local_only):
        _read_what_can_be_read(ctx, layout, entry, opener)
    seen: set[tuple[str, str]] = set()
    for kind, message in layout.problems:
        if (kind, message) not in seen:
            seen.add((kind, message))
            severity = Severity.MEDIUM if kind == "overlap" else None  # a bomb's construction
            out.findings.append(ctx.finding(kinds[kind], message, severity=severity))
            out.complete = out.complete and kind != "unread"
    for entry in [*layout.entries, *layout.local_only]:
        if escapes(entry.name):
            out.merge(path_finding(ctx, entry.name, "zip member"))
    return out


def _read_what_can_be_read(
    ctx: InspectContext, layout: ZipLayout, entry: ZipEntry, opener: Opener
) -> None:
    """A member flagged encrypted (or strong encryption, or patch data) is read as plain when its data
    decodes as its method: a loader that ignores the flag loads it so, and setting the flag is how an
    attacker makes scanners skip a payload. What cannot be read at all is an ``unread`` problem."""
    if entry.data_offset is None or entry.name.endswith("/"):
        return
    if entry.method not in METHODS:
        what = (
            "AES-encrypted (method 99)"
            if entry.method == 99
            else f"compression method {entry.method}"
        )
        layout.problem("unread", f"member {entry.name!r} could not be analysed: {what}")
        return
    if not entry.flags & UNSUPPORTED_FLAGS:
        return
    flagged = "encrypted" if entry.flags & 0x0041 else "patch data"
    limit = ctx.limits.max_member_bytes_in_memory
    try:
        crc = crc_of(
            member_opener(opener, dataclasses.replace(entry, plain=True), ctx.limits), limit
        )
    except BudgetSpent:
        entry.plain = True  # the budget finding names it; what was read of it is analysed
        return
    except (FormatError, DecompressionBomb, OSError, EOFError, ValueError):
        text = f"member {entry.name!r} could not be analysed: {flagged} (its data is not plain)"
        layout.problem("unread", text)
        return
    entry.plain = True
    if crc == entry.crc:
        layout.problem(
            "flags",
            f"{entry.name!r} is flagged {flagged} but its data is plain "
            f"{METHODS[entry.method]} (CRC-32 matches): analysed as such",
        )
        return
    why = "larger than the CRC check reads" if crc is None else "its CRC-32 does not match"
    layout.problem(
        "unread",
        f"member {entry.name!r} could not be analysed: {flagged} ({why}; its bytes were also "
        "analysed as plain, as a loader ignoring the flag reads them)",
    )


def zip_contents(layout: ZipLayout) -> Iterator[tuple[str, ZipEntry, bool]]:
    """(display name, entry, Python's view?) for every distinct content a reader may load. Entries
    that read the very same bytes (several central entries pointing at one local entry) are yielded
    once, under the first name: ``read_layout`` reports the others as shared. A central entry whose
    local header gives another method or other sizes is yielded once more as a streaming reader reads
    it. A stored member is yielded with its size bounded by the bytes it spans."""
    seen: set[tuple[int | None, int, int, int]] = set()

    def first(entry: ZipEntry, python: bool) -> bool:
        start = entry.py_data_offset if python else entry.data_offset
        key = (start, entry.method, entry.available(python), entry.content_size(python))
        if key in seen:
            return False
        seen.add(key)
        return True

    def bounded(entry: ZipEntry, python: bool = False) -> ZipEntry:
        size = entry.content_size(python)
        return entry if size == entry.usize else dataclasses.replace(entry, usize=size)

    for entry in layout.entries:
        if readable(entry) and first(entry, False):
            yield entry.name, bounded(entry), False
        local = local_reading(entry)
        if local is not None:
            local.plain = entry.plain or not entry.flags & UNSUPPORTED_FLAGS
            if readable(local) and first(local, False):
                yield f"{entry.name} (local header view)", bounded(local), False
        if (
            entry.py_data_offset not in (None, entry.data_offset)
            and readable(dataclasses.replace(entry, data_offset=entry.py_data_offset))
            and first(entry, True)
        ):
            yield f"{entry.name} (zipfile view)", bounded(entry, True), True
    for entry in layout.local_only:
        if readable(entry) and first(entry, False):
            yield f"{entry.name} (local header only)", bounded(entry), False


def scan_zip(ctx: InspectContext, opener: Opener) -> Inspection:
    with opener() as fh:
        layout = read_layout(fh, ctx.limits)
    out = zip_findings(ctx, layout, opener)
    contents = [c for c in zip_contents(layout) if not c[0].endswith("/")]
    with sharing_budget(layout.budget):
        for i, (name, entry, python) in enumerate(contents):
            if layout.budget.spent():
                out.merge(budget_spent(ctx, layout.budget, [c[0] for c in contents[i:]]))
                break
            member = member_opener(opener, entry, ctx.limits, python)
            run = functools.partial(inspect_nested, ctx, name, member, entry.content_size(python))
            out.merge(guarded(ctx, run))
            out.findings.extend(check_crc(ctx, name, entry, member))
            if layout.budget.spent():  # spent while reading this member: only partly analysed
                out.merge(budget_spent(ctx, layout.budget, [c[0] for c in contents[i:]]))
                break
    return out


NAMES_LISTED = 20
"""Members named in a budget finding; the rest are counted."""


def budget_spent(ctx: InspectContext, budget: InflationBudget, names: list[str]) -> Inspection:
    """The finding for members left (the first only partly read) when the budget ran out."""
    listed = ", ".join(repr(n) for n in names[:NAMES_LISTED])
    more = f" and {len(names) - NAMES_LISTED} more" if len(names) > NAMES_LISTED else ""
    text = (
        f"archive inflation budget of {budget.limit} bytes spent (max_archive_inflated_bytes, plus "
        f"twice the archive's size); {len(names)} member(s) not analysed or only partly: "
        f"{listed}{more}"
    )
    return Inspection(findings=[ctx.finding(BUDGET_SPENT, text)], complete=False)


def check_crc(ctx: InspectContext, name: str, entry: ZipEntry, member: Opener) -> list[Finding]:
    length = min(entry.csize, entry.usize) if entry.method == 0 else entry.usize
    if not entry.described or length > ctx.limits.max_member_bytes_in_memory:
        return []  # crc_of would give up after reading that much: do not read it at all
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
