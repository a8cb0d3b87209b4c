"""Drift against an earlier BOM read by ``aibom.bomdoc.read_bom`` (aibom's own, JSON or XML, and
hand-written CycloneDX documents)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from aibom.bomdoc import read_bom
from aibom.scan import ScanOptions, scan
from aibom.verify import drift
from tests.builders import hf_cache_repo, safetensors_bytes
from tests.verify.vbuilders import model, scan_path


def _bom(path: Path) -> dict[str, Any]:
    doc = json.loads(scan_path(path).document)
    assert isinstance(doc, dict)
    return doc


def test_unchanged_model_has_no_drift(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    scanned = scan_path(folder)
    report = drift(_bom(folder), scanned.inventory, scanned.artifacts)
    assert not report.has_drift
    assert report.to_dict()["drift"] is False
    assert "drift: none" in report.render_text()
    assert report.entities and report.entities[0].key == "m"  # the model was compared


def test_added_removed_and_changed_files(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    old = _bom(folder)
    (folder / "config.json").write_text('{"model_type": "other"}')
    (folder / "tokenizer_config.json").unlink()
    (folder / "extra.py").write_text("print('hi')\n")
    scanned = scan_path(folder)
    report = drift(old, scanned.inventory, scanned.artifacts)
    assert report.has_drift
    [entity] = report.entities
    assert (entity.added, entity.removed, entity.changed) == (
        ["extra.py"],
        ["tokenizer_config.json"],
        ["config.json"],
    )
    text = report.render_text()
    assert "~ config.json (SHA-256 changed)" in text and "+ extra.py" in text
    changed = report.to_dict()["changed"]
    assert isinstance(changed, list) and changed[0]["files_removed"] == ["tokenizer_config.json"]


def test_revision_change_in_a_hugging_face_cache(tmp_path: Path) -> None:
    files = {"config.json": b"{}", "model.safetensors": safetensors_bytes(tmp=tmp_path)}
    hf_cache_repo(tmp_path / "old", "org/tiny", "a" * 40, files)
    hf_cache_repo(tmp_path / "new", "org/tiny", "b" * 40, {**files, "config.json": b'{"x": 1}'})
    scanned = scan_path(tmp_path / "new")
    report = drift(_bom(tmp_path / "old"), scanned.inventory, scanned.artifacts)
    [entity] = report.entities
    assert entity.key == "org/tiny"
    assert (entity.old_revision, entity.new_revision) == ("a" * 40, "b" * 40)
    assert entity.changed == ["config.json"]
    assert f"revision {'a' * 40} -> {'b' * 40}" in report.render_text()


def test_models_added_and_removed(tmp_path: Path) -> None:
    model(tmp_path / "root" / "first")
    old = _bom(tmp_path / "root")
    model(
        tmp_path / "root" / "second",
    )
    import shutil

    shutil.rmtree(tmp_path / "root" / "first")
    scanned = scan_path(tmp_path / "root")
    report = drift(old, scanned.inventory, scanned.artifacts)
    assert report.added == ["model:second"]
    assert report.removed == ["model:first"]


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"])
def test_foreign_bom_of_any_supported_version(tmp_path: Path, version: str) -> None:
    """A hand-written BOM with nested file components; a file listed without SHA-256 is not comparable."""
    folder = model(tmp_path / "m")
    result = scan_path(folder)
    digests = {a.ref.relpath: a.digests.sha256 for a in result.artifacts if a.digests}
    files: list[dict[str, Any]] = [
        {"type": "file", "name": name, "hashes": [{"alg": "SHA-256", "content": digest}]}
        for name, digest in digests.items()
        if name != "README.md"
    ]
    files.append(
        {"type": "file", "name": "README.md", "hashes": [{"alg": "MD5", "content": "0" * 32}]}
    )
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": version,
        "components": [{"type": "machine-learning-model", "name": "m", "components": files}],
    }
    path = tmp_path / "old.cdx.json"
    path.write_text(json.dumps(doc))
    report = drift(read_bom(path), result.inventory, result.artifacts)
    assert not report.has_drift
    assert report.spec_version == version
    assert report.entities[0].unknown == ["README.md"]


def test_an_earlier_xml_bom_is_compared_like_its_json_form(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    options = ScanOptions(targets=(folder,), use_cache=False, output_format="xml")
    old = read_bom(io.BytesIO(scan(options).document.encode()))
    scanned = scan_path(folder)
    assert not drift(old, scanned.inventory, scanned.artifacts).has_drift
    (folder / "config.json").write_text("{}")
    scanned = scan_path(folder)
    [entity] = drift(old, scanned.inventory, scanned.artifacts).entities
    assert entity.changed == ["config.json"]


def test_hostile_nesting_is_bounded(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    comp: dict[str, Any] = {"type": "library", "name": "x"}
    for _ in range(5000):
        comp = {"type": "library", "name": "x", "components": [comp]}
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [comp]}
    scanned = scan_path(folder)
    report = drift(doc, scanned.inventory, scanned.artifacts)
    assert report.added == ["model:m"]
