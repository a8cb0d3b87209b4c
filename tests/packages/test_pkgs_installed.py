from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from aibom import checks
from aibom.errors import UsageError
from aibom.packages import (
    InputKind,
    PackageHash,
    PackageInput,
    collect,
    current_environment,
    environment_input,
)
from tests.packages.pkgs_support import by_name, findings_of, make_dist, write

ARCHIVE_SHA = "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"
RECORD = """
alpha/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,12
alpha-1.0.dist-info/METADATA,sha256=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN_XKdLCPjaYaY,300
alpha-1.0.dist-info/RECORD,,
"""


ALPHA = """
License-Expression: mit OR Apache-2.0
Summary: First package
Author-email: Ann <ann@example.com>
Project-URL: Home Page, https://alpha.example
Requires-Dist: Beta>=1
Requires-Dist: gamma; extra == "test"
Requires-Dist: delta_pkg; sys_platform == "win32"
Requires-Dist: epsilon; python_version < "3" or 'test' == extra
"""
BETA = """
License: UNKNOWN
Home-page: UNKNOWN
Summary: UNKNOWN
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: Apache Software License
"""
EGG_INFO = "Metadata-Version: 1.1\nName: oldpkg\nVersion: 0.5\nLicense: BSD-3-Clause\n"
EGG_REQUIRES = "six>=1\n\n[test]\npytest\n\n[:sys_platform == 'win32']\ncolorama\n"


def _venv(root: Path) -> Path:
    """A fake venv: pyvenv.cfg, bin/python (never run), lib/python3.11/site-packages."""
    write(root / "pyvenv.cfg", "home = /nonexistent/bin\ninclude-system-site-packages = false\n")
    write(root / "bin" / "python", "#!/bin/false\n")
    site = root / "lib" / "python3.11" / "site-packages"
    make_dist(site, "alpha", "1.0", ALPHA, record=RECORD)
    make_dist(site, "beta", "2.0", BETA)
    make_dist(site, "gamma", "3.0", "License: Apache 2.0\nHome-page: https://gamma.example")
    make_dist(site, "delta", "4.0", "Classifier: License :: OSI Approved :: BSD License")
    _direct_url_dists(site)
    write(site / "oldpkg-0.5-py3.11.egg-info" / "PKG-INFO", EGG_INFO)
    write(site / "oldpkg-0.5-py3.11.egg-info" / "requires.txt", EGG_REQUIRES)
    write(
        site / "distutils_pkg-0.1-py3.11.egg-info", "Metadata-Version: 1.0\nName: distutils-pkg\n"
    )
    return root


def _direct_url_dists(site: Path) -> None:
    editable = {"url": "file:///src/mypkg", "dir_info": {"editable": True}}
    make_dist(site, "mypkg", "0.1", direct_url=editable)
    vcs = {
        "url": "https://github.com/o/fromgit.git",
        "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": "main"},
    }
    make_dist(site, "fromgit", "5.0", direct_url=vcs)
    archive = {
        "url": "https://example.com/fromwheel-6.0-py3-none-any.whl",
        "archive_info": {"hashes": {"sha256": ARCHIVE_SHA}, "hash": f"sha256={ARCHIVE_SHA}"},
    }
    make_dist(site, "fromwheel", "6.0", direct_url=archive)


def test_installed_metadata(tmp_path: Path) -> None:
    venv = _venv(tmp_path / "venv")
    result = collect([environment_input(venv, "venv")])
    assert [p.name for p in result.packages] == [
        "alpha", "beta", "delta", "distutils-pkg", "fromgit", "fromwheel", "gamma", "mypkg",
        "oldpkg",
    ]  # fmt: skip
    pkgs = by_name(result)
    alpha = pkgs["alpha"]
    assert (alpha.version, alpha.summary, alpha.author) == (
        "1.0",
        "First package",
        "Ann <ann@example.com>",
    )
    assert alpha.license_expression == "MIT OR Apache-2.0"
    assert alpha.homepage == "https://alpha.example"
    assert alpha.dependencies == ("beta", "delta-pkg")  # extras-only entries skipped
    assert (
        alpha.direct is None and alpha.source == "venv" and alpha.source_kind is InputKind.INSTALLED
    )
    assert alpha.properties["aibom:python:record-files"] == "3"
    assert alpha.properties["aibom:python:record-hashed-files"] == "2"
    assert alpha.properties["aibom:python:installer"] == "pip"
    assert (pkgs["beta"].license_expression, pkgs["beta"].license_names) == ("Apache-2.0", ())
    assert (pkgs["beta"].homepage, pkgs["beta"].summary) == (None, None)
    assert (pkgs["gamma"].license_expression, pkgs["gamma"].license_names) == (
        None,
        ("Apache 2.0",),
    )
    assert pkgs["gamma"].homepage == "https://gamma.example"
    assert (pkgs["delta"].license_expression, pkgs["delta"].license_names) == (
        None,
        ("BSD License",),
    )
    assert pkgs["oldpkg"].license_expression == "BSD-3-Clause"
    assert pkgs["oldpkg"].dependencies == ("six", "colorama")
    assert pkgs["distutils-pkg"].version == "0.1"  # single-file egg-info: version from its name
    assert result.findings == []


