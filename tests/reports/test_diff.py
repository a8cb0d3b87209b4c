"""``aibom.diff``: two real scans of a repository before and after a change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aibom.checks import FORMAT_MISMATCH
from aibom.diff import diff_boms
from aibom.findings import Severity
from tests.builders import write_model
from tests.reports.builders import (
    PICKLE_CALLING_OS_SYSTEM,
    document,
    model,
    project,
    scan_doc,
    scorecard,
)


@pytest.fixture(scope="module")
def before_after(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """BASE: a clean repository. HEAD: the same with an unsafe file added, a model retrained, a
    dependency bumped and one added, a model removed (scanned from a copy named alike)."""
    base = project(tmp_path_factory.mktemp("base") / "repo", unsafe=False)
    head = tmp_path_factory.mktemp("head") / "repo"
    shutil.copytree(base, head)
    (head / "models" / "tiny" / "extra.safetensors").write_bytes(PICKLE_CALLING_OS_SYSTEM)
    write_model(head / "models" / "tiny", seed=7)
    (head / "requirements.txt").write_text(
        "torch==2.4.0\nnumpy>=1.26\ntransformers==4.44.0\nsafetensors==0.4.5\n"
    )
    shutil.rmtree(head / "models" / "pointer")
    return scan_doc(base), scan_doc(head)


def test_models_packages_and_findings_changes(
    before_after: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    diff = diff_boms(*before_after)
    models = {(c.status, c.name): c for c in diff.of("model")}
    assert ("removed", "pointer") in models
    tiny = models[("changed", "tiny")]
    assert "weights hash changed" in tiny.details
    assert "files changed: repo/models/tiny/model.safetensors" in tiny.details
    assert "files added: repo/models/tiny/extra.safetensors" in tiny.details
    packages = {(c.status, c.name, c.before, c.after) for c in diff.of("package")}
    assert packages == {
        ("changed", "torch", "2.3.1", "2.4.0"),
        ("added", "safetensors", None, "0.4.5"),
    }
    assert FORMAT_MISMATCH.id in {f.id for f in diff.new_findings}
    assert {f.path for f in diff.new_findings} == {"repo/models/tiny/extra.safetensors"}
    assert "AIBOM-LFS-001" in {f.id for f in diff.resolved_findings}
    assert all("pointer" in (f.path or "") for f in diff.resolved_findings)


def test_fail_on_new_counts_only_new_findings(
    before_after: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, head = before_after
    diff = diff_boms(base, head)
    worst_new = max(f.severity for f in diff.new_findings)
    assert diff.new_at_or_above(worst_new)
    reverse = diff_boms(head, base)
    assert "AIBOM-LFS-001" in {f.id for f in reverse.new_findings}
    assert max(f.severity for f in reverse.new_findings) is Severity.MEDIUM
    assert reverse.new_at_or_above(Severity.MEDIUM)
    assert not reverse.new_at_or_above(Severity.HIGH)
    assert not diff_boms(head, head).new_at_or_above(Severity.INFO)


def test_identical_boms_have_no_changes(
    before_after: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    assert diff_boms(before_after[1], before_after[1]).empty


def test_revision_and_licence_changes_of_hub_models() -> None:
    old = model(
        "bert",
        purl="pkg:huggingface/org/bert@aaa",
        version="aaa",
        licenses=[{"license": {"id": "MIT"}}],
    )
    new = model(
        "bert",
        "other-ref",
        purl="pkg:huggingface/org/bert@bbb",
        version="bbb",
        licenses=[{"license": {"id": "Apache-2.0"}}],
    )
    (change,) = diff_boms(document([old]), document([new])).components
    assert (change.status, change.before, change.after) == ("changed", "aaa", "bbb")
    assert change.details == ("revision aaa -> bbb", "licence MIT -> Apache-2.0")


def test_score_changes_and_json(before_after: tuple[dict[str, Any], dict[str, Any]]) -> None:
    diff = diff_boms(*before_after, scorecard(score=80.0), scorecard(score=64.0))
    (change,) = diff.scores
    assert (change.before, change.after, change.delta) == (80.0, 64.0, -16.0)
    data = json.loads(json.dumps(diff.to_json()))
    assert data["scores"][0]["delta"] == -16.0
    assert FORMAT_MISMATCH.id in {f["id"] for f in data["findings"]["new"]}
    assert {
        "category": "package",
        "status": "added",
        "name": "safetensors",
        "before": None,
        "after": "0.4.5",
        "details": [],
    } in data["components"]


def test_package_names_are_normalised() -> None:
    old = {"type": "library", "name": "Typing_Extensions", "version": "4.0"}
    new = {"type": "library", "name": "typing-extensions", "version": "4.1"}
    (change,) = diff_boms(document([old]), document([new])).components
    assert (change.status, change.before, change.after) == ("changed", "4.0", "4.1")


def test_scan_outputs_are_independent_of_the_folder(tmp_path: Path) -> None:
    repo = project(tmp_path / "a" / "repo")
    copy = tmp_path / "b" / "repo"
    shutil.copytree(repo, copy)
    assert diff_boms(scan_doc(repo), scan_doc(copy)).empty
