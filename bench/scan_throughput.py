"""Scan throughput benchmark: ``aibom scan`` against ``sha256sum`` on a multi-GB safetensors model.

Run it with ``make bench`` or directly::

    .venv/bin/python bench/scan_throughput.py                 # 2 GiB in 8 shards
    .venv/bin/python bench/scan_throughput.py --size-gb 0.5 --repeat 3 --json

What it does, in one run:

1. Generates a Hugging Face style model folder (deterministic, seeded): ``--shards`` valid
   safetensors shards ``model-0000i-of-0000N.safetensors`` totalling ``--size-gb`` GiB (2**30
   bytes, so the default is >= 2 GB by either definition), written in 8 MiB streaming chunks,
   plus ``model.safetensors.index.json``, ``config.json``, ``tokenizer_config.json``,
   ``generation_config.json`` and a ``README.md`` model card with YAML front matter.
2. Runs ``sha256sum`` over the shards once untimed, so every timed step sees the same warm page
   cache: the comparison is hashing against hashing, not disk against disk.
3. Times, each as a child process (wall clock and the child's peak RSS from ``os.wait4``):
   ``sha256sum`` over the shards, a cold ``aibom scan`` with a fresh digest cache, and a warm
   rescan with the same cache; then the fixed overhead ``python -c pass`` and
   ``python -c "import aibom.cli.main"`` / ``"import aibom.scan"`` so the warm number can be read.
   If ``openssl`` is installed, ``openssl dgst -sha256`` is timed too, for information only:
   hashlib uses OpenSSL (SHA-NI where the CPU has it), which can be several times faster than
   coreutils ``sha256sum``, so it is the real single-core floor.
4. Checks the scan is correct: both BOMs are valid JSON and record, for every shard, the SHA-256
   ``sha256sum`` printed. A benchmark of a broken scan is worthless, so a mismatch is an error.

Targets (from the issue): cold scan wall <= 0.6 x sha256sum wall (parallel hashing on 2 cores;
SHA-256 is the floor), warm rescan <= 0.05 x cold, peak RSS of any scan <= 200 MB whatever the
file sizes. A MISS still exits 0 (it is a benchmark); errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

MiB = 1 << 20
GiB = 1 << 30
CHUNK = 8 * MiB
HIDDEN = 4096
LAYERS_PER_SHARD = 2
SEED = 20240601
MARKER = ".aibom-bench"
TARGET_COLD = 0.6
TARGET_WARM = 0.05
TARGET_RSS_MB = 200.0
ITEMSIZE = {"BF16": 2, "F32": 4}
LAYER_MATS = (
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "self_attn.o_proj",
    "mlp.gate_proj",
    "mlp.up_proj",
    "mlp.down_proj",
)
LAYER_NORMS = ("input_layernorm", "post_attention_layernorm")


class BenchError(Exception):
    """Anything that makes the measurement meaningless: reported, then exit 2."""


# ---------------------------------------------------------------- model generation


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * ITEMSIZE[self.dtype]


@dataclass(frozen=True)
class Shard:
    path: Path
    tensors: tuple[Tensor, ...]

    @property
    def data_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)


class ByteStream:
    """Deterministic pseudo-random bytes: one 8 MiB block, read from a new rotation each chunk."""

    def __init__(self, seed: int) -> None:
        self._block = memoryview(random.Random(seed).randbytes(CHUNK))
        self._chunks = 0

    def write(self, fh: BinaryIO, nbytes: int) -> None:
        while nbytes > 0:
            n = min(nbytes, CHUNK)
            start = (self._chunks * 1_000_003) % CHUNK  # prime step: no two chunks alike
            self._chunks += 1
            first = self._block[start : start + n]
            fh.write(first)
            if len(first) < n:
                fh.write(self._block[: n - len(first)])
            nbytes -= n


def shard_names(index: int, count: int) -> tuple[list[str], list[str]]:
    """(BF16 matrix names, F32 norm names) of one shard of a Llama-like checkpoint."""
    mats = ["model.embed_tokens.weight"] if index == 0 else []
    norms: list[str] = []
    for layer in range(index * LAYERS_PER_SHARD, (index + 1) * LAYERS_PER_SHARD):
        mats += [f"model.layers.{layer}.{m}.weight" for m in LAYER_MATS]
        norms += [f"model.layers.{layer}.{n}.weight" for n in LAYER_NORMS]
    if index == count - 1:
        mats.append("lm_head.weight")
        norms.append("model.norm.weight")
    return mats, norms


def fill_shard(mats: list[str], norms: list[str], budget: int) -> tuple[Tensor, ...]:
    """Tensors of [rows, HIDDEN] sized so the shard holds at least ``budget`` data bytes."""
    norm_tensors = [Tensor(n, "F32", (HIDDEN,)) for n in norms]
    rest = max(budget - sum(t.nbytes for t in norm_tensors), 0)
    rows = max(-(-rest // (HIDDEN * ITEMSIZE["BF16"])), len(mats))
    base, extra = divmod(rows, len(mats))
    mat_tensors = [Tensor(n, "BF16", (base + (i < extra), HIDDEN)) for i, n in enumerate(mats)]
    return tuple(sorted(mat_tensors + norm_tensors, key=lambda t: t.name))


def plan_model(model_dir: Path, total_bytes: int, count: int) -> list[Shard]:
    budget = -(-total_bytes // count)
    shards = []
    for i in range(count):
        path = model_dir / f"model-{i + 1:05d}-of-{count:05d}.safetensors"
        shards.append(Shard(path, fill_shard(*shard_names(i, count), budget)))
    return shards


def shard_header(tensors: Sequence[Tensor]) -> bytes:
    """8-byte little-endian length, then the JSON header padded with spaces to a multiple of 8."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for t in tensors:
        header[t.name] = {
            "dtype": t.dtype,
            "shape": list(t.shape),
            "data_offsets": [offset, offset + t.nbytes],
        }
        offset += t.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw


