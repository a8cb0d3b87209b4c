"""The detection benchmark's corpus: every technique the test suite builds is written, every file
is labelled malicious or benign where its folder says, labels.json matches what was written, and
writing the corpus never runs a payload. No peer scanner is involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import (
    BENIGN,
    LABELS_FILE,
    MALICIOUS,
    MARKER_NAME,
    STAGED_MALICIOUS,
    Label,
    read_labels,
    write_corpus,
)
from tests.unsafe.nonpickle_builders import MARKER_NAME as SUITE_MARKER
from tests.unsafe.payloads import techniques
from tests.unsafe.test_nonpickle_templates import REAL, TECHNIQUES

SEVERITIES = ("info", "low", "medium", "high", "critical")
NONPICKLE = (
    "keras_h5_nested_lambda",
    "keras_h5_lambda_os_system",
    "keras_v3_get_file",
    "keras_v3_unsafe_deserialization",
    "keras_v3_tfsmlayer",
    "keras_v3_stringlookup_path",
    "keras_v3_builtins_eval",
    "tf_savedmodel_readfile",
    "tf_savedmodel_writefile",
    "tf_savedmodel_pyfunc",
    "tf_savedmodel_asset_traversal",
    "tf_keras_metadata_lambda",
    "tf_object_graph_lambda",
    "onnx_external_data_absolute",
    "gguf_default_template_ssti",
    "gguf_string_length_wraparound",
    "gguf_too_many_dimensions",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Label]]:
    work = tmp_path_factory.mktemp("detection")
    root = work / "corpus"
    labels = write_corpus(root, work / MARKER_NAME)
    return root, labels


def _names(labels: dict[str, Label], label: str) -> set[str]:
    return {n for x in labels.values() if x.label == label for n in (x.technique, *x.also)}


def test_every_pickle_family_technique_is_written(written: tuple[Path, dict[str, Label]]) -> None:
    _, labels = written
    expected = {t.name for t in techniques()}
    graded_low = {t.name for t in techniques() if t.severity in ("info", "low")}
    assert graded_low, "effect-grading cases (an unreviewed class rebuilt) are in the corpus"
    assert expected - graded_low <= _names(labels, MALICIOUS)
    assert graded_low <= _names(labels, BENIGN)  # they run nothing: a flag at medium is an error
    merged = [x for x in labels.values() if x.also]
    assert merged, "the zip anomaly rows build the same bytes as their payload rows"
    assert all(set(x.also) <= expected for x in merged)


def test_every_non_pickle_technique_is_written(written: tuple[Path, dict[str, Label]]) -> None:
    _, labels = written
    names = _names(labels, MALICIOUS)
    assert {name for name, _, _ in STAGED_MALICIOUS.values()} <= names
    assert set(NONPICKLE) <= names
    assert {f"template_{name}" for name in TECHNIQUES} <= names
    assert not any(name.startswith("nonpickle_") for name in names), "unnamed staged technique"


def test_benign_kinds_cover_pickle_and_other_formats(
    written: tuple[Path, dict[str, Label]],
) -> None:
    _, labels = written
    benign = [x for x in labels.values() if x.label == BENIGN]
    families = {x.family for x in benign}
    assert {"pickle", "keras", "tensorflow", "onnx", "gguf", "template", "safetensors"} <= families
    assert {f"template_{name}" for name in REAL} <= _names(labels, BENIGN)
    kinds = {x.technique for x in benign}
    assert {"pipeline", "torch_zip", "torch_legacy", "numpy_files", "keras_h5"} <= kinds
    suffixes = {Path(path).name.split(".", 1)[-1] for path, x in labels.items() if x in benign}
    assert {"pkl", "joblib", "gzip.joblib", "pt", "npy", "npz", "h5", "keras", "gguf"} <= suffixes


def test_every_file_is_labelled_by_its_folder(written: tuple[Path, dict[str, Label]]) -> None:
    root, labels = written
    on_disk = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != LABELS_FILE
    }
    assert on_disk == set(labels)
    for path, entry in labels.items():
        top, technique, _ = path.split("/", 2)
        assert (top, technique) == (entry.label, entry.technique), path
        assert entry.label in (MALICIOUS, BENIGN)
        assert entry.expected_severity in SEVERITIES, path
        if entry.label == MALICIOUS:
            assert SEVERITIES.index(entry.expected_severity) >= SEVERITIES.index("medium"), path
            assert entry.check.startswith("AIBOM-") and entry.family, path
        else:
            assert entry.expected_severity in ("info", "low") and not entry.advisory, path


def test_labels_json_round_trips(written: tuple[Path, dict[str, Label]]) -> None:
    root, labels = written
    assert read_labels(root) == labels
    counts = {
        label: sum(x.label == label for x in labels.values()) for label in (MALICIOUS, BENIGN)
    }
    assert counts[MALICIOUS] >= 140 and counts[BENIGN] >= 90, counts


def test_writing_never_runs_a_payload(written: tuple[Path, dict[str, Label]]) -> None:
    root, _ = written
    assert MARKER_NAME == SUITE_MARKER
    assert not (root.parent / MARKER_NAME).exists()
    assert sorted(p.name for p in root.parent.iterdir()) == ["corpus"]  # the stage is gone


def test_an_existing_corpus_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    with pytest.raises(FileExistsError):
        write_corpus(tmp_path / "corpus", tmp_path / MARKER_NAME)
