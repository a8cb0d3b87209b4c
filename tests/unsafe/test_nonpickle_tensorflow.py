"""TensorFlow SavedModel and keras_metadata.pb, read without TensorFlow. SavedModels are encoded by the
protobuf runtime from the schema below, declared field for field from TensorFlow's .proto files
(core/protobuf/{saved_model,meta_graph,saver,saved_object_graph}.proto, core/framework/{graph,node_def,
function,op_def,attr_value}.proto, keras/protobuf/saved_metadata.proto). Techniques: modelscan's
ReadFile/WriteFile check (research row 25), PyFunc, SavedModel asset path traversal, Keras Lambda in
keras_metadata.pb and in the TF 2.0-2.4 object graph (CVE-2024-3660)."""

from __future__ import annotations

import contextlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.artifacts import Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.core import PARTIAL_COVERAGE
from aibom.checks.unsafe_other import (
    KERAS_LAMBDA,
    TF_ASSET_TRAVERSAL,
    TF_CHECKPOINT_OP,
    TF_DANGEROUS_OP,
)
from aibom.findings import Severity
from aibom.formats import inspect_artifact
from aibom.formats.interface import FormatError, Inspection, LimitExceeded
from aibom.formats.tensorflow import TensorflowInspector
from aibom.limits import DEFAULT_LIMITS, Limits
from tests.unsafe.nonpickle_builders import (
    artifact_for,
    keras2_config,
    keras2_lambda,
    lambda_code_b64,
    memory_context,
)

_SCHEMA = """
ListValue: s=2 bytes*
AttrValue: list=1 ListValue, s=2 bytes, i=3 int64
AttrEntry: key=1 string, value=2 AttrValue
NodeDef: name=1 string, op=2 string, input=3 string*, device=4 string, attr=5 AttrEntry*
OpDef: name=1 string
FunctionDef: signature=1 OpDef, node_def=3 NodeDef*
FunctionDefLibrary: function=1 FunctionDef*
VersionDef: producer=1 int32, min_consumer=2 int32
GraphDef: node=1 NodeDef*, library=2 FunctionDefLibrary, versions=4 VersionDef
MetaInfoDef: meta_graph_version=1 string, tags=4 string*, tensorflow_version=5 string
SaverDef: filename_tensor_name=1 string, save_tensor_name=2 string, restore_op_name=3 string, version=7 int32
TensorInfo: name=1 string, dtype=2 int32
TensorInfoEntry: key=1 string, value=2 TensorInfo
SignatureDef: inputs=1 TensorInfoEntry*, outputs=2 TensorInfoEntry*, method_name=3 string
SignatureEntry: key=1 string, value=2 SignatureDef
AssetFileDef: tensor_info=1 TensorInfo, filename=2 string
SavedUserObject: identifier=1 string, version=2 VersionDef, metadata=3 string
SavedObject: user_object=4 SavedUserObject
SavedObjectGraph: nodes=1 SavedObject*
MetaGraphDef: meta_info_def=1 MetaInfoDef, graph_def=2 GraphDef, saver_def=3 SaverDef, signature_def=5 SignatureEntry*, asset_file_def=6 AssetFileDef*, object_graph_def=7 SavedObjectGraph
SavedModel: saved_model_schema_version=1 int64, meta_graphs=2 MetaGraphDef*
KerasSavedObject: node_id=2 int32, node_path=3 string, identifier=4 string, metadata=5 string, version=6 VersionDef
SavedMetadata: nodes=1 KerasSavedObject*
"""


@cache
def tf() -> dict[str, Any]:
    """Message classes for ``_SCHEMA``, built by the protobuf runtime."""
    from google.protobuf import (  # type: ignore[import-untyped]
        descriptor_pb2,
        descriptor_pool,
        message_factory,
    )

    scalar = {"string": 9, "bytes": 12, "int64": 3, "int32": 5}
    proto = descriptor_pb2.FileDescriptorProto(
        name="tf_subset.proto", package="tfs", syntax="proto3"
    )
    for line in _SCHEMA.strip().splitlines():
        name, fields = line.split(": ")
        message = proto.message_type.add(name=name)
        for spec in fields.split(", "):
            left, kind = spec.split(" ")
            field_name, number = left.split("=")
            repeated, kind = kind.endswith("*"), kind.rstrip("*")
            item = message.field.add(
                name=field_name, number=int(number), label=3 if repeated else 1
            )
            item.type = scalar.get(kind, 11)
            if kind not in scalar:
                item.type_name = f".tfs.{kind}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    names = [line.split(":")[0] for line in _SCHEMA.strip().splitlines()]
    return {
        n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"tfs.{n}")) for n in names
    }


