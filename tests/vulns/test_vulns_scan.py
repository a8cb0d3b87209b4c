"""``aibom scan --vulns``: OSV matches land in the BOM and count for --fail-on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.builders import validate_bom
from tests.vulns.osv_builders import CVSS_CRITICAL, advisory, write_export


def _export(tmp_path: Path) -> Path:
    records = [
        advisory(
            "GHSA-test-torch",
            "torch",
            ("introduced", "0"),
            ("fixed", "2.14.0"),
            severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
        ),
        advisory("PYSEC-old-numpy", "numpy", ("introduced", "0"), ("fixed", "1.0")),
    ]
    return write_export(tmp_path / "all.zip", records)


def test_scan_with_offline_osv_export(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\nnumpy==2.0.0\n")
    env = {**os.environ, "AIBOM_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "aibom", "scan", str(tmp_path / "requirements.txt")]
    proc = subprocess.run(
        [*cmd, "--osv-db", str(_export(tmp_path))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr  # a critical advisory reaches the default threshold
    doc = validate_bom(proc.stdout)
    (vuln,) = [v for v in doc["vulnerabilities"] if v["id"] == "GHSA-test-torch"]
    assert vuln["affects"] == [
        {"ref": "pkg:pypi/torch@2.13.0", "versions": [{"version": "2.13.0", "status": "affected"}]}
    ]
    assert "2.14.0" in vuln["recommendation"]
    assert "1 known vulnerability" in proc.stderr
    quiet = subprocess.run(
        [*cmd, "--osv-db", str(tmp_path / "all.zip"), "--fail-on", "none", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert quiet.returncode == 0
    assert json.loads(quiet.stdout)["vulnerabilities"][0]["id"] == "GHSA-test-torch"


def test_vulns_flag_needs_a_source(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\n")
    cmd = [sys.executable, "-m", "aibom", "scan", str(tmp_path / "requirements.txt")]
    proc = subprocess.run(
        [*cmd, "--vulns"], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 2
    assert "--osv-db PATH" in proc.stderr
