"""Builders for the non-pickle format tests. Files are written by the real libraries (h5py, gguf, onnx,
protobuf) with the layouts Keras, llama.cpp converters, onnx and TensorFlow use; nothing is downloaded.

SavedModel protos are built in test_nonpickle_tensorflow.py with the protobuf runtime.
"""

from __future__ import annotations

import base64
import io
import json
import marshal
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from aibom.artifacts import Artifact, FileRef, FileStat, Format, Kind
from aibom.formats.interface import InspectContext
from aibom.limits import DEFAULT_LIMITS, Limits

MARKER_NAME = "aibom-pwned-marker"


# ---------------------------------------------------------------- contexts


def artifact_for(path: Path, fmt: Format, relpath: str | None = None) -> Artifact:
    st = path.stat()
    ref = FileRef(
        path,
        path.name,
        relpath or path.name,
        FileStat(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns),
    )
    return Artifact(ref, Kind.WEIGHTS, fmt, "test", None, path.read_bytes()[:4096])


def memory_context(
    data: bytes, fmt: Format, name: str = "fuzz.bin", limits: Limits = DEFAULT_LIMITS
) -> tuple[Artifact, InspectContext]:
    """An artifact and context whose content is ``data`` in memory (as an archive member would be)."""
    ref = FileRef(Path("/nonexistent") / name, name, name, FileStat(0, 0, len(data), 0))
    art = Artifact(ref, Kind.WEIGHTS, fmt, "test", None, data[:4096])
    return art, InspectContext(art, limits, opener=lambda: io.BytesIO(data), member=name)


# ---------------------------------------------------------------- payloads


def marker_lambda(marker: Path) -> Callable[[Any], Any]:
    """A lambda that would create ``marker`` if anything ever called it."""
    target = str(marker)
    return lambda x: (__import__("pathlib").Path(target).write_text("pwned"), x)[1]


def lambda_code_b64(marker: Path) -> str:
    """The Lambda layer's ``function`` the way Keras' ``func_dump`` writes it: base64 of
    ``marshal.dumps(code)`` with newlines (marshal.dumps only serializes; nothing is loaded)."""
    raw = marshal.dumps(marker_lambda(marker).__code__)
    return base64.encodebytes(raw).decode("ascii")


def ssti_template(marker: Path) -> str:
    """CVE-2024-34359: rendering this in an unsandboxed jinja2.Environment runs a shell command."""
    return (
        "{% for m in messages %}{{ m.content }}{% endfor %}"
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    )


# ---------------------------------------------------------------- Keras configs


def initializer(name: str) -> dict[str, Any]:
    config: dict[str, Any] = {"seed": None} if name == "GlorotUniform" else {}
    return {
        "module": "keras.initializers",
        "class_name": name,
        "config": config,
        "registered_name": None,
    }


def dense(name: str, units: int, *, legacy: bool = False) -> dict[str, Any]:
    """A Dense layer as tf.keras 2.13 writes it (``legacy``: tf.keras <= 2.12, without ``module``)."""
    config: dict[str, Any] = {
        "name": name,
        "trainable": True,
        "dtype": "float32",
        "units": units,
        "activation": "relu",
        "use_bias": True,
        "kernel_initializer": initializer("GlorotUniform"),
        "bias_initializer": initializer("Zeros"),
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "activity_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
    }
    if legacy:
        for key in ("kernel_initializer", "bias_initializer"):
            config[key] = {"class_name": config[key]["class_name"], "config": config[key]["config"]}
        return {"class_name": "Dense", "config": config}
    layer = {"module": "keras.layers", "class_name": "Dense", "config": config}
    return {**layer, "registered_name": None, "build_config": {"input_shape": [None, 4]}}


