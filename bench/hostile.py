"""Hostile model files: CPU time, wall time and peak memory of a whole scan, per case.

Issue 13 item 5, "work bounded by the input": every parser's cost is linear in the bytes it reads,
or cut by a budget in ``aibom.limits.Limits`` that produces a finding. Each case is built here, by
code, into its own folder, and scanned by the installed ``aibom scan DIR --no-cache -o BOM`` in a
child process (CPU and peak RSS from ``os.wait4``: the scan and every child it waited for, so the
isolated HDF5 readers count too). The findings the BOM records for the case are counted by check.

- ``zip-overlap-50``: one 64 MiB deflated local entry (64 KiB on disk) that 50 central-directory
  entries all point at (the old scanner inflated it 50 times, twice each);
- ``zip-inflation-budget``: distinct deflated members of 64 MiB of zeros each, more in total than
  ``max_archive_inflated_bytes``: the scan stops inflating and says which members it left;
- ``h5-hostile-xN``: N copies of a 6 KB Keras HDF5 file with one byte inserted into its
  ``model_config`` data, which makes libhdf5 loop (found by fuzzing): each costs the per-file
  timeout until the scan's shared HDF5 time budget (``max_h5_seconds``) is spent;
- ``safetensors-1M``: a safetensors header describing 1,000,000 tensors (about 80 MB of JSON);
- ``(start-up)``: the same scan of a folder holding only a tiny ``config.json``.

Goal: each case <= 2 s of CPU beyond start-up and <= 200 MB peak RSS, or a budget finding (the
``budget`` column names the check that says what was not analysed). A child still running after
``--timeout`` seconds is killed and shown as ``TIMEOUT``. Like every benchmark here it exits 0
whatever the numbers (``MISS`` marks a missed goal) and 2 only when it could not measure.

    .venv/bin/python bench/hostile.py                       # every case
    .venv/bin/python bench/hostile.py --only zip-overlap-50 --json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

MIB = 1 << 20
GOAL_CPU = 2.0
GOAL_RSS_MB = 200.0
BUDGET_CHECKS = ("AIBOM-LIM-002", "AIBOM-LIM-001")
"""Checks that report work cut by a budget (archive inflation, HDF5 time) or a count limit."""


# ---------------------------------------------------------------- zip builders


def _local(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    head = struct.pack(
        "<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, csize, usize, len(name), 0
    )
    return head + name


def _central(name: bytes, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    head = struct.pack(
        "<4s6H3I5HII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, csize, usize, len(name),
        0, 0, 0, 0, 0, offset,
    )  # fmt: skip
    return head + name


def _end(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, 0)


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return z.compress(b"\0" * size) + z.flush(), zlib.crc32(b"\0" * size)


def overlapping_zip(members: int, size: int = 64 * MIB) -> bytes:
    """One deflated local entry of ``size`` zero bytes; ``members`` central entries point at it."""
    data, crc = _deflated_zeros(size)
    body = _local(b"m000.bin", 8, crc, len(data), size) + data
    names = [f"m{i:03d}.bin".encode() for i in range(members)]
    cd = b"".join(_central(n, 8, crc, len(data), size, 0) for n in names)
    return body + cd + _end(members, len(cd), len(body))


def many_members_zip(members: int, size: int = 64 * MIB) -> bytes:
    """``members`` distinct deflated members of ``size`` zero bytes each."""
    data, crc = _deflated_zeros(size)
    body, cd = bytearray(), bytearray()
    for i in range(members):
        name = f"z{i:04d}.bin".encode()
        cd += _central(name, 8, crc, len(data), size, len(body))
        body += _local(name, 8, crc, len(data), size) + data
    return bytes(body + cd + _end(members, len(cd), len(body)))


# ---------------------------------------------------------------- HDF5 and safetensors builders


def hostile_h5(path: Path) -> bytes:
    """A Keras 2 HDF5 model whose ``model_config`` data has one byte inserted: libhdf5 loops."""
    import h5py

    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [], "seed": 1}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.13.1"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        f.create_group("model_weights").attrs["layer_names"] = [b"dense"]
    data = bytearray(path.read_bytes())
    at = data.index(b'"seed"')
    data[at:at] = b"\xf2"
    return bytes(data)


def safetensors_header(tensors: int) -> bytes:
    """A valid safetensors file: ``tensors`` one-element F32 tensors (about 80 bytes of header each)."""
    parts = [
        f'"model.layers.{i // 1000}.block_{i % 1000:03d}.weight":'
        f'{{"dtype":"F32","shape":[1],"data_offsets":[{4 * i},{4 * i + 4}]}}'
        for i in range(tensors)
    ]
    header = ("{" + ",".join(parts) + "}").encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + b"\0" * (4 * tensors)


# ---------------------------------------------------------------- cases


def _write(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def cases(h5_files: int) -> dict[str, Callable[[Path], None]]:
    """Case name -> function writing the case's files into a folder."""

    def h5(folder: Path) -> None:
        data = hostile_h5(folder / "template.h5")
        (folder / "template.h5").unlink()
        for i in range(h5_files):
            _write(folder, f"model_{i:02d}.h5", data)

    return {
        "zip-overlap-50": lambda d: _write(d, "overlap.zip", overlapping_zip(50)),
        "zip-inflation-budget": lambda d: _write(d, "many.zip", many_members_zip(160)),
        f"h5-hostile-x{h5_files}": h5,
        "safetensors-1M": lambda d: _write(d, "model.safetensors", safetensors_header(1_000_000)),
    }


