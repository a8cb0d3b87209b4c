"""The installed ``aibom convert --to spdx-json`` and ``aibom scan --format spdx-json`` in a subprocess:
exit codes, the output file, the stderr summary, and no partial file after a refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from spdx_python_model.bindings import v3_0_1 as spdx

from tests.processes import (
    CAN_SEE_STDIN_READ,
    HANG_GUARD,
    assert_error,
    blocked_reading_stdin,
    interrupt_when,
)
from tests.spdx.spdx_builders import TINY_BERT, by_name, model_card_with_dataset_bom, of_type

AIBOM = str(Path(sys.executable).with_name("aibom"))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AIBOM, *args],
        input="",
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=cwd,
        check=False,
    )


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().deserialize_data(json.loads(path.read_text()), objects)
    assert len(list(objects.foreach_type(spdx.SpdxDocument))) == 1
    return data


def test_convert_writes_spdx_and_summarises_what_was_not_mapped(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(model_card_with_dataset_bom()))
    out = tmp_path / "bom.spdx.json"
    result = run("convert", str(bom), "--to", "spdx-json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("SPDX 3.0.1: ")
    assert "not mapped: " in result.stderr and "components[].publisher" in out.read_text()
    data = _load(out)
    assert by_name(data, "ai_AIPackage", "support-ticket-classifier")
    assert {p.name for p in tmp_path.iterdir()} == {"bom.json", "bom.spdx.json"}


def test_convert_to_stdout_is_byte_for_byte_repeatable(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(model_card_with_dataset_bom()))
    first = run("convert", str(bom), "--to", "spdx-json", "-q")
    second = run("convert", str(bom), "--to", "spdx-json", "-q")
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout == second.stdout  # another process, another hash seed: same bytes
    assert of_type(json.loads(first.stdout), "SpdxDocument")


def test_convert_reads_an_xml_bom_aibom_wrote(tmp_path: Path) -> None:
    xml = tmp_path / "bom.xml"
    made = run("scan", str(TINY_BERT), "--format", "xml", "-q", "-o", str(xml))
    assert made.returncode == 0, made.stderr
    out = tmp_path / "out.json"
    result = run("convert", str(xml), "--to", "spdx-json", "-q", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = _load(out)
    model = by_name(data, "ai_AIPackage", "tiny-bert")
    assert model["ai_typeOfModel"] == ["bert", "BertForMaskedLM"]


def test_scan_format_spdx_json(tmp_path: Path) -> None:
    out = tmp_path / "scan.spdx.json"
    result = run("scan", str(TINY_BERT), "--format", "spdx-json", "--reproducible", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "SPDX 3.0.1: " in result.stderr
    data = _load(out)
    assert by_name(data, "dataset_DatasetPackage", "wikitext")
    model = by_name(data, "ai_AIPackage", "tiny-bert")
    assert model["verifiedUsing"][0]["algorithm"] == "sha256"
    again = tmp_path / "again.spdx.json"
    rerun = run(
        "scan", str(TINY_BERT), "--format", "spdx-json", "--reproducible", "-q", "-o", str(again)
    )
    assert rerun.returncode == 0 and again.read_bytes() == out.read_bytes()


def _deep(depth: int) -> str:
    return (
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": ' + "[" * depth + "]" * depth + "}"
    )


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{ not json", "neither JSON nor XML"),
        (json.dumps(model_card_with_dataset_bom())[:300], "neither JSON nor XML"),  # truncated
        (_deep(200), "nested more than"),
        ('{"bomFormat": "SPDX"}', "not a CycloneDX BOM"),
        (
            json.dumps(
                {**model_card_with_dataset_bom(), "components": [{"type": "library", "name": 1}]}
            ),
            "components[0].name is int",
        ),
        (
            json.dumps(
                {**model_card_with_dataset_bom(), "metadata": {"timestamp": "0001-01-01T00:00:00Z"}}
            ),
            "cannot be written as SPDX 3.0.1",
        ),
    ],
    ids=["invalid", "truncated", "deep", "not-cyclonedx", "wrong-type", "spdx-refuses"],
)
def test_a_bad_bom_is_one_error_and_leaves_no_file(
    tmp_path: Path, content: str, needle: str
) -> None:
    bom = tmp_path / "bad.json"
    bom.write_text(content)
    out = tmp_path / "out.json"
    result = run("convert", str(bom), "--to", "spdx-json", "-o", str(out))
    assert_error(result, needle)
    assert result.stderr.count("error:") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]  # no output, no temp file


def test_an_oversized_bom_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bom = tmp_path / "huge.json"
    with bom.open("wb") as fh:  # sparse: 256 MiB + 1 of nothing on disk
        fh.truncate(256 * 1024 * 1024 + 1)
    out = tmp_path / "out.json"
    result = run("convert", str(bom), "--to", "spdx-json", "-o", str(out))
    assert_error(result, "larger than 256 MiB")
    assert not out.exists()


def test_a_failed_convert_keeps_the_previous_output(tmp_path: Path) -> None:
    bom = tmp_path / "bad.json"
    bom.write_text("[]")
    out = tmp_path / "out.json"
    out.write_text("previous")
    result = run("convert", str(bom), "--to", "spdx-json", "-o", str(out))
    assert_error(result, "not a CycloneDX BOM")
    assert out.read_text() == "previous"


def test_convert_needs_a_target_format(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(model_card_with_dataset_bom()))
    result = run("convert", str(bom))
    assert result.returncode == 2 and "--to" in result.stderr
    result = run("convert", str(bom), "--to", "cyclonedx")
    assert result.returncode == 2 and "spdx-json" in result.stderr


@pytest.mark.skipif(not CAN_SEE_STDIN_READ, reason="needs Linux /proc/PID/syscall")
def test_convert_waiting_on_stdin_is_interrupted_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    proc = subprocess.Popen(
        [AIBOM, "convert", "-", "--to", "spdx-json", "-o", str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        code, stdout, stderr = interrupt_when(proc, lambda: blocked_reading_stdin(proc))
    finally:
        proc.kill()
        proc.wait()
    assert (code, stdout, stderr.strip()) == (130, "", "interrupted")
    assert list(tmp_path.iterdir()) == []


def test_convert_reads_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        [AIBOM, "convert", "-", "--to", "spdx-json", "-q"],
        input=json.dumps(model_card_with_dataset_bom()),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert by_name(json.loads(result.stdout), "software_Package", "support-triage-service")