def sequential(layers: list[dict[str, Any]], name: str = "sequential") -> dict[str, Any]:
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def keras2_config(
    *, legacy: bool = False, extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``model_config`` of a tf.keras 2 Sequential Dense model, as ``model.save('m.h5')`` writes it."""
    inputs: dict[str, Any] = {
        "class_name": "InputLayer",
        "config": {
            "batch_input_shape": [None, 4],
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": "dense_input",
        },
    }
    if not legacy:
        inputs = {"module": "keras.layers", **inputs, "registered_name": None}
    layers = [
        inputs,
        dense("dense", 8, legacy=legacy),
        *(extra or []),
        dense("dense_1", 2, legacy=legacy),
    ]
    return {**sequential(layers), "keras_version": "2.13.1", "backend": "tensorflow"}


TRAINING_CONFIG = {
    "loss": "mse",
    "metrics": None,
    "weighted_metrics": None,
    "loss_weights": None,
    # tf.keras 2.11+ registered its new optimizers as Custom>Adam; that is Keras, not custom code.
    "optimizer_config": {
        "class_name": "Custom>Adam",
        "config": {"name": "Adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999},
    },
}


def keras2_lambda(code: str, name: str = "lambda") -> dict[str, Any]:
    """A tf.keras 2 Lambda layer with marshalled bytecode (``function_type: lambda``)."""
    return {
        "class_name": "Lambda",
        "config": {
            "name": name,
            "trainable": True,
            "dtype": "float32",
            "function": [code, None, None],
            "function_type": "lambda",
            "module": "__main__",
            "output_shape": None,
            "output_shape_type": "raw",
            "output_shape_module": None,
            "arguments": {},
        },
    }


def keras3_layer(
    class_name: str, config: dict[str, Any], module: str = "keras.layers"
) -> dict[str, Any]:
    return {
        "module": module,
        "class_name": class_name,
        "config": {"name": class_name.lower(), "trainable": True, "dtype": "float32", **config},
        "registered_name": None,
        "build_config": {"input_shape": [None, 4]},
    }


def keras3_lambda(code: str) -> dict[str, Any]:
    """A Keras 3 Lambda: ``function`` is a ``__lambda__`` object holding the marshalled code."""
    function = {
        "class_name": "__lambda__",
        "config": {"code": code, "defaults": None, "closure": None},
    }
    return keras3_layer("Lambda", {"function": function, "arguments": {}})


def keras3_function(module: str, name: str) -> dict[str, Any]:
    return {
        "module": module,
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def keras3_model(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """``config.json`` of a Keras 3 Sequential model as ``model.save('m.keras')`` writes it."""
    inputs = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": [None, 4],
            "dtype": "float32",
            "sparse": False,
            "name": "input_layer",
        },
        "registered_name": None,
    }
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "trainable": True,
            "dtype": {
                "module": "keras",
                "class_name": "DTypePolicy",
                "config": {"name": "float32"},
                "registered_name": None,
            },
            "layers": [inputs, *layers],
            "build_input_shape": [None, 4],
        },
        "registered_name": None,
        "build_config": {"input_shape": [None, 4]},
        "compile_config": {
            "optimizer": {
                "module": "keras.optimizers",
                "class_name": "Adam",
                "config": {"name": "adam", "learning_rate": 0.001},
                "registered_name": None,
            },
            "loss": "mean_squared_error",
            "metrics": None,
        },
    }


# ---------------------------------------------------------------- Keras files


def _weights(group: h5py.Group, layer: str, rows: int, cols: int) -> None:
    sub = group.create_group(layer).create_group(layer)
    sub.create_dataset("kernel:0", data=np.zeros((rows, cols), np.float32))
    sub.create_dataset("bias:0", data=np.zeros((cols,), np.float32))
    group[layer].attrs["weight_names"] = [f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()]


def write_h5_model(
    path: Path, model_config: dict[str, Any] | None, training_config: dict[str, Any] | None = None
) -> Path:
    """A Keras 2 HDF5 model: root attributes plus the ``model_weights`` group layout."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.13.1"
        f.attrs["backend"] = b"tensorflow"
        if model_config is not None:
            f.attrs["model_config"] = json.dumps(model_config).encode("utf-8")
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf-8")
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense", b"dense_1"]
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = b"2.13.1"
        _weights(weights, "dense", 4, 8)
        _weights(weights, "dense_1", 8, 2)
    return path


def keras_weights_h5() -> bytes:
    """``model.weights.h5`` inside a .keras zip (Keras 3 ``H5IOStore`` layout)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        layers = f.create_group("layers")
        for name, shape in (("dense", (4, 8)), ("dense_1", (8, 2))):
            variables = layers.create_group(name).create_group("vars")
            variables.create_dataset("0", data=np.zeros(shape, np.float32))
            variables.create_dataset("1", data=np.zeros(shape[1:], np.float32))
        f.create_group("optimizer").create_group("vars")
    return buffer.getvalue()


def write_keras_v3(
    path: Path, config: dict[str, Any], *, extra: dict[str, bytes] | None = None
) -> Path:
    metadata = {"keras_version": "3.10.0", "date_saved": "2025-06-01@12:00:00"}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps(metadata))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", keras_weights_h5())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


# ---------------------------------------------------------------- GGUF


def write_gguf(
    path: Path,
    *,
    template: str | None = None,
    named: dict[str, str] | None = None,
    big_endian: bool = False,
) -> Path:
    """A small llama GGUF written by gguf-py's GGUFWriter, as convert_hf_to_gguf.py does."""
    import gguf

    endian = gguf.GGUFEndian.BIG if big_endian else gguf.GGUFEndian.LITTLE
    writer = gguf.GGUFWriter(str(path), "llama", endianess=endian)
    writer.add_name("Tiny Llama")
    writer.add_context_length(2048)
    writer.add_block_count(1)
    writer.add_embedding_length(8)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"tok{i}" for i in range(64)])
    writer.add_token_merges([f"t o{i}" for i in range(32)])
    if template is not None and not named:
        writer.add_chat_template(template)
    elif named:
        entries = [{"name": "default", "template": template or ""}] if template is not None else []
        entries += [{"name": k, "template": v} for k, v in named.items()]
        writer.add_chat_template(entries)
    writer.add_tensor("token_embd.weight", np.zeros((64, 8), np.float16))
    writer.add_tensor("output_norm.weight", np.ones((8,), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
