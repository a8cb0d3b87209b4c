"""The one exit-code table and the one ``--fail-on`` choice list, shared by every command and the Action.

Security-scanner conventions: 0 clean, 1 policy failure (a finding, advisory or score past the gate the
user set), 2 usage or runtime error, 130 interrupted (128 + SIGINT, as shells report it).
"""

from __future__ import annotations

import enum

from aibom.findings import Severity


class ExitCode(enum.IntEnum):
    OK = 0
    POLICY = 1
    ERROR = 2
    INTERRUPTED = 130


FAIL_ON_CHOICES: tuple[str, ...] = (*(s.label for s in sorted(Severity, reverse=True)), "none")
"""``critical``, ``high``, ``medium``, ``low``, ``info`` and ``none`` (never fail), most severe first."""


def fail_on_threshold(choice: str) -> Severity | None:
    """The severity a ``--fail-on`` choice gates on; ``None`` for ``none``."""
    return Severity.parse_threshold(choice)
