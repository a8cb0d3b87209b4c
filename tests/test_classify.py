from __future__ import annotations

import bz2
import collections
import gzip
import io
import json
import lzma
import os
import pickle
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from aibom.artifacts import FileRef, FileStat, Format, Kind
from aibom.checks import FORMAT_MISMATCH
from aibom.findings import Severity
from aibom.formats import CATALOG
from aibom.sources.classify import Classification, classify
from aibom.sources.sniff_pickle import TORCH_LEGACY_MAGIC
from tests.builders import lfs_pointer, safetensors_bytes


def classify_file(path: Path) -> Classification:
    st = path.stat()
    ref = FileRef(
        path, path.name, path.name, FileStat(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    )
    with path.open("rb") as fh:
        head = fh.read(4096)
    return classify(ref, head, CATALOG)


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _torch_zip(path: Path) -> None:
    # The layout torch.save writes: <archive>/data.pkl, byteorder, data/<n>, version, .data/serialization_id
    _zip(
        path,
        {
            "archive/data.pkl": pickle.dumps(collections.OrderedDict(w=1), protocol=2),
            "archive/byteorder": b"little",
            "archive/data/0": b"\0" * 16,
            "archive/version": b"3\n",
            "archive/.data/serialization_id": b"1234",
        },
    )


def _torchscript(path: Path) -> None:
    _zip(
        path,
        {
            "m/data.pkl": pickle.dumps({}, protocol=2),
            "m/constants.pkl": pickle.dumps((), protocol=2),
            "m/code/__torch__/m.py": b"def forward(self):\n  return None\n",
            "m/version": b"3\n",
        },
    )


def _keras(path: Path) -> None:
    _zip(
        path,
        {"config.json": b"{}", "metadata.json": b"{}", "model.weights.h5": b"\x89HDF\r\n\x1a\n"},
    )


def _npz(path: Path) -> None:
    np.savez(path, a=np.arange(3))


def _npy(path: Path) -> None:
    np.save(path, np.arange(3))


def _hdf5(path: Path) -> None:
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("w", data=np.arange(4))


def _onnx(path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    onnx.save(helper.make_model(graph), str(path))


def _gguf(path: Path) -> None:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_string("general.name", "tiny")
    writer.add_tensor("t", np.zeros(4, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _tar(path: Path) -> None:
    with tarfile.open(path, "w") as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"a"))


BUILDERS: list[tuple[str, Callable[[Path], object], Format, Kind]] = [
    (
        "model.safetensors",
        lambda p: p.write_bytes(safetensors_bytes(tmp=p.parent)),
        Format.SAFETENSORS,
        Kind.WEIGHTS,
    ),
    ("pytorch_model.bin", _torch_zip, Format.PYTORCH_ZIP, Kind.WEIGHTS),
    ("scripted.pt", _torchscript, Format.TORCHSCRIPT, Kind.WEIGHTS),
    (
        "legacy.bin",
        lambda p: p.write_bytes(TORCH_LEGACY_MAGIC + b"."),
        Format.PYTORCH_LEGACY,
        Kind.WEIGHTS,
    ),
    ("model.keras", _keras, Format.KERAS_V3, Kind.WEIGHTS),
    ("arrays.npz", _npz, Format.NUMPY_NPZ, Kind.WEIGHTS),
    ("array.npy", _npy, Format.NUMPY, Kind.WEIGHTS),
    ("model.h5", _hdf5, Format.HDF5, Kind.WEIGHTS),
    ("model.onnx", _onnx, Format.ONNX, Kind.WEIGHTS),
    ("model.gguf", _gguf, Format.GGUF, Kind.WEIGHTS),
    (
        "model.tflite",
        lambda p: p.write_bytes(b"\x1c\0\0\0TFL3" + b"\0" * 32),
        Format.TFLITE,
        Kind.WEIGHTS,
    ),
    (
        "saved_model.pb",
        lambda p: p.write_bytes(b"\x08\x01\x12\x04abcd"),
        Format.TF_SAVEDMODEL,
        Kind.WEIGHTS,
    ),
    (
        "train.parquet",
        lambda p: p.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1"),
        Format.PARQUET,
        Kind.DATASET,
    ),
    ("data.arrow", lambda p: p.write_bytes(b"ARROW1\0\0" + b"\0" * 16), Format.ARROW, Kind.DATASET),
    ("rows.jsonl", lambda p: p.write_text('{"a": 1}\n{"a": 2}\n'), Format.JSONL, Kind.DATASET),
    ("rows.csv", lambda p: p.write_text("a,b\n1,2\n"), Format.CSV, Kind.DATASET),
    ("a.zip", lambda p: _zip(p, {"x.txt": b"x"}), Format.ZIP, Kind.ARCHIVE),
    ("a.tar", _tar, Format.TAR, Kind.ARCHIVE),
    ("a.gz", lambda p: p.write_bytes(gzip.compress(b"x")), Format.GZIP, Kind.ARCHIVE),
    ("a.bz2", lambda p: p.write_bytes(bz2.compress(b"x")), Format.BZIP2, Kind.ARCHIVE),
    ("a.xz", lambda p: p.write_bytes(lzma.compress(b"x")), Format.XZ, Kind.ARCHIVE),
    (
        "a.7z",
        lambda p: p.write_bytes(b"7z\xbc\xaf\x27\x1c\0\x04" + b"\0" * 24),
        Format.SEVEN_ZIP,
        Kind.ARCHIVE,
    ),
    ("a.zst", lambda p: p.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 8), Format.ZSTD, Kind.ARCHIVE),
    (
        "model.safetensors.index.json",
        lambda p: p.write_text('{"weight_map": {}}'),
        Format.JSON,
        Kind.INDEX,
    ),
    ("config.json", lambda p: p.write_text('{"model_type": "bert"}'), Format.JSON, Kind.CONFIG),
    ("tokenizer.json", lambda p: p.write_text('{"model": {}}'), Format.JSON, Kind.TOKENIZER),
    ("vocab.txt", lambda p: p.write_text("[PAD]\n[UNK]\n"), Format.TEXT, Kind.TOKENIZER),
    ("README.md", lambda p: p.write_text("# card\n"), Format.MARKDOWN, Kind.CARD),
    ("run.py", lambda p: p.write_text("print(1)\n"), Format.PYTHON, Kind.CODE),
    ("notes", lambda p: p.write_text("plain words\n"), Format.TEXT, Kind.OTHER),
    ("empty.bin", lambda p: p.write_bytes(b""), Format.EMPTY, Kind.OTHER),
    ("noise.dat", lambda p: p.write_bytes(bytes(range(256)) * 4), Format.UNKNOWN, Kind.OTHER),
    (
        "model.sig",
        lambda p: p.write_text(
            json.dumps({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"})
        ),
        Format.SIGSTORE_BUNDLE,
        Kind.SIGNATURE,
    ),
    (
        "big.safetensors",
        lambda p: p.write_bytes(lfs_pointer(b"w" * 100)),
        Format.LFS_POINTER,
        Kind.LFS_POINTER,
    ),
]


@pytest.mark.parametrize(("name", "build", "fmt", "kind"), BUILDERS, ids=[b[0] for b in BUILDERS])
def test_content_decides_format(
    tmp_path: Path, name: str, build: Callable[[Path], object], fmt: Format, kind: Kind
) -> None:
    path = tmp_path / name
    build(path)
    got = classify_file(path)
    assert (got.format, got.kind) == (fmt, kind), got.evidence
    assert got.evidence
    assert got.finding is None


@pytest.mark.parametrize("protocol", range(6))
def test_every_pickle_protocol_is_recognised(tmp_path: Path, protocol: int) -> None:
    path = tmp_path / "obj.pkl"
    path.write_bytes(pickle.dumps({"a": [1, 2.5, "x"], "b": None}, protocol=protocol))
    got = classify_file(path)
    assert got.format is Format.PICKLE
    assert got.kind is Kind.WEIGHTS


def test_joblib_style_pickle(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    path.write_bytes(
        b"\x80\x04\x8c\x13joblib.numpy_pickle\x94\x8c\x11NumpyArrayWrapper\x94\x93\x94."
    )
    assert classify_file(path).format is Format.JOBLIB


@pytest.mark.parametrize("name", ["model.safetensors", "config.json", "notes.txt", "weights.onnx"])
def test_pickle_in_disguise_is_reported(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(pickle.dumps([1, 2, 3], protocol=4))
    got = classify_file(path)
    assert got.format is Format.PICKLE
    assert got.finding is not None
    assert got.finding.check is FORMAT_MISMATCH
    assert "pickle" in got.finding.message


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.ckpt", "x.pkl", "m.pt"])
def test_pickle_under_pickle_family_names_is_not_a_disguise(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(pickle.dumps([1], protocol=2))
    assert classify_file(path).finding is None


def test_safetensors_named_bin_is_still_safetensors(tmp_path: Path) -> None:
    path = tmp_path / "pytorch_model.bin"
    path.write_bytes(safetensors_bytes(tmp=tmp_path))
    assert classify_file(path).format is Format.SAFETENSORS


def test_text_is_not_mistaken_for_protocol_zero_pickle(tmp_path: Path) -> None:
    for text in ("hello world\n", "(not a pickle)\n", "c is a letter\n", "]]]]\n"):
        path = tmp_path / "t.txt"
        path.write_text(text)
        assert classify_file(path).format is Format.TEXT, text


def test_broken_zip_is_a_zip_with_evidence(tmp_path: Path) -> None:
    path = tmp_path / "broken.pt"
    path.write_bytes(b"PK\x03\x04" + os.urandom(64))
    got = classify_file(path)
    assert got.format is Format.ZIP
    assert "unreadable" in got.evidence


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("PROTO 1", b"\x80\x01" + pickle.dumps([1, 2], protocol=1)),
        ("protocol 4 body without PROTO", pickle.dumps({"a": 1}, protocol=4)[2:]),
        ("BININT1 POP then GLOBAL", b"K\x010cos\nsystem\n(S'echo x'\ntR."),
        ("short binary unicode first", b"\x8c\x02os\x94\x8c\x06system\x94\x93\x94."),
    ],
)
def test_pickles_with_unusual_first_opcodes_are_pickles(
    tmp_path: Path, label: str, data: bytes
) -> None:
    path = tmp_path / "weights.dat"
    path.write_bytes(data)
    assert classify_file(path).format is Format.PICKLE, label


@pytest.mark.parametrize("compress", ["zlib", "lzma-alone"])
def test_compressed_joblib_streams_are_recognised(tmp_path: Path, compress: str) -> None:
    import zlib

    raw = pickle.dumps({"model": [1, 2, 3]}, protocol=4)
    data = (
        zlib.compress(raw) if compress == "zlib" else lzma.compress(raw, format=lzma.FORMAT_ALONE)
    )
    path = tmp_path / "model.joblib"
    path.write_bytes(data)
    got = classify_file(path)
    assert got.format is Format.JOBLIB
    assert compress in got.evidence


def test_word_lists_are_not_pickles(tmp_path: Path) -> None:
    words = ["cat", "dog", "I", "am", "N", "S", "V", "lion", "list", "x ray", "(paren)", "]bracket"]
    for first in words:
        path = tmp_path / "vocab.txt"
        path.write_text("\n".join([first, *words]) + "\n")
        assert classify_file(path).format is Format.TEXT, first


def test_a_single_proto_byte_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x80")
    assert classify_file(path).format is Format.UNKNOWN


def test_requirements_and_padded_protocol_zero_pickles(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("torch==2.13.0\nnumpy==2.0.0\ntransformers>=4\n")
    assert classify_file(reqs).format is Format.TEXT
    # A protocol 0 pickle padded past the classification head, its import after the padding.
    padded = b"(lp0\n" + b"S'aaaaaaaaaaaaaaaa'\np1\na" * 400 + b"cos\nsystem\n(S'echo x'\ntR."
    path = tmp_path / "notes.txt"
    path.write_bytes(padded)
    assert classify_file(path).format is Format.PICKLE


def test_keras_archive_without_weights_and_keras_metadata_pb(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    _zip(
        path, {"config.json": b"{}", "metadata.json": b"{}"}
    )  # weights removed: Keras still runs config
    assert classify_file(path).format is Format.KERAS_V3
    meta = tmp_path / "keras_metadata.pb"
    meta.write_bytes(b"\x0a\x04abcd")
    assert classify_file(meta).format is Format.TF_SAVEDMODEL


def test_disguise_is_information_beside_the_content_verdict(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"w": [1.0]}, protocol=4))
    got = classify_file(path)
    assert got.finding is not None and got.finding.check is FORMAT_MISMATCH
    assert got.finding.effective_severity is Severity.INFO
    assert "analysed as pickle" in got.finding.message


@pytest.mark.parametrize("suffix", [".gz", ".xz", ".bz2"])
def test_joblib_dump_named_for_its_compression_is_no_disguise(tmp_path: Path, suffix: str) -> None:
    import joblib  # type: ignore[import-untyped]

    path = tmp_path / f"model.joblib{suffix}"
    joblib.dump({"coef": np.arange(4.0)}, path)  # joblib picks the codec from the suffix
    got = classify_file(path)
    assert got.format.value == suffix[1:].replace("gz", "gzip").replace("bz2", "bzip2")
    assert got.finding is None


def test_torch_zip_named_zip_is_no_disguise_but_a_raw_pickle_named_zip_is(tmp_path: Path) -> None:
    real = tmp_path / "checkpoint.zip"
    _torch_zip(real)
    got = classify_file(real)
    assert got.format is Format.PYTORCH_ZIP and got.finding is None
    fake = tmp_path / "fake.zip"
    fake.write_bytes(pickle.dumps([1, 2], protocol=2))
    faked = classify_file(fake)
    assert faked.format is Format.PICKLE
    assert faked.finding is not None and faked.finding.check is FORMAT_MISMATCH