def write_shard(shard: Shard, stream: ByteStream) -> None:
    with shard.path.open("wb") as fh:
        fh.write(shard_header(shard.tensors))
        stream.write(fh, shard.data_bytes)


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_metadata(model_dir: Path, shards: Sequence[Shard]) -> None:
    weight_map = {t.name: s.path.name for s in shards for t in s.tensors}
    total = sum(s.data_bytes for s in shards)
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    write_json(model_dir / "model.safetensors.index.json", index)
    write_json(model_dir / "config.json", llama_config(len(shards) * LAYERS_PER_SHARD))
    write_json(model_dir / "generation_config.json", {"bos_token_id": 1, "eos_token_id": 2})
    write_json(model_dir / "tokenizer_config.json", TOKENIZER_CONFIG)
    (model_dir / "README.md").write_text(MODEL_CARD, encoding="utf-8")


def llama_config(layers: int) -> dict[str, object]:
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": HIDDEN,
        "intermediate_size": 11008,
        "num_hidden_layers": layers,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
        "hidden_act": "silu",
        "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-05,
        "rope_theta": 10000.0,
        "vocab_size": 32000,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.44.0",
    }


TOKENIZER_CONFIG = {
    "tokenizer_class": "LlamaTokenizer",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "model_max_length": 4096,
    "add_bos_token": True,
    "add_eos_token": False,
    "clean_up_tokenization_spaces": False,
}

MODEL_CARD = """\
---
license: apache-2.0
language:
- en
library_name: transformers
pipeline_tag: text-generation
tags:
- llama
- benchmark
---

# bench-llama

Synthetic Llama-shaped checkpoint generated by `bench/scan_throughput.py`. The weights are
pseudo-random bytes: the model exists only to be scanned.
"""


def generate(model_dir: Path, total_bytes: int, count: int) -> list[Shard]:
    model_dir.mkdir(parents=True)
    shards = plan_model(model_dir, total_bytes, count)
    stream = ByteStream(SEED)
    for shard in shards:
        write_shard(shard, stream)
    write_metadata(model_dir, shards)
    return shards


def check_loadable(shards: Sequence[Shard]) -> None:
    """safetensors itself must accept each header: keys and metadata only, no tensor data loaded."""
    from safetensors import safe_open

    for shard in shards:
        try:
            with safe_open(str(shard.path), framework="numpy") as f:
                keys, meta = set(f.keys()), f.metadata()
        except Exception as exc:
            raise BenchError(f"safetensors rejects {shard.path.name}: {exc}") from exc
        if keys != {t.name for t in shard.tensors} or meta != {"format": "pt"}:
            raise BenchError(f"safetensors reads other keys/metadata from {shard.path.name}")


