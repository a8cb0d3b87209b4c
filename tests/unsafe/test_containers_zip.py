"""Zip views (miniz as PyTorch reads, Python's zipfile, local headers), TorchScript, bombs, nesting."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from aibom.findings import Finding, Severity
from aibom.formats.containers.zipview import read_layout
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.scan import ScanOptions, scan
from tests.unsafe.payloads import (
    Asm,
    Member,
    ZipSpec,
    benign_pickle,
    build_zip,
    evil_call,
    torch_state_dict_pickle,
    torch_zip,
)


def _scan(tmp_path: Path, name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    folder = tmp_path / name.replace(".", "_")
    folder.mkdir()
    (folder / name).write_bytes(data)
    result = scan(ScanOptions(targets=(folder,), use_cache=False, limits=limits))
    assert not result.skipped, result.skipped
    return [
        f
        for f in result.findings
        if f.check.id.split("-")[1] in ("PKL", "ZIP", "ARC", "FMT", "LIM")
    ]


def test_torch_layout_parses_like_zipfile() -> None:
    data = torch_zip(torch_state_dict_pickle(2), storages=[b"\0" * 16, b"\1" * 16])
    layout = read_layout(io.BytesIO(data), DEFAULT_LIMITS)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert [e.name for e in layout.entries] == names
    assert layout.problems == [] and layout.local_only == [] and layout.concat == 0
    assert all(e.data_offset is not None and e.data_offset % 64 == 0 for e in layout.entries)


def test_benign_torch_zip_is_low_only(tmp_path: Path) -> None:
    findings = _scan(tmp_path, "pytorch_model.bin", torch_zip(torch_state_dict_pickle()))
    assert [(f.check.id, f.effective_severity) for f in findings] == [
        ("AIBOM-PKL-006", Severity.LOW)
    ]


def test_torchscript_code_is_one_low_finding_and_constants_pkl_is_scanned(tmp_path: Path) -> None:
    extra = [
        Member("archive/constants.pkl", evil_call("os", "system", "id")),
        Member("archive/code/__torch__/m.py", b"def forward(self):\n  return 1\n"),
        Member("archive/code/__torch__/m.py.debug_pkl", Asm(2).value(()).op(b".").bytes()),
    ]
    findings = _scan(tmp_path, "scripted.pt", torch_zip(torch_state_dict_pickle(), extra=extra))
    ids = sorted((f.check.id, f.effective_severity.label, f.member) for f in findings)
    assert ("AIBOM-PKL-008", "low", None) in ids
    assert ("AIBOM-PKL-001", "critical", "archive/constants.pkl") in ids


def test_data_pkl_missing_from_torch_lookup_is_malformed(tmp_path: Path) -> None:
    findings = _scan(tmp_path, "x.pt", build_zip(ZipSpec([Member("data.pkl", benign_pickle())])))
    assert any(
        f.check.id == "AIBOM-FMT-002" and "not inside a folder" in f.message for f in findings
    )


def test_deflated_members_and_nested_zip_member_paths(tmp_path: Path) -> None:
    inner = torch_zip(evil_call("os", "system", "id"))
    outer = build_zip(ZipSpec([Member("release/model.pt", inner, method=8)]))
    findings = _scan(tmp_path, "release.zip", outer)
    crit = [f for f in findings if f.effective_severity == Severity.CRITICAL]
    assert crit and crit[0].member == "release/model.pt!archive/data.pkl"
    assert crit[0].offset is not None


def test_zip_bomb_is_a_finding_not_exhaustion(tmp_path: Path) -> None:
    payload = b"\x80\x04\x8e" + (80 << 20).to_bytes(8, "little") + b"\0" * (80 << 20)
    bomb = build_zip(ZipSpec([Member("a/data.pkl", payload, method=8)]))
    limits = Limits(max_compression_ratio=100)
    findings = _scan(tmp_path, "bomb.zip", bomb, limits)
    assert any(f.check.id == "AIBOM-ARC-002" for f in findings)


def test_nesting_limit(tmp_path: Path) -> None:
    data = evil_call("os", "system", "id")
    for level in range(4):
        data = build_zip(ZipSpec([Member(f"l{level}.zip" if level else "x.pkl", data)]))
    findings = _scan(tmp_path, "deep.zip", data, Limits(max_nesting=2))
    assert any(f.check.id == "AIBOM-LIM-001" and "nested deeper" in f.message for f in findings)


@pytest.mark.parametrize(
    ("spec", "check"),
    [
        (ZipSpec([Member("a/data.pkl", benign_pickle(), method=12)]), "AIBOM-ZIP-003"),
        (ZipSpec([Member("a/data.pkl", benign_pickle(), flags=0x0001)]), "AIBOM-ZIP-003"),
        (ZipSpec([Member("a/data.pkl", benign_pickle(), crc=1)]), "AIBOM-ZIP-002"),
        (ZipSpec([Member("a/data.pkl", benign_pickle(), local_name="a/x.pkl")]), "AIBOM-ZIP-001"),
        (ZipSpec([Member("../evil.pkl", benign_pickle())]), "AIBOM-ARC-003"),
    ],
)
def test_zip_anomalies(tmp_path: Path, spec: ZipSpec, check: str) -> None:
    assert any(f.check.id == check for f in _scan(tmp_path, "a.zip", build_zip(spec)))
