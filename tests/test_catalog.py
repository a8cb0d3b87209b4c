"""The format catalog: one spec per format, gathered from the inspectors, and the tables derived from it."""

from __future__ import annotations

import dataclasses

import pytest

from aibom.artifacts import Format, Kind
from aibom.catalog import UNDESCRIBED, Catalog, FormatSpec, Magic
from aibom.formats import CATALOG, INSPECTORS, inspector_for
from aibom.formats.passive import PASSIVE_SPECS


def test_every_format_has_exactly_one_spec() -> None:
    assert set(CATALOG.specs) == set(Format) - UNDESCRIBED
    declared = [s.format for i in INSPECTORS for s in i.specs] + [s.format for s in PASSIVE_SPECS]
    assert len(declared) == len(set(declared))


def test_inspected_formats_are_declared_by_their_inspector() -> None:
    for inspector in INSPECTORS:
        for spec in inspector.specs:
            assert inspector_for(spec.format) is inspector
    for spec in PASSIVE_SPECS:
        assert inspector_for(spec.format) is None, spec.format


def test_a_format_without_a_spec_is_refused() -> None:
    specs = [s for s in CATALOG.specs.values() if s.format is not Format.GGUF]
    with pytest.raises(ValueError, match="gguf"):
        Catalog(specs)


def test_two_claims_on_one_suffix_are_refused() -> None:
    specs = list(CATALOG.specs.values())
    specs[specs.index(CATALOG.specs[Format.TFLITE])] = FormatSpec(
        Format.TFLITE, Kind.WEIGHTS, (".gguf",)
    )
    with pytest.raises(ValueError, match=r"\.gguf claimed by"):
        Catalog(specs)


def test_a_format_described_twice_is_refused() -> None:
    specs = [*CATALOG.specs.values(), CATALOG.specs[Format.ONNX]]
    with pytest.raises(ValueError, match="onnx"):
        Catalog(specs)


def test_a_new_spec_reaches_classification_tables() -> None:
    # What adding a format means for classification: its spec alone feeds every table.
    specs = dict(CATALOG.specs)
    specs[Format.TFLITE] = dataclasses.replace(
        specs[Format.TFLITE], suffixes=(".tflite", ".lite"), magic=(Magic(b"TFL3", 4),)
    )
    catalog = Catalog(specs.values())
    assert catalog.claimed(".lite") is Format.TFLITE
    assert ".lite" in catalog.strict_weight_suffixes
    assert Format.TFLITE in catalog.weight_formats
    assert (Magic(b"TFL3", 4), Format.TFLITE) in catalog.magic


def test_shared_suffixes_claim_but_are_not_strict() -> None:
    assert CATALOG.claimed(".bin") is Format.PYTORCH_ZIP
    assert CATALOG.claimed(".pb") is Format.TF_SAVEDMODEL
    assert ".bin" not in CATALOG.strict_weight_suffixes
    assert ".pb" not in CATALOG.strict_weight_suffixes
    assert {".pt", ".pkl", ".safetensors", ".gguf", ".npz"} <= CATALOG.strict_weight_suffixes


def test_code_running_formats_are_the_pickle_family() -> None:
    assert CATALOG.code_exec_formats == {
        Format.PICKLE,
        Format.PYTORCH_ZIP,
        Format.PYTORCH_LEGACY,
        Format.TORCHSCRIPT,
        Format.JOBLIB,
        Format.NUMPY,
        Format.NUMPY_NPZ,
    }
    assert {".pkl", ".pt", ".bin", ".joblib", ".npy"} <= CATALOG.pickle_suffixes


def test_remote_hints() -> None:
    assert set(CATALOG.member_suffixes) == {".pkl", ".pickle", ".npy", ".py", ".json"}
    assert {".parquet", ".csv", ".md", ".txt", ".tar", ".gz"} <= CATALOG.unprobed_suffixes
    assert ".bin" not in CATALOG.unprobed_suffixes


def test_suffixes_must_be_lower_case_with_a_dot() -> None:
    bad = dataclasses.replace(CATALOG.specs[Format.GGUF], suffixes=(".GGUF",))
    specs = [bad if s.format is Format.GGUF else s for s in CATALOG.specs.values()]
    with pytest.raises(ValueError, match="suffix"):
        Catalog(specs)
