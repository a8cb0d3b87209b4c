"""BOM input/output benchmark: reading and rendering a large BOM against plain ``json``, and the
round-trip equality rate over the published CycloneDX examples.

    .venv/bin/python bench/bom_io.py                    # ~50 MB BOM, median of 3
    .venv/bin/python bench/bom_io.py --mb 10 --repeat 1 --json

1. Writes a deterministic CycloneDX 1.6 JSON BOM of about ``--mb`` MB: many library components,
   each with three hashes, properties, a license, a purl and a description, plus a dependency graph.
2. Times (in this process, median of ``--repeat``):
   - baseline: ``json.load`` of the file and ``json.dump`` of the result to a file;
   - ``read_bom`` (size, depth and component limits, version checks) and ``render`` to a file, for
     the ``json`` and ``html`` reports (``aibom report``'s work without process start-up);
   - for information: the XML form of the same BOM written (``write_xml``, XSD validation
     included), then ``read_bom`` of that XML plus the ``json`` report.
   Target (from the issue): read + render under 2x the baseline.
3. The round-trip rate over tests/data/cyclonedx (see tests/bomdoc/test_roundtrip.py): JSON ->
   read -> JSON, XML -> read -> XML, XML -> JSON form -> XML, by version and format, with every
   failure named.

Exits 0 whatever the numbers (a missed target prints MISS); 2 when it could not measure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the comparison helpers live in the test suite
    sys.path.insert(0, str(ROOT))

from tests.bomdoc.roundtrip import DATA, corpus, parse, xml_difference  # noqa: E402

from aibom.bom.xml import write_xml  # noqa: E402
from aibom.bomdoc import read_bom  # noqa: E402
from aibom.errors import AibomError  # noqa: E402
from aibom.render import RenderOptions, render  # noqa: E402

TARGET = 2.0
COMPONENT_BYTES = 1_390
"""About how many bytes of JSON one generated component takes."""


def make_bom(path: Path, megabytes: float) -> int:
    """A deterministic BOM of about ``megabytes`` MB at ``path``; returns its component count."""
    count = max(1, int(megabytes * 1_000_000 / COMPONENT_BYTES))
    components = []
    for i in range(count):
        name = f"package-{i:07d}"
        components.append(
            {
                "type": "library",
                "bom-ref": f"pkg:pypi/{name}@1.{i % 97}.{i % 13}",
                "name": name,
                "version": f"1.{i % 97}.{i % 13}",
                "description": f"Generated component {i} for the BOM I/O benchmark",
                "purl": f"pkg:pypi/{name}@1.{i % 97}.{i % 13}",
                "hashes": [
                    {"alg": "SHA-256", "content": f"{i:064x}"},
                    {"alg": "SHA-512", "content": f"{i:0128x}"},
                    {"alg": "SHA-1", "content": f"{i:040x}"},
                ],
                "licenses": [{"license": {"id": "Apache-2.0"}}],
                "properties": [
                    {"name": "aibom:file:path", "value": f"site-packages/{name}/__init__.py"},
                    {"name": "aibom:package:installer", "value": "pip"},
                    {"name": "aibom:package:index", "value": "https://pypi.org/simple"},
                ],
            }
        )
    refs = [c["bom-ref"] for c in components]
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "component": {"type": "application", "name": "bench", "bom-ref": "root"},
        },
        "components": components,
        "dependencies": [{"ref": "root", "dependsOn": refs[:1000]}]
        + [{"ref": r, "dependsOn": refs[j + 1 : j + 3]} for j, r in enumerate(refs)],
    }
    path.write_text(json.dumps(doc, indent=2))
    return count


def timed(step: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def measure(bom: Path, scratch: Path, repeat: int) -> dict[str, float]:
    out = scratch / "out"

    def baseline() -> None:
        with bom.open() as fh:
            doc = json.load(fh)
        with out.open("w") as fh:
            json.dump(doc, fh, indent=2)

    def report(fmt: str, source: Path) -> Callable[[], None]:
        def run() -> None:
            doc = read_bom(source)
            out.write_text(render(fmt, doc, options=RenderOptions()))

        return run

    xml = scratch / "bom.xml"
    results = {"baseline": timed(baseline, repeat)}
    results["json_report"] = timed(report("json", bom), repeat)
    results["html_report"] = timed(report("html", bom), repeat)
    start = time.perf_counter()
    xml.write_text(write_xml(read_bom(bom)))
    results["write_xml"] = time.perf_counter() - start
    results["xml_read_json_report"] = timed(report("json", xml), repeat)
    results["xml_mb"] = xml.stat().st_size / 1e6
    return results


def roundtrip() -> tuple[Counter[tuple[str, str]], list[str]]:
    """Counts of (group/format, ok|failed) and one line per failure."""
    counts: Counter[tuple[str, str]] = Counter()
    failures: list[str] = []
    for path in corpus(".json") + corpus(".xml"):
        group = f"{path.parent.name}/{path.suffix[1:]}"
        try:
            doc = read_bom(path)
            if path.suffix == ".json":
                problem = (
                    None
                    if json.loads(json.dumps(doc)) == json.loads(path.read_bytes())
                    else "differs"
                )
            else:
                original = parse(path.read_bytes())
                problem = xml_difference(original, parse(write_xml(doc))) or xml_difference(
                    original, parse(write_xml(json.loads(json.dumps(doc))))
                )
        except AibomError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        counts[(group, "failed" if problem else "ok")] += 1
        if problem:
            failures.append(f"{path.relative_to(DATA)}: {problem}")
    return counts, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="BOM size in MB (default 50)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (median)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aibom-bom-io-") as tmp:
        scratch = Path(tmp)
        bom = scratch / "bom.json"
        try:
            count = make_bom(bom, args.mb)
            results = measure(bom, scratch, max(1, args.repeat))
        except (AibomError, OSError) as exc:
            print(f"error: could not measure: {exc}", file=sys.stderr)
            return 2
        size = bom.stat().st_size / 1e6
    base = results["baseline"]
    print(f"BOM: {size:.1f} MB JSON, {count:,} components ({results['xml_mb']:.1f} MB as XML)")
    print(f"baseline json.load + json.dump     {base:7.2f} s")
    summary: dict[str, Any] = {"mb": size, "components": count, **results}
    for key, label in (
        ("json_report", "read_bom + json report"),
        ("html_report", "read_bom + html report"),
    ):
        ratio = results[key] / base
        verdict = "PASS" if ratio < TARGET else "MISS"
        print(f"{label:<34} {results[key]:7.2f} s  {ratio:5.2f}x baseline  {verdict} (< {TARGET}x)")
        summary[f"{key}_ratio"] = ratio
    print(f"write_xml (XSD-validated)          {results['write_xml']:7.2f} s  (information)")
    print(
        f"read_bom XML + json report         {results['xml_read_json_report']:7.2f} s  (information)"
    )
    counts, failures = roundtrip()
    groups = sorted({g for g, _ in counts})
    total_ok = sum(n for (_, state), n in counts.items() if state == "ok")
    total = sum(counts.values())
    print(
        f"\nround trip over {DATA.relative_to(ROOT)}: {total_ok}/{total} equal ({100 * total_ok / total:.1f}%)"
    )
    for group in groups:
        ok, failed = counts[(group, "ok")], counts[(group, "failed")]
        print(f"  {group:<14} {ok:4d}/{ok + failed:<4d} {100 * ok / (ok + failed):6.1f}%")
    for line in failures:
        print(f"  FAILED {line}")
    summary["roundtrip"] = {"equal": total_ok, "total": total, "failures": failures}
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
