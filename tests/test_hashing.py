from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from aibom.artifacts import FileRef
from aibom.limits import Limits
from aibom.sources import hashing
from aibom.sources.discover import discover
from aibom.sources.hashing import DigestCache, HashResult, hash_files
from tests.builders import git_blob_sha1


def refs(root: Path) -> list[FileRef]:
    return discover([root]).files


def no_git(_ref: FileRef) -> bool:
    return False


def test_sha256_matches_hashlib_across_buffer_boundaries(tmp_path: Path) -> None:
    sizes = {"zero": 0, "one": 1, "exact": 4096, "odd": 10_007, "multi": 3 * 4096 + 5}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(os.urandom(size))
    limits = Limits(hash_buffer=4096, head_bytes=100)
    files = refs(tmp_path)
    for ref, result in zip(files, hash_files(files, no_git, None, limits, workers=2), strict=False):
        data = ref.path.read_bytes()
        assert result.digests is not None
        assert result.digests.sha256 == hashlib.sha256(data).hexdigest()
        assert result.head == data[:100]
        assert result.error is None


def test_git_blob_sha1_matches_git(tmp_path: Path) -> None:
    data = b"hello\nworld\n" * 1000
    (tmp_path / "f.txt").write_bytes(data)
    (result,) = hash_files(refs(tmp_path), lambda _r: True, None, Limits(hash_buffer=1000))
    assert result.digests is not None
    expected = subprocess.run(
        ["git", "hash-object", str(tmp_path / "f.txt")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert result.digests.git_sha1 == expected == git_blob_sha1(data)


def test_cache_serves_unchanged_files_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.bin").write_bytes(b"a" * 5000)
    cache = DigestCache(tmp_path / "cache")
    first = hash_files(refs(tmp_path / "data"), no_git, cache)
    assert not first[0].cached

    def explode(*_args: object) -> HashResult:
        raise AssertionError("file was read again")

    monkeypatch.setattr(hashing, "hash_one", explode)
    second = hash_files(refs(tmp_path / "data"), no_git, cache)
    assert second[0].cached
    assert second[0].digests == first[0].digests
    assert second[0].head == first[0].head
    cache.close()


def test_cache_misses_when_content_changes_even_with_same_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "data" / "a.bin"
    path.parent.mkdir()
    path.write_bytes(b"a" * 100)
    cache = DigestCache(tmp_path / "cache")
    (before,) = hash_files(refs(path.parent), no_git, cache)
    st = path.stat()
    path.write_bytes(b"b" * 100)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # restore mtime; ctime still moves
    (after,) = hash_files(refs(path.parent), no_git, cache)
    assert not after.cached
    assert after.digests is not None and before.digests is not None
    assert after.digests.sha256 == hashlib.sha256(b"b" * 100).hexdigest() != before.digests.sha256
    cache.close()


def test_cache_entry_without_git_sha1_is_recomputed_when_needed(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_bytes(b"abc")
    cache = DigestCache(tmp_path / "cache")
    hash_files(refs(tmp_path / "d"), no_git, cache)
    (again,) = hash_files(refs(tmp_path / "d"), lambda _r: True, cache)
    assert not again.cached
    assert again.digests is not None and again.digests.git_sha1 == git_blob_sha1(b"abc")
    cache.close()


def test_corrupt_cache_is_disabled_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / hashing.CACHE_FILE).write_bytes(b"this is not sqlite" * 100)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_bytes(b"abc")
    cache = DigestCache(tmp_path / "cache")
    (result,) = hash_files(refs(tmp_path / "d"), no_git, cache)
    assert result.digests is not None
    assert cache.problem is not None and "disabled" in cache.problem
    cache.close()


def test_hard_links_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").write_bytes(b"x" * 10)
    os.link(tmp_path / "a", tmp_path / "b")
    calls: list[Path] = []
    real = hashing.hash_one

    def counting(path: Path, *args: object) -> HashResult:
        calls.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(hashing, "hash_one", counting)
    results = hash_files(refs(tmp_path), no_git, None)
    assert len(calls) == 1
    assert results[0].digests == results[1].digests


def test_fifo_swapped_in_after_discovery_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"data")
    files = refs(tmp_path)
    path.unlink()
    os.mkfifo(path)
    (result,) = hash_files(files, no_git, None)
    assert result.digests is None
    assert result.error == "not a regular file at read time; not read"


def test_file_that_changes_size_during_scan_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"data")
    files = refs(tmp_path)
    path.write_bytes(b"longer data")
    (result,) = hash_files(files, no_git, None)
    assert result.digests is None
    assert result.error is not None and "changed while being read" in result.error


def test_default_cache_dir_honours_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(hashing.CACHE_ENV, str(tmp_path / "c"))
    assert hashing.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv(hashing.CACHE_ENV)
    assert hashing.default_cache_dir().name == "aibom"
