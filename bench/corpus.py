"""The detection benchmark's labelled corpus, written by the test suite's own builders.

``write_corpus(root, marker)`` writes ``root/malicious/<technique>/<file>``,
``root/benign/<kind>/<file>`` and ``root/labels.json`` (relative path -> label, technique,
advisory, expected_severity, check, family, also). Every hostile file would create ``marker``
if anything loaded or rendered it; nothing here loads anything: files are only written.

Builders are imported from the test suite, never copied: ``tests/unsafe/payloads.py``
(pickle-family techniques), ``nonpickle_builders.py`` and the non-pickle test modules (Keras,
TensorFlow, ONNX, GGUF, chat templates), ``test_pickle_benign.py`` (real objects pickled by
pickle, joblib and pandas). Techniques whose builders give byte-identical files (a container
anomaly and its payload row) are written once, the other names listed in ``also``.

For malicious files ``expected_severity`` is what aibom must report at least; for benign files
it is the ceiling: ``low`` for pickle-based files (named as such, below medium) and ``info``
for the rest.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the builders live in the test suite
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from tests.unsafe import nonpickle_builders as nb  # noqa: E402
from tests.unsafe import payloads as pl  # noqa: E402
from tests.unsafe import test_nonpickle_gguf as npg  # noqa: E402
from tests.unsafe import test_nonpickle_onnx as npo  # noqa: E402
from tests.unsafe import test_nonpickle_scan as nps  # noqa: E402
from tests.unsafe import test_nonpickle_templates as npt  # noqa: E402
from tests.unsafe import test_nonpickle_tensorflow as tfb  # noqa: E402
from tests.unsafe import test_pickle_benign as tpb  # noqa: E402

from aibom.checks import ALL_CHECKS  # noqa: E402

MALICIOUS = "malicious"
BENIGN = "benign"
LABELS_FILE = "labels.json"
MARKER_NAME = nb.MARKER_NAME
"""The file a payload would create if anything loaded it (written beside the corpus)."""
SEVERITY = {check.id: check.severity.label for check in ALL_CHECKS}

Writer = Callable[[Path, Path], None]
"""Writes one technique's (or benign kind's) files into a folder, given the marker path."""


@dataclass(frozen=True)
class Label:
    """What one corpus file is. ``also``: other technique names that build the same bytes."""

    label: str
    technique: str
    advisory: str
    expected_severity: str
    family: str
    check: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """One folder of the corpus: its label and the function that writes its files."""

    meta: Label
    write: Writer


def _mal(name: str, advisory: str, family: str, check: str, write: Writer) -> Spec:
    label = Label(MALICIOUS, name, advisory, SEVERITY[check], family, check)
    return Spec(label, write)


def _ben(name: str, family: str, write: Writer, ceiling: str = "info") -> Spec:
    return Spec(Label(BENIGN, name, "", ceiling, family), write)


Row = tuple[str, str, str, Writer]
"""(technique, advisory, check id, writer) of one malicious folder."""
K1, K2 = "AIBOM-KER-001", "AIBOM-KER-002"


def _malicious_rows(family: str, rows: list[Row]) -> list[Spec]:
    return [_mal(name, advisory, family, check, write) for name, advisory, check, write in rows]


def _files(files: dict[str, bytes]) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        for name, data in files.items():
            (folder / name).write_bytes(data)

    return write


def _text(name: str, text: str) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")

    return write


# ---------------------------------------------------------------- pickle family (payloads.py)


def pickle_specs(marker: Path) -> list[Spec]:
    """Every ``payloads.techniques()`` entry; byte-identical builds merged into one folder."""
    specs: list[Spec] = []
    seen: dict[str, int] = {}
    for tech in pl.techniques():
        build: Callable[[Path], dict[str, bytes]] = tech.build  # type: ignore[assignment]
        files = build(marker)
        key = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()
        if key in seen:
            first = specs[seen[key]]
            worst = max(first.meta.expected_severity, tech.severity, key=_rank)
            meta = replace(first.meta, also=(*first.meta.also, tech.name), expected_severity=worst)
            specs[seen[key]] = replace(first, meta=meta)
            continue
        seen[key] = len(specs)
        if _rank(tech.severity) < _rank("medium"):
            # an effect-grading case (an unreviewed class rebuilt runs no __init__), not an attack
            specs.append(_ben(tech.name, "pickle", _files(files), tech.severity))
            continue
        label = Label(MALICIOUS, tech.name, tech.reference, tech.severity, "pickle", tech.check)
        specs.append(Spec(label, _files(files)))
    return specs


def _rank(severity: str) -> int:
    return ("info", "low", "medium", "high", "critical").index(severity)


def benign_pickle_specs() -> list[Spec]:
    """Real objects pickled by pickle (protocols 2, 4, 5), joblib (plain and compressed) and
    pandas, plus torch-layout checkpoints and numpy files, as test_pickle_benign builds them."""
    objects = tpb._objects()
    state = pl.torch_state_dict_pickle
    data_only = pl.Asm(2).value([1, "two", b"3"]).op(b".").bytes()
    writers = {name: _object_writer(name, obj) for name, obj in objects.items()}
    writers |= {
        "pandas_compressed": _pandas_writer(objects["frame"]),
        "torch_zip": _files({"sd.pt": pl.torch_zip(state(3), storages=[b"\0" * 16] * 3)}),
        "torch_legacy": _files({"legacy.pt": pl.legacy_torch(state(1, legacy=True))}),
        "torch_legacy_tar": _files({"legacy.tar": pl.legacy_tar(state(1))}),
        "numpy_files": _numpy_writer,
        "data_only": _files({"data_only.pkl": data_only}),
    }
    return [_ben(name, "pickle", write, "low") for name, write in writers.items()]


def _object_writer(name: str, obj: Any) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        import joblib  # type: ignore[import-untyped, unused-ignore]

        for proto in (2, 4, 5):
            (folder / f"{name}_p{proto}.pkl").write_bytes(pickle.dumps(obj, protocol=proto))
        joblib.dump(obj, folder / f"{name}.joblib")
        for method in ("gzip", "bz2", "xz"):
            joblib.dump(obj, folder / f"{name}.{method}.joblib", compress=(method, 3))

    return write


def _pandas_writer(frame: Any) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        frame.to_pickle(folder / "frame.pkl.gz")
        frame.to_pickle(folder / "frame.pkl.xz")

    return write


def _numpy_writer(folder: Path, marker: Path) -> None:
    np.save(folder / "array.npy", np.arange(12.0).reshape(3, 4))
    np.savez(folder / "arrays.npz", a=np.arange(3), b=np.ones(2))
    np.save(folder / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)


# ---------------------------------------------------------------- non-pickle formats

# build_malicious / build_benign (test_nonpickle_scan.py) write several techniques in one call,
# one sub-folder each: name them here (an unknown sub-folder keeps a generic name).
STAGED_MALICIOUS = {
    "h5": ("keras_h5_lambda", "CVE-2025-9905, CVE-2024-3660", "keras"),
    "v3": ("keras_v3_lambda", "CVE-2024-3660", "keras"),
    "cve-2025-1550": ("keras_v3_module_outside_keras", "CVE-2025-1550", "keras"),
    "gguf": ("gguf_named_template_ssti", "CVE-2024-34359 (named template)", "gguf"),
    "tok": ("tokenizer_config_ssti", "CVE-2024-34359 (tokenizer_config.json)", "template"),
    "jinja": ("chat_template_jinja_ssti", "CVE-2024-34359 (chat_template.jinja)", "template"),
    "onnx": ("onnx_external_data_traversal", "CVE-2022-25882", "onnx"),
}
STAGED_BENIGN = {
    "h5": ("keras_h5", "keras"),
    "v3": ("keras_v3", "keras"),
    "gguf": ("gguf_templates", "gguf"),
    "tok": ("tokenizer_templates", "template"),
    "onnx": ("onnx_external_data", "onnx"),
}


def _move_from(source: Path) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        for child in sorted(source.iterdir()):
            shutil.move(str(child), str(folder / child.name))

    return write


def staged_malicious_specs(stage: Path, marker: Path) -> list[Spec]:
    expected = nps.build_malicious(stage, marker)
    specs = []
    for rel, check in sorted(expected.items()):
        sub = rel.split("/", 1)[0]
        name, advisory, family = STAGED_MALICIOUS.get(sub, (f"nonpickle_{sub}", "", "other"))
        specs.append(_mal(name, advisory, family, check, _move_from(stage / sub)))
    return specs


def staged_benign_specs(stage: Path) -> list[Spec]:
    nps.build_benign(stage)
    specs = []
    for sub in sorted(p.name for p in stage.iterdir()):
        name, family = STAGED_BENIGN.get(sub, (f"benign_{sub}", "other"))
        specs.append(_ben(name, family, _move_from(stage / sub)))
    return specs


def _keras3(*layers: dict[str, Any]) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        nb.write_keras_v3(folder / "model.keras", nb.keras3_model(list(layers)))

    return write


def _nested_lambda(folder: Path, marker: Path) -> None:
    inner = nb.sequential([nb.keras2_lambda(nb.lambda_code_b64(marker), "hidden")], "inner")
    functional = {"class_name": "Functional", "config": {"name": "mid", "layers": [inner]}}
    nb.write_h5_model(folder / "model.h5", nb.keras2_config(extra=[functional]))


def _h5_os_system(folder: Path, marker: Path) -> None:
    layer = nb.keras2_lambda("")
    layer["config"].update(function="system", function_type="function", module="os")
    nb.write_h5_model(folder / "model.h5", nb.keras2_config(extra=[layer]))


def keras_specs() -> list[Spec]:
    fn, layer = nb.keras3_function, nb.keras3_layer
    get_file = {"function": fn("keras.utils", "get_file"), "arguments": {"origin": "http://x/p"}}
    unsafe = layer("Lambda", {"function": fn("keras.config", "enable_unsafe_deserialization")})
    load = layer("Lambda", {"function": fn("keras.models", "load_model"), "arguments": {}})
    tfsm = layer("TFSMLayer", {"filepath": "/tmp/evil_savedmodel", "call_endpoint": "serve"})
    lookup = layer("StringLookup", {"vocabulary": "/etc/passwd", "num_oov_indices": 1})
    evil_eval = layer("Activation", {"activation": fn("builtins", "eval")})
    rows: list[Row] = [
        ("keras_h5_nested_lambda", "research row 21 (nested models)", K1, _nested_lambda),
        ("keras_h5_lambda_os_system", "CVE-2025-9905 (named function)", K2, _h5_os_system),
        ("keras_v3_get_file", "CVE-2025-8747", K2, _keras3(layer("Lambda", get_file))),
        ("keras_v3_unsafe_deserialization", "CVE-2025-9906", K2, _keras3(unsafe, load)),
        ("keras_v3_tfsmlayer", "CVE-2026-1462", K2, _keras3(tfsm)),
        ("keras_v3_stringlookup_path", "CVE-2025-12058", "AIBOM-KER-004", _keras3(lookup)),
        ("keras_v3_builtins_eval", "CVE-2025-1550", K2, _keras3(evil_eval)),
    ]
    return _malicious_rows("keras", rows)


def _saved_model(**kwargs: Any) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        extra = kwargs.get("op")
        functions = tfb.serving(tfb.node("evil", extra)) if extra else tfb.serving()
        assets, tf1 = kwargs.get("assets", ()), kwargs.get("tf1", False)
        data = tfb.saved_model(functions, assets=assets, tf1=tf1)
        (folder / "saved_model.pb").write_bytes(data)

    return write


def _keras_metadata(folder: Path, marker: Path) -> None:
    code = nb.lambda_code_b64(marker)
    layer = nb.keras2_lambda(code)
    layer["config"]["function"] = {"class_name": "__tuple__", "items": [code, None, None]}
    data = tfb.keras_metadata(("root", nb.keras2_config()), ("root.layer_with_weights-1", layer))
    (folder / "keras_metadata.pb").write_bytes(data)


def _object_graph_lambda(folder: Path, marker: Path) -> None:
    config = nb.keras2_config(extra=[nb.keras2_lambda(nb.lambda_code_b64(marker))])
    data = tfb.saved_model(tfb.serving(), metadata=json.dumps(config))
    (folder / "saved_model.pb").write_bytes(data)


def tensorflow_specs() -> list[Spec]:
    row25, tf1 = "research row 25 (modelscan ReadFile/WriteFile)", "AIBOM-TF-001"
    traversal = _saved_model(assets=("../../../../etc/passwd",))
    rows: list[Row] = [
        ("tf_savedmodel_readfile", row25, tf1, _saved_model(op="ReadFile")),
        ("tf_savedmodel_writefile", row25, tf1, _saved_model(op="WriteFile")),
        ("tf_savedmodel_pyfunc", "TF PyFunc op", tf1, _saved_model(op="PyFunc")),
        ("tf_savedmodel_asset_traversal", "SavedModel asset traversal", "AIBOM-TF-003", traversal),
        ("tf_keras_metadata_lambda", "CVE-2024-3660 (keras_metadata.pb)", K1, _keras_metadata),
        ("tf_object_graph_lambda", "CVE-2024-3660 (TF 2.0-2.4)", K1, _object_graph_lambda),
    ]
    return _malicious_rows("tensorflow", rows)


def _onnx_location(location: str) -> Writer:
    def write(folder: Path, marker: Path) -> None:
        model = npo.with_location(npo.linear_model(), location)
        (folder / "model.onnx").write_bytes(model.SerializeToString())

    return write


def _gguf_template(folder: Path, marker: Path) -> None:
    nb.write_gguf(folder / "model.gguf", template=nb.ssti_template(marker))


def _gguf_string_wraparound(folder: Path, marker: Path) -> None:
    data = npg._header(kvs=1) + npg._kv_string("general.name", b"x", declared=2**64 - 1)
    (folder / "model.gguf").write_bytes(data)


def _gguf_too_many_dims(folder: Path, marker: Path) -> None:
    info = struct.pack("<Q", 1) + b"w" + struct.pack("<I", 5) + struct.pack("<5Q", 1, 1, 1, 1, 1)
    (folder / "model.gguf").write_bytes(npg._header(tensors=1) + info + struct.pack("<IQ", 0, 0))


def other_specs() -> list[Spec]:
    gguf, tpl = "AIBOM-GGUF-001", "AIBOM-TPL-001"
    absolute = _onnx_location("/etc/passwd")
    specs = _malicious_rows(
        "onnx", [("onnx_external_data_absolute", "CVE-2024-27318", "AIBOM-ONNX-001", absolute)]
    )
    gguf_rows: list[Row] = [
        ("gguf_default_template_ssti", "CVE-2024-34359", tpl, _gguf_template),
        ("gguf_string_length_wraparound", "TALOS-2024-1913", gguf, _gguf_string_wraparound),
        ("gguf_too_many_dimensions", "CVE-2024-21802", gguf, _gguf_too_many_dims),
    ]
    ssti = "Jinja2 SSTI catalogue (CVE-2024-34359 class)"
    template_rows: list[Row] = [
        (f"template_{name}", ssti, tpl, _text("chat_template.jinja", source))
        for name, source in sorted(npt.TECHNIQUES.items())
    ]
    return [
        *specs,
        *_malicious_rows("gguf", gguf_rows),
        *_malicious_rows("template", template_rows),
    ]


# ---------------------------------------------------------------- benign non-pickle extras


def _keras_metadata_benign(folder: Path, marker: Path) -> None:
    dense = {"class_name": "Dense", "config": {"units": 2}}
    data = tfb.keras_metadata(("root", nb.keras2_config()), ("root.layer-0", dense))
    (folder / "keras_metadata.pb").write_bytes(data)


def _onnx_custom_domain(folder: Path, marker: Path) -> None:
    onnx.save_model(npo.linear_model(domain="com.example.ops"), str(folder / "model.onnx"))


def _safetensors(folder: Path, marker: Path) -> None:
    from safetensors.numpy import save_file

    tensors: dict[str, np.ndarray[Any, Any]] = {"w": np.zeros((4, 4), np.float32)}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})


def _legacy_h5(folder: Path, marker: Path) -> None:
    nb.write_h5_model(folder / "model.h5", nb.keras2_config(legacy=True), nb.TRAINING_CONFIG)


def _big_endian_gguf(folder: Path, marker: Path) -> None:
    nb.write_gguf(folder / "model.gguf", template=npt.CHATML, big_endian=True)


def benign_other_specs() -> list[Spec]:
    tf2 = _saved_model(assets=("vocab.txt", "tokenizer/spm.model"))
    specs = [
        _ben("tf_savedmodel_tf2", "tensorflow", tf2),
        _ben("tf_savedmodel_tf1", "tensorflow", _saved_model(tf1=True)),
        _ben("tf_keras_metadata", "tensorflow", _keras_metadata_benign),
        _ben("onnx_custom_domain", "onnx", _onnx_custom_domain, "low"),
        _ben("keras_h5_legacy", "keras", _legacy_h5),
        _ben("gguf_big_endian", "gguf", _big_endian_gguf),
        _ben("safetensors", "safetensors", _safetensors),
    ]
    templates = [_text("chat_template.jinja", source) for source in npt.REAL.values()]
    specs += [
        _ben(f"template_{n}", "template", w) for n, w in zip(npt.REAL, templates, strict=True)
    ]
    return specs


# ---------------------------------------------------------------- the corpus


def all_specs(stage: Path, marker: Path) -> list[Spec]:
    """Every folder of the corpus, malicious first. ``stage`` is scratch space for the builders
    that write several techniques at once."""
    (stage / MALICIOUS).mkdir(parents=True)
    (stage / BENIGN).mkdir(parents=True)
    return [
        *pickle_specs(marker),
        *staged_malicious_specs(stage / MALICIOUS, marker),
        *keras_specs(),
        *tensorflow_specs(),
        *other_specs(),
        *benign_pickle_specs(),
        *staged_benign_specs(stage / BENIGN),
        *benign_other_specs(),
    ]


def write_corpus(root: Path, marker: Path) -> dict[str, Label]:
    """Write the corpus under ``root`` (created; must not exist yet) and its ``labels.json``."""
    root.mkdir(parents=True)
    stage = root.parent / f".{root.name}-stage"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        labels = dict(_write_all(root, all_specs(stage, marker), marker))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    document = {path: asdict(label) for path, label in sorted(labels.items())}
    (root / LABELS_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return labels


def _write_all(root: Path, specs: list[Spec], marker: Path) -> Iterator[tuple[str, Label]]:
    for spec in specs:
        folder = root / spec.meta.label / spec.meta.technique
        folder.mkdir(parents=True)  # a duplicate name is a bug in the table: fail loudly
        spec.write(folder, marker)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            yield path.relative_to(root).as_posix(), spec.meta


def read_labels(root: Path) -> dict[str, Label]:
    """``labels.json`` back as ``Label`` values (lists become tuples)."""
    raw = json.loads((root / LABELS_FILE).read_text(encoding="utf-8"))
    return {path: Label(**{**entry, "also": tuple(entry["also"])}) for path, entry in raw.items()}
