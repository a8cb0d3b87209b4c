from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.action.github_api import FakeGitHub, Server
from tests.action.runner import ActionRun, Job
from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM, project

INSTALLED = {"install": {"python": sys.executable}}
"""The install step's output when it is not run: this test environment's interpreter, where aibom is
installed from this same checkout. The install step itself runs in test_install.py."""

RunAction = Callable[..., ActionRun]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An unsafe model file (critical), an LFS pointer (medium) and requirements."""
    return project(tmp_path / "ws" / "models-repo")


@pytest.fixture
def clean_workspace(tmp_path: Path) -> Path:
    """Only the LFS pointer: the worst finding is medium."""
    return project(tmp_path / "ws" / "clean-repo", unsafe=False)


@pytest.fixture
def run_action(tmp_path: Path) -> RunAction:
    """Runs action.yml's steps in a fresh simulated job each call."""
    count = 0

    def run(workspace: Path, /, **kwargs: Any) -> ActionRun:
        nonlocal count
        count += 1
        job_dir = tmp_path / f"job{count}"
        job_dir.mkdir()
        kwargs.setdefault("simulated", INSTALLED)
        return Job(job_dir, workspace, **kwargs).run()

    return run


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with Server(FakeGitHub(token="ghs_job_token")) as api:
        yield api


def git(cwd: Path, *args: str) -> str:
    config = [
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "commit.gpgsign=false",
    ]
    done = subprocess.run(
        ["git", *config, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def git_workspace(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose first commit is clean; HEAD adds the unsafe file."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = project(tmp_path / "ws" / "models-repo", unsafe=False)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "clean")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "models" / "tiny" / "extra.safetensors").write_bytes(PICKLE_CALLING_OS_SYSTEM)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "unsafe")
    return repo, base
