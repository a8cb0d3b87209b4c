"""One payload per published technique, each of which would create a marker file if loaded. aibom must
report every one at the expected severity, through the library and through the CLI, and the marker must
never appear (aibom never loads what it scans)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.findings import Severity
from aibom.scan import ScanOptions, scan
from tests.unsafe.payloads import Technique, techniques

TECHNIQUES = techniques()


def _write(folder: Path, technique: Technique, marker: Path) -> list[Path]:
    build: Callable[[Path], dict[str, bytes]] = technique.build  # type: ignore[assignment]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in build(marker).items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


@pytest.mark.parametrize("technique", TECHNIQUES, ids=[t.name for t in TECHNIQUES])
def test_technique_detected_by_library(technique: Technique, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    files = _write(tmp_path / "model", technique, marker)
    result = scan(ScanOptions(targets=(tmp_path / "model",), use_cache=False))
    for path in files:
        mine = [f for f in result.findings if f.path.endswith(path.name)]
        wanted = Severity.parse(technique.severity)
        hits = [f for f in mine if f.check.id == technique.check and f.effective_severity == wanted]
        assert hits, (
            technique.reference,
            [(f.check.id, f.effective_severity.label, f.message) for f in mine],
        )
        assert max(f.effective_severity for f in mine) >= wanted
    assert not result.skipped, result.skipped
    assert not marker.exists()


def test_every_technique_through_the_cli(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    root = tmp_path / "corpus"
    expected: dict[str, tuple[str, str]] = {}
    for technique in TECHNIQUES:
        for path in _write(root / technique.name, technique, marker):
            expected[f"{technique.name}/{path.name}"] = (technique.check, technique.severity)
    out = tmp_path / "bom.json"
    proc = subprocess.run(
        [sys.executable, "-m", "aibom", "scan", str(root), "-o", str(out), "--reproducible", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(out.read_text())
    seen: dict[str, set[tuple[str, str]]] = {}
    for vuln in doc.get("vulnerabilities", []):
        severity = vuln["ratings"][0]["severity"]
        for affected in vuln.get("affects", []):
            seen.setdefault(affected["ref"], set()).add((vuln["id"], severity))
    pairs = {pair for values in seen.values() for pair in values}
    for name, (check, severity) in expected.items():
        assert (check, severity) in pairs, name
    assert not marker.exists()
