from __future__ import annotations

from pathlib import Path

from aibom import checks
from aibom.packages import InputKind, PackageHash
from tests.packages import lock_samples as s
from tests.packages.pkgs_support import by_name, findings_of, run, write


def sha256(value: str) -> PackageHash:
    return PackageHash("SHA-256", value)


# ---------------------------------------------------------------- poetry.lock


def test_poetry_lock_2(tmp_path: Path) -> None:
    result = run(write(tmp_path / "poetry.lock", s.POETRY_LOCK_2), InputKind.POETRY_LOCK)
    assert [p.name for p in result.packages] == ["certifi", "requests", "pytest", "torch"]
    pkgs = by_name(result)
    requests = pkgs["requests"]
    assert requests.version == "2.31.0"
    assert requests.summary == "Python HTTP for Humans."
    assert requests.dependencies == ("certifi", "charset-normalizer")
    assert requests.hashes == (sha256(s.REQUESTS_WHL), sha256(s.REQUESTS_SDIST))  # deduped
    assert (requests.optional, requests.groups) == (False, ("main",))
    assert (pkgs["pytest"].optional, pkgs["pytest"].groups) == (True, ("dev",))
    assert pkgs["torch"].optional
    assert pkgs["torch"].marker == 'extra == "ml"'
    assert pkgs["torch"].properties["aibom:python:ml-framework"] == "true"
    assert "aibom:python:ml-framework" not in requests.properties
    assert all(p.direct is None and p.source == "poetry.lock" for p in result.packages)
    assert result.findings == [] and result.skipped == []


def test_poetry_lock_1_metadata_files_and_sources(tmp_path: Path) -> None:
    result = run(write(tmp_path / "poetry.lock", s.POETRY_LOCK_1), InputKind.POETRY_LOCK)
    pkgs = by_name(result)
    assert pkgs["certifi"].hashes == (sha256(s.CERTIFI_WHL), sha256(s.CERTIFI_SDIST))
    assert (pkgs["certifi"].optional, pkgs["certifi"].groups) == (False, ("main",))
    black = pkgs["black"]
    assert (black.optional, black.groups) == (True, ("dev",))
    assert black.url == "git+https://github.com/psf/black.git"
    assert black.properties["aibom:python:vcs-commit"] == s.BLACK_COMMIT
    assert black.properties["aibom:python:source-type"] == "git"
    assert pkgs["mylib"].url == "../mylib"
    assert pkgs["mylib"].editable
    assert result.findings == []


# ---------------------------------------------------------------- Pipfile.lock


def test_pipfile_lock(tmp_path: Path) -> None:
    result = run(write(tmp_path / "Pipfile.lock", s.PIPFILE_LOCK), InputKind.PIPFILE_LOCK)
    assert [p.name for p in result.packages] == ["certifi", "requests", "black", "pytest"]
    pkgs = by_name(result)
    requests = pkgs["requests"]
    assert requests.version == "2.31.0"
    assert requests.marker == "python_version >= '3.7'"
    assert requests.hashes == (sha256(s.REQUESTS_WHL), sha256(s.REQUESTS_SDIST))
    assert (requests.optional, requests.groups) == (False, ())
    assert (pkgs["pytest"].optional, pkgs["pytest"].groups) == (True, ("develop",))
    black = pkgs["black"]
    assert black.version is None
    assert black.url == "git+https://github.com/psf/black.git"
    assert black.properties["aibom:python:vcs-commit"] == s.BLACK_COMMIT
    assert result.findings == []


def test_pipfile_lock_not_an_object(tmp_path: Path) -> None:
    result = run(write(tmp_path / "Pipfile.lock", "[1, 2]"), InputKind.PIPFILE_LOCK)
    assert result.packages == []
    assert len(findings_of(result, checks.MALFORMED_FILE.id)) == 1


# ---------------------------------------------------------------- uv.lock


