"""Hostile model cards: CPU time and peak memory of the card parser and of a whole scan, per case.

Issue 13 item 5: a model card heading followed by a long run of spaces took 40-75 s (regex
backtracking); the 16 MiB card ceiling allowed hours. Every case here is a README.md built to hit
one parsing path with its worst shape; each is written into its own model folder next to a tiny
``config.json`` and measured twice, each time in a child process:

- ``parse``: ``aibom.cards.parse_card`` alone (the child's CPU time of the call);
- ``scan``: the installed ``aibom scan DIR --no-cache --score --html --markdown --sarif`` (the
  child's whole CPU time and peak RSS from ``os.wait4``; that includes about 1 s of start-up, shown
  on the ``(start-up)`` line: the same scan of a small ordinary card).

Goal: each case <= 2 s of CPU beyond start-up and <= 200 MB peak RSS. A child still running after
``--timeout`` seconds is killed and shown as ``TIMEOUT`` (the old parser reached it on most cases).
Like every benchmark here it exits 0 whatever the numbers (``MISS`` marks a missed goal) and 2 only
when it could not measure.

    .venv/bin/python bench/hostile_cards.py                  # every case, 16 MiB where it matters
    .venv/bin/python bench/hostile_cards.py --mib 1 --only heading-spaces --timeout 20
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

MIB = 1 << 20
GOAL_CPU = 2.0
GOAL_RSS_MB = 200.0

_REAL_CARD = """---
license: apache-2.0
language: [en]
tags: [text-classification]
datasets: [imdb]
---
# Model Card for tiny

## Model Details

