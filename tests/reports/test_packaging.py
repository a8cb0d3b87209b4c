"""The report templates ship in the wheel and are read from an installed copy, not the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TEMPLATES = sorted(
    p.name for p in (ROOT / "src" / "aibom" / "render" / "templates").iterdir() if p.is_file()
)


@pytest.mark.slow
def test_wheel_carries_the_templates_and_renders_from_them(tmp_path: Path) -> None:
    pytest.importorskip(
        "hatchling", reason="hatchling is not installed (needed to build the wheel offline)"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("aibom-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {f"aibom/render/templates/{t}" for t in TEMPLATES} <= names
        zf.extractall(tmp_path / "site")
    code = (
        "import aibom, json\n"
        "from aibom.render import render\n"
        "doc = {'bomFormat': 'CycloneDX', 'specVersion': '1.6', 'components': []}\n"
        "print(json.dumps([aibom.__file__, render('html', doc)[:15]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(tmp_path / "site")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    where, start = json.loads(done.stdout)
    assert Path(where).is_relative_to(tmp_path / "site")
    assert start == "<!DOCTYPE html>"
    assert {"report.html.j2", "report.css", "macros.html.j2"} <= set(TEMPLATES)
