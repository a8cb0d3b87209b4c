"""No evasion by the shape of a zip member (issue 12 item 4, the zip part).

Every archive here is written by Python's ``zipfile`` and then patched with ``struct`` (flag bits,
methods, sizes, CRCs, in the local header, the central directory or both). The payload is a real pickle
from ``pickle.dumps`` of an object whose ``__reduce__`` runs ``touch MARKER``: every test that scans one
also checks that the marker never appears (the scanner never executes what it reads).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import random
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from aibom.findings import Finding, Severity
from aibom.formats.containers.zipview import read_layout
from aibom.formats.stream_codecs import Inflate
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.scan import ScanOptions, scan

AIBOM = Path(sys.executable).parent / "aibom"
HANG_GUARD = 120

LFH_FIELDS = {
    "flags": (6, "H"),
    "method": (8, "H"),
    "crc": (14, "I"),
    "csize": (18, "I"),
    "usize": (22, "I"),
}
CDH_FIELDS = {
    "flags": (8, "H"),
    "method": (10, "H"),
    "crc": (16, "I"),
    "csize": (20, "I"),
    "usize": (24, "I"),
}


class _Touch:
    """Unpickling this runs ``touch path``: the payload every test must never trigger."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.path}",))


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "MARKER"
    yield path
    assert not path.exists(), "the scanned payload ran"


def evil(marker: Path) -> bytes:
    return pickle.dumps(_Touch(marker), protocol=2)


def benign() -> bytes:
    return pickle.dumps({"weight": [1.0, 2.0]}, protocol=2)


def write_zip(
    members: list[tuple[str, bytes, int]], *, seekable: bool = True, prefix: bytes = b""
) -> bytes:
    """A zip written by ``zipfile`` (members: name, content, compress_type)."""
    buf = io.BytesIO()
    sink: io.RawIOBase | io.BytesIO = buf if seekable else _Unseekable(buf)
    with zipfile.ZipFile(sink, "w") as zf:
        for name, data, method in members:
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return prefix + buf.getvalue()


class _Unseekable(io.RawIOBase):
    """A sink ``zipfile`` cannot seek: it then writes data descriptors (flag bit 3, zero local sizes)."""

    def __init__(self, buf: io.BytesIO) -> None:
        super().__init__()
        self._buf = buf

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        return self._buf.write(b)

    def tell(self) -> int:
        return self._buf.tell()

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass


