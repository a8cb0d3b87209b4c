"""Measure aibom's false alarms on the real-library benign corpus built by ``build.py``.

Runs the installed ``aibom`` CLI once over ``bench/_data/real_corpus/files`` in a subprocess, reads
the CycloneDX JSON BOM it writes (plain JSON: file components, ``vulnerabilities`` with their
``aibom:file:path`` property, and the ``aibom:scan:skipped`` metadata list) and reports, per
library: files, flagged high or critical, flagged medium, low/info only, clean, skipped, and files
not accounted for (on disk, but neither a file component, nor skipped, nor named by a finding).
It also lists the imports (``module.name``) behind the high/medium findings, with the libraries
whose files carry them: the work list for the allowlist.

Only the CLI and the BOM are used (no ``import aibom``), and no corpus file is ever loaded.
Files that deliberately carry code (``carries_code`` in the manifest: cloudpickled lambdas, classes
pickled by value, whole-module saves of a user class) are kept out of the main table, where a flag
would be a false positive, and shown on their own.

    .venv/bin/python bench/real_corpus/measure.py            # table on stderr
    .venv/bin/python bench/real_corpus/measure.py --json > before.json

Exits 0 whatever the numbers; 2 when it could not measure (no corpus, aibom failed, no BOM).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = REPO / "bench" / "_data" / "real_corpus"
SEV_RANK = {"none": 0, "unknown": 0, "info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
BUCKETS = ["high+", "medium", "low/info", "clean", "not-inv", "skipped", "unaccounted"]
P_PATH = "aibom:file:path"
P_MEMBER = "aibom:finding:member"
P_EVIDENCE = "aibom:finding:evidence"
P_SKIPPED = "aibom:scan:skipped"
P_NOT_INVENTORIED = "aibom:scan:not-inventoried"
"""Files analysed but outside any model or dataset: listed with their format, no component."""
P_FORMAT = "aibom:file:format"
_IMPORT_MSG = re.compile(r"\bimports ([A-Za-z_][\w.]*)")
_IMPORT_OF = re.compile(r"\bimport of ([A-Za-z_][\w.]*)")
_EVIDENCE = re.compile(r"^(?:STACK_GLOBAL|GLOBAL|INST)\s+(\S+)\s+(\S+)")
_NUM = re.compile(r"(?<![\w.])(?:#?\d+|0x[0-9a-f]+)(?![\w.])")


def default_aibom() -> str:
    beside = Path(sys.executable).parent / "aibom"
    return str(beside) if beside.exists() else "aibom"


def props(obj: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = collections.defaultdict(list)
    for p in obj.get("properties", []) or []:
        out[p.get("name", "")].append(p.get("value", ""))
    return out


def walk_components(comps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    stack = list(comps)
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.get("components", []) or [])
    return out


def worst(ratings: list[dict[str, Any]]) -> str:
    sevs = [str(r.get("severity", "unknown")) for r in ratings or []]
    return max(sevs, key=lambda s: SEV_RANK.get(s, 0), default="unknown")


def import_names(v: dict[str, Any]) -> list[str]:
    """module.name behind a finding, from its message (the canonical name) or its evidence."""
    text = str(v.get("description", ""))
    names = _IMPORT_MSG.findall(text) + _IMPORT_OF.findall(text)
    if not names:
        for ev in props(v).get(P_EVIDENCE, []):
            m = _EVIDENCE.match(ev)
            if m:
                names.append(f"{m.group(1)}.{m.group(2)}")
    return [n.rstrip(".") for n in names]


def cause(v: dict[str, Any]) -> str:
    """A finding's check id and message with offsets and counts blanked (for grouping)."""
    text = str(v.get("description", ""))
    text = re.sub(r"^.*?: ", "", text, count=1) if ": " in text[:60] else text
    return f"{v.get('id', '?')} " + _NUM.sub("N", text)[:140]


def run_scan(aibom: str, files: Path, bom: Path, timeout: int) -> tuple[float, int, str]:
    bom.parent.mkdir(parents=True, exist_ok=True)
    bom.unlink(missing_ok=True)
    cmd = [aibom, "scan", str(files), "-o", str(bom), "--no-cache", "--fail-on", "none", "-q"]
    print("$ " + " ".join(cmd), file=sys.stderr)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    wall = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if r.returncode not in (0, 1):
        print(r.stderr[-3000:], file=sys.stderr)
        raise SystemExit(2)
    return wall, max(rss, before), r.stderr


