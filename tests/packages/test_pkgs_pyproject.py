from __future__ import annotations

from pathlib import Path

from aibom import checks
from aibom.packages import InputKind, project_metadata
from tests.packages.pkgs_support import by_name, findings_of, run, write

PEP621 = """
[project]
name = "demo"
version = "1.2.3"
license = "MIT"
dependencies = [
    "requests==2.31.0",
    "torch>=2.1; sys_platform != 'darwin'",
    "numpy[extra]",
    "mylib @ https://example.com/mylib-1.0.tar.gz",
    "not a requirement!",
    42,
]

[project.optional-dependencies]
test = ["pytest>=8"]

[dependency-groups]
lint = ["ruff==0.5.0"]
dev = [{include-group = "lint"}, "mypy"]
"""

POETRY = """
[tool.poetry]
name = "legacy"
version = "0.9.0"
license = "Apache-2.0"

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
six = "1.16.0"
attrs = "==23.2.0"
anything = "*"
click = { version = "~8.1", extras = ["x"], markers = "python_version >= '3.10'" }
black = { git = "https://github.com/psf/black.git", tag = "24.2.0" }
mylib = { path = "../mylib", develop = true }
torch = { version = "2.2.1", optional = true }
numpy = [
    { version = "1.26.4", python = "<3.13" },
    { version = "2.1.0", python = ">=3.13" },
]

[tool.poetry.extras]
ml = ["torch"]

[tool.poetry.group.docs.dependencies]
sphinx = "^7"

[tool.poetry.dev-dependencies]
pytest = "^8"
"""


def test_pep621_and_dependency_groups(tmp_path: Path) -> None:
    result = run(write(tmp_path / "pyproject.toml", PEP621), InputKind.PYPROJECT)
    names = [p.normalized_name for p in result.packages]
    assert names == ["requests", "torch", "numpy", "mylib", "pytest", "ruff", "mypy"]
    pkgs = by_name(result)
    assert pkgs["requests"].version == "2.31.0"
    assert pkgs["torch"].specifier == "torch>=2.1"
    assert pkgs["torch"].marker == 'sys_platform != "darwin"'
    assert pkgs["numpy"].extras == ("extra",)
    assert pkgs["mylib"].url == "https://example.com/mylib-1.0.tar.gz"
    assert pkgs["mylib"].version is None
    assert (pkgs["pytest"].optional, pkgs["pytest"].groups) == (True, ("test",))
    assert (pkgs["ruff"].optional, pkgs["ruff"].groups, pkgs["ruff"].version) == (
        True,
        ("lint",),
        "0.5.0",
    )
    assert pkgs["mypy"].groups == ("dev",)
    assert all(p.direct is True for p in result.packages)
    assert not findings_of(result, checks.UNPINNED_REQUIREMENT.id)  # ranges are normal here
    malformed = findings_of(result, checks.MALFORMED_FILE.id)
    assert [f.evidence for f in malformed] == ["project.dependencies[4]", "project.dependencies[5]"]


def test_poetry_tables(tmp_path: Path) -> None:
    result = run(write(tmp_path / "pyproject.toml", POETRY), InputKind.PYPROJECT)
    names = [p.normalized_name for p in result.packages]
    assert "python" not in names
    assert names.count("numpy") == 2
    pkgs = {p.normalized_name: p for p in result.packages}
    assert (pkgs["requests"].version, pkgs["requests"].specifier) == (None, "requests ^2.31")
    assert pkgs["six"].version == "1.16.0"
    assert pkgs["attrs"].version == "23.2.0"
    assert pkgs["anything"].specifier == "anything *"
    click = pkgs["click"]
    assert (click.specifier, click.extras, click.marker) == (
        "click ~8.1",
        ("x",),
        "python_version >= '3.10'",
    )
    assert pkgs["black"].url == "git+https://github.com/psf/black.git@24.2.0"
    assert pkgs["mylib"].url == "../mylib" and pkgs["mylib"].editable
    assert (pkgs["torch"].optional, pkgs["torch"].groups) == (True, ("ml",))
    assert (pkgs["sphinx"].optional, pkgs["sphinx"].groups) == (True, ("docs",))
    assert (pkgs["pytest"].optional, pkgs["pytest"].groups) == (True, ("dev",))
    assert pkgs["requests"].optional is False
    assert result.findings == []


def test_poetry_main_table_does_not_duplicate_pep621(tmp_path: Path) -> None:
    text = '[project]\nname = "x"\ndependencies = ["requests>=2"]\n'
    text += '[tool.poetry.dependencies]\nrequests = { source = "mirror" }\n'
    result = run(write(tmp_path / "pyproject.toml", text), InputKind.PYPROJECT)
    assert [p.name for p in result.packages] == ["requests"]


def test_project_metadata(tmp_path: Path) -> None:
    assert project_metadata(write(tmp_path / "a" / "pyproject.toml", PEP621)) == {
        "name": "demo",
        "version": "1.2.3",
        "license": "MIT",
    }
    assert project_metadata(write(tmp_path / "b" / "pyproject.toml", POETRY)) == {
        "name": "legacy",
        "version": "0.9.0",
        "license": "Apache-2.0",
    }
    assert project_metadata(write(tmp_path / "c" / "pyproject.toml", "[tool.ruff]\n")) is None
    assert project_metadata(write(tmp_path / "d" / "pyproject.toml", "[[[")) is None