def self_check(root: Path) -> None:
    """Write one tiny shard with the same writer and read it back with safetensors."""
    tensors = (Tensor("a.weight", "BF16", (3, 5)), Tensor("b.weight", "F32", (7,)))
    shard = Shard(root / "selfcheck.safetensors", tensors)
    write_shard(shard, ByteStream(SEED))
    check_loadable([shard])
    from safetensors import safe_open

    with safe_open(str(shard.path), framework="numpy") as f:
        if f.get_tensor("b.weight").shape != (7,):
            raise BenchError("self-check: F32 tensor read back with the wrong shape")
    shard.path.unlink()


# ---------------------------------------------------------------- measurement


@dataclass(frozen=True)
class Run:
    wall: float
    rss_kib: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Step:
    name: str
    argv: list[str]
    nbytes: int | None = None
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_kib for r in self.runs) / 1024


# Peak RSS is read with wait4 in a small launcher process rather than here: Linux records the
# parent's RSS high-water mark in a child's ru_maxrss when the child (forked or vforked from the
# parent) execs, so children of this process would all report at least its own peak (safetensors
# and numpy are imported here). The launcher's floor is a bare ``python -S`` (about 8 MB), which
# only shows in sha256sum's figure; any aibom run is itself bigger than that.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    fh.write(f"{wall!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(argv: Sequence[str]) -> Run:
    """Run one child: wall time from spawn to exit, peak RSS from wait4 (KiB on Linux)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "report"
        launcher = [sys.executable, "-S", "-E", "-c", LAUNCHER, str(report), *argv]
        done = subprocess.run(
            launcher, stdin=subprocess.DEVNULL, stdout=out, stderr=err, check=False
        )
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        if done.returncode != 0 or not report.exists():
            raise BenchError(f"cannot run {shlex.join(argv)}:\n{stderr.strip()}")
        wall, rss, code = report.read_text(encoding="utf-8").split()
    return Run(float(wall), int(rss), int(code), stdout, stderr)


def checked(run: Run, argv: Sequence[str], ok: tuple[int, ...] = (0,)) -> Run:
    if run.returncode not in ok or "Traceback (most recent call last)" in run.stderr:
        raise BenchError(
            f"{shlex.join(argv)} exited {run.returncode}\n--- stderr ---\n{run.stderr.strip()}"
        )
    return run


def parse_sha256sum(output: str) -> dict[str, str]:
    digests = {}
    for line in output.splitlines():
        digest, _, name = line.partition("  ")
        digests[Path(name).name] = digest
    return digests


def walk_components(node: object) -> list[dict[str, object]]:
    """Every component of a CycloneDX JSON document, nested ones included."""
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        if isinstance(node.get("hashes"), list) and "name" in node:
            found.append(node)
        for value in node.values():
            found += walk_components(value)
    elif isinstance(node, list):
        for item in node:
            found += walk_components(item)
    return found


def bom_digests(bom_path: Path, names: set[str]) -> dict[str, str]:
    try:
        bom = json.loads(bom_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"{bom_path.name} is not a readable JSON BOM: {exc}") from exc
    digests: dict[str, str] = {}
    for comp in walk_components(bom.get("components", [])):
        name = Path(str(comp["name"])).name
        hashes = comp["hashes"]
        assert isinstance(hashes, list)
        for h in hashes:
            if name in names and h.get("alg") == "SHA-256":
                digests[name] = str(h.get("content"))
    return digests


def check_bom(bom_path: Path, expected: dict[str, str]) -> None:
    got = bom_digests(bom_path, set(expected))
    wrong = sorted(n for n in expected if got.get(n) != expected[n])
    if wrong:
        detail = ", ".join(f"{n}: {got.get(n, 'missing')}" for n in wrong[:3])
        raise BenchError(f"{bom_path.name}: SHA-256 differs from sha256sum for {detail}")


@dataclass(frozen=True)
class Context:
    args: argparse.Namespace
    root: Path
    shards: list[Shard]

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def nbytes(self) -> int:
        return sum(s.path.stat().st_size for s in self.shards)


def measure_sha256sum(ctx: Context) -> tuple[Step, dict[str, str]]:
    argv = ["sha256sum", *(str(s.path) for s in ctx.shards)]
    reference = parse_sha256sum(checked(run_child(argv), argv).stdout)  # untimed: warms the cache
    step = Step(f"sha256sum ({len(ctx.shards)} shards)", argv, ctx.nbytes)
    for _ in range(ctx.args.repeat):
        run = checked(run_child(argv), argv)
        if parse_sha256sum(run.stdout) != reference:
            raise BenchError("sha256sum printed different digests on a rerun")
        step.runs.append(run)
    return step, reference


def parse_openssl(output: str) -> dict[str, str]:
    """``SHA2-256(path)= hex`` (OpenSSL 3) or ``SHA256(path)= hex`` lines, by file name."""
    digests = {}
    for line in output.splitlines():
        label, _, digest = line.rpartition("= ")
        digests[Path(label.partition("(")[2].rpartition(")")[0]).name] = digest.strip()
    return digests


def measure_openssl(ctx: Context, reference: dict[str, str]) -> Step | None:
    """Informational: single-core OpenSSL SHA-256 (what hashlib uses), if openssl is installed."""
    if shutil.which("openssl") is None:
        return None
    argv = ["openssl", "dgst", "-sha256", *(str(s.path) for s in ctx.shards)]
    step = Step("openssl dgst -sha256 (info)", argv, ctx.nbytes)
    for _ in range(ctx.args.repeat):
        run = checked(run_child(argv), argv)
        if parse_openssl(run.stdout) != reference:
            raise BenchError("openssl dgst and sha256sum disagree")
        step.runs.append(run)
    return step


def scan_argv(ctx: Context, out: str, cache: Path) -> list[str]:
    bom = str(ctx.root / "out" / out)
    return [ctx.args.aibom, "scan", str(ctx.model), "-o", bom, "--cache-dir", str(cache), "-q"]


def run_scan(step: Step, argv: list[str], expected: dict[str, str]) -> None:
    bom = Path(argv[argv.index("-o") + 1])
    bom.unlink(missing_ok=True)
    step.runs.append(checked(run_child(argv), argv, ok=(0, 1)))
    check_bom(bom, expected)


def measure_scans(ctx: Context, expected: dict[str, str]) -> tuple[Step, Step]:
    (ctx.root / "out").mkdir(exist_ok=True)
    cold = Step("aibom scan (cold)", [], ctx.nbytes)
    cache = ctx.root / "cache"
    for i in range(ctx.args.repeat):
        cache = ctx.root / f"cache-{i}"
        shutil.rmtree(cache, ignore_errors=True)
        cold.argv = scan_argv(ctx, "cold.cdx.json", cache)
        run_scan(cold, cold.argv, expected)
    warm = Step("aibom scan (warm)", scan_argv(ctx, "warm.cdx.json", cache), ctx.nbytes)
    for _ in range(ctx.args.repeat):
        run_scan(warm, warm.argv, expected)
    return cold, warm


def measure_overhead(ctx: Context) -> list[Step]:
    steps = []
    for label, code in (
        ("python startup", "pass"),
        ("python + import aibom.cli.main", "import aibom.cli.main"),
        ("python + import aibom.scan", "import aibom.scan"),
    ):
        step = Step(label, [sys.executable, "-c", code])
        for _ in range(ctx.args.repeat):
            step.runs.append(checked(run_child(step.argv), step.argv))
        steps.append(step)
    return steps


# ---------------------------------------------------------------- report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_facts(args: argparse.Namespace) -> dict[str, object]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "command": shlex.join([sys.executable, *sys.argv]),
        "nproc": affinity or os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "aibom": args.aibom,
        "bytecode": bytecode_note(),
    }


def bytecode_note() -> str:
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return "PYTHONDONTWRITEBYTECODE is set: uncached modules recompile at every start"
    return "written as usual"


def throughput(step: Step) -> str:
    return f"{step.nbytes / step.wall / 1e6:9.1f}" if step.nbytes else f"{'-':>9}"


def print_table(steps: Sequence[Step]) -> None:
    print(f"\n{'step':<30} {'wall s':>9} {'peak RSS MB':>12} {'MB/s':>9}")
    print("-" * 63)
    for s in steps:
        print(f"{s.name:<30} {s.wall:9.3f} {s.rss_mb:12.1f} {throughput(s)}")


def verdicts(sha: Step, cold: Step, warm: Step) -> list[dict[str, object]]:
    rss = max(cold.rss_mb, warm.rss_mb)
    rows: list[tuple[str, float, float]] = [
        ("cold scan / sha256sum wall", cold.wall / sha.wall, TARGET_COLD),
        ("warm rescan / cold scan wall", warm.wall / cold.wall, TARGET_WARM),
        ("max peak RSS of a scan (MB)", rss, TARGET_RSS_MB),
    ]
    return [{"metric": m, "value": v, "target": t, "pass": v <= t} for m, v, t in rows]


def print_verdicts(rows: Sequence[dict[str, object]]) -> None:
    print()
    for r in rows:
        value, target = r["value"], r["target"]
        assert isinstance(value, float) and isinstance(target, float)
        verdict = "PASS" if r["pass"] else "MISS"
        print(f"{r['metric']:<30} {value:9.3f}   target <= {target:<6g} {verdict}")


def print_commands(steps: Sequence[Step]) -> None:
    print("\ncommands (median of the timed runs; sha256sum ran once untimed first, so every")
    print("step reads from the same warm page cache):")
    for s in steps:
        print(f"  {s.name}: {shlex.join(s.argv)}")


def as_json(facts: dict[str, object], steps: Sequence[Step], rows: object) -> str:
    table = [
        {
            "step": s.name,
            "wall_s": s.wall,
            "walls_s": [r.wall for r in s.runs],
            "peak_rss_mb": s.rss_mb,
            "bytes": s.nbytes,
            "argv": s.argv,
        }
        for s in steps
    ]
    return json.dumps({"machine": facts, "steps": table, "targets": rows}, indent=2)


# ---------------------------------------------------------------- main


def default_aibom() -> str:
    return str(Path(sys.executable).parent / "aibom")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size-gb", type=float, default=2.0, help="total shard size in GiB")
    p.add_argument("--shards", type=int, default=8, help="number of safetensors shards")
    p.add_argument("--dir", type=Path, help="work directory (default: a fresh one under /tmp)")
    p.add_argument("--keep", action="store_true", help="keep the generated data and BOMs")
    p.add_argument("--aibom", default=default_aibom(), help="aibom executable to benchmark")
    p.add_argument("--json", action="store_true", help="also print the results as JSON")
    p.add_argument("--repeat", type=int, default=1, help="timed runs per step (median reported)")
    args = p.parse_args(argv)
    if args.size_gb <= 0 or args.shards < 1 or args.repeat < 1:
        p.error("--size-gb must be > 0, --shards and --repeat >= 1")
    return args


def prepare_root(target: Path | None) -> Path:
    """A fresh work directory, or an existing one only if empty or made by an earlier run."""
    if target is None:
        return Path(tempfile.mkdtemp(prefix="aibom-bench-"))
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        raise BenchError(f"{target} is not empty and was not made by this benchmark")
    shutil.rmtree(target / "model", ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    (target / MARKER).touch()
    return target


def build_model(args: argparse.Namespace, root: Path) -> list[Shard]:
    self_check(root)
    start = time.perf_counter()
    shards = generate(root / "model", int(args.size_gb * GiB), args.shards)
    check_loadable(shards)
    size = sum(s.path.stat().st_size for s in shards)
    took = time.perf_counter() - start
    print(f"generated {len(shards)} shards, {size / 1e9:.3f} GB ({size} bytes) in {took:.1f} s")
    return shards


def bench(args: argparse.Namespace, root: Path) -> None:
    facts = machine_facts(args)
    for key, value in facts.items():
        print(f"{key + ':':<9} {value}")
    print(f"{'data:':<9} {root}")
    ctx = Context(args, root, build_model(args, root))
    sha, expected = measure_sha256sum(ctx)
    cold, warm = measure_scans(ctx, expected)
    ssl = measure_openssl(ctx, expected)
    steps = [sha, cold, warm, *([ssl] if ssl else []), *measure_overhead(ctx)]
    print("\nBOM check: cold and warm BOMs record the sha256sum digest of every shard")
    print_table(steps)
    rows = verdicts(sha, cold, warm)
    print_verdicts(rows)
    if ssl is not None:
        print(f"{'info: cold scan / openssl wall':<30} {cold.wall / ssl.wall:9.3f}   (no target)")
    print_commands(steps)
    if args.json:
        print(as_json(facts, steps, rows))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root: Path | None = None
    try:
        root = prepare_root(args.dir)
        bench(args, root)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if root is not None and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
