"""Types shared by the Python-dependency sources. Parsers never import or execute package code."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from aibom.findings import Finding, Skipped


class InputKind(enum.Enum):
    INSTALLED = "installed"
    """A Python environment (site-packages with *.dist-info), read from metadata files only."""
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    POETRY_LOCK = "poetry.lock"
    PIPFILE_LOCK = "Pipfile.lock"
    UV_LOCK = "uv.lock"
    PYLOCK = "pylock"


@dataclass(frozen=True)
class PackageInput:
    kind: InputKind
    path: Path
    """File to read, or for INSTALLED a python executable, venv directory or site-packages directory."""
    display: str


@dataclass(frozen=True)
class PackageHash:
    alg: str
    """CycloneDX algorithm name: "SHA-256", "SHA-384", "SHA-512", "MD5", "SHA-1"."""
    value: str
    """Lower-case hex."""


@dataclass
class Package:
    name: str
    """Name as declared by the source."""
    version: str | None
    """Exact version when the source pins or installs one; None for ranges and unpinned names."""
    source: str
    """Display path of the file or environment that declared it."""
    source_kind: InputKind
    specifier: str | None = None
    """The requirement as written when it is not an exact pin, e.g. ``torch>=2.1``."""
    marker: str | None = None
    extras: tuple[str, ...] = ()
    url: str | None = None
    """Direct URL, VCS URL or local path (PEP 508 ``@ url``, PEP 610 direct_url.json, lock sources)."""
    editable: bool = False
    hashes: tuple[PackageHash, ...] = ()
    """Hashes of the distribution files the source records (lock and requirements files)."""
    license_expression: str | None = None
    """SPDX expression (License-Expression, or a recognised licence name or trove classifier)."""
    license_names: tuple[str, ...] = ()
    """Licence names that are not SPDX identifiers, as written."""
    summary: str | None = None
    author: str | None = None
    homepage: str | None = None
    dependencies: tuple[str, ...] = ()
    """Normalised names of the packages this one requires, where the source says (locks, metadata)."""
    optional: bool = False
    """True for dev / optional / non-default groups."""
    groups: tuple[str, ...] = ()
    direct: bool | None = None
    """True when the project depends on it directly; None when the source cannot tell."""
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def normalized_name(self) -> str:
        from packaging.utils import canonicalize_name

        return str(canonicalize_name(self.name))

    @property
    def purl(self) -> str:
        """``pkg:pypi/<normalised name>[@<version>]`` (purl spec: lower case, ``_`` -> ``-``)."""
        from packageurl import PackageURL

        return str(PackageURL(type="pypi", name=self.normalized_name, version=self.version))


@dataclass
class PackageCollection:
    packages: list[Package] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