def _central_offsets(data: bytes) -> dict[str, tuple[int, int]]:
    """name -> (central-directory record offset, local header offset), parsed by hand."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _, cd_off = struct.unpack("<10xHII", data[eocd : eocd + 20])
    out, pos = {}, cd_off
    for _ in range(count):
        assert data[pos : pos + 4] == b"PK\x01\x02"
        nlen, xlen, clen = struct.unpack("<3H", data[pos + 28 : pos + 34])
        (local,) = struct.unpack("<I", data[pos + 42 : pos + 46])
        out[data[pos + 46 : pos + 46 + nlen].decode()] = (pos, local)
        pos += 46 + nlen + xlen + clen
    return out


def patch(
    data: bytes,
    name: str,
    *,
    local: dict[str, int] | None = None,
    central: dict[str, int] | None = None,
) -> bytes:
    """Set header fields of member ``name`` in its local header and/or central-directory record."""
    out = bytearray(data)
    cd, lh = _central_offsets(data)[name]
    for where, fields, values in ((lh, LFH_FIELDS, local), (cd, CDH_FIELDS, central)):
        for key, value in (values or {}).items():
            at, fmt = fields[key]
            struct.pack_into("<" + fmt, out, where + at, value)
    return bytes(out)


def both(**values: int) -> dict[str, dict[str, int]]:
    return {"local": values, "central": values}


def run(tmp_path: Path, name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Finding]:
    folder = tmp_path / ("scan_" + name.replace(".", "_"))
    folder.mkdir()
    (folder / name).write_bytes(data)
    result = scan(ScanOptions(targets=(folder,), use_cache=False, limits=limits))
    assert not result.skipped, result.skipped
    return [
        f
        for f in result.findings
        if f.check.id.split("-")[1] in ("PKL", "ZIP", "ARC", "FMT", "LIM")
    ]


def ids(findings: list[Finding]) -> set[str]:
    return {f.check.id for f in findings}


def critical(findings: list[Finding]) -> list[Finding]:
    return [
        f
        for f in findings
        if f.check.id == "AIBOM-PKL-001" and f.effective_severity == Severity.CRITICAL
    ]


def torch_like(payload: bytes, method: int = zipfile.ZIP_STORED) -> bytes:
    return write_zip([("archive/data.pkl", payload, method), ("archive/version", b"3\n", 0)])


# ---------------------------------------------------------------- flag bits


@pytest.mark.parametrize("flags", [0x0001, 0x0040, 0x0041, 0x0020, 0x2001, 0x4000, 0x0801])
@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("container", ["model.pt", "arrays.npz", "bundle.zip"])
def test_flagged_member_with_plain_data_is_analysed_and_stays_critical(
    tmp_path: Path, marker: Path, flags: int, method: int, container: str
) -> None:
    """The encryption (0, 6), patch (5), masked-header (13) or a reserved (14) bit on a member whose data
    is a plain stored/deflated pickle: read as plain, the payload is critical, the flags are reported."""
    data = torch_like(evil(marker), method)
    data = patch(data, "archive/data.pkl", **both(flags=flags))
    findings = run(tmp_path, container, data)
    crit = critical(findings)
    assert crit and crit[0].member is not None and crit[0].member.endswith("archive/data.pkl")
    assert "AIBOM-ZIP-003" in ids(findings)
    if flags & 0x0061:
        texts = [f.message for f in findings if f.check.id == "AIBOM-ZIP-003"]
        assert any("its data is plain" in t and "CRC-32 matches" in t for t in texts), texts
        assert "AIBOM-ARC-001" not in ids(findings)  # it was read: no "could not be analysed"


def test_encrypted_flag_on_the_local_header_only_is_a_mismatch_and_still_analysed(
    tmp_path: Path, marker: Path
) -> None:
    data = patch(torch_like(evil(marker)), "archive/data.pkl", local={"flags": 0x0001})
    findings = run(tmp_path, "model.pt", data)
    assert critical(findings)
    assert any(f.check.id == "AIBOM-ZIP-001" and "flags differ" in f.message for f in findings)


def _ciphertext(n: int) -> bytes:
    return random.Random(1234).randbytes(n)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_really_encrypted_member_is_a_medium_not_analysed_finding(
    tmp_path: Path, method: int
) -> None:
    """Data that does not read as plain (ZipCrypto-like ciphertext: random bytes, the CRC of what was
    encrypted) is never silent and never clean: AIBOM-ARC-001 medium, 'could not be analysed'."""
    plain = benign()
    data = write_zip(
        [("archive/data.pkl", _ciphertext(len(plain) + 12), 0), ("archive/version", b"3\n", 0)]
    )
    data = patch(
        data, "archive/data.pkl", **both(flags=0x0001, method=method, crc=zlib.crc32(plain))
    )
    findings = run(tmp_path, "model.pt", data)
    unread = [f for f in findings if f.check.id == "AIBOM-ARC-001"]
    assert unread and all(f.effective_severity == Severity.MEDIUM for f in unread)
    assert any("could not be analysed: encrypted" in f.message for f in unread), unread
    assert not critical(findings)
    assert "AIBOM-PKL-006" not in ids(findings)  # no "only allowlisted objects" for unread data.pkl


def test_aes_method_99_member_is_not_analysed_and_said_so(tmp_path: Path, marker: Path) -> None:
    data = patch(torch_like(evil(marker)), "archive/data.pkl", **both(flags=0x0001, method=99))
    findings = run(tmp_path, "model.pt", data)
    unread = [f for f in findings if f.check.id == "AIBOM-ARC-001"]
    assert any("AES-encrypted (method 99)" in f.message for f in unread), findings
    assert all(f.effective_severity == Severity.MEDIUM for f in unread)


def test_plain_flagged_member_checked_through_read_layout() -> None:
    data = patch(torch_like(benign()), "archive/data.pkl", **both(flags=0x0001))
    layout = read_layout(io.BytesIO(data), DEFAULT_LIMITS)
    assert layout.entries[0].flags == 0x0001 and layout.entries[0].local_flags == 0x0001


# ---------------------------------------------------------------- compression methods


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
@pytest.mark.parametrize("container", ["model.pt", "arrays.npz"])
def test_bzip2_and_lzma_members_are_decompressed(
    tmp_path: Path, marker: Path, method: int, container: str
) -> None:
    findings = run(tmp_path, container, torch_like(evil(marker), method))
    assert critical(findings), findings
    assert any("compression method" in f.message for f in findings if f.check.id == "AIBOM-ZIP-003")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_bombs_stay_bounded(tmp_path: Path, method: int) -> None:
    payload = b"\x80\x04\x8e" + (8 << 20).to_bytes(8, "little") + b"\0" * (8 << 20) + b"."
    data = write_zip([("a/data.pkl", payload, method)])
    limits = Limits(max_compression_ratio=100, max_ratio_free_bytes=1 << 20)
    findings = run(tmp_path, "bomb.zip", data, limits)
    assert "AIBOM-ARC-002" in ids(findings), findings


def test_deflated_member_is_read_to_its_last_byte(tmp_path: Path) -> None:
    """zlib may hold a member's last output back when reads are capped (here the last 11 bytes of a
    long run of zeros); stopping when the input is spent lost them: the content was cut short and
    its CRC-32 (wrongly) failed. Read to its last byte, the CRC matches."""
    content = b"\x80\x04\x8e" + (60 << 20).to_bytes(8, "little") + b"\0" * (60 << 20)
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = comp.compress(content) + comp.flush()
    reader = io.BufferedReader(Inflate(io.BytesIO(raw), len(content), DEFAULT_LIMITS))
    got = 0
    while chunk := reader.read(1 << 20):
        got += len(chunk)
    assert got == len(content)
    findings = run(tmp_path, "tail.zip", write_zip([("a/blob.pkl", content, zipfile.ZIP_DEFLATED)]))
    assert "AIBOM-ZIP-002" not in ids(findings), findings


@pytest.mark.parametrize("method", [93, 95, 98, 6])
def test_unknown_compression_method_is_a_medium_not_analysed_finding(
    tmp_path: Path, marker: Path, method: int
) -> None:
    data = patch(torch_like(evil(marker)), "archive/data.pkl", **both(method=method))
    findings = run(tmp_path, "model.pt", data)
    unread = [f for f in findings if f.check.id == "AIBOM-ARC-001"]
    assert any(f"compression method {method}" in f.message for f in unread), findings
    assert all(f.effective_severity == Severity.MEDIUM for f in unread)
    assert "AIBOM-PKL-006" not in ids(findings)


# ---------------------------------------------------------------- local header vs central directory


def test_local_method_deflate_central_stored_both_readings_analysed(
    tmp_path: Path, marker: Path
) -> None:
    """Central says stored (what miniz reads: raw deflate bytes), local says deflate (what a streaming
    reader inflates: the payload). Both readings are analysed; the payload is critical."""
    data = torch_like(evil(marker), zipfile.ZIP_DEFLATED)
    csize = _central_sizes(data, "archive/data.pkl")[0]
    data = patch(data, "archive/data.pkl", central={"method": 0, "usize": csize})
    findings = run(tmp_path, "model.pt", data)
    crit = critical(findings)
    assert crit and any("(local header view)" in (f.member or "") for f in crit), crit
    assert any("compression method differs" in f.message for f in findings)


def test_local_sizes_longer_than_central_read_the_hidden_tail(tmp_path: Path, marker: Path) -> None:
    """A stored member whose central sizes cover a benign pickle and whose local sizes cover the benign
    pickle and the payload after it: the streaming reading is analysed too."""
    good, bad = benign(), evil(marker)
    data = write_zip([("archive/data.pkl", good + bad, 0), ("archive/version", b"3\n", 0)])
    data = patch(
        data,
        "archive/data.pkl",
        central={"csize": len(good), "usize": len(good), "crc": zlib.crc32(good)},
    )
    findings = run(tmp_path, "model.pt", data)
    assert critical(findings), findings
    assert any(
        "compressed size differs" in f.message for f in findings if f.check.id == "AIBOM-ZIP-001"
    )


def test_local_crc_differs_is_a_mismatch(tmp_path: Path) -> None:
    data = patch(torch_like(benign()), "archive/data.pkl", local={"crc": 0xDEADBEEF})
    findings = run(tmp_path, "model.pt", data)
    assert any("CRC-32 differs between headers" in f.message for f in findings), findings


def _central_sizes(data: bytes, name: str) -> tuple[int, int]:
    cd, _ = _central_offsets(data)[name]
    csize, usize = struct.unpack("<II", data[cd + 20 : cd + 28])
    return int(csize), int(usize)


# ---------------------------------------------------------------- data descriptors


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_data_descriptor_members_take_central_sizes_without_noise(
    tmp_path: Path, marker: Path, method: int
) -> None:
    data = write_zip(
        [("archive/data.pkl", evil(marker), method), ("archive/version", b"3\n", 0)], seekable=False
    )
    layout = read_layout(io.BytesIO(data), DEFAULT_LIMITS)
    assert layout.entries[0].local_flags is not None and layout.entries[0].local_flags & 0x08
    assert layout.entries[0].local_csize == 0 and layout.entries[0].csize > 0
    findings = run(tmp_path, "model.pt", data)
    assert critical(findings)
    assert "AIBOM-ZIP-001" not in ids(findings), findings  # zero local sizes with bit 3 are normal


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_data_descriptor_member_without_central_directory_is_found(
    tmp_path: Path, marker: Path, method: int
) -> None:
    """Only local headers (the central directory cut off) and the length only in the descriptor: a
    streaming reader still loads the member, so it is analysed (deflate to its stream's end, stored to
    the descriptor whose size matches). No CRC is claimed for a member whose CRC was not found."""
    data = write_zip(
        [("archive/data.pkl", evil(marker), method), ("archive/version", b"3\n", 0)],
        seekable=False,
    )
    cut = data[: data.find(b"PK\x01\x02")]
    findings = run(tmp_path, "payload.zip", cut)
    crit = critical(findings)
    assert crit and "(local header only)" in (crit[0].member or ""), findings
    assert "AIBOM-ZIP-002" not in ids(findings), findings


def test_walk_goes_on_after_a_stored_member_with_a_descriptor(tmp_path: Path, marker: Path) -> None:
    """The stored member's end is found from its descriptor, so the member after it is found too."""
    data = write_zip(
        [("archive/version", b"3\n", 0), ("archive/data.pkl", evil(marker), 0)], seekable=False
    )
    cut = data[: data.find(b"PK\x01\x02")]
    layout = read_layout(io.BytesIO(cut), DEFAULT_LIMITS)
    assert [e.name for e in layout.local_only] == ["archive/version", "archive/data.pkl"]
    crit = critical(run(tmp_path, "payload.zip", cut))
    assert crit and (crit[0].member or "").startswith("archive/data.pkl"), crit


