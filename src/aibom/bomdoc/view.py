"""Typed values for the renderers and the diff, from a CycloneDX document as plain data.

``view_of(doc)`` takes what ``aibom.bomdoc.read_bom`` returns (any generator, JSON or XML) or any
mapping: the document may be hostile or simply from another tool, so every field is optional and may
have the wrong type. Wrong types are treated as absent; nothing here raises on bad content.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aibom.artifacts import coverage_text
from aibom.bomdoc.walk import nodes
from aibom.checks import by_id
from aibom.findings import CYCLONEDX_SEVERITY, Severity
from aibom.limits import DEFAULT_LIMITS, Limits


def obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def properties(value: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for entry in items(value):
        name, val = text(obj(entry).get("name")), obj(entry).get("value")
        if name is not None:
            out.append((name, val if isinstance(val, str) else ""))
    return tuple(out)


def prop(props: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((v for n, v in props if n == name), None)


@dataclass(frozen=True)
class FileView:
    ref: str
    path: str
    sha256: str | None
    size: str | None
    kind: str | None
    format: str | None
    coverage: str | None = None
    """``aibom:file:coverage``: complete, partial or not-analysed (None: no inspector for the format)."""
    coverage_bytes: str | None = None
    coverage_limits: str | None = None

    @property
    def partly_analysed(self) -> bool:
        return self.coverage is not None and self.coverage != "complete"

    @property
    def coverage_text(self) -> str | None:
        """``partial (12.0 MiB of 2.0 GiB; max_pickle_bytes)``, or None without a record."""
        if self.coverage is None:
            return None
        return coverage_text(self.coverage, self.coverage_bytes, self.coverage_limits)


@dataclass(frozen=True)
class ComponentView:
    ref: str
    type: str
    name: str
    group: str | None
    version: str | None
    purl: str | None
    description: str | None
    licenses: tuple[str, ...]
    supplier: str | None
    sha256: str | None
    properties: tuple[tuple[str, str], ...]
    files: tuple[FileView, ...]
    model_card: Mapping[str, Any]
    data: tuple[Any, ...] = ()
    """``data[]`` entries of a data component, raw (``aibom.bomdoc.card`` reads them)."""

    @property
    def display_name(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name

    def prop(self, name: str) -> str | None:
        return prop(self.properties, name)


@dataclass(frozen=True)
class FindingView:
    id: str
    title: str
    severity: Severity
    message: str
    help: str
    remediation: str
    path: str | None
    member: str | None
    offset: str | None
    evidence: str | None
    affects: tuple[str, ...]
    cwe: int | None
    tags: tuple[str, ...]
    known: bool
    """True when the id is one of aibom's checks (metadata from the catalogue)."""

    @property
    def location(self) -> str:
        where = self.path or (self.affects[0] if self.affects else "")
        return f"{where} [{self.member}]" if self.member else where


@dataclass(frozen=True)
class SkippedView:
    path: str
    reason: str


