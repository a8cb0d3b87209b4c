"""Coverage per verdict (issue 12, item 6): every inspected file records ``complete``, ``partial`` or
``not-analysed`` with the bytes covered and the limits hit, in the BOM and the reports; a code-bearing
file not read to the end because of a limit is AIBOM-COV-001 (medium when the unread part could hold
code), and a fully read clean file says complete.

Every file here is built by the test and only ever read statically by aibom (nothing is unpickled).
"""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aibom.artifacts import Coverage, CoverageStatus, coverage_text
from aibom.checks import LIMIT_REACHED
from aibom.checks.core import BUDGET_SPENT, PARTIAL_COVERAGE
from aibom.findings import Finding, Severity
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.scan import ScanOptions, ScanResult, scan
from tests.builders import safetensors_bytes
from tests.processes import HANG_GUARD

AIBOM = Path(sys.executable).parent / "aibom"


def _scan(folder: Path, limits: Limits = DEFAULT_LIMITS) -> ScanResult:
    return scan(ScanOptions(targets=(folder,), use_cache=False, limits=limits))


def _files(bom: dict[str, Any]) -> dict[str, dict[str, str]]:
    """File name (last path segment) -> its aibom properties, from a written BOM (top-level and
    nested file components)."""
    out: dict[str, dict[str, str]] = {}

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c.get("type") == "file":
                name = c["name"].rsplit("/", 1)[-1]
                out[name] = {p["name"]: p["value"] for p in c.get("properties", [])}
            walk(c.get("components", []))

    walk(bom.get("components", []))
    return out


def _props(result: ScanResult, name: str) -> dict[str, str]:
    files = _files(json.loads(result.json_document or result.document))
    return files[name]


def _on(result: ScanResult, name: str) -> list[Finding]:
    return [f for f in result.findings if f.path.endswith("/" + name)]


def _coverage(result: ScanResult, name: str) -> Coverage:
    (art,) = [a for a in result.artifacts if a.display.endswith("/" + name)]
    assert art.coverage is not None
    return art.coverage


def _nested_calls(n: int) -> bytes:
    """A protocol-2 pickle of a list of ``n`` calls of ``pickle.loads`` on a literal payload, written
    opcode by opcode (it is only ever read statically)."""
    call = b"cpickle\nloads\nU\x02N.\x85R"  # GLOBAL, SHORT_BINSTRING 'N.', TUPLE1, REDUCE
    return b"\x80\x02](" + call * n + b"e."


# ---------------------------------------------------------------- files read whole


def test_clean_safetensors_and_npy_are_complete_with_no_finding(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(safetensors_bytes(tmp=tmp_path))
    np.save(folder / "a.npy", np.arange(12, dtype=np.float32))
    result = _scan(folder)
    for name in ("model.safetensors", "a.npy"):
        size = (folder / name).stat().st_size
        props = _props(result, name)
        assert props["aibom:file:coverage"] == "complete"
        assert props["aibom:file:coverage-bytes"] == f"{size}/{size}"
        assert "aibom:file:coverage-limits" not in props
        assert _on(result, name) == []
    assert "partly analysed" not in _summary(result)


def test_data_only_files_without_an_inspector_carry_no_coverage(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "notes.txt").write_text("plain text\n")
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "vocab.json").write_text('{"a": 1}')  # JSON no inspector reads: not analysed
    (folder / "model.safetensors").write_bytes(safetensors_bytes(tmp=tmp_path))
    result = _scan(folder)
    for name in ("notes.txt", "data.csv", "vocab.json"):
        assert not [k for k in _props(result, name) if k.startswith("aibom:file:coverage")]


# ---------------------------------------------------------------- pickle cut by a limit


