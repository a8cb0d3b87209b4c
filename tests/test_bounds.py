"""Work bounded by the input (issue 13 item 5): zip members inflated once however many entries point
at them, a per-archive inflation budget, a scan-wide HDF5 time budget, and a safetensors header read
in bounded memory. Every budget that cuts work leaves a finding naming what was not analysed."""

from __future__ import annotations

import io
import json
import math
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

from aibom.artifacts import Artifact, FileRef, FileStat, Format, Kind
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.core import BUDGET_SPENT, PARTIAL_COVERAGE, ZIP_OVERLAPPING_MEMBERS
from aibom.checks.unsafe import PICKLE_DANGEROUS_GLOBAL
from aibom.findings import Finding, Severity
from aibom.formats import inspect_artifact, stream_codecs
from aibom.formats import safetensors as st_module
from aibom.formats.budget import ScanBudget, use_budget
from aibom.formats.containers import zipview
from aibom.formats.interface import Inspection
from aibom.formats.keras import h5 as h5_module
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.scan import ScanOptions, scan
from tests.unsafe.nonpickle_builders import artifact_for, keras2_config, write_h5_model
from tests.unsafe.payloads import evil_call

# ---------------------------------------------------------------- zip: shared and overlapping data


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _end_record(data: bytes) -> tuple[int, int, int]:
    """(entries, central directory size, central directory offset) of a plain zip."""
    eocd = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<10xHII", data[eocd : eocd + 20])
    return count, size, offset


def shared_entries(data: bytes, copies: int) -> bytes:
    """The zip with its first central entry repeated ``copies`` times under new names, every copy
    pointing at the same local entry (what no archiver writes; a zip bomb's multiplier)."""
    _, size, offset = _end_record(data)
    cd = data[offset : offset + size]
    nlen, xlen, clen = struct.unpack("<3H", cd[28:34])
    first = cd[: 46 + nlen + xlen + clen]
    extra = b""
    for i in range(copies):
        name = f"copy{i:04d}.bin".encode()
        extra += first[:28] + struct.pack("<3H", len(name), 0, 0) + first[34:46] + name
    body = data[:offset] + cd + extra
    total = _end_record(data)[0] + copies
    return body + struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, total, total, len(cd) + len(extra), offset, 0
    )


