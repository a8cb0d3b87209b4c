"""The scanners the detection benchmark compares: how to install them in their own virtual
environment, how to invoke them, and how to read their verdicts.

Every tool is run as a child process with a timeout and its exit code is mapped with the tool's
own documented convention (research note ``unsafe-formats.md``, table "Exit codes"):

| tool       | 0     | 1        | 2     | other                                   |
|------------|-------|----------|-------|-----------------------------------------|
| aibom      | clean | detected | error |                                         |
| picklescan | clean | detected | error |                                         |
| modelscan  | clean | detected | error | 3 no supported file, 4 usage: error     |
| fickling   | clean | detected | error |                                         |
| modelaudit | clean | detected | error | (1 = a WARNING or CRITICAL finding)     |

One guard on top: Python exits 1 on an uncaught exception, the same code as "detected" for every
tool here (fickling 0.1.12 without ``typing_extensions`` dies that way on every file). A run that
exits 1 with a traceback as the last thing on stderr is an error, never a detection.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DETECTED = "detected"
CLEAN = "clean"
ERROR = "error"

PEERS = ("picklescan", "modelscan", "fickling", "modelaudit")
EXTRAS = {"picklescan": "[7z]", "modelscan": "[h5py]", "fickling": "[archive]"}
"""Each peer's own extras for the formats in the corpus (7z, Keras H5); no TensorFlow or torch."""
SUPPORT = ("typing_extensions", "numpy", "h5py", "onnx", "py7zr")
"""Undeclared runtime needs (fickling: typing_extensions; picklescan: numpy for .npy) and the
optional parsers modelaudit uses for H5, ONNX and 7z."""
QUIET_ENV = {"PROMPTFOO_DISABLE_TELEMETRY": "1", "NO_ANALYTICS": "1", "CI": "1"}
"""modelaudit sends PostHog telemetry unless told not to (and there is no network anyway)."""
PIP_TIMEOUT = 900
_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")


class SetupError(Exception):
    """The comparison cannot be set up at all (no virtual environment): exit 2."""


@dataclass(frozen=True)
class Run:
    """One invocation: the verdict, its wall time, the exit code and a short note on errors."""

    outcome: str
    seconds: float
    code: int | None
    note: str = ""


@dataclass(frozen=True)
class Tool:
    """A scanner: ``argv(target, scratch)`` builds the command line; ``codes`` maps exit codes
    to outcomes (anything else is an error); ``directory`` says whether it takes a folder."""

    name: str
    argv: Callable[[Path, Path], list[str]]
    codes: dict[int, str]
    directory: bool = True


STANDARD = {0: CLEAN, 1: DETECTED, 2: ERROR}
LIBRARY = "aibom library"
Log = Callable[[str], None]


@dataclass
class ToolResult:
    """A tool's runs over the corpus (relative path -> Run), or why it is not available."""

    name: str
    reason: str = ""
    runs: dict[str, Run] = field(default_factory=dict)
    wall: float = 0.0
    marker_absent: bool = True
    directory: Run | None = None


def classify(tool: Tool, code: int, stderr: str) -> tuple[str, str]:
    """(outcome, note) for one finished run."""
    if code == 1 and crashed(stderr):
        return ERROR, "uncaught exception: " + last_line(stderr)
    outcome = tool.codes.get(code, ERROR)
    if outcome != ERROR:
        return outcome, ""
    return ERROR, f"exit {code}: {last_line(stderr)}"


def crashed(stderr: str) -> bool:
    """True when stderr ends with a Python traceback (an uncaught exception)."""
    return _TRACEBACK in stderr and bool(_EXCEPTION_LINE.match(last_line(stderr)))


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def run_tool(tool: Tool, target: Path, scratch: Path, timeout: float) -> Run:
    """Run ``tool`` on ``target`` from ``scratch`` (its working directory, so files a tool writes
    there, like fickling's ``safety_results.json``, never land in the corpus)."""
    env = {**os.environ, **QUIET_ENV}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            tool.argv(target, scratch),
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run(ERROR, time.perf_counter() - start, None, f"timeout after {timeout:.0f} s")
    except OSError as exc:
        return Run(ERROR, time.perf_counter() - start, None, f"cannot start: {exc}")
    seconds = time.perf_counter() - start
    stderr = proc.stderr.decode("utf-8", "replace")
    outcome, note = classify(tool, proc.returncode, stderr)
    if note and not last_line(stderr):  # some tools report their errors on stdout
        note += last_line(proc.stdout.decode("utf-8", "replace"))
    return Run(outcome, seconds, proc.returncode, note)


