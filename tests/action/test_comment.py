"""The sticky PR comment, through action.yml's own steps against the local GitHub API server.

The comment that is updated is the one carrying aibom's hidden marker AND written by the token's
user: a comment by anyone else that carries the marker (quoted, or planted to be overwritten) is
never edited.
"""

from __future__ import annotations

from pathlib import Path

from aibom.render.markdown import MARKER
from tests.action.conftest import RunAction
from tests.action.github_api import FakeGitHub, Server

PULL = {"pull_request": {"number": 7, "base": {"sha": "0" * 40}}}
COMMENTS = "/repos/acme/models/issues/7/comments"


def writes(api: FakeGitHub) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in api.writes()]


def test_created_then_updated_with_the_workflow_token(
    workspace: Path, run_action: RunAction, github: FakeGitHub
) -> None:
    """GITHUB_TOKEN cannot read /user (403): its comments are github-actions[bot]'s."""
    planted = github.add_comment("mallory", f"{MARKER}\nplease edit me")
    unmarked = github.add_comment("github-actions[bot]", "a different bot message")
    inputs = {"comment": "always", "fail-on": "none"}
    first = run_action(workspace, event=PULL, inputs=inputs, api_url=github.url)
    assert not first.failed and first.annotations("warning") == []
    (post,) = github.writes()
    assert (post.method, post.path.split("?")[0]) == ("POST", COMMENTS)
    assert post.body["body"] == Path(first.outputs["markdown"]).read_text("utf-8")
    ours = github.comments[-1]
    assert ours["user"]["login"] == "github-actions[bot]" and ours["id"] not in (planted, unmarked)

    second = run_action(workspace, event=PULL, inputs=inputs, api_url=github.url)
    assert not second.failed
    assert writes(github)[1:] == [("PATCH", f"/repos/acme/models/issues/comments/{ours['id']}")]
    by_id = {c["id"]: c["body"] for c in github.comments}
    assert by_id[planted] == f"{MARKER}\nplease edit me", "another user's marked comment is kept"
    assert by_id[unmarked] == "a different bot message"
    assert len(github.comments) == 3
    assert all(r.authorization == "Bearer ghs_job_token" for r in github.requests)


def test_a_personal_token_updates_its_own_users_comment(
    workspace: Path, run_action: RunAction
) -> None:
    """``github-token`` given: /user names the author; the bot's marked comment is not the target."""
    api = FakeGitHub(token="ghp_alice", token_user="alice")
    bots = api.add_comment("github-actions[bot]", f"{MARKER}\nold bot report")
    alices = api.add_comment("alice", f"{MARKER}\nold report")
    with Server(api):
        inputs = {"comment": "always", "fail-on": "none", "github-token": "ghp_alice"}
        run = run_action(workspace, event=PULL, inputs=inputs, api_url=api.url)
    assert not run.failed
    assert writes(api) == [("PATCH", f"/repos/acme/models/issues/comments/{alices}")]
    assert {c["id"]: c["body"] for c in api.comments}[bots] == f"{MARKER}\nold bot report"
    assert all(r.authorization == "Bearer ghp_alice" for r in api.requests)
    assert api.requests[0].path == "/user"


def test_comment_author_input_names_the_author(
    workspace: Path, run_action: RunAction, github: FakeGitHub
) -> None:
    """A GitHub App's token: its bot login is given; /user is not asked."""
    app = github.add_comment("aibom-app[bot]", f"{MARKER}\nold")
    github.add_comment("github-actions[bot]", f"{MARKER}\nold")
    inputs = {"comment": "always", "fail-on": "none", "comment-author": "aibom-app[bot]"}
    run = run_action(workspace, event=PULL, inputs=inputs, api_url=github.url)
    assert not run.failed
    assert writes(github) == [("PATCH", f"/repos/acme/models/issues/comments/{app}")]
    assert "/user" not in [r.path for r in github.requests]