def test_installed_direct_url(tmp_path: Path) -> None:
    pkgs = by_name(collect([environment_input(_venv(tmp_path / "v"), "v")]))
    assert pkgs["mypkg"].editable and pkgs["mypkg"].url == "file:///src/mypkg"
    fromgit = pkgs["fromgit"]
    assert fromgit.url == "git+https://github.com/o/fromgit.git"
    assert fromgit.properties["aibom:python:vcs-commit"] == "abc123"
    assert not fromgit.editable
    assert pkgs["fromwheel"].hashes == (PackageHash("SHA-256", ARCHIVE_SHA),)


def test_python_executable_site_packages_dir_and_venv_agree(tmp_path: Path) -> None:
    venv = _venv(tmp_path / "venv")
    site = venv / "lib" / "python3.11" / "site-packages"
    runs = [
        collect([environment_input(p, "x")]).packages for p in (venv, venv / "bin" / "python", site)
    ]
    assert [[(p.name, p.version) for p in r] for r in runs[1:]] == [
        [(p.name, p.version) for p in runs[0]]
    ] * 2


def test_windows_layout(tmp_path: Path) -> None:
    root = tmp_path / "winvenv"
    write(root / "pyvenv.cfg", "home = C:\\Python311\n")
    write(root / "Scripts" / "python.exe", "MZ")
    make_dist(root / "Lib" / "site-packages", "alpha", "1.0")
    result = collect([environment_input(root / "Scripts" / "python.exe", "winvenv")])
    assert [(p.name, p.version) for p in result.packages] == [("alpha", "1.0")]


def test_pth_files_are_never_executed(tmp_path: Path) -> None:
    venv = _venv(tmp_path / "venv")
    canary = tmp_path / "pwned"
    site = venv / "lib" / "python3.11" / "site-packages"
    (site / "evil.pth").write_text(f"import pathlib; pathlib.Path({str(canary)!r}).touch()\n")
    collect([environment_input(venv / "bin" / "python", "venv")])
    assert not canary.exists()


def test_broken_metadata_is_reported(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    broken = site / "broken-1.0.dist-info"
    broken.mkdir(parents=True)
    (broken / "METADATA").write_bytes(b"\x00\xff\xfe garbage without headers\n")
    (broken / "RECORD").write_bytes(b"\x00\x01,\xff\n\n")
    (broken / "direct_url.json").write_text("{not json")
    nometa = site / "nometa-2.0.dist-info"
    nometa.mkdir()
    result = collect([environment_input(site, "site")])
    assert [(p.name, p.version) for p in result.packages] == [("broken", "1.0")]
    assert [f.path for f in findings_of(result, checks.MALFORMED_FILE.id)] == [
        "site/broken-1.0.dist-info/METADATA",
        "site/broken-1.0.dist-info/RECORD",
        "site/broken-1.0.dist-info/direct_url.json",
    ]
    assert [s.path for s in result.skipped] == ["site/nometa-2.0.dist-info/METADATA"]


def test_environment_input_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        environment_input(tmp_path / "missing", "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no site-packages"):
        environment_input(tmp_path / "empty", "empty")
    write(tmp_path / "bin" / "python3", "")
    with pytest.raises(UsageError, match="no site-packages"):
        environment_input(tmp_path / "bin" / "python3", "python3")


def test_missing_site_packages_at_collect_time_is_skipped(tmp_path: Path) -> None:
    result = collect([PackageInput(InputKind.INSTALLED, tmp_path / "gone", "gone")])
    assert result.packages == []
    assert [s.path for s in result.skipped] == ["gone"]


def test_current_environment() -> None:
    inp = current_environment()
    assert inp.kind is InputKind.INSTALLED
    result = collect([inp])
    pkgs = by_name(result)
    for name in ("packaging", "click"):  # the oracle: this interpreter's own importlib.metadata
        assert pkgs[name].version == importlib.metadata.version(name)
    assert pkgs["safetensors"].properties["aibom:python:ml-framework"] == "true"
    assert pkgs["aibom"].editable  # installed with pip install -e
    assert environment_input(Path(sys.executable), "me").path == Path(sys.executable)
