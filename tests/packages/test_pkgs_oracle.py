"""aibom's inventory must name the same (package, version) pairs as cyclonedx-py (cyclonedx-bom).

cyclonedx-py is a dev dependency; if it is missing these tests fail rather than skip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aibom.packages import InputKind, collect, environment_input
from tests.packages import lock_samples as s
from tests.packages.pkgs_support import cyclonedx, make_dist, name_versions, run, write

REQUIREMENTS = f"""
# hashes, pins, ranges, markers, extras, URLs, an include
requests==2.31.0 \\
    --hash=sha256:{s.REQUESTS_WHL} \\
    --hash=sha256:{s.REQUESTS_SDIST}
torch>=2.1
numpy===1.26.4
Flask_Login[extra]==0.6.3 ; python_version >= "3.8"
-r base.txt
-e git+https://github.com/psf/black.git@main#egg=black
foo @ https://example.com/foo-1.0-py3-none-any.whl
--extra-index-url https://example.com/simple
pyyaml==6.0.1
"""


def test_requirements_match_cyclonedx(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", REQUIREMENTS)
    write(tmp_path / "base.txt", "six==1.16.0\nattrs\n")
    expected = cyclonedx("requirements", str(path), cwd=tmp_path)
    assert ("requests", "2.31.0") in expected  # the oracle really read the file
    assert name_versions(run(path, InputKind.REQUIREMENTS)) == expected


def test_poetry_lock_matches_cyclonedx(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", s.POETRY_PYPROJECT)
    lock = write(tmp_path / "poetry.lock", s.POETRY_LOCK_2)
    expected = cyclonedx("poetry", "--all-extras", str(tmp_path), cwd=tmp_path)
    assert len(expected) == 4
    assert name_versions(run(lock, InputKind.POETRY_LOCK)) == expected


def test_pipfile_lock_matches_cyclonedx(tmp_path: Path) -> None:
    write(tmp_path / "Pipfile", s.PIPFILE)
    lock = write(tmp_path / "Pipfile.lock", s.PIPFILE_LOCK)
    expected = cyclonedx("pipenv", "--dev", str(tmp_path), cwd=tmp_path)
    assert len(expected) == 4
    assert name_versions(run(lock, InputKind.PIPFILE_LOCK)) == expected


def test_this_venv_matches_cyclonedx(tmp_path: Path) -> None:
    python = Path(sys.executable)
    expected = cyclonedx("environment", str(python), cwd=tmp_path)
    assert len(expected) > 20
    assert name_versions(collect([environment_input(python, "venv")])) == expected


@pytest.mark.slow
def test_hand_made_venv_matches_cyclonedx(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [site] = sorted(venv.glob("lib/python3*/site-packages")) or [venv / "Lib" / "site-packages"]
    make_dist(site, "Alpha_Pkg", "1.0", "License-Expression: MIT\nRequires-Dist: beta")
    make_dist(site, "beta", "2.0.post1", "Classifier: License :: OSI Approved :: MIT License")
    make_dist(
        site, "gamma", "3.0rc1", direct_url={"url": "file:///g", "dir_info": {"editable": True}}
    )
    write(site / "oldpkg-0.5-py3.11.egg-info" / "PKG-INFO", "Name: oldpkg\nVersion: 0.5\n")
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    expected = cyclonedx("environment", str(python), cwd=tmp_path)
    assert expected == {
        ("alpha-pkg", "1.0"),
        ("beta", "2.0.post1"),
        ("gamma", "3.0rc1"),
        ("oldpkg", "0.5"),
    }
    assert name_versions(collect([environment_input(python, "venv")])) == expected
