"""The one way aibom opens untrusted files: never blocking on a FIFO or device, never reading unbounded.

Every stage that reads a file it did not write goes through ``open_regular`` (for streams) or
``read_bounded`` (for small documents read whole). ``InputTooLarge`` is neutral: each caller re-raises
it as its own error type (a bundle error, a usage error) with the words its user needs.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class InputTooLarge(ValueError):
    """A file is larger than the ceiling its reader allows; nothing was parsed."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is larger than {limit} bytes; not read")
        self.what = what
        self.limit = limit


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading without ever blocking: a FIFO or device swapped in after discovery is
    refused (``OSError``) instead of hanging the scan."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file at read time")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """Read a small file whole, refusing FIFOs, devices and anything over ``limit`` bytes."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(what, limit)
    return data