def aibom_version(aibom: str) -> str:
    r = subprocess.run([aibom, "--version"], capture_output=True, text=True, check=False)
    return (r.stdout or r.stderr).strip().splitlines()[-1] if (r.stdout or r.stderr) else "?"


def analyse(bom: dict[str, Any], files: Path, manifest: dict[str, Any] | None) -> dict[str, Any]:  # noqa: PLR0912, PLR0915
    root = files.name
    on_disk = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    disk_set = set(on_disk)
    meta = {}
    if manifest:
        meta = {e["path"]: e for e in manifest.get("files", [])}

    def rel_of(display: str) -> str | None:
        if display.startswith(root + "/"):
            return display[len(root) + 1 :]
        return display if display in disk_set else None

    components: dict[str, dict[str, Any]] = {}
    for c in walk_components(bom.get("components", []) or []):
        ref = str(c.get("bom-ref", ""))
        if not ref.startswith("file:"):
            continue
        display = re.sub(r"#\d+$", "", ref[5:]) if ref[5:] not in disk_set else ref[5:]
        rel = rel_of(display) or rel_of(ref[5:])
        if rel is not None:
            components[rel] = c
    skipped: dict[str, str] = {}
    not_inventoried: dict[str, str] = {}
    metadata = props(bom.get("metadata", {}) or {})
    for name, into in ((P_SKIPPED, skipped), (P_NOT_INVENTORIED, not_inventoried)):
        for text in metadata.get(name, []):
            # "path: reason"; a reason may hold ': ' too, so take the longest prefix that is a file.
            parts = text.split(": ")
            for i in range(len(parts) - 1, 0, -1):
                rel = rel_of(": ".join(parts[:i]))
                if rel is not None and rel in disk_set:
                    into[rel] = ": ".join(parts[i:])
                    break
            else:
                into[text] = "(path not on disk)"
    per_file: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    folder_findings: collections.Counter[str] = collections.Counter()
    ref_to_rel = {str(c.get("bom-ref")): rel for rel, c in components.items()}
    for v in bom.get("vulnerabilities", []) or []:
        pp = props(v)
        rel = None
        for display in pp.get(P_PATH, []):
            rel = rel_of(display)
            if rel is not None:
                break
        if rel is None:
            for a in v.get("affects", []) or []:
                rel = ref_to_rel.get(str(a.get("ref")))
                if rel is not None:
                    break
        if rel is None:
            folder_findings[f"{v.get('id')} {worst(v.get('ratings', []))}"] += 1
            continue
        per_file[rel].append(v)

    results = []
    for rel in on_disk:
        vs = per_file.get(rel, [])
        sev = max(
            (worst(v.get("ratings", [])) for v in vs), key=lambda s: SEV_RANK.get(s, 0), default=""
        )
        rank = SEV_RANK.get(sev, 0) if sev else -1
        if rank >= 4:
            bucket = "high+"
        elif rank == 3:
            bucket = "medium"
        elif rank >= 0 and vs:
            bucket = "low/info"
        elif rel in components:
            bucket = "clean"
        elif rel in not_inventoried:
            bucket = "not-inv"
        elif rel in skipped:
            bucket = "skipped"
        else:
            bucket = "unaccounted"
        m = meta.get(rel, {})
        comp = components.get(rel)
        results.append(
            {
                "path": rel,
                "library": m.get("library") or rel.split("/", 1)[0],
                "version": m.get("version") or (rel.split("/")[1] if "/" in rel else ""),
                "made": m.get("made") or ("shipped" if "/shipped/" in rel else "generated"),
                "api": m.get("api", ""),
                "carries_code": bool(m.get("carries_code")),
                "format": (props(comp).get(P_FORMAT, [""])[0] if comp else ""),
                "worst": sev or ("none" if rel in components else ""),
                "bucket": bucket,
                "in_bom": rel in components,
                "skipped": skipped.get(rel),
                "findings": [
                    {
                        "id": v.get("id"),
                        "severity": worst(v.get("ratings", [])),
                        "message": str(v.get("description", ""))[:300],
                        "imports": import_names(v),
                        "member": next(iter(props(v).get(P_MEMBER, [])), None),
                    }
                    for v in vs
                    if SEV_RANK.get(worst(v.get("ratings", [])), 0) >= 3
                ],
            }
        )
    extra_skipped = sorted(k for k in skipped if k not in disk_set)
    return {
        "results": results,
        "folder_findings": dict(folder_findings.most_common()),
        "skipped_not_on_disk": extra_skipped,
        "bom_file_components": len(components),
    }


