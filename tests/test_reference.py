from __future__ import annotations

from pathlib import Path
from typing import Any

from aibom.checks import ALL_CHECKS
from aibom.cli.catalog import is_documented
from aibom.cli.docs import reference
from aibom.properties import PROPERTIES, Prop
from aibom.scan import ScanOptions, scan
from tests.builders import hf_cache_repo, lfs_pointer, validate_bom, write_model

ROOT = Path(__file__).resolve().parent.parent


def test_reference_doc_is_in_sync() -> None:
    assert (ROOT / "docs" / "reference.md").read_text() == reference(), (
        "run: python -m aibom.cli.docs > docs/reference.md"
    )


def test_every_property_and_check_is_documented_once() -> None:
    assert set(PROPERTIES) == set(Prop)
    assert len({p.value for p in Prop}) == len(Prop)
    ids = [c.id for c in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    assert all(c.help and c.remediation and c.title for c in ALL_CHECKS)


def _names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, list):
                found |= {p["name"] for p in value if isinstance(p, dict) and "name" in p}
            found |= _names(value)
    elif isinstance(node, list):
        for item in node:
            found |= _names(item)
    return found


def test_every_emitted_property_is_documented(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    (tmp_path / "m" / "config.json").write_text(
        '{"model_type": "llama", "hidden_size": 8, "auto_map": {}, "torch_dtype": "bfloat16",'
        ' "quantization_config": {"quant_method": "gptq"}, "transformers_version": "4.0"}'
    )
    (tmp_path / "m" / "README.md").write_text(
        "---\nlicense: other\nlicense_name: custom\nlicense_link: https://example.com/l\n"
        "base_model_relation: finetune\nco2_eq_emissions:\n  emissions: 10\n  source: x\n"
        "library_name: transformers\nlanguage: [en]\ntags: [a]\n---\n# m\n## Training Data\n"
        "[More Information Needed]\n"
    )
    (tmp_path / "m" / "shard.safetensors").write_bytes(lfs_pointer(b"x"))
    (tmp_path / "m" / "requirements.txt").write_text("torch>=2\nnumpy==2.0.0\n")
    hf_cache_repo(tmp_path / "m" / "hub", "o/n", "a" * 40, {"config.json": b"{}"})
    doc = validate_bom(scan(ScanOptions(targets=(tmp_path / "m",))).document)
    names = {n for n in _names(doc) if n.startswith("aibom:")}
    assert len(names) > 25
    undocumented = sorted(n for n in names if not is_documented(n))
    assert undocumented == []
