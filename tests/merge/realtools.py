"""A real Python project, its SBOM by the real cyclonedx-py and its ML-BOM by the real ``aibom scan``.

Both tools run as subprocesses, offline: ``cyclonedx-py environment`` reads a small virtual environment
whose packages are described by their ``.dist-info`` metadata, ``cyclonedx-py requirements`` reads a
pinned requirements file. The ML-BOM's requirements share two pins with the SBOM (one spelled with
another case) and pin ``packaging`` at another version, so a merge has purl duplicates to fold and a
near-duplicate to keep.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.builders import write_model
from tests.processes import HANG_GUARD

BIN = Path(sys.executable).parent
CYCLONEDX_PY = BIN / "cyclonedx-py"
AIBOM = BIN / "aibom"

INSTALLED = {"Jinja2": "3.1.4", "MarkupSafe": "2.1.5", "requests": "2.31.0", "packaging": "24.0"}
"""The project's environment; Jinja2 requires MarkupSafe."""
ML_REQUIREMENTS = "jinja2==3.1.4\nRequests==2.31.0\nsafetensors==0.4.5\npackaging==23.2\n"
SHARED = ("pkg:pypi/jinja2@3.1.4", "pkg:pypi/requests@2.31.0")


@dataclass(frozen=True)
class Project:
    root: Path
    sbom: Path
    """cyclonedx-py environment, JSON, with the project's root component."""
    sbom_xml: Path
    """cyclonedx-py requirements, XML, with the project's root component."""
    mlbom: Path
    """aibom scan of a model folder and the ML requirements, JSON."""
    model: Path


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"},
        check=False,
    )


def _fake_environment(root: Path) -> Path:
    """A virtual environment whose "installed" packages are their metadata alone."""
    env = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python3*/site-packages")
    for name, version in INSTALLED.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        requires = "Requires-Dist: MarkupSafe>=2.0\n" if name == "Jinja2" else ""
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{requires}"
        )
    return env


def make_project(root: Path) -> Project:
    project = root / "demo-app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo-app"\nversion = "1.0.0"\n'
        'dependencies = ["Jinja2==3.1.4", "requests==2.31.0", "packaging==24.0"]\n'
    )
    (project / "requirements.txt").write_text("".join(f"{n}=={v}\n" for n, v in INSTALLED.items()))
    env = _fake_environment(root)
    sbom, sbom_xml = root / "sbom.cdx.json", root / "sbom.cdx.xml"
    common: list[str | Path] = ["--pyproject", project / "pyproject.toml", "--output-reproducible"]
    done = run(CYCLONEDX_PY, "environment", *common, "-o", sbom, env)
    assert done.returncode == 0, done.stderr
    done = run(
        CYCLONEDX_PY, "requirements", *common, "--of", "XML", "-o", sbom_xml,
        project / "requirements.txt",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ml = root / "ml"
    model = write_model(ml / "model", card=None)
    (ml / "requirements.txt").write_text(ML_REQUIREMENTS)
    mlbom = root / "ml.cdx.json"
    done = run(
        AIBOM, "scan", ml / "model", ml / "requirements.txt", "-o", mlbom,
        "--reproducible", "-q", "--fail-on", "none",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Project(root, sbom, sbom_xml, mlbom, model)