def tables(results: list[dict[str, Any]], top: int) -> dict[str, Any]:
    def count(rows: list[dict[str, Any]]) -> dict[str, int]:
        c = collections.Counter(r["bucket"] for r in rows)
        return {"files": len(rows), **{b: c.get(b, 0) for b in BUCKETS}}

    main = [r for r in results if not r["carries_code"]]
    code = [r for r in results if r["carries_code"]]
    by_lib: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in main:
        by_lib[r["library"]].append(r)
    libraries = {lib: count(rows) for lib, rows in sorted(by_lib.items())}
    for lib, rows in sorted(by_lib.items()):
        libraries[lib]["generated"] = sum(r["made"] == "generated" for r in rows)
        libraries[lib]["shipped"] = sum(r["made"] == "shipped" for r in rows)
        libraries[lib]["versions"] = sorted({r["version"] for r in rows})  # type: ignore[assignment]
    imports: dict[str, dict[str, Any]] = {}
    causes: collections.Counter[str] = collections.Counter()
    cause_libs: dict[str, set[str]] = collections.defaultdict(set)
    for r in main:
        if r["bucket"] not in ("high+", "medium"):
            continue
        seen: set[str] = set()
        for f in r["findings"]:
            for name in f["imports"]:
                if name in seen:
                    continue
                seen.add(name)
                e = imports.setdefault(
                    name,
                    {
                        "import": name,
                        "files": 0,
                        "high": 0,
                        "medium": 0,
                        "libraries": collections.Counter(),
                        "made": collections.Counter(),
                        "checks": collections.Counter(),
                    },
                )
                e["files"] += 1
                e["high" if SEV_RANK[f["severity"]] >= 4 else "medium"] += 1
                e["libraries"][r["library"]] += 1
                e["made"][r["made"]] += 1
                e["checks"][f["id"]] += 1
            if not f["imports"]:
                key = cause({"id": f["id"], "description": f["message"]})
                causes[key] += 1
                cause_libs[key].add(r["library"])
    top_imports = sorted(imports.values(), key=lambda e: (-e["files"], e["import"]))[:top]
    for e in top_imports:
        e["libraries"] = dict(e["libraries"].most_common())
        e["made"] = dict(e["made"].most_common())
        e["checks"] = dict(e["checks"].most_common())
    top_causes = [
        {"cause": k, "files": n, "libraries": sorted(cause_libs[k])}
        for k, n in causes.most_common(top)
    ]
    formats = collections.Counter(
        r["format"] or "?" for r in main if r["bucket"] in ("high+", "medium")
    )
    return {
        "totals": count(main),
        "libraries": libraries,
        "carries_code": {
            **count(code),
            "paths_flagged": [r["path"] for r in code if r["bucket"] in ("high+", "medium")],
        },
        "top_imports": top_imports,
        "top_other_causes": top_causes,
        "flagged_formats": dict(formats.most_common()),
        "unaccounted": [r["path"] for r in results if r["bucket"] == "unaccounted"][:200],
    }


