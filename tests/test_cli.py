"""The command line, run as a user runs it: a real process, exit codes, stdout versus stderr."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aibom import __version__
from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode
from tests.builders import lfs_pointer, validate_bom, write_model

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"
INSTALLED = Path(sys.executable).parent / "aibom"
"""The console script ``pip install`` made, run as users run it."""


def aibom(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aibom", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def installed(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INSTALLED), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def test_bom_on_stdout_summary_on_stderr() -> None:
    proc = aibom("scan", EXAMPLE / "tiny-bert", EXAMPLE / "requirements.txt")
    assert proc.returncode == 0, proc.stderr
    validate_bom(proc.stdout)
    assert "aibom: 1 model, 1 dataset, 5 packages, 7 files" in proc.stderr
    assert "AIBOM-PKG-001" in proc.stderr
    assert not proc.stderr.lstrip().startswith("{")


def test_output_file_quiet_and_verbose(tmp_path: Path) -> None:
    out = tmp_path / "bom.cdx.json"
    proc = aibom("scan", EXAMPLE / "tiny-bert", "-o", out, "-q")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    validate_bom(out.read_text())
    proc = aibom("scan", EXAMPLE / "tiny-bert", "-o", out, "-v")
    assert f"BOM written to {out}" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == [
        "bom.cdx.json"
    ]  # no temporary files left behind


def test_fail_on_threshold(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.safetensors").write_bytes(lfs_pointer(b"x" * 10))
    assert aibom("scan", tmp_path / "m", "-q").returncode == 0  # default threshold: high
    proc = aibom("scan", tmp_path / "m", "--fail-on", "medium")
    assert proc.returncode == 1
    assert "MEDIUM   AIBOM-LFS-001 m/model.safetensors" in proc.stderr
    validate_bom(proc.stdout)  # the BOM is still written on a policy failure
    assert aibom("scan", tmp_path / "m", "--fail-on", "none", "-q").returncode == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    proc = aibom("scan", tmp_path / "missing")
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert proc.stdout == ""
    assert aibom("scan").returncode == 2
    assert aibom("scan", tmp_path, "--spec-version", "1.2").returncode == 2
    assert aibom("scan", tmp_path, "--python", tmp_path / "nothing-here").returncode == 2


def test_xml_and_version(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    proc = aibom("scan", tmp_path / "m", "--format", "xml", "--spec-version", "1.7", "-q")
    assert proc.returncode == 0
    assert proc.stdout.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.7"'
    )
    assert aibom("--version").stdout.strip() == f"aibom, version {__version__}"


def test_reproducible_cli_runs_are_identical(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    one = aibom("scan", "m", "--reproducible", cwd=tmp_path).stdout
    two = aibom("scan", str(tmp_path / "m"), "--reproducible", "--no-cache", cwd=tmp_path).stdout
    assert one == two
    assert json.loads(one)["metadata"]["component"]["name"] == "m"


def test_invalid_bom_is_never_written(tmp_path: Path) -> None:
    """A bug that produced an invalid BOM must stop the run with exit 2 and no output file."""
    write_model(tmp_path / "m")
    script = tmp_path / "broken.py"
    script.write_text(
        "import sys\n"
        "import aibom.bom.build as b\n"
        "real = b.model_card\n"
        "b.model_card = lambda *a: {**real(*a), 'bogus': 1}\n"
        "from aibom.cli.main import main\n"
        "sys.argv = ['aibom', 'scan', sys.argv[1], '-o', sys.argv[2]]\n"
        "main()\n"
    )
    out = tmp_path / "bom.json"
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "m"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "does not validate against the CycloneDX schema" in proc.stderr
    assert "bug in aibom" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"]])
def test_help(args: list[str]) -> None:
    proc = aibom(*args)
    assert proc.returncode == 0
    assert "Usage:" in proc.stdout


def test_min_score_gates_a_scored_scan(tmp_path: Path) -> None:
    out = tmp_path / "bom.cdx.json"
    first = installed("scan", EXAMPLE / "tiny-bert", "--score", "-q", "-o", out)
    assert first.returncode == ExitCode.OK, first.stderr
    meta = json.loads(out.read_text())["metadata"]["properties"]
    overall = float(next(p["value"] for p in meta if p["name"] == "aibom:score:overall"))
    below = installed("scan", EXAMPLE / "tiny-bert", "--min-score", f"{overall + 1:g}", "-o", out)
    assert below.returncode == ExitCode.POLICY
    assert f"policy: score {overall:.1f} is below --min-score {overall + 1:g}" in below.stderr
    assert "aibom: transparency score" in below.stderr
    validate_bom(out.read_text())  # the scored BOM is still written on a policy failure
    above = installed("scan", EXAMPLE / "tiny-bert", "--min-score", f"{overall - 1:g}", "-o", out)
    assert above.returncode == ExitCode.OK, above.stderr
    assert "policy:" not in above.stderr


def test_fail_on_offers_the_shared_choices() -> None:
    proc = installed("scan", "--help")
    assert f"--fail-on [{'|'.join(FAIL_ON_CHOICES)}]" in proc.stdout
    bad = installed("scan", EXAMPLE / "tiny-bert", "--fail-on", "severe")
    assert bad.returncode == ExitCode.ERROR
    assert bad.stderr.startswith("Usage: aibom scan")
    assert "Invalid value for '--fail-on': 'severe' is not one of" in bad.stderr
    assert bad.stdout == ""


@pytest.mark.parametrize("choice", FAIL_ON_CHOICES)
def test_every_fail_on_choice_gates_at_its_severity(choice: str) -> None:
    """tiny-bert has only info findings: only ``info`` fails."""
    proc = installed("scan", EXAMPLE / "tiny-bert", "--fail-on", choice, "-q")
    assert proc.returncode == (ExitCode.POLICY if choice == "info" else ExitCode.OK), proc.stderr


def _wait_until_open(pid: int, path: Path, timeout: float = 60) -> None:
    """Until process ``pid`` has ``path`` open (the scan is hashing it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fds = Path(f"/proc/{pid}/fd")
        try:
            if any(os.readlink(fd) == str(path) for fd in fds.iterdir()):
                return
        except OSError:
            pass  # a descriptor closed while we looked
        time.sleep(0.02)
    raise AssertionError(f"the scan never opened {path}")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the scan read")
def test_ctrl_c_during_a_scan_exits_130(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    big = tmp_path / "m" / "model.bin"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: no disk used, yet seconds of hashing
    out = tmp_path / "bom.cdx.json"
    scan = subprocess.Popen(
        [str(INSTALLED), "scan", str(tmp_path / "m"), "--no-cache", "-q", "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_open(scan.pid, big)
        scan.send_signal(signal.SIGINT)
        _, stderr = scan.communicate(timeout=120)
    finally:
        if scan.poll() is None:
            scan.kill()
            scan.wait()
    assert scan.returncode == ExitCode.INTERRUPTED
    assert stderr.strip() == "interrupted"
    assert not out.exists()
