"""The exit-code matrix, through the installed console script in a subprocess (the only place the real
status, stdout and stderr exist): every command in every situation it can be in.

0 clean, 1 policy failure, 2 usage or runtime error, 130 interrupted (``aibom.cli.exit.ExitCode``).
Machine output goes to stdout only; errors, summaries and warnings to stderr only; an interrupted run
prints one line and no traceback. Situations a command cannot be in are listed in ``NOT_APPLICABLE``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.processes import (
    CAN_SEE_STDIN_READ,
    HANG_GUARD,
    assert_error,
    blocked_reading_stdin,
    interrupt_when,
)
from tests.vulns.osv_builders import CVSS_CRITICAL, advisory, write_export

AIBOM = str(Path(sys.executable).with_name("aibom"))
"""Seconds after which a run counts as hung (a guard on a shared machine, not a speed target)."""

NOT_APPLICABLE = {
    ("report", "policy"): "report has no gate: it renders whatever the BOM holds",
    ("rules", "interrupted"): "rules reads only regular files it lists; nothing it reads can block",
    ("merge", "policy"): "merge has no gate: it folds one BOM into another",
}

EVIL_PICKLE = b"cos\nsystem\n(S'echo owned'\ntR."
"""Protocol 0: GLOBAL os.system, then REDUCE; written as bytes, never loaded."""
RECORDS = [
    advisory(
        "GHSA-crit-1111-2222",
        "jinja2",
        ("introduced", "0"),
        ("fixed", "2.11.3"),
        severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
    ),
    advisory("PYSEC-2024-9", "requests", ("introduced", "0"), ("fixed", "2.20.0")),
]
"""A critical advisory for jinja2 < 2.11.3 and an unrated one for requests < 2.20.0."""


@dataclass(frozen=True)
class Tree:
    root: Path
    clean_dir: Path
    evil_dir: Path
    clean_bom: Path
    evil_bom: Path
    broken_bom: Path
    db: Path

    def pinned_bom(self, name: str, version: str) -> Path:
        path = self.root / f"{name}-{version}.json"
        component = {"type": "library", "name": name, "purl": f"pkg:pypi/{name}@{version}"}
        doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
        path.write_text(json.dumps({**doc, "components": [component]}))
        return path


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AIBOM, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env={**os.environ, "NO_COLOR": "1", **env},
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    root = tmp_path_factory.mktemp("matrix")
    clean_dir, evil_dir = root / "clean", root / "evil"
    clean_dir.mkdir()
    evil_dir.mkdir()
    (clean_dir / "config.json").write_text('{"model_type": "bert"}')
    (evil_dir / "model.pkl").write_bytes(EVIL_PICKLE)
    boms = {}
    for name, folder in (("clean", clean_dir), ("evil", evil_dir)):
        boms[name] = root / f"{name}.cdx.json"
        argv = ["scan", str(folder), "-o", str(boms[name]), "--reproducible", "-q"]
        assert run(*argv, "--fail-on", "none").returncode == 0
    broken = root / "broken.json"
    broken.write_text('{"bomFormat": "CycloneDX", "specVersion": ')
    db = write_export(root / "all.zip", RECORDS)
    return Tree(root, clean_dir, evil_dir, boms["clean"], boms["evil"], broken, db)


def assert_machine_output(result: subprocess.CompletedProcess[str]) -> Any:
    """stdout is one JSON document; stderr holds none of it and no traceback."""
    data = json.loads(result.stdout)
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()[:40] not in result.stderr
    return data


# ------------------------------------------------------------------ clean: 0


def test_scan_clean(tree: Tree) -> None:
    result = run("scan", str(tree.clean_dir), "--reproducible")
    assert result.returncode == 0, result.stderr
    assert assert_machine_output(result)["bomFormat"] == "CycloneDX"
    assert result.stderr.strip()  # the summary, on stderr


def test_score_clean(tree: Tree) -> None:
    result = run("score", str(tree.clean_bom), "--format", "json", "--min-score", "0")
    assert result.returncode == 0, result.stderr
    assert 0 <= assert_machine_output(result)["score"] < 100
    assert "warning:" in result.stderr and "warning:" not in result.stdout


def test_rules_clean() -> None:
    result = run("rules", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert assert_machine_output(result)["rules"]
    assert result.stderr == ""


def test_report_clean(tree: Tree) -> None:
    result = run("report", str(tree.evil_bom), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "model.pkl" in result.stdout
    assert_machine_output(result)


def test_diff_clean(tree: Tree) -> None:
    result = run("diff", str(tree.clean_bom), str(tree.evil_bom), "--format", "json")
    assert result.returncode == 0, result.stderr  # --fail-on-new defaults to none
    assert "model.pkl" in result.stdout
    assert_machine_output(result)


def test_merge_clean(tree: Tree) -> None:
    result = run("merge", str(tree.clean_bom), str(tree.evil_bom))
    assert result.returncode == 0, result.stderr
    assert assert_machine_output(result)["bomFormat"] == "CycloneDX"
    assert "merged:" in result.stderr


def test_audit_clean(tree: Tree) -> None:
    bom = tree.pinned_bom("jinja2", "3.1.4")
    argv = ["audit", str(bom), "--osv-db", str(tree.db), "--cache-dir", str(tree.root / "c")]
    result = run(*argv, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert assert_machine_output(result)["vulnerabilities"] == []
    assert "1 packages checked, 0 affected" in result.stderr


# ------------------------------------------------------------------ policy failure: 1


def test_scan_policy_unsafe_pickle(tree: Tree) -> None:
    result = run("scan", str(tree.evil_dir), "--reproducible", "--fail-on", "high")
    assert result.returncode == 1, result.stderr
    assert "model.pkl" in json.dumps(assert_machine_output(result))  # the BOM is still written
    assert run("scan", str(tree.evil_dir), "-q", "--fail-on", "none").returncode == 0


def test_scan_policy_score_below_threshold(tree: Tree) -> None:
    result = run("scan", str(tree.clean_dir), "--min-score", "100", "-q")
    assert result.returncode == 1, result.stderr
    assert_machine_output(result)
    assert "below --min-score 100" in result.stderr


def test_score_policy_below_threshold(tree: Tree) -> None:
    result = run("score", str(tree.clean_bom), "--format", "json", "--min-score", "100")
    assert result.returncode == 1, result.stderr
    assert_machine_output(result)
    assert "policy: score" in result.stderr and "below --min-score 100" in result.stderr


def test_rules_policy_failed_rule_tests(tree: Tree) -> None:
    empty = tree.root / "no-rules"
    empty.mkdir(exist_ok=True)
    result = run("rules", "test", str(empty))
    assert result.returncode == 1, (
        result.stderr
    )  # a rule folder with nothing to test passes nothing
    assert "0 rules" in result.stdout


def test_diff_policy_new_finding(tree: Tree) -> None:
    argv = ["diff", str(tree.clean_bom), str(tree.evil_bom), "--format", "json"]
    result = run(*argv, "--fail-on-new", "high")
    assert result.returncode == 1, result.stderr
    assert_machine_output(result)
    assert "new findings at or above high" in result.stderr
    reverse = ["diff", str(tree.evil_bom), str(tree.clean_bom), "--fail-on-new", "high"]
    assert run(*reverse).returncode == 0  # a resolved finding is not a new one


@pytest.mark.parametrize(
    ("package", "version", "fail_on", "code"),
    [
        ("jinja2", "2.10", "high", 1),  # critical CVSS
        ("jinja2", "2.10", "critical", 1),
        ("requests", "2.19.0", "high", 1),  # unrated: high, the same in the report below
        ("requests", "2.19.0", "critical", 0),
        ("jinja2", "2.10", "none", 0),
    ],
)
def test_audit_policy_vulnerable_pin(
    tree: Tree, package: str, version: str, fail_on: str, code: int
) -> None:
    bom = tree.pinned_bom(package, version)
    argv = ["audit", str(bom), "--osv-db", str(tree.db), "--cache-dir", str(tree.root / "c")]
    result = run(*argv, "--format", "json", "--fail-on", fail_on)
    assert result.returncode == code, result.stderr
    (vuln,) = assert_machine_output(result)["vulnerabilities"]
    assert vuln["severity"] == ("critical" if package == "jinja2" else "high")
    assert "1 affected" in result.stderr


# ------------------------------------------------------------------ usage error: 2


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["scan"], "Missing argument"),
        (["scan", "{clean}", "--format", "yaml"], "'yaml'"),
        (["scan", "{clean}", "--byte-budget", "lots"], "'lots' is not a size"),
        (["scan", "{clean}", "--byte-budget", "-5"], "is not a size"),
        (["scan", "{root}/no-such-folder"], "does not exist"),
        (["scan", "{clean}", "--fail-on", "severe"], "'severe'"),
        (["scan", "{clean}", "--min-score", "500"], "--min-score"),
        (["score", "{clean_bom}", "--min-score", "101"], "--min-score"),
        (["score", "{clean_bom}", "--profile", "lax"], "'lax'"),
        (["rules", "explain", "NO-SUCH-RULE"], "no rule 'NO-SUCH-RULE'"),
        (["rules", "list", "--format", "xml"], "'xml'"),
        (["report", "{clean_bom}", "--format", "pdf"], "'pdf'"),
        (["report", "{root}/missing.json"], "does not exist"),
        (["diff", "{clean_bom}"], "Missing argument"),
        (["diff", "{clean_bom}", "{evil_bom}", "--fail-on-new", "bad"], "'bad'"),
        (["merge", "{clean_bom}"], "Missing argument"),
        (["merge", "{clean_bom}", "{evil_bom}", "--format", "pdf"], "'pdf'"),
        (["audit", "{clean_bom}"], "choose one advisory source"),
        (["audit", "{clean_bom}", "--osv-db", "{db}", "--online"], "choose one advisory source"),
        (["audit", "{clean_bom}", "--osv-db", "{root}/nope.zip"], "does not exist"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_error(tree: Tree, argv: list[str], needle: str) -> None:
    names = {k: str(v) for k, v in vars(tree).items()}
    names["clean"] = names["clean_dir"]
    result = run(*(a.format(**names) for a in argv))
    assert_error(result, needle)


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "{clean}", "-o", "{out}"],
        ["scan", "{clean}", "--html", "{out}"],
        ["scan", "{clean}", "--markdown", "{out}"],
        ["scan", "{clean}", "--sarif", "{out}"],
        ["score", "{clean_bom}", "-o", "{out}"],
        ["score", "{clean_bom}", "--annotate", "{out}"],
        ["report", "{clean_bom}", "-o", "{out}"],
        ["diff", "{clean_bom}", "{clean_bom}", "-o", "{out}"],
        ["merge", "{clean_bom}", "{evil_bom}", "-o", "{out}"],
        ["audit", "{clean_bom}", "--osv-db", "{db}", "-o", "{out}"],
    ],
)
def test_output_into_a_missing_folder_fails_before_any_work(tree: Tree, argv: list[str]) -> None:
    """Checked while parsing: with ``--policy`` a FIFO nobody writes to, a scan that started would
    block on it until the hang guard fired; the message names the user's path, not a temp file."""
    out = tree.root / "no-such-folder" / "out.file"
    fifo = tree.root / "never-written.toml"
    if not fifo.exists():
        os.mkfifo(fifo)
    names = {k: str(v) for k, v in vars(tree).items()} | {"clean": str(tree.clean_dir)}
    extra = ["--policy", str(fifo)] if argv[0] == "scan" else []
    result = run(*(a.format(**names, out=out) for a in argv), *extra)
    assert_error(result, f"cannot write '{out}'", f"folder '{out.parent}' does not exist")
    assert ".out.file." not in result.stderr
    assert not out.parent.exists()


