"""Helpers shared by the dependency sources: bounded reading, TOML/JSON loading, hashes, pins."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from aibom import checks
from aibom.findings import Finding, Skipped
from aibom.limits import Limits
from aibom.packages.interface import PackageCollection, PackageHash
from aibom.properties import Prop

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PROP_PREFIX = "aibom:python:"
PROP_ML_FRAMEWORK = Prop.PY_ML_FRAMEWORK.value
PROP_RECORD_FILES = Prop.PY_RECORD_FILES.value
PROP_RECORD_HASHED = Prop.PY_RECORD_HASHED.value
PROP_INSTALLER = Prop.PY_INSTALLER.value
PROP_PINNED_BY = Prop.PY_PINNED_BY.value
PROP_LINE = Prop.PY_LINE.value
PROP_PROJECT = Prop.PY_PROJECT.value
PROP_SOURCE_TYPE = Prop.PY_SOURCE_TYPE.value
PROP_VCS_COMMIT = Prop.PY_VCS_COMMIT.value

ALL_PROPERTIES: tuple[str, ...] = (
    PROP_ML_FRAMEWORK,
    PROP_RECORD_FILES,
    PROP_RECORD_HASHED,
    PROP_INSTALLER,
    PROP_PINNED_BY,
    PROP_LINE,
    PROP_PROJECT,
    PROP_SOURCE_TYPE,
    PROP_VCS_COMMIT,
)
"""Every property name the dependency sources set (all start with ``aibom:python:``)."""

HASH_ALGS: Mapping[str, str] = {
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "md5": "MD5",
    "sha1": "SHA-1",
}
_HEX_LENGTHS = {"SHA-256": 64, "SHA-384": 96, "SHA-512": 128, "MD5": 32, "SHA-1": 40}
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
QUOTED_RE = re.compile(r"'[^']*'|\"[^\"]*\"")
"""Quoted strings in a marker (removed before looking for the ``extra`` variable)."""
EXTRA_RE = re.compile(r"\bextra\b")

Map = Mapping[str, Any]


def read_text(path: Path, display: str, limits: Limits, out: PackageCollection) -> str | None:
    """The file's text (UTF-8, undecodable bytes replaced), or None after recording a skip."""
    try:
        if not path.is_file():
            reason = "not a regular file" if path.exists() else "file does not exist"
            out.skipped.append(Skipped(display, reason))
            return None
        size = path.stat().st_size
        if size > limits.max_text_file:
            reason = f"{size} bytes exceeds the {limits.max_text_file}-byte limit for text files"
            out.skipped.append(Skipped(display, reason))
            return None
        with path.open("rb") as handle:
            data = handle.read(limits.max_text_file + 1)
    except OSError as exc:
        out.skipped.append(Skipped(display, f"cannot read: {exc.strerror or exc}"))
        return None
    if len(data) > limits.max_text_file:
        out.skipped.append(Skipped(display, "file grew beyond the text file limit while read"))
        return None
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def malformed(
    out: PackageCollection, display: str, message: str, evidence: str | None = None
) -> None:
    out.findings.append(Finding(checks.MALFORMED_FILE, display, message, evidence=evidence))


def load_toml(text: str, display: str, out: PackageCollection) -> dict[str, Any] | None:
    """Parsed TOML, or None after a MALFORMED_FILE finding (the parser names line and column)."""
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        malformed(out, display, f"invalid TOML: {exc}")
    except RecursionError:
        malformed(out, display, "invalid TOML: nesting too deep to parse")
    except ValueError as exc:  # e.g. an integer over Python's 4300-digit conversion limit
        malformed(out, display, f"invalid TOML: {exc}")
    else:
        return doc
    return None


def load_json(text: str, display: str, out: PackageCollection) -> object | None:
    """Parsed JSON, or None after a MALFORMED_FILE finding."""
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError as exc:
        malformed(out, display, f"invalid JSON: {exc}", evidence=f"line {exc.lineno}")
    except (RecursionError, ValueError) as exc:
        malformed(out, display, f"invalid JSON: {type(exc).__name__}")
    return None


def make_hash(alg: str, value: str) -> PackageHash | None:
    """A hash in CycloneDX form, or None for unknown algorithms and values that are not hex."""
    name = HASH_ALGS.get(alg.strip().lower().replace("-", ""))
    value = value.strip()
    if name is None or len(value) != _HEX_LENGTHS[name] or not _HEX_RE.fullmatch(value):
        return None
    return PackageHash(name, value.lower())


def parse_hash(text: str, sep: str = ":") -> PackageHash | None:
    """``sha256:<hex>`` (or ``sha256=<hex>`` with ``sep="="``) as a hash."""
    alg, found, value = text.partition(sep)
    return make_hash(alg, value) if found else None


def unique_hashes(hashes: Iterable[PackageHash | None]) -> tuple[PackageHash, ...]:
    return tuple(dict.fromkeys(h for h in hashes if h is not None))


def normalize(name: str) -> str:
    return str(canonicalize_name(name))


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalize(n) for n in names if n.strip()))


def exact_pin(req: Requirement) -> str | None:
    """The version of a ``==`` / ``===`` pin (no wildcard), else None."""
    specs = list(req.specifier)
    if req.url or len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")):
        return spec.version
    return None


def first_line(exc: BaseException) -> str:
    """The first line of an exception message (packaging's parse errors add a caret diagram)."""
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


def as_map(value: object) -> Map:
    """``value`` if it is a table/object, else an empty mapping (tolerant document traversal)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
