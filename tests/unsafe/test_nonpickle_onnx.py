"""ONNX external data and operator domains. Models are built with onnx.helper and saved with onnx's own
external-data writer. Techniques: CVE-2022-25882 and CVE-2024-27318 (``../`` and absolute locations),
CVE-2026-27489 (symlink out of the folder), CVE-2026-34446/34447 (hard links), CVE-2026-34445 (unknown
external_data keys)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from aibom.artifacts import Format
from aibom.checks import MALFORMED_FILE
from aibom.checks.unsafe_other import ONNX_CUSTOM_DOMAIN, ONNX_EXTERNAL_DATA, ONNX_EXTERNAL_ESCAPE
from aibom.findings import Severity
from aibom.formats import inspect_artifact
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.onnx_format import (
    OnnxInspector,
    parse_with_library,
    parse_with_reader,
    read_model,
)
from aibom.formats.tensorflow import ProtoSource
from aibom.limits import DEFAULT_LIMITS
from aibom.scan import ScanOptions, scan
from tests.builders import hf_cache_repo
from tests.unsafe.nonpickle_builders import artifact_for, memory_context

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def linear_model(
    *, domain: str = "", functions: bool = False, subgraph: bool = False
) -> onnx.ModelProto:
    """y = x @ W + b, opset 17, as exporters write it (optionally with a custom op or an If)."""
    weight = numpy_helper.from_array(np.arange(64, dtype=np.float32).reshape(8, 8), "W")
    bias = numpy_helper.from_array(np.zeros(8, np.float32), "b")
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["h"]),
        helper.make_node("Add", ["h", "b"], ["y"]),
    ]
    opsets = [helper.make_opsetid("", 17)]
    if domain:
        nodes.append(helper.make_node("FastGelu", ["y"], ["z"], domain=domain))
        opsets.append(helper.make_opsetid(domain, 1))
    if subgraph:
        inner_w = numpy_helper.from_array(np.ones(8, np.float32), "inner_w")
        branch = helper.make_graph(
            [helper.make_node("Identity", ["inner_w"], ["o"])],
            "then",
            [],
            [helper.make_tensor_value_info("o", TensorProto.FLOAT, [8])],
            [inner_w],
        )
        nodes.append(
            helper.make_node("If", ["cond"], ["o"], then_branch=branch, else_branch=branch)
        )
    graph = helper.make_graph(
        nodes,
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        [weight, bias],
    )
    model = helper.make_model(
        graph, opset_imports=opsets, producer_name="pytorch", producer_version="2.5.0"
    )
    if functions:
        fn = helper.make_function(
            "custom.local",
            "FastGelu",
            ["a"],
            ["b"],
            [helper.make_node("Relu", ["a"], ["b"])],
            [helper.make_opsetid("", 17)],
        )
        model.functions.append(fn)
    return model


def save_external(model: onnx.ModelProto, folder: Path, location: str = "model.onnx_data") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.onnx"
    onnx.save_model(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=location,
        size_threshold=0,
    )
    return path


def with_location(
    model: onnx.ModelProto, location: str, *, extra_key: str | None = None, tensor: int = 0
) -> onnx.ModelProto:
    """Point one initializer's external data at ``location`` (what a malicious model does)."""
    init = model.graph.initializer[tensor]
    init.ClearField("raw_data")
    init.data_location = TensorProto.EXTERNAL
    del init.external_data[:]
    init.external_data.add(key="location", value=location)
    init.external_data.add(key="offset", value="0")
    init.external_data.add(key="length", value="256")
    if extra_key:
        init.external_data.add(key=extra_key, value="x")
    return model


def inspect(path: Path) -> Inspection:
    inspection = inspect_artifact(artifact_for(path, Format.ONNX))
    assert inspection.skipped == []
    return inspection


# ---------------------------------------------------------------- benign


def test_external_data_beside_the_model_is_clean(tmp_path: Path) -> None:
    path = save_external(linear_model(), tmp_path / "m")
    inspection = inspect(path)
    assert inspection.findings == []
    assert inspection.facts["onnx_external_data"] == ["model.onnx_data"]
    assert inspection.facts["onnx_opsets"] == {"ai.onnx": 17}
    assert inspection.facts["onnx_producer"] == "pytorch 2.5.0"


def test_contrib_and_local_function_domains_are_not_flagged(tmp_path: Path) -> None:
    for model in (
        linear_model(domain="com.microsoft"),
        linear_model(domain="custom.local", functions=True),
    ):
        path = tmp_path / "m.onnx"
        onnx.save_model(model, str(path))
        assert inspect(path).findings == []


