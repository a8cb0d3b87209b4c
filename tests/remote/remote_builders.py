"""Inputs for the remote tests: torch-style zips with a malicious pickle, built with ``zipfile``."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

from aibom.formats import CATALOG
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.sources.remote import RemoteOptions, RemoteSnapshot, resolve_remote
from aibom.sources.remote.fetch import DownloadMode


class Evil:
    """Pickles to ``os.system(...)`` called by REDUCE. Only ever dumped, never loaded."""

    def __init__(self, padding: int = 0) -> None:
        self.padding = padding

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo aibom-test" + " " * self.padding,))


def evil_pickle(padding: int = 0) -> bytes:
    return pickle.dumps(Evil(padding), protocol=2)


def torch_zip(pkl: bytes, storage: bytes, *, pkl_first: bool = False) -> bytes:
    """The member layout ``torch.save`` writes (stored, not deflated), with ``data.pkl`` either first
    or after the tensor storage."""
    members = [
        ("archive/byteorder", b"little"),
        ("archive/data/0", storage),
        ("archive/data.pkl", pkl),
        ("archive/version", b"3\n"),
        ("archive/.data/serialization_id", b"0123456789"),
    ]
    if pkl_first:
        members.insert(0, members.pop(2))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def member_extent(archive: bytes, name: str) -> tuple[int, int]:
    """Half-open extent of a member's data in the archive."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(name)
        with zf.open(info) as fh:
            fh.read(0)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return start, start + info.compress_size


def fast(
    download: DownloadMode = "risky", byte_budget: int = 64 * 1024 * 1024, token: str | None = None
) -> RemoteOptions:
    """Options with short timeouts and waits, for tests."""
    return RemoteOptions(
        download=download,
        byte_budget=byte_budget,
        token=token,
        timeout=5.0,
        retries=2,
        backoff=0.01,
        max_retry_wait=0.05,
    )


def resolve(
    target: str, options: RemoteOptions, workdir: Path, limits: Limits = DEFAULT_LIMITS
) -> RemoteSnapshot:
    """``resolve_remote`` with the real format catalog."""
    return resolve_remote(target, options, workdir, limits, catalog=CATALOG)
