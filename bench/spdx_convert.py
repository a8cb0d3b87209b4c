"""SPDX export benchmark: ``aibom convert BOM --to spdx-json`` time and peak memory by BOM size.

    .venv/bin/python bench/spdx_convert.py                      # 1k, 10k and 50k file components
    .venv/bin/python bench/spdx_convert.py --files 100000 --json

Each BOM is aibom-shaped and synthetic: one machine-learning-model component with a model card and a
dataset, holding ``--files`` file components (SHA-256 hash and three properties each), plus a few
Python packages. ``aibom convert`` runs as a child process; the wall time and the child's peak RSS
(``ru_maxrss`` from ``os.wait4``) are printed with the BOM and output sizes. The output must be
JSON-LD with one SPDX element per component, else the run is an error (exit 2). A benchmark
measures; it never fails on a number.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AIBOM = str(Path(sys.executable).with_name("aibom"))


def synthetic_bom(files: int) -> dict[str, Any]:
    children = [
        {
            "type": "file",
            "bom-ref": f"file:m/shard-{i:06d}.safetensors",
            "name": f"shard-{i:06d}.safetensors",
            "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(str(i).encode()).hexdigest()}],
            "properties": [
                {"name": "aibom:file:kind", "value": "weights"},
                {"name": "aibom:file:format", "value": "safetensors"},
                {"name": "aibom:file:size", "value": str(1000 + i)},
            ],
        }
        for i in range(files)
    ]
    model = {
        "type": "machine-learning-model",
        "bom-ref": "model:m",
        "name": "m",
        "licenses": [{"license": {"id": "Apache-2.0"}}],
        "components": children,
        "modelCard": {
            "modelParameters": {"task": "fill-mask", "datasets": [{"ref": "dataset:d"}]},
            "quantitativeAnalysis": {"performanceMetrics": [{"type": "accuracy", "value": "0.9"}]},
        },
    }
    packages = [
        {
            "type": "library",
            "bom-ref": f"pkg:pypi/p{i}@1.0",
            "name": f"p{i}",
            "version": "1.0",
            "purl": f"pkg:pypi/p{i}@1.0",
        }
        for i in range(20)
    ]
    dataset = {"type": "data", "bom-ref": "dataset:d", "name": "d", "data": [{"type": "dataset"}]}
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "component": {"type": "application", "bom-ref": "root", "name": "root"},
        },
        "components": [model, dataset, *packages],
        "dependencies": [
            {"ref": "root", "dependsOn": ["model:m", *(p["bom-ref"] for p in packages)]},
            {"ref": "model:m", "dependsOn": ["dataset:d"]},
        ],
    }


def measure(bom: Path, out: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS bytes, exit status) of one ``aibom convert``."""
    start = time.perf_counter()
    proc = subprocess.Popen([AIBOM, "convert", str(bom), "--to", "spdx-json", "-q", "-o", str(out)])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss * 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, action="append", help="file components (repeatable)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    sizes = args.files or [1000, 10_000, 50_000]
    results = []
    with tempfile.TemporaryDirectory(prefix="aibom-spdx-bench-") as tmp:
        for files in sizes:
            bom, out = Path(tmp) / f"bom-{files}.json", Path(tmp) / f"out-{files}.json"
            bom.write_text(json.dumps(synthetic_bom(files)))
            wall, rss, code = measure(bom, out)
            if code != 0:
                print(f"error: aibom convert exited {code} for {files} files", file=sys.stderr)
                return 2
            graph = json.loads(out.read_text())["@graph"]
            made = sum(1 for o in graph if o.get("type") == "software_File")
            if made != files:
                print(
                    f"error: {made} software_File elements for {files} file components",
                    file=sys.stderr,
                )
                return 2
            row = {
                "files": files,
                "bom_mb": bom.stat().st_size / 1e6,
                "spdx_mb": out.stat().st_size / 1e6,
                "wall_s": wall,
                "peak_rss_mb": rss / 1e6,
            }
            results.append(row)
            print(
                f"{files:>8} files  BOM {row['bom_mb']:7.1f} MB  SPDX {row['spdx_mb']:7.1f} MB  {wall:6.2f} s  peak RSS {row['peak_rss_mb']:7.1f} MB"
            )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