def _scan_dir(folder: Path, limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    result = scan(ScanOptions(targets=(folder,), use_cache=False, limits=limits))
    assert result.skipped == []
    return result.findings


def _inflations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts each deflated member opened for reading (each open inflates from the start)."""
    opened: list[int] = []
    real = stream_codecs.Inflate

    def counting(*args: Any, **kw: Any) -> Any:
        opened.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(zipview, "Inflate", counting)
    return opened


def test_members_sharing_one_local_entry_are_inflated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = evil_call("os", "system", "echo pwned")
    one = _zip({"data.pkl": payload + b"\0" * 100_000})
    opened = _inflations(monkeypatch)
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.zip").write_bytes(one)
    alone = _scan_dir(tmp_path / "one")
    once = len(opened)
    opened.clear()
    (tmp_path / "many").mkdir()
    (tmp_path / "many" / "a.zip").write_bytes(shared_entries(one, 50))
    shared = _scan_dir(tmp_path / "many")
    assert once > 0
    assert len(opened) == once  # 51 names, one local entry: the same reads as one name
    assert PICKLE_DANGEROUS_GLOBAL in {f.check for f in alone}
    assert PICKLE_DANGEROUS_GLOBAL in {f.check for f in shared}  # the verdict of the first name
    (overlap,) = [f for f in shared if f.check is ZIP_OVERLAPPING_MEMBERS]
    assert overlap.effective_severity is Severity.LOW
    assert "50 more central-directory entries point at the data of 'data.pkl'" in overlap.message
    assert "'copy0000.bin'" in overlap.message
    assert ZIP_OVERLAPPING_MEMBERS not in {f.check for f in alone}


def test_data_overlapping_another_members_data_is_medium(tmp_path: Path) -> None:
    """A stored member whose data holds a whole zip local entry, and a central entry pointing
    inside it (the construction of non-recursive zip bombs)."""
    inner = _zip({"evil.pkl": evil_call("os", "system", "id")}, zipfile.ZIP_STORED)
    outer = _zip({"outer.bin": inner}, zipfile.ZIP_STORED)
    _, in_size, in_offset = _end_record(inner)
    inner_entry = inner[in_offset : in_offset + in_size]
    _, size, offset = _end_record(outer)
    at = outer.index(inner[:30])  # the inner local header, inside outer.bin's data
    moved = inner_entry[:42] + struct.pack("<I", at) + inner_entry[46:]
    cd = outer[offset : offset + size] + moved
    data = (
        outer[:offset] + cd + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 2, 2, len(cd), offset, 0)
    )
    folder = tmp_path / "z"
    folder.mkdir()
    (folder / "o.zip").write_bytes(data)
    findings = _scan_dir(folder)
    overlaps = [f for f in findings if f.check is ZIP_OVERLAPPING_MEMBERS]
    assert [f.effective_severity for f in overlaps] == [Severity.MEDIUM]
    assert "'evil.pkl'" in overlaps[0].message and "'outer.bin'" in overlaps[0].message
    assert PICKLE_DANGEROUS_GLOBAL in {f.check for f in findings}  # both views are analysed


def test_benign_zip_has_no_overlap_finding(tmp_path: Path) -> None:
    folder = tmp_path / "z"
    folder.mkdir()
    (folder / "a.zip").write_bytes(_zip({f"m{i}.bin": bytes([i]) * 5000 for i in range(20)}))
    assert not [f for f in _scan_dir(folder) if f.check is ZIP_OVERLAPPING_MEMBERS]


# ---------------------------------------------------------------- zip: the inflation budget


def test_inflation_budget_names_the_members_not_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = {f"part{i}.bin": b"\0" * (1 << 20) for i in range(6)}
    folder = tmp_path / "z"
    folder.mkdir()
    (folder / "a.zip").write_bytes(_zip(members))
    opened = _inflations(monkeypatch)
    findings = _scan_dir(folder, Limits(max_archive_inflated_bytes=1))
    (spent,) = [f for f in findings if f.check is BUDGET_SPENT]
    assert spent.effective_severity is Severity.MEDIUM
    assert "6 member(s) not analysed or only partly" in spent.message
    assert all(repr(name) in spent.message for name in members)
    budget_opens = len(opened)
    opened.clear()
    assert not [f for f in _scan_dir(folder) if f.check is BUDGET_SPENT]
    assert budget_opens < len(opened)  # the budget stopped the reading early


def test_nested_zips_draw_on_the_outer_budget(tmp_path: Path) -> None:
    inner = _zip({f"x{i}.bin": b"\0" * (1 << 20) for i in range(4)})
    folder = tmp_path / "z"
    folder.mkdir()
    (folder / "outer.zip").write_bytes(_zip({"inner.zip": inner, "after.bin": b"\0" * 1000}))
    small = Limits(max_archive_inflated_bytes=2 << 20)  # less than the inner zip inflates
    spent = [f for f in _scan_dir(folder, small) if f.check is BUDGET_SPENT]
    assert spent, "the inner zip's members must spend the outer archive's budget"
    assert any("'after.bin'" in f.message for f in spent)


def test_inflation_budget_is_a_finding_for_a_torch_checkpoint(tmp_path: Path) -> None:
    """TorchZipInspector reads members through the same budgeted openers: never silence."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"w": b"\0" * (4 << 20)}, protocol=2))
        for i in range(3):
            zf.writestr(f"archive/data/{i}", b"\0" * (1 << 20))
        zf.writestr("archive/version", b"3\n")
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "model.pt").write_bytes(buffer.getvalue())
    findings = _scan_dir(folder, Limits(max_archive_inflated_bytes=1))
    spent = [f for f in findings if "max_archive_inflated_bytes" in f.message]
    assert spent and all(f.effective_severity >= Severity.MEDIUM for f in spent)
    assert not [f for f in _scan_dir(folder) if "max_archive_inflated_bytes" in f.message]


# ---------------------------------------------------------------- HDF5: one time budget per scan


