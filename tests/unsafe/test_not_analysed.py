"""No silent skip (issue 13, item 6): a file an inspector could not finish is a finding, never a quiet
"skipped" with exit 0.

- a damaged compressed member is a broken file: AIBOM-FMT-002 (malformed), medium;
- an unexpected exception inside an inspector (an aibom bug) is AIBOM-FMT-003 on that file, medium for
  a format that can carry code, and the installed ``aibom scan`` exits 2 (the scan is incomplete) while
  still writing the BOM that names the file.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from aibom.artifacts import Format
from aibom.checks import MALFORMED_FILE, NOT_ANALYSED
from aibom.findings import Severity
from aibom.formats import inspector_for
from aibom.scan import ScanOptions
from aibom.scan import scan as run_scan
from tests.builders import safetensors_bytes
from tests.processes import HANG_GUARD

AIBOM = Path(sys.executable).parent / "aibom"


def corrupt_keras(path: Path) -> None:
    """A Keras v3 zip whose deflated ``config.json`` has damaged bytes in its stream."""
    layers = [{"class_name": "Dense", "config": {"units": i}} for i in range(300)]
    config = json.dumps({"class_name": "Sequential", "config": {"layers": layers}})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        zf.writestr("config.json", config)
    data = bytearray(buf.getvalue())
    start = data.index(b"config.json") + len("config.json") + 40
    for i in range(start, start + 60):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf, pytest.raises(zlib.error):
        zf.read("config.json")  # the damage is real: zipfile itself cannot inflate it


def zip64_claiming_huge_size(path: Path) -> None:
    """A torch-style zip whose central directory entry claims 2**62 uncompressed bytes (zip64 extra)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02N.")
        zf.writestr("archive/version", b"3\n")
    data = bytearray(buf.getvalue())
    cd = data.index(b"PK\x01\x02")
    name_len, extra_len = struct.unpack_from("<HH", data, cd + 28)
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFFF)
    extra = struct.pack("<HHQ", 1, 8, 2**62)
    at = cd + 46 + name_len
    data[at:at] = extra
    struct.pack_into("<H", data, cd + 30, extra_len + len(extra))
    eocd = data.rindex(b"PK\x05\x06")
    (cd_size,) = struct.unpack_from("<I", data, eocd + 12)
    struct.pack_into("<I", data, eocd + 12, cd_size + len(extra))
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("archive/data.pkl").file_size == 2**62


def scan(folder: Path) -> tuple[list[tuple[str, Severity]], list[str]]:
    result = run_scan(ScanOptions(targets=(folder,)))
    return (
        [(f.check.id, f.effective_severity) for f in result.findings],
        [s.reason for s in result.skipped],
    )


def test_damaged_deflate_member_is_a_malformed_finding(tmp_path: Path) -> None:
    corrupt_keras(tmp_path / "model.keras")
    findings, skipped = scan(tmp_path)
    assert (MALFORMED_FILE.id, Severity.MEDIUM) in findings
    assert not any("internal error" in reason for reason in skipped)
    assert NOT_ANALYSED.id not in {check for check, _ in findings}


def test_zip64_size_of_2_62_is_no_internal_error(tmp_path: Path) -> None:
    zip64_claiming_huge_size(tmp_path / "model.pt")
    findings, skipped = scan(tmp_path)
    assert not any("internal error" in reason for reason in skipped)
    assert NOT_ANALYSED.id not in {check for check, _ in findings}
    assert findings  # the pickle inside is still analysed and reported


class Boom(RuntimeError):
    pass


def _explode(*_: object) -> None:
    raise Boom("inspector bug")


def _plant_bug(monkeypatch: pytest.MonkeyPatch, fmt: Format) -> None:
    inspector = inspector_for(fmt)
    assert inspector is not None, fmt
    monkeypatch.setattr(type(inspector), "inspect", _explode)


@pytest.mark.parametrize(
    ("name", "data", "fmt", "severity"),
    [
        ("model.safetensors", safetensors_bytes(), Format.SAFETENSORS, Severity.MEDIUM),
        ("model.pkl", b"\x80\x04N.", Format.PICKLE, Severity.MEDIUM),
        ("archive.zip", None, Format.ZIP, Severity.MEDIUM),
        ("chat_template.jinja", b"{{ messages[0]['content'] }}", Format.JINJA, Severity.LOW),
    ],
)
def test_inspector_bug_is_a_finding_on_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    data: bytes | None,
    fmt: Format,
    severity: Severity,
) -> None:
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("a.txt", "hello")
    else:
        path.write_bytes(data)
    _plant_bug(monkeypatch, fmt)
    result = run_scan(ScanOptions(targets=(tmp_path,)))
    (finding,) = [f for f in result.findings if f.check is NOT_ANALYSED]
    assert finding.path.endswith(name)
    assert finding.effective_severity is severity
    assert "Boom" in finding.message and "not analysed" in finding.message
    assert result.not_analysed() == [finding]
    assert any("internal error" in s.reason and s.path.endswith(name) for s in result.skipped)


SITECUSTOMIZE = """
import aibom.formats.safetensors as st

def _explode(self, artifact, ctx):
    raise RuntimeError("planted inspector bug")

st.SafetensorsInspector.inspect = _explode
"""


def test_installed_scan_exits_2_when_a_file_was_not_analysed(tmp_path: Path) -> None:
    """Through the real console script: an inspector bug (planted by a sitecustomize on PYTHONPATH)
    gives exit 2 and an error line, and the BOM is still written and names the file."""
    plant = tmp_path / "plant"
    plant.mkdir()
    (plant / "sitecustomize.py").write_text(SITECUSTOMIZE)
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(safetensors_bytes())
    out = tmp_path / "bom.json"
    env = {**os.environ, "PYTHONPATH": str(plant), "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(AIBOM), "scan", str(model), "-o", str(out), "--fail-on", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD,
        check=False,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "not analysed because of an internal error" in proc.stderr
    assert "Traceback" not in proc.stderr
    bom = json.loads(out.read_text())
    ids = {v["id"] for v in bom.get("vulnerabilities", [])}
    assert NOT_ANALYSED.id in ids


def test_installed_scan_exits_0_without_the_plant(tmp_path: Path) -> None:
    """The same folder without the planted bug: the exit status above came from the bug alone."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(safetensors_bytes())
    proc = subprocess.run(
        [str(AIBOM), "scan", str(model), "-o", str(tmp_path / "bom.json"), "--fail-on", "none"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
