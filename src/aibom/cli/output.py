"""Writing command output: stdout, a special file written in place, or a regular file replaced atomically.

One implementation for every command, so a failed run never leaves half a report behind and
``-o /dev/null`` or a named pipe is written to, never replaced.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from aibom.errors import UsageError


def write_text(text: str, output: Path | None, *, force: bool = True) -> None:
    """Write ``text`` to stdout (``None`` or ``-``) or ``output``. With ``force=False`` an existing
    file is refused rather than replaced."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    exists = output.exists() or output.is_symlink()
    if exists and not force:
        raise UsageError(f"{output} exists", hint="use --force to replace it")
    if exists and not output.is_file():  # /dev/null, a FIFO, a terminal: write in place
        with output.open("w", encoding="utf-8") as fh:
            fh.write(text)
        return
    directory = output.parent if str(output.parent) else Path()
    if not directory.is_dir():  # removed since the arguments were checked: name the user's path
        raise UsageError(f"cannot write {output}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a report should get the usual mode
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        Path(tmp).replace(output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
