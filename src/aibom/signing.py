"""``aibom sign``: scan a model folder (reusing the digest cache) and sign its OMS manifest.

The signed file set is the one ``aibom verify`` checks: every file of the folder (``__pycache__`` and
``node_modules`` included, listed by ``aibom.verify.listing``) except ``.git`` paths, the signature
itself and ``--ignore-path`` values (relative to the folder, ``./`` or absolute inside it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.listing import list_folder
from aibom.verify.paths import GIT_PATHS, check_ignores, under
from aibom.verify.rehash import digest_range
from aibom.verify.sign import (
    ModelFile,
    load_private_key,
    oms_statement,
    sign_keyless,
    sign_statement_with_key,
)

if TYPE_CHECKING:
    from aibom.scan import ScanResult


def _relative(output: Path, model_dir: Path) -> str | None:
    try:
        return output.resolve().relative_to(model_dir.resolve()).as_posix()
    except ValueError:
        return None


def sign_model(
    model_dir: Path,
    output: Path,
    key: Path | None,
    password: bytes | None,
    ignore_paths: tuple[str, ...],
    use_cache: bool,
) -> str:
    """The signature file's text. Refuses to sign a folder with entries it could not read."""
    from aibom.scan import ScanOptions, scan

    private = load_private_key(key, password) if key is not None else None
    ignores = check_ignores(ignore_paths, model_dir) if model_dir.is_dir() else ()
    result = scan(ScanOptions(targets=(model_dir,), reproducible=False, use_cache=use_cache))
    unread = [s for s in result.skipped if not s.deliberate]
    if unread:
        shown = "; ".join(f"{s.path}: {s.reason}" for s in unread[:5])
        raise UsageError(f"cannot sign: {len(unread)} path(s) could not be read ({shown})")
    if model_dir.is_dir():
        inside = _relative(output, model_dir)
        ignored = [*ignores, *([inside] if inside else [])]
        files = folder_files(model_dir, result, ignored)
    else:
        art = result.artifacts[0]
        assert art.digests is not None
        files, ignored = [ModelFile(".", art.digests.sha256)], []
    if not files:
        raise UsageError(f"cannot sign: no files in {model_dir}")
    statement = oms_statement(model_dir.resolve().name, files, ignored)
    if private is not None:
        return sign_statement_with_key(statement, private)
    return sign_keyless(statement)


def folder_files(model_dir: Path, result: ScanResult, ignored: list[str]) -> list[ModelFile]:
    """Every file ``aibom verify`` will count, with the scan's SHA-256 where it has one."""
    skip = (*GIT_PATHS, *ignored)
    listing = list_folder(model_dir, lambda rel: under(rel, skip), DEFAULT_LIMITS)
    problems = [(p, r) for p, r in listing.unreadable.items() if not under(p, skip)]
    if problems or listing.truncated:
        shown = "; ".join(f"{p}: {r}" for p, r in problems[:5]) or "too many files"
        raise UsageError(f"cannot sign: {len(problems)} path(s) could not be read ({shown})")
    known = {str(a.ref.path): a.digests.sha256 for a in result.artifacts if a.digests is not None}
    out = []
    for rel, listed in sorted(listing.files.items()):
        if under(rel, skip):
            continue
        sha256 = known.get(str(listed.path))
        if sha256 is None:
            sha256 = digest_range(listed.path, "sha256", None, None)
        out.append(ModelFile(rel, sha256, listed.is_link))
    return out
