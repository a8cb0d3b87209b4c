"""End to end: payloads that would create a marker file if anything loaded or rendered them are found by
``aibom.scan.scan`` and by ``python -m aibom scan`` (exit 1 with --fail-on critical) and the marker never
appears; benign Keras, GGUF, ONNX and template files pass ``--fail-on low``. Also the registry and the
check catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import onnx
import pytest

from aibom.artifacts import Format
from aibom.checks import ALL_CHECKS
from aibom.checks.unsafe_other import UNSAFE_OTHER_CHECKS
from aibom.findings import Severity
from aibom.formats import OTHER_INSPECTORS, inspector_for
from aibom.formats.properties import FACT_PROPERTIES, PROPERTIES
from aibom.scan import ScanOptions, scan
from tests.unsafe.nonpickle_builders import (
    MARKER_NAME,
    TRAINING_CONFIG,
    keras2_config,
    keras2_lambda,
    keras3_function,
    keras3_lambda,
    keras3_layer,
    keras3_model,
    lambda_code_b64,
    ssti_template,
    write_gguf,
    write_h5_model,
    write_keras_v3,
)
from tests.unsafe.test_nonpickle_onnx import linear_model, save_external, with_location
from tests.unsafe.test_nonpickle_templates import CHATML, LLAMA3


def _mk(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_malicious(root: Path, marker: Path) -> dict[str, str]:
    code = lambda_code_b64(marker)
    write_h5_model(_mk(root / "h5" / "model.h5"), keras2_config(extra=[keras2_lambda(code)]))
    write_keras_v3(_mk(root / "v3" / "model.keras"), keras3_model([keras3_lambda(code)]))
    system = keras3_layer("Lambda", {"function": keras3_function("os", "system"), "arguments": {}})
    write_keras_v3(_mk(root / "cve-2025-1550" / "model.keras"), keras3_model([system]))
    write_gguf(
        _mk(root / "gguf" / "model.gguf"),
        template=CHATML,
        named={"tool_use": ssti_template(marker)},
    )
    _mk(root / "tok" / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": ssti_template(marker)})
    )
    _mk(root / "jinja" / "chat_template.jinja").write_text(ssti_template(marker))
    onnx_path = _mk(root / "onnx" / "model.onnx")
    onnx_path.write_bytes(
        with_location(linear_model(), "../../../../etc/passwd").SerializeToString()
    )
    return {
        "h5/model.h5": "AIBOM-KER-001",
        "v3/model.keras": "AIBOM-KER-001",
        "cve-2025-1550/model.keras": "AIBOM-KER-002",
        "gguf/model.gguf": "AIBOM-TPL-001",
        "tok/tokenizer_config.json": "AIBOM-TPL-001",
        "jinja/chat_template.jinja": "AIBOM-TPL-001",
        "onnx/model.onnx": "AIBOM-ONNX-001",
    }


def build_benign(root: Path) -> None:
    write_h5_model(_mk(root / "h5" / "model.h5"), keras2_config(), TRAINING_CONFIG)
    write_keras_v3(
        _mk(root / "v3" / "model.keras"), keras3_model([keras3_layer("Dense", {"units": 2})])
    )
    write_gguf(_mk(root / "gguf" / "model.gguf"), template=LLAMA3, named={"chatml": CHATML})
    _mk(root / "tok" / "tokenizer_config.json").write_text(json.dumps({"chat_template": CHATML}))
    _mk(root / "tok" / "chat_template.jinja").write_text(LLAMA3)
    save_external(linear_model(), root / "onnx")


def test_scan_finds_every_technique_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / MARKER_NAME
    tree = tmp_path / "models"
    expected = build_malicious(tree, marker)
    result = scan(ScanOptions(targets=(tree,), use_cache=False))
    found = {(f.path.split("models/", 1)[-1], f.check.id) for f in result.findings}
    for path, check_id in expected.items():
        assert (path, check_id) in found, (path, check_id, sorted(found))
    assert result.exit_code(Severity.CRITICAL) == 1
    assert not result.skipped
    assert not marker.exists()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run(
        [sys.executable, "-m", "aibom", "scan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_exits_1_and_the_marker_never_appears(tmp_path: Path) -> None:
    marker = tmp_path / MARKER_NAME
    expected = build_malicious(tmp_path / "models", marker)
    out = tmp_path / "bom.json"
    proc = _cli(str(tmp_path / "models"), "--fail-on", "critical", "-o", str(out), "-q")
    assert proc.returncode == 1, proc.stderr
    assert not marker.exists()
    ids = {v["id"] for v in json.loads(out.read_text())["vulnerabilities"]}
    assert set(expected.values()) <= ids


def test_cli_benign_files_pass_fail_on_low(tmp_path: Path) -> None:
    build_benign(tmp_path / "models")
    proc = _cli(
        str(tmp_path / "models"), "--fail-on", "low", "-o", str(tmp_path / "bom.json"), "-v"
    )
    assert proc.returncode == 0, proc.stderr
    result = scan(ScanOptions(targets=(tmp_path / "models",), use_cache=False))
    assert [f for f in result.findings if f.effective_severity >= Severity.LOW] == []
    assert {a.format for a in result.artifacts} >= {
        Format.HDF5,
        Format.KERAS_V3,
        Format.GGUF,
        Format.ONNX,
    }


def test_registry_covers_the_formats_and_checks() -> None:
    for fmt in (
        Format.HDF5,
        Format.KERAS_V3,
        Format.TF_SAVEDMODEL,
        Format.ONNX,
        Format.GGUF,
        Format.JSON,
        Format.TEXT,
    ):
        inspector = inspector_for(fmt)
        assert inspector is not None and inspector in OTHER_INSPECTORS, fmt
    emitted = {c.id for inspector in OTHER_INSPECTORS for c in inspector.checks}
    assert {c.id for c in UNSAFE_OTHER_CHECKS} <= emitted
    ids = [c.id for c in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    prefixes = ("AIBOM-KER-0", "AIBOM-TF-0", "AIBOM-ONNX-0", "AIBOM-GGUF-0", "AIBOM-TPL-0")
    assert all(c.id.startswith(prefixes) for c in UNSAFE_OTHER_CHECKS)
    assert all(c.help and c.remediation for c in UNSAFE_OTHER_CHECKS)


def test_properties_are_documented() -> None:
    assert set(FACT_PROPERTIES.values()) <= set(PROPERTIES)
    assert all(name.startswith("aibom:") and meaning for name, meaning in PROPERTIES.items())


@pytest.mark.parametrize("name", ["model.onnx"])
def test_onnx_library_is_a_parser_only(tmp_path: Path, name: str) -> None:
    """load_external_data=False never touches the external file: the traversal target stays unread."""
    path = tmp_path / name
    path.write_bytes(with_location(linear_model(), "/nonexistent/secret").SerializeToString())
    model = onnx.load_model(str(path), load_external_data=False)
    assert model.graph.initializer[0].external_data[0].value == "/nonexistent/secret"
