"""The Action's script in a simulated GitHub runner: workspace, step summary, outputs, event payload,
a git base ref, and a local stand-in for the GitHub REST API (no network)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from aibom.cli import action
from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode
from aibom.errors import AibomError
from aibom.render.markdown import MARKER
from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM, project, scorecard


def parse_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's ``name<<DELIMITER`` blocks, as the runner reads them."""
    lines = path.read_text().split("\n")
    out: dict[str, str] = {}
    i = 0
    while i < len(lines) - 1:
        name, delimiter = lines[i].split("<<", 1)
        end = lines.index(delimiter, i + 1)
        out[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return out


def runner_env(
    tmp_path: Path, workspace: Path, event: dict[str, Any] | None = None, /, **inputs: str
) -> dict[str, str]:
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event or {}))
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_EVENT_NAME": "pull_request" if event else "push",
        "GITHUB_REPOSITORY": "acme/models",
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return project(tmp_path / "ws" / "models-repo")


def test_scan_reports_outputs_and_policy_failure(
    tmp_path: Path, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = runner_env(tmp_path, workspace, fail_on="medium")
    assert action.main(env) == 1
    outputs = parse_outputs(tmp_path / "output.txt")
    vulns = json.loads(Path(outputs["bom"]).read_text())["vulnerabilities"]
    severities = [v["ratings"][0]["severity"] for v in vulns]
    assert outputs["findings"] == str(len(vulns))
    assert outputs["medium"] == str(severities.count("medium"))
    assert outputs["failing"] == str(sum(s in ("medium", "high", "critical") for s in severities))
    assert outputs["new-findings"] == "" and outputs["score"] == ""
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "models/tiny/extra.safetensors" in uris
    assert sarif["runs"][0]["automationDetails"]["id"] == "aibom/"
    assert Path(outputs["html"]).read_text().startswith("<!DOCTYPE html>")
    assert json.loads(Path(outputs["bom"]).read_text())["bomFormat"] == "CycloneDX"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith(MARKER) and "AIBOM-FMT-001" in summary
    stdout = capsys.readouterr().out
    assert "::error file=models/tiny/extra.safetensors::AIBOM-" in stdout
    assert "::error file=models/pointer/model.safetensors::AIBOM-LFS-001" in stdout
    assert not Path(outputs["bom"]).is_relative_to(workspace)


def test_passes_below_the_threshold_and_honours_switches(tmp_path: Path) -> None:
    """Without the unsafe file the worst finding is a medium LFS pointer: ``fail-on: high`` passes."""
    workspace = project(tmp_path / "ws" / "clean", unsafe=False)
    env = runner_env(
        tmp_path, workspace, fail_on="high", sarif="false", html="false", markdown="false"
    )
    assert action.main(env) == 0
    outputs = parse_outputs(tmp_path / "output.txt")
    assert outputs["sarif"] == "" and outputs["html"] == "" and outputs["failing"] == "0"
    assert not (tmp_path / "summary.md").exists()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
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


def test_base_ref_fails_only_on_new_findings(
    tmp_path: Path, git_workspace: tuple[Path, str]
) -> None:
    repo, base = git_workspace
    event = {"pull_request": {"number": 7, "base": {"sha": base}}}
    env = runner_env(tmp_path, repo, event, fail_on="medium", base_ref="auto")
    assert action.main(env) == 1
    outputs = parse_outputs(tmp_path / "output.txt")
    new = [
        v
        for v in json.loads(Path(outputs["bom"]).read_text())["vulnerabilities"]
        if v["affects"][0]["ref"].endswith("extra.safetensors")
    ]
    failing = [v for v in new if v["ratings"][0]["severity"] in ("critical", "high", "medium")]
    assert failing and outputs["new-findings"] == str(len(new))
    assert outputs["failing"] == str(len(failing))
    summary = (tmp_path / "summary.md").read_text()
    assert f"#### New findings ({len(new)})" in summary and "extra.safetensors" in summary
    assert git(repo, "worktree", "list").count("\n") == 0, "the base worktree is removed"
    (tmp_path / "again").mkdir()
    same = runner_env(tmp_path / "again", repo, fail_on="medium", base_ref="HEAD")
    assert action.main(same) == 0


def test_missing_base_ref_warns_and_falls_back(
    tmp_path: Path, git_workspace: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = git_workspace
    env = runner_env(tmp_path, repo, fail_on="none", base_ref="no-such-ref")
    assert action.main(env) == 0
    assert "::warning::cannot check out base 'no-such-ref'" in capsys.readouterr().out
    assert parse_outputs(tmp_path / "output.txt")["new-findings"] == ""


def test_base_bom_file(tmp_path: Path, workspace: Path) -> None:
    first = runner_env(tmp_path, workspace, fail_on="none")
    assert action.main(first) == 0
    bom = parse_outputs(tmp_path / "output.txt")["bom"]
    shutil.copy(bom, workspace / "base.cdx.json")
    (tmp_path / "b").mkdir()
    second = runner_env(
        tmp_path / "b",
        workspace,
        fail_on="info",
        base_bom="base.cdx.json",
        scan_args="--exclude base.cdx.json",
    )
    assert action.main(second) == 0
    assert parse_outputs(tmp_path / "b" / "output.txt")["new-findings"] == "0"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail_on": "severe"}, "input fail-on must be one of"),
        ({"sarif": "yes"}, "input sarif must be true or false"),
        ({"comment": "sometimes"}, "input comment must be one of"),
        ({"base_bom": "missing.json"}, "base-bom 'missing.json' is not a file"),
        ({"paths": "does-not-exist"}, "aibom scan failed with exit code 2"),
        ({"base_bom": "requirements.txt"}, "requirements.txt is neither JSON nor XML"),
    ],
)
def test_bad_inputs_exit_2_with_an_error_annotation(
    tmp_path: Path,
    workspace: Path,
    inputs: dict[str, str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert action.main(runner_env(tmp_path, workspace, **inputs)) == 2
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("::error::")]
    assert message in line
    assert not line.startswith("::error::error:")


def test_action_error_is_an_aibom_error_reported_with_exit_2(
    tmp_path: Path, workspace: Path
) -> None:
    """The script as ``action.yml`` runs it: a bad input is one error annotation and exit 2."""
    env = {**os.environ, **runner_env(tmp_path, workspace, fail_on="severe")}
    done = subprocess.run(
        [sys.executable, "-m", "aibom.cli.action"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == ExitCode.ERROR
    choices = ", ".join(FAIL_ON_CHOICES)
    assert done.stdout == f"::error::input fail-on must be one of {choices}, not 'severe'\n"
    error = action.ActionError("input sarif must be true or false")
    assert isinstance(error, AibomError)
    assert error.diagnostics() == "error: input sarif must be true or false"


def test_annotation_escaping() -> None:
    assert action.data_prop("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_scores_become_outputs(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scoring subprocess is replaced here: its command belongs to the scoring engine."""
    real = action.aibom

    def fake(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        if args[0] != "score":
            return real(*args, cwd=cwd)
        Path(args[args.index("-o") + 1]).write_text(
            json.dumps(scorecard("model:models-repo/models/tiny"))
        )
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(action, "aibom", fake)
    assert (
        action.main(runner_env(tmp_path, workspace, fail_on="none", score_profile="procurement"))
        == 0
    )
    outputs = parse_outputs(tmp_path / "output.txt")
    assert (outputs["score"], outputs["grade"]) == ("64.0", "D")
    assert "Class III" in Path(outputs["html"]).read_text()


def test_unavailable_scoring_is_a_warning(
    tmp_path: Path,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = action.aibom

    def fake(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return (
            subprocess.CompletedProcess(args, 2, "", "")
            if args[0] == "score"
            else real(*args, cwd=cwd)
        )

    monkeypatch.setattr(action, "aibom", fake)
    assert action.main(runner_env(tmp_path, workspace, fail_on="none", score_profile="x")) == 0
    assert "::warning::scoring with profile 'x' failed (exit 2)" in capsys.readouterr().out


class FakeGitHub(BaseHTTPRequestHandler):
    comments: ClassVar[list[dict[str, Any]]] = []
    requests: ClassVar[list[tuple[str, str, str, Any]]] = []

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, self.headers["Authorization"], None))
        page = int(parse_qs(urlsplit(self.path).query)["page"][0])
        self._reply(200, self.comments if page == 1 else [])

    def do_POST(self) -> None:
        body = self._body()
        self.requests.append(("POST", self.path, self.headers["Authorization"], body))
        self.comments.append({"id": 42, "body": body["body"]})
        self._reply(201, self.comments[-1])

    def do_PATCH(self) -> None:
        body = self._body()
        self.requests.append(("PATCH", self.path, self.headers["Authorization"], body))
        self._reply(200, {"id": 42, "body": body["body"]})

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def github_api() -> Iterator[str]:
    FakeGitHub.comments = [{"id": 1, "body": "unrelated"}]
    FakeGitHub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sticky_pr_comment_is_created_then_updated(
    tmp_path: Path, workspace: Path, github_api: str
) -> None:
    event = {"pull_request": {"number": 7, "base": {"sha": "0" * 40}}}
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        env = runner_env(
            tmp_path / run, workspace, event, fail_on="none", comment="always", github_token="tok"
        )
        env["GITHUB_API_URL"] = github_api
        assert action.main(env) == 0
    methods = [(m, p) for m, p, _, _ in FakeGitHub.requests if m != "GET"]
    assert methods == [
        ("POST", "/repos/acme/models/issues/7/comments"),
        ("PATCH", "/repos/acme/models/issues/comments/42"),
    ]
    assert all(auth == "Bearer tok" for _, _, auth, _ in FakeGitHub.requests)
    assert all(
        body["body"].startswith(MARKER) for m, _, _, body in FakeGitHub.requests if m != "GET"
    )


def test_comment_failure_is_only_a_warning(
    tmp_path: Path, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = {"pull_request": {"number": 7}}
    env = runner_env(
        tmp_path, workspace, event, fail_on="none", comment="on-failure", github_token="t"
    )
    assert action.main(env) == 0
    assert "comment" not in capsys.readouterr().out
    env = runner_env(
        tmp_path, workspace, event, fail_on="medium", comment="on-failure", github_token="t"
    )
    env["GITHUB_API_URL"] = "http://127.0.0.1:9"
    assert action.main(env) == 1
    assert "::warning::comment: could not post the PR comment" in capsys.readouterr().out