def node(name: str, op: str, **attrs: bytes) -> Any:
    n = tf()["NodeDef"](name=name, op=op)
    for key, value in attrs.items():
        n.attr.add(key=key, value=tf()["AttrValue"](s=value))
    return n


def function(name: str, *nodes: Any) -> Any:
    return tf()["FunctionDef"](signature=tf()["OpDef"](name=name), node_def=list(nodes))


def serving(*extra: Any) -> Any:
    """The serving function ``tf.saved_model.save`` traces for a Dense layer, plus ``extra`` nodes."""
    ops = ("ReadVariableOp", "MatMul", "ReadVariableOp", "BiasAdd", "Relu", "Identity", "NoOp")
    return function(
        "__inference_serving_default_163", *(node(f"n{i}", op) for i, op in enumerate(ops)), *extra
    )


def saver_functions() -> list[Any]:
    """TF2's traced save and restore functions: the normal home of SaveV2 and RestoreV2."""
    save = ["StaticRegexFullMatch", "Const", "Select", "StringJoin", "ShardedFilename", "SaveV2"]
    save += ["MergeV2Checkpoints", "Identity", "NoOp"]
    restore = ["Const", "RestoreV2", "Identity", "AssignVariableOp", "NoOp"]
    return [
        function("__inference__traced_save_231", *(node(op, op) for op in save)),
        function("__inference__traced_restore_253", *(node(op, op) for op in restore)),
    ]


def saved_model(
    *functions: Any,
    graph: list[Any] | None = None,
    assets: tuple[str, ...] = (),
    metadata: str = "",
    tf1: bool = False,
) -> bytes:
    m = tf()
    if tf1:
        nodes = [
            node(n, op)
            for n, op in (
                ("x", "Placeholder"),
                ("w", "VariableV2"),
                ("MatMul", "MatMul"),
                ("save/Const", "Const"),
                ("save/SaveV2", "SaveV2"),
                ("save/control_dependency", "Identity"),
                ("save/RestoreV2", "RestoreV2"),
                ("save/Assign", "Assign"),
                ("save/restore_all", "NoOp"),
            )
        ]
        saver = m["SaverDef"](
            filename_tensor_name="save/Const:0",
            save_tensor_name="save/control_dependency:0",
            restore_op_name="save/restore_all",
            version=2,
        )
    else:
        nodes = [
            node("serving_default_input_1", "Placeholder"),
            node("StatefulPartitionedCall", "StatefulPartitionedCall"),
            node("saver_filename", "Placeholder"),
            node("StatefulPartitionedCall_1", "StatefulPartitionedCall"),
            node("StatefulPartitionedCall_2", "StatefulPartitionedCall"),
        ]
        saver = m["SaverDef"](
            filename_tensor_name="saver_filename:0",
            save_tensor_name="StatefulPartitionedCall_1:0",
            restore_op_name="StatefulPartitionedCall_2",
            version=2,
        )
    library = m["FunctionDefLibrary"](
        function=[*functions, *saver_functions()] if not tf1 else list(functions)
    )
    graph_def = m["GraphDef"](
        node=nodes + (graph or []), library=library, versions=m["VersionDef"](producer=1286)
    )
    objects = m["SavedObjectGraph"]()
    objects.nodes.add(
        user_object=m["SavedUserObject"](identifier="_tf_keras_sequential", metadata=metadata)
    )
    meta = m["MetaGraphDef"](
        meta_info_def=m["MetaInfoDef"](
            meta_graph_version="v2.13.0", tags=["serve"], tensorflow_version="2.13.0"
        ),
        graph_def=graph_def,
        saver_def=saver,
        object_graph_def=objects,
    )
    signature = m["SignatureDef"](method_name="tensorflow/serving/predict")
    signature.inputs.add(
        key="input_1", value=m["TensorInfo"](name="serving_default_input_1:0", dtype=1)
    )
    meta.signature_def.add(key="serving_default", value=signature)
    for filename in assets:
        meta.asset_file_def.add(
            tensor_info=m["TensorInfo"](name="asset_path:0", dtype=7), filename=filename
        )
    return bytes(
        m["SavedModel"](saved_model_schema_version=1, meta_graphs=[meta]).SerializeToString()
    )


