"""Fetching remote files through the real huggingface_hub client against a local Hub: only the byte
ranges inspection needs, reconstructed into sparse files the local inspectors can read."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import zipfile
from pathlib import Path

import pytest

from aibom.artifacts import FileRef, FileStat, Format
from aibom.formats import CATALOG
from aibom.limits import DEFAULT_LIMITS
from aibom.sources.classify import sniff
from aibom.sources.remote import RemoteFile, RemoteSnapshot, snapshot_findings
from aibom.sources.remote.ziptail import TAIL_BYTES
from tests.builders import safetensors_bytes
from tests.remote.hubserver import FakeHub, HubRepo
from tests.remote.remote_builders import evil_pickle, fast, member_extent, resolve, torch_zip

STORAGE = random.Random(7).randbytes(2 * 1024 * 1024)
CONFIG = json.dumps({"model_type": "bert", "architectures": ["BertModel"]}).encode()


def _file(snapshot: RemoteSnapshot, relpath: str) -> RemoteFile:
    return next(f for f in snapshot.files if f.relpath == relpath)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _repo(hub: FakeHub, archive: bytes, **kwargs: object) -> HubRepo:
    files = {"config.json": CONFIG, "README.md": b"---\nlicense: mit\n---\n# m\n"}
    files["pytorch_model.bin"] = archive
    return hub.add(
        HubRepo("org/evil", files, lfs=frozenset({"pytorch_model.bin"}), **kwargs)  # type: ignore[arg-type]
    )


def test_torch_zip_malicious_pickle_is_fetched_by_range_only(hub: FakeHub, tmp_path: Path) -> None:
    # The pattern of the 2023-2024 malicious Hub uploads (JFrog, "baller423/goober2"): a torch zip
    # whose data.pkl REDUCEs os.system. Here data.pkl sits after a 2 MiB storage, outside the head and
    # tail, so it must be fetched by its own range.
    pkl = evil_pickle(padding=200_000)
    archive = torch_zip(pkl, STORAGE)
    _repo(hub, archive)
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    model = _file(snapshot, "pytorch_model.bin")
    assert model.fetched == "ranges" and model.local_path is not None
    asked = hub.ranges("pytorch_model.bin")
    storage = member_extent(archive, "archive/data/0")
    head = (0, DEFAULT_LIMITS.head_bytes)
    assert head in asked
    assert all(not _overlaps(r, storage) for r in asked if r != head), asked
    pkl_extent = member_extent(archive, "archive/data.pkl")
    assert any(r[0] < pkl_extent[0] < r[1] for r in asked), "data.pkl was not fetched by range"
    assert sum(b - a for a, b in asked) <= DEFAULT_LIMITS.head_bytes + TAIL_BYTES + len(pkl) + 1024
    with zipfile.ZipFile(model.local_path) as zf:
        assert zf.read("archive/data.pkl") == pkl
        assert zf.read("archive/version") == b"3\n"
    assert model.local_path.stat().st_size == len(archive)
    assert model.local_path.stat().st_blocks * 512 < len(archive) // 2, "local copy is not sparse"
    assert model.fetched_bytes == sum(b - a for a, b in asked)
    assert model.computed_sha256 is None and model.lfs_sha256 == hashlib.sha256(archive).hexdigest()


def test_reconstructed_zip_is_classified_as_pytorch_by_content(
    hub: FakeHub, tmp_path: Path
) -> None:
    archive = torch_zip(evil_pickle(), STORAGE, pkl_first=True)
    _repo(hub, archive)
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    model = _file(snapshot, "pytorch_model.bin")
    assert model.local_path is not None
    stat = model.local_path.stat()
    ref = FileRef(model.local_path, "x", model.relpath, FileStat(0, 0, stat.st_size, 0))
    fmt, evidence = sniff(ref, model.head, CATALOG)
    assert fmt is Format.PYTORCH_ZIP, evidence
    with zipfile.ZipFile(model.local_path) as zf:
        assert zf.read("archive/data.pkl") == evil_pickle()


def test_byte_budget_holds_and_unfetched_pickles_are_reported(hub: FakeHub, tmp_path: Path) -> None:
    archive = torch_zip(evil_pickle(padding=200_000), STORAGE)
    _repo(hub, archive)
    budget = 16 * 1024
    snapshot = resolve("hf://org/evil", fast(byte_budget=budget), tmp_path)
    assert snapshot.fetched_bytes <= budget
    served = sum(b - a for a, b in hub.ranges("pytorch_model.bin"))
    assert served <= budget
    model = _file(snapshot, "pytorch_model.bin")
    assert model.note is not None and "budget" in model.note
    assert _file(snapshot, "config.json").fetched == "full"


def test_download_none_lists_without_fetching(hub: FakeHub, tmp_path: Path) -> None:
    _repo(hub, torch_zip(evil_pickle(), STORAGE))
    snapshot = resolve("hf://org/evil", fast(download="none"), tmp_path)
    assert not [s for s in hub.seen if "/resolve/" in s.path]
    assert all(f.fetched == "none" and f.local_path is None for f in snapshot.files)
    ids = {(f.check.id, f.path.rsplit("/", 1)[-1]) for f in snapshot_findings(snapshot)}
    assert ("AIBOM-REMOTE-001", "pytorch_model.bin") in ids


def test_download_all_fetches_whole_files_and_checks_declared_digests(
    hub: FakeHub, tmp_path: Path
) -> None:
    archive = torch_zip(evil_pickle(), STORAGE)
    _repo(hub, archive)
    snapshot = resolve("hf://org/evil", fast(download="all"), tmp_path)
    for file in snapshot.files:
        assert file.fetched == "full" and file.local_path is not None
        assert file.local_path.read_bytes() == hub.repos[("model", "org/evil")].files[file.relpath]
        assert file.mismatch is None
    model = _file(snapshot, "pytorch_model.bin")
    assert model.computed_sha256 == model.lfs_sha256 == hashlib.sha256(archive).hexdigest()


def test_safetensors_header_is_fetched_by_range(hub: FakeHub, tmp_path: Path) -> None:
    weights = safetensors_bytes(rows=600, cols=600, tmp=tmp_path)
    hub.add(HubRepo("org/st", {"model.safetensors": weights}, lfs=frozenset({"model.safetensors"})))
    snapshot = resolve("hf://org/st", fast(), tmp_path / "w")
    file = _file(snapshot, "model.safetensors")
    header_end = 8 + int.from_bytes(weights[:8], "little")
    assert file.fetched == "ranges" and file.local_path is not None
    assert file.local_path.read_bytes()[:header_end] == weights[:header_end]
    assert sum(b - a for a, b in hub.ranges("model.safetensors")) == max(
        header_end, DEFAULT_LIMITS.head_bytes
    )


def test_pickle_disguised_as_safetensors_is_fetched_as_a_pickle(
    hub: FakeHub, tmp_path: Path
) -> None:
    # Content decides, not the name: a large pickle named model.safetensors is fetched whole.
    payload = evil_pickle(padding=2 * 1024 * 1024)
    hub.add(HubRepo("org/disguise", {"model.safetensors": payload}))
    snapshot = resolve("hf://org/disguise", fast(), tmp_path)
    file = _file(snapshot, "model.safetensors")
    assert file.fetched == "full" and file.local_path is not None
    assert file.local_path.read_bytes() == payload


def test_tampered_content_is_reported_as_a_mismatch(hub: FakeHub, tmp_path: Path) -> None:
    repo = _repo(hub, torch_zip(evil_pickle(), STORAGE))
    repo.served["config.json"] = CONFIG.replace(b"bert", b"gpt2")
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    config = _file(snapshot, "config.json")
    assert config.mismatch is not None and "git blob id" in config.mismatch
    ids = [f.check.id for f in snapshot_findings(snapshot)]
    assert "AIBOM-REMOTE-002" in ids


def test_server_ignoring_range_requests_is_not_trusted(hub: FakeHub, tmp_path: Path) -> None:
    archive = torch_zip(evil_pickle(), STORAGE)
    _repo(hub, archive)
    path = f"/org/evil/resolve/{'a' * 40}/pytorch_model.bin"

    def whole(h: object) -> None:
        from tests.remote.hubserver import send

        send(h, 200, archive, {"X-Repo-Commit": "a" * 40})  # type: ignore[arg-type]

    hub.custom[path] = whole
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    model = _file(snapshot, "pytorch_model.bin")
    assert model.fetched == "none"
    assert model.mismatch is not None and "ignored the byte range" in model.mismatch


def test_hostile_file_names_are_never_written(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add(HubRepo("org/paths", {"config.json": CONFIG}))
    repo.extra_siblings = [
        {"rfilename": name, "size": 3, "blobId": "b" * 40}
        for name in ("../escape.pkl", "/abs.pkl", "a//b.pkl", "a\\b.pkl", "nul\x00.pkl")
    ]
    workdir = tmp_path / "work"
    snapshot = resolve("hf://org/paths", fast(), workdir)
    assert [f.relpath for f in snapshot.files] == ["config.json"]
    assert sum("unsafe path" in n for n in snapshot.notes) == 5
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(str(p).startswith("work") for p in written)


def test_sparse_zip_bytes_outside_fetched_ranges_read_as_zeros(
    hub: FakeHub, tmp_path: Path
) -> None:
    archive = torch_zip(evil_pickle(), STORAGE)
    _repo(hub, archive)
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    model = _file(snapshot, "pytorch_model.bin")
    assert model.local_path is not None
    local = model.local_path.read_bytes()
    for start, end in model.ranges:
        assert local[start:end] == archive[start:end]
    start, end = member_extent(archive, "archive/data/0")
    hole = (start + DEFAULT_LIMITS.head_bytes, min(end, len(archive) - TAIL_BYTES))
    assert hole[1] - hole[0] > 1024 * 1024
    assert local[hole[0] : hole[1]] == bytes(hole[1] - hole[0])
    with zipfile.ZipFile(io.BytesIO(local)) as zf, pytest.raises(zipfile.BadZipFile):
        zf.read("archive/data/0")
    assert os.path.getsize(model.local_path) == len(archive)


def test_size_that_disagrees_with_the_listing_is_a_mismatch(hub: FakeHub, tmp_path: Path) -> None:
    archive = torch_zip(evil_pickle(), STORAGE)
    _repo(hub, archive, declared_size={"pytorch_model.bin": len(archive) + 10})
    snapshot = resolve("hf://org/evil", fast(), tmp_path)
    model = _file(snapshot, "pytorch_model.bin")
    assert model.mismatch is not None and "Content-Range" in model.mismatch
    assert "AIBOM-REMOTE-002" in {f.check.id for f in snapshot_findings(snapshot)}
