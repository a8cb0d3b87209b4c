"""Checks that the action's hash lock installs on every runner it supports, without installing it.

    python .github/action/check.py [--pip PIP]

For each target (CPython 3.10-3.13 on Linux x86_64 and aarch64, macOS arm64, Windows x86_64) it
keeps the lock entries whose environment marker holds on that target (pip itself would evaluate
markers against the interpreter running it, not the target), then asks pip to resolve them
exactly as the action's install step does (``--require-hashes --only-binary :all: --no-deps``) for
that platform with ``--dry-run``: every pinned version must have a wheel for the target whose sha256
is in the lock. It needs the package index (run it after lock.sh, or in CI); the test suite only
imports ``parse_lock`` from here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(__file__).with_name("requirements.txt")
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def _manylinux(machine: str) -> tuple[str, ...]:
    """pip takes ``--platform`` tags literally: every glibc level up to the runner's (2.39)."""
    legacy = ("manylinux1", "manylinux2010", "manylinux2014")
    return (
        *[f"{tag}_{machine}" for tag in legacy],
        *[f"manylinux_2_{n}_{machine}" for n in range(5, 40)],
    )


def _macos(machine: str, newest: int) -> tuple[str, ...]:
    """Every macOS version up to ``newest``, the architecture's own wheels and universal2."""
    versions = [(10, minor) for minor in range(4, 17)] + [
        (major, 0) for major in range(11, newest + 1)
    ]
    return tuple(f"macosx_{a}_{b}_{arch}" for a, b in versions for arch in (machine, "universal2"))


TARGETS = {
    # name: (sys_platform, platform_system, os_name, platform_machine, pip --platform tags)
    "linux-x86_64": ("linux", "Linux", "posix", "x86_64", _manylinux("x86_64")),
    "linux-aarch64": ("linux", "Linux", "posix", "aarch64", _manylinux("aarch64")),
    "macos-arm64": ("darwin", "Darwin", "posix", "arm64", _macos("arm64", 15)),
    # No macos-x86_64: cryptography 51 (sigstore's) ships no macOS x86_64 wheel, and GitHub has
    # retired its Intel macOS runners; `check.py` reports that target as unresolvable.
    "windows-amd64": ("win32", "Windows", "nt", "AMD64", ("win_amd64",)),
}


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str
    hashes: tuple[str, ...]

    def line(self) -> str:
        hashes = " ".join(f"--hash={h}" for h in self.hashes)
        return f"{self.name}=={self.version} {hashes}"


def parse_lock(text: str) -> list[Pin]:
    """The entries of a ``uv pip compile --generate-hashes`` file: ``name==version ; marker``
    followed by ``--hash=`` continuation lines; ``#`` comments are dropped."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        current += " " + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    if current.strip():
        logical.append(current.strip())
    pins = []
    for entry in logical:
        words = entry.split(" --hash=")
        requirement, hashes = words[0], tuple(w.strip() for w in words[1:])
        spec, _, marker = requirement.partition(";")
        name, sep, version = spec.strip().partition("==")
        if not sep:
            raise ValueError(f"not pinned with ==: {requirement!r}")
        pins.append(Pin(name.strip(), version.strip(), marker.strip(), hashes))
    return pins


def environment(target: str, python: str) -> dict[str, str]:
    sys_platform, system, os_name, machine, _ = TARGETS[target]
    return {
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": sys_platform,
        "platform_system": system,
        "os_name": os_name,
        "platform_machine": machine,
    }


def applicable(pins: list[Pin], env: dict[str, str]) -> list[Pin]:
    try:
        from packaging.markers import Marker
    except ImportError:  # a bare CI Python: pip's own copy (nothing installed from an index)
        from pip._vendor.packaging.markers import Marker  # type: ignore[assignment]

    return [p for p in pins if not p.marker or Marker(p.marker).evaluate(env)]


def check(pip: list[str], target: str, python: str, pins: list[Pin]) -> str | None:
    """None when pip resolves the target's pins from wheels with matching hashes; else pip's error."""
    chosen = applicable(pins, environment(target, python))
    tags = TARGETS[target][4]
    abi = f"cp{python.replace('.', '')}"
    with tempfile.TemporaryDirectory() as tmp:
        reqs = Path(tmp) / "requirements.txt"
        reqs.write_text("\n".join(p.line() for p in chosen) + "\n", "utf-8")
        report = Path(tmp) / "report.json"
        platforms = [arg for tag in tags for arg in ("--platform", tag)]
        command = [
            *pip,
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            "--target",
            str(Path(tmp) / "target"),
            *platforms,
            "--python-version",
            python,
            "--implementation",
            "cp",
            "--abi",
            abi,
            "--abi",
            "abi3",
            "--abi",
            "none",
            "--only-binary",
            ":all:",
            "--no-deps",
            "--require-hashes",
            "--report",
            str(report),
            "-r",
            str(reqs),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "pip failed"
        installed = len(json.loads(report.read_text("utf-8"))["install"])
        return None if installed == len(chosen) else f"{installed} of {len(chosen)} resolved"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pip", default=f"{sys.executable} -m pip", help="pip command")
    args = parser.parse_args()
    pins = parse_lock(LOCK.read_text("utf-8"))
    failures = 0
    for target in TARGETS:
        for python in PYTHONS:
            problem = check(args.pip.split(), target, python, pins)
            print(f"{target:14} {python:5} {'ok' if problem is None else problem}", flush=True)
            failures += problem is not None
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