def test_output_onto_a_folder_is_a_usage_error(tree: Tree) -> None:
    result = run("report", str(tree.clean_bom), "-o", str(tree.root))
    assert_error(result, "is a folder")


# ------------------------------------------------------------------ runtime error: 2


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["scan", "{clean}", "--policy", "{bad_toml}"], "is not valid TOML"),
        (["scan", "{clean}", "--osv-db", "{not_zip}"], "not_zip"),
        (["score", "{broken_bom}"], "neither JSON nor XML"),
        (["score", "{fifo}"], "not a regular file"),
        (["rules", "list", "--rules", "{bad_rules}"], "invalid YAML"),
        (["rules", "test", "{bad_rules}"], "invalid YAML"),
        (["report", "{broken_bom}"], "neither JSON nor XML"),
        (["report", "{fifo}"], "not a regular file"),
        (["diff", "{clean_bom}", "{broken_bom}"], "neither JSON nor XML"),
        (["merge", "{clean_bom}", "{broken_bom}"], "neither JSON nor XML"),
        (["merge", "{fifo}", "{clean_bom}"], "not a regular file"),
        (["audit", "{broken_bom}", "--osv-db", "{db}"], "neither JSON nor XML"),
        (["audit", "{clean_bom}", "--osv-db", "{not_zip}"], "not_zip"),
    ],
)
def test_runtime_error(tree: Tree, argv: list[str], needle: str) -> None:
    bad_rules = tree.root / "bad-rules"
    bad_rules.mkdir(exist_ok=True)
    (bad_rules / "broken.yaml").write_text("id: [\n")
    (tree.root / "bad.toml").write_text("[allow\n")
    (tree.root / "not_zip.zip").write_bytes(b"this is not a zip archive")
    fifo = tree.root / "unreadable.json"
    if not fifo.exists():
        os.mkfifo(fifo)
    names = {k: str(v) for k, v in vars(tree).items()} | {
        "clean": str(tree.clean_dir),
        "bad_rules": str(bad_rules),
        "bad_toml": str(tree.root / "bad.toml"),
        "not_zip": str(tree.root / "not_zip.zip"),
        "fifo": str(fifo),
    }
    argv = [a.format(**names) for a in argv]
    cache = ["--cache-dir", str(tree.root / "c")] if argv[0] == "audit" else []
    assert_error(run(*argv, *cache), needle)


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "{clean_dir}", "-q"],
        ["score", "{clean_bom}"],
        ["rules", "list"],
        ["report", "{evil_bom}"],
        ["diff", "{clean_bom}", "{evil_bom}"],
        ["merge", "{clean_bom}", "{evil_bom}", "-q"],
        ["audit", "{clean_bom}", "--osv-db", "{db}", "--cache-dir", "{root}/c"],
    ],
)
def test_output_closed_by_the_reader_is_an_error_not_a_policy_failure(
    tree: Tree, argv: list[str]
) -> None:
    """``aibom ... | head -c1``: click's own answer to a broken pipe is exit 1, which a pipeline would
    read as "findings"; the output was not delivered, so it is 2, with one line on stderr."""
    names = {k: str(v) for k, v in vars(tree).items()}
    proc = subprocess.Popen(
        [AIBOM, *(a.format(**names) for a in argv)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first byte is written
    err = proc.communicate(timeout=HANG_GUARD)[1]
    assert proc.returncode == 2, err
    assert "broken pipe" in err and "Traceback" not in err


# ------------------------------------------------------------------ interrupted: 130


def _assert_interrupted(code: int, out: str, err: str) -> None:
    assert code == 130, (code, err)
    assert out == ""
    assert err.strip() == "interrupted"  # one line, no traceback


needs_proc_syscall = pytest.mark.skipif(
    not CAN_SEE_STDIN_READ,
    reason="needs Linux /proc/PID/syscall to see the process block on stdin",
)


@needs_proc_syscall
@pytest.mark.parametrize(
    "argv",
    [
        ["report", "-"],
        ["report", "-", "--format", "sarif"],
        ["score", "-"],
        ["diff", "-", "{clean_bom}"],
        ["merge", "-", "{clean_bom}"],
        ["audit", "-", "--osv-db", "{db}"],
    ],
)
def test_interrupted_while_reading_an_open_stdin(tree: Tree, argv: list[str]) -> None:
    """SIGINT while the command waits on a stdin pipe that never closes."""
    names = {k: str(v) for k, v in vars(tree).items()}
    proc = subprocess.Popen(
        [AIBOM, *(a.format(**names) for a in argv)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _assert_interrupted(*interrupt_when(proc, lambda: blocked_reading_stdin(proc)))
    finally:
        proc.kill()
        proc.wait()


def test_scan_interrupted_while_blocked(tree: Tree) -> None:
    """SIGINT while ``scan`` waits on a ``--policy`` FIFO: a non-blocking open for writing succeeds
    only once the scan has opened the FIFO for reading, inside the command."""
    fifo = tree.root / "policy-fifo.toml"
    os.mkfifo(fifo)
    argv = [AIBOM, "scan", str(tree.clean_dir), "-q", "--policy", str(fifo)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer: list[int] = []

    def opened() -> bool:
        try:
            writer.append(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            return False
        return True

    try:
        _assert_interrupted(*interrupt_when(proc, opened))
    finally:
        proc.kill()
        proc.wait()
        for fd in writer:
            os.close(fd)


@contextmanager
def _silent_server() -> Iterator[tuple[str, threading.Event]]:
    """An OSV API that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return
            accepted.set()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        server.close()
        for conn in held:
            conn.close()


@pytest.mark.parametrize("command", ["audit", "scan"])
def test_interrupted_while_waiting_on_the_osv_api(tree: Tree, command: str) -> None:
    bom = tree.pinned_bom("jinja2", "2.10")
    project = tree.root / "project"
    project.mkdir(exist_ok=True)
    (project / "requirements.txt").write_text("jinja2==2.10\n")
    target = str(bom) if command == "audit" else str(project)
    with _silent_server() as (url, accepted):
        env = {**os.environ, "AIBOM_OSV_URL": url, "NO_PROXY": "127.0.0.1"}
        argv = [AIBOM, command, target, "--online", *(["-q"] if command == "scan" else [])]
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        try:
            _assert_interrupted(*interrupt_when(proc, accepted.is_set))
        finally:
            proc.kill()
            proc.wait()


def test_matrix_is_complete() -> None:
    """Every command of the group is either in this file's matrix or another helper's tests."""
    from aibom.cli.main import cli

    here = Path(__file__).read_text()
    covered = {c for c in cli.commands if f'"{c}"' in here}
    elsewhere = {
        "verify",
        "sign",
        "sign-bom",
        "verify-bom",
        "convert",
    }  # convert: tests/spdx/test_cli.py  # tests/verify (another helper)
    assert set(cli.commands) == covered | elsewhere
    assert all(command in covered for command, _ in NOT_APPLICABLE)