@dataclass(frozen=True)
class BomView:
    spec_version: str | None
    serial: str | None
    timestamp: str | None
    subject: str | None
    tools: tuple[tuple[str, str], ...]
    metadata: tuple[tuple[str, str], ...]
    components: tuple[ComponentView, ...]
    findings: tuple[FindingView, ...]
    skipped: tuple[SkippedView, ...]

    def of_type(self, kind: str) -> list[ComponentView]:
        return [c for c in self.components if c.type == kind]

    @cached_property
    def partly_analysed(self) -> tuple[FileView, ...]:
        """Files whose coverage record is not ``complete``, once each, in BOM order."""
        seen: dict[str, FileView] = {}
        for c in self.components:
            own = (_file_of(c),) if c.type == "file" else ()  # a top-level file component
            for f in (*own, *c.files):
                if f.partly_analysed:
                    seen.setdefault(f.ref or f.path, f)
        return tuple(seen.values())

    @property
    def models(self) -> list[ComponentView]:
        return self.of_type("machine-learning-model")

    @property
    def datasets(self) -> list[ComponentView]:
        return self.of_type("data")

    @property
    def packages(self) -> list[ComponentView]:
        return [c for c in self.components if c.type in ("library", "framework")]

    @cached_property
    def _by_ref(self) -> dict[str, ComponentView]:
        return {c.ref: c for c in reversed(self.components)}

    def component(self, ref: str) -> ComponentView | None:
        return self._by_ref.get(ref)

    def name_of(self, ref: str) -> str | None:
        """The display name of the component with bom-ref ``ref``, if it is in this BOM."""
        found = self._by_ref.get(ref)
        return found.display_name if found is not None else None

    def counts(self) -> dict[Severity, int]:
        out = dict.fromkeys(sorted(Severity, reverse=True), 0)
        for f in self.findings:
            out[f.severity] += 1
        return out

    def findings_for(self, component: ComponentView) -> list[FindingView]:
        refs = {component.ref, *(f.ref for f in component.files)}
        return [f for f in self.findings if refs.intersection(f.affects)]


