"""What every archive inspector shares: zip-slip detection, and turning a decompression bomb or an
archive that cannot be opened into a finding (incomplete, never clean)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from aibom.checks.unsafe import ARCHIVE_BOMB, ARCHIVE_PATH_ESCAPE, ARCHIVE_UNOPENABLE
from aibom.formats.interface import InspectContext, Inspection
from aibom.formats.streams import DecompressionBomb


def escapes(name: str) -> bool:
    """True for an absolute name or one that climbs out with ``..`` (zip slip)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in posixpath.normpath(name).split("/")[:1]


def path_finding(ctx: InspectContext, name: str, what: str) -> Inspection:
    text = f"{what} {name!r} would be extracted outside the target folder"
    return Inspection(findings=[ctx.finding(ARCHIVE_PATH_ESCAPE, text)])


def guarded(ctx: InspectContext, run: Callable[[], Inspection]) -> Inspection:
    """``run()``, with a decompression bomb anywhere inside it reported as a finding."""
    try:
        return run()
    except DecompressionBomb as exc:
        return Inspection(findings=[ctx.finding(ARCHIVE_BOMB, str(exc))], complete=False)


def unopenable(ctx: InspectContext, text: str) -> Inspection:
    return Inspection(findings=[ctx.finding(ARCHIVE_UNOPENABLE, text)], complete=False)