# ---------------------------------------------------------------- measuring


def _run(argv: list[str], timeout: float) -> tuple[float | None, float, float | None]:
    """(CPU seconds, wall seconds, peak RSS MB) of a child; CPU and RSS None when it timed out."""
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            return None, time.monotonic() - started, None
        time.sleep(0.02)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace")[-500:] if proc.stderr else ""
        raise RuntimeError(f"{argv[:3]} exited {code}: {err}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def _checks(bom: Path) -> dict[str, int]:
    """Findings of the scan by check id (from the BOM's vulnerabilities)."""
    try:
        doc = json.loads(bom.read_text())
    except (OSError, ValueError):
        return {}
    counts: Counter[str] = Counter(str(v.get("id", "?")) for v in doc.get("vulnerabilities", []))
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Row:
    case: str
    bytes: int
    cpu_s: float | None
    wall_s: float
    rss_mb: float | None
    checks: dict[str, int]

    @property
    def budget(self) -> str:
        return ",".join(c for c in BUDGET_CHECKS if c in self.checks)

    def miss(self, startup_cpu: float) -> bool:
        if self.cpu_s is None or self.rss_mb is None:
            return True
        over = self.cpu_s - startup_cpu > GOAL_CPU or self.rss_mb > GOAL_RSS_MB
        return over and not self.budget


def _measure(
    name: str, build: Callable[[Path], None], work: Path, aibom: str, timeout: float
) -> Row:
    folder = work / name
    folder.mkdir()
    _build_in_child(build, folder)
    size = sum(p.stat().st_size for p in folder.iterdir())
    bom = work / f"{name}.bom.json"
    cpu, wall, rss = _run([aibom, "scan", str(folder), "--no-cache", "-q", "-o", str(bom)], timeout)
    return Row(name, size, cpu, wall, rss, _checks(bom))


def _build_in_child(build: Callable[[Path], None], folder: Path) -> None:
    """Write the case in a forked child: the scan is started from this process, and a child's peak
    RSS counts the pages it shares with its parent before ``exec`` (building the 80 MB safetensors
    header here made the scan look like 480 MB)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            build(folder)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"building {folder.name} failed")


def _fmt(value: float | None, unit: str) -> str:
    return "TIMEOUT" if value is None else f"{value:.2f}{unit}"


def main() -> int:
    try:
        return _main()
    except (RuntimeError, OSError, ImportError) as exc:
        print(f"could not measure: {exc}", file=sys.stderr)
        return 2


def _main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per child")
    parser.add_argument("--h5-files", type=int, default=10, help="hostile HDF5 files (default 10)")
    parser.add_argument("--only", action="append", default=[], help="run only this case")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    aibom = str(Path(sys.executable).with_name("aibom"))
    chosen = {k: v for k, v in cases(args.h5_files).items() if not args.only or k in args.only}
    if not chosen:
        print(f"no such case: {args.only}", file=sys.stderr)
        return 2
    results: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="aibom-hostile-") as tmp:
        work = Path(tmp)

        def startup_case(folder: Path) -> None:
            _write(folder, "config.json", b'{"model_type": "bert"}\n')

        base = _measure("(start-up)", startup_case, work, aibom, args.timeout)
        startup = base.cpu_s or 0.0
        print(f"{'case':24} {'bytes':>11} {'cpu':>9} {'wall':>9} {'rss':>10}  budget / findings")
        for name, build in [("(start-up)", None), *chosen.items()]:
            row = base if build is None else _measure(name, build, work, aibom, args.timeout)
            if build is not None:
                results.append(row)
            found = " ".join(f"{k}x{v}" for k, v in row.checks.items())
            print(
                f"{name:24} {row.bytes:>11} {_fmt(row.cpu_s, ' s'):>9} {row.wall_s:>7.2f} s "
                f"{_fmt(row.rss_mb, ' MB'):>10}  {row.budget or '-'} / {found or '-'}"
                f"{'  MISS' if build is not None and row.miss(startup) else ''}",
                flush=True,
            )
    if args.json:
        rows = [{**asdict(row), "budget": row.budget} for row in results]
        print(json.dumps({"startup_cpu_s": startup, "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