def test_uv_lock(tmp_path: Path) -> None:
    result = run(write(tmp_path / "uv.lock", s.UV_LOCK), InputKind.UV_LOCK)
    assert [p.name for p in result.packages][:3] == ["demo", "black", "certifi"]
    pkgs = by_name(result)
    demo = pkgs["demo"]
    assert demo.properties["aibom:python:project"] == "true"
    assert demo.editable and demo.url == "."
    assert demo.dependencies == ("black", "requests")
    requests = pkgs["requests"]
    assert requests.hashes == (sha256(s.REQUESTS_SDIST), sha256(s.REQUESTS_WHL))
    assert requests.properties["aibom:python:source-type"] == "registry"
    assert requests.url is None
    assert (requests.direct, requests.optional) == (True, False)
    assert (pkgs["certifi"].direct, pkgs["certifi"].optional) == (False, False)
    assert (pkgs["pysocks"].direct, pkgs["pysocks"].optional) == (
        False,
        False,
    )  # via requests[socks]
    assert (pkgs["torch"].direct, pkgs["torch"].optional, pkgs["torch"].groups) == (
        True,
        True,
        ("ml",),
    )
    assert (pkgs["pytest"].optional, pkgs["pytest"].groups) == (True, ("dev",))
    assert (pkgs["iniconfig"].direct, pkgs["iniconfig"].optional) == (False, True)
    black = pkgs["black"]
    assert black.url == f"git+https://github.com/psf/black?rev=24.2.0#{s.BLACK_COMMIT}"
    assert black.properties["aibom:python:vcs-commit"] == s.BLACK_COMMIT
    assert result.findings == []


def test_uv_lock_without_project_leaves_direct_unknown(tmp_path: Path) -> None:
    text = '[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "x" }\n'
    result = run(write(tmp_path / "uv.lock", text), InputKind.UV_LOCK)
    assert [(p.name, p.direct, p.optional) for p in result.packages] == [("six", None, False)]


# ---------------------------------------------------------------- pylock.toml


def test_pylock(tmp_path: Path) -> None:
    result = run(write(tmp_path / "pylock.toml", s.PYLOCK), InputKind.PYLOCK)
    assert result.findings == []  # valid PEP 751 (validated by packaging.pylock when present)
    assert [p.name for p in result.packages] == ["requests", "certifi", "mylib", "black"]
    pkgs = by_name(result)
    assert pkgs["requests"].hashes == (sha256(s.REQUESTS_SDIST), sha256(s.REQUESTS_WHL))
    assert pkgs["requests"].dependencies == ("certifi",)
    certifi = pkgs["certifi"]
    assert certifi.hashes == (
        sha256(s.CERTIFI_WHL),
        PackageHash("MD5", "0123456789abcdef0123456789abcdef"),
    )  # blake2b is not a CycloneDX algorithm here: dropped
    assert certifi.marker == "python_version >= '3.6'"
    assert pkgs["mylib"].version is None
    assert pkgs["mylib"].editable and pkgs["mylib"].url == "./lib/mylib"
    assert pkgs["black"].url == "git+https://github.com/psf/black.git"
    assert pkgs["black"].properties["aibom:python:vcs-commit"] == s.BLACK_COMMIT


def test_pylock_spec_violation_is_reported_but_packages_kept(tmp_path: Path) -> None:
    text = s.PYLOCK.replace('created-by = "pip"\n', "")
    result = run(write(tmp_path / "pylock.dev.toml", text), InputKind.PYLOCK)
    assert len(result.packages) == 4
    malformed = findings_of(result, checks.MALFORMED_FILE.id)
    assert len(malformed) == 1
    assert "created-by" in malformed[0].message


def test_pylock_unsupported_version(tmp_path: Path) -> None:
    text = s.PYLOCK.replace('lock-version = "1.0"', 'lock-version = "2.0"')
    result = run(write(tmp_path / "pylock.toml", text), InputKind.PYLOCK)
    assert len(result.packages) == 4
    assert "lock-version" in findings_of(result, checks.MALFORMED_FILE.id)[0].message
