"""Build the real-library benign corpus: files written, and shipped, by real ML libraries.

For each pinned environment below it creates ``bench/_data/real_corpus/venvs/<name>/``, installs
the pinned wheels, and runs one or more generators (``generators/*_gen.py``) there, each writing
into ``files/<library>/<version>/``. It then pip-downloads selected wheels and extracts the data
files they ship (test data, bundled datasets, templates) into
``files/<library>/<version>/shipped/``. Finally it writes ``manifest.json`` with one entry per file.

Everything it makes stays under ``bench/_data/real_corpus/`` (gitignored). The build is resumable:
an environment that installed, a generator that finished and a wheel that was extracted are
skipped on the next run; an install that failed is recorded and skipped (``--retry-failed`` tries
again). Progress goes to stderr.

    .venv/bin/python bench/real_corpus/build.py              # everything (about 20-40 min cold)
    .venv/bin/python bench/real_corpus/build.py --only numpy-2.2.6 --only shipped
    .venv/bin/python bench/real_corpus/build.py --list

No file of the corpus is ever loaded by this script: generators only write, and shipped data is
copied out of the wheel's zip.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = REPO / "bench" / "_data" / "real_corpus"
VENVS = DATA / "venvs"
FILES = DATA / "files"
RECORDS = DATA / "records"
WHEELS = DATA / "wheels"
GENERATORS = HERE / "generators"
LOCAL_WHEEL_DIRS = [Path("/opt/wheels"), Path("/opt/pypi/files")]
TORCH = "torch==2.13.0"  # a CPU wheel of this version lies on disk; never ask for torch unpinned


@dataclass
class Env:
    """One pinned environment and the generators run in it: (generator, dist, library folder)."""

    name: str
    requires: list[str]
    gens: list[tuple[str, str, str]]
    base: str | None = None  # another env whose site-packages is appended (shares torch)
    no_deps: bool = (
        False  # with a base env: install only what is listed, the rest comes from the base
    )
    allow_sdist: bool = False  # pure-Python releases that have no wheel
    env: dict[str, str] = field(default_factory=dict)


def _np(ver: str) -> Env:
    return Env(f"numpy-{ver}", [f"numpy=={ver}"], [("numpy", "numpy", "numpy")])


def _pd(ver: str, numpy: str) -> Env:
    return Env(
        f"pandas-{ver}",
        [f"pandas=={ver}", f"numpy{numpy}", "zstandard"],
        [("pandas", "pandas", "pandas")],
    )


def _sk(ver: str, extra: list[str]) -> Env:
    return Env(
        f"scikit-learn-{ver}",
        [f"scikit-learn=={ver}", *extra],
        [("sklearn", "scikit-learn", "scikit-learn")],
    )


def _jl(ver: str, extra: list[str], allow_sdist: bool = False) -> Env:
    return Env(
        f"joblib-{ver}",
        [f"joblib=={ver}", "numpy==1.26.4", *extra],
        [("joblib", "joblib", "joblib")],
        allow_sdist=allow_sdist,
    )


TORCH_GENS = [
    ("torch", "torch", "torch"),
    ("safetensors", "safetensors", "safetensors"),
    ("lightning", "pytorch-lightning", "pytorch-lightning"),
    ("transformers", "transformers", "transformers"),
    ("keras", "keras", "keras"),
]

ENVS: list[Env] = [
    _np("1.26.4"),
    _np("2.0.2"),
    _np("2.2.6"),
    _np("2.4.6"),
    _pd("1.5.3", "==1.26.4"),
    _pd("2.0.3", "==1.26.4"),
    _pd("2.2.3", "==2.2.6"),
    _pd("3.0.6", "==2.4.6"),
    _sk("1.3.2", ["numpy==1.26.4", "scipy==1.11.4", "joblib==1.3.2"]),
    _sk("1.5.2", ["numpy==2.0.2", "scipy==1.13.1", "joblib==1.4.2"]),
    _sk("1.7.2", ["numpy==2.2.6", "scipy==1.15.3", "joblib==1.5.2"]),
    _sk("1.9.1", ["numpy==2.4.6", "joblib==1.6.0"]),
    _jl("0.9.4", [], allow_sdist=True),
    _jl("0.10.3", [], allow_sdist=True),
    _jl("0.11", [], allow_sdist=True),
    _jl(
        "0.12.5", []
    ),  # installs, but 0.12-0.16 do not import on Python 3.11 (vendored cloudpickle)
    _jl("0.17.0", ["lz4"]),
    _jl("1.1.1", ["lz4"]),
    _jl("1.3.2", ["lz4"]),
    _jl("1.5.3", ["lz4"]),
    Env("joblib-1.6.0", ["joblib==1.6.0", "numpy==2.4.6", "lz4"], [("joblib", "joblib", "joblib")]),
    Env(
        "scipy-1.11.4",
        ["scipy==1.11.4", "numpy==1.26.4"],
        [("scipy", "scipy", "scipy")],
    ),
    Env("scipy-1.16.3", ["scipy==1.16.3", "numpy==2.2.6"], [("scipy", "scipy", "scipy")]),
    Env(
        "xgboost-1.7.6",
        ["xgboost==1.7.6", "numpy==1.26.4", "scipy==1.11.4", "scikit-learn==1.3.2"],
        [("xgboost", "xgboost", "xgboost")],
    ),
    Env(
        "xgboost-cpu-2.1.4",
        ["xgboost-cpu==2.1.4", "numpy==2.0.2", "scikit-learn==1.5.2"],
        [("xgboost", "xgboost-cpu", "xgboost")],
    ),
    Env(
        "xgboost-cpu-3.2.0",
        ["xgboost-cpu==3.2.0", "numpy==2.2.6", "scikit-learn==1.7.2"],
        [("xgboost", "xgboost-cpu", "xgboost")],
    ),
    Env(
        "lightgbm-3.3.5",
        ["lightgbm==3.3.5", "numpy==1.26.4", "scipy==1.11.4", "scikit-learn==1.3.2"],
        [("lightgbm", "lightgbm", "lightgbm")],
    ),
    Env(
        "lightgbm-4.7.0",
        ["lightgbm==4.7.0", "numpy==2.2.6", "scikit-learn==1.7.2"],
        [("lightgbm", "lightgbm", "lightgbm")],
    ),
    Env(
        "catboost-1.2.10",
        ["catboost==1.2.10", "numpy==2.2.6", "pandas==2.2.3", "joblib"],
        [("catboost", "catboost", "catboost")],
    ),
    Env(
        "torch-2.13.0",
        [
            TORCH,
            "numpy==2.2.6",
            "pytorch-lightning==2.6.6",
            "transformers==5.17.0",
            "accelerate==1.15.0",
            "tokenizers",
            "safetensors",
            "keras==3.15.1",
            "h5py==3.16.0",
        ],
        TORCH_GENS,
        env={"KERAS_BACKEND": "torch"},
    ),
    Env(
        "transformers-4.57.6",
        [
            "transformers==4.57.6",
            "tokenizers==0.22.1",
            "huggingface-hub==0.36.0",
            "requests",
            "urllib3",
            "idna",
            "certifi",
            "charset-normalizer",
        ],
        [("transformers", "transformers", "transformers")],
        base="torch-2.13.0",
        no_deps=True,
    ),
    Env(
        "onnx-1.14.1",
        ["onnx==1.14.1", "numpy==1.26.4", "protobuf==3.20.3"],
        [("onnx", "onnx", "onnx")],
    ),
    Env("onnx-1.17.0", ["onnx==1.17.0", "numpy==2.0.2"], [("onnx", "onnx", "onnx")]),
    Env("onnx-1.23.1", ["onnx==1.23.1", "numpy==2.2.6"], [("onnx", "onnx", "onnx")]),
    Env(
        "gguf-0.10.0",
        ["gguf==0.10.0", "numpy==1.26.4", "sentencepiece"],
        [("gguf", "gguf", "gguf")],
    ),
    Env("gguf-0.19.0", ["gguf==0.19.0", "numpy==2.2.6"], [("gguf", "gguf", "gguf")]),
    Env("h5py-3.10.0", ["h5py==3.10.0", "numpy==1.26.4"], [("h5py", "h5py", "h5py")]),
    Env("h5py-3.16.0", ["h5py==3.16.0", "numpy==2.2.6"], [("h5py", "h5py", "h5py")]),
    Env("spacy-3.7.5", ["spacy==3.7.5", "numpy==1.26.4", "click"], [("spacy", "spacy", "spacy")]),
    Env("spacy-3.8.16", ["spacy==3.8.16", "numpy==2.2.6"], [("spacy", "spacy", "spacy")]),
    Env(
        "statsmodels-0.14.4",
        ["statsmodels==0.14.4", "numpy==2.0.2", "pandas==2.2.3", "scipy==1.13.1"],
        [("statsmodels", "statsmodels", "statsmodels")],
    ),
    Env(
        "cloudpickle-3.1.2",
        ["cloudpickle==3.1.2", "dill==0.4.1", "scikit-learn==1.7.2", "numpy==2.2.6"],
        [("cloudpickle", "cloudpickle", "cloudpickle"), ("dill", "dill", "dill")],
    ),
]

# (library folder, dist, version, most members kept): wheels whose shipped data files are extracted.
SHIPPED: list[tuple[str, str, str, int]] = [
    ("numpy", "numpy", "1.26.4", 400),
    ("numpy", "numpy", "2.2.6", 400),
    ("scipy", "scipy", "1.11.4", 400),
    ("scipy", "scipy", "1.16.3", 400),
    ("scikit-learn", "scikit-learn", "1.3.2", 200),
    ("scikit-learn", "scikit-learn", "1.7.2", 200),
    ("joblib", "joblib", "0.17.0", 400),
    ("joblib", "joblib", "1.5.3", 400),
    ("pandas", "pandas", "1.5.3", 300),
    ("pandas", "pandas", "2.2.3", 300),
    ("statsmodels", "statsmodels", "0.14.4", 200),
    ("matplotlib", "matplotlib", "3.9.4", 150),
    ("h5py", "h5py", "3.16.0", 100),
    ("onnx", "onnx", "1.17.0", 150),
    ("torch", "torch", "2.13.0", 100),
    ("nltk", "nltk", "3.9.1", 100),
    ("spacy", "spacy", "3.8.16", 100),
    ("scikit-image", "scikit-image", "0.25.2", 150),
]
# Members whose suffix is code or docs are not data.
NOT_DATA = {
    ".py", ".pyc", ".pyi", ".pyx", ".pxd", ".pxi", ".so", ".c", ".h", ".cpp", ".hpp", ".cc",
    ".cuh", ".cu", ".inl", ".f", ".f90", ".typed", ".js", ".mjs", ".css", ".html", ".cmake",
    ".a", ".lib", ".dll", ".pyd", ".dylib", ".md", ".rst", ".in", ".toml", ".cfg", ".ini",
    ".sh", ".bat", ".ttf", ".afm", ".pfb", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".ico",
}  # fmt: skip
# Kept first, whatever the cap: the formats a scanner must decide about.
RISKY = {
    ".pkl", ".pickle", ".joblib", ".npy", ".npz", ".pt", ".pth", ".ptl", ".bin", ".h5",
    ".hdf5", ".onnx", ".gguf", ".sav", ".mat", ".nc", ".z", ".gz", ".bz2", ".xz", ".lzma",
    ".lz4", ".zip", ".pb", ".msgpack", ".safetensors", ".keras", ".dat", ".arff", ".wav",
}  # fmt: skip


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def base_python() -> str:
    """The interpreter the envs are made from: this one's base (Python 3.11 here)."""
    exe = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return str(exe) if exe.exists() else sys.executable


