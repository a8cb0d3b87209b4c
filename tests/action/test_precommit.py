""".pre-commit-hooks.yaml: each hook's ``entry`` run as pre-commit runs it (in a subprocess, the
hook's environment first on PATH, ``args:`` then the staged file names appended), printing the
findings, not the BOM."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aibom.cli.exit import ExitCode
from tests.action.runner import ROOT
from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM, project

HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}


def run_hook(
    hook_id: str, files: list[str], cwd: Path, args: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    staged = [f for f in files if re.search(hook["files"], f)]
    assert staged, f"{hook_id} would not run on {files}"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("COLUMNS", None)
    return subprocess.run(
        [*shlex.split(hook["entry"]), *args, *staged],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_no_bom(done: subprocess.CompletedProcess[str]) -> None:
    assert done.stdout == "", "nothing on stdout: the BOM is not printed"
    assert "bomFormat" not in done.stderr and "CycloneDX" not in done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return project(tmp_path / "repo", lfs=False)


def test_models_hook_fails_and_prints_the_findings(repo: Path) -> None:
    done = run_hook("aibom-models", ["models/tiny/extra.safetensors", "README.md"], repo)
    assert done.returncode == ExitCode.POLICY, done.stderr
    assert_no_bom(done)
    assert re.search(r"CRITICAL +AIBOM-\S+ .*extra\.safetensors", done.stderr), done.stderr
    assert "AIBOM-FMT-001" in done.stderr


def test_models_hook_passes_on_a_clean_file(repo: Path) -> None:
    done = run_hook("aibom-models", ["models/tiny/model.safetensors"], repo)
    assert done.returncode == ExitCode.OK, done.stderr
    assert_no_bom(done)
    assert not re.search(r"^(CRITICAL|HIGH) ", done.stderr, re.M)
    assert "1 finding (1 info)" in done.stderr, "the summary line is printed"


def test_args_override_the_threshold(repo: Path) -> None:
    (repo / "models" / "tiny" / "extra.safetensors").unlink()
    pointer = repo / "models" / "tiny" / "model.bin"
    pointer.write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 1234\n"
    )
    default = run_hook("aibom-models", ["models/tiny/model.bin"], repo)
    assert default.returncode == ExitCode.OK, default.stderr
    assert "AIBOM-LFS-001" in default.stderr, "below the threshold, still shown"
    stricter = run_hook("aibom-models", ["models/tiny/model.bin"], repo, ("--fail-on", "medium"))
    assert stricter.returncode == ExitCode.POLICY
    assert_no_bom(stricter)


def test_deps_hook_lists_unpinned_requirements(repo: Path) -> None:
    done = run_hook("aibom-deps", ["requirements.txt"], repo, ("--fail-on", "info"))
    assert done.returncode == ExitCode.POLICY, done.stderr
    assert_no_bom(done)
    assert "AIBOM-PKG-001" in done.stderr and "requirements.txt" in done.stderr


def test_a_hostile_staged_name_is_shown_escaped(repo: Path) -> None:
    name = "models/tiny/evil\x1b]0;pwned\x07.pt"
    (repo / name).write_bytes(PICKLE_CALLING_OS_SYSTEM)
    done = run_hook("aibom-models", [name], repo)
    assert done.returncode == ExitCode.POLICY
    assert "\x1b" not in done.stderr and "\\x1b]0;pwned\\x07.pt" in done.stderr


def test_a_missing_file_is_a_usage_error(repo: Path) -> None:
    done = run_hook("aibom-models", ["gone.pt"], repo)
    assert done.returncode == ExitCode.ERROR
    assert_no_bom(done)