def test_pickle_longer_than_max_pickle_bytes_is_partial_and_medium(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    # many small opcodes: the walk reaches the cap long before STOP
    (folder / "big.pkl").write_bytes(pickle.dumps(list(range(20_000)), protocol=4))
    size = (folder / "big.pkl").stat().st_size
    result = _scan(folder, Limits(max_pickle_bytes=4096))
    cov = _coverage(result, "big.pkl")
    assert cov.status is CoverageStatus.PARTIAL
    assert cov.reasons == ("max_pickle_bytes",)
    assert cov.bytes_covered is not None and 4096 <= cov.bytes_covered < size
    props = _props(result, "big.pkl")
    assert props["aibom:file:coverage"] == "partial"
    assert props["aibom:file:coverage-bytes"] == f"{cov.bytes_covered}/{size}"
    assert props["aibom:file:coverage-limits"] == "max_pickle_bytes"
    checks = {f.check.id: f for f in _on(result, "big.pkl")}
    assert LIMIT_REACHED.id in checks  # where the limit was hit ...
    cov_finding = checks[PARTIAL_COVERAGE.id]  # ... and the file's verdict
    assert cov_finding.effective_severity is Severity.MEDIUM
    assert "max_pickle_bytes" in cov_finding.message and "may hold code" in cov_finding.message
    assert cov_finding.evidence == f"{cov.bytes_covered}/{size}"
    # the same file under the default limits is read whole and says so
    whole = _scan(folder)
    assert _coverage(whole, "big.pkl").status is CoverageStatus.COMPLETE
    assert PARTIAL_COVERAGE.id not in {f.check.id for f in whole.findings}


def test_unscanned_nested_payloads_are_partial_but_low(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "nested.pkl").write_bytes(_nested_calls(3))
    result = _scan(folder, Limits(max_pickle_records=1))
    cov = _coverage(result, "nested.pkl")
    assert cov.status is CoverageStatus.PARTIAL and cov.reasons == ("max_pickle_records",)
    (finding,) = [f for f in _on(result, "nested.pkl") if f.check is PARTIAL_COVERAGE]
    assert finding.effective_severity is Severity.LOW
    # the loader calls themselves are still findings, well above low
    assert max(f.effective_severity for f in _on(result, "nested.pkl")) > Severity.MEDIUM
    assert _coverage(_scan(folder), "nested.pkl").status is CoverageStatus.COMPLETE


# ---------------------------------------------------------------- archives and headers


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_over_the_inflation_budget_is_partial_and_medium(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    members = {f"part{i}.bin": b"\0" * (1 << 20) for i in range(4)}
    members["late.pkl"] = pickle.dumps({"a": 1}, protocol=2)
    (folder / "bundle.zip").write_bytes(_zip(members))
    result = _scan(folder, Limits(max_archive_inflated_bytes=1))
    cov = _coverage(result, "bundle.zip")
    assert cov.status is CoverageStatus.PARTIAL
    assert "max_archive_inflated_bytes" in cov.reasons
    assert cov.bytes_covered is None  # a zip member's offsets are not the archive's
    props = _props(result, "bundle.zip")
    assert props["aibom:file:coverage-bytes"] == f"unknown/{cov.bytes_total}"
    ids = {f.check.id: f for f in _on(result, "bundle.zip")}
    assert BUDGET_SPENT.id in ids
    assert ids[PARTIAL_COVERAGE.id].effective_severity is Severity.MEDIUM
    assert _coverage(_scan(folder), "bundle.zip").status is CoverageStatus.COMPLETE


def test_a_member_cut_short_makes_its_archive_partial(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    inner = pickle.dumps(list(range(20_000)), protocol=4)
    (folder / "bundle.zip").write_bytes(_zip({"notes.txt": b"hi", "w.pkl": inner}))
    result = _scan(folder, Limits(max_pickle_bytes=4096))
    cov = _coverage(result, "bundle.zip")
    assert cov.status is CoverageStatus.PARTIAL and cov.reasons == ("max_pickle_bytes",)
    (finding,) = [f for f in _on(result, "bundle.zip") if f.check is PARTIAL_COVERAGE]
    assert finding.member is None and finding.effective_severity is Severity.MEDIUM
    limit = [f for f in _on(result, "bundle.zip") if f.check is LIMIT_REACHED]
    assert [f.member for f in limit] == [
        "w.pkl"
    ]  # where, per member; COV-001 is the file's verdict


def test_safetensors_over_the_tensor_cap_is_partial_without_a_coverage_finding(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    data = safetensors_bytes(tmp=tmp_path)  # two tensors
    (folder / "model.safetensors").write_bytes(data)
    result = _scan(folder, Limits(max_tensors=1))
    props = _props(result, "model.safetensors")
    assert props["aibom:file:coverage"] == "partial"
    assert props["aibom:file:coverage-bytes"] == f"unknown/{len(data)}"
    assert props["aibom:file:coverage-limits"] == "max_tensors"
    ids = [f.check.id for f in _on(result, "model.safetensors")]
    assert LIMIT_REACHED.id in ids
    assert PARTIAL_COVERAGE.id not in ids  # pure data: the property says partial, no finding


def test_npy_header_over_the_cap_is_partial_and_medium(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    np.save(folder / "a.npy", np.arange(4))
    result = _scan(folder, Limits(max_npy_header=8))
    cov = _coverage(result, "a.npy")
    assert cov.status is CoverageStatus.PARTIAL and cov.reasons == ("max_npy_header",)
    assert cov.bytes_covered == 10  # magic, version and the header length field
    (finding,) = [f for f in _on(result, "a.npy") if f.check is PARTIAL_COVERAGE]
    assert finding.effective_severity is Severity.MEDIUM  # the dtype (object = pickle) is unread


def test_hdf5_over_the_time_budget_is_not_analysed(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    folder = tmp_path / "m"
    folder.mkdir()
    with h5py.File(folder / "model.h5", "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {}})
    result = _scan(folder, Limits(max_h5_seconds=0))
    cov = _coverage(result, "model.h5")
    assert cov.status is CoverageStatus.NOT_ANALYSED
    assert cov.reasons == ("max_h5_seconds",) and cov.bytes_covered == 0
    (finding,) = [f for f in _on(result, "model.h5") if f.check is PARTIAL_COVERAGE]
    assert finding.effective_severity is Severity.MEDIUM


def test_damage_alone_is_partial_but_reported_by_its_own_finding(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "cut.pkl").write_bytes(pickle.dumps({"a": list(range(100))}, protocol=2)[:-20])
    result = _scan(folder)
    cov = _coverage(result, "cut.pkl")
    assert cov.status is CoverageStatus.PARTIAL and cov.reasons == ("malformed",)
    ids = [f.check.id for f in _on(result, "cut.pkl")]
    assert ids and PARTIAL_COVERAGE.id not in ids


def test_coverage_text() -> None:
    assert coverage_text("complete", "5/5", None) == "complete"
    text = coverage_text("partial", f"{12 << 20}/{2 << 30}", "max_pickle_bytes")
    assert text == "partial (12.0 MiB of 2.0 GiB; max_pickle_bytes)"
    assert (
        coverage_text("partial", "unknown/2048", "a, b")
        == "partial (unknown part of 2.0 KiB; a, b)"
    )


# ---------------------------------------------------------------- the installed command


def _summary(result: ScanResult) -> str:
    from aibom.cli.ui import summary

    return summary(result)


def test_installed_scan_writes_coverage_and_counts_partial_files(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    # more stacked pickles than max_pickle_stacked (10,000): the rest of the stream is not walked
    (folder / "stacked.pkl").write_bytes(b"\x80\x02N." * 10_050)
    (folder / "model.safetensors").write_bytes(safetensors_bytes(tmp=tmp_path))
    out = tmp_path / "bom.json"
    proc = subprocess.run(
        [str(AIBOM), "scan", str(folder), "-o", str(out), "--fail-on", "none"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "; 1 file partly analysed" in proc.stderr
    bom = json.loads(out.read_text())
    files = _files(bom)
    stacked = files["stacked.pkl"]
    assert stacked["aibom:file:coverage"] == "partial"
    assert stacked["aibom:file:coverage-limits"] == "max_pickle_stacked"
    assert stacked["aibom:file:coverage-bytes"] == f"40000/{4 * 10_050}"
    assert files["model.safetensors"]["aibom:file:coverage"] == "complete"
    (vuln,) = [v for v in bom["vulnerabilities"] if v["id"] == PARTIAL_COVERAGE.id]
    assert vuln["ratings"][0]["severity"] == "medium"

    def report(fmt: str) -> str:
        done = subprocess.run(
            [str(AIBOM), "report", str(out), "--format", fmt],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    shown = "partial (39.1 KiB of 39.3 KiB; max_pickle_stacked)"
    markdown = report("markdown")
    assert "### Partly analysed files (1)" in markdown
    assert r"partial \(39.1 KiB of 39.3 KiB; max\_pickle\_stacked\)" in markdown  # escaped
    assert "1 file examined partly" in markdown
    html = report("html")
    assert "<th>Coverage</th>" in html and shown in html
    (entry,) = json.loads(report("json"))["partly_analysed"]
    assert entry["path"].endswith("stacked.pkl") and entry["limits"] == "max_pickle_stacked"
    sarif = json.loads(report("sarif"))
    results = sarif["runs"][0]["results"]
    (cov,) = [r for r in results if r["ruleId"] == PARTIAL_COVERAGE.id]
    assert cov["properties"]["coverage"] == shown
    assert "max_pickle_stacked" in cov["message"]["text"]


def test_a_tar_with_more_members_than_the_limit_is_partial_and_says_so(tmp_path: Path) -> None:
    import tarfile

    folder = tmp_path / "t"
    folder.mkdir()
    with tarfile.open(folder / "many.tar", "w") as tar:
        for i in range(6):
            data = pickle.dumps({"i": i})
            info = tarfile.TarInfo(f"m{i}.pkl")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = _scan(folder, Limits(max_members=4))
    props = _props(result, "many.tar")
    assert props["aibom:file:coverage"] == "partial"
    assert props["aibom:file:coverage-limits"] == "max_members"
    assert any(
        f.check is LIMIT_REACHED and "max_members" in f.message for f in _on(result, "many.tar")
    )
    assert any(f.check is PARTIAL_COVERAGE for f in _on(result, "many.tar"))
    whole = _props(_scan(folder, Limits(max_members=6)), "many.tar")
    assert whole["aibom:file:coverage"] == "complete"
