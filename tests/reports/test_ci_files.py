"""action.yml, the workflows and .pre-commit-hooks.yaml: schema-valid, hardened, consistent with the code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aibom.cli import action

ROOT = Path(__file__).parents[2]
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in this environment (dev extra)")
    return path


def test_action_and_workflows_match_github_schemas() -> None:
    checker = tool("check-jsonschema")
    for schema, files in (
        ("vendor.github-actions", [ACTION]),
        ("vendor.github-workflows", WORKFLOWS),
        (
            "custom.github-workflows-require-timeout",
            [ROOT / ".github" / "workflows" / "selftest.yml"],
        ),
    ):
        done = subprocess.run(
            [str(checker), "--builtin-schema", schema, *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


OWN_WORKFLOWS = WORKFLOWS
"""Every workflow, ci.yml included, is audited."""


def test_zizmor_finds_nothing_of_medium_or_higher_severity() -> None:
    zizmor = tool("zizmor")
    done = subprocess.run(
        [
            str(zizmor),
            "--offline",
            "--no-progress",
            "--format",
            "json",
            "--min-severity",
            "medium",
            str(ACTION),
            *map(str, OWN_WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert json.loads(done.stdout) == [], done.stderr


def steps() -> list[dict[str, Any]]:
    return list(load(ACTION)["runs"]["steps"])


def test_inputs_reach_scripts_only_through_env() -> None:
    for step in steps():
        assert "${{" not in step.get("run", ""), step.get("name")
    env = next(s for s in steps() if s.get("id") == "aibom")["env"]
    declared = set(load(ACTION)["inputs"])
    passed = {
        k.removeprefix("INPUT_").lower().replace("_", "-") for k in env if k.startswith("INPUT_")
    }
    script_reads = {
        "paths",
        "fail-on",
        "sarif",
        "sarif-category",
        "html",
        "markdown",
        "score-profile",
        "base-ref",
        "base-bom",
        "comment",
        "scan-args",
        "github-token",
        "comment-author",
    }
    assert passed == script_reads
    assert passed <= declared
    for name, value in env.items():
        if name.startswith("INPUT_"):
            assert (
                value
                == "${{ inputs." + name.removeprefix("INPUT_").lower().replace("_", "-") + " }}"
            )


def test_every_action_reference_is_pinned_by_commit() -> None:
    uses = [s["uses"] for s in steps() if "uses" in s]
    for workflow in OWN_WORKFLOWS:
        uses += [
            s["uses"]
            for job in load(workflow)["jobs"].values()
            for s in job["steps"]
            if "uses" in s and s["uses"] != "./"
        ]
    assert uses
    assert all(SHA_PIN.match(u) for u in uses), uses
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)


def test_installs_the_actions_own_checkout_from_the_hash_lock() -> None:
    """Never an unpinned name from an index (tests/action/test_install.py runs the step)."""
    install = next(s for s in steps() if s.get("id") == "install")
    assert "aibom==" not in install["run"] and "AIBOM_VERSION" not in install["env"]
    assert "--require-hashes" in install["run"]
    assert '"$AIBOM_ACTION_PATH/.github/action/requirements.txt"' in install["run"]
    assert '--no-index "$AIBOM_ACTION_PATH"' in install["run"]


def test_outputs_are_the_scripts_outputs(tmp_path: Path) -> None:
    from aibom.render import build_report
    from tests.reports.builders import document

    declared = {name: spec["value"] for name, spec in load(ACTION)["outputs"].items()}
    assert all(v == "${{ steps.aibom.outputs." + k + " }}" for k, v in declared.items())
    written = action._outputs(
        build_report(document()), {"markdown": tmp_path / "x.md"}, tmp_path / "b.json", 0
    )
    assert set(declared) <= set(written)


def test_selftest_runs_the_local_action_on_an_unsafe_file() -> None:
    jobs = load(ROOT / ".github" / "workflows" / "selftest.yml")["jobs"]
    unsafe = jobs["unsafe-example"]["steps"]
    run_step = next(s for s in unsafe if s.get("uses") == "./")
    assert run_step["continue-on-error"] is True
    check = unsafe[-1]["run"]
    assert 'test "$OUTCOME" = failure' in check and "AIBOM-FMT-001" in check


def test_selftest_unsafe_file_really_fails_the_scan(tmp_path: Path) -> None:
    """The bytes the workflow writes (printf escapes) are what the scan flags."""
    make = next(
        s
        for s in load(ROOT / ".github" / "workflows" / "selftest.yml")["jobs"]["unsafe-example"][
            "steps"
        ]
        if "printf" in s.get("run", "")
    )
    subprocess.run(["bash", "-c", make["run"]], cwd=tmp_path, check=True)
    done = subprocess.run(
        [sys.executable, "-m", "aibom", "scan", "selftest-unsafe", "--fail-on", "medium", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert '"id": "AIBOM-FMT-001"' in done.stdout


def test_pre_commit_manifest_is_valid_and_offline(tmp_path: Path) -> None:
    clientlib = pytest.importorskip(
        "pre_commit.clientlib", reason="pre-commit is not installed (dev extra)"
    )
    hooks = clientlib.load_manifest(str(HOOKS))
    assert {h["id"] for h in hooks} == {"aibom-models", "aibom-deps"}
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["entry"].startswith("python -m aibom.cli.precommit ")


@pytest.mark.parametrize(
    ("hook", "matches", "ignores"),
    [
        (
            "aibom-models",
            ["m/model.safetensors", "w.pt", "a/b/x.gguf", "model.onnx", "clf.joblib"],
            ["README.md", "x.py", "safetensors.txt"],
        ),
        (
            "aibom-deps",
            [
                "requirements.txt",
                "sub/requirements-dev.txt",
                "uv.lock",
                "poetry.lock",
                "pyproject.toml",
                "pylock.toml",
                "pylock.dev.toml",
            ],
            ["docs/requirements.md", "setup.py", "myuv.lock"],
        ),
    ],
)
def test_hook_file_patterns(hook: str, matches: list[str], ignores: list[str]) -> None:
    pattern = re.compile(next(h for h in load(HOOKS) if h["id"] == hook)["files"])
    assert all(pattern.search(p) for p in matches)
    assert not any(pattern.search(p) for p in ignores)


def test_model_hook_fails_on_the_staged_unsafe_file(tmp_path: Path) -> None:
    """What pre-commit runs: the hook's entry with the matching file names appended."""
    from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM

    hook = next(h for h in load(HOOKS) if h["id"] == "aibom-models")
    (tmp_path / "model.safetensors").write_bytes(PICKLE_CALLING_OS_SYSTEM)
    argv = hook["entry"].split()[1:]
    done = subprocess.run(
        [sys.executable, *argv, "--fail-on", "medium", "model.safetensors"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "AIBOM-FMT-001" in done.stderr