def view_of(doc: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> BomView:
    meta = obj(doc.get("metadata"))
    meta_props = properties(meta.get("properties"))
    components = tuple(_components(doc, limits))
    findings = [f for v in items(doc.get("vulnerabilities")) if (f := _finding(v)) is not None]
    findings.sort(key=lambda f: (-int(f.severity), f.id, f.path or "", f.member or ""))
    return BomView(
        spec_version=text(doc.get("specVersion")),
        serial=text(doc.get("serialNumber")),
        timestamp=text(meta.get("timestamp")),
        subject=text(obj(meta.get("component")).get("name")),
        tools=tuple(_tools(meta.get("tools"))),
        metadata=meta_props,
        components=components,
        findings=tuple(findings),
        skipped=tuple(_skipped(v) for n, v in meta_props if n == "aibom:scan:skipped"),
    )


def _tools(tools: Any) -> Iterator[tuple[str, str]]:
    """CycloneDX 1.5+ ``tools.components``; 1.4's list of tools (vendor/name/version)."""
    entries = items(obj(tools).get("components")) if isinstance(tools, Mapping) else items(tools)
    for tool in entries:
        name = text(obj(tool).get("name"))
        if name is not None:
            yield name, text(obj(tool).get("version")) or ""


def _skipped(value: str) -> SkippedView:
    path, sep, reason = value.rpartition(": ")
    return SkippedView(path, reason) if sep else SkippedView(value, "")


def _is_file(entry: Mapping[str, Any]) -> bool:
    return entry.get("type") == "file"


def _components(doc: Mapping[str, Any], limits: Limits) -> Iterator[ComponentView]:
    """Components in document order; nested ``file`` components are shown as their parent's files
    (a top-level file is a component of its own), and what is inside a file is not walked."""
    for node in nodes(doc, limits, descend=lambda c: not _is_file(c)):
        entry = node.component
        if not entry or (node.depth > 0 and _is_file(entry)):
            continue
        children = items(entry.get("components"))
        files = tuple(_file(obj(c)) for c in children if _is_file(obj(c)))
        yield _component(entry, files, f"#{node.depth}.{node.index}")


def _component(
    entry: Mapping[str, Any], files: tuple[FileView, ...], fallback: str
) -> ComponentView:
    return ComponentView(
        ref=text(entry.get("bom-ref")) or fallback,
        type=text(entry.get("type")) or "unknown",
        name=text(entry.get("name")) or "(unnamed)",
        group=text(entry.get("group")),
        version=text(entry.get("version")),
        purl=text(entry.get("purl")),
        description=text(entry.get("description")),
        licenses=tuple(_licenses(entry.get("licenses"))),
        supplier=text(obj(entry.get("supplier")).get("name")),
        sha256=_sha256(entry.get("hashes")),
        properties=properties(entry.get("properties")),
        files=files,
        model_card=obj(entry.get("modelCard")),
        data=tuple(items(entry.get("data"))),
    )


def _file_of(c: ComponentView) -> FileView:
    return _file(
        {
            "bom-ref": c.ref,
            "name": c.name,
            "properties": [{"name": n, "value": v} for n, v in c.properties],
        }
    )


def _file(entry: Mapping[str, Any]) -> FileView:
    props = properties(entry.get("properties"))
    return FileView(
        ref=text(entry.get("bom-ref")) or "",
        path=prop(props, "aibom:file:path") or _file_path(entry),
        sha256=_sha256(entry.get("hashes")),
        size=prop(props, "aibom:file:size"),
        kind=prop(props, "aibom:file:kind"),
        format=prop(props, "aibom:file:format"),
        coverage=prop(props, "aibom:file:coverage"),
        coverage_bytes=prop(props, "aibom:file:coverage-bytes"),
        coverage_limits=prop(props, "aibom:file:coverage-limits"),
    )


def _file_path(entry: Mapping[str, Any]) -> str:
    ref = text(entry.get("bom-ref")) or ""
    return ref.removeprefix("file:") if ref.startswith("file:") else text(entry.get("name")) or ""


def _sha256(hashes: Any) -> str | None:
    for h in items(hashes):
        if text(obj(h).get("alg")) in ("SHA-256", "SHA256"):
            return text(obj(h).get("content"))
    return None


def _licenses(value: Any) -> Iterator[str]:
    for choice in items(value):
        entry = obj(choice)
        expression = text(entry.get("expression"))
        lic = obj(entry.get("license"))
        name = expression or text(lic.get("id")) or text(lic.get("name"))
        if name is not None:
            yield name


def _severity(
    vuln: Mapping[str, Any], props: tuple[tuple[str, str], ...], default: Severity | None
) -> Severity:
    """What ``--fail-on`` compared (``aibom:vuln:policy-severity``); else the highest rating the
    document gives; else the check's default; else high, as ``aibom.vulns`` grades an unrated
    advisory, so a report never shows a lower level than the one that failed the build."""
    policy = CYCLONEDX_SEVERITY.get((prop(props, "aibom:vuln:policy-severity") or "").lower())
    if policy is not None:
        return policy
    rated = [
        found
        for rating in items(vuln.get("ratings"))
        if (found := CYCLONEDX_SEVERITY.get(str(obj(rating).get("severity", "")).lower()))
        is not None
    ]
    if rated:
        return max(rated)
    return default if default is not None else Severity.HIGH


def _finding(raw: Any) -> FindingView | None:
    vuln = obj(raw)
    vid = text(vuln.get("id"))
    if vid is None:
        return None
    check = by_id(vid)
    props = properties(vuln.get("properties"))
    description = text(vuln.get("description")) or text(vuln.get("detail")) or vid
    return FindingView(
        id=vid,
        title=check.title if check else _first_line(description),
        severity=_severity(vuln, props, check.severity if check else None),
        message=description,
        help=check.help if check else text(vuln.get("detail")) or description,
        remediation=check.remediation if check else text(vuln.get("recommendation")) or "",
        path=prop(props, "aibom:file:path"),
        member=prop(props, "aibom:finding:member"),
        offset=prop(props, "aibom:finding:offset"),
        evidence=prop(props, "aibom:finding:evidence"),
        affects=tuple(r for a in items(vuln.get("affects")) if (r := text(obj(a).get("ref")))),
        cwe=check.cwe if check else _first_cwe(vuln.get("cwes")),
        tags=check.tags if check else (),
        known=check is not None,
    )


def _first_line(value: str, limit: int = 120) -> str:
    line = value.strip().splitlines()[0] if value.strip() else value
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _first_cwe(value: Any) -> int | None:
    return next((c for c in items(value) if isinstance(c, int) and not isinstance(c, bool)), None)
