"""Valid seed files for the fuzz harness, written by the real libraries (never loaded back).

Each seed is ``(file name, bytes)``. Pickles are ``pickle.dumps`` of benign built-in objects; the
harness never unpickles anything it reads or mutates.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import pickle
import struct
import tarfile
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from aibom.artifacts import Format
from tests.builders import CARD
from tests.packages import lock_samples as ls
from tests.unsafe import nonpickle_builders as nb

Seed = tuple[str, bytes]
ROOT = Path(__file__).resolve().parents[2]

_BENIGN: tuple[object, ...] = (
    {"a": 1, "b": [1.5, "x", None, True], "c": (1, 2), "d": b"\x00\x01"},
    OrderedDict(weight=[0.0] * 8, bias=[1.0, 2.0]),
    [set(range(5)), frozenset("ab"), complex(1, 2), 2**70, -1],
    "a string " * 20,
)


def _pickles() -> list[Seed]:
    out: list[Seed] = []
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        for i, obj in enumerate(_BENIGN):
            out.append((f"p{proto}_{i}.pkl", pickle.dumps(obj, protocol=proto)))
    return out


def _npy() -> list[Seed]:
    arrays = (np.zeros((3, 4), np.float32), np.arange(10, dtype=">i8"), np.array(["ab", "cd"]))
    out = []
    for i, arr in enumerate(arrays):
        buf = io.BytesIO()
        np.save(buf, arr)
        out.append((f"a{i}.npy", buf.getvalue()))
    obj = io.BytesIO()
    np.save(obj, np.array([{"k": 1}, [2]], dtype=object), allow_pickle=True)  # writing only
    out.append(("obj.npy", obj.getvalue()))
    return out


def _npz() -> list[Seed]:
    out = []
    for compressed in (False, True):
        buf = io.BytesIO()
        save = np.savez_compressed if compressed else np.savez
        save(buf, x=np.ones((4, 4), np.float64), y=np.arange(6, dtype=np.int16))
        out.append((f"arrays_{int(compressed)}.npz", buf.getvalue()))
    return out


def _zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zips() -> list[Seed]:
    pkl = pickle.dumps({"w": [1, 2, 3]}, protocol=2)
    npy = _npy()[0][1]
    return [
        ("bundle.zip", _zip_of({"model.pkl": pkl, "a.npy": npy, "README.md": b"# hi\n"})),
        ("deflated.zip", _zip_of({"model.pkl": pkl, "x.txt": b"x" * 500}, zipfile.ZIP_DEFLATED)),
        ("nested.zip", _zip_of({"inner.zip": _zip_of({"m.pkl": pkl})})),
    ]


def _torch_zip() -> list[Seed]:
    """The layout ``torch.save`` writes (archive/data.pkl, version, data/0): torch is not needed."""
    data_pkl = pickle.dumps(OrderedDict(weight=[0.0, 1.0], step=3), protocol=2)
    members = {
        "archive/data.pkl": data_pkl,
        "archive/byteorder": b"little",
        "archive/version": b"3\n",
        "archive/data/0": np.zeros(16, np.float32).tobytes(),
        "archive/.data/serialization_id": b"1234567890",
    }
    script = dict(
        members,
        **{"archive/constants.pkl": pickle.dumps((), protocol=2)},
        **{"archive/code/__torch__/m.py": b"def forward(self, x):\n  return x\n"},
    )
    return [("model.pt", _zip_of(members)), ("script.pt", _zip_of(script))]


def _torch_legacy() -> list[Seed]:
    """The pre-1.6 stream: magic number, protocol, sys info, object, storage keys (all pickles)."""
    parts = [
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2),
        pickle.dumps(OrderedDict(weight=[0.5]), protocol=2),
        pickle.dumps([], protocol=2),
    ]
    return [("legacy.pt", b"".join(parts) + b"\x00" * 16)]


def _joblib() -> list[Seed]:
    import joblib  # type: ignore[import-untyped, unused-ignore]

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, compress in enumerate((0, 3, ("gzip", 3), ("xz", 1), ("bz2", 1))):
            path = Path(tmp) / f"m{i}.joblib"
            joblib.dump({"arr": np.arange(12.0).reshape(3, 4), "n": 3}, path, compress=compress)
            out.append((path.name, path.read_bytes()))
    return out


def _streams() -> list[Seed]:
    pkl = pickle.dumps({"k": list(range(20))}, protocol=4)
    return [
        ("m.pkl.gz", gzip.compress(pkl)),
        ("m.pkl.bz2", bz2.compress(pkl)),
        ("m.pkl.xz", lzma.compress(pkl)),
        # a zstd frame header (magic, single-segment, 1-byte content size) and one raw block
        ("m.pkl.zst", b"\x28\xb5\x2f\xfd\x20" + bytes([len(pkl)]) + _zstd_raw_block(pkl)),
    ]


def _zstd_raw_block(data: bytes) -> bytes:
    header = (len(data) << 3) | 1  # last block, raw
    return struct.pack("<I", header)[:3] + data


def _tar() -> list[Seed]:
    out: list[Seed] = []
    for mode in ("w", "w:gz"):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode=mode) as tf:
            for name, data in (("m.pkl", pickle.dumps([1, 2], 2)), ("r.txt", b"readme")):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        out.append((f"b{len(out)}.tar", buf.getvalue()))
    return out


def _sevenzip() -> list[Seed]:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.writestr(pickle.dumps({"a": 1}, 2), "m.pkl")
        archive.writestr(b"text", "r.txt")
    return [("b.7z", buf.getvalue())]


def _safetensors() -> list[Seed]:
    from safetensors.numpy import save

    tensors: dict[str, Any] = {"w": np.zeros((3, 5), np.float32), "b": np.ones((7,), np.float16)}
    return [
        ("m.safetensors", save(tensors, metadata={"format": "pt"})),
        ("e.safetensors", save({"e": np.zeros((0, 2), np.int64)})),
    ]


def _hdf5() -> list[Seed]:
    with tempfile.TemporaryDirectory() as tmp:
        path = nb.write_h5_model(Path(tmp) / "m.h5", nb.keras2_config())
        plain = Path(tmp) / "p.h5"
        with h5py.File(plain, "w") as f:
            f.create_dataset("x", data=np.arange(10))
        return [("m.h5", path.read_bytes()), ("p.h5", plain.read_bytes())]


def _keras_v3() -> list[Seed]:
    config = nb.keras3_model([nb.keras3_layer("Dense", {"units": 2})])
    with tempfile.TemporaryDirectory() as tmp:
        path = nb.write_keras_v3(Path(tmp) / "m.keras", config)
        return [("m.keras", path.read_bytes())]


def _savedmodel() -> list[Seed]:
    from tests.unsafe import test_nonpickle_tensorflow as tfb

    return [
        ("saved_model.pb", tfb.saved_model(tfb.serving(), *tfb.saver_functions())),
        ("saved_model.pb", tfb.saved_model(tf1=True)),
    ]


def _graphdef() -> list[Seed]:
    from tests.unsafe import test_nonpickle_tensorflow as tfb

    m = tfb.tf()
    nodes = [tfb.node("x", "Placeholder"), tfb.node("y", "MatMul"), tfb.node("r", "ReadFile")]
    graph = m["GraphDef"](node=nodes, versions=m["VersionDef"](producer=1286))
    return [("frozen_graph.pb", bytes(graph.SerializeToString()))]


def _onnx() -> list[Seed]:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])
    w = numpy_helper.from_array(np.zeros((4, 2), np.float32), "w")
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    graph = helper.make_graph([node], "g", [x], [y], initializer=[w])
    model = helper.make_model(graph, producer_name="fuzz")
    external = onnx.ModelProto()
    external.CopyFrom(model)
    ext = external.graph.initializer[0]
    ext.data_location = TensorProto.EXTERNAL
    ext.ClearField("raw_data")
    ext.external_data.add(key="location", value="weights.bin")
    return [("m.onnx", model.SerializeToString()), ("ext.onnx", external.SerializeToString())]


def _gguf() -> list[Seed]:
    with tempfile.TemporaryDirectory() as tmp:
        a = nb.write_gguf(Path(tmp) / "a.gguf", template="{{ messages[0]['content'] }}")
        b = nb.write_gguf(Path(tmp) / "b.gguf", big_endian=True)
        return [("a.gguf", a.read_bytes()), ("b.gguf", b.read_bytes())]


def _lfs() -> list[Seed]:
    oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
    text = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n"
    return [("model.bin", text.encode())]


def _text() -> list[Seed]:
    template = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
    tok = {"chat_template": template, "model_max_length": 2048, "eos_token": "</s>"}
    return [
        ("tokenizer_config.json", json.dumps(tok).encode()),
        ("chat_template.jinja", template.encode()),
        ("generation_config.json", b'{"max_new_tokens": 32, "do_sample": false}'),
        ("template.jinja", b"<|system|>\n" + template.encode()),
        ("notes.txt", b"plain notes\n{{ not a template }}\n"),
    ]


INSPECTOR_SEEDS: dict[Format, Callable[[], list[Seed]]] = {
    Format.SAFETENSORS: _safetensors,
    Format.LFS_POINTER: _lfs,
    Format.PICKLE: _pickles,
    Format.PYTORCH_ZIP: _torch_zip,
    Format.TORCHSCRIPT: _torch_zip,
    Format.PYTORCH_LEGACY: _torch_legacy,
    Format.NUMPY: _npy,
    Format.JOBLIB: _joblib,
    Format.GZIP: _streams,
    Format.BZIP2: _streams,
    Format.XZ: _streams,
    Format.ZSTD: _streams,
    Format.NUMPY_NPZ: _npz,
    Format.ZIP: _zips,
    Format.TAR: _tar,
    Format.SEVEN_ZIP: _sevenzip,
    Format.HDF5: _hdf5,
    Format.KERAS_V3: _keras_v3,
    Format.TF_SAVEDMODEL: _savedmodel,
    Format.TF_GRAPHDEF: _graphdef,
    Format.ONNX: _onnx,
    Format.GGUF: _gguf,
    Format.TEXT: _text,
    Format.JSON: _text,
    Format.JINJA: _text,
}
"""Seeds for every format in the inspector registry (a test checks none is missing)."""


def card_seeds() -> list[Seed]:
    from tests.bomdoc.docs import DATASET_CARD

    body = (
        "\n## Training\n\nTrained on things.\n\n## Evaluation\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    return [("README.md", CARD.encode()), ("README.md", DATASET_CARD), ("README.md", body.encode())]


def config_seeds() -> list[Seed]:
    cfg = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "auto_map": {"AutoModel": "modeling.Model"},
        "torch_dtype": "float16",
    }
    return [("config.json", json.dumps(cfg).encode())]


REQUIREMENTS = b"""# pinned
requests==2.32.3 \\
    --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6
