"""Builders for test inputs. Everything a test scans is made here, in code, small and deterministic."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from safetensors.numpy import save_file

CARD = """---
license: apache-2.0
language: [en]
library_name: transformers
pipeline_tag: text-classification
base_model: org/base-model
datasets: [org/train-set]
---

# Model

## Model description

A small test model.

## Intended uses

Tests only.
"""

CONFIG = {
    "architectures": ["BertForSequenceClassification"],
    "model_type": "bert",
    "hidden_size": 4,
}


def tensors(seed: int = 0, rows: int = 4, cols: int = 4) -> dict[str, npt.NDArray[Any]]:
    rng = np.random.default_rng(seed)
    return {
        "weight": rng.standard_normal((rows, cols)).astype(np.float32),
        "bias": np.zeros(cols, np.float16),
    }


def safetensors_bytes(
    seed: int = 0, rows: int = 4, cols: int = 4, tmp: Path | None = None
) -> bytes:
    path = (tmp or Path("/tmp")) / f".st-{os.getpid()}-{seed}-{rows}-{cols}.safetensors"
    save_file(tensors(seed, rows, cols), str(path), metadata={"format": "pt"})
    data = path.read_bytes()
    path.unlink()
    return data


def write_model(folder: Path, *, card: str | None = CARD, seed: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors(seed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(CONFIG))
    (folder / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 8}))
    if card is not None:
        (folder / "README.md").write_text(card)
    return folder


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    oid = hashlib.sha256(data).hexdigest()
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n".encode()
    )


LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx", ".gguf", ".parquet", ".h5")


def hf_cache_repo(
    cache: Path,
    repo_id: str,
    commit: str,
    files: Mapping[str, bytes],
    *,
    repo_type: str = "model",
    refs: Mapping[str, str] | None = None,
) -> Path:
    """Lay out one repository exactly as huggingface_hub does: blobs named by SHA-256 (LFS files) or git
    blob SHA-1 (others), snapshot entries as relative symlinks into blobs/, refs as files holding commits."""
    repo = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    blobs = repo / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    snap = repo / "snapshots" / commit
    for name, data in files.items():
        lfs = name.endswith(LFS_SUFFIXES)
        blob = hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)
        (blobs / blob).write_bytes(data)
        link = snap / name
        link.parent.mkdir(parents=True, exist_ok=True)
        depth = len(Path(name).parts) + 1
        link.symlink_to(Path(*([".."] * depth), "blobs", blob))
    for ref, target in (refs if refs is not None else {"main": commit}).items():
        (repo / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)
        (repo / "refs" / ref).write_text(target)
    return repo


def validate_bom(text: str, version: str = "1.6") -> dict[str, Any]:
    schema = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}[version]
    error = JsonStrictValidator(schema).validate_str(text)
    assert error is None, f"BOM fails the CycloneDX {version} schema: {error}"
    doc = json.loads(text)
    assert isinstance(doc, dict)
    return doc


def snapshot_tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """mtime_ns and content of every regular file under root (to prove nothing was modified)."""
    out: dict[str, tuple[int, bytes]] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                out[str(path)] = (path.stat().st_mtime_ns, path.read_bytes())
    return out
