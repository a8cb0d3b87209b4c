"""The OSV record model (https://ossf.github.io/osv-schema/), the parts that matching and CycloneDX need,
parsed from untrusted JSON with every count and length bounded.

A record that breaks the schema in a way that matters (no id, events that are not single-key objects)
raises ``OsvFormatError``; unknown fields are ignored, as the schema asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from aibom.limits import DEFAULT_LIMITS

_KEPT_SPECIFIC = frozenset({"severity", "cwe_ids"})
"""``database_specific`` keys kept in the offline index (the GitHub database's label and CWE ids)."""

EventKind = Literal["introduced", "fixed", "last_affected", "limit"]
EVENT_KINDS: tuple[EventKind, ...] = ("introduced", "fixed", "last_affected", "limit")


class OsvFormatError(ValueError):
    """The record is not usable OSV."""


@dataclass(frozen=True)
class Event:
    kind: EventKind
    version: str


@dataclass(frozen=True)
class Range:
    type: str
    """``ECOSYSTEM``, ``SEMVER`` or ``GIT`` (GIT ranges cannot be evaluated without the repository)."""
    events: tuple[Event, ...]


@dataclass(frozen=True)
class SeverityScore:
    type: str
    """``CVSS_V2``, ``CVSS_V3``, ``CVSS_V4`` or ``Ubuntu``."""
    score: str
    """The vector (for CVSS types) or the label."""


@dataclass(frozen=True)
class Affected:
    ecosystem: str
    name: str
    """As written in the record; compare with ``aibom.vulns.match.normalize_name``."""
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[SeverityScore, ...] = ()


@dataclass(frozen=True)
class Reference:
    type: str
    url: str


@dataclass(frozen=True)
class OsvRecord:
    id: str
    modified: str = ""
    published: str | None = None
    withdrawn: str | None = None
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[Affected, ...] = ()
    references: tuple[Reference, ...] = ()
    database_specific: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def _str(value: object, limit: int, what: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise OsvFormatError(f"{what} is not a string")
    if len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def _list(value: object, what: str, limit: int = DEFAULT_LIMITS.max_osv_list) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OsvFormatError(f"{what} is not a list")
    return value[:limit]


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OsvFormatError(f"{what} is not an object")
    return value


def _event(raw: object) -> Event:
    item = _obj(raw, "event")
    keys = [k for k in EVENT_KINDS if k in item]
    if len(keys) != 1:
        raise OsvFormatError(f"event must have exactly one of {EVENT_KINDS}, has {sorted(item)}")
    kind = keys[0]
    return Event(
        kind, _str(item[kind], DEFAULT_LIMITS.max_osv_id_chars, f"{kind} version", required=True)
    )


def _range(raw: object) -> Range:
    item = _obj(raw, "range")
    kind = _str(item.get("type"), DEFAULT_LIMITS.max_osv_id_chars, "range type", required=True)
    return Range(kind, tuple(_event(e) for e in _list(item.get("events"), "events")))


def _severity(raw: object) -> tuple[SeverityScore, ...]:
    out = []
    for entry in _list(raw, "severity"):
        item = _obj(entry, "severity")
        kind = _str(
            item.get("type"), DEFAULT_LIMITS.max_osv_id_chars, "severity type", required=True
        )
        out.append(
            SeverityScore(kind, _str(item.get("score"), 512, "severity score", required=True))
        )
    return tuple(out)


def _affected(raw: object) -> Affected:
    item = _obj(raw, "affected")
    package = _obj(item.get("package", {}), "package")
    versions = _list(item.get("versions"), "versions", DEFAULT_LIMITS.max_osv_versions)
    return Affected(
        ecosystem=_str(package.get("ecosystem"), DEFAULT_LIMITS.max_osv_id_chars, "ecosystem"),
        name=_str(package.get("name"), 512, "package name"),
        ranges=tuple(_range(r) for r in _list(item.get("ranges"), "ranges")),
        versions=tuple(
            _str(v, DEFAULT_LIMITS.max_osv_id_chars, "version", required=True) for v in versions
        ),
        severity=_severity(item.get("severity")),
    )


def _references(raw: object) -> tuple[Reference, ...]:
    out = []
    for entry in _list(raw, "references"):
        item = _obj(entry, "reference")
        url = _str(item.get("url"), 2048, "reference url")
        if url:
            out.append(
                Reference(
                    _str(item.get("type"), DEFAULT_LIMITS.max_osv_id_chars, "reference type"), url
                )
            )
    return tuple(out)


def parse_record(data: object) -> OsvRecord:
    """An ``OsvRecord`` from decoded JSON; ``OsvFormatError`` when it is not usable."""
    item = _obj(data, "record")
    record_id = _str(item.get("id"), DEFAULT_LIMITS.max_osv_id_chars, "id", required=True)
    if not record_id:
        raise OsvFormatError("id is empty")
    specific = item.get("database_specific")
    return OsvRecord(
        id=record_id,
        modified=_str(item.get("modified"), DEFAULT_LIMITS.max_osv_id_chars, "modified"),
        published=_str(item.get("published"), DEFAULT_LIMITS.max_osv_id_chars, "published") or None,
        withdrawn=_str(item.get("withdrawn"), DEFAULT_LIMITS.max_osv_id_chars, "withdrawn") or None,
        aliases=tuple(
            _str(a, DEFAULT_LIMITS.max_osv_id_chars, "alias", required=True)
            for a in _list(item.get("aliases"), "aliases")
        ),
        summary=_str(item.get("summary"), DEFAULT_LIMITS.max_osv_summary_chars, "summary"),
        details=_str(item.get("details"), DEFAULT_LIMITS.max_osv_details_chars, "details"),
        severity=_severity(item.get("severity")),
        affected=tuple(_affected(a) for a in _list(item.get("affected"), "affected")),
        references=_references(item.get("references")),
        database_specific=specific if isinstance(specific, dict) else {},
    )


def record_to_json(record: OsvRecord) -> dict[str, Any]:
    """The record back as OSV JSON (only the modelled fields), for caching and re-parsing."""
    out: dict[str, Any] = {"id": record.id, "modified": record.modified}
    for key in ("published", "withdrawn", "summary", "details"):
        value = getattr(record, key)
        if value:
            out[key] = value
    if record.aliases:
        out["aliases"] = list(record.aliases)
    if record.severity:
        out["severity"] = [{"type": s.type, "score": s.score} for s in record.severity]
    out["affected"] = [_affected_json(a) for a in record.affected]
    if record.references:
        out["references"] = [{"type": r.type, "url": r.url} for r in record.references]
    specific = {k: v for k, v in record.database_specific.items() if k in _KEPT_SPECIFIC}
    if specific:
        out["database_specific"] = specific
    return out


def _affected_json(affected: Affected) -> dict[str, Any]:
    out: dict[str, Any] = {"package": {"ecosystem": affected.ecosystem, "name": affected.name}}
    if affected.ranges:
        out["ranges"] = [
            {"type": r.type, "events": [{e.kind: e.version} for e in r.events]}
            for r in affected.ranges
        ]
    if affected.versions:
        out["versions"] = list(affected.versions)
    if affected.severity:
        out["severity"] = [{"type": s.type, "score": s.score} for s in affected.severity]
    return out
