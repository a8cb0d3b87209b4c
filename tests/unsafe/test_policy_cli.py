"""``aibom scan --policy FILE``: users extend the pickle allowlist and denylist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.builders import validate_bom

# A class from the user's own package (unknown to the built-in allowlist) called with file data,
# which runs its __init__ (medium): GLOBAL acme_models.layers Custom, (3,) REDUCE, STOP.
CUSTOM_OBJECT = b"\x80\x02cacme_models.layers\nCustom\nq\x00K\x03\x85Rq\x01."


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aibom", "scan", *map(str, args), "--fail-on", "medium", "-q"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_policy_file_allows_and_denies(tmp_path: Path) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(CUSTOM_OBJECT)
    assert _run(model).returncode == 1  # a global off the allowlist: medium or worse
    allow = tmp_path / "allow.toml"
    allow.write_text('[allow]\nglobals = ["acme_models.layers:Custom"]\n')
    proc = _run(model, "--policy", allow)
    assert proc.returncode == 0, proc.stderr
    validate_bom(proc.stdout)
    deny = tmp_path / "deny.toml"
    deny.write_text(
        '[allow]\nglobals = ["acme_models.*"]\n[deny]\nglobals = ["acme_models.layers"]\n'
    )
    proc = _run(model, "--policy", deny, "--fail-on", "critical")
    assert proc.returncode == 1  # deny wins over allow, and a denied global is critical
    bad = tmp_path / "bad.toml"
    bad.write_text("[allow\n")
    proc = _run(model, "--policy", bad)
    assert proc.returncode == 2
    assert "bad.toml" in proc.stderr