class _Clock:
    """A fake ``time`` for the HDF5 module, moved on by the fake reader."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def _fake_reader(monkeypatch: pytest.MonkeyPatch, step: float) -> list[float]:
    """Every reader run takes ``step`` seconds (of the fake clock); returns the timeouts given."""
    timeouts: list[float] = []
    clock = _Clock()

    def reader(ctx: Any, timeout: float, *, cut: bool) -> dict[str, bytes]:
        timeouts.append(timeout)
        clock.now += step
        return {}

    monkeypatch.setattr(h5_module, "_read_h5_attributes", reader)
    monkeypatch.setattr(h5_module, "time", clock)
    return timeouts


def _h5_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    return [write_h5_model(folder / f"m{i}.h5", keras2_config()) for i in range(count)]


def _inspect_all(paths: list[Path]) -> list[Inspection]:
    return [
        inspect_artifact(artifact_for(p, Format.HDF5), Limits(max_h5_seconds=25)) for p in paths
    ]


def test_h5_budget_is_shared_by_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _h5_files(tmp_path / "h", 5)
    timeouts = _fake_reader(monkeypatch, step=10.0)
    with use_budget(ScanBudget(Limits(max_h5_seconds=25))) as budget:
        results = _inspect_all(paths)
    assert timeouts == [25.0, 15.0, 5.0]  # each run gets what is left, at most the per-file time
    assert [r.complete for r in results] == [True, True, True, False, False]
    for refused in results[3:]:
        finding, verdict = refused.findings
        assert finding.check is BUDGET_SPENT and finding.effective_severity is Severity.MEDIUM
        assert "HDF5 time budget" in finding.message
        # coverage per verdict: the file is not analysed at all, and said so once more per file
        assert verdict.check is PARTIAL_COVERAGE and verdict.effective_severity is Severity.MEDIUM
        assert refused.coverage is not None and refused.coverage.status.value == "not-analysed"
        assert refused.coverage.reasons == ("max_h5_seconds",)
    assert [r.coverage.status.value for r in results[:3] if r.coverage] == ["complete"] * 3
    assert budget.h5_files_refused == 2


def test_h5_budget_without_a_scan_is_per_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _h5_files(tmp_path / "h", 4)
    timeouts = _fake_reader(monkeypatch, step=20.0)
    assert all(r.complete for r in _inspect_all(paths))  # nothing shared: each call its own budget
    assert len(timeouts) == 4


def test_hanging_libhdf5_files_cost_the_scan_budget_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real h5py-written files with one byte inserted into model_config (libhdf5 loops on it, found
    by fuzzing): the first is stopped by its per-file timeout, the second by what is left of the
    scan's budget, the third is not started."""
    data = bytearray(write_h5_model(tmp_path / "ok.h5", keras2_config()).read_bytes())
    at = data.index(b'{"seed"')
    data[at:at] = b"\xf2"
    folder = tmp_path / "hang"
    folder.mkdir()
    for i in range(3):
        (folder / f"m{i}.h5").write_bytes(bytes(data))
    monkeypatch.setattr(h5_module, "H5_TIMEOUT_SECONDS", 2.0)
    findings = _scan_dir(folder, Limits(max_h5_seconds=3))
    by_file = {Path(f.path).name: f for f in findings if f.check in (MALFORMED_FILE, BUDGET_SPENT)}
    assert by_file["m0.h5"].check is MALFORMED_FILE and "did not finish" in by_file["m0.h5"].message
    assert by_file["m1.h5"].check is BUDGET_SPENT and "ran out" in by_file["m1.h5"].message
    assert by_file["m2.h5"].check is BUDGET_SPENT and "not analysed" in by_file["m2.h5"].message


def test_looping_libhdf5_is_stopped_by_cpu_time_not_the_wall_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same looping file under the real 30 s wall timeout: the reader's CPU limit stops it
    (RLIMIT_CPU, ``H5_CPU_SECONDS``), so a loaded machine neither waits 30 s nor cuts a real file."""
    import time

    data = bytearray(write_h5_model(tmp_path / "ok.h5", keras2_config()).read_bytes())
    at = data.index(b'{"seed"')
    data[at:at] = b"\xf2"
    folder = tmp_path / "hang"
    folder.mkdir()
    (folder / "m.h5").write_bytes(bytes(data))
    monkeypatch.setattr(h5_module, "H5_CPU_SECONDS", 2)
    started = time.monotonic()
    findings = _scan_dir(folder, DEFAULT_LIMITS)
    took = time.monotonic() - started
    malformed = [f for f in findings if f.check is MALFORMED_FILE]
    assert len(malformed) == 1 and "s of CPU" in malformed[0].message, findings
    assert took < h5_module.H5_TIMEOUT_SECONDS  # stopped by CPU, long before the wall timeout
    ok = tmp_path / "fine"
    ok.mkdir()
    write_h5_model(ok / "m.h5", keras2_config())
    assert not [f for f in _scan_dir(ok, DEFAULT_LIMITS) if f.check is MALFORMED_FILE]


# ---------------------------------------------------------------- safetensors: bounded header


def _artifact(path: Path) -> Artifact:
    s = path.stat()
    ref = FileRef(
        path, path.name, path.name, FileStat(s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns)
    )
    return Artifact(ref, Kind.WEIGHTS, Format.SAFETENSORS, "test", None, path.read_bytes()[:4096])


def test_200k_tensors_agree_with_the_library(tmp_path: Path) -> None:
    tensors = {
        f"layer.{i}.w": np.zeros((i % 3 + 1,), np.float32 if i % 2 else np.float16)
        for i in range(200_000)
    }
    path = tmp_path / "many.safetensors"
    save_file(tensors, str(path), metadata={"format": "np"})
    inspection = inspect_artifact(_artifact(path))
    assert inspection.findings == [] and inspection.complete
    with safe_open(str(path), "np") as f:
        names = list(f.keys())
        shapes = [f.get_slice(k).get_shape() for k in names]
        dtypes = sorted({f.get_slice(k).get_dtype() for k in names})
    assert inspection.facts["tensor_count"] == len(names) == 200_000
    assert inspection.facts["parameter_count"] == sum(math.prod(s) for s in shapes)
    assert inspection.facts["dtypes"] == dtypes == ["F16", "F32"]
    assert inspection.facts["metadata"] == {"format": "np"}


def _raw(path: Path, header: bytes, data_size: int) -> Path:
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * data_size)
    return path


def _header(count: int) -> dict[str, object]:
    out: dict[str, object] = {"__metadata__": {"k": "v" * 50}}
    for i in range(count):
        out[f"t{i}"] = {"dtype": "U8", "shape": [2, 1 + i % 2], "data_offsets": [0, 0]}
    position = 0
    for i in range(count):
        entry = out[f"t{i}"]
        assert isinstance(entry, dict)
        size = 2 * (1 + i % 2)
        entry["data_offsets"] = [position, position + size]
        position += size
    out["size"] = position  # removed below; only carries the data size
    return out


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
@pytest.mark.parametrize("indent", [None, 2])
def test_entries_cut_anywhere_by_the_chunks_parse_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, indent: int | None
) -> None:
    """Pretty-printed headers miss the fast path; small chunks cut names, numbers and escapes."""
    header = _header(40)
    size = header.pop("size")
    assert isinstance(size, int)
    header['t\u00e9\\"x'] = {"dtype": "U8", "shape": [0], "data_offsets": [size, size]}
    text = json.dumps(header, indent=indent, ensure_ascii=indent is None).encode()
    path = _raw(tmp_path / "a.safetensors", text, size)
    monkeypatch.setattr(st_module, "_CHUNK", chunk)
    inspection = inspect_artifact(_artifact(path))
    assert inspection.findings == []
    assert inspection.facts["tensor_count"] == 41
    assert inspection.facts["parameter_count"] == size
    assert inspection.facts["metadata"] == {"k": "v" * 50}


def test_duplicate_tensor_name_is_malformed(tmp_path: Path) -> None:
    entry = '{"dtype":"U8","shape":[1],"data_offsets":[%d,%d]}'
    text = (
        '{"a":' + entry % (0, 1) + ',"b":' + entry % (1, 2) + ',"a":' + entry % (2, 3) + "}"
    ).encode()
    inspection = inspect_artifact(_artifact(_raw(tmp_path / "d.safetensors", text, 3)))
    (finding,) = inspection.findings
    assert finding.check is MALFORMED_FILE and "'a' is described twice" in finding.message


def test_layout_error_names_the_tensor(tmp_path: Path) -> None:
    entry = '{"dtype":"U8","shape":[1],"data_offsets":[%d,%d]}'
    text = (
        '{"z":' + entry % (1, 2) + ',"y":' + entry % (0, 1) + ',"x":' + entry % (1, 2) + "}"
    ).encode()
    inspection = inspect_artifact(_artifact(_raw(tmp_path / "o.safetensors", text, 2)))
    (finding,) = inspection.findings
    assert "overlaps the previous tensor" in finding.message
    assert "'z'" in finding.message or "'x'" in finding.message


def test_one_huge_entry_is_a_limit_not_a_memory_blow_up(tmp_path: Path) -> None:
    text = json.dumps({"__metadata__": {"k": "v" * (3 << 20)}}).encode()  # more than one chunk
    path = _raw(tmp_path / "big.safetensors", text, 0)
    inspection = inspect_artifact(_artifact(path), Limits(max_safetensors_entry=100_000))
    assert [f.check for f in inspection.findings] == [LIMIT_REACHED]
    assert inspection_ok(inspect_artifact(_artifact(path)))


def inspection_ok(inspection: Inspection) -> bool:
    return inspection.findings == [] and inspection.complete


def test_tensor_count_limit_stops_reading(tmp_path: Path) -> None:
    text = json.dumps(
        {f"t{i}": {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(50)}
    ).encode()
    path = _raw(tmp_path / "n.safetensors", text, 50)
    inspection = inspect_artifact(_artifact(path), Limits(max_tensors=49))
    assert [f.check for f in inspection.findings] == [LIMIT_REACHED]
    assert inspection_ok(inspect_artifact(_artifact(path), Limits(max_tensors=50)))
