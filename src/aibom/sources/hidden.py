"""Excluded is not unseen: which files under excluded paths the scan still analyses.

Discovery leaves ``__pycache__/``, ``node_modules/``, VCS folders and ``--exclude`` matches out of the
inventory, because they are caches and tooling rather than artifacts. An attacker can rely on exactly
that, so every regular file under such a path is sniffed by content (its first ``Limits.head_bytes``
only, never loaded) and the ones whose format can carry code (``Catalog.code_bearing_formats``: the
pickle family, weights, archives) go back into the scan as ordinary files: hashed, inspected and listed
in the BOM. Each excluded folder becomes one skipped entry saying how many files it held and how many
were analysed; an excluded file that was not analysed is a skipped entry of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aibom._io import open_regular
from aibom.artifacts import FileRef
from aibom.catalog import Catalog
from aibom.findings import Skipped
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.sources.classify import sniff
from aibom.sources.discover import Discovery


@dataclass
class HiddenPick:
    files: list[FileRef] = field(default_factory=list)
    """Files under excluded paths whose content can carry code: scan them like any other."""
    skipped: list[Skipped] = field(default_factory=list)
    """One entry per excluded folder, and one per excluded file not analysed or not readable."""


def pick_code_bearing(
    found: Discovery, catalog: Catalog, limits: Limits = DEFAULT_LIMITS
) -> HiddenPick:
    pick = HiddenPick()
    total = [0] * len(found.excluded)
    analysed = [0] * len(found.excluded)
    for ref, index in found.hidden:
        total[index] += 1
        try:
            with open_regular(ref.path) as fh:
                head = fh.read(limits.head_bytes)
            fmt, _ = sniff(ref, head, catalog, limits)
        except OSError as exc:
            reason = f"under an excluded path; cannot read: {exc.strerror or exc}"
            pick.skipped.append(Skipped(ref.display, reason))
            continue
        if fmt in catalog.code_bearing_formats:
            analysed[index] += 1
            pick.files.append(ref)
    for index, excluded in enumerate(found.excluded):
        if excluded.is_dir:
            reason = (
                f"not inventoried ({excluded.rule}); {_files(total[index])} under it, "
                f"{analysed[index]} analysed because their content can carry code"
            )
            pick.skipped.append(Skipped(excluded.display, reason, deliberate=True))
        elif total[index] and not analysed[index]:
            reason = f"not inventoried ({excluded.rule})"
            pick.skipped.append(Skipped(excluded.display, reason, deliberate=True))
    return pick


def _files(n: int) -> str:
    return "1 file" if n == 1 else f"{n} files"
