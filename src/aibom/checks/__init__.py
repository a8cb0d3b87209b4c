"""The catalogue of checks. Every ``Finding`` names one of these; reports and docs are generated from it.

Each area keeps its checks in its own module; ``ALL_CHECKS`` gathers them. Ids never change once released.
"""

from __future__ import annotations

from aibom.checks.core import (
    CARD_METADATA,
    CARD_PLACEHOLDER,
    CORE_CHECKS,
    FORMAT_MISMATCH,
    HF_CACHE_LAYOUT,
    LFS_POINTER,
    LIMIT_REACHED,
    MALFORMED_FILE,
    NOT_ANALYSED,
    UNPINNED_REQUIREMENT,
)
from aibom.checks.remote import REMOTE_CHECKS
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.checks.unsafe_other import UNSAFE_OTHER_CHECKS
from aibom.checks.verify import VERIFY_CHECKS
from aibom.findings import Check

__all__ = [
    "ALL_CHECKS",
    "CARD_METADATA",
    "CARD_PLACEHOLDER",
    "FORMAT_MISMATCH",
    "HF_CACHE_LAYOUT",
    "LFS_POINTER",
    "LIMIT_REACHED",
    "NOT_ANALYSED",
    "MALFORMED_FILE",
    "UNPINNED_REQUIREMENT",
    "by_id",
]

ALL_CHECKS: tuple[Check, ...] = (
    *CORE_CHECKS,
    *UNSAFE_CHECKS,
    *UNSAFE_OTHER_CHECKS,
    *VERIFY_CHECKS,
    *REMOTE_CHECKS,
)

_BY_ID = {check.id: check for check in ALL_CHECKS}


def by_id(check_id: str) -> Check | None:
    return _BY_ID.get(check_id)
