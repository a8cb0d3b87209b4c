"""The command line, run as a user runs it: a real process, exit codes, stdout versus stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aibom import __version__
from tests.builders import lfs_pointer, validate_bom, write_model

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"


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
