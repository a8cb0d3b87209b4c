"""Streaming SHA-256 (and git-blob SHA-1) of every file, in parallel, with a persistent digest cache.

Each file is read once per scan, through one bounded buffer per worker; the first bytes are kept for
classification so no later stage re-reads them. hashlib releases the GIL on large updates, so worker
threads hash on all cores.

The cache (SQLite in the user cache directory) is keyed by device, inode, size, mtime_ns and ctime_ns.
ctime cannot be set from user space, so a file rewritten with its old mtime restored is still re-hashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aibom.artifacts import Digests, FileRef, FileStat
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.progress import NullProgress, Progress

CACHE_ENV = "AIBOM_CACHE_DIR"
CACHE_FILE = "digests-v2.sqlite3"


@dataclass(frozen=True)
class HashResult:
    digests: Digests | None
    head: bytes
    error: str | None = None
    cached: bool = False


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("aibom", appauthor=False))


class DigestCache:
    """Digests of files seen before. Any database problem disables the cache instead of failing."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / CACHE_FILE
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS digests (file TEXT PRIMARY KEY, size INTEGER,"
                " mtime_ns INTEGER, ctime_ns INTEGER, sha256 TEXT, git_sha1 TEXT, head BLOB)"
                " WITHOUT ROWID"
            )
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)

    def _disable(self, exc: BaseException) -> None:
        self.problem = f"digest cache disabled ({self.path}): {exc}"
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def get(self, st: FileStat, need_git: bool) -> HashResult | None:
        return self.get_many([(st, need_git)])[0]

    def get_many(self, wanted: Sequence[tuple[FileStat, bool]]) -> list[HashResult | None]:
        """Look up many files in few queries (one per ``_BATCH`` files)."""
        keys = [_key(st) for st, _ in wanted]
        rows: dict[str, tuple[object, ...]] = {}
        for start in range(0, len(keys) if self._db is not None else 0, _BATCH):
            chunk = keys[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {_COLUMNS} FROM digests WHERE file IN ({marks})"  # noqa: S608 - only "?" marks
            try:
                assert self._db is not None
                rows.update((r[0], r[1:]) for r in self._db.execute(query, chunk))
            except sqlite3.Error as exc:
                self._disable(exc)
                return [None] * len(wanted)
        return [_hit(rows.get(k), st, need) for k, (st, need) in zip(keys, wanted, strict=True)]

    def put(self, items: Sequence[tuple[FileStat, HashResult]]) -> None:
        if self._db is None:
            return
        rows = [
            (
                _key(st),
                st.size,
                st.mtime_ns,
                st.ctime_ns,
                r.digests.sha256,
                r.digests.git_sha1,
                r.head,
            )
            for st, r in items
            if r.digests is not None and not r.cached
        ]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO digests VALUES (?,?,?,?,?,?,?)", rows)
        except sqlite3.Error as exc:
            self._disable(exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _hit(row: tuple[object, ...] | None, st: FileStat, need_git: bool) -> HashResult | None:
    if row is None or tuple(row[:3]) != (st.size, st.mtime_ns, st.ctime_ns):
        return None
    sha256, git_sha1, head = row[3], row[4], row[5]
    if (
        (need_git and git_sha1 is None)
        or not isinstance(sha256, str)
        or not isinstance(head, bytes)
    ):
        return None
    return HashResult(
        Digests(sha256, git_sha1 if isinstance(git_sha1, str) else None), head, cached=True
    )


_BATCH = 500
_COLUMNS = "file, size, mtime_ns, ctime_ns, sha256, git_sha1, head"


def _key(st: FileStat) -> str:
    return f"{st.dev}:{st.ino}"


def hash_one(
    path: Path, size: int, want_git: bool, limits: Limits, on_bytes: Callable[[int], None]
) -> HashResult:
    """Hash one regular file. Opening never blocks (a FIFO swapped in after discovery is refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return HashResult(None, b"", f"cannot open: {exc.strerror}")
    with os.fdopen(fd, "rb", buffering=0) as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return HashResult(None, b"", "not a regular file at read time; not read")
        return _stream(fh, size, want_git, limits, on_bytes)


def _stream(
    fh: object, size: int, want_git: bool, limits: Limits, on_bytes: Callable[[int], None]
) -> HashResult:
    assert hasattr(fh, "readinto")
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False) if want_git else None
    buf = bytearray(min(limits.hash_buffer, size + 1))  # +1: a file that grew is noticed
    view = memoryview(buf)
    head = b""
    total = 0
    try:
        while n := fh.readinto(buf):
            chunk = view[:n]
            if total < limits.head_bytes:
                head += bytes(chunk[: limits.head_bytes - total])
            sha256.update(chunk)
            if sha1 is not None:
                sha1.update(chunk)
            total += n
            on_bytes(n)
            if total > size:
                break  # it grew since discovery: stop here rather than follow a growing file
    except OSError as exc:
        return HashResult(None, head, f"read error after {total} bytes: {exc.strerror}")
    if total != size:
        return HashResult(
            None, head, f"file changed while being read ({size} bytes expected, {total} read)"
        )
    return HashResult(Digests(sha256.hexdigest(), sha1.hexdigest() if sha1 else None), head)


def hash_files(
    refs: Sequence[FileRef],
    want_git: Callable[[FileRef], bool],
    cache: DigestCache | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    workers: int | None = None,
) -> list[HashResult]:
    """One result per ref, in order. Files sharing an inode (hard links, HF blobs) are read once."""
    progress = progress or NullProgress()
    unique: dict[tuple[int, int], int] = {}
    for i, ref in enumerate(refs):
        unique.setdefault((ref.stat.dev, ref.stat.ino), i)
    results: dict[int, HashResult] = {}
    todo: list[int] = []
    indices = list(unique.values())
    hits = cache.get_many([(refs[i].stat, want_git(refs[i])) for i in indices]) if cache else []
    for n, i in enumerate(indices):
        hit = hits[n] if hits else None
        if hit is not None:
            results[i] = hit
        else:
            todo.append(i)
    _hash_parallel(refs, todo, want_git, limits, progress, workers, results)
    if cache is not None:
        cache.put([(refs[i].stat, results[i]) for i in todo])
    return [results[unique[(r.stat.dev, r.stat.ino)]] for r in refs]


_STOP_GRACE_SECONDS = 5.0
"""How long an interrupted scan waits for a worker to finish its current chunk (a read stuck on a dead
network mount is abandoned: the workers are daemon threads)."""


class _Stopped(Exception):
    """Raised inside a worker's read loop once the scan is being stopped."""


def _hash_parallel(
    refs: Sequence[FileRef],
    todo: list[int],
    want_git: Callable[[FileRef], bool],
    limits: Limits,
    progress: Progress,
    workers: int | None,
    results: dict[int, HashResult],
) -> None:
    progress.begin("hashing", len(todo), sum(refs[i].stat.size for i in todo))
    # Largest first keeps both cores busy to the end when sizes are uneven. Workers pull from one
    # shared iterator, so memory stays flat however many files there are (no future per file).
    order = iter(sorted(todo, key=lambda i: -refs[i].stat.size))
    lock = threading.Lock()
    stop = threading.Event()  # set when the main thread is interrupted (Ctrl-C) or fails

    def on_bytes(n: int) -> None:
        if stop.is_set():
            raise _Stopped
        progress.advance(0, n)

    def worker() -> None:
        while not stop.is_set():
            with lock:
                i = next(order, None)
            if i is None:
                return
            ref = refs[i]
            try:
                result = hash_one(ref.path, ref.stat.size, want_git(ref), limits, on_bytes)
            except _Stopped:
                return
            except Exception as exc:  # a bug must not lose the other files
                result = HashResult(None, b"", f"internal error while hashing: {exc!r}")
            results[i] = result  # distinct keys per worker; dict item assignment is atomic
            progress.advance(1, 0)

    count = max(1, min(workers or os.cpu_count() or 2, len(todo)))
    # Daemon threads, stopped at the next chunk on interrupt: Ctrl-C during a 100 GB file ends the
    # run now, not when the file is hashed (the interpreter would otherwise wait for the workers).
    threads = [
        threading.Thread(target=worker, name=f"aibom-hash-{n}", daemon=True) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        for thread in threads:
            thread.join(timeout=_STOP_GRACE_SECONDS)
        raise
    progress.end()
