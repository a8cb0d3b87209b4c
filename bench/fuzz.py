"""Long fuzz run: N mutated inputs per target (every inspector, card, config, package parsers, BOM).

    .venv/bin/python bench/fuzz.py 2000                    # 2000 inputs per target
    .venv/bin/python bench/fuzz.py 500 --only pickle,zip   # some targets
    .venv/bin/python bench/fuzz.py 300 --forced --json out.json

Per target it prints: inputs tried, uncaught exceptions, cases over 5 s, internal-error skips, the
slowest case, and one reproducer (seed name + mutation list) per distinct problem. Goal (issue 13
item 8): 0 uncaught, 0 over 5 s, 0 internal-error skips. A case still running after ``--hang``
seconds is stopped and counted as a hang. Mutations come from ``tests/fuzz/harness.py``; a
reproducer is ``harness.mutate(seed_bytes, mutations)``. Nothing read is ever loaded or executed.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the harness lives in the test suite
    sys.path.insert(0, str(ROOT))

from tests.fuzz import harness  # noqa: E402

SLOW_SECONDS = 5.0


class Hang(BaseException):
    """Raised by the alarm; a BaseException so aibom's ``except Exception`` cannot swallow it."""


@dataclass
class Report:
    target: str
    tried: int = 0
    uncaught: int = 0
    internal_error_skips: int = 0
    over_5s: int = 0
    hangs: int = 0
    slowest_s: float = 0.0
    seconds: float = 0.0
    problems: dict[str, str] = field(default_factory=dict)
    """First line of each distinct problem -> a reproducer."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def _case(rng: random.Random, pool_size: int) -> tuple[int, list[harness.Mutation]]:
    count = rng.choice((1, 1, 2, 3, 4, 8))
    muts = [
        (rng.randrange(harness.OPERATIONS), rng.getrandbits(32), rng.getrandbits(32))
        for _ in range(count)
    ]
    return rng.randrange(pool_size), muts


def fuzz_target(target: harness.Target, n: int, seed: int, hang: float, tmp: Path) -> Report:
    report = Report(target.name)
    pool = target.seeds()
    rng = random.Random(f"{seed}:{target.name}")
    start = time.perf_counter()
    for _ in range(n):
        index, muts = _case(rng, len(pool))
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, hang)
        try:
            problems = harness.run_case(target, pool[index], muts, tmp)
        except Hang:
            problems = [f"hang: still running after {hang:.0f} s"]
            report.hangs += 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - t0
        _record(report, problems, elapsed, f"seed {pool[index][0]!r} (#{index}) mutations {muts}")
    report.seconds = round(time.perf_counter() - start, 1)
    return report


def _record(report: Report, problems: list[str], elapsed: float, repro: str) -> None:
    report.tried += 1
    report.slowest_s = round(max(report.slowest_s, elapsed), 2)
    if elapsed > SLOW_SECONDS:
        report.over_5s += 1
        problems = [*problems, f"slow: {elapsed:.1f} s"]
    for problem in problems:
        if "internal-error skip" in problem:
            report.internal_error_skips += 1
        elif problem.startswith("uncaught"):
            report.uncaught += 1
        key = problem.splitlines()[0][:200]
        report.problems.setdefault(key, f"{repro}\n{problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="inputs per target")
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang", type=float, default=60.0, help="seconds before a case is a hang")
    parser.add_argument("--forced", action="store_true", help="also force each seed's inspector")
    parser.add_argument("--json", type=Path, help="write the reports here")
    args = parser.parse_args(argv)
    harness.FORCED = args.forced
    names = [n for n in args.only.split(",") if n] or sorted(harness.TARGETS)
    signal.signal(signal.SIGALRM, _alarm)
    reports = []
    with tempfile.TemporaryDirectory(prefix="aibom-fuzz-") as tmp:
        for name in names:
            report = fuzz_target(harness.TARGETS[name], args.n, args.seed, args.hang, Path(tmp))
            reports.append(report)
            _print(report)
    total = sum(r.uncaught + r.internal_error_skips + r.over_5s + r.hangs for r in reports)
    print(f"TOTAL inputs {sum(r.tried for r in reports)}, problem cases {total}", flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in reports], indent=2))
    return 1 if total else 0


def _print(r: Report) -> None:
    print(
        f"{r.target:22} tried {r.tried:6}  uncaught {r.uncaught:4}  internal-error {r.internal_error_skips:4}"
        f"  >5s {r.over_5s:3}  hangs {r.hangs:2}  slowest {r.slowest_s:6.2f}s  total {r.seconds:7.1f}s",
        flush=True,
    )
    for key, repro in r.problems.items():
        print(f"    PROBLEM {key}\n      {repro.splitlines()[0]}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
