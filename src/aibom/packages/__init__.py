"""Python-dependency inventory: installed environments, requirements, pyproject and lock files.

One module per source; each exposes a parser ``(PackageInput, Limits) -> PackageCollection``
registered in ``PARSERS``. Scanned code is never imported or executed: installed environments are
read from their metadata files, other sources with ``tomllib``/``json`` and ``packaging``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from aibom.errors import UsageError
from aibom.findings import Skipped
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.packages import _common
from aibom.packages.frameworks import ML_FRAMEWORKS, is_ml_framework
from aibom.packages.installed import parse_installed, site_dirs
from aibom.packages.interface import (
    InputKind,
    Package,
    PackageCollection,
    PackageHash,
    PackageInput,
)
from aibom.packages.pipfile import parse_pipfile_lock
from aibom.packages.poetry import parse_poetry_lock
from aibom.packages.pylock import parse_pylock
from aibom.packages.pyproject import parse_pyproject, project_metadata
from aibom.packages.requirements import parse_requirements
from aibom.packages.uvlock import parse_uv_lock

__all__ = [
    "ML_FRAMEWORKS",
    "PARSERS",
    "PROPERTIES",
    "InputKind",
    "Package",
    "PackageCollection",
    "PackageHash",
    "PackageInput",
    "Parser",
    "collect",
    "current_environment",
    "environment_input",
    "input_kind",
    "is_ml_framework",
    "project_metadata",
]

Parser = Callable[[PackageInput, Limits], PackageCollection]
"""A source: one input -> its packages, findings and skips; never raises for bad input."""

PARSERS: Mapping[InputKind, Parser] = MappingProxyType(
    {
        InputKind.INSTALLED: parse_installed,
        InputKind.REQUIREMENTS: parse_requirements,
        InputKind.PYPROJECT: parse_pyproject,
        InputKind.POETRY_LOCK: parse_poetry_lock,
        InputKind.PIPFILE_LOCK: parse_pipfile_lock,
        InputKind.UV_LOCK: parse_uv_lock,
        InputKind.PYLOCK: parse_pylock,
    }
)

PROPERTIES: tuple[str, ...] = _common.ALL_PROPERTIES
"""Every ``aibom:python:*`` property name a package may carry."""

_PYLOCK_RE = re.compile(r"pylock\.[^.]+\.toml")
_EXACT_NAMES = {
    "pyproject.toml": InputKind.PYPROJECT,
    "poetry.lock": InputKind.POETRY_LOCK,
    "pipfile.lock": InputKind.PIPFILE_LOCK,
    "uv.lock": InputKind.UV_LOCK,
    "pylock.toml": InputKind.PYLOCK,
}


def input_kind(path: Path) -> InputKind | None:
    """The kind of dependency file ``path`` is, judged by its name only (nothing is read).

    Requirements: ``*requirements*.txt``, any ``.txt`` in a ``requirements/`` directory, and
    pip-tools ``.in`` files named like requirements or inside ``requirements/`` (other ``.in``
    files, such as ``MANIFEST.in`` or autoconf templates, are not requirements).
    """
    name = path.name.lower()
    if name in _EXACT_NAMES:
        return _EXACT_NAMES[name]
    if _PYLOCK_RE.fullmatch(name):
        return InputKind.PYLOCK
    in_requirements_dir = path.parent.name.lower() == "requirements"
    if name.endswith(".txt") and ("requirements" in name or in_requirements_dir):
        return InputKind.REQUIREMENTS
    if (
        name.endswith(".in")
        and name != "manifest.in"
        and ("requirements" in name or in_requirements_dir)
    ):
        return InputKind.REQUIREMENTS
    return None


def environment_input(path: Path, display: str) -> PackageInput:
    """An INSTALLED input for ``--python PATH``: a python executable, a venv directory, an
    installation prefix or a site-packages directory. The interpreter is never run: site-packages
    is found from the directory layout. Raises UsageError when none is found."""
    if not path.exists():
        raise UsageError(f"--python {display}: no such file or directory")
    if not site_dirs(path):
        raise UsageError(
            f"--python {display}: no site-packages directory found",
            hint="pass a virtual environment directory (with pyvenv.cfg), its bin/python, "
            "or a site-packages directory",
        )
    return PackageInput(InputKind.INSTALLED, path, display)


def current_environment() -> PackageInput:
    """This interpreter's environment (its site directories on ``sys.path``)."""
    return PackageInput(InputKind.INSTALLED, Path(sys.executable), "current Python environment")


def collect(inputs: Sequence[PackageInput], limits: Limits = DEFAULT_LIMITS) -> PackageCollection:
    """Packages, findings and skips of every input, in input order. Bad input is reported, never
    raised; an unexpected error in a parser becomes a skip naming the parser."""
    result = PackageCollection()
    for inp in inputs:
        part = _run(inp, limits)
        for package in part.packages:
            if is_ml_framework(package.normalized_name):
                package.properties[_common.PROP_ML_FRAMEWORK] = "true"
        result.packages.extend(part.packages)
        result.findings.extend(part.findings)
        result.skipped.extend(part.skipped)
    return result


def _run(inp: PackageInput, limits: Limits) -> PackageCollection:
    parser = PARSERS[inp.kind]
    try:
        return parser(inp, limits)
    except Exception as exc:  # a bug in a parser must not abort the scan
        name = getattr(parser, "__module__", "parser").rsplit(".", 1)[-1]
        return PackageCollection(
            skipped=[Skipped(inp.display, f"internal error in {name}: {exc!r}")]
        )
