"""``--ignore-path`` values: absolute, relative or ``./`` paths, resolved against the model folder.

An ignored path "need not be signed" (model-signing's meaning): it is never a missing or extra file,
but a file the signed manifest lists is compared whatever the ignore list says. A relative path is
relative to the model folder; an absolute one must lie inside the target. Anything that escapes it is
a usage error, never silently dropped.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

from aibom.errors import UsageError

GIT_PATHS = (".git", ".gitattributes", ".github", ".gitignore")
"""What model-signing leaves out by default (``ignore_git_paths=True``), at the model root only; a
manifest that signs them anyway has them compared like any other file."""


def relative_ignore(value: str, folder: Path) -> str | None:
    """``value`` as a POSIX path inside ``folder``; ``None`` for an absolute path outside it. Raises
    ``UsageError`` for a relative path that climbs out with ``..``."""
    if Path(value).is_absolute():
        try:
            rel = Path(value).relative_to(folder.absolute())
        except ValueError:
            try:
                rel = Path(value).resolve().relative_to(folder.resolve())
            except ValueError:
                return None
        return _clean(rel.as_posix(), value)
    return _clean(value.replace(os.sep, "/"), value)


def _clean(rel: str, shown: str) -> str:
    norm = posixpath.normpath(rel) if rel else "."
    if norm == ".." or norm.startswith("../"):
        raise UsageError(
            f"--ignore-path {shown!r} is outside the model folder",
            hint="give a path inside the folder: relative to it, ./name, or absolute",
        )
    return norm


def check_ignores(values: Iterable[str], target: Path) -> tuple[str, ...]:
    """Validate every value against the scan target before any work; a path outside it (absolute
    or climbing with ``..``) is a usage error. Returns the values as paths inside the target."""
    base = target if target.is_dir() else target.parent
    out = []
    for value in values:
        rel = relative_ignore(value, base)
        if rel is None:
            raise UsageError(
                f"--ignore-path {value!r} is outside {target}",
                hint="give a path inside the folder: relative to it, ./name, or absolute",
            )
        out.append(rel)
    return tuple(out)


def under(path: str, prefixes: Iterable[str]) -> bool:
    """``path`` is one of ``prefixes`` or inside one of them ("." covers everything)."""
    for raw in prefixes:
        p = posixpath.normpath(raw.strip("/")) if raw.strip("/") else ""
        if p == ".":
            return True
        if p and (path == p or path.startswith(p + "/")):
            return True
    return False
