"""Offline advisories: OSV's PyPI export (``all.zip``, one JSON record per member) indexed once into
SQLite in the user cache directory, then queried by package name.

The index is keyed by the zip's size, modification time and the SHA-256 of its central directory (which
holds every member's CRC-32 and sizes), so a new export is indexed again and an unchanged one is not.
Every member is bounded before it is decoded; broken members are counted and skipped, never fatal.
Pickle is banned in this codebase: the cache is SQLite holding OSV JSON.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aibom.errors import AibomError
from aibom.limits import DEFAULT_LIMITS
from aibom.sources.remote.ziptail import TAIL_BYTES, ZipTailError, central_directory
from aibom.vulns.match import ECOSYSTEM, PackageKey, normalize_name
from aibom.vulns.osv import OsvFormatError, OsvRecord, parse_record, record_to_json

INDEX_FORMAT = 1
CACHE_KEEP = 3
"""Index files kept in the cache directory (older ones are removed after a build)."""
QUERY_CHUNK = 500
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE affected (name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, id)) WITHOUT ROWID;
"""


class DatabaseError(AibomError):
    """The offline OSV database cannot be used."""


@dataclass
class IndexStats:
    records: int = 0
    withdrawn: int = 0
    skipped: list[str] = field(default_factory=list)
    """Members not indexed, with the reason (the first ``MAX_SKIPPED_KEPT``)."""
    skipped_count: int = 0
    built: bool = False
    """True when this run built the index; False when it came from the cache."""


MAX_SKIPPED_KEPT = 20


def _check_file(path: Path) -> os.stat_result:
    try:
        st = path.stat()
    except OSError as exc:
        raise DatabaseError(f"cannot read the OSV database {path}: {exc.strerror or exc}") from exc
    if st.st_size > DEFAULT_LIMITS.max_osv_database_bytes:
        raise DatabaseError(
            f"{path} is larger than {DEFAULT_LIMITS.max_osv_database_bytes} bytes; not an OSV export"
        )
    return st


