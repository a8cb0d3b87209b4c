"""Work budgets shared by everything one scan inspects, for costs no single file can bound.

libhdf5 is C code that loops on some crafted files; each HDF5 file gets a per-file timeout, and all of
them together get ``Limits.max_h5_seconds``, so N crafted files cost that budget, not N timeouts. The
scan installs one ``ScanBudget`` for its whole inspection (``use_budget``); an inspector called outside
a scan (a test, a library caller) gets a fresh budget per call, so it is never starved by another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from aibom.limits import Limits


class ScanBudget:
    """What is left of the scan-wide budgets."""

    def __init__(self, limits: Limits) -> None:
        self.h5_seconds = float(limits.max_h5_seconds)
        self.h5_used = 0.0
        self.h5_files_refused = 0
        """Files not analysed because the HDF5 budget was spent (a count for reports and tests)."""

    def h5_left(self) -> float:
        return max(0.0, self.h5_seconds - self.h5_used)

    def spend_h5(self, seconds: float) -> None:
        self.h5_used += max(0.0, seconds)


_ACTIVE: ContextVar[ScanBudget | None] = ContextVar("aibom_scan_budget", default=None)


@contextmanager
def use_budget(budget: ScanBudget) -> Iterator[ScanBudget]:
    """Inspections inside the ``with`` block draw on ``budget`` (per thread / context)."""
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)


def current_budget(limits: Limits) -> ScanBudget:
    """The scan's budget, or a fresh one when no scan installed one."""
    return _ACTIVE.get() or ScanBudget(limits)
