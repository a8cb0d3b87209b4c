"""``aibom sign``: scan a model folder (reusing the digest cache) and sign its OMS manifest."""

from __future__ import annotations

import os
from pathlib import Path

from aibom.errors import UsageError
from aibom.verify.sign import (
    ModelFile,
    load_private_key,
    model_files,
    oms_statement,
    sign_keyless,
    sign_statement_with_key,
)


def excluded_dirs(root: Path) -> list[str]:
    """Folders discovery never walks (``__pycache__``, ``.tox``, ...) but model-signing would hash:
    they go into the manifest's ``ignore_paths`` so both verifiers see the same file set."""
    from aibom.sources.discover import DEFAULT_EXCLUDES

    names = frozenset(DEFAULT_EXCLUDES)
    out = []
    for dirpath, dirs, _files in os.walk(root):
        for name in list(dirs):
            if name in names:
                out.append((Path(dirpath) / name).relative_to(root).as_posix())
                dirs.remove(name)
    return sorted(out)


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
    """The signature file's text. Refuses to sign a folder with files it could not read."""
    from aibom.scan import ScanOptions, scan

    private = load_private_key(key, password) if key is not None else None
    result = scan(ScanOptions(targets=(model_dir,), reproducible=False, use_cache=use_cache))
    if result.skipped:
        shown = "; ".join(f"{s.path}: {s.reason}" for s in result.skipped[:5])
        raise UsageError(f"cannot sign: {len(result.skipped)} path(s) could not be read ({shown})")
    if model_dir.is_dir():
        inside = _relative(output, model_dir)
        ignored = [*ignore_paths, *excluded_dirs(model_dir), *([inside] if inside else [])]
        files = model_files(result.artifacts, ignored)
    else:
        art = result.artifacts[0]
        assert art.digests is not None
        files, ignored = [ModelFile(".", art.digests.sha256)], []
    if not files:
        raise UsageError(f"cannot sign: no files in {model_dir}")
    statement = oms_statement(model_dir.resolve().name, files, ignored)
    if private is not None:
        return sign_statement_with_key(statement, private)
    return sign_keyless(statement)  # pragma: no cover - online