def fingerprint(path: Path) -> str:
    """Cache key: format, size, mtime and SHA-256 of the central directory."""
    st = _check_file(path)
    with path.open("rb") as fh:
        tail_start = max(0, st.st_size - TAIL_BYTES)
        fh.seek(tail_start)
        try:
            cd = central_directory(fh.read(), tail_start)
        except ZipTailError as exc:
            raise DatabaseError(f"{path} is not a zip archive: {exc}") from exc
        if (
            cd.entries > DEFAULT_LIMITS.max_osv_database_members
            or cd.size > DEFAULT_LIMITS.max_osv_central_directory
        ):
            raise DatabaseError(f"{path}: {cd.entries} members / {cd.size} bytes of directory")
        fh.seek(cd.start)
        digest = hashlib.sha256(fh.read(cd.size))
    digest.update(f"|{INDEX_FORMAT}|{st.st_size}|{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def _skip(stats: IndexStats, member: str, reason: str) -> None:
    stats.skipped_count += 1
    if len(stats.skipped) < MAX_SKIPPED_KEPT:
        stats.skipped.append(f"{member}: {reason}")


def _decode(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> OsvRecord:
    with zf.open(info) as fh:
        data = fh.read(DEFAULT_LIMITS.max_osv_record_bytes + 1)
    if len(data) > DEFAULT_LIMITS.max_osv_record_bytes:
        raise OsvFormatError(f"record larger than {DEFAULT_LIMITS.max_osv_record_bytes} bytes")
    return parse_record(json.loads(data))


def _store(db: sqlite3.Connection, record: OsvRecord) -> bool:
    names = {normalize_name(a.name) for a in record.affected if a.ecosystem == ECOSYSTEM and a.name}
    if not names:
        return False
    text = json.dumps(record_to_json(record), separators=(",", ":"), ensure_ascii=False)
    db.execute("INSERT OR REPLACE INTO advisories (id, json) VALUES (?, ?)", (record.id, text))
    db.executemany(
        "INSERT OR IGNORE INTO affected (name, id) VALUES (?, ?)", [(n, record.id) for n in names]
    )
    return True


def _index_members(zf: zipfile.ZipFile, db: sqlite3.Connection, stats: IndexStats) -> None:
    total = 0
    for info in zf.infolist()[: DEFAULT_LIMITS.max_osv_database_members]:
        if info.is_dir() or not info.filename.endswith(".json"):
            continue
        if info.file_size > DEFAULT_LIMITS.max_osv_record_bytes:
            _skip(stats, info.filename, f"declares {info.file_size} bytes")
            continue
        total += info.file_size
        if total > DEFAULT_LIMITS.max_osv_total_bytes:
            raise DatabaseError(
                f"the export decompresses to more than {DEFAULT_LIMITS.max_osv_total_bytes} bytes"
            )
        try:
            record = _decode(zf, info)
        except (zipfile.BadZipFile, OSError, ValueError, RecursionError, OsvFormatError) as exc:
            _skip(stats, info.filename, f"{type(exc).__name__}: {str(exc)[:200]}")
            continue
        if record.withdrawn:
            stats.withdrawn += 1
        elif _store(db, record):
            stats.records += 1


def build_index(source: Path, target: Path) -> IndexStats:
    """Index ``source`` into a new SQLite file at ``target`` (written aside, then moved in place)."""
    stats = IndexStats(built=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".osv-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.executescript(_SCHEMA)
            try:
                with zipfile.ZipFile(source) as zf:
                    _index_members(zf, db, stats)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise DatabaseError(f"cannot read the OSV export {source}: {exc}") from exc
            meta = {
                "records": stats.records,
                "withdrawn": stats.withdrawn,
                "skipped": stats.skipped_count,
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
            db.execute(
                "INSERT INTO meta VALUES ('skipped-detail', ?)", (json.dumps(stats.skipped),)
            )
            db.commit()
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return stats


def _prune(directory: Path, keep: Path) -> None:
    others = sorted(
        (p for p in directory.glob("osv-pypi-*.sqlite3") if p != keep),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in others[CACHE_KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()


def _read_stats(db: sqlite3.Connection) -> IndexStats:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    detail = json.loads(meta.get("skipped-detail", "[]"))
    return IndexStats(
        records=int(meta.get("records", 0)),
        withdrawn=int(meta.get("withdrawn", 0)),
        skipped=[str(s) for s in detail] if isinstance(detail, list) else [],
        skipped_count=int(meta.get("skipped", 0)),
    )


class OfflineDatabase:
    """A ``VulnSource`` over an indexed OSV export."""

    prefiltered = False

    def __init__(self, path: Path, cache_dir: Path | None = None) -> None:
        self.path = path
        key = fingerprint(path)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        directory = self._cache_directory(cache_dir)
        self.index_path = directory / f"osv-pypi-{key[:32]}.sqlite3"
        built: IndexStats | None = None
        if not self.index_path.is_file():
            built = build_index(path, self.index_path)
            _prune(directory, self.index_path)
        try:
            self._db, stats = self._open()
        except sqlite3.DatabaseError:  # a damaged cache file: index again
            self.index_path.unlink(missing_ok=True)
            built = build_index(path, self.index_path)
            self._db, stats = self._open()
        self.stats = built or stats
        self.label = f"OSV offline database {path.name} ({self.stats.records} advisories)"
        self._records: dict[str, OsvRecord] = {}

    def _open(self) -> tuple[sqlite3.Connection, IndexStats]:
        uri = self.index_path.resolve().as_uri() + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            return db, _read_stats(db)
        except (sqlite3.DatabaseError, ValueError):
            db.close()
            raise sqlite3.DatabaseError("unreadable index") from None

    def _cache_directory(self, cache_dir: Path | None) -> Path:
        from aibom.sources.hashing import default_cache_dir

        directory = (cache_dir or default_cache_dir()) / "osv"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            probe = directory / ".write-test"
            probe.touch()
            probe.unlink()
        except OSError:
            self._tmp = tempfile.TemporaryDirectory(prefix="aibom-osv-")
            return Path(self._tmp.name)
        return directory

    def _record(self, advisory_id: str, text: str) -> OsvRecord:
        record = self._records.get(advisory_id)
        if record is None:
            record = parse_record(json.loads(text))
            self._records[advisory_id] = record
        return record

    def query(self, packages: Sequence[PackageKey]) -> dict[PackageKey, list[OsvRecord]]:
        names = sorted({name for name, _ in packages})
        by_name: dict[str, list[OsvRecord]] = {}
        for start in range(0, len(names), QUERY_CHUNK):
            chunk = names[start : start + QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT f.name, a.id, a.json FROM affected f JOIN advisories a ON a.id = f.id WHERE f.name IN ({marks})"  # noqa: S608 - only '?' marks are formatted in
            rows = self._db.execute(sql, chunk).fetchall()
            for name, advisory_id, text in rows:
                by_name.setdefault(name, []).append(self._record(advisory_id, text))
        return {key: by_name.get(key[0], []) for key in packages}

    def close(self) -> None:
        self._db.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> OfflineDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def offline_source(path: Path, cache_dir: Path | None = None) -> OfflineDatabase:
    """Open (indexing on first use) the OSV export at ``path``."""
    return OfflineDatabase(path, cache_dir)
