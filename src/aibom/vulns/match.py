"""Matching PyPI packages against OSV advisories, with the semantics the OSV schema defines
(``IsVulnerable`` in its "Evaluation" section): a version is affected when it is listed in ``versions``
or falls in a range; events are sorted by version, ``introduced: "0"`` sorts first, ``fixed`` and
``last_affected`` close a range, and ``limit`` events bound it.

Names are compared after PEP 503 normalisation; ``ECOSYSTEM`` versions are ordered by PEP 440
(``packaging``), ``SEMVER`` versions by SemVer 2.0 precedence (``semver``). ``GIT`` ranges need the
repository and are not evaluated; ranges whose versions cannot be parsed are skipped, never guessed.
Withdrawn advisories never match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import semver
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from aibom.vulns.osv import Affected, Event, OsvRecord, Range

ECOSYSTEM = "PyPI"
PackageKey = tuple[str, str]
"""(PEP 503 normalised name, version)."""
Parse = Callable[[str], Any]


class VulnSource(Protocol):
    """Where advisories come from. ``query`` returns candidate records per package."""

    label: str
    """Human description, e.g. ``OSV API https://api.osv.dev``."""
    prefiltered: bool
    """True when the source already matched versions (the OSV API): its answers are kept even where
    local evaluation disagrees."""

    def query(self, packages: Sequence[PackageKey]) -> dict[PackageKey, list[OsvRecord]]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Match:
    bom_ref: str
    name: str
    """The package name as the BOM gives it."""
    version: str
    record: OsvRecord
    evidence: str
    """Why the version is affected (listed version, or the range it falls in)."""
    fixed: tuple[str, ...]
    """Versions that fix it and are newer than ``version``, lowest first."""


def normalize_name(name: str) -> str:
    return str(canonicalize_name(name))


@functools.lru_cache(maxsize=65_536)
def pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@functools.lru_cache(maxsize=16_384)
def semver_of(text: str) -> semver.Version | None:
    try:
        return semver.Version.parse(text.removeprefix("v"), optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None


def _parser(range_type: str) -> Parse | None:
    return {"ECOSYSTEM": pep440, "SEMVER": semver_of}.get(range_type)


def _sorted_events(events: Sequence[Event], parse: Parse) -> list[tuple[Any, Event]] | None:
    keyed: list[tuple[Any, Event]] = []
    for event in events:
        if event.kind == "limit":
            continue
        if event.kind == "introduced" and event.version == "0":
            keyed.append((None, event))
            continue
        key = parse(event.version)
        if key is None:
            return None
        keyed.append((key, event))
    keyed.sort(key=lambda item: (0,) if item[0] is None else (1, item[0]))
    return keyed


def _before_limits(version: Any, events: Sequence[Event], parse: Parse) -> bool:
    limits = [e.version for e in events if e.kind == "limit"]
    if not limits:
        return True
    for text in limits:
        bound = None if "*" in text else parse(text)
        if "*" in text or (bound is not None and version < bound):
            return True
    return False


def in_range(version_text: str, rng: Range) -> bool:
    """OSV's ``IncludedInRanges`` for one range."""
    parse = _parser(rng.type)
    version = parse(version_text) if parse else None
    if parse is None or version is None or not _before_limits(version, rng.events, parse):
        return False
    events = _sorted_events(rng.events, parse)
    vulnerable = False
    for key, event in events or ():
        if event.kind == "introduced" and (key is None or version >= key):
            vulnerable = True
        elif (event.kind == "fixed" and version >= key) or (
            event.kind == "last_affected" and version > key
        ):
            vulnerable = False
    return vulnerable


def in_versions(version_text: str, versions: Sequence[str]) -> bool:
    """Listed exactly, or equal under PEP 440 (``1.0`` is ``1.0.0`` on PyPI)."""
    if version_text in versions:
        return True
    version = pep440(version_text)
    return version is not None and any(pep440(v) == version for v in versions)


def _describe(rng: Range) -> str:
    return f"{rng.type} range " + ", ".join(f"{e.kind} {e.version}" for e in rng.events)


def affected_by(entry: Affected, version: str) -> str | None:
    """Evidence that ``version`` is affected by ``entry`` (None when it is not)."""
    if version in entry.versions:
        return f"{version} is listed as affected"
    for rng in entry.ranges:
        if in_range(version, rng):
            return f"{version} is in the {_describe(rng)}"
    if entry.versions and in_versions(version, entry.versions):
        return f"{version} is listed as affected"
    return None


def _fixed_after(entry: Affected, version: str) -> set[str]:
    out: set[str] = set()
    for rng in entry.ranges:
        parse = _parser(rng.type)
        mine = parse(version) if parse else None
        for event in rng.events:
            fixed = parse(event.version) if parse and event.kind == "fixed" else None
            if fixed is not None and (mine is None or fixed > mine):
                out.add(event.version)
    return out


def _version_order(text: str) -> tuple[int, Version, str]:
    parsed = pep440(text)
    return (0, parsed, text) if parsed is not None else (1, Version("0"), text)


def evaluate(record: OsvRecord, key: PackageKey) -> tuple[str | None, tuple[str, ...]]:
    """(evidence or None, fixed versions newer than the package's) for one record and package."""
    name, version = key
    evidence: str | None = None
    fixed: set[str] = set()
    for entry in record.affected:
        if entry.ecosystem != ECOSYSTEM or normalize_name(entry.name) != name:
            continue
        found = affected_by(entry, version)
        if found is not None:
            evidence = evidence or found
            fixed |= _fixed_after(entry, version)
    return evidence, tuple(sorted(fixed, key=_version_order))


def match_packages(
    packages: Sequence[tuple[str, str | None, str]], source: VulnSource
) -> list[Match]:
    """Advisories affecting each ``(name, version, bom-ref)``. Packages without a version are not
    matched (nothing can be said about them)."""
    wanted: dict[PackageKey, list[tuple[str, str]]] = {}
    for name, version, ref in packages:
        if version:
            wanted.setdefault((normalize_name(name), version.strip()), []).append((name, ref))
    found = source.query(list(wanted))
    matches: list[Match] = []
    for key, records in found.items():
        for record in {r.id: r for r in records if not r.withdrawn}.values():
            evidence, fixed = evaluate(record, key)
            if evidence is None and not source.prefiltered:
                continue
            why = evidence or "reported by the OSV API"
            matches += [Match(ref, n, key[1], record, why, fixed) for n, ref in wanted.get(key, [])]
    matches.sort(key=lambda m: (normalize_name(m.name), m.version, m.record.id, m.bom_ref))
    return matches
