"""Hostile and broken inputs: a finding or a skip, never an exception, never a hang."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom import checks
from aibom.packages import InputKind, PackageInput, collect
from tests.packages.pkgs_support import findings_of, run, write

FILE_NAMES = {
    InputKind.REQUIREMENTS: "requirements.txt",
    InputKind.PYPROJECT: "pyproject.toml",
    InputKind.POETRY_LOCK: "poetry.lock",
    InputKind.PIPFILE_LOCK: "Pipfile.lock",
    InputKind.UV_LOCK: "uv.lock",
    InputKind.PYLOCK: "pylock.toml",
}
GARBAGE = bytes(range(256)) * 8 + b"\x00\xff[[package]]\n=\n{{{"


@pytest.mark.parametrize("kind", list(FILE_NAMES))
def test_binary_garbage(tmp_path: Path, kind: InputKind) -> None:
    path = tmp_path / FILE_NAMES[kind]
    path.write_bytes(GARBAGE)
    result = run(path, kind)
    assert result.skipped == []
    assert findings_of(result, checks.MALFORMED_FILE.id)
    if kind is not InputKind.REQUIREMENTS:
        assert result.packages == []


@pytest.mark.parametrize("kind", [InputKind.UV_LOCK, InputKind.POETRY_LOCK, InputKind.PYLOCK])
def test_deeply_nested_toml(tmp_path: Path, kind: InputKind) -> None:
    depth = 50_000
    text = "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
    result = run(write(tmp_path / FILE_NAMES[kind], text), kind)
    assert result.packages == []
    assert "nesting" in findings_of(result, checks.MALFORMED_FILE.id)[0].message


def test_deeply_nested_json(tmp_path: Path) -> None:
    text = '{"default": ' + "[" * 100_000 + "]" * 100_000 + "}"
    result = run(write(tmp_path / "Pipfile.lock", text), InputKind.PIPFILE_LOCK)
    assert result.packages == []
    assert findings_of(result, checks.MALFORMED_FILE.id)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "uv.lock", 'version = 1\n[[package]]\nname = "a"\nversion = \n')
    result = run(path, InputKind.UV_LOCK)
    assert result.packages == []
    [finding] = result.findings
    assert finding.check is checks.MALFORMED_FILE
    assert "line 4" in finding.message


def test_huge_line_and_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(
        b"alpha==1.0\n" + b"x" * 2_000_000 + b"==1 !!!\n" + b"\xff\xfe==1\n" + b"beta==2.0\n"
    )
    result = run(path, InputKind.REQUIREMENTS)
    assert [p.name for p in result.packages] == ["alpha", "beta"]
    malformed = findings_of(result, checks.MALFORMED_FILE.id)
    assert [f.evidence for f in malformed] == ["line 2", "line 3"]
    assert all(len(f.message) < 300 for f in malformed)


def test_wrong_shapes_are_tolerated(tmp_path: Path) -> None:
    cases = {
        InputKind.POETRY_LOCK: 'package = "x"\n[metadata]\nfiles = 3\n',
        InputKind.UV_LOCK: "package = [1, 2, {name = 3}]\n",
        InputKind.PYLOCK: 'packages = [{name = "a", wheels = "no", vcs = 1}]\n',
        InputKind.PYPROJECT: 'project = {dependencies = "requests"}\n',
        InputKind.PIPFILE_LOCK: '{"default": {"a": 1, "b": {"hashes": 5, "version": 3}}}',
    }
    for kind, text in cases.items():
        result = run(write(tmp_path / kind.name / FILE_NAMES[kind], text), kind)
        assert result.skipped == [], (kind, result.skipped)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "requirements.txt"
    os.mkfifo(fifo)
    result = run(fifo, InputKind.REQUIREMENTS)
    assert [s.reason for s in result.skipped] == ["not a regular file"]


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.binary(max_size=2048), kind=st.sampled_from(list(FILE_NAMES)))
def test_random_bytes_never_raise(data: bytes, kind: InputKind) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FILE_NAMES[kind]
        path.write_bytes(data)
        result = collect([PackageInput(kind, path, path.name)])
    assert not [s for s in result.skipped if "internal error" in s.reason]