def print_tables(rep: dict[str, Any]) -> None:
    w = sys.stderr.write
    cols = ["files", *BUCKETS]
    w(f"\naibom {rep['aibom']}: {rep['files']} files in {rep['wall_s']:.1f} s wall "
      f"({rep['ms_per_file']:.2f} ms/file, peak RSS {rep['peak_rss_mb']:.0f} MB)\n\n")  # fmt: skip
    w(f"{'library':20} " + " ".join(f"{c:>11}" for c in cols) + "   gen/shipped  versions\n")
    for lib, row in rep["libraries"].items():
        w(f"{lib:20} " + " ".join(f"{row[c]:>11}" for c in cols))
        w(f"   {row['generated']:>4}/{row['shipped']:<5}  {', '.join(row['versions'])}\n")
    t = rep["totals"]
    w(f"{'TOTAL':20} " + " ".join(f"{t[c]:>11}" for c in cols) + "\n")
    flagged = t["high+"] + t["medium"]
    w(
        f"\nflagged high+ or medium: {flagged} of {t['files']} ({100 * flagged / max(t['files'], 1):.1f} %)\n"
    )
    cc = rep["carries_code"]
    w(f"deliberately code-carrying files (a flag is right): {cc['files']}, flagged high+/medium: "
      f"{cc['high+'] + cc['medium']}\n")  # fmt: skip
    w(
        "\ntop imports behind high/medium findings (files, high/medium, libraries, generated/shipped):\n"
    )
    for e in rep["top_imports"]:
        libs = ", ".join(f"{k} {v}" for k, v in e["libraries"].items())
        made = f"{e['made'].get('generated', 0)}/{e['made'].get('shipped', 0)}"
        w(f"  {e['files']:5}  {e['high']:4}/{e['medium']:<4} {e['import']:66} {made:>7}  {libs}\n")
    if rep["top_other_causes"]:
        w("\nother high/medium causes (no import named):\n")
        for e in rep["top_other_causes"]:
            w(f"  {e['files']:5}  {e['cause'][:110]}  [{', '.join(e['libraries'])}]\n")
    if rep["flagged_formats"]:
        w(
            "\nflagged files by aibom format: "
            + ", ".join(f"{k} {v}" for k, v in rep["flagged_formats"].items())
            + "\n"
        )
    if rep["unaccounted"]:
        w(f"\nnot accounted for ({rep['totals']['unaccounted']}), first ones:\n")
        for p in rep["unaccounted"][:15]:
            w(f"  {p}\n")
    if rep["folder_findings"]:
        w(
            "\nfindings on folders/models, not on a file: "
            + ", ".join(f"{k} x{v}" for k, v in rep["folder_findings"].items())
            + "\n"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--files", type=Path, default=DATA / "files", help="corpus folder (default: %(default)s)"
    )
    ap.add_argument("--manifest", type=Path, default=DATA / "manifest.json")
    ap.add_argument(
        "--aibom",
        default=default_aibom(),
        help="aibom executable (default: beside the interpreter)",
    )
    ap.add_argument(
        "--bom",
        type=Path,
        default=DATA / "measure" / "bom.json",
        help="where the scan writes its BOM",
    )
    ap.add_argument(
        "--reuse-bom", action="store_true", help="analyse an existing --bom without scanning again"
    )
    ap.add_argument(
        "--details",
        type=Path,
        default=DATA / "measure" / "per_file.json",
        help="per-file results are written here",
    )
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    args = ap.parse_args()
    files = args.files.resolve()
    if not files.is_dir() or not any(files.iterdir()):
        print(f"no corpus at {files}: run bench/real_corpus/build.py first", file=sys.stderr)
        return 2
    manifest = json.loads(args.manifest.read_text()) if args.manifest.exists() else None
    if args.reuse_bom and args.bom.exists():
        wall, rss = float("nan"), 0
    else:
        wall, rss, _ = run_scan(args.aibom, files, args.bom, args.timeout)
    try:
        bom = json.loads(args.bom.read_text())
    except (OSError, ValueError) as exc:
        print(f"no readable BOM at {args.bom}: {exc}", file=sys.stderr)
        return 2
    an = analyse(bom, files, manifest)
    rep: dict[str, Any] = {
        "aibom": aibom_version(args.aibom),
        "files": len(an["results"]),
        "wall_s": round(wall, 2),
        "ms_per_file": round(1000 * wall / max(len(an["results"]), 1), 3),
        "peak_rss_mb": round(rss / 1024, 1),
        "bom_file_components": an["bom_file_components"],
        "folder_findings": an["folder_findings"],
        "skipped_not_on_disk": an["skipped_not_on_disk"],
        **tables(an["results"], args.top),
    }
    args.details.parent.mkdir(parents=True, exist_ok=True)
    args.details.write_text(json.dumps(an["results"], indent=1))
    print_tables(rep)
    print(f"\nper-file results: {os.path.relpath(args.details)}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
