"""The files a signed folder holds, listed by verification itself (not by the scan's discovery).

Discovery skips ``__pycache__``, ``node_modules`` and VCS folders for the inventory; a verifier cannot:
a pickle dropped into ``__pycache__/`` is an unsigned extra like any other. This walk lists every
entry under the folder and prunes only the folders the caller says may be left out (the signer's
ignore list, the user's ``--ignore-path`` and ``.git``), and never one that holds a signed path.
Symbolic links to files are listed (Hugging Face snapshots are made of them); links to folders are
not followed, and everything that is not a regular file (FIFOs, sockets, devices, unreadable folders)
is kept as "unreadable" with its reason, so it can never pass silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aibom.limits import Limits


@dataclass(frozen=True)
class Listed:
    path: Path
    """What is opened to hash the file (a link inside the folder, for Hugging Face snapshots)."""
    size: int
    is_link: bool = False


@dataclass
class Listing:
    files: dict[str, Listed] = field(default_factory=dict)
    """POSIX path inside the folder -> file."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """POSIX path inside the folder -> why it was not listed as a file."""
    pruned: list[str] = field(default_factory=list)
    """Folders left out because they may be unsigned (``.git``, ignored folders)."""
    truncated: bool = False
    """More than ``Limits.max_files`` entries, or deeper than ``Limits.max_dir_depth``."""


def list_folder(
    folder: Path,
    prune: Callable[[str], bool],
    limits: Limits,
    *,
    leave_out: tuple[int, int] | None = None,
) -> Listing:
    """Every file under ``folder``. ``prune(rel)`` says whether folder ``rel`` may be skipped whole;
    ``leave_out`` is the (device, inode) of a file not to list (the signature itself)."""
    out = Listing()
    stack: list[tuple[Path, str, int]] = [(folder, "", 0)]
    while stack:
        path, rel, depth = stack.pop()
        if depth > limits.max_dir_depth:
            out.truncated = True
            continue
        try:
            with os.scandir(path) as entries:
                items = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            out.unreadable[rel or "."] = f"cannot read the folder ({exc.strerror or exc})"
            continue
        for entry in items:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if len(out.files) + len(out.unreadable) >= limits.max_files:
                out.truncated = True
                return out
            _add(out, stack, entry, child, depth, prune, leave_out)
    return out


def _add(
    out: Listing,
    stack: list[tuple[Path, str, int]],
    entry: os.DirEntry[str],
    rel: str,
    depth: int,
    prune: Callable[[str], bool],
    leave_out: tuple[int, int] | None,
) -> None:
    try:
        link = entry.is_symlink()
        st = entry.stat()  # follows links: a link's target decides what it is
    except OSError as exc:
        out.unreadable[rel] = f"cannot stat ({exc.strerror or exc})"
        return
    if stat.S_ISDIR(st.st_mode):
        if prune(rel):
            out.pruned.append(rel)
        elif link:
            out.unreadable[rel] = "symbolic link to a folder; not followed"
        else:
            stack.append((Path(entry.path), rel, depth + 1))
    elif stat.S_ISREG(st.st_mode):
        if (st.st_dev, st.st_ino) != leave_out:
            out.files[rel] = Listed(Path(entry.path), st.st_size, link)
    else:
        out.unreadable[rel] = "not a regular file (FIFO, socket or device); not read"
