"""action.yml end to end: its own steps, run by tests/action/runner.py in a simulated GitHub job.

Each input of the action, and the combinations a workflow would set, runs here through the real
step scripts and the real ``aibom`` (no part of aibom is replaced). The PR-comment API is the local
server in github_api.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from aibom.cli.exit import FAIL_ON_CHOICES
from aibom.escape import visible
from aibom.render.markdown import MARKER
from tests.action.conftest import RunAction, git
from tests.action.runner import ActionRun, load_action
from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM, project

SEVERITIES = ("info", "low", "medium", "high", "critical")
UNSAFE = "models/tiny/extra.safetensors"


def severities(run: ActionRun) -> list[str]:
    doc = json.loads(Path(run.outputs["bom"]).read_text("utf-8"))
    return [v["ratings"][0]["severity"] for v in doc.get("vulnerabilities", [])]


def step_using(run: ActionRun, prefix: str) -> Any:
    matches = [
        s
        for s, spec in zip(run.steps, load_action()["runs"]["steps"], strict=True)
        if str(spec.get("uses", "")).startswith(prefix)
    ]
    (step,) = matches
    return step


def test_defaults_on_an_unsafe_repository(workspace: Path, run_action: RunAction) -> None:
    run = run_action(workspace)
    assert run.failed and run.step("aibom").outcome == "failure"
    found = severities(run)
    assert run.outputs["findings"] == str(len(found))
    for level in ("critical", "high", "medium", "low"):
        assert run.outputs[level] == str(found.count(level))
    assert run.outputs["failing"] == str(found.count("high") + found.count("critical")) != "0"
    assert run.outputs["new-findings"] == "" and run.outputs["score"] == run.outputs["grade"] == ""
    setup = step_using(run, "actions/setup-python@")
    assert setup.with_ == {"python-version": "3.12", "update-environment": "false"}
    sarif = step_using(run, "github/codeql-action/upload-sarif@")
    assert sarif.ran, "the SARIF upload runs after a policy failure (always())"
    assert sarif.with_ == {"sarif_file": run.outputs["sarif"], "category": "aibom"}
    log = json.loads(Path(run.outputs["sarif"]).read_text("utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert UNSAFE in uris
    artifact = step_using(run, "actions/upload-artifact@")
    assert artifact.ran and artifact.with_["name"] == "aibom-report"
    paths = artifact.with_["path"].split()
    assert paths == [run.outputs["html"], run.outputs["bom"]]
    assert all(Path(p).is_file() for p in paths)
    assert Path(run.outputs["html"]).read_text("utf-8").startswith("<!DOCTYPE html>")
    assert run.summary.startswith(MARKER) and "AIBOM-FMT-001" in run.summary
    errors = run.annotations("error")
    assert {e.properties.get("file") for e in errors} >= {UNSAFE}
    assert errors[-1].message.startswith(f"aibom: {run.outputs['failing']} finding")
    assert not Path(run.outputs["bom"]).is_relative_to(workspace), "reports go to RUNNER_TEMP"


@pytest.mark.parametrize("fail_on", FAIL_ON_CHOICES)
def test_fail_on_each_threshold(workspace: Path, run_action: RunAction, fail_on: str) -> None:
    run = run_action(workspace, inputs={"fail-on": fail_on})
    found = severities(run)
    at_or_above = (
        []
        if fail_on == "none"
        else [s for s in found if SEVERITIES.index(s) >= SEVERITIES.index(fail_on)]
    )
    assert run.outputs["failing"] == str(len(at_or_above))
    assert run.failed == bool(at_or_above)
    assert len([e for e in run.annotations("error") if "file" in e.properties]) == min(
        len(at_or_above), 10
    )


def test_passes_below_the_threshold(clean_workspace: Path, run_action: RunAction) -> None:
    run = run_action(clean_workspace, inputs={"fail-on": "high"})
    assert not run.failed and run.outputs["failing"] == "0"
    assert "medium" in severities(run)
    assert run.annotations("error") == []


def test_reports_switched_off(workspace: Path, run_action: RunAction) -> None:
    run = run_action(
        workspace,
        inputs={"sarif": "false", "html": "false", "markdown": "false", "fail-on": "none"},
    )
    assert not run.failed
    assert run.outputs["sarif"] == run.outputs["html"] == ""
    assert run.summary == ""
    assert not step_using(run, "github/codeql-action/upload-sarif@").ran
    assert not step_using(run, "actions/upload-artifact@").ran
    assert Path(run.outputs["markdown"]).read_text("utf-8").startswith(MARKER)
    assert not (Path(run.outputs["bom"]).parent / "aibom.sarif").exists()


def test_sarif_written_but_not_uploaded_with_its_category_and_artifact_name(
    workspace: Path, run_action: RunAction
) -> None:
    inputs = {
        "upload-sarif": "false",
        "sarif-category": "models",
        "artifact-name": "model-bom",
        "fail-on": "none",
    }
    run = run_action(workspace, inputs=inputs)
    log = json.loads(Path(run.outputs["sarif"]).read_text("utf-8"))
    assert log["runs"][0]["automationDetails"]["id"] == "models/"
    assert not step_using(run, "github/codeql-action/upload-sarif@").ran
    assert step_using(run, "actions/upload-artifact@").with_["name"] == "model-bom"
    uploaded = run_action(workspace, inputs={"sarif-category": "models", "fail-on": "none"})
    assert step_using(uploaded, "github/codeql-action/upload-sarif@").with_["category"] == "models"


@pytest.mark.parametrize("profile", ["procurement", "engineering"])
def test_score_profile(workspace: Path, run_action: RunAction, profile: str) -> None:
    """Was a crash: the script asked for the score table and parsed it as JSON."""
    run = run_action(workspace, inputs={"score-profile": profile, "fail-on": "none"})
    assert not run.failed, run.log
    assert re.fullmatch(r"\d{1,3}\.\d", run.outputs["score"])
    assert run.outputs["grade"] in ("A", "B", "C", "D", "F")
    scores = json.loads((Path(run.outputs["bom"]).parent / "scores.json").read_text("utf-8"))
    assert scores["profile"] == profile
    assert f"{float(run.outputs['score']):.0f}" in Path(run.outputs["html"]).read_text("utf-8")
    if profile == "procurement":  # SAFE-001 blocks on high findings: a warning, fail-on decides
        (warning,) = [w for w in run.annotations("warning") if "block" in w.message]
        assert "procurement" in warning.message


def test_score_profile_on_a_clean_repository_passes(
    clean_workspace: Path, run_action: RunAction
) -> None:
    run = run_action(clean_workspace, inputs={"score-profile": "engineering"})
    assert not run.failed and run.outputs["score"] != ""


def test_base_ref_auto_on_a_pull_request(
    git_workspace: tuple[Path, str], run_action: RunAction
) -> None:
    repo, base = git_workspace
    event = {"pull_request": {"number": 7, "base": {"sha": base}}}
    run = run_action(repo, event=event, inputs={"base-ref": "auto", "fail-on": "medium"})
    doc = json.loads(Path(run.outputs["bom"]).read_text("utf-8"))
    new = [
        v for v in doc["vulnerabilities"] if v["affects"][0]["ref"].endswith("extra.safetensors")
    ]
    failing = [v for v in new if v["ratings"][0]["severity"] in ("critical", "high", "medium")]
    assert failing and run.outputs["new-findings"] == str(len(new))
    assert run.outputs["failing"] == str(len(failing))
    assert run.failed
    assert f"#### New findings ({len(new)})" in run.summary
    assert git(repo, "worktree", "list").count("\n") == 0, "the base worktree is removed"
    same = run_action(repo, inputs={"base-ref": "HEAD", "fail-on": "medium"})
    assert not same.failed and same.outputs["new-findings"] == "0"


@pytest.mark.parametrize(
    ("ref", "warning"),
    [
        ("no-such-ref", "cannot check out base 'no-such-ref'"),
        ("--orphan=x", "base-ref '--orphan=x' is not a git ref; no diff"),
    ],
)
def test_unusable_base_ref_is_a_warning(
    git_workspace: tuple[Path, str], run_action: RunAction, ref: str, warning: str
) -> None:
    repo, _ = git_workspace
    run = run_action(repo, inputs={"base-ref": ref, "fail-on": "none"})
    assert not run.failed and run.outputs["new-findings"] == ""
    assert any(warning in w.message for w in run.annotations("warning"))
    assert git(repo, "worktree", "list").count("\n") == 0
    assert git(repo, "branch", "--list", "x") == "", "no branch made by an option"


def test_base_bom_with_scan_args(workspace: Path, run_action: RunAction) -> None:
    first = run_action(workspace, inputs={"fail-on": "none"})
    shutil.copy(first.outputs["bom"], workspace / "base.cdx.json")
    inputs = {
        "base-bom": "base.cdx.json",
        "scan-args": "--exclude base.cdx.json",
        "fail-on": "info",
    }
    second = run_action(workspace, inputs=inputs)
    assert not second.failed and second.outputs["new-findings"] == "0"
    assert second.outputs["findings"] == first.outputs["findings"]


def test_scan_args_reach_the_scan(workspace: Path, run_action: RunAction) -> None:
    run = run_action(workspace, inputs={"scan-args": "--exclude models/pointer", "fail-on": "none"})
    doc = json.loads(Path(run.outputs["bom"]).read_text("utf-8"))
    assert "AIBOM-LFS-001" not in json.dumps(doc.get("vulnerabilities", []))
    assert "AIBOM-LFS-001" in json.dumps(
        json.loads(
            Path(run_action(workspace, inputs={"fail-on": "none"}).outputs["bom"]).read_text()
        )["vulnerabilities"]
    )


def test_paths_and_python_version(workspace: Path, run_action: RunAction) -> None:
    run = run_action(workspace, inputs={"paths": "requirements.txt", "python-version": "3.11"})
    assert step_using(run, "actions/setup-python@").with_["python-version"] == "3.11"
    assert not run.failed and run.outputs["failing"] == "0"
    doc = json.loads(Path(run.outputs["bom"]).read_text("utf-8"))
    assert "models/" not in json.dumps(doc), "only the paths given are scanned"
    assert {c["name"] for c in doc["components"]} >= {"torch", "numpy", "transformers"}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail-on": "severe"}, "input fail-on must be one of"),
        ({"sarif": "yes"}, "input sarif must be true or false"),
        ({"html": "1"}, "input html must be true or false"),
        ({"markdown": "on"}, "input markdown must be true or false"),
        ({"comment": "sometimes"}, "input comment must be one of"),
        ({"score-profile": "strict"}, "input score-profile must be one of"),
        ({"base-bom": "missing.json"}, "base-bom 'missing.json' is not a file"),
        ({"base-bom": "requirements.txt"}, "requirements.txt is neither JSON nor XML"),
        ({"paths": "does-not-exist"}, "aibom scan failed with exit code 2"),
    ],
)
def test_bad_inputs_fail_the_step_with_one_error(
    workspace: Path, run_action: RunAction, inputs: dict[str, str], message: str
) -> None:
    run = run_action(workspace, inputs=inputs)
    assert run.failed and run.step("aibom").outcome == "failure"
    (error,) = run.annotations("error")
    assert message in error.message and not error.message.startswith("error:")
    assert run.outputs["bom"] == ""


def test_hostile_file_names_cannot_issue_workflow_commands(
    tmp_path: Path, run_action: RunAction
) -> None:
    """File names are attacker-chosen: they reach stderr (scan) and the annotations (the script)."""
    repo = project(tmp_path / "ws" / "hostile", lfs=False)
    folder = repo / "models" / "tiny"
    names = [
        "a,title=fake:x%25y\n::warning::pwned by name.safetensors",
        "b\r::add-mask::secret\x1b]0;title\x07\u202e.safetensors",
    ]
    for name in names:
        (folder / name).write_bytes(PICKLE_CALLING_OS_SYSTEM)
    run = run_action(repo, inputs={"fail-on": "high"})
    assert run.failed
    assert {c.name for c in run.commands} <= {"error", "warning"}
    assert not any("pwned" in c.message for c in run.annotations("warning"))
    files = {e.properties.get("file") for e in run.annotations("error")}
    assert {f"models/tiny/{visible(n)}" for n in names} <= files, files
    for error in run.annotations("error"):
        assert set(error.properties) <= {"file", "title"}
        assert "\x1b" not in error.message and "\u202e" not in error.message
    assert "pwned by name" in run.log, "the name did reach the log (under stop-commands)"


def test_every_input_is_declared_mapped_and_tested() -> None:
    """Every input reaches the script through env (never interpolated) and is exercised above or in
    test_comment.py; adding an input without a test fails here."""
    action = load_action()
    tested = {
        "paths", "fail-on", "sarif", "upload-sarif", "sarif-category", "html", "artifact-name",
        "markdown", "score-profile", "base-ref", "base-bom", "comment", "scan-args",
        "python-version", "github-token", "comment-author",
    }  # fmt: skip
    assert set(action["inputs"]) == tested
    steps = {s.get("id"): s for s in action["runs"]["steps"]}
    env = steps["aibom"]["env"]
    script_inputs = tested - {"upload-sarif", "artifact-name", "python-version"}
    for name in script_inputs:
        key = f"INPUT_{name.upper().replace('-', '_')}"
        assert env[key] == f"${{{{ inputs.{name} }}}}"
    for step in action["runs"]["steps"]:
        assert "${{" not in str(step.get("run", ""))
