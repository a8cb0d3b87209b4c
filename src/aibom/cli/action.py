"""The GitHub Action's script: ``python -m aibom.cli.action`` (see ``action.yml``).

Inputs arrive as ``INPUT_*`` environment variables set by the composite action's ``env:`` block (never
interpolated into shell). The script scans, optionally scores and diffs against a base, writes the
SARIF, HTML and Markdown reports, appends the summary to ``$GITHUB_STEP_SUMMARY``, sets outputs in
``$GITHUB_OUTPUT``, optionally updates one sticky PR comment, and exits with ``aibom.cli.exit.ExitCode``:
1 on a policy failure, 2 when an input, the environment or a step is wrong (an error annotation).

The scan and the scoring run as ``python -m aibom`` subprocesses: the exact commands users run, and a
crash there still leaves this script able to report it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode, fail_on_threshold
from aibom.errors import AibomError
from aibom.escape import visible
from aibom.findings import Severity

if TYPE_CHECKING:
    from aibom.bomdoc.view import FindingView
    from aibom.render.interface import Report

COMMENT_MODES = ("off", "on-failure", "always")
ACTIONS_BOT = "github-actions[bot]"
"""The author of comments made with a workflow's ``GITHUB_TOKEN`` (which cannot read ``/user``)."""
MAX_ANNOTATIONS = 10
"""GitHub shows 10 annotations of a type per step; the rest are in the reports."""
SUBPROCESS_TIMEOUT = 6 * 60 * 60
"""GitHub's own job limit: a scan never outlives the job that started it."""
HTTP_TIMEOUT = 30


class ActionError(AibomError):
    """A problem with the action's inputs or environment (exit 2, shown as an error annotation)."""


@dataclass(frozen=True)
class Inputs:
    paths: tuple[str, ...]
    fail_on: Severity | None
    sarif: bool
    html: bool
    markdown: bool
    score_profile: str
    base_ref: str
    base_bom: str
    comment: str
    scan_args: tuple[str, ...]
    token: str
    sarif_category: str = "aibom"
    comment_author: str = ""


@dataclass(frozen=True)
class Context:
    workspace: Path
    out_dir: Path
    summary: Path | None
    output: Path | None
    event: Mapping[str, Any]
    event_name: str
    repository: str
    api_url: str


def read_inputs(env: Mapping[str, str]) -> Inputs:
    def get(name: str, default: str = "") -> str:
        return env.get(f"INPUT_{name.upper().replace('-', '_')}", default).strip() or default

    from aibom.cli.score import PROFILE_CHOICES

    fail_on = _choice(get("fail-on", "high"), FAIL_ON_CHOICES, "fail-on")
    profile = get("score-profile")
    return Inputs(
        paths=tuple(get("paths", ".").split()),
        fail_on=fail_on_threshold(fail_on),
        sarif=_flag(get("sarif", "true"), "sarif"),
        html=_flag(get("html", "true"), "html"),
        markdown=_flag(get("markdown", "true"), "markdown"),
        score_profile=_choice(profile, PROFILE_CHOICES, "score-profile") if profile else "",
        base_ref=get("base-ref"),
        base_bom=get("base-bom"),
        comment=_choice(get("comment", "off"), COMMENT_MODES, "comment"),
        scan_args=tuple(shlex.split(get("scan-args"))),
        token=get("github-token"),
        sarif_category=get("sarif-category", "aibom"),
        comment_author=get("comment-author"),
    )


def read_context(env: Mapping[str, str]) -> Context:
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    temp = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    event: Mapping[str, Any] = {}
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and Path(event_path).is_file():
        try:
            loaded = json.loads(Path(event_path).read_text("utf-8"))
        except (ValueError, OSError) as exc:
            raise ActionError(f"cannot read the event payload {event_path}: {exc}") from None
        event = loaded if isinstance(loaded, dict) else {}
    return Context(
        workspace=workspace,
        out_dir=temp / "aibom",
        summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
        output=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
        event=event,
        event_name=env.get("GITHUB_EVENT_NAME", ""),
        repository=env.get("GITHUB_REPOSITORY", ""),
        api_url=env.get("GITHUB_API_URL", "https://api.github.com"),
    )


