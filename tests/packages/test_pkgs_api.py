from __future__ import annotations

from pathlib import Path

import pytest

from aibom import packages
from aibom.limits import Limits
from aibom.packages import (
    ML_FRAMEWORKS,
    PARSERS,
    PROPERTIES,
    InputKind,
    PackageCollection,
    PackageInput,
    collect,
    input_kind,
    is_ml_framework,
)
from tests.packages.pkgs_support import write


def test_every_input_kind_has_a_parser() -> None:
    assert set(PARSERS) == set(InputKind)
    assert all(callable(parser) for parser in PARSERS.values())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("requirements.txt", InputKind.REQUIREMENTS),
        ("requirements-dev.txt", InputKind.REQUIREMENTS),
        ("dev-requirements.txt", InputKind.REQUIREMENTS),
        ("Requirements.TXT", InputKind.REQUIREMENTS),
        ("requirements/base.txt", InputKind.REQUIREMENTS),
        ("requirements/base.in", InputKind.REQUIREMENTS),
        ("requirements.in", InputKind.REQUIREMENTS),
        ("pyproject.toml", InputKind.PYPROJECT),
        ("poetry.lock", InputKind.POETRY_LOCK),
        ("Pipfile.lock", InputKind.PIPFILE_LOCK),
        ("uv.lock", InputKind.UV_LOCK),
        ("pylock.toml", InputKind.PYLOCK),
        ("pylock.dev.toml", InputKind.PYLOCK),
        ("pylock.a.b.toml", None),
        ("MANIFEST.in", None),
        ("Makefile.in", None),
        ("notes.txt", None),
        ("Pipfile", None),
        ("setup.py", None),
        ("model.safetensors", None),
    ],
)
def test_input_kind(name: str, kind: InputKind | None) -> None:
    assert input_kind(Path("/project") / name) is kind


def test_ml_frameworks() -> None:
    assert {
        "torch",
        "tensorflow",
        "transformers",
        "scikit-learn",
        "llama-cpp-python",
    } <= ML_FRAMEWORKS
    assert is_ml_framework("torch")
    assert is_ml_framework("Scikit_Learn")  # any PEP 503 spelling
    assert not is_ml_framework("requests")
    assert all(name == name.lower() and "_" not in name for name in ML_FRAMEWORKS)


def test_property_names_are_namespaced() -> None:
    assert PROPERTIES
    assert all(name.startswith("aibom:python:") for name in PROPERTIES)


def test_collect_keeps_input_order_and_duplicates(tmp_path: Path) -> None:
    a = write(tmp_path / "a" / "requirements.txt", "zeta==1\nalpha==1\n")
    b = write(tmp_path / "b" / "requirements.txt", "alpha==2\n")
    result = collect(
        [
            PackageInput(InputKind.REQUIREMENTS, b, "b/requirements.txt"),
            PackageInput(InputKind.REQUIREMENTS, a, "a/requirements.txt"),
        ]
    )
    assert [(p.name, p.version, p.source) for p in result.packages] == [
        ("alpha", "2", "b/requirements.txt"),
        ("zeta", "1", "a/requirements.txt"),
        ("alpha", "1", "a/requirements.txt"),
    ]


def test_collect_turns_parser_bugs_into_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(inp: PackageInput, limits: Limits) -> PackageCollection:
        raise KeyError("boom")

    monkeypatch.setattr(packages, "PARSERS", {**PARSERS, InputKind.UV_LOCK: broken})
    good = write(tmp_path / "requirements.txt", "six==1.16.0\n")
    result = collect(
        [
            PackageInput(InputKind.UV_LOCK, tmp_path / "uv.lock", "uv.lock"),
            PackageInput(InputKind.REQUIREMENTS, good, "requirements.txt"),
        ]
    )
    assert [p.name for p in result.packages] == ["six"]
    assert len(result.skipped) == 1
    assert result.skipped[0].path == "uv.lock"
    assert result.skipped[0].reason.startswith("internal error in test_pkgs_api: KeyError")


def test_unreadable_input_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").mkdir()
    result = collect([PackageInput(InputKind.POETRY_LOCK, tmp_path / "poetry.lock", "poetry.lock")])
    assert result.packages == [] and result.findings == []
    assert [(s.path, s.reason) for s in result.skipped] == [("poetry.lock", "not a regular file")]
