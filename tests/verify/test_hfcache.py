"""Hugging Face cache integrity from the scan's digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aibom.checks.verify import HF_BLOB_MISMATCH, HF_LFS_POINTER_MISMATCH, HF_LINK_ESCAPES
from aibom.findings import Severity
from aibom.verify import Status, VerifyOptions, hf_cache_findings, verify_models
from aibom.verify.sign import sign_statement_with_key
from tests.builders import hf_cache_repo, lfs_pointer, safetensors_bytes
from tests.verify.vbuilders import KeyPair, scan_path, statement_for

COMMIT = "a" * 40
REPO = "models--org--tiny"


def _cache(tmp_path: Path) -> Path:
    files = {
        "config.json": b'{"model_type": "bert"}',
        "model.safetensors": safetensors_bytes(tmp=tmp_path),
        "README.md": b"# tiny\n",
    }
    hf_cache_repo(tmp_path / "hub", "org/tiny", COMMIT, files)
    return tmp_path / "hub"


def _blob(cache: Path, name: str) -> Path:
    return (cache / REPO / "snapshots" / COMMIT / name).resolve()


def test_intact_cache_has_no_findings(tmp_path: Path) -> None:
    result = scan_path(_cache(tmp_path))
    assert hf_cache_findings(result.inventory, result.artifacts, result.skipped) == []
    assert len(result.artifacts) == 3  # the check had files to look at


def test_lfs_blob_whose_content_changed_is_critical(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    blob = _blob(cache, "model.safetensors")
    blob.write_bytes(safetensors_bytes(seed=7, tmp=tmp_path))
    scanned = scan_path(cache)
    [finding] = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert finding.check is HF_BLOB_MISMATCH
    assert finding.effective_severity is Severity.CRITICAL
    assert finding.path.endswith(f"snapshots/{COMMIT}/model.safetensors")
    assert "cache blob does not match its name" in finding.message
    assert finding.evidence == f"blob {blob.name}"


def test_git_blob_whose_content_changed_is_critical(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    _blob(cache, "config.json").write_bytes(b'{"model_type": "evil"}')
    scanned = scan_path(cache)
    [finding] = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert finding.check is HF_BLOB_MISMATCH
    assert "git blob SHA-1" in finding.message


def test_blob_holding_its_own_lfs_pointer_is_reported_as_a_pointer(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    blob = _blob(cache, "model.safetensors")
    blob.write_bytes(lfs_pointer(blob.read_bytes()))
    scanned = scan_path(cache)
    findings = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert [(f.check, f.effective_severity) for f in findings] == [
        (HF_LFS_POINTER_MISMATCH, Severity.MEDIUM)
    ]
    assert "pointer of this blob" in findings[0].message


def test_blob_holding_a_pointer_to_another_object_is_critical(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    _blob(cache, "model.safetensors").write_bytes(lfs_pointer(b"other weights"))
    scanned = scan_path(cache)
    [finding] = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert finding.check is HF_BLOB_MISMATCH
    assert (
        "Git LFS pointer to object " + hashlib.sha256(b"other weights").hexdigest()
        in finding.message
    )


def test_pointer_whose_size_disagrees_with_its_object(tmp_path: Path) -> None:
    weights = safetensors_bytes(tmp=tmp_path)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(weights)
    pointer = lfs_pointer(weights).replace(b"size %d" % len(weights), b"size 12")
    (folder / "copy.safetensors").write_bytes(pointer)
    scanned = scan_path(folder)
    [finding] = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert finding.check is HF_LFS_POINTER_MISMATCH
    assert finding.path == "m/copy.safetensors"
    assert (
        f"says 12 bytes, but its object (present in the scan) has {len(weights)}" in finding.message
    )


def test_snapshot_link_leaving_the_repository_is_reported(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not from the hub")
    (cache / REPO / "snapshots" / COMMIT / "extra.bin").symlink_to(outside)
    scanned = scan_path(cache)
    findings = hf_cache_findings(scanned.inventory, scanned.artifacts, scanned.skipped)
    assert [f.check for f in findings] == [HF_LINK_ESCAPES]
    assert findings[0].path.endswith("/extra.bin")


def test_discover_findings_are_not_repeated(tmp_path: Path) -> None:
    """A snapshot file that is a plain copy (not a link) is AIBOM-HF-001, reported by discovery."""
    cache = _cache(tmp_path)
    (cache / REPO / "snapshots" / COMMIT / "plain.txt").write_text("copied in")
    result = scan_path(cache)
    assert any(f.check.id == "AIBOM-HF-001" for f in result.findings)
    assert hf_cache_findings(result.inventory, result.artifacts, result.skipped) == []


def test_signed_snapshot_is_verified_and_a_changed_blob_fails_twice(
    tmp_path: Path, keys: KeyPair
) -> None:
    """A repository that publishes model.sig: the signature covers the snapshot; a blob changed in the
    cache is both a critical integrity finding and a signature mismatch."""
    cache = _cache(tmp_path)
    snap = cache / REPO / "snapshots" / COMMIT
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in snap.iterdir()}
    bundle = sign_statement_with_key(statement_for(digests, "tiny"), keys.private)
    hf_cache_repo(cache, "org/tiny", COMMIT, {"model.sig": bundle.encode()})
    options = VerifyOptions(key=keys.public_pem)
    scanned = scan_path(cache)
    [v] = verify_models(scanned.inventory, scanned.artifacts, options)
    assert (v.status, v.subject) == (Status.VERIFIED, f"hub/{REPO}/snapshots/{COMMIT}")
    _blob(cache, "config.json").write_bytes(b"{}")
    result = scan_path(cache)
    assert [
        f.check for f in hf_cache_findings(result.inventory, result.artifacts, result.skipped)
    ] == [HF_BLOB_MISMATCH]
    [v] = verify_models(result.inventory, result.artifacts, options)
    assert [p.path for p in v.problems] == ["config.json"]
