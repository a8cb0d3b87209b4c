"""Inputs the fuzz harness (tests/fuzz, bench/fuzz.py) found crashing a parser, kept as plain tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aibom.artifacts import Format
from aibom.formats import inspect_artifact
from aibom.limits import DEFAULT_LIMITS
from aibom.packages.interface import InputKind, PackageInput
from aibom.packages.requirements import parse_requirements
from tests.unsafe.nonpickle_builders import artifact_for


def test_one_byte_onnx_file_is_classified_without_a_crash(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_bytes(b"\x08")
    done = subprocess.run(
        [sys.executable, "-m", "aibom", "scan", str(tmp_path), "-q", "--fail-on", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.lstrip().startswith("{")


def test_corrupt_zstd_frame_is_a_finding_not_a_skip(tmp_path: Path) -> None:
    zstd = pytest.importorskip("backports.zstd") if sys.version_info < (3, 14) else None
    compress = zstd.compress if zstd else __import__("compression.zstd").zstd.compress
    data = bytearray(compress(b"x" * 100_000))
    data[len(data) // 2 :] = b"\xff" * (len(data) - len(data) // 2)
    path = tmp_path / "w.zst"
    path.write_bytes(bytes(data))
    inspection = inspect_artifact(artifact_for(path, Format.ZSTD))
    assert inspection.skipped == []
    assert any("corrupt" in f.message for f in inspection.findings), inspection.findings


def test_include_name_longer_than_name_max_is_skipped(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("numpy==2.0.0\n-r " + "a" * 300 + ".txt\n")
    got = parse_requirements(
        PackageInput(InputKind.REQUIREMENTS, req, "requirements.txt"), DEFAULT_LIMITS
    )
    assert any("does not exist" in s.reason for s in got.skipped)
    assert [p.name for p in got.packages] == ["numpy"]


def test_xml_bom_with_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="TTF-8"?>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"/>'
    )
    done = subprocess.run(
        [sys.executable, "-m", "aibom", "report", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "not readable XML" in done.stderr and "Traceback" not in done.stderr


def test_uv_lock_with_an_integer_over_the_conversion_limit_is_malformed(tmp_path: Path) -> None:
    from aibom import packages
    from aibom.checks import MALFORMED_FILE

    lock = tmp_path / "uv.lock"
    lock.write_text("version = " + "9" * 25_601 + "\n")
    kind = packages.input_kind(Path("uv.lock"))
    assert kind is not None
    got = packages.collect([PackageInput(kind, lock, "uv.lock")], DEFAULT_LIMITS)
    assert [f.check for f in got.findings] == [MALFORMED_FILE]
    assert "digits" in got.findings[0].message


def test_safetensors_inspector_on_a_five_byte_file_is_malformed(tmp_path: Path) -> None:
    from aibom.checks import MALFORMED_FILE

    path = tmp_path / "e.safetensors"
    path.write_bytes(b"\x08\x00\x00\x00\x00")
    inspection = inspect_artifact(artifact_for(path, Format.SAFETENSORS))
    assert inspection.skipped == []
    assert [f.check for f in inspection.findings] == [MALFORMED_FILE]