def find_uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return str(beside)
    return shutil.which("uv")


def local_torch_wheel() -> Path | None:
    for d in LOCAL_WHEEL_DIRS:
        hits = sorted(d.glob("torch-2.13.0*-cp311-*.whl")) if d.is_dir() else []
        if hits:
            return hits[0]
    return None


def venv_python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def site_packages(name: str) -> Path:
    v = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return VENVS / name / "lib" / v / "site-packages"


def run(
    cmd: list[str], log_path: Path, env: dict[str, str] | None = None, timeout: int = 1800
) -> int:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as f:
        f.write(("\n$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        try:
            return subprocess.run(
                cmd, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            f.write(b"\n[timed out]\n")
            return 124


def tail(path: Path, n: int = 6) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def install(env: Env, uv: str | None, retry_failed: bool) -> bool:  # noqa: PLR0912
    """Create and fill the env; True when it is usable."""
    vdir = VENVS / env.name
    ok, failed = vdir / ".aibom-ok", vdir.with_name(env.name + ".failed.json")
    if ok.exists():
        return True
    if failed.exists() and not retry_failed:
        log(f"{env.name}: install failed before (see {failed.name}); skipped")
        return False
    if env.base and not (VENVS / env.base / ".aibom-ok").exists():
        _fail(failed, env, f"base env {env.base} is not installed", "")
        return False
    shutil.rmtree(vdir, ignore_errors=True)
    failed.unlink(missing_ok=True)
    logf = VENVS / f"{env.name}.log"
    logf.unlink(missing_ok=True)
    reqs = list(env.requires)
    torch_wheel = local_torch_wheel()
    log(f"{env.name}: installing {' '.join(reqs)}" + (" (uv)" if uv else " (pip)"))
    t0 = time.monotonic()
    if uv:
        if TORCH in reqs and torch_wheel:
            reqs[reqs.index(TORCH)] = str(torch_wheel)
        rc = run([uv, "venv", "-q", "--python", base_python(), str(vdir)], logf)
        cmd = [uv, "pip", "install", "--python", str(venv_python(env.name))]
        if not env.allow_sdist:
            cmd += ["--only-binary", ":all:"]
        for d in LOCAL_WHEEL_DIRS:
            if d.is_dir() and d.name != "wheels":
                cmd += ["--find-links", str(d)]
        if env.no_deps:
            cmd.append("--no-deps")
        rc = rc or run([*cmd, *reqs], logf)
    else:
        rc = run([base_python(), "-m", "venv", str(vdir)], logf)
        cmd = [str(venv_python(env.name)), "-m", "pip", "install", "-q"]
        if not env.allow_sdist:
            cmd.append("--only-binary=:all:")
        if env.no_deps:
            cmd.append("--no-deps")
        rc = rc or run([*cmd, *reqs], logf)
    if rc == 0 and env.base:
        pth = site_packages(env.name) / "_aibom_base.pth"
        pth.write_text(str(site_packages(env.base)) + "\n")
    if rc != 0:
        _fail(failed, env, f"install exited {rc}", tail(logf))
        log(f"{env.name}: INSTALL FAILED ({time.monotonic() - t0:.0f} s)\n{tail(logf, 4)}")
        return False
    ok.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    log(f"{env.name}: installed in {time.monotonic() - t0:.0f} s")
    return True


def _fail(path: Path, env: Env, why: str, log_tail: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"env": env.name, "requires": env.requires, "error": why, "log_tail": log_tail},
            indent=1,
        )
    )


def dist_version(env: Env, dist: str) -> str | None:
    r = subprocess.run(
        [
            str(venv_python(env.name)),
            "-c",
            f"import importlib.metadata as m; print(m.version({dist!r}))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stdout.strip() or None


def generate(env: Env, gen: str, dist: str, library: str) -> None:
    rec = RECORDS / f"{env.name}--{gen}.json"
    if rec.exists():
        log(f"{env.name}: {gen} done before; skipped")
        return
    version = dist_version(env, dist)
    if version is None:
        _gen_fail(rec, env, gen, library, f"{dist} not installed in {env.name}")
        return
    out_dir = FILES / library / version
    # A generated folder that exists without its record is a crashed run: start it again.
    shutil.rmtree(out_dir / "generated", ignore_errors=True)
    RECORDS.mkdir(parents=True, exist_ok=True)
    genfile = GENERATORS / f"{gen}_gen.py"
    scratch = DATA / "scratch" / f"{env.name}--{gen}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    run_env = {
        **os.environ,
        **env.env,
        "PYTHONHASHSEED": "0",
        "PYTHONWARNINGS": "ignore",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(scratch / "hf"),
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }
    run_env.pop("PYTHONPATH", None)
    log(f"{env.name}: {gen} -> files/{library}/{version}/generated")
    t0 = time.monotonic()
    r = subprocess.run(
        [str(venv_python(env.name)), str(genfile), str(out_dir / "generated"), str(rec), dist],
        cwd=scratch,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    for line in r.stderr.splitlines():
        if line.startswith("  ! ") or re.match(r"^  \S+ \S+: \d+ files", line):
            print(line, file=sys.stderr)
    if r.returncode != 0 or not rec.exists():
        _gen_fail(rec, env, gen, library, f"generator exited {r.returncode}: {r.stderr[-1500:]}")
        log(f"{env.name}: {gen} FAILED\n{r.stderr[-800:]}")
        return
    rec.with_suffix(".failed.json").unlink(missing_ok=True)
    doc = json.loads(rec.read_text())
    doc.update(
        env=env.name,
        library=library,
        generator=genfile.name,
        seconds=round(time.monotonic() - t0, 1),
    )
    rec.write_text(json.dumps(doc, indent=1))


def _gen_fail(rec: Path, env: Env, gen: str, library: str, why: str) -> None:
    # Not written to rec (so a rerun tries again) but kept beside it for the manifest.
    RECORDS.mkdir(parents=True, exist_ok=True)
    rec.with_suffix(".failed.json").write_text(
        json.dumps({"env": env.name, "generator": gen, "library": library, "error": why}, indent=1)
    )


def shipped(library: str, dist: str, version: str, cap: int, retry_failed: bool) -> None:
    rec = RECORDS / f"shipped--{dist}-{version}.json"
    failed = rec.with_suffix(".failed.json")
    if rec.exists():
        log(f"shipped {dist} {version}: done before; skipped")
        return
    if failed.exists() and not retry_failed:
        log(f"shipped {dist} {version}: download failed before; skipped")
        return
    failed.unlink(missing_ok=True)
    wheel = _wheel(dist, version)
    if wheel is None:
        logf = WHEELS / "download.log"
        failed.write_text(
            json.dumps(
                {"dist": dist, "version": version, "library": library, "error": tail(logf)},
                indent=1,
            )
        )
        log(f"shipped {dist} {version}: DOWNLOAD FAILED")
        return
    out_dir = FILES / library / version / "shipped"
    shutil.rmtree(out_dir, ignore_errors=True)
    with zipfile.ZipFile(wheel) as zf:
        members = [
            i
            for i in zf.infolist()
            if not i.is_dir()
            and ".dist-info/" not in i.filename
            and _suffix(i.filename) not in NOT_DATA
            and "__pycache__" not in i.filename
            and not i.filename.endswith((".so", "LICENSE", "LICENSE.txt", "COPYING"))
            and ".so." not in i.filename
            and i.file_size <= 50 * 2**20
        ]
        members.sort(key=lambda i: i.filename)
        risky = [i for i in members if _suffix(i.filename) in RISKY]
        rest = [i for i in members if _suffix(i.filename) not in RISKY]
        keep = risky[:cap]
        room = cap - len(keep)
        if room > 0 and rest:
            step = max(1, len(rest) // room)
            keep += rest[::step][:room]
        records = []
        for info in keep:
            dest = out_dir / info.filename
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, dest.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            records.append({"rel": info.filename, "member": info.filename})
    RECORDS.mkdir(parents=True, exist_ok=True)
    rec.write_text(
        json.dumps(
            {
                "dist": dist,
                "version": version,
                "library": library,
                "wheel": wheel.name,
                "data_members": len(members),
                "kept": len(records),
                "records": records,
            },
            indent=1,
        )
    )
    log(
        f"shipped {dist} {version}: {len(records)} of {len(members)} data members from {wheel.name}"
    )


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def _wheel(dist: str, version: str) -> Path | None:
    WHEELS.mkdir(parents=True, exist_ok=True)
    norm = dist.replace("-", "_").lower()

    def found() -> Path | None:
        tags = ("cp311", "py3-none", "py2.py3", "abi3")
        for d in [WHEELS, *LOCAL_WHEEL_DIRS]:
            for p in sorted(d.glob("*.whl")) if d.is_dir() else []:
                n, _, rest = p.name.partition("-")
                same = n.lower() == norm and rest.startswith((version + "-", version + "+"))
                if same and any(t in p.name for t in tags):
                    return p
        return None

    hit = found()
    if hit:
        return hit
    rc = run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(WHEELS),
            f"{dist}=={version}",
        ],
        WHEELS / "download.log",
    )
    return found() if rc == 0 else None


def write_manifest() -> dict[str, object]:
    entries: list[dict[str, object]] = []
    failures: list[dict[str, object]] = []
    generators: list[dict[str, object]] = []
    for p in sorted(VENVS.glob("*.failed.json")):
        failures.append({"kind": "install", **json.loads(p.read_text())})
    for p in sorted(RECORDS.glob("*.failed.json")):
        failures.append(
            {
                "kind": "generator"
                if "--" in p.name and not p.name.startswith("shipped--")
                else "download",
                **json.loads(p.read_text()),
            }
        )
    for p in sorted(RECORDS.glob("*.json")):
        if p.name.endswith(".failed.json"):
            continue
        doc = json.loads(p.read_text())
        lib, ver = doc["library"], doc["version"]
        if p.name.startswith("shipped--"):
            base = FILES / lib / ver / "shipped"
            for r in doc["records"]:
                entries.append(
                    _entry(
                        base / r["rel"],
                        lib,
                        doc["dist"],
                        ver,
                        "shipped",
                        f"wheel member of {doc['wheel']}",
                        "",
                        False,
                    )
                )
            continue
        base = FILES / lib / ver / "generated"
        generators.append(
            {
                "env": doc["env"], "generator": doc["generator"], "library": lib, "dist": doc["dist"],
                "version": ver, "python": doc["python"], "files": len(doc["records"]),
                "errors": doc["errors"], "seconds": doc.get("seconds"),
            }
        )  # fmt: skip
        for r in doc["records"]:
            entries.append(
                _entry(
                    base / r["rel"],
                    lib,
                    doc["dist"],
                    ver,
                    "generated",
                    r["api"],
                    r["type"],
                    r["carries_code"],
                )
            )
    on_disk = {p for p in FILES.rglob("*") if p.is_file()} if FILES.exists() else set()
    listed = {FILES / str(e["path"]) for e in entries}
    unlisted = sorted(p.relative_to(FILES).as_posix() for p in on_disk - listed)
    by_lib: dict[str, int] = {}
    for e in entries:
        by_lib[str(e["library"])] = by_lib.get(str(e["library"]), 0) + 1
    manifest = {
        "root": "files",
        "python": sys.version.split()[0],
        "file_count": len(entries),
        "files_by_library": dict(sorted(by_lib.items())),
        "generators": generators,
        "failures": failures,
        "unlisted_files": unlisted,
        "files": entries,
    }
    (DATA / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def _entry(
    path: Path, lib: str, dist: str, ver: str, how: str, api: str, typ: str, code: bool
) -> dict[str, object]:
    e: dict[str, object] = {
        "path": path.relative_to(FILES).as_posix(),
        "library": lib,
        "dist": dist,
        "version": ver,
        "made": how,
        "api": api,
        "type": typ,
        "carries_code": code,
    }
    if path.is_file():
        e["size"] = path.stat().st_size
        e["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        e["missing"] = True
    return e


def main() -> int:  # noqa: PLR0912
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--only",
        action="append",
        default=[],
        help="env name, library folder, or 'shipped' (repeatable)",
    )
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        help="env name or library folder to leave out (repeatable)",
    )
    ap.add_argument(
        "--retry-failed",
        action="store_true",
        help="try installs/downloads that failed before again",
    )
    ap.add_argument("--pip", action="store_true", help="install with pip even when uv is found")
    ap.add_argument(
        "--list", action="store_true", help="list the envs and shipped wheels, then exit"
    )
    ap.add_argument("--manifest-only", action="store_true", help="only rewrite manifest.json")
    args = ap.parse_args()
    if args.list:
        for env in ENVS:
            print(
                f"{env.name:24} {' '.join(env.requires)}  -> {', '.join(g for g, _, _ in env.gens)}"
            )
        for lib, dist, ver, cap in SHIPPED:
            print(f"shipped {lib:14} {dist}=={ver} (at most {cap})")
        return 0
    uv = None if args.pip else find_uv()
    t0 = time.monotonic()

    def wanted(*names: str) -> bool:
        if any(n in args.skip for n in names):
            return False
        return not args.only or any(n in args.only for n in names)

    if not args.manifest_only:
        for env in ENVS:
            libs = [lib for _, _, lib in env.gens]
            if not wanted(env.name, *libs):
                continue
            if env.base and not (VENVS / env.base / ".aibom-ok").exists():
                base = next(e for e in ENVS if e.name == env.base)
                install(base, uv, args.retry_failed)
            if not install(env, uv, args.retry_failed):
                continue
            for gen, dist, lib in env.gens:
                if wanted(env.name, lib):
                    try:
                        generate(env, gen, dist, lib)
                    except subprocess.TimeoutExpired:
                        log(f"{env.name}: {gen} timed out")
        for lib, dist, ver, cap in SHIPPED:
            if wanted("shipped", lib):
                shipped(lib, dist, ver, cap, args.retry_failed)
    m = write_manifest()
    log(
        f"manifest: {m['file_count']} files in {len(m['files_by_library'])} libraries, "  # type: ignore[arg-type]
        f"{len(m['failures'])} failures, {len(m['unlisted_files'])} unlisted; {time.monotonic() - t0:.0f} s"  # type: ignore[arg-type]
    )
    for lib, n in m["files_by_library"].items():  # type: ignore[attr-defined]
        print(f"  {lib:20} {n:5}", file=sys.stderr)
    for f in m["failures"]:  # type: ignore[attr-defined]
        last = (str(f.get("error")).strip().splitlines() or [""])[-1]
        print(
            f"  failed: {f.get('env') or f.get('dist')} {f.get('generator', '')}: {last[:160]}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