def run_per_file(
    tool: Tool, corpus: Path, files: Sequence[str], scratch: Path, timeout: float, log: Log
) -> ToolResult:
    """One process per file, in order; ``wall`` is the whole loop (start-ups included)."""
    result = ToolResult(tool.name)
    start = time.perf_counter()
    for index, path in enumerate(files, 1):
        result.runs[path] = run_tool(tool, corpus / path, scratch, timeout)
        if index % 50 == 0:
            log(f"  {tool.name}: {index}/{len(files)} files, {time.perf_counter() - start:.0f} s")
    result.wall = time.perf_counter() - start
    return result


def run_library(corpus: Path, files: Sequence[str]) -> ToolResult:
    """``aibom.scan.scan`` over the corpus folder in this process; a file counts as detected
    when a finding on it reaches medium (the CLI's ``--fail-on medium``), as an error when the
    scan skipped it."""
    from aibom.findings import Severity
    from aibom.scan import ScanOptions, scan

    start = time.perf_counter()
    result = scan(ScanOptions(targets=(corpus,), use_cache=False))
    wall = time.perf_counter() - start
    prefix = corpus.name + "/"
    medium = [f for f in result.findings if f.effective_severity >= Severity.MEDIUM]
    loud = {f.path.removeprefix(prefix) for f in medium}
    skipped = {s.path.removeprefix(prefix) for s in result.skipped}
    outcome = {**dict.fromkeys(loud, DETECTED), **dict.fromkeys(skipped, ERROR)}
    runs = {path: Run(outcome.get(path, CLEAN), 0.0, None) for path in files}
    return ToolResult(LIBRARY, runs=runs, wall=wall)


def check_marker(marker: Path, result: ToolResult, log: Log) -> None:
    """Record whether ``marker`` exists after ``result``'s tool ran (and remove it if so)."""
    result.marker_absent = not marker.exists()
    if not result.marker_absent:
        log(f"!! {marker} appeared after {result.name}: a payload ran")
        marker.unlink()


# ---------------------------------------------------------------- the tools


def aibom_tool(executable: Path, fail_on: str) -> Tool:
    def argv(target: Path, scratch: Path) -> list[str]:
        return [str(executable), "scan", str(target), "--fail-on", fail_on, "-q", "--no-cache"]

    return Tool(f"aibom@{fail_on}", argv, STANDARD)


def peer_tools(venv: Path) -> dict[str, Tool]:
    """The four peers, run from ``venv``'s ``bin`` with their documented CLI for a local path."""
    bin_ = venv / "bin"

    def picklescan(target: Path, scratch: Path) -> list[str]:
        return [str(bin_ / "picklescan"), "-p", str(target)]

    def modelscan(target: Path, scratch: Path) -> list[str]:
        return [str(bin_ / "modelscan"), "-p", str(target)]

    def fickling(target: Path, scratch: Path) -> list[str]:
        report = scratch / "fickling.json"
        return [str(bin_ / "fickling"), "--check-safety", "--json-output", str(report), str(target)]

    def modelaudit(target: Path, scratch: Path) -> list[str]:
        return [str(bin_ / "modelaudit"), "scan", "--no-cache", "-f", "json", str(target)]

    modelscan_codes = {**STANDARD, 3: ERROR, 4: ERROR}
    return {
        "picklescan": Tool("picklescan", picklescan, STANDARD),
        "modelscan": Tool("modelscan", modelscan, modelscan_codes),
        # fickling's CLI reads one file as a stream of stacked pickles; it takes no folder
        "fickling": Tool("fickling", fickling, STANDARD, directory=False),
        "modelaudit": Tool("modelaudit", modelaudit, STANDARD),
    }