A **small** model with a [link](https://example.org) and `code`.

| metric | value |
|---|---|
| accuracy | 0.91 |

## Uses

[More Information Needed]

```python
from transformers import pipeline
```

"""


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """``head`` + ``unit`` repeated to about ``size`` characters + ``tail``."""
    return head + unit * max(1, (size - len(head) - len(tail)) // max(1, len(unit))) + tail


def cases(size: int) -> dict[str, Callable[[], str]]:
    """Case name -> card text of about ``size`` characters (built lazily)."""
    return {
        "heading-spaces": lambda: _fill(" ", size, "# x", "y\n"),
        "heading-tabs-spaces": lambda: _fill(" \t", size, "## Uses ", "x\n"),
        "heading-closing-hashes": lambda: _fill(" ", size, "# title", "#x#\n"),
        "heading-only-hashes": lambda: _fill("#", size, "# ", "\n"),
        "heading-link-targets": lambda: _fill("](", size, "# ", "\n"),
        "heading-numbering": lambda: _fill("1.", size, "# ", "x\n"),
        "many-headings": lambda: _fill("## Uses\n", size),
        "many-placeholder-sections": lambda: _fill("## Uses\n[More Information Needed]\n", size),
        "unclosed-links": lambda: _fill("[", size, "## Uses\ntext ", "\n"),
        "unclosed-link-targets": lambda: _fill("[a](", size, "## Uses\ntext ", "\n"),
        "nested-emphasis": lambda: _fill("*_", size, "## Uses\ntext ", "\n"),
        "nested-emphasis-lines": lambda: _fill("***a ___b *c _d\n", size, "## Uses\n"),
        "deep-quotes": lambda: _fill("> ", size, "## Uses\n", "- x\n"),
        "long-label": lambda: _fill("a", size, "## Uses\n", ":\n"),
        "template-braces": lambda: _fill("{{", size, "## Uses\n", "}\n"),
        "huge-table": lambda: _fill(
            "| a | b | c | d |\n", size, "## Results\n| h | h | h | h |\n|---|---|---|---|\n"
        ),
        "wide-table-row": lambda: _fill("| a ", size, "## Results\n", "|\n"),
        "fences": lambda: _fill("```\n", size),
        "fence-long-info": lambda: _fill("`", size, "## Uses\n```", "\n"),
        "html-comments": lambda: _fill("<!--", size, "## Uses\n"),
        "front-matter-unclosed": lambda: _fill("key: value\n", size, "---\n"),
        "front-matter-dash-lines": lambda: _fill("\n---" + " " * 64 + "x", size, "---\n"),
        "front-matter-leading-space": lambda: _fill(" ", size, "", "x\n---\n"),
        "misplaced-preamble": lambda: _fill("\n", size, "", "---\nlicense: mit\n---\n"),
        "badges-preamble": lambda: _fill("[![b](x)](y)\n", size, "", "---\nlicense: mit\n---\n"),
        "label-spaces": lambda: _fill(" ", size, "## Uses\nlabel:", "x\n"),
        "bullet-spaces": lambda: _fill(" ", size, "## Uses\n- ", "x\n"),
        "one-long-line": lambda: _fill("word ", size, "## Uses\n"),
        "only-spaces": lambda: _fill(" ", size, "## Uses\n"),
        "crlf-lines": lambda: _fill("# h\r\nx\r", size),
        "real-card-repeated": lambda: _fill(_REAL_CARD, size),
    }


_PARSE_CHILD = """
import sys, time
from pathlib import Path
from aibom.cards import parse_card
path = Path(sys.argv[1])
start = time.process_time()
facts, findings = parse_card(path, "README.md", "model")
print(time.process_time() - start, len(facts.sections), len(findings))
"""


def _run(argv: list[str], timeout: float) -> tuple[float | None, float | None, str]:
    """(CPU seconds, peak RSS MB, stdout) of a child; (None, None, "") when it timed out."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            return None, None, ""
        time.sleep(0.02)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{argv[:3]} exited {os.waitstatus_to_exitcode(status)}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


@dataclass(frozen=True)
class Row:
    case: str
    bytes: int
    parse_cpu_s: float | None
    parse_rss_mb: float | None
    scan_cpu_s: float | None
    scan_rss_mb: float | None

    def miss(self, startup_cpu: float) -> bool:
        """True when a goal is missed (or a child timed out)."""
        values = (self.parse_cpu_s, self.scan_cpu_s, self.scan_rss_mb)
        if any(v is None for v in values):
            return True
        assert self.parse_cpu_s is not None and self.scan_cpu_s is not None
        assert self.scan_rss_mb is not None
        return (
            self.parse_cpu_s > GOAL_CPU
            or self.scan_cpu_s - startup_cpu > GOAL_CPU
            or self.scan_rss_mb > GOAL_RSS_MB
        )


def _measure(name: str, text: str, work: Path, aibom: str, timeout: float) -> Row:
    folder = work / name
    folder.mkdir()
    (folder / "README.md").write_text(text, encoding="utf-8", newline="")
    (folder / "config.json").write_text('{"model_type": "bert"}\n')
    card = folder / "README.md"
    _, parse_rss, printed = _run([sys.executable, "-c", _PARSE_CHILD, str(card)], timeout)
    parse_cpu = float(printed.split()[0]) if printed else None
    out = work / f"{name}.out"
    out.mkdir()
    scan_argv = [aibom, "scan", str(folder), "--no-cache", "--score", "-q", "-o"]
    scan_argv += [str(out / "bom.json"), "--html", str(out / "r.html")]
    scan_argv += ["--markdown", str(out / "r.md"), "--sarif", str(out / "r.sarif")]
    scan_cpu, scan_rss, _ = _run(scan_argv, timeout)
    return Row(name, len(text.encode()), parse_cpu, parse_rss, scan_cpu, scan_rss)


def _fmt(value: float | None, unit: str) -> str:
    return "TIMEOUT" if value is None else f"{value:.2f}{unit}"


def main() -> int:
    try:
        return _main()
    except (RuntimeError, OSError) as exc:
        print(f"could not measure: {exc}", file=sys.stderr)
        return 2


def _main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=float, default=16.0, help="card size in MiB (default 16)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per child")
    parser.add_argument("--only", action="append", default=[], help="run only this case")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    aibom = str(Path(sys.executable).with_name("aibom"))
    size = int(args.mib * MIB)
    chosen = {k: v for k, v in cases(size).items() if not args.only or k in args.only}
    if not chosen:
        print(f"no such case: {args.only}", file=sys.stderr)
        return 2
    results: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="aibom-hostile-cards-") as tmp:
        work = Path(tmp)
        base = _measure("(start-up)", _REAL_CARD, work, aibom, args.timeout)
        startup = base.scan_cpu_s or 0.0
        print(
            f"{'(start-up)':28} {'':>10} {'':>9} {'':>8} {_fmt(base.scan_cpu_s, ' s'):>9} "
            f"{_fmt(base.scan_rss_mb, ' MB'):>10}"
        )
        print(f"{'case':28} {'bytes':>10} {'parse':>9} {'rss':>8} {'scan':>9} {'rss':>10}")
        for name, build in chosen.items():
            row = _measure(name, build(), work, aibom, args.timeout)
            results.append(row)
            print(
                f"{name:28} {row.bytes:>10} {_fmt(row.parse_cpu_s, ' s'):>9} "
                f"{_fmt(row.parse_rss_mb, ' MB'):>8} {_fmt(row.scan_cpu_s, ' s'):>9} "
                f"{_fmt(row.scan_rss_mb, ' MB'):>10}{'  MISS' if row.miss(startup) else ''}",
                flush=True,
            )
    if args.json:
        rows = [asdict(row) for row in results]
        print(json.dumps({"startup_cpu_s": startup, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