def keras_metadata(*layers: tuple[str, dict[str, Any]]) -> bytes:
    m = tf()
    saved = m["SavedMetadata"]()
    for i, (path, metadata) in enumerate(layers):
        saved.nodes.add(
            node_id=i,
            node_path=path,
            identifier="_tf_keras_layer",
            metadata=json.dumps(metadata),
            version=m["VersionDef"](producer=2, min_consumer=1),
        )
    return bytes(saved.SerializeToString())


def inspect(
    tmp_path: Path,
    data: bytes,
    name: str = "saved_model.pb",
    fmt: Format = Format.TF_SAVEDMODEL,
    limits: Limits = DEFAULT_LIMITS,
) -> Inspection:
    path = tmp_path / name
    path.write_bytes(data)
    inspection = inspect_artifact(artifact_for(path, fmt), limits)
    assert inspection.skipped == []
    return inspection


# ---------------------------------------------------------------- benign


@pytest.mark.parametrize("tf1", [False, True])
def test_benign_saved_models_are_clean(tmp_path: Path, tf1: bool) -> None:
    data = saved_model(serving(), assets=("vocab.txt", "tokenizer/spm.model"), tf1=tf1)
    inspection = inspect(tmp_path, data)
    assert inspection.findings == []
    assert inspection.facts["tf_tags"] == ["serve"]
    assert inspection.facts["tf_function_count"] == (1 if tf1 else 3)


def test_benign_keras_metadata_is_clean(tmp_path: Path) -> None:
    data = keras_metadata(
        ("root", keras2_config()), ("root.layer-0", {"class_name": "Dense", "config": {"units": 2}})
    )
    inspection = inspect(tmp_path, data, "keras_metadata.pb")
    assert inspection.findings == [] and inspection.facts == {"keras_metadata_objects": 2}


# ---------------------------------------------------------------- techniques


@pytest.mark.parametrize(
    "op", ["ReadFile", "WriteFile", "MatchingFiles", "PyFunc", "EagerPyFunc", "DebugIdentityV2"]
)
def test_modelscan_row25_file_and_python_ops_in_a_serving_function(tmp_path: Path, op: str) -> None:
    (finding,) = inspect(tmp_path, saved_model(serving(node("evil", op)))).findings
    assert finding.check is TF_DANGEROUS_OP and finding.effective_severity is Severity.HIGH
    assert op in finding.message and "__inference_serving_default_163" in finding.message


def test_read_file_in_the_top_level_graph(tmp_path: Path) -> None:
    data = saved_model(
        serving(), graph=[node("ReadFile", "ReadFile"), node("ReadFile_1", "ReadFile")]
    )
    (finding,) = inspect(tmp_path, data).findings
    assert finding.check is TF_DANGEROUS_OP and "'ReadFile_1'" in finding.message


def test_checkpoint_ops_outside_the_saver_are_medium(tmp_path: Path) -> None:
    data = saved_model(serving(node("dump", "SaveV2")), graph=[node("restore_it", "RestoreV2")])
    findings = inspect(tmp_path, data).findings
    assert {f.check for f in findings} == {TF_CHECKPOINT_OP}
    assert all(f.effective_severity is Severity.MEDIUM for f in findings) and len(findings) == 2


def test_print_to_file(tmp_path: Path) -> None:
    data = saved_model(serving(node("p", "PrintV2", output_stream=b"file:///home/u/.bashrc")))
    (finding,) = inspect(tmp_path, data).findings
    assert finding.check is TF_DANGEROUS_OP and ".bashrc" in finding.message
    assert (
        inspect(
            tmp_path, saved_model(serving(node("p", "PrintV2", output_stream=b"stderr")))
        ).findings
        == []
    )


@pytest.mark.parametrize(
    "asset", ["../../../../etc/passwd", "/etc/shadow", "..\\..\\secret", "C:/Windows/win.ini"]
)
def test_asset_path_traversal(tmp_path: Path, asset: str) -> None:
    (finding,) = inspect(tmp_path, saved_model(serving(), assets=(asset,))).findings
    assert finding.check is TF_ASSET_TRAVERSAL and finding.effective_severity is Severity.CRITICAL


