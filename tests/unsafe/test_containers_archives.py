"""Compressed streams, tar, 7z (py7zr), numpy and joblib containers."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import zlib
from pathlib import Path

import joblib  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pytest

from aibom.artifacts import Artifact, FileRef, FileStat, Format, Kind
from aibom.findings import Finding, Severity
from aibom.formats import inspect_artifact
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.scan import ScanOptions, scan
from tests.unsafe.payloads import evil_call, npy, npy_object


def _scan(tmp_path: Path, name: str, data: bytes, limits: Limits | None = None) -> list[Finding]:
    folder = tmp_path / name.replace(".", "_")
    folder.mkdir()
    (folder / name).write_bytes(data)
    options = ScanOptions(targets=(folder,), use_cache=False, limits=limits or DEFAULT_LIMITS)
    result = scan(options)
    assert not result.skipped, result.skipped
    return [
        f
        for f in result.findings
        if f.check.id.split("-")[1] in ("PKL", "ZIP", "ARC", "FMT", "LIM")
    ]


def _inspect(path: Path, fmt: Format) -> list[Finding]:
    stat = path.stat()
    ref = FileRef(path, path.name, path.name, FileStat(stat.st_dev, stat.st_ino, stat.st_size, 0))
    return inspect_artifact(
        Artifact(ref, Kind.WEIGHTS, fmt, "test", None, path.read_bytes()[:4096])
    ).findings


EVIL = evil_call("os", "system", "id")


@pytest.mark.parametrize(
    ("name", "wrap"),
    [
        ("m.pkl.gz", lambda d: gzip.compress(d, mtime=0)),
        ("m.pkl.bz2", bz2.compress),
        ("m.pkl.xz", lzma.compress),
        ("m.pkl.gz", lambda d: gzip.compress(b"", mtime=0) + gzip.compress(d, mtime=0)),
    ],
)
def test_compressed_pickles(tmp_path: Path, name: str, wrap: object) -> None:
    findings = _scan(tmp_path, name, wrap(EVIL))  # type: ignore[operator]
    assert any(f.check.id == "AIBOM-PKL-001" and f.member == "m.pkl" for f in findings)


def test_zstd_when_available(tmp_path: Path) -> None:
    zstd = (
        pytest.importorskip("backports.zstd")
        if sys.version_info < (3, 14)
        else pytest.importorskip("compression.zstd")
    )
    findings = _scan(tmp_path, "m.pkl.zst", zstd.compress(EVIL))
    assert any(f.check.id == "AIBOM-PKL-001" for f in findings)


def test_gzip_bomb_is_a_finding(tmp_path: Path) -> None:
    bomb = gzip.compress(
        b"\x80\x04\x8e" + (70 << 20).to_bytes(8, "little") + b"\0" * (70 << 20), mtime=0
    )
    findings = _scan(tmp_path, "b.gz", bomb, Limits(max_compression_ratio=50))
    assert any(f.check.id == "AIBOM-ARC-002" for f in findings)


def test_7z_without_py7zr_is_never_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.writestr(EVIL, "x.pkl")
    monkeypatch.setitem(sys.modules, "py7zr", None)
    findings = _scan(tmp_path, "m.7z", buf.getvalue())
    assert [(f.check.id, f.effective_severity) for f in findings] == [
        ("AIBOM-ARC-001", Severity.MEDIUM)
    ]
    assert "py7zr" in findings[0].message


def test_encrypted_and_damaged_7z_are_findings(tmp_path: Path) -> None:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password="secret") as archive:
        archive.writestr(EVIL, "x.pkl")
    assert any(f.check.id == "AIBOM-ARC-001" for f in _scan(tmp_path, "enc.7z", buf.getvalue()))
    damaged = buf.getvalue()[:40] + b"\0" * 20
    assert any(f.check.id == "AIBOM-ARC-001" for f in _scan(tmp_path, "bad.7z", damaged))


@pytest.mark.parametrize("version", [1, 2, 3])
def test_npy_versions_with_object_arrays(tmp_path: Path, version: int) -> None:
    findings = _scan(tmp_path, "a.npy", npy_object(EVIL, version))
    assert any(f.check.id == "AIBOM-PKL-001" for f in findings)


def test_npy_plain_array_and_truncation(tmp_path: Path) -> None:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"
    assert _scan(tmp_path, "ok.npy", npy(header, b"\0" * 32)) == []
    short = _scan(tmp_path, "short.npy", npy(header, b"\0" * 8))
    assert [f.check.id for f in short] == ["AIBOM-FMT-002"]
    bad = _scan(tmp_path, "bad.npy", npy("{'descr': __import__('os')}", b""))
    assert [f.check.id for f in bad] == ["AIBOM-FMT-002"]


def test_npz_member_with_object_array(tmp_path: Path) -> None:
    path = tmp_path / "arrays.npz"
    np.savez(path, ok=np.arange(3))
    import zipfile

    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("evil.npy", npy_object(EVIL))
    findings = _scan(tmp_path, "arrays.npz", path.read_bytes())
    assert any(f.check.id == "AIBOM-PKL-001" and f.member == "evil.npy" for f in findings)


@pytest.mark.parametrize("method", ["zlib", "lzma", "lz4"])
def test_joblib_compressors_classification_misses(tmp_path: Path, method: str) -> None:
    # classify does not know zlib/lzma/lz4 magic yet; the joblib inspector reads them by magic
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            import os

            return (os.system, ("id",))

    path = tmp_path / f"m.{method}.joblib"
    joblib.dump([np.arange(100.0), Evil()], path, compress=(method, 3))
    findings = _inspect(path, Format.JOBLIB)
    assert any(f.check.id == "AIBOM-PKL-001" for f in findings), findings


def test_joblib_zf_format(tmp_path: Path) -> None:
    body = zlib.compress(EVIL)
    path = tmp_path / "old.pkl"
    path.write_bytes(b"ZF" + hex(len(EVIL)).encode().ljust(19) + body)
    assert any(f.check.id == "AIBOM-PKL-001" for f in _inspect(path, Format.JOBLIB))
