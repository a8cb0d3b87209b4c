"""Digests the scan does not already have: BLAKE2b/BLAKE3 manifests and byte ranges of sharded ones.

These read the file again (the scan hashes whole files with SHA-256 only), through a fixed buffer, so
memory stays bounded whatever the file size. A whole-file SHA-256 is never recomputed here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from aibom._io import open_regular
from aibom.limits import MiB

BUFFER = 1 * MiB
"""Read size when hashing again; the same as the scan's ``Limits.hash_buffer``."""


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> object: ...

    def hexdigest(self) -> str: ...


class MissingHashLibrary(Exception):
    """BLAKE3 needs the ``blake3`` package (a dependency of model-signing)."""


def new_hasher(algorithm: str) -> _Hasher:
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "blake2b":
        return hashlib.blake2b()
    if algorithm == "blake3":
        try:
            import blake3
        except ImportError:
            raise MissingHashLibrary("blake3 is not installed (pip install blake3)") from None
        hasher: _Hasher = blake3.blake3()
        return hasher
    raise ValueError(f"unsupported algorithm {algorithm}")


def digest_range(path: Path, algorithm: str, start: int | None, end: int | None) -> str:
    """Hex digest of ``path`` (or of bytes ``start``..``end``, end exclusive). Raises ``OSError``."""
    hasher = new_hasher(algorithm)
    with open_regular(path) as fh:
        if start:
            fh.seek(start)
        remaining = None if end is None else end - (start or 0)
        while remaining is None or remaining > 0:
            want = BUFFER if remaining is None else min(BUFFER, remaining)
            chunk = fh.read(want)
            if not chunk:
                break
            hasher.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return hasher.hexdigest()
