"""``scan`` looks everywhere code can hide (issue 13, item 2).

``__pycache__/``, ``node_modules/``, VCS folders and ``--exclude`` matches stay out of the inventory, but a
file under them whose content can carry code is still analysed and listed in the BOM, every excluded path
is a skipped entry (with how many files it held and how many were analysed), and a directory that cannot
be entered is a skipped entry instead of the end of the scan. Run through the installed console script;
the payloads would write a marker file if anything loaded them.
"""

from __future__ import annotations

import errno
import json
import os
import py_compile
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aibom.scan import ScanOptions, scan
from aibom.sources.discover import discover
from tests.builders import write_model
from tests.processes import HANG_GUARD
from tests.unsafe.payloads import evil_call, shell

AIBOM = Path(sys.executable).parent / "aibom"
HIDING_PLACES = ("__pycache__", "node_modules/pkg", ".git/hooks", ".hg/store", ".svn", ".tox/py311")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AIBOM), *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def bom_of(path: Path) -> dict[str, Any]:
    bom: dict[str, Any] = json.loads(path.read_text())
    return bom


def file_names(bom: dict) -> set[str]:  # type: ignore[type-arg]
    names: set[str] = set()

    def walk(components: list[dict]) -> None:  # type: ignore[type-arg]
        for c in components:
            if c["type"] == "file":
                names.add(c["name"])
            walk(c.get("components", []))

    walk(bom.get("components", []))
    return names


def test_payloads_in_every_excluded_place_are_found(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    model = write_model(tmp_path / "model")
    payload = evil_call("os", "system", shell(marker))
    for place in HIDING_PLACES:
        folder = model / place
        folder.mkdir(parents=True)
        (folder / "cache.bin").write_bytes(payload)
    (model / "node_modules" / "pkg" / "index.js").write_text("module.exports = 1;\n")
    (model / "scratch").mkdir()
    (model / "scratch" / "notes.bin").write_bytes(payload)  # under --exclude scratch
    (model / "extra.pkl").write_bytes(payload)  # itself matched by --exclude '*.pkl'
    out = tmp_path / "bom.json"

    done = run("scan", str(model), "--exclude", "scratch", "--exclude", "*.pkl", "-o", str(out))

    assert done.returncode == 1, done.stderr
    bom = bom_of(out)
    names = file_names(bom)
    for place in HIDING_PLACES:
        assert f"{place}/cache.bin" in names
    assert "scratch/notes.bin" in names and "extra.pkl" in names
    assert (
        "node_modules/pkg/index.js" not in names
    )  # excluded and not code-bearing: not inventoried
    text = out.read_text()
    assert text.count("pickle imports posix.system") + text.count("pickle imports os.system") >= 8
    assert not marker.exists()


def test_every_excluded_folder_is_a_skipped_entry_with_counts(tmp_path: Path) -> None:
    model = write_model(tmp_path / "model")
    modules = model / "node_modules" / "pkg"
    modules.mkdir(parents=True)
    for i in range(3):
        (modules / f"f{i}.js").write_text("x = 1\n")
    (modules / "model.pkl").write_bytes(evil_call("builtins", "eval", "1+1"))
    source = model / "helper.py"
    source.write_text("VALUE = 1\n")
    compiled = Path(
        str(py_compile.compile(str(source), doraise=True))
    )  # a real .pyc in __pycache__
    source.unlink()

    result = scan(ScanOptions(targets=(model,), excludes=("helper*",)))

    reasons = {s.path: s for s in result.skipped}
    pycache = reasons["model/__pycache__"]
    assert pycache.deliberate
    assert "default exclude '__pycache__'" in pycache.reason
    assert "1 file under it, 0 analysed" in pycache.reason
    modules_skip = reasons["model/node_modules"]
    assert "4 files under it, 1 analysed" in modules_skip.reason
    analysed = {a.ref.relpath for a in result.artifacts}
    assert "node_modules/pkg/model.pkl" in analysed
    assert f"__pycache__/{compiled.name}" not in analysed  # real bytecode is not code-bearing data
    assert not any(f.path.endswith(".pyc") for f in result.findings)


def test_nothing_excluded_means_no_excluded_entries(tmp_path: Path) -> None:
    model = write_model(tmp_path / "model")
    result = scan(ScanOptions(targets=(model,)))
    assert not [s for s in result.skipped if s.deliberate]
    assert discover([model]).hidden == []


def _lock(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """What the kernel does for a non-root user with a mode-000 folder: listing it and reaching
    anything inside it fail with EACCES (the suite often runs as root, which no mode can stop)."""
    real_scandir, real_stat = os.scandir, os.stat

    def inside(path: object) -> bool:
        text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
        return text.startswith(str(locked) + os.sep)

    def scandir(path: object = ".") -> object:
        if inside(path) or str(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if inside(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)


def test_a_folder_that_cannot_be_entered_is_a_skipped_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = write_model(tmp_path / "model")
    locked = model / "private"
    locked.mkdir()
    (locked / "secret.bin").write_bytes(b"x")
    _lock(monkeypatch, locked)

    found = discover([model])

    (skip,) = [s for s in found.skipped if s.path == "model/private"]
    assert "Permission denied" in skip.reason and not skip.deliberate
    assert any(f.relpath == "model.safetensors" for f in found.files)  # the rest was walked


def test_a_target_that_cannot_be_entered_is_a_skipped_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = tmp_path / "outer"
    locked = outer / "locked"
    locked.mkdir(parents=True)
    (locked / "a.bin").write_bytes(b"x")
    _lock(monkeypatch, locked)

    found = discover([locked, write_model(tmp_path / "model")])

    assert [s.path for s in found.skipped] == ["locked"]
    assert "Permission denied" in found.skipped[0].reason
    assert any(f.relpath == "model.safetensors" for f in found.files)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder; covered by the EACCES tests")
def test_unreadable_folder_through_the_console_script(tmp_path: Path) -> None:
    model = write_model(tmp_path / "model")
    locked = model / "private"
    locked.mkdir()
    locked.chmod(0)
    try:
        done = run("scan", str(model), "-o", str(tmp_path / "bom.json"), "-v")
    finally:
        locked.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "model/private" in done.stderr and "Permission denied" in done.stderr
