from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.xml import XmlValidator
from safetensors.numpy import save_file

from aibom.bomdoc import read_bom
from aibom.checks import LFS_POINTER, MALFORMED_FILE
from aibom.findings import Severity
from aibom.scan import ScanOptions, ScanResult, scan
from aibom.score import ScoreOptions, annotate
from tests.builders import (
    CARD,
    hf_cache_repo,
    lfs_pointer,
    safetensors_bytes,
    snapshot_tree,
    validate_bom,
    write_model,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples"
COMMIT = "c0ffee" + "0" * 34


def run(*targets: Path, **kw: Any) -> tuple[ScanResult, dict[str, Any]]:
    result = scan(ScanOptions(targets=tuple(targets), **kw))
    return result, validate_bom(result.document, kw.get("spec_version", "1.6"))


def components(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in doc.get("components", []) if c["type"] == kind]


def props(comp: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in comp.get("properties", [])}


def test_bundled_example(tmp_path: Path) -> None:
    result, doc = run(EXAMPLE / "tiny-bert", EXAMPLE / "requirements.txt")
    (model,) = [
        m for m in components(doc, "machine-learning-model") if m["bom-ref"] == "model:tiny-bert"
    ]
    files = {f["name"]: f for f in model["components"]}
    weights = (EXAMPLE / "tiny-bert" / "model.safetensors").read_bytes()
    assert files["model.safetensors"]["hashes"] == [
        {"alg": "SHA-256", "content": hashlib.sha256(weights).hexdigest()}
    ]
    assert set(files) == {
        "README.md",
        "config.json",
        "model.safetensors",
        "special_tokens_map.json",
        "tokenizer_config.json",
        "vocab.txt",
    }
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert (
        model["pedigree"]["ancestors"][0]["purl"] == "pkg:huggingface/google-bert/bert-base-uncased"
    )
    card = model["modelCard"]
    assert card["modelParameters"]["task"] == "fill-mask"
    assert card["modelParameters"]["modelArchitecture"] == "BertForMaskedLM"
    assert card["modelParameters"]["datasets"] == [{"ref": "dataset:Salesforce/wikitext"}]
    assert card["quantitativeAnalysis"]["performanceMetrics"][0]["value"] == "812.4"
    assert props(model)["aibom:model:parameter-count"] == "18464"
    (data,) = components(doc, "data")
    assert (
        data["data"][0]["contents"]["url"] == "https://huggingface.co/datasets/Salesforce/wikitext"
    )
    libs = {c["name"]: c.get("version") for c in components(doc, "library")}
    assert libs == {
        "torch": "2.13.0",
        "transformers": "4.57.1",
        "safetensors": "0.8.0",
        "tokenizers": None,
        "numpy": None,
    }
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps["model:tiny-bert"] == [
        "dataset:Salesforce/wikitext",
        "model:declared:google-bert/bert-base-uncased",
    ]
    assert "model:tiny-bert" in deps["root"]
    assert result.exit_code(Severity.HIGH) == 0


def test_hf_cache_models_and_datasets(tmp_path: Path) -> None:
    st = safetensors_bytes(tmp=tmp_path)
    hf_cache_repo(
        tmp_path / "hub",
        "acme/bert-mini",
        COMMIT,
        {
            "model.safetensors": st,
            "config.json": b'{"model_type": "bert", "architectures": ["BertModel"]}',
            "README.md": CARD.encode(),
        },
        refs={"main": COMMIT},
    )
    hf_cache_repo(
        tmp_path / "hub",
        "org/train-set",
        "d" * 40,
        {
            "data/train.parquet": b"PAR1" + b"\0" * 8 + b"PAR1",
            "README.md": b"---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n# data\n",
        },
        repo_type="dataset",
    )
    _result, doc = run(tmp_path / "hub")
    model = next(m for m in components(doc, "machine-learning-model") if m["name"] == "bert-mini")
    assert model["purl"] == f"pkg:huggingface/acme/bert-mini@{COMMIT}"
    assert model["version"] == COMMIT
    assert model["supplier"] == {"name": "acme"}
    p = props(model)
    assert (p["aibom:hf:repo-id"], p["aibom:hf:commit"], p["aibom:hf:refs"]) == (
        "acme/bert-mini",
        COMMIT,
        "main",
    )
    cfg = next(f for f in model["components"] if f["name"] == "config.json")
    assert "aibom:file:git-blob-sha1" in props(cfg)
    st_file = next(f for f in model["components"] if f["name"] == "model.safetensors")
    assert "aibom:file:git-blob-sha1" not in props(st_file)  # LFS files are named by SHA-256
    refs = {r["type"]: r["url"] for r in model["externalReferences"]}
    assert refs["model-card"] == f"https://huggingface.co/acme/bert-mini/blob/{COMMIT}/README.md"
    data = next(d for d in components(doc, "data") if d["name"] == "train-set")
    assert data["licenses"] == [{"license": {"id": "CC-BY-4.0"}}]
    assert [f["name"] for f in data["components"]] == ["README.md", "data/train.parquet"]
    assert model["modelCard"]["modelParameters"]["datasets"] == [{"ref": data["bom-ref"]}]


def _shards(folder: Path, n: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    weight_map = {}
    total = 0
    for i in range(1, n + 1):
        name = f"model-{i:05d}-of-{n:05d}.safetensors"
        tensors = {f"layer{i}.w": np.zeros((i, 3), np.float32)}
        total += 3 * i
        save_file(tensors, str(folder / name))
        weight_map.update(dict.fromkeys(tensors, name))
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    (folder / "config.json").write_text('{"model_type": "llama"}')
    return total


def test_sharded_weights_roll_up_into_one_model(tmp_path: Path) -> None:
    total = _shards(tmp_path / "llm", 3)
    save_file({"x": np.zeros(100, np.float16)}, str(tmp_path / "llm" / "model.fp16.safetensors"))
    _result, doc = run(tmp_path / "llm")
    (model,) = components(doc, "machine-learning-model")
    p = props(model)
    assert p["aibom:model:shard-count"] == "3"
    assert p["aibom:model:parameter-count"] == str(total)  # the fp16 variant is not counted twice
    assert "hashes" not in model  # several weight files: hashes live on the file components
    assert len(model["components"]) == 6


def test_pytorch_bin_shards_roll_up(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    for i in (1, 2):
        (folder / f"pytorch_model-0000{i}-of-00002.bin").write_bytes(b"\x80\x02}q\x00.")
    (folder / "pytorch_model.bin.index.json").write_text('{"weight_map": {}}')
    _result, doc = run(folder)
    (model,) = components(doc, "machine-learning-model")
    assert props(model)["aibom:model:shard-count"] == "2"
    assert props(model)["aibom:model:formats"] == "pickle"


def test_several_models_in_one_tree_and_subfolders_stay_with_their_model(tmp_path: Path) -> None:
    write_model(tmp_path / "zoo" / "a", seed=1)
    write_model(tmp_path / "zoo" / "b", seed=2, card=None)
    pipe = tmp_path / "zoo" / "diffusion"
    (pipe / "unet").mkdir(parents=True)
    (pipe / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    save_file(
        {"w": np.zeros(2, np.float32)}, str(pipe / "unet" / "diffusion_pytorch_model.safetensors")
    )
    _result, doc = run(tmp_path / "zoo")
    names = sorted(
        m["name"] for m in components(doc, "machine-learning-model") if "components" in m
    )
    assert names == ["a", "b", "diffusion"]
    diffusion = next(
        m for m in components(doc, "machine-learning-model") if m["name"] == "diffusion"
    )
    assert sorted(f["name"] for f in diffusion["components"]) == [
        "model_index.json",
        "unet/diffusion_pytorch_model.safetensors",
    ]


def test_a_model_folder_without_weights_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert"}')
    (folder / "README.md").write_text("# m\n")
    _result, doc = run(folder)
    models = components(doc, "machine-learning-model")
    assert models, "a folder with a model config is a model"
    assert all(props(m)["aibom:model:weights-present"] == "false" for m in models)


def test_lfs_pointers_instead_of_weights(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(lfs_pointer(b"w" * 1000))
    (folder / "config.json").write_text("{}")
    result, doc = run(folder)
    (model,) = components(doc, "machine-learning-model")
    assert props(model)["aibom:model:weights-present"] == "false"
    pointer = next(f for f in model["components"] if f["name"] == "model.safetensors")
    assert props(pointer)["aibom:file:lfs-oid"] == hashlib.sha256(b"w" * 1000).hexdigest()
    (finding,) = [f for f in result.findings if f.check is LFS_POINTER]
    assert finding.effective_severity is Severity.MEDIUM
    assert result.exit_code(Severity.MEDIUM) == 1
    assert result.exit_code(Severity.HIGH) == 0
    assert result.exit_code(None) == 0
    assert (result.reaches(Severity.MEDIUM), result.reaches(Severity.HIGH)) == (True, False)
    assert not result.reaches(None)
    vuln = next(v for v in doc["vulnerabilities"] if v["id"] == LFS_POINTER.id)
    assert vuln["affects"] == [{"ref": pointer["bom-ref"]}]
    assert vuln["ratings"][0]["severity"] == "medium"


def test_scoring_is_a_stage_of_the_scan(tmp_path: Path) -> None:
    """``ScanOptions.score`` writes the same scores as scoring the unscored BOM afterwards."""
    folder = write_model(tmp_path / "m")
    options = ScoreOptions(profile="engineering", packs=("model-card", "safety"))
    result, doc = run(folder, reproducible=True, use_cache=False, score=options)
    assert result.scorecard is not None
    assert result.scorecard.profile == "engineering"
    assert [p.id for p in result.scorecard.packs] == ["model-card", "safety"]
    assert props(doc["metadata"])["aibom:score:profile"] == "engineering"
    assert result.json_document == result.document
    plain, later = run(folder, reproducible=True, use_cache=False)
    assert plain.scorecard is None
    card = options.score(later)
    annotate(later, card)
    assert later == doc
    assert card.to_json_dict() == result.scorecard.to_json_dict()


def test_scores_are_written_into_xml(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m")
    result = scan(ScanOptions(targets=(folder,), output_format="xml", score=ScoreOptions()))
    assert XmlValidator(SchemaVersion.V1_6).validate_str(result.document) is None
    assert result.scorecard is not None
    doc = read_bom(io.BytesIO(result.document.encode()))
    assert props(doc["metadata"])["aibom:score:profile"] == "procurement"


def test_reproducible_output_is_byte_identical(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    first = scan(ScanOptions(targets=(tmp_path / "m",), reproducible=True))
    second = scan(ScanOptions(targets=(tmp_path / "m",), reproducible=True, use_cache=False))
    assert first.document == second.document
    doc = validate_bom(first.document)
    assert "serialNumber" not in doc and "timestamp" not in doc["metadata"]
    assert str(tmp_path) not in first.document


def test_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_model(tmp_path / "m")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _result, doc = run(tmp_path / "m", reproducible=True)
    assert doc["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"


def test_spec_1_7_and_xml(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    run(tmp_path / "m", spec_version="1.7")
    xml = scan(ScanOptions(targets=(tmp_path / "m",), output_format="xml")).document
    assert XmlValidator(SchemaVersion.V1_6).validate_str(xml) is None
    assert "<modelCard>" in xml and "<task>text-classification</task>" in xml


def test_nothing_in_the_scanned_tree_is_modified(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    hf_cache_repo(tmp_path / "m" / "hub", "o/n", COMMIT, {"config.json": b"{}"})
    before = snapshot_tree(tmp_path)
    run(tmp_path / "m")
    scan(ScanOptions(targets=(tmp_path / "m",), output_format="xml"))
    assert snapshot_tree(tmp_path) == before
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "README.md",
        "config.json",
        "hub",
        "model.safetensors",
        "tokenizer_config.json",
    ]


def test_bad_input_is_recorded_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "empty.safetensors").write_bytes(b"")
    (folder / "truncated.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{")
    (folder / "garbage.safetensors").write_bytes(b"\xff" * 64)
    (folder / "README.md").write_bytes(b"---\nlicense: [unclosed\n---\n\xff\xfe")
    os.mkfifo(folder / "pipe")
    (folder / "dangling").symlink_to(folder / "nowhere")
    result, doc = run(folder)
    skipped = [
        p["value"] for p in doc["metadata"]["properties"] if p["name"] == "aibom:scan:skipped"
    ]
    assert any(s.startswith("m/pipe: a FIFO") for s in skipped)
    assert any(s.startswith("m/dangling: dangling") for s in skipped)
    assert {s.path for s in result.skipped} == {"m/pipe", "m/dangling"}
    assert any(f.path == "m/README.md" for f in result.findings)  # bad YAML: a card finding
    broken = {f.path for f in result.findings if f.check is MALFORMED_FILE}
    assert broken == {"m/empty.safetensors", "m/truncated.safetensors", "m/garbage.safetensors"}


@pytest.mark.slow
def test_a_hundred_thousand_files(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    for d in range(200):
        sub = root / f"d{d:03d}"
        sub.mkdir(parents=True)
        for i in range(500):
            (sub / f"f{i}.txt").write_bytes(b"%d" % i)
    (root / "d000" / "model.safetensors").write_bytes(safetensors_bytes(tmp=tmp_path))
    result, doc = run(root)
    assert result.stats.files == 100_001
    assert not [s for s in result.skipped if not s.deliberate]
    # d000 is the model folder; the other 199 x 500 text files are accounted for, not inventoried
    assert len(result.skipped) == 199 * 500
    assert len(components(doc, "machine-learning-model")) == 1


HOSTILE_CARD = """---
license: other
license_name: "custom \\u0001 licence"
license_link: "javascript:alert(1) and spaces"
base_model: "org/base\\u0002"
datasets: ["org/data set", "<script>"]
---
# Model \x01

## Model description

Text with control \x02 characters, </modelCard> tags and "quotes".

## Intended uses

\x0b
"""


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_hostile_metadata_still_gives_a_valid_bom(tmp_path: Path, fmt: str) -> None:
    write_model(tmp_path / "m", card=HOSTILE_CARD)
    hf_cache_repo(
        tmp_path / "m" / "hub", "we ird/na me<x>", COMMIT, {"README.md": HOSTILE_CARD.encode()}
    )
    result = scan(ScanOptions(targets=(tmp_path / "m",), output_format=fmt))
    if fmt == "json":
        doc = validate_bom(result.document)
        urls = [r["url"] for c in doc["components"] for r in c.get("externalReferences", [])]
        assert "https://huggingface.co/we%20ird/na%20me%3Cx%3E" in urls
        assert not any("javascript:" in u for u in urls)
    else:
        assert XmlValidator(SchemaVersion.V1_6).validate_str(result.document) is None
        assert "\x01" not in result.document


def test_single_file_targets_are_separate_models(tmp_path: Path) -> None:
    (tmp_path / "a.safetensors").write_bytes(safetensors_bytes(seed=1, tmp=tmp_path))
    (tmp_path / "b.safetensors").write_bytes(safetensors_bytes(seed=2, tmp=tmp_path))
    _result, doc = run(tmp_path / "a.safetensors", tmp_path / "b.safetensors")
    models = components(doc, "machine-learning-model")
    assert sorted((m["name"], props(m)["aibom:model:source"]) for m in models) == [
        ("a", "file"),
        ("b", "file"),
    ]
    assert all(m["bom-ref"] in ("model:a.safetensors", "model:b.safetensors") for m in models)