def test_central_sizes_past_the_end_of_the_archive_stay_bounded(
    tmp_path: Path, marker: Path
) -> None:
    data = torch_like(evil(marker))
    data = patch(data, "archive/data.pkl", central={"csize": 0x7FFFFFFF, "usize": 0x7FFFFFFF})
    findings = run(tmp_path, "model.pt", data)
    assert any("past the end of the file" in f.message for f in findings), findings
    assert critical(findings)  # the bytes that are there are still analysed


# ---------------------------------------------------------------- member bounds


def safetensors(n: int, declared: int | None = None, width: int = 0) -> bytes:
    """A one-tensor safetensors file with ``n`` data bytes (its header may declare another length)."""
    d = n if declared is None else declared
    header = json.dumps({"t": {"dtype": "U8", "shape": [d], "data_offsets": [0, d]}}).encode()
    header += b" " * (max(width, len(header)) - len(header))
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + bytes(range(256)) * (n // 256) + bytes(n % 256)


def _malformed(findings: list[Finding], member: str) -> list[Finding]:
    return [
        f for f in findings if f.check.id == "AIBOM-FMT-002" and (f.member or "").endswith(member)
    ]


def test_stored_safetensors_member_is_measured_by_its_own_size(tmp_path: Path) -> None:
    """A valid safetensors member followed by other members: valid (it used to be measured against the
    whole archive's size, so every safetensors in a zip looked malformed)."""
    data = write_zip(
        [
            ("w/model.safetensors", safetensors(512), 0),
            ("w/other.bin", b"\x07" * 4096, 0),
            ("w/readme.txt", b"hi", 0),
        ]
    )
    findings = run(tmp_path, "bundle.zip", data)
    assert not _malformed(findings, "model.safetensors"), findings


def test_safetensors_member_that_is_only_valid_past_its_end_is_malformed(tmp_path: Path) -> None:
    """The header declares exactly the bytes from its data section to the *archive's* end: read past
    the member's end it would look valid; bounded by its own size it is truncated, so malformed."""
    width = 200
    for _ in range(3):  # the declared length is fixed-width, so the archive's size converges
        probe = write_zip(
            [
                ("w/model.safetensors", safetensors(64, declared=1, width=width), 0),
                ("w/pad.bin", b"\x09" * 3000, 0),
            ]
        )
        header_len = struct.unpack("<Q", safetensors(64, declared=1, width=width)[:8])[0]
        declared = len(probe) - 8 - header_len
        st = safetensors(64, declared=declared, width=width)
        data = write_zip([("w/model.safetensors", st, 0), ("w/pad.bin", b"\x09" * 3000, 0)])
        if len(data) == len(probe):
            break
    assert len(data) - 8 - struct.unpack("<Q", st[:8])[0] == declared
    findings = run(tmp_path, "bundle.zip", data)
    bad = _malformed(findings, "model.safetensors")
    assert bad and any("data section holds 64" in f.message for f in bad), findings


def test_truncated_stored_member_is_reported_not_read_into_the_next(tmp_path: Path) -> None:
    """Central sizes shrunk below the safetensors' real length: the member ends there (malformed), its
    bytes are not completed from the member that follows."""
    st = safetensors(512)
    data = write_zip([("w/model.safetensors", st, 0), ("w/next.bin", st, 0)])
    short = len(st) - 100
    data = patch(
        data,
        "w/model.safetensors",
        local={"csize": short, "usize": short},
        central={"csize": short, "usize": short},
    )
    findings = run(tmp_path, "bundle.zip", data)
    assert _malformed(findings, "model.safetensors"), findings
    assert not _malformed(findings, "next.bin")


# ---------------------------------------------------------------- through the installed command


def test_installed_scan_reports_the_payload_in_an_encrypted_flagged_member(
    tmp_path: Path, marker: Path
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    data = patch(
        torch_like(evil(marker), zipfile.ZIP_DEFLATED), "archive/data.pkl", **both(flags=0x0001)
    )
    (model / "pytorch_model.bin").write_bytes(data)
    out = tmp_path / "bom.json"
    proc = subprocess.run(
        [str(AIBOM), "scan", str(model), "-o", str(out), "--fail-on", "high"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=HANG_GUARD,
        check=False,
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    vulns = json.loads(out.read_text()).get("vulnerabilities", [])
    found = {v["id"] for v in vulns}
    assert {"AIBOM-PKL-001", "AIBOM-ZIP-003"} <= found, found
    pkl = [v for v in vulns if v["id"] == "AIBOM-PKL-001"]
    assert any(r.get("severity") == "critical" for v in pkl for r in v.get("ratings", [])), pkl


def test_zip64_local_headers_are_not_a_mismatch(tmp_path: Path, marker: Path) -> None:
    """``force_zip64`` puts 0xFFFFFFFF sizes and a zip64 extra in the local header: the sizes compared
    with the central directory are the extra's, so a plain zip64 member is no mismatch."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in (("archive/data.pkl", evil(marker)), ("archive/version", b"3\n")):
            with zf.open(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), "w", force_zip64=True) as fh:
                fh.write(content)
    data = buf.getvalue()
    _, local = _central_offsets(data)["archive/data.pkl"]
    assert struct.unpack("<I", data[local + 18 : local + 22])[0] == 0xFFFFFFFF
    findings = run(tmp_path, "model.pt", data)
    assert critical(findings)
    assert "AIBOM-ZIP-001" not in ids(findings), findings


def test_hidden_descriptor_member_before_listed_ones_is_no_overlap(
    tmp_path: Path, marker: Path
) -> None:
    """A deflate member no central directory lists, length only in its descriptor, ahead of listed
    members: analysed; its unknown span (to the archive's end) is not reported as overlapping them."""
    hidden = write_zip([("archive/hidden.pkl", evil(marker), zipfile.ZIP_DEFLATED)], seekable=False)
    hidden = hidden[: hidden.find(b"PK\x01\x02")]
    listed = write_zip([("archive/data.pkl", benign(), 0), ("archive/version", b"3\n", 0)])
    cd = _central_offsets(listed)
    out = bytearray(hidden + listed)
    for rec, local in cd.values():  # shift the listed members' offsets past the hidden one
        struct.pack_into("<I", out, len(hidden) + rec + 42, local + len(hidden))
    eocd = out.rfind(b"PK\x05\x06")
    (cd_off,) = struct.unpack_from("<I", out, eocd + 16)
    struct.pack_into("<I", out, eocd + 16, cd_off + len(hidden))
    findings = run(tmp_path, "model.pt", bytes(out))
    assert any("hidden.pkl" in (f.member or "") for f in critical(findings)), findings
    assert "AIBOM-ZIP-004" not in ids(findings), findings
    assert any("no central-directory entry" in f.message for f in findings)