torch>=2.0; python_version >= "3.10"
-e git+https://github.com/psf/black@6fdf8a4af28071ed1d079c01122b34c5d587207a#egg=black
-r other.txt
numpy[extra] ~= 1.26
"""

PYPROJECT = b"""[project]
name = "demo"
version = "1.0"
dependencies = ["requests>=2", "numpy==1.26.4", "torch; sys_platform == 'linux'"]
[project.optional-dependencies]
dev = ["pytest"]
[dependency-groups]
test = ["hypothesis", {include-group = "lint"}]
lint = ["ruff"]
"""


def package_seeds() -> dict[str, list[Seed]]:
    """Seeds per ``InputKind`` value (the lock samples are the package tests' own)."""
    return {
        "requirements": [("requirements.txt", REQUIREMENTS)],
        "pyproject": [
            ("pyproject.toml", PYPROJECT),
            ("pyproject.toml", ls.POETRY_PYPROJECT.encode()),
        ],
        "poetry.lock": [
            ("poetry.lock", ls.POETRY_LOCK_2.encode()),
            ("poetry.lock", ls.POETRY_LOCK_1.encode()),
        ],
        "Pipfile.lock": [("Pipfile.lock", ls.PIPFILE_LOCK.encode())],
        "uv.lock": [("uv.lock", ls.UV_LOCK.encode())],
        "pylock": [("pylock.toml", ls.PYLOCK.encode())],
    }


def bom_seeds() -> list[Seed]:
    """aibom's own CycloneDX output (JSON and XML) from the snapshot fixtures."""
    base = ROOT / "tests" / "snapshots" / "expected"
    out: list[Seed] = []
    for name in ("example", "hfcache", "pickle"):
        for suffix in ("json", "xml"):
            path = base / name / f"bom.cdx.{suffix}"
            if path.exists():
                out.append((path.name, path.read_bytes()))
    out.append(("min.json", b'{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}'))
    return out


@cache
def inspector_seeds(fmt: Format) -> tuple[Seed, ...]:
    return tuple(INSPECTOR_SEEDS[fmt]())


@cache
def named_seeds(group: str) -> tuple[Seed, ...]:
    if group == "card":
        return tuple(card_seeds())
    if group == "config":
        return tuple(config_seeds())
    if group == "bom":
        return tuple(bom_seeds())
    return tuple(package_seeds()[group])
