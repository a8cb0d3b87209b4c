from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.numpy import save_file

from aibom.artifacts import Artifact, FileRef, FileStat, Format, Kind
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.formats import inspect_artifact
from aibom.limits import Limits


def artifact(path: Path, head_bytes: int = 4096) -> Artifact:
    st_ = path.stat()
    ref = FileRef(
        path, path.name, path.name, FileStat(st_.st_dev, st_.st_ino, st_.st_size, st_.st_mtime_ns)
    )
    return Artifact(
        ref, Kind.WEIGHTS, Format.SAFETENSORS, "test", None, path.read_bytes()[:head_bytes]
    )


def raw_file(
    path: Path, header: object, data: bytes = b"", raw_header: bytes | None = None
) -> Path:
    body = raw_header if raw_header is not None else json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(body)) + body + data)
    return path


def test_facts_agree_with_the_safetensors_library(tmp_path: Path) -> None:
    tensors: dict[str, npt.NDArray[Any]] = {
        "a": np.zeros((3, 5), np.float32),
        "b": np.ones((7,), np.float16),
        "c": np.zeros((2, 2, 2), np.int64),
        "empty": np.zeros((0, 4), np.float32),
    }
    path = tmp_path / "m.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt", "note": "x"})
    inspection = inspect_artifact(artifact(path, head_bytes=64))  # header read past the head
    assert inspection.skipped == [] and inspection.findings == [] and inspection.complete
    with safe_open(str(path), "np") as f:
        expected_count = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())  # noqa: SIM118
        expected_dtypes = sorted({f.get_slice(k).get_dtype() for k in f.keys()})  # noqa: SIM118
        expected_meta = f.metadata()
    assert inspection.facts["parameter_count"] == expected_count == 15 + 7 + 8
    assert inspection.facts["dtypes"] == expected_dtypes
    assert inspection.facts["metadata"] == expected_meta
    assert inspection.facts["tensor_count"] == 4


CASES: list[tuple[str, object, bytes, str]] = [
    ("not an object", [1, 2], b"", "not a JSON object"),
    (
        "unknown dtype",
        {"t": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}},
        b"\0" * 4,
        "unknown dtype",
    ),
    (
        "negative dim",
        {"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}},
        b"\0" * 4,
        "shape",
    ),
    (
        "bool dim",
        {"t": {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}},
        b"\0" * 4,
        "shape",
    ),
    (
        "bad offsets",
        {"t": {"dtype": "F32", "shape": [1], "data_offsets": [0]}},
        b"\0" * 4,
        "data_offsets",
    ),
    (
        "size mismatch",
        {"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}},
        b"\0" * 4,
        "do not hold",
    ),
    (
        "overlap",
        {
            "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
            "b": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]},
        },
        b"\0" * 6,
        "overlaps",
    ),
    ("gap", {"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8, "gap"),
    (
        "trailing data",
        {"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
        b"\0" * 9,
        "cover",
    ),
    ("metadata not strings", {"__metadata__": {"a": 1}}, b"", "not a string"),
    ("entry not object", {"t": 5}, b"", "not an object"),
]


@pytest.mark.parametrize(("label", "header", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_headers_are_findings(
    tmp_path: Path, label: str, header: object, data: bytes, expected: str
) -> None:
    path = raw_file(tmp_path / "bad.safetensors", header, data)
    inspection = inspect_artifact(artifact(path))
    assert inspection.skipped == []
    (finding,) = inspection.findings
    assert finding.check is MALFORMED_FILE
    assert expected in finding.message
    assert not inspection.complete


def test_header_length_beyond_file_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.safetensors"
    path.write_bytes(struct.pack("<Q", 10_000) + b"{}")
    inspection = inspect_artifact(artifact(path))
    assert "past the end" in inspection.findings[0].message
    path.write_bytes(struct.pack("<Q", 2**40) + b"{}")
    inspection = inspect_artifact(artifact(path))
    assert inspection.findings[0].check is LIMIT_REACHED


def test_deeply_nested_header_is_malformed_not_a_crash(tmp_path: Path) -> None:
    path = raw_file(tmp_path / "deep.safetensors", None, raw_header=b"[" * 100_000 + b"]" * 100_000)
    inspection = inspect_artifact(artifact(path))
    assert inspection.skipped == []
    assert inspection.findings[0].check is MALFORMED_FILE


def test_tensor_count_limit(tmp_path: Path) -> None:
    header = {f"t{i}": {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(5)}
    path = raw_file(tmp_path / "many.safetensors", header, b"\0" * 5)
    inspection = inspect_artifact(artifact(path), Limits(max_tensors=3))
    assert inspection.findings[0].check is LIMIT_REACHED


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=300), data=st.binary(max_size=64))
def test_fuzzed_headers_never_escape(tmp_path: Path, body: bytes, data: bytes) -> None:
    path = raw_file(tmp_path / "fuzz.safetensors", None, data, raw_header=b"{" + body)
    inspection = inspect_artifact(artifact(path))
    assert inspection.skipped == []  # an escaped exception would be reported as "internal error"
    assert inspection.complete == (not inspection.findings)
