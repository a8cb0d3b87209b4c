"""Detection benchmark: aibom against picklescan, modelscan, fickling and modelaudit on the
project's own labelled corpus (``bench/corpus.py``: every technique the test suite builds, and
real benign files).

    .venv/bin/python bench/detection.py                 # builds the peers' venv, then runs
    .venv/bin/python bench/detection.py --skip-install --json --keep --dir bench/_data/detection

In one run it writes the corpus, installs the peers (pinned to PyPI's newest versions) into
their own virtual environment (default ``bench/_data/venv-peers``, gitignored), then invokes
every tool once per corpus file (``aibom scan FILE --fail-on medium -q --no-cache``, and again at
``--fail-on high``) and once over the corpus folder, and times ``aibom.scan.scan`` over the
folder in-process to separate start-up cost from scanning. It prints per tool the recall on
malicious files, false positives on benign files, files it could not process and wall time;
then one row per technique, and the targets (100% recall, no false positive, strictly more
detections than every peer, faster than the fastest peer) as PASS/MISS. The speed target uses
the per-file wall times (one process per file, start-up included, as the detection numbers).

Payloads are only ever written: each would create a marker file beside the corpus if loaded,
and the marker is checked after every tool. Exit 0 whatever the numbers, 2 on setup errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from corpus import BENIGN, LABELS_FILE, MALICIOUS, MARKER_NAME, ROOT, Label, write_corpus
from peers import (
    CLEAN,
    DETECTED,
    ERROR,
    LIBRARY,
    PEERS,
    SUPPORT,
    Run,
    SetupError,
    ToolResult,
    aibom_tool,
    check_marker,
    installed_versions,
    run_library,
    run_per_file,
    run_tool,
    setup_peers,
)

CELL = {DETECTED: "✓", CLEAN: "✗", ERROR: "err"}
ORDER = ("aibom@medium", "aibom@high", LIBRARY, *PEERS)
FAMILIES = ("pickle", "keras", "tensorflow", "onnx", "gguf", "template", "safetensors", "other")
Summary = dict[str, Any]


class BenchError(Exception):
    """The benchmark could not measure: reported, then exit 2."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- running


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    corpus, marker, scratch = work / "corpus", work / MARKER_NAME, work / "scratch"
    prepare(work, corpus, marker, scratch)
    log(f"writing the corpus to {corpus}")
    labels = write_corpus(corpus, marker)
    files = sorted(labels)
    aibom = Path(args.aibom).absolute()
    if not aibom.exists():
        raise BenchError(f"aibom executable not found: {aibom}")
    tools = {t.name: t for t in (aibom_tool(aibom, "medium"), aibom_tool(aibom, "high"))}
    missing: dict[str, str] = {}
    venv = Path(args.venv).absolute()
    if not args.no_peers:
        peers, missing = setup_peers(
            venv, scratch, reuse=args.skip_install, python=sys.executable, log=log
        )
        tools |= peers
    results = {}
    for name, tool in tools.items():
        log(f"{name}: {len(files)} files, one process each")
        results[name] = run_per_file(tool, corpus, files, scratch, args.timeout, log)
        if tool.directory:
            results[name].directory = run_tool(tool, corpus, scratch, args.timeout * 10)
        check_marker(marker, results[name], log)
    results[LIBRARY] = run_library(corpus, files)
    check_marker(marker, results[LIBRARY], log)
    results |= {name: ToolResult(name, reason=why) for name, why in missing.items()}
    versions = {} if args.no_peers else installed_versions(venv, [*PEERS, *SUPPORT])
    return report(labels, results, versions, corpus, marker)