def test_hf_cache_snapshot_links_into_blobs_are_clean(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    path = save_external(linear_model(), folder)
    files = {
        "onnx/model.onnx": path.read_bytes(),
        "onnx/model.onnx_data": (folder / "model.onnx_data").read_bytes(),
    }
    repo = hf_cache_repo(tmp_path / "hub", "org/tiny", COMMIT, files)
    result = scan(ScanOptions(targets=(repo,), use_cache=False))
    assert [f for f in result.findings if f.check.id.startswith("AIBOM-ONNX")] == []
    assert any(a.format is Format.ONNX for a in result.artifacts)


def test_custom_domain_is_low(tmp_path: Path) -> None:
    path = tmp_path / "m.onnx"
    onnx.save_model(linear_model(domain="com.example.ops"), str(path))
    (finding,) = inspect(path).findings
    assert finding.check is ONNX_CUSTOM_DOMAIN and finding.effective_severity is Severity.LOW
    assert "FastGelu" in finding.message and finding.evidence == "com.example.ops"


# ---------------------------------------------------------------- techniques


@pytest.mark.parametrize(
    ("location", "advisory"),
    [
        ("../../../../etc/passwd", "CVE-2022-25882"),
        ("/etc/passwd", "CVE-2024-27318"),
        ("sub/../../secret", "CVE-2022-25882"),
        ("..\\..\\secret", "CVE-2024-27318"),
    ],
)
def test_location_escaping_the_folder_is_critical(
    tmp_path: Path, location: str, advisory: str
) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(with_location(linear_model(), location).SerializeToString())
    (finding,) = inspect(path).findings
    assert (
        finding.check is ONNX_EXTERNAL_ESCAPE and finding.effective_severity is Severity.CRITICAL
    ), advisory
    assert finding.evidence == location


def test_cve_2026_27489_symlink_out_of_the_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"s" * 512)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").symlink_to(secret)
    path = folder / "model.onnx"
    path.write_bytes(with_location(linear_model(), "weights.bin").SerializeToString())
    (finding,) = inspect(path).findings
    assert finding.check is ONNX_EXTERNAL_ESCAPE and "resolves through a link" in finding.message


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    path = save_external(linear_model(), tmp_path / "m", location="real.bin")
    (tmp_path / "m" / "data").mkdir()
    (tmp_path / "m" / "real.bin").rename(tmp_path / "m" / "data" / "real.bin")
    (tmp_path / "m" / "alias.bin").symlink_to(tmp_path / "m" / "data" / "real.bin")
    model = onnx.load_model(str(path), load_external_data=False)
    for init in model.graph.initializer:
        for entry in init.external_data:
            if entry.key == "location":
                entry.value = "alias.bin"
    path.write_bytes(model.SerializeToString())
    assert inspect(path).findings == []


def test_cve_2026_34446_hard_link(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.bin"
    other.write_bytes(b"x" * 512)
    folder = tmp_path / "model"
    folder.mkdir()
    os.link(other, folder / "weights.bin")
    path = folder / "model.onnx"
    path.write_bytes(with_location(linear_model(), "weights.bin").SerializeToString())
    (finding,) = inspect(path).findings
    assert finding.check is ONNX_EXTERNAL_DATA and "hard links" in finding.message


def test_cve_2026_34445_unknown_external_data_key(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    path = save_external(linear_model(), folder)
    model = onnx.load_model(str(path), load_external_data=False)
    model.graph.initializer[0].external_data.add(key="__class__", value="str")
    path.write_bytes(model.SerializeToString())
    (finding,) = inspect(path).findings
    assert finding.check is ONNX_EXTERNAL_DATA and "__class__" in finding.message


def test_missing_or_short_external_file(tmp_path: Path) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(with_location(linear_model(), "absent.bin").SerializeToString())
    (finding,) = inspect(path).findings
    assert finding.check is ONNX_EXTERNAL_DATA and finding.effective_severity is Severity.LOW
    (tmp_path / "absent.bin").write_bytes(b"x" * 10)
    (finding,) = inspect(path).findings
    assert "beyond its 10 bytes" in finding.message


def test_traversal_in_a_subgraph_initializer(tmp_path: Path) -> None:
    model = linear_model(subgraph=True)
    branch = model.graph.node[-1].attribute[0].g
    init = branch.initializer[0]
    init.ClearField("raw_data")
    init.data_location = TensorProto.EXTERNAL
    init.external_data.add(key="location", value="../../../root/.ssh/id_rsa")
    path = tmp_path / "model.onnx"
    path.write_bytes(model.SerializeToString())
    for use_library in (True, False):
        art = artifact_for(path, Format.ONNX)
        model_read = read_model(InspectContext(art, DEFAULT_LIMITS), use_library=use_library)
        assert [r.tensor for r in model_read.external] == ["inner_w"]  # then_branch only
    assert {f.check for f in inspect(path).findings} == {ONNX_EXTERNAL_ESCAPE}


def test_inside_an_archive_only_lexical_checks_apply() -> None:
    data = with_location(linear_model(), "../x").SerializeToString()
    art, ctx = memory_context(data, Format.ONNX, "model.onnx")
    assert [f.check for f in OnnxInspector().inspect(art, ctx).findings] == [ONNX_EXTERNAL_ESCAPE]
    clean = with_location(linear_model(), "w.bin").SerializeToString()
    art, ctx = memory_context(clean, Format.ONNX, "model.onnx")
    assert OnnxInspector().inspect(art, ctx).findings == []


def test_the_two_parsers_agree(tmp_path: Path) -> None:
    models = [
        linear_model(),
        linear_model(domain="ai.onnx.ml", functions=True),
        linear_model(subgraph=True),
        with_location(linear_model(), "../a", extra_key="k"),
    ]
    for model in models:
        data = model.SerializeToString()
        _art, ctx = memory_context(data, Format.ONNX, "model.onnx")
        with ctx.open() as fh:
            streamed = parse_with_reader(ProtoSource(fh, len(data), DEFAULT_LIMITS))
        assert streamed == parse_with_library(data, DEFAULT_LIMITS)


def test_garbage_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x07" + b"\xff" * 64)
    assert [f.check for f in inspect(path).findings] == [MALFORMED_FILE]


_VALID: bytes = with_location(linear_model(subgraph=True, domain="x.y"), "../z").SerializeToString()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(_VALID)),
    st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), max_size=6),
)
def test_fuzzed_onnx_never_crashes(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID[:cut])
    for pos, byte in flips:
        if pos < len(data):
            data[pos] = byte
    art, ctx = memory_context(bytes(data), Format.ONNX, "model.onnx")
    with contextlib.suppress(FormatError, LimitExceeded), ctx.open() as fh:  # nothing else
        parse_with_reader(ProtoSource(fh, len(data), DEFAULT_LIMITS))
    with contextlib.suppress(FormatError, LimitExceeded):
        OnnxInspector().inspect(art, ctx)