def test_the_marked_comment_is_found_past_the_first_page(
    workspace: Path, run_action: RunAction, github: FakeGitHub
) -> None:
    for n in range(150):
        github.add_comment("someone", f"comment {n}")
    ours = github.add_comment("github-actions[bot]", f"{MARKER}\nold")
    inputs = {"comment": "always", "fail-on": "none"}
    run = run_action(workspace, event=PULL, inputs=inputs, api_url=github.url)
    assert not run.failed
    assert writes(github) == [("PATCH", f"/repos/acme/models/issues/comments/{ours}")]
    pages = [r.path for r in github.requests if r.path.startswith(COMMENTS)]
    assert pages == [f"{COMMENTS}?per_page=100&page=1", f"{COMMENTS}?per_page=100&page=2"]


def test_on_failure_and_off(workspace: Path, run_action: RunAction, github: FakeGitHub) -> None:
    passing = {"comment": "on-failure", "fail-on": "none"}
    run_action(workspace, event=PULL, inputs=passing, api_url=github.url)
    off = {"comment": "off", "fail-on": "medium"}
    assert run_action(workspace, event=PULL, inputs=off, api_url=github.url).failed
    assert github.requests == [], "no comment when passing (on-failure) or when off"
    failing = {"comment": "on-failure", "fail-on": "medium"}
    run = run_action(workspace, event=PULL, inputs=failing, api_url=github.url)
    assert run.failed and run.outputs["failing"] != "0"
    assert writes(github) == [("POST", COMMENTS)]
    assert github.comments[-1]["body"].startswith(MARKER)


def test_comment_problems_are_warnings_not_failures(
    workspace: Path, run_action: RunAction, github: FakeGitHub
) -> None:
    inputs = {"comment": "always", "fail-on": "none"}
    push = run_action(workspace, inputs=inputs, api_url=github.url)
    assert not push.failed and github.requests == []
    (warning,) = push.annotations("warning")
    assert warning.message == "comment: not a pull_request event with a token; no comment posted"

    refused = run_action(
        workspace, event=PULL, inputs={**inputs, "github-token": "wrong"}, api_url=github.url
    )
    assert not refused.failed and github.writes() == []
    (warning,) = refused.annotations("warning")
    assert warning.message.startswith("comment: could not post the PR comment: 401")

    down = run_action(workspace, event=PULL, inputs=inputs, api_url="http://127.0.0.1:9")
    assert not down.failed
    (warning,) = down.annotations("warning")
    assert warning.message.startswith("comment: could not post the PR comment")
    failing = run_action(
        workspace, event=PULL, inputs={**inputs, "fail-on": "high"}, api_url="http://127.0.0.1:9"
    )
    assert failing.failed and failing.step("aibom").outcome == "failure", "fail-on still decides"


def test_a_pull_request_workflow_with_everything_on(
    git_workspace: tuple[Path, str], run_action: RunAction, github: FakeGitHub
) -> None:
    """The combination the docs suggest for pull requests: a base, scores, a comment on failure."""
    repo, base = git_workspace
    event = {"pull_request": {"number": 7, "base": {"sha": base}}}
    inputs = {
        "base-ref": "auto",
        "score-profile": "engineering",
        "comment": "on-failure",
        "fail-on": "medium",
        "sarif-category": "models",
        "scan-args": "--exclude 'docs/*'",
    }
    run = run_action(repo, event=event, inputs=inputs, api_url=github.url)
    # New in HEAD: the os.system pickle (critical, fails at medium) and its disguise (info, does not).
    assert run.failed and (run.outputs["new-findings"], run.outputs["failing"]) == ("2", "1")
    assert run.outputs["score"] != "" and run.outputs["grade"] != ""
    (post,) = github.writes()
    body = post.body["body"]
    assert body.startswith(MARKER) and "New findings" in body
    assert body == Path(run.outputs["markdown"]).read_text("utf-8")
    assert run.summary.strip() == body.strip()
    errors = [e for e in run.annotations("error") if "file" in e.properties]
    assert {e.properties["file"] for e in errors} == {"models/tiny/extra.safetensors"}