def prepare(work: Path, corpus: Path, marker: Path, scratch: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    if corpus.exists():
        if not (corpus / LABELS_FILE).exists():
            raise BenchError(f"{corpus} exists and is not a corpus from an earlier run")
        shutil.rmtree(corpus)
    marker.unlink(missing_ok=True)
    scratch.mkdir(exist_ok=True)


# ---------------------------------------------------------------- the report


def summary(result: ToolResult, labels: dict[str, Label]) -> Summary:
    if result.reason:
        return {"available": False, "reason": result.reason}

    def count(label: str, outcome: str) -> int:
        runs = result.runs.items()
        return sum(1 for p, r in runs if labels[p].label == label and r.outcome == outcome)

    return {
        "available": True,
        "detected": count(MALICIOUS, DETECTED),
        "malicious": sum(1 for x in labels.values() if x.label == MALICIOUS),
        "false_positives": count(BENIGN, DETECTED),
        "benign": sum(1 for x in labels.values() if x.label == BENIGN),
        "errors_malicious": count(MALICIOUS, ERROR),
        "errors_benign": count(BENIGN, ERROR),
        "wall_seconds": round(result.wall, 3),
        "marker_absent": result.marker_absent,
        "directory": asdict(result.directory) if result.directory else None,
        "per_file": {path: asdict(run) for path, run in sorted(result.runs.items())},
    }


def groups(labels: dict[str, Label], label: str) -> dict[str, list[str]]:
    """technique (or benign kind) -> its files, by format family, then name."""
    out: dict[str, list[str]] = {}
    for path, entry in sorted(labels.items(), key=lambda kv: (FAMILIES.index(kv[1].family), kv[0])):
        if entry.label == label:
            out.setdefault(entry.technique, []).append(path)
    return out


def cell(runs: dict[str, Run], files: list[str], benign: bool = False) -> str:
    outcomes = [runs[f].outcome for f in files]
    hits = outcomes.count(DETECTED)
    if hits and benign:
        return f"FP {hits}/{len(files)}"
    if hits == len(files):
        return CELL[DETECTED]
    if hits:
        return f"{hits}/{len(files)}"
    return "err" if ERROR in outcomes else ("ok" if benign else CELL[CLEAN])


def available_peers(tools: dict[str, Summary]) -> dict[str, Summary]:
    return {n: s for n, s in tools.items() if n in PEERS and s["available"]}


def targets(tools: dict[str, Summary]) -> list[dict[str, Any]]:
    ours, peers = tools["aibom@medium"], available_peers(tools)
    found, total, fps = ours["detected"], ours["malicious"], ours["false_positives"]
    rows = [
        _target("aibom recall 100%", found == total, f"{found}/{total}"),
        _target("aibom false positives 0", fps == 0, f"{fps}/{ours['benign']}"),
    ]
    for name, peer in peers.items():
        value = f"{found} vs {peer['detected']}"
        rows.append(_target(f"more detections than {name}", found > peer["detected"], value))
    if peers:
        fastest = min(peers, key=lambda n: peers[n]["wall_seconds"])
        theirs = peers[fastest]["wall_seconds"]
        value = f"aibom {ours['wall_seconds']:.1f} s vs {fastest} {theirs:.1f} s"
        rows.append(
            _target(
                "faster than the fastest peer (per-file wall)", ours["wall_seconds"] < theirs, value
            )
        )
    return rows


def _target(name: str, ok: bool, value: str) -> dict[str, Any]:
    return {"target": name, "pass": ok, "value": value}


def report(
    labels: dict[str, Label],
    results: dict[str, ToolResult],
    versions: dict[str, str | None],
    corpus: Path,
    marker: Path,
) -> dict[str, Any]:
    ran = {n: r for n, r in results.items() if not r.reason}
    techniques = [
        {
            "technique": name,
            "advisory": labels[files[0]].advisory,
            "also": list(labels[files[0]].also),
            "files": len(files),
            "results": {n: cell(r.runs, files) for n, r in ran.items()},
        }
        for name, files in groups(labels, MALICIOUS).items()
    ]
    kinds = [
        {
            "kind": name,
            "family": labels[files[0]].family,
            "files": len(files),
            "results": {n: cell(r.runs, files, benign=True) for n, r in ran.items()},
        }
        for name, files in groups(labels, BENIGN).items()
    ]
    tools = {name: summary(result, labels) for name, result in results.items()}
    return {
        "corpus": str(corpus),
        "marker": str(marker),
        "versions": versions,
        "tools": tools,
        "techniques": techniques,
        "benign_kinds": kinds,
        "targets": targets(tools),
        "load_average": list(os.getloadavg()),
    }


# ---------------------------------------------------------------- text output


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def tool_row(name: str, s: Summary) -> list[str]:
    if not s["available"]:
        return [name, "not available: " + s["reason"], "", "", "", ""]
    found, fps = _pct(s["detected"], s["malicious"]), _pct(s["false_positives"], s["benign"])
    errors = f"{s['errors_malicious']} / {s['errors_benign']}"
    marker = "absent" if s["marker_absent"] else "APPEARED"
    return [name, found, fps, errors, f"{s['wall_seconds']:.1f}", marker]


def directory_row(name: str, s: Summary) -> list[str] | None:
    run = s.get("directory")
    if run:
        return [name, str(run["code"]), run["outcome"], f"{run['seconds']:.1f}", run["note"][:60]]
    if s["available"] and name != LIBRARY:
        return [name, "", "n/a (takes one file)", "", ""]
    return None


def error_lines(tools: dict[str, Summary]) -> list[str]:
    lines = []
    for name in sorted(tools, key=ORDER.index):
        counts: dict[str, int] = {}
        for run in tools[name].get("per_file", {}).values():
            if run["outcome"] == ERROR:
                counts[run["note"][:90]] = counts.get(run["note"][:90], 0) + 1
        for note, n in sorted(counts.items(), key=lambda kv: -kv[1])[:3]:
            lines.append(f"  {name}: {n} x {note}")
    return lines or ["  none"]


def header(rep: dict[str, Any]) -> list[str]:
    ours = rep["tools"]["aibom@medium"]
    versions = ", ".join(f"{k} {v}" for k, v in rep["versions"].items()) or "(no peers)"
    variants = sum(len(t["also"]) for t in rep["techniques"])
    same = f", +{variants} byte-identical variants" if variants else ""
    malicious = f"{ours['malicious']} malicious files ({len(rep['techniques'])} techniques{same})"
    benign = f"{ours['benign']} benign files ({len(rep['benign_kinds'])} kinds)"
    load = " ".join(f"{x:.2f}" for x in rep["load_average"])
    return [
        f"Corpus {rep['corpus']}: {malicious}, {benign}",
        f"Peer environment: {versions}",
        f"Load average at the end: {load}",
    ]


def tool_sections(tools: dict[str, Summary]) -> list[str]:
    names = sorted(tools, key=ORDER.index)
    columns = ["tool", "recall (malicious)", "FP (benign)", "errors mal / benign", "wall s"]
    dirs = [row for n in names if (row := directory_row(n, tools[n]))]
    return [
        "Per-file invocations (one process per file; wall includes each tool's start-up).",
        f"'{LIBRARY}' is aibom.scan.scan over the corpus folder in-process (>= medium).",
        *table([*columns, "marker"], [tool_row(n, tools[n]) for n in names]),
        "",
        "Per-directory invocation (one process over the corpus folder; exit code only):",
        *table(["tool", "exit", "outcome", "wall s", "note"], dirs),
        "",
        "Most frequent errors (could not process):",
        *error_lines(tools),
    ]


def row_sections(rep: dict[str, Any]) -> list[str]:
    tools = rep["tools"]
    names = [n for n in sorted(tools, key=ORDER.index) if tools[n]["available"]]
    techniques = [
        [_technique_name(t), t["advisory"][:40], *(t["results"][n] for n in names)]
        for t in rep["techniques"]
    ]
    kinds = [
        [k["kind"], k["family"], str(k["files"]), *(k["results"][n] for n in names)]
        for k in rep["benign_kinds"]
    ]
    return [
        "Malicious techniques (✓ detected, ✗ missed, err could not process, k/n partial):",
        *table(["technique", "advisory", *names], techniques),
        "",
        "Benign kinds (ok not flagged, FP k/n flagged, err could not process):",
        *table(["kind", "family", "files", *names], kinds),
    ]


def target_section(rep: dict[str, Any]) -> list[str]:
    verdicts = [
        f"  {'PASS' if t['pass'] else 'MISS'}  {t['target']}: {t['value']}" for t in rep["targets"]
    ]
    return [
        "Targets (aibom = aibom@medium per-file CLI runs; speed compares per-file wall times):",
        *verdicts,
        *_speed_notes(rep["tools"]),
        _marker_line(rep),
    ]


def render(rep: dict[str, Any]) -> str:
    sections = [header(rep), tool_sections(rep["tools"]), row_sections(rep), target_section(rep)]
    return "\n\n".join("\n".join(section) for section in sections)


def _technique_name(entry: dict[str, Any]) -> str:
    also = f" (+{len(entry['also'])})" if entry["also"] else ""
    name = str(entry["technique"])
    return (name if len(name) <= 44 else name[:43] + "…") + also


def _speed_notes(tools: dict[str, Summary]) -> list[str]:
    peers = available_peers(tools)
    if not peers:
        return []
    fastest = min(peers, key=lambda n: peers[n]["wall_seconds"])
    library, theirs = tools[LIBRARY]["wall_seconds"], peers[fastest]["wall_seconds"]
    lines = [
        f"  info  in-process library scan {library:.1f} s vs {fastest} per-file {theirs:.1f} s"
    ]
    dirs = {n: s["directory"]["seconds"] for n, s in peers.items() if s.get("directory")}
    ours = tools["aibom@medium"].get("directory")
    if dirs and ours:
        quick = min(dirs, key=lambda n: dirs[n])
        lines.append(
            f"  info  per-directory: aibom {ours['seconds']:.1f} s vs {quick} {dirs[quick]:.1f} s"
        )
    return lines


def _marker_line(rep: dict[str, Any]) -> str:
    bad = [n for n, s in rep["tools"].items() if s["available"] and not s["marker_absent"]]
    if bad:
        return f"Marker check: {rep['marker']} APPEARED after {', '.join(bad)}"
    return f"Marker check: {rep['marker']} absent after every tool (no payload ran)"


# ---------------------------------------------------------------- entry point


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Detection benchmark: aibom against its peers.")
    add = parser.add_argument
    add("--dir", help="work folder (default: a fresh folder under the temp dir)")
    add("--venv", default=str(ROOT / "bench" / "_data" / "venv-peers"), help="peers' venv")
    add("--skip-install", action="store_true", help="reuse the peers' venv as it is")
    add("--no-peers", action="store_true", help="run aibom only")
    add("--keep", action="store_true", help="keep the corpus and scratch files")
    add("--json", action="store_true", help="JSON on stdout (the tables go to stderr)")
    add("--timeout", type=float, default=120.0, help="seconds per file and tool")
    add("--aibom", default=str(Path(sys.executable).parent / "aibom"), help="aibom executable")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="aibom-detection-"))
    work = work.resolve()  # the tools run from scratch/: every path handed to them is absolute
    try:
        rep = measure(args, work)
    except (BenchError, SetupError, OSError) as exc:
        log(f"error: {exc}")
        return 2
    finally:
        cleanup(work, args)
    emit: Callable[[str], None] = log if args.json else print
    emit(render(rep))
    if args.json:
        print(json.dumps(rep, indent=1, ensure_ascii=False))
    return 0


def cleanup(work: Path, args: argparse.Namespace) -> None:
    if args.keep:
        log(f"kept {work}")
    elif args.dir:
        for name in ("corpus", "scratch"):
            shutil.rmtree(work / name, ignore_errors=True)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
