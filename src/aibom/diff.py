"""Compare two BOMs read as plain JSON (any CycloneDX 1.4-1.7 generator), optionally with scorecards.

``diff_boms(base, head)`` reports models, datasets and packages added, removed or changed (revision,
hashes, licence, version), findings new in HEAD or resolved since BASE, and score changes. The policy
"fail only on findings the change introduced" is ``exit_code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aibom.findings import Severity
from aibom.render.changes import BomDiff, ComponentChange, ScoreChange, compare
from aibom.render.document import read_bom
from aibom.render.scorecard import read_scorecard

__all__ = ["BomDiff", "ComponentChange", "ScoreChange", "diff_boms", "exit_code"]


def diff_boms(
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    base_scores: Mapping[str, Any] | None = None,
    head_scores: Mapping[str, Any] | None = None,
) -> BomDiff:
    return compare(
        read_bom(base),
        read_bom(head),
        read_scorecard(base_scores) if base_scores is not None else None,
        read_scorecard(head_scores) if head_scores is not None else None,
    )


def exit_code(diff: BomDiff, fail_on_new: Severity | None) -> int:
    """1 when a finding new in HEAD reaches ``fail_on_new``; 0 otherwise (``None`` never fails)."""
    if fail_on_new is None:
        return 0
    return 1 if diff.new_at_or_above(fail_on_new) else 0