def _flag(value: str, name: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ActionError(f"input {name} must be true or false, not {value!r}")
    return lowered == "true"


def _choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value.lower() not in choices:
        raise ActionError(f"input {name} must be one of {', '.join(choices)}, not {value!r}")
    return value.lower()


def aibom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m aibom`` with this interpreter; stderr passes through to the job log.

    The runner reads workflow commands (``::error::``, ``::add-mask::``...) from any line of the log,
    and stderr carries names from scanned files, so command processing is stopped (GitHub's
    ``::stop-commands::`` with a token nobody can guess) while the subprocess runs."""
    token = f"aibom-{uuid.uuid4().hex}"
    sys.stdout.write(f"::stop-commands::{token}\n")
    sys.stdout.flush()
    try:
        return subprocess.run(
            [sys.executable, "-m", "aibom", *args],
            cwd=cwd,
            text=True,
            stdout=subprocess.PIPE,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
    finally:
        sys.stdout.write(f"::{token}::\n")
        sys.stdout.flush()


def scan(paths: tuple[str, ...], extra: tuple[str, ...], cwd: Path, bom: Path) -> None:
    done = aibom("scan", *paths, "-o", str(bom), "--fail-on", "none", *extra, cwd=cwd)
    if done.returncode not in (ExitCode.OK, ExitCode.POLICY) or not bom.is_file():
        raise ActionError(f"aibom scan failed with exit code {done.returncode} (see the log above)")


def score(profile: str, bom: Path, out: Path, cwd: Path) -> bool:
    """``aibom score --format json`` into ``out`` (the scorecard the reports read); True when a rule
    whose enforcement is ``block`` failed (``aibom score`` exits 1). Any other failure is an
    ``ActionError``: scores were asked for, so a run without them is not a success."""
    done = aibom(
        "score",
        str(bom),
        "--profile",
        profile,
        "--format",
        "json",
        "-o",
        str(out),
        "--quiet",
        cwd=cwd,
    )
    if done.returncode not in (ExitCode.OK, ExitCode.POLICY) or not out.is_file():
        raise ActionError(
            f"aibom score --profile {profile} failed with exit code {done.returncode} (see the log above)"
        )
    return done.returncode == ExitCode.POLICY


def base_bom(inputs: Inputs, ctx: Context) -> Path | None:
    if inputs.base_bom:
        path = ctx.workspace / inputs.base_bom
        if not path.is_file():
            raise ActionError(f"base-bom {inputs.base_bom!r} is not a file")
        return path
    ref = inputs.base_ref
    if ref == "auto":
        ref = str(ctx.event.get("pull_request", {}).get("base", {}).get("sha", ""))
    if not ref:
        return None
    return scan_ref(ref, inputs, ctx)


def scan_ref(ref: str, inputs: Inputs, ctx: Context) -> Path | None:
    """Scan ``ref`` in a temporary git worktree named like the workspace (so display paths match)."""
    if ref.startswith("-"):  # git would read it as an option
        annotate("warning", f"base-ref {ref!r} is not a git ref; no diff")
        return None
    tree = ctx.out_dir / f"base-{uuid.uuid4().hex[:8]}" / ctx.workspace.resolve().name
    tree.parent.mkdir(parents=True)
    git = ["git", "-C", str(ctx.workspace)]
    added = subprocess.run(
        [*git, "worktree", "add", "--detach", str(tree), ref],
        capture_output=True,
        text=True,
        check=False,
    )
    if added.returncode != 0:
        annotate(
            "warning",
            f"cannot check out base {ref!r} (fetch it first, e.g. fetch-depth: 0): {added.stderr.strip()}",
        )
        return None
    try:
        paths = tuple(p for p in inputs.paths if (tree / p).exists())
        out = ctx.out_dir / "base.cdx.json"
        scan(paths or (".",), inputs.scan_args, tree, out)
        return out
    finally:
        subprocess.run(
            [*git, "worktree", "remove", "--force", str(tree)], capture_output=True, check=False
        )


def annotate(level: str, message: str, file: str | None = None, title: str | None = None) -> None:
    """A workflow command on stdout, with GitHub's escaping of data and properties."""
    props = [f"{k}={escape_property(v)}" for k, v in (("file", file), ("title", title)) if v]
    head = f" {','.join(props)}" if props else ""
    sys.stdout.write(f"::{level}{head}::{escape_data(message)}\n")


def escape_data(value: str) -> str:
    """A workflow command's message: control and invisible characters other than LF made visible
    (``aibom.escape.visible``; the log viewer would act on ESC, BEL, bidi overrides), then GitHub's
    escapes as the runner unescapes them (``%`` as ``%25``, CR as ``%0D``, LF as ``%0A``), so a
    message is always one line of the log however many lines it shows."""
    return _command_escapes(visible(value, multiline=True))


def _command_escapes(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value (``file``, ``title``): one line, every control character
    visible (a file name with LF is shown as ``\\n``, not linked to a file it is not), then the
    message escapes plus ``:`` and ``,``, which would otherwise end the value (a file name could add
    properties or end the command)."""
    return _command_escapes(visible(value)).replace(":", "%3A").replace(",", "%2C")


def set_outputs(path: Path | None, values: Mapping[str, str]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"aibom_{uuid.uuid4().hex}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def run(inputs: Inputs, ctx: Context) -> ExitCode:
    from aibom.bomdoc.read import read_bom as load_bom
    from aibom.bomdoc.read import read_json as load_json
    from aibom.render import build_report
    from aibom.render.interface import RenderOptions
    from aibom.render.sarif import PathMapper

    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    bom_path = ctx.out_dir / "aibom.cdx.json"
    scan(inputs.paths, inputs.scan_args, ctx.workspace, bom_path)
    scores = ctx.out_dir / "scores.json" if inputs.score_profile else None
    blocked = scores is not None and score(inputs.score_profile, bom_path, scores, ctx.workspace)
    base = base_bom(inputs, ctx)
    report = build_report(
        load_bom(bom_path),
        load_json(scores, "the scorecard") if scores else None,
        load_bom(base) if base else None,
        RenderOptions(source_root=ctx.workspace, category=inputs.sarif_category.rstrip("/") + "/"),
    )
    files = write_reports(report, inputs, ctx.out_dir)
    if inputs.markdown and ctx.summary is not None:
        with ctx.summary.open("a", encoding="utf-8") as fh:
            fh.write(files["markdown"].read_text("utf-8") + "\n")
    failing = policy_failures(report, inputs.fail_on)
    paths = PathMapper(report.bom, ctx.workspace)
    for f in failing[:MAX_ANNOTATIONS]:
        where = paths.relative(f.path) if f.path else None
        annotate("error", f"{f.id} {f.title}: {f.message}", where, title=f"aibom {f.id}")
    set_outputs(ctx.output, _outputs(report, files, bom_path, len(failing)))
    if inputs.comment == "always" or (inputs.comment == "on-failure" and failing):
        post_comment(files["markdown"].read_text("utf-8"), inputs, ctx)
    if blocked:
        annotate(
            "warning",
            f"aibom: a rule with enforcement 'block' failed in the {inputs.score_profile} scores"
            " (see the log above); fail-on alone decides the job's result",
        )
    if failing:
        what = "new finding" if report.diff is not None else "finding"
        count = f"{len(failing)} {what}{'' if len(failing) == 1 else 's'}"
        annotate("error", f"aibom: {count} at or above the fail-on threshold")
    return ExitCode.POLICY if failing else ExitCode.OK


def write_reports(report: Report, inputs: Inputs, out_dir: Path) -> dict[str, Path]:
    """Markdown always (the summary and comment use it); SARIF and HTML when asked for."""
    from aibom.render import RENDERERS

    wanted = {"markdown": "aibom.md", "sarif": "aibom.sarif", "html": "aibom-report.html"}
    enabled = {"markdown": True, "sarif": inputs.sarif, "html": inputs.html}
    files = {}
    for fmt, name in wanted.items():
        if enabled[fmt]:
            path = out_dir / name
            path.write_text(RENDERERS[fmt].render(report), encoding="utf-8")
            files[fmt] = path
    return files


def policy_failures(report: Report, fail_on: Severity | None) -> list[FindingView]:
    """With a base, only findings the change introduced count; without one, every finding does."""
    if fail_on is None:
        return []
    if report.diff is not None:
        return report.diff.new_at_or_above(fail_on)
    return [f for f in report.bom.findings if f.severity >= fail_on]


def _outputs(report: Report, files: Mapping[str, Path], bom: Path, failing: int) -> dict[str, str]:
    counts = report.bom.counts()
    overall = report.scorecard.overall() if report.scorecard else (None, None)
    return {
        "bom": str(bom),
        "sarif": str(files.get("sarif", "")),
        "html": str(files.get("html", "")),
        "markdown": str(files["markdown"]),
        "findings": str(sum(counts.values())),
        **{s.label: str(n) for s, n in counts.items()},
        "new-findings": str(len(report.diff.new_findings)) if report.diff else "",
        "failing": str(failing),
        "score": "" if overall[0] is None else f"{overall[0]:.1f}",
        "grade": overall[1] or "",
    }


def post_comment(body: str, inputs: Inputs, ctx: Context) -> None:
    """Create or update one PR comment: the one that carries the report's marker and was written by
    the token's user (a comment by anyone else is never edited). Failures are warnings: a fork's
    token is read-only, and the summary and artifacts carry the same report."""
    import requests

    pull = ctx.event.get("pull_request")
    number = pull.get("number") if isinstance(pull, dict) else None
    if not isinstance(number, int) or not inputs.token or not ctx.repository:
        annotate("warning", "comment: not a pull_request event with a token; no comment posted")
        return
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {inputs.token}", "Accept": "application/vnd.github+json"}
    )
    api = ctx.api_url.rstrip("/")
    base = f"{api}/repos/{ctx.repository}/issues"
    try:
        author = inputs.comment_author or _token_user(session, api)
        existing = _find_comment(session, f"{base}/{number}/comments", author)
        if existing is None:
            response = session.post(
                f"{base}/{number}/comments", json={"body": body}, timeout=HTTP_TIMEOUT
            )
        else:
            response = session.patch(
                f"{base}/comments/{existing}", json={"body": body}, timeout=HTTP_TIMEOUT
            )
        response.raise_for_status()
    except requests.RequestException as exc:
        annotate("warning", f"comment: could not post the PR comment: {exc}")


def _token_user(session: Any, api: str) -> str:
    """The login behind the token: ``/user`` for a personal token; a workflow's ``GITHUB_TOKEN``
    (an installation token) is refused there, and its comments are by ``github-actions[bot]``."""
    response = session.get(f"{api}/user", timeout=HTTP_TIMEOUT)
    if response.status_code == 200:
        login = response.json().get("login") if isinstance(response.json(), dict) else None
        if isinstance(login, str) and login:
            return login
    return ACTIONS_BOT


def _find_comment(session: Any, url: str, author: str) -> int | None:
    from aibom.render.markdown import MARKER

    for page in range(1, 11):
        response = session.get(url, params={"per_page": 100, "page": page}, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        comments = response.json()
        if not isinstance(comments, list) or not comments:
            return None
        for c in comments:
            if not isinstance(c, dict) or not isinstance(c.get("id"), int):
                continue
            user = c.get("user")
            login = user.get("login") if isinstance(user, dict) else None
            if login == author and str(c.get("body", "")).startswith(MARKER):
                return int(c["id"])
    return None


def main(env: Mapping[str, str] | None = None) -> ExitCode:
    """Run the action; an ``AibomError`` (``ActionError`` included) becomes an error annotation."""
    env = os.environ if env is None else env
    try:
        return run(read_inputs(env), read_context(env))
    except AibomError as exc:
        annotate("error", exc.diagnostics().removeprefix("error: "))
        return ExitCode.ERROR


if __name__ == "__main__":
    sys.exit(main())
