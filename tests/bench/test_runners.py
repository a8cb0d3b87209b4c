"""How the benchmark reads a tool's exit (the documented codes, plus the crash guard), runs a
child process (timeout, working directory, missing executable) and turns runs into the report and
its PASS/MISS targets. Child processes here are small Python scripts, never a peer scanner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpus import BENIGN, MALICIOUS, Label
from detection import cell, render, report
from peers import (
    CLEAN,
    DETECTED,
    ERROR,
    LIBRARY,
    STANDARD,
    Run,
    Tool,
    ToolResult,
    aibom_tool,
    check_marker,
    classify,
    peer_tools,
    run_library,
    run_tool,
)
from tests.unsafe.payloads import benign_pickle, evil_call

CRASH = (
    "Traceback (most recent call last):\n"
    '  File "fickling/cli.py", line 5, in <module>\n'
    "ModuleNotFoundError: No module named 'typing_extensions'\n"
)


def _python(code: str, codes: dict[int, str] = STANDARD) -> Tool:
    return Tool("py", lambda target, scratch: [sys.executable, "-c", code, str(target)], codes)


def test_documented_exit_codes() -> None:
    tool = _python("")
    assert classify(tool, 0, "") == (CLEAN, "")
    assert classify(tool, 1, "") == (DETECTED, "")
    assert classify(tool, 2, "bad pickle\n") == (ERROR, "exit 2: bad pickle")
    assert classify(tool, 139, "")[0] == ERROR
    modelscan = peer_tools(Path("/nonexistent"))["modelscan"]
    assert classify(modelscan, 3, "no supported files")[0] == ERROR
    assert classify(modelscan, 4, "usage")[0] == ERROR


def test_an_uncaught_exception_is_never_a_detection() -> None:
    """fickling 0.1.12 without typing_extensions exits 1, the code it uses for 'unsafe'."""
    outcome, note = classify(_python(""), 1, CRASH)
    assert outcome == ERROR and "typing_extensions" in note
    logged = CRASH + "Scan finished: 1 dangerous import\n"  # a logged traceback, then a verdict
    assert classify(_python(""), 1, logged) == (DETECTED, "")


def test_run_tool_runs_in_scratch_and_maps_the_exit(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"x")
    writes = "import pathlib, sys; pathlib.Path('out.txt').write_text(sys.argv[1]); sys.exit(1)"
    run = run_tool(_python(writes), target, tmp_path, timeout=60)
    assert (run.outcome, run.code) == (DETECTED, 1) and run.seconds > 0
    assert (tmp_path / "out.txt").read_text() == str(target)
    assert run_tool(_python("pass"), target, tmp_path, timeout=60).outcome == CLEAN
    crash = run_tool(_python("raise RuntimeError('boom')"), target, tmp_path, timeout=60)
    assert crash.outcome == ERROR and "RuntimeError: boom" in crash.note


def test_timeouts_and_missing_executables_are_errors(tmp_path: Path) -> None:
    slow = run_tool(_python("import time; time.sleep(30)"), tmp_path, tmp_path, timeout=0.5)
    assert slow.outcome == ERROR and slow.code is None and "timeout" in slow.note
    ghost = Tool("ghost", lambda target, scratch: [str(tmp_path / "missing")], STANDARD)
    missing = run_tool(ghost, tmp_path, tmp_path, timeout=5)
    assert missing.outcome == ERROR and "cannot start" in missing.note


def test_command_lines(tmp_path: Path) -> None:
    aibom = aibom_tool(Path("/venv/bin/aibom"), "medium").argv(tmp_path / "m.pkl", tmp_path)
    assert aibom[:3] == ["/venv/bin/aibom", "scan", str(tmp_path / "m.pkl")]
    assert aibom[3:] == ["--fail-on", "medium", "-q", "--no-cache"]
    tools = peer_tools(Path("/peers"))
    fickling = tools["fickling"].argv(tmp_path / "m.pkl", tmp_path)
    assert str(tmp_path / "fickling.json") in fickling and not tools["fickling"].directory
    assert tools["modelaudit"].argv(tmp_path, tmp_path)[:3] == [
        "/peers/bin/modelaudit",
        "scan",
        "--no-cache",
    ]


def test_marker_check(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    clean, dirty = ToolResult("clean"), ToolResult("dirty")
    check_marker(marker, clean, print)
    marker.write_text("pwned")
    check_marker(marker, dirty, print)
    assert clean.marker_absent and not dirty.marker_absent
    assert not marker.exists()


def test_library_run_maps_findings_to_corpus_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for rel, data in {
        "malicious/os_system/m.pkl": evil_call("os", "system", "id"),
        "benign/ordered_dict/ok.pkl": benign_pickle(),
    }.items():
        (corpus / rel).parent.mkdir(parents=True)
        (corpus / rel).write_bytes(data)
    result = run_library(corpus, ["benign/ordered_dict/ok.pkl", "malicious/os_system/m.pkl"])
    outcomes = {path: run.outcome for path, run in result.runs.items()}
    assert outcomes == {"benign/ordered_dict/ok.pkl": CLEAN, "malicious/os_system/m.pkl": DETECTED}
    assert result.name == LIBRARY and result.wall > 0


def _labels() -> dict[str, Label]:
    def mal(technique: str) -> Label:
        return Label(MALICIOUS, technique, "CVE-0", "critical", "pickle", "AIBOM-PKL-001")

    return {
        "malicious/a/1.pkl": mal("a"),
        "malicious/b/1.pkl": mal("b"),
        "malicious/b/2.pkl": mal("b"),
        "benign/k/1.pkl": Label(BENIGN, "k", "", "low", "pickle"),
    }


def _result(name: str, outcomes: list[str], wall: float) -> ToolResult:
    runs = {path: Run(o, 0.1, 0) for path, o in zip(sorted(_labels()), outcomes, strict=True)}
    return ToolResult(name, runs=runs, wall=wall)


@pytest.fixture
def results() -> dict[str, ToolResult]:
    every = [DETECTED, DETECTED, DETECTED, CLEAN]  # benign/ sorts first
    return {
        "aibom@medium": _result("aibom@medium", [CLEAN, *every[:3]], 10.0),
        "aibom@high": _result("aibom@high", [CLEAN, *every[:3]], 10.0),
        LIBRARY: _result(LIBRARY, [CLEAN, *every[:3]], 1.0),
        "picklescan": _result("picklescan", [DETECTED, DETECTED, ERROR, CLEAN], 5.0),
        "modelscan": ToolResult("modelscan", reason="modelscan is not installed"),
    }


def test_report_targets_and_table(results: dict[str, ToolResult], tmp_path: Path) -> None:
    rep = report(_labels(), results, {"picklescan": "1.0.5"}, tmp_path, tmp_path / "marker")
    picklescan = rep["tools"]["picklescan"]
    assert (picklescan["detected"], picklescan["false_positives"]) == (1, 1)
    assert (picklescan["errors_malicious"], picklescan["errors_benign"]) == (1, 0)
    verdicts = {t["target"]: t["pass"] for t in rep["targets"]}
    assert verdicts == {
        "aibom recall 100%": True,
        "aibom false positives 0": True,
        "more detections than picklescan": True,
        "faster than the fastest peer (per-file wall)": False,  # 10 s against 5 s
    }
    rows = {t["technique"]: t["results"] for t in rep["techniques"]}
    assert rows["a"]["picklescan"] == "✓" and rows["b"]["picklescan"] == "err"
    assert rep["benign_kinds"][0]["results"]["picklescan"] == "FP 1/1"
    text = render(rep)
    assert "modelscan" in text and "not available: modelscan is not installed" in text
    assert "MISS  faster than the fastest peer" in text and "PASS  aibom recall 100%" in text
    assert "absent after every tool" in text


def test_cells() -> None:
    runs = {"x": Run(DETECTED, 0, 1), "y": Run(CLEAN, 0, 0), "z": Run(ERROR, 0, 2)}
    assert cell(runs, ["x"]) == "✓"
    assert cell(runs, ["x", "y"]) == "1/2"
    assert cell(runs, ["y"]) == "✗"
    assert cell(runs, ["y", "z"]) == "err"
    assert cell(runs, ["y"], benign=True) == "ok"
    assert cell(runs, ["x", "y"], benign=True) == "FP 1/2"
