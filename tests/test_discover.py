from __future__ import annotations

import os
from pathlib import Path

import pytest
from huggingface_hub import scan_cache_dir

from aibom.checks import HF_CACHE_LAYOUT, LIMIT_REACHED
from aibom.limits import Limits
from aibom.sources.discover import discover
from tests.builders import git_blob_sha1, hf_cache_repo, write_model

COMMIT_A = "a" * 40
COMMIT_B = "0123456789abcdef0123456789abcdef01234567"


def displays(root: Path, **kw: object) -> list[str]:
    return [f.display for f in discover([root], **kw).files]  # type: ignore[arg-type]


def test_walks_files_before_subfolders_in_name_order(tmp_path: Path) -> None:
    write_model(tmp_path / "m")
    (tmp_path / "m" / "sub").mkdir()
    (tmp_path / "m" / "sub" / "x.txt").write_text("x")
    found = discover([tmp_path / "m"])
    assert [f.display for f in found.files] == [
        "m/README.md",
        "m/config.json",
        "m/model.safetensors",
        "m/tokenizer_config.json",
        "m/sub/x.txt",
    ]
    assert found.files[4].relpath == "sub/x.txt"
    assert found.targets == [(tmp_path / "m", "m")]


def test_default_and_user_excludes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    (tmp_path / "keep.txt").write_text("k")
    (tmp_path / "drop.log").write_text("d")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "a.bin").write_bytes(b"a")
    shown = displays(tmp_path, excludes=["*.log", "cache"])
    assert shown == [f"{tmp_path.name}/keep.txt"]


def test_fifo_is_skipped_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.txt").write_text("a")
    found = discover([tmp_path])
    assert [f.relpath for f in found.files] == ["a.txt"]
    assert any("FIFO" in s.reason and s.path.endswith("pipe") for s in found.skipped)


def test_fifo_as_target_is_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    found = discover([tmp_path / "pipe"])
    assert found.files == []
    assert "FIFO" in found.skipped[0].reason


def test_symlink_escaping_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    (root / "inner.txt").write_text("i")
    (root / "inner-link").symlink_to(root / "inner.txt")
    found = discover([root])
    assert sorted(f.relpath for f in found.files) == ["inner-link", "inner.txt"]
    assert any("leaves the scan root" in s.reason for s in found.skipped)


def test_symlink_loop_and_dangling_link(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "d").mkdir(parents=True)
    (root / "d" / "up").symlink_to(root)
    (root / "self").symlink_to(root / "self")
    (root / "gone").symlink_to(root / "missing")
    (root / "d" / "f.txt").write_text("f")
    found = discover([root])
    assert [f.relpath for f in found.files] == ["d/f.txt"]
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in found.skipped}
    assert reasons["up"] == "directory already visited (link loop)"
    assert reasons["self"] == "link loop"
    assert reasons["gone"] == "dangling symbolic link"


def test_undecodable_file_name_gets_safe_display(tmp_path: Path) -> None:
    name = b"bad-\xff\xfe.bin"
    fd = os.open(os.path.join(os.fsencode(tmp_path), name), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"data")
    os.close(fd)
    found = discover([tmp_path])
    assert len(found.files) == 1
    assert "\ufffd" in found.files[0].display
    found.files[0].display.encode("utf-8")  # serialisable
    assert found.files[0].path.read_bytes() == b"data"


def test_unlistable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "ok.txt").write_text("ok")
    real = os.scandir

    def guarded(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", guarded)
    found = discover([tmp_path])
    assert [f.relpath for f in found.files] == ["ok.txt"]
    assert found.skipped[0].reason == "cannot list directory: Permission denied"


def test_file_limit_is_a_finding(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(str(i))
    found = discover([tmp_path], limits=Limits(max_files=3))
    assert len(found.files) == 3
    assert [f.check for f in found.findings] == [LIMIT_REACHED]


def test_virtualenv_is_an_environment_not_files(tmp_path: Path) -> None:
    venv = tmp_path / "proj" / ".venv"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "x.py").write_text("x = 1\n")
    found = discover([tmp_path / "proj"])
    assert found.files == []
    assert found.environments == [(venv, "proj/.venv")]


def test_hf_cache_matches_huggingface_hub_scanner(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    hf_cache_repo(
        cache,
        "org/model",
        COMMIT_A,
        {"config.json": b"{}", "model.safetensors": b"weights", "sub/tok.json": b"[]"},
        refs={"main": COMMIT_A, "refs/pr/1": COMMIT_A},
    )
    hf_cache_repo(cache, "org/data", COMMIT_B, {"train.csv": b"a,b\n"}, repo_type="dataset")
    found = discover([cache])
    ours = {(s.repo_id, s.repo_type, s.commit, s.refs) for s in found.snapshots}
    oracle = scan_cache_dir(cache)
    theirs = {
        (r.repo_id, r.repo_type, rev.commit_hash, tuple(sorted(rev.refs)))
        for r in oracle.repos
        for rev in r.revisions
    }
    assert ours == theirs
    ours_files = {(f.hf.repo_id if f.hf else "", f.relpath) for f in found.files}
    theirs_files = {
        (r.repo_id, str(f.file_path.relative_to(rev.snapshot_path)))
        for r in oracle.repos
        for rev in r.revisions
        for f in rev.files
    }
    assert ours_files == theirs_files
    blob = {f.relpath: f.hf.blob_name for f in found.files if f.hf}
    assert blob["config.json"] == git_blob_sha1(b"{}")
    assert found.findings == []


def test_hf_cache_inconsistencies_are_findings(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    repo = hf_cache_repo(
        cache, "org/m", COMMIT_A, {"config.json": b"{}"}, refs={"main": "not-a-commit"}
    )
    (repo / "snapshots" / COMMIT_A / "copied.json").write_text("{}")  # a plain file, not a link
    os.mkfifo(repo / "refs" / "pipe")
    found = discover([cache])
    messages = sorted(f.message for f in found.findings if f.check is HF_CACHE_LAYOUT)
    assert messages == [
        "ref does not name a 40-hex commit",
        "snapshot file is not a link into the blobs folder",
    ]
    assert any(s.path.endswith("refs/pipe") for s in found.skipped)


def test_single_snapshot_target_keeps_repo_identity(tmp_path: Path) -> None:
    repo = hf_cache_repo(tmp_path / "hub", "org/m", COMMIT_B, {"model.safetensors": b"w"})
    found = discover([repo / "snapshots" / COMMIT_B])
    (ref,) = found.files
    assert ref.hf is not None
    assert (ref.hf.repo_id, ref.hf.commit, ref.relpath) == ("org/m", COMMIT_B, "model.safetensors")
    assert found.snapshots[0].refs == ("main",)
    assert found.skipped == []
