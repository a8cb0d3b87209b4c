"""Strict click parameter types shared by every command: sizes and output paths.

Both are checked while the arguments are parsed, so a typo is a usage error (exit 2) before any work
starts: ``--byte-budget lots`` is refused even when no option uses it in this run, and ``-o
missing/bom.json`` is refused before a scan of many minutes, naming the path the user gave rather than
the temporary file the atomic write would have made.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # click >= 8.2 types ParamType by its value; 8.1 (still supported) is not generic
    _SizeBase = click.ParamType[int]
    _PathBase = click.ParamType[Path]
else:
    _SizeBase = _PathBase = click.ParamType

_SIZE = re.compile(r"\s*(\d{1,18})\s*([A-Za-z]{0,3})\s*")
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
    "t": 1024**4,
    "tb": 1000**4,
    "tib": 1024**4,
}
MAX_SIZE = 2**63 - 1
"""The largest size accepted: what fits a signed 64-bit file offset."""


def parse_size(text: str) -> int | None:
    """``512MiB`` -> 536870912, ``10G`` -> 10 GiB (one letter is binary, as in ``du`` and Docker),
    ``200MB`` -> 200,000,000, ``1000`` -> 1000 bytes; ``None`` for anything else (case-insensitive)."""
    match = _SIZE.fullmatch(text)
    if match is None or match[2].lower() not in _SIZE_UNITS:
        return None
    size = int(match[1]) * _SIZE_UNITS[match[2].lower()]
    return size if size <= MAX_SIZE else None


class SizeType(_SizeBase):
    """A byte count: digits with an optional unit (B, K/KiB, M/MiB, G/GiB, T/TiB binary; KB, MB, GB,
    TB decimal). Anything else, a fraction or a negative number is a usage error."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SIZE:
            return value
        size = parse_size(str(value))
        if size is None:
            self.fail(f"{str(value)!r} is not a size like 1000, 512MiB, 200MB or 10G", param, ctx)
        return size


SIZE = SizeType()


class OutputPath(_PathBase):
    """A file to write: ``-`` (stdout), or a path whose folder exists and is writable and that is not
    itself a folder. Checked up front so that a long run never ends in a failed write."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = value if isinstance(value, Path) else Path(str(value))
        if str(path) == "-":
            return path
        if path.is_dir():
            self.fail(f"{str(path)!r} is a folder; name a file to write", param, ctx)
        folder = path.parent
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            self.fail(f"cannot write {str(path)!r}: folder {str(folder)!r} {what}", param, ctx)
        if not os.access(folder, os.W_OK | os.X_OK):
            self.fail(
                f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable", param, ctx
            )
        return path


OUTPUT = OutputPath()