# ---------------------------------------------------------------- the peers' virtual environment


def _pip(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False)


def latest_version(venv: Path, name: str) -> str | None:
    """The newest version PyPI offers (``pip index versions``), or None when it cannot tell."""
    proc = _pip(venv, "index", "versions", name)
    match = re.search(rf"^{re.escape(name)} \(([^)]+)\)", proc.stdout, re.MULTILINE | re.IGNORECASE)
    return match.group(1) if match else None


def pinned(venv: Path, names: Sequence[str]) -> list[str]:
    """``name[extras]==version`` for each name whose latest version was found, else ``name``."""
    requirements = []
    for name in names:
        version = latest_version(venv, name)
        spec = name + EXTRAS.get(name, "")
        requirements.append(f"{spec}=={version}" if version else spec)
    return requirements


def create_venv(python: str, venv: Path) -> None:
    proc = subprocess.run(
        [python, "-m", "venv", "--clear", str(venv)],
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise SetupError(f"python -m venv {venv} failed: {last_line(proc.stderr)}")


def install(venv: Path, log: Log) -> dict[str, str]:
    """Install every peer (pinned to PyPI's latest) with SUPPORT into ``venv``. When they cannot
    be installed together, each is tried alone. Returns requirement -> "ok" or the error."""
    support = pinned(venv, SUPPORT)
    peers = pinned(venv, PEERS)
    log("pip install " + " ".join([*peers, *support]))
    proc = _pip(venv, "install", "-q", *peers, *support)
    if proc.returncode == 0:
        return dict.fromkeys(peers, "ok")
    log("joint install failed (" + last_line(proc.stderr) + "); installing each peer alone")
    results = {}
    for requirement in peers:
        alone = _pip(venv, "install", "-q", requirement, *support)
        results[requirement] = "ok" if alone.returncode == 0 else last_line(alone.stderr)
    return results


def installed_versions(venv: Path, names: Sequence[str]) -> dict[str, str | None]:
    """Installed version of each distribution in ``venv`` (None when it is absent)."""
    script = (
        "import importlib.metadata as m, json, sys\n"
        "def v(n):\n"
        "    try:\n        return m.version(n)\n"
        "    except m.PackageNotFoundError:\n        return None\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))\n"
    )
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, *names],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        return dict.fromkeys(names)
    versions: dict[str, str | None] = json.loads(proc.stdout)
    return versions


def probe(tool: Tool, venv: Path, scratch: Path) -> str | None:
    """None when the tool's CLI starts (``--help`` exits 0), else why it is not available."""
    executable = Path(tool.argv(scratch, scratch)[0])
    if not executable.exists():
        return f"{executable.name} is not installed"
    try:
        proc = subprocess.run(
            [str(executable), "--help"],
            cwd=scratch,
            env={**os.environ, **QUIET_ENV},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"--help failed: {exc}"
    if proc.returncode != 0:
        return f"--help exits {proc.returncode}: {last_line(proc.stderr)}"
    return None


def setup_peers(
    venv: Path, scratch: Path, *, reuse: bool, python: str, log: Log
) -> tuple[dict[str, Tool], dict[str, str]]:
    """The peers whose CLI starts, and name -> reason for those that do not. ``reuse``: take the
    venv as it is (``--skip-install``); otherwise (re)create it and install the peers."""
    if reuse and not (venv / "bin" / "python").exists():
        raise SetupError(f"--skip-install: no virtual environment at {venv}")
    if not reuse:
        log(f"creating {venv} and installing the peers (pinned to PyPI's newest versions)")
        create_venv(python, venv)
        for requirement, status in install(venv, log).items():
            if status != "ok":
                log(f"  could not install {requirement}: {status}")
    tools, missing = peer_tools(venv), {}
    for name in list(tools):
        reason = probe(tools[name], venv, scratch)
        if reason is not None:
            missing[name] = reason
            del tools[name]
    return tools, missing
