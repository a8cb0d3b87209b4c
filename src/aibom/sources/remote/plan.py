"""Which bytes of a remote file inspection needs: zip member spans, format hints from the head, and
the digest checks of whole downloads. Pure functions, no network."""

from __future__ import annotations

import hashlib
import itertools
import posixpath
import zipfile
from pathlib import Path

from aibom.catalog import Catalog
from aibom.limits import MiB
from aibom.sources.remote.hub import ListedFile

TINY_MEMBER = 256
"""Zip members up to this compressed size are fetched too (``version``, ``byteorder`` records)."""


_METADATA_NAMES = frozenset(
    {"readme.md", "config.json", "model_index.json", "generation_config.json", "requirements.txt"}
)

_MEDIA_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".wav", ".mp3", ".flac", ".mp4", ".webp", ".gif"}
)
"""Media files are not formats aibom knows; their heads are not worth a request."""


def member_spans(
    infos: list[zipfile.ZipInfo], cd_start: int, suffixes: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Half-open spans (local header + data + descriptor) of the members inspection needs (those named
    with ``suffixes``, ``Catalog.member_suffixes``: pickles, numpy arrays, TorchScript code and Keras
    configs; tensor storages and HDF5 weights are not fetched), merged when
    they touch. A member's span ends where the next member (or the central directory) begins, capped at
    the largest a local header plus the declared compressed size can take."""
    offsets = sorted({i.header_offset for i in infos} | {cd_start})
    following = dict(itertools.pairwise(offsets))
    spans: list[tuple[int, int]] = []
    for info in sorted(infos, key=lambda i: i.header_offset):
        if not wanted_member(info, suffixes) or info.header_offset >= cd_start:
            continue
        cap = info.header_offset + 30 + 2 * 0xFFFF + info.compress_size + 24
        end = min(following.get(info.header_offset, cd_start), cap)
        if spans and spans[-1][1] >= info.header_offset:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((info.header_offset, end))
    return spans


def wanted_member(info: zipfile.ZipInfo, suffixes: tuple[str, ...]) -> bool:
    name = info.filename.lower()
    return name.endswith(suffixes) or info.compress_size <= TINY_MEMBER


def missing(wanted: list[tuple[int, int]], have: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of the ``wanted`` spans not already covered by ``have``."""
    out: list[tuple[int, int]] = []
    for start, end in wanted:
        pos = start
        for a, b in sorted(have):
            if b <= pos or a >= end:
                continue
            if a > pos:
                out.append((pos, a))
            pos = max(pos, b)
        if pos < end:
            out.append((pos, end))
    return out


def is_metadata(relpath: str) -> bool:
    name = posixpath.basename(relpath).lower()
    return (
        name in _METADATA_NAMES
        or name.endswith((".index.json", "_config.json"))
        or name == "pyproject.toml"
    )


def probe_worthy(relpath: str, catalog: Catalog) -> bool:
    """Large files whose head is worth fetching: anything but well-known data and media formats."""
    suffix = posixpath.splitext(relpath.lower())[1]
    return suffix not in catalog.unprobed_suffixes and suffix not in _MEDIA_SUFFIXES


def looks_like_pickle(head: bytes, relpath: str, catalog: Catalog) -> bool:
    from aibom.sources.sniff_pickle import TORCH_LEGACY_MAGIC

    if head.startswith(TORCH_LEGACY_MAGIC) or (
        len(head) > 1 and head[0] == 0x80 and 2 <= head[1] <= 5
    ):
        return True
    suffix = posixpath.splitext(relpath.lower())[1]
    return suffix in catalog.pickle_suffixes and head[:1] in (b"(", b"c", b"}", b"]")


def git_sha1(path: Path, size: int) -> str:
    digest = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 * MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_mismatch(listed: ListedFile, sha256: str | None, git_sha: str | None) -> str | None:
    """How the digests of a whole download disagree with the declared ones (None: they agree)."""
    if listed.lfs_sha256 and sha256 != listed.lfs_sha256:
        return f"content SHA-256 {sha256} differs from the declared {listed.lfs_sha256}"
    blob = listed.blob_id
    if blob and git_sha and len(blob) == 40 and git_sha != blob:
        return f"content git blob id {git_sha} differs from the declared {blob}"
    return None
