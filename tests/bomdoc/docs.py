"""Documents for the reader tests: hostile inputs (written as bytes) and real aibom scans of
fixtures from ``tests.builders``, written by the installed ``aibom`` console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.builders import CARD, hf_cache_repo, safetensors_bytes, write_model
from tests.scoring.scoring_builders import RICH_CARD

AIBOM = str(Path(sys.executable).with_name("aibom"))
"""The installed console script: exit codes and messages are only real through it."""

PICKLE_CALLING_OS_SYSTEM = b"\x80\x02cos\nsystem\n(X\n\x00\x00\x00echo ownedtR."
"""Protocol-2 pickle bytes that would call os.system if loaded. Written and hashed, never loaded."""

DATASET_CARD = b"""---
license: mit
pretty_name: Reviews
task_categories: [text-classification]
---
# Reviews

## Dataset Summary

English product reviews with a sentiment label.
"""

NS = "http://cyclonedx.org/schema/bom/1.6"


def cyclonedx(spec: str = "1.6", **fields: Any) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": spec, "version": 1, **fields}


def nested(levels: int) -> dict[str, Any]:
    """A BOM whose one component nests ``levels`` components deep (JSON depth about 2 per level)."""
    comp: dict[str, Any] = {"type": "library", "name": "leaf"}
    for level in range(levels):
        comp = {"type": "library", "name": f"n{level}", "components": [comp]}
    return cyclonedx(components=[comp])


def write(path: Path, content: bytes | dict[str, Any]) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def fixture_tree(root: Path) -> Path:
    """Models with a rich and a plain card, a Hugging Face cache with a model and a dataset, a
    disguised pickle and a requirements file: what a scan turns into modelCard, data, hashes,
    properties, dependencies and vulnerabilities."""
    write_model(root / "models" / "rich", card=RICH_CARD)
    write_model(root / "models" / "plain", card=CARD, seed=1)
    (root / "models" / "plain" / "extra.safetensors").write_bytes(PICKLE_CALLING_OS_SYSTEM)
    config = b'{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}'
    files = {"model.safetensors": safetensors_bytes(3), "README.md": CARD.encode()}
    hf_cache_repo(root / "hub", "org/hf-model", "a" * 40, {**files, "config.json": config})
    data = {"data/train.parquet": b"PAR1" + b"\0" * 8 + b"PAR1", "README.md": DATASET_CARD}
    hf_cache_repo(root / "hub", "org/reviews", "b" * 40, data, repo_type="dataset")
    (root / "requirements.txt").write_text("torch==2.3.1\nnumpy>=1.26\njinja2==2.10\n")
    return root


def scan_to(target: Path, out: Path, fmt: str, spec: str = "1.6") -> Path:
    argv = [AIBOM, "scan", str(target), "--format", fmt, "--spec-version", spec, "--reproducible"]
    subprocess.run([*argv, "-q", "--fail-on", "none", "-o", str(out)], check=True)
    return out
