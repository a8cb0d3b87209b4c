"""Helpers for the aibom.packages tests: file builders and the cyclonedx-py oracle."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

from aibom.findings import Finding
from aibom.packages import InputKind, Package, PackageCollection, PackageInput, collect

CYCLONEDX_PY = Path(sys.executable).parent / "cyclonedx-py"

NameVersion = tuple[str, str | None]


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` (leading newline dropped), creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run(path: Path, kind: InputKind, display: str | None = None) -> PackageCollection:
    return collect([PackageInput(kind, path, display or path.name)])


def by_name(result: PackageCollection) -> dict[str, Package]:
    """Normalised name -> package; fails on duplicates so tests notice them."""
    found: dict[str, Package] = {}
    for package in result.packages:
        assert package.normalized_name not in found, f"duplicate {package.normalized_name}"
        found[package.normalized_name] = package
    return found


def name_versions(result: PackageCollection) -> set[NameVersion]:
    return {(p.normalized_name, p.version) for p in result.packages}


def findings_of(result: PackageCollection, check_id: str) -> list[Finding]:
    return [f for f in result.findings if f.check.id == check_id]


def make_dist(
    site: Path,
    name: str,
    version: str,
    headers: str = "",
    *,
    record: str | None = None,
    direct_url: Mapping[str, object] | None = None,
) -> Path:
    """A ``<name>-<version>.dist-info`` directory with METADATA (plus RECORD / direct_url.json)."""
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    lines += [line.strip() for line in headers.strip().splitlines() if line.strip()]
    (dist / "METADATA").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    (dist / "INSTALLER").write_text("pip\n", encoding="utf-8")
    if record is not None:
        (dist / "RECORD").write_text(textwrap.dedent(record).lstrip("\n"), encoding="utf-8")
    if direct_url is not None:
        (dist / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return dist


def cyclonedx(*args: str, cwd: Path) -> set[NameVersion]:
    """(normalised name, version) of every component cyclonedx-py reports for ``args``."""
    assert CYCLONEDX_PY.is_file(), f"{CYCLONEDX_PY} missing: install the dev extra (cyclonedx-bom)"
    proc = subprocess.run(
        [str(CYCLONEDX_PY), *args, "--output-reproducible", "--no-validate", "-o", "-"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    bom = json.loads(proc.stdout)
    return {
        (str(canonicalize_name(c["name"])), c.get("version")) for c in bom.get("components", [])
    }
