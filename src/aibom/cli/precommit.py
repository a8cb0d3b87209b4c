"""``python -m aibom.cli.precommit [SCAN OPTIONS] FILE...``: the pre-commit hooks' entry point.

It is ``aibom scan`` with the BOM discarded (``-o`` the null device) and ``--verbose``, so a failing
hook shows every finding on stderr (and the files it skipped, with the reason) rather than a page of
CycloneDX JSON. Arguments from a hook's ``args:`` and the staged file names follow, so ``args:
[--fail-on, medium]`` overrides the hook's default threshold (the last value given wins). Exit codes
are ``aibom scan``'s.
"""

from __future__ import annotations

import os
import sys

from aibom.cli.main import main as aibom_main


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    sys.argv = ["aibom", "scan", "--output", os.devnull, "--verbose", *args]
    aibom_main()


if __name__ == "__main__":
    main()