def test_cve_2024_3660_lambda_in_keras_metadata(tmp_path: Path) -> None:
    code = lambda_code_b64(tmp_path / "marker")
    layer = keras2_lambda(code)
    layer["config"]["function"] = {"class_name": "__tuple__", "items": [code, None, None]}
    data = keras_metadata(("root", keras2_config()), ("root.layer_with_weights-1", layer))
    (finding,) = inspect(tmp_path, data, "keras_metadata.pb").findings
    assert finding.check is KERAS_LAMBDA and "root.layer_with_weights-1" in finding.message
    assert not (tmp_path / "marker").exists()


def test_lambda_in_tf24_object_graph_metadata(tmp_path: Path) -> None:
    metadata = json.dumps(keras2_config(extra=[keras2_lambda(lambda_code_b64(tmp_path / "m"))]))
    (finding,) = inspect(tmp_path, saved_model(serving(), metadata=metadata)).findings
    assert finding.check is KERAS_LAMBDA and "object 0" in finding.message


def test_saved_model_pbtxt_is_checked(tmp_path: Path) -> None:
    text = 'meta_graphs {\n  graph_def {\n    node { name: "r" op: "Read" "File" }\n    node { op: \'Identity\' }\n  }\n  asset_file_def { filename: "../../x" }\n}\n'
    inspection = inspect(tmp_path, text.encode(), "saved_model.pbtxt", Format.TEXT)
    assert sorted(f.check.id for f in inspection.findings) == sorted(
        [TF_DANGEROUS_OP.id, TF_ASSET_TRAVERSAL.id]
    )


def test_truncated_saved_model_is_malformed(tmp_path: Path) -> None:
    """protobuf rejects the whole message, so TensorFlow cannot load it either."""
    data = saved_model(serving(node("evil", "WriteFile")))
    assert [f.check for f in inspect(tmp_path, data[:-40]).findings] == [MALFORMED_FILE]


def test_field_budget_is_a_limit_finding(tmp_path: Path) -> None:
    inspection = inspect(tmp_path, saved_model(serving()), limits=Limits(max_proto_fields=50))
    assert [f.check for f in inspection.findings] == [LIMIT_REACHED, PARTIAL_COVERAGE]
    assert not inspection.complete and inspection.limits == ["max_proto_fields"]
    # ops beyond the budget were not checked: more than the usual low "limit reached"
    assert inspection.findings[0].effective_severity is Severity.MEDIUM


_VALID: bytes = saved_model(serving(node("r", "ReadFile")))


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | st.builds(
        lambda cut, flip: _mutate(_VALID, cut, flip),
        st.integers(0, 2000),
        st.lists(st.tuples(st.integers(0, 1999), st.integers(0, 255)), max_size=6),
    )
)
def test_fuzzed_protobuf_never_crashes(data: bytes) -> None:
    art, ctx = memory_context(data, Format.TF_SAVEDMODEL, "saved_model.pb")
    with contextlib.suppress(FormatError, LimitExceeded):  # anything else fails the test
        TensorflowInspector().inspect(art, ctx)


def _mutate(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data[:cut])
    for pos, byte in flips:
        if pos < len(out):
            out[pos] = byte
    return bytes(out)


def test_cve_2024_3660_keras_metadata_is_found_by_a_whole_scan(tmp_path: Path) -> None:
    """Classification must route keras_metadata.pb to this inspector (a past gap: it was UNKNOWN)."""
    from aibom.scan import ScanOptions, scan

    code = lambda_code_b64(tmp_path / "marker")
    layer = keras2_lambda(code)
    layer["config"]["function"] = {"class_name": "__tuple__", "items": [code, None, None]}
    model = tmp_path / "saved"
    model.mkdir()
    (model / "keras_metadata.pb").write_bytes(
        keras_metadata(("root", keras2_config()), ("root.layer-1", layer))
    )
    result = scan(ScanOptions(targets=(model,)))
    assert any(
        f.check is KERAS_LAMBDA and f.path == "saved/keras_metadata.pb" for f in result.findings
    )
    assert not (tmp_path / "marker").exists()
