"""zizmor (a dev dependency) audits the workflows and action.yml with its strictest persona.

Two findings are ignored inline, each with its reason: ``self-repository`` on the selftest's
``uses: ./`` (the selftest runs the checked-out commit, which is the point)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.action.runner import ROOT


def test_zizmor_finds_nothing() -> None:
    zizmor = Path(sys.executable).with_name("zizmor")
    done = subprocess.run(
        [
            str(zizmor),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "json",
            "--no-progress",
            ".github/workflows",
            "action.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []
