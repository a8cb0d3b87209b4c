"""``aibom scan hf://...`` end to end against the fake Hub: the same BOM shape as a local snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aibom.findings import Severity
from aibom.scan import ScanOptions, scan
from tests.builders import CARD, validate_bom
from tests.remote.hubserver import FakeHub, HubRepo
from tests.remote.remote_builders import evil_pickle, fast, torch_zip

COMMIT = "b" * 40


def _repo(hub: FakeHub) -> bytes:
    archive = torch_zip(
        evil_pickle(), b"\0" * (2 * 1024 * 1024)
    )  # big enough to be fetched by range
    hub.add(
        HubRepo(
            "org/evil",
            {
                "pytorch_model.bin": archive,
                "config.json": b'{"model_type": "bert"}',
                "README.md": CARD.encode(),
            },
            commit=COMMIT,
            branches={"main": COMMIT},
            lfs=frozenset({"pytorch_model.bin"}),
        )
    )
    return archive


def _props(comp: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in comp.get("properties", [])}


def test_remote_model_becomes_a_model_component_with_declared_digests(hub: FakeHub) -> None:
    _repo(hub)
    result = scan(ScanOptions(targets=(), remote_targets=("hf://org/evil",), remote=fast()))
    doc = validate_bom(result.document)
    (model,) = [
        c for c in doc["components"] if c["type"] == "machine-learning-model" and "components" in c
    ]
    assert model["purl"] == f"pkg:huggingface/org/evil@{COMMIT}"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert model["modelCard"]["modelParameters"]["task"] == "text-classification"
    files = {f["name"]: f for f in model["components"]}
    weights = _props(files["pytorch_model.bin"])
    assert weights["aibom:remote:fetched"] == "ranges"
    assert len(weights["aibom:hf:declared-sha256"]) == 64
    assert "hashes" not in files["pytorch_model.bin"]  # a partial download has no computed digest
    assert files["config.json"]["hashes"][0]["alg"] == "SHA-256"  # small files are fetched whole
    codes = {f.check.id for f in result.findings if f.path.endswith("pytorch_model.bin")}
    assert any(code.startswith("AIBOM-PKL") for code in codes), codes
    assert result.exit_code(Severity.HIGH) == 1


def test_cli_scans_hf_targets_and_reports_access_errors(hub: FakeHub, tmp_path: Path) -> None:
    _repo(hub)
    env = {**os.environ, "HF_ENDPOINT": hub.url, "AIBOM_CACHE_DIR": str(tmp_path / "c")}
    env.pop("HF_HUB_OFFLINE", None)
    run = [sys.executable, "-m", "aibom", "scan"]
    proc = subprocess.run(
        [*run, "hf://org/evil", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr  # the pickle's os.system import is a critical finding
    doc = json.loads(proc.stdout)
    assert any(v["id"].startswith("AIBOM-PKL") for v in doc["vulnerabilities"])
    missing = subprocess.run(
        [*run, "hf://org/missing"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "error:" in missing.stderr and "org/missing" in missing.stderr
    assert missing.stdout == ""


def test_cli_knows_the_remote_scheme() -> None:
    from aibom.sources.remote.source import SCHEME

    assert (
        SCHEME == "hf://"
    )  # aibom.cli.scan tests for this prefix without importing aibom.sources.remote
