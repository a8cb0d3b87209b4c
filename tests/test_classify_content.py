"""Formats told by content, under any name: protobuf models and tensors, Jinja templates, JSON.

ONNX files are written by the onnx package; SavedModels and GraphDefs by the protobuf runtime with the
TensorFlow message subset of the TensorFlow inspector tests.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aibom.artifacts import FileRef, FileStat, Format, Kind
from aibom.checks.unsafe_other import TF_DANGEROUS_OP
from aibom.formats import CATALOG, inspect_artifact
from aibom.sources.classify import Classification, classify
from aibom.sources.sniff_proto import fields, sniff_protobuf
from tests.unsafe.nonpickle_builders import artifact_for
from tests.unsafe.test_nonpickle_tensorflow import node, saved_model, serving, tf


def classify_file(path: Path) -> Classification:
    st = path.stat()
    ref = FileRef(path, path.name, path.name, FileStat(st.st_dev, st.st_ino, st.st_size, 0))
    with path.open("rb") as fh:
        return classify(ref, fh.read(4096), CATALOG)


def onnx_model() -> onnx.ModelProto:
    weight = numpy_helper.from_array(np.ones((4, 2), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [weight],
    )
    return helper.make_model(graph, producer_name="pytorch", producer_version="2.5.0")


def graph_def(*nodes: object) -> bytes:
    m = tf()
    graph = m["GraphDef"](node=list(nodes), versions=m["VersionDef"](producer=1286))
    return bytes(graph.SerializeToString())


@pytest.mark.parametrize("name", ["model.onnx", "model.bin", "weights", "encoder.pb"])
def test_onnx_models_under_any_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    onnx.save(onnx_model(), path)
    got = classify_file(path)
    assert got.format is Format.ONNX, got.evidence
    assert got.kind is Kind.WEIGHTS and got.finding is None


def test_onnx_model_without_a_producer(tmp_path: Path) -> None:
    model = onnx_model()
    model.ClearField("producer_name")
    model.ClearField("producer_version")
    path = tmp_path / "m"
    onnx.save(model, path)
    assert classify_file(path).format is Format.ONNX


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.array([1, 2, 3], dtype=np.int64),
        np.zeros((2, 2), dtype=np.float16),
    ],
)
def test_onnx_test_data_tensors(tmp_path: Path, array: np.ndarray) -> None:
    path = tmp_path / "input_0.pb"
    path.write_bytes(numpy_helper.from_array(array, "input").SerializeToString())
    got = classify_file(path)
    assert got.format is Format.ONNX_TENSOR, got.evidence
    assert got.finding is None
    # The tensor is passive: identified, not inspected, no finding.
    inspection = inspect_artifact(artifact_for(path, got.format))
    assert inspection.findings == [] and inspection.complete


@pytest.mark.parametrize("name", ["saved_model.pb", "exported.pb", "model"])
def test_saved_models_under_any_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(saved_model(serving()))
    assert classify_file(path).format is Format.TF_SAVEDMODEL


def test_frozen_graph_def_is_recognised_and_inspected(tmp_path: Path) -> None:
    path = tmp_path / "frozen_graph.pb"
    path.write_bytes(graph_def(node("x", "Placeholder"), node("read", "ReadFile")))
    got = classify_file(path)
    assert got.format is Format.TF_GRAPHDEF, got.evidence
    assert got.kind is Kind.WEIGHTS
    (finding,) = inspect_artifact(artifact_for(path, got.format)).findings
    assert finding.check is TF_DANGEROUS_OP and "ReadFile" in finding.message


def test_benign_graph_def_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "graph.pb"
    path.write_bytes(graph_def(node("x", "Placeholder"), node("y", "MatMul"), node("z", "Relu")))
    got = classify_file(path)
    inspection = inspect_artifact(artifact_for(path, got.format))
    assert got.format is Format.TF_GRAPHDEF
    assert inspection.findings == [] and inspection.facts["tf_node_count"] == 3


@pytest.mark.parametrize(
    "data",
    [
        b"hello world, plain text that is not a protobuf\n" * 20,
        b"\x08\x01",  # one field only: not enough to claim anything
        b"\x08\x07\x12\x05abc",  # producer_name runs past the end of the file
        bytes(range(256)),
        b'{"a": 1}',
    ],
)
def test_things_that_are_not_protobuf_messages(data: bytes) -> None:
    assert sniff_protobuf(data, len(data)) is None


def test_random_bytes_are_not_claimed() -> None:
    claimed = 0
    for seed in range(2000):
        data = np.random.default_rng(seed).bytes(512)
        claimed += sniff_protobuf(data, len(data)) is not None
    assert claimed == 0  # a shape check, not a magic number (0 of 20,000 when measured)


def test_field_reader_stops_at_a_cut_head() -> None:
    data = onnx_model().SerializeToString()
    found = fields(data[:20], len(data))
    assert found is not None and found[0].number == 1 and found[0].value == onnx_model().ir_version


def test_pickle_is_never_taken_for_a_protobuf(tmp_path: Path) -> None:
    for protocol in range(6):
        path = tmp_path / f"p{protocol}.pb"
        path.write_bytes(pickle.dumps({"weights": [1.0, 2.0], "n": 3}, protocol=protocol))
        assert classify_file(path).format is Format.PICKLE, protocol


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    "text", ["{% for m in messages %}{{ m.content }}{% endfor %}", "{{ bos_token }}hello"]
)
def test_jinja_templates(tmp_path: Path, text: str) -> None:
    jinja = tmp_path / "chat_template.jinja"
    jinja.write_text(text)
    assert classify_file(jinja).format is Format.JINJA
    other = tmp_path / "template"
    other.write_text(text)
    assert classify_file(other).format is Format.TEXT  # "{%" does not open JSON


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (json.dumps({"a": 1}), Format.JSON),
        (json.dumps([1, 2]), Format.JSON),
        ('[\n  {"x": 1}\n]', Format.JSON),
        ("[true, false]", Format.JSON),
        ("{}", Format.JSON),
        ("[tool.poetry]\nname = 'x'\n", Format.TEXT),
        ("[section]\nkey=value\n", Format.TEXT),
        ("{{ x }}", Format.TEXT),
    ],
)
def test_json_is_told_from_templates_and_ini(tmp_path: Path, text: str, fmt: Format) -> None:
    path = tmp_path / "data"
    path.write_text(text)
    assert classify_file(path).format is fmt


def test_jinja_files_are_still_checked_for_template_injection(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / "chat_template.jinja"
    path.write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__()[0]('touch " + os.fspath(marker) + "') }}"
    )
    got = classify_file(path)
    inspection = inspect_artifact(artifact_for(path, got.format))
    assert inspection.findings, "an injected template must be a finding"
    assert not marker.exists()
