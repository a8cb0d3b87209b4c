"""A BOM written with ``aibom scan --score`` gets its scorecard in ``aibom report`` without --scores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiny-bert"


def _aibom(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aibom", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_report_rescores_a_scored_bom(tmp_path: Path) -> None:
    env = {**os.environ, "AIBOM_CACHE_DIR": str(tmp_path / "cache")}
    scored, plain = tmp_path / "scored.json", tmp_path / "plain.json"
    assert _aibom("scan", EXAMPLE, "--score", "-q", "-o", scored, env=env).returncode == 0
    assert _aibom("scan", EXAMPLE, "-q", "-o", plain, env=env).returncode == 0
    with_scores = _aibom("report", scored, "--format", "markdown", env=env).stdout
    without = _aibom("report", plain, "--format", "markdown", env=env).stdout
    assert "Transparency scores (profile `procurement`)" in with_scores
    assert "Transparency scores" not in without
