# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""onnx: tiny graphs built with onnx.helper (initializers, external data, functions, metadata), TensorProtos."""

from __future__ import annotations

import numpy as np
import onnx
from _common import Out
from onnx import TensorProto, helper, numpy_helper

out = Out()
rng = np.random.default_rng(0)


def linear(opset: int) -> onnx.ModelProto:
    w = numpy_helper.from_array(rng.normal(size=(4, 3)).astype(np.float32), "W")
    b = numpy_helper.from_array(np.zeros(3, dtype=np.float32), "B")
    nodes = [
        helper.make_node("MatMul", ["X", "W"], ["XW"]),
        helper.make_node("Add", ["XW", "B"], ["Z"]),
        helper.make_node("Relu", ["Z"], ["Y"]),
    ]
    g = helper.make_graph(
        nodes, "linear", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 3])], [w, b],
    )  # fmt: skip
    m = helper.make_model(
        g, producer_name="aibom-corpus", opset_imports=[helper.make_opsetid("", opset)]
    )
    m.ir_version = min(m.ir_version, 8)
    helper.set_model_props(m, {"author": "aibom", "license": "Apache-2.0"})
    onnx.checker.check_model(m)
    return m


def conv() -> onnx.ModelProto:
    w = numpy_helper.from_array(rng.normal(size=(2, 1, 3, 3)).astype(np.float32), "K")
    g = helper.make_graph(
        [helper.make_node("Conv", ["X", "K"], ["C"], pads=[1, 1, 1, 1]), helper.make_node("Sigmoid", ["C"], ["Y"])],
        "conv", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, 5, 5])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 2, 5, 5])], [w],
    )  # fmt: skip
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = min(m.ir_version, 8)
    return m


def with_function() -> onnx.ModelProto:
    fn = helper.make_function(
        "custom.domain", "Double", ["x"], ["y"], [helper.make_node("Add", ["x", "x"], ["y"])],
        [helper.make_opsetid("", 15)],
    )  # fmt: skip
    g = helper.make_graph(
        [helper.make_node("Double", ["X"], ["Y"], domain="custom.domain")], "fn",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2])], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2])],
    )  # fmt: skip
    m = helper.make_model(
        g,
        functions=[fn],
        opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("custom.domain", 1)],
    )
    m.ir_version = min(m.ir_version, 8)
    return m


def big() -> onnx.ModelProto:
    w = numpy_helper.from_array(rng.normal(size=(64, 64)).astype(np.float32), "Wbig")
    g = helper.make_graph(
        [helper.make_node("MatMul", ["X", "Wbig"], ["Y"])], "big",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 64])], [w],
    )  # fmt: skip
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = min(m.ir_version, 8)
    return m


def main() -> None:
    for opset in (11, 13, 17):
        out.run(
            f"linear{opset}",
            lambda o=opset: _save(f"linear_opset{o}.onnx", linear(o), "ModelProto"),
        )
    out.run("conv", lambda: _save("conv.onnx", conv(), "ModelProto (Conv)"))
    out.run(
        "function", lambda: _save("function.onnx", with_function(), "ModelProto with FunctionProto")
    )
    out.run("external", _external)
    out.run("tensors", _tensors)
    out.run("text", _text)


def _save(rel: str, m: onnx.ModelProto, what: str) -> None:
    onnx.save(m, out.path(rel))
    out.add(rel, "onnx.save", what)


def _external() -> None:
    m = big()
    onnx.save_model(
        m,
        out.path("external/model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.onnx.data",
        size_threshold=0,
    )
    out.add_tree(
        "external", "onnx.save_model(save_as_external_data=True)", "ModelProto + external data"
    )


def _tensors() -> None:
    for name, arr in {
        "f32": np.ones((2, 2), np.float32),
        "i64": np.arange(5),
        "str": np.array(["a", "b"], dtype=object),
    }.items():
        rel = f"tensors/{name}.pb"
        out.path(rel).write_bytes(numpy_helper.from_array(arr, name).SerializeToString())
        out.add(rel, "numpy_helper.from_array().SerializeToString", "TensorProto")


def _text() -> None:
    from onnx import printer

    out.path("text/linear.onnxtxt").write_text(printer.to_text(linear(13)))
    out.add("text/linear.onnxtxt", "onnx.printer.to_text", "ONNX text")


main()
out.finish()
