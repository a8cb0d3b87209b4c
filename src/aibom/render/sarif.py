"""SARIF 2.1.0 for GitHub code scanning: one run, rules from the check catalogue, stable fingerprints.

Text taken from the BOM (messages, titles, member names, skipped reasons) shows its control and bidi
characters as visible escapes (``aibom.escape``); the document is then written with JSON
escapes for any such character left, so no raw control byte reaches a viewer.

GitHub's subset (docs "SARIF support for code scanning"): rules with short/full descriptions, help and
``properties.security-severity``; results with a repo-relative location and ``partialFingerprints``.
Model files are binary, so GitHub cannot hash "the line" itself: the fingerprint is computed here
from check id, path, archive member and evidence, which do not change between runs.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from aibom._version import __version__
from aibom.bomdoc.view import BomView, FindingView
from aibom.checks import ALL_CHECKS, by_id
from aibom.diff import finding_key
from aibom.escape import json_text, visible
from aibom.findings import Severity
from aibom.render.interface import MAX_SARIF_RESULTS, SARIF_LEVEL, SECURITY_SEVERITY, Report

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/aibom/aibom"
MAX_TEXT = 1_000
"""GitHub truncates rule descriptions at 1,024 characters; messages from BOMs are cut to this."""
_LINE_EVIDENCE = re.compile(r"line (\d{1,9})")


def render(report: Report) -> str:
    return json_text(json.dumps(to_sarif(report), indent=2, ensure_ascii=False)) + "\n"


def to_sarif(report: Report) -> dict[str, Any]:
    bom = report.bom
    findings = list(bom.findings)[:MAX_SARIF_RESULTS]
    rules = _rules(findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    paths = PathMapper(bom, report.options.source_root)
    results = [_result(f, index[f.id], bom, paths) for f in findings]
    _add_coverage(results, findings, bom)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "automationDetails": {"id": report.options.category},
                "invocations": [_invocation(bom, paths, len(bom.findings) - len(findings))],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def fingerprint(f: FindingView) -> str:
    """Stable across runs and machines: check id, path, member and evidence, never file content."""
    return hashlib.sha256("\0".join(finding_key(f)).encode("utf-8", "surrogatepass")).hexdigest()


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "aibom",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }


def _rules(findings: list[FindingView]) -> list[dict[str, Any]]:
    """Every catalogue check (so rule metadata is the same in every run), then ids from elsewhere."""
    rules = [_known_rule(check.id) for check in ALL_CHECKS]
    seen = {check.id for check in ALL_CHECKS}
    for f in findings:
        if f.id not in seen:
            seen.add(f.id)
            rules.append(_foreign_rule(f))
    return rules


def _known_rule(check_id: str) -> dict[str, Any]:
    check = by_id(check_id)
    assert check is not None
    tags = ["security", *check.tags]
    if check.cwe is not None:
        tags.append(f"external/cwe/cwe-{check.cwe}")
    help_text = f"{check.help}\n\nRemediation: {check.remediation}"
    return {
        "id": check.id,
        "name": _pascal(check.name),
        "shortDescription": {"text": _cut(check.title)},
        "fullDescription": {"text": _cut(check.help)},
        "help": {
            "text": help_text,
            "markdown": f"{check.help}\n\n**Remediation:** {check.remediation}",
        },
        "defaultConfiguration": {"level": SARIF_LEVEL[check.severity]},
        "properties": _rule_properties(check.severity, tags),
    }


def _foreign_rule(f: FindingView) -> dict[str, Any]:
    """An id aibom does not know (e.g. an OSV advisory added by another tool): described from the BOM."""
    help_text = f.help + (f"\n\nRemediation: {f.remediation}" if f.remediation else "")
    return {
        "id": f.id,
        "shortDescription": {"text": _cut(visible(f.title))},
        "fullDescription": {"text": _cut(visible(f.help, multiline=True))},
        "help": {"text": _cut(visible(help_text, multiline=True), 10 * MAX_TEXT)},
        "defaultConfiguration": {"level": SARIF_LEVEL[f.severity]},
        "properties": _rule_properties(f.severity, ["security"]),
    }


def _rule_properties(severity: Severity, tags: list[str]) -> dict[str, Any]:
    return {
        "security-severity": SECURITY_SEVERITY[severity],
        "precision": "high",
        "problem.severity": {"error": "error", "warning": "warning"}.get(
            SARIF_LEVEL[severity], "recommendation"
        ),
        "tags": list(dict.fromkeys(tags))[:20],
    }


def _result(f: FindingView, rule_index: int, bom: BomView, paths: PathMapper) -> dict[str, Any]:
    message = visible(f.message, multiline=True)
    message += f" (archive member: {visible(f.member)})" if f.member else ""
    if f.evidence:
        message = message.rstrip(".") + f". Evidence: {visible(f.evidence)}"
    result: dict[str, Any] = {
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[f.severity],
        "message": {"text": _cut(message, 10 * MAX_TEXT)},
        "locations": [_location(f, bom, paths)],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint(f),
            "aibomFinding/v1": fingerprint(f),
        },
        "properties": {"severity": f.severity.label},
    }
    if f.offset is not None:
        result["properties"]["offset"] = f.offset
    return result


def _add_coverage(results: list[dict[str, Any]], findings: list[FindingView], bom: BomView) -> None:
    """Results on a file not analysed to the end carry its coverage (``properties.coverage``): a
    finding there says what was seen, not that the rest is clean."""
    partial = {f.path: f.coverage_text for f in bom.partly_analysed}
    if not partial:
        return
    for result, finding in zip(results, findings, strict=True):
        text = partial.get(finding.path or "")
        if text:
            result["properties"]["coverage"] = text


def _location(f: FindingView, bom: BomView, paths: PathMapper) -> dict[str, Any]:
    display, line = _where(f, bom)
    location: dict[str, Any] = {}
    if display is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": paths.uri(display), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line},
        }
    logical = [{"name": visible(ref), "kind": "resource"} for ref in f.affects[:1]]
    if f.member:
        parent = display or (f.affects[0] if f.affects else "")
        member, parent = visible(f.member), visible(parent)
        logical.insert(
            0, {"name": member, "fullyQualifiedName": f"{parent}!/{member}", "kind": "member"}
        )
    if logical:
        location["logicalLocations"] = logical
    if not location:
        location["message"] = {"text": "no file location recorded in the BOM"}
    return location


def _where(f: FindingView, bom: BomView) -> tuple[str | None, int]:
    """The finding's file and line: its own path, else the affected component's source file."""
    line = int(m.group(1)) if f.evidence and (m := _LINE_EVIDENCE.fullmatch(f.evidence)) else 1
    if f.path:
        return f.path, max(line, 1)
    for ref in f.affects:
        c = bom.component(ref)
        if c is None:
            continue
        source = (
            c.prop("aibom:file:path")
            or c.prop("aibom:python:source")
            or c.prop("aibom:model:card-path")
        )
        pkg_line = c.prop("aibom:python:line")
        if source:
            return source, int(pkg_line) if pkg_line and pkg_line.isdigit() and int(
                pkg_line
            ) > 0 else 1
    return None, 1


def _invocation(bom: BomView, paths: PathMapper, dropped: int) -> dict[str, Any]:
    notes = [
        {
            "level": "warning",
            "message": {"text": _cut(visible(f"not examined: {s.path}: {s.reason}"))},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": paths.uri(s.path), "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        }
        for s in bom.skipped
    ]
    if dropped:
        text = f"{dropped} findings were left out: GitHub accepts at most {MAX_SARIF_RESULTS} results per run"
        notes.append({"level": "warning", "message": {"text": text}})
    return {"executionSuccessful": True, "toolExecutionNotifications": notes}


class PathMapper:
    """Turns the BOM's display paths into URIs relative to the repository root (``source_root``).

    A display path starts with the name of the target it was found under. When the BOM records the
    targets as absolute paths (aibom does, except in ``--reproducible`` mode), the display path is
    re-anchored at the target's parent and made relative to the root; otherwise it is used as is.
    """

    def __init__(self, bom: BomView, source_root: Path | None) -> None:
        root = (source_root or Path.cwd()).absolute()
        self.root = PurePosixPath(root.as_posix())
        raw = next((v for n, v in bom.metadata if n == "aibom:scan:targets"), "")
        self.targets = [PurePosixPath(t) for t in raw.split("; ") if t.startswith("/")]

    def uri(self, display: str) -> str:
        # a lone surrogate (an undecodable byte of a file name) cannot be UTF-8: percent-encode it too
        return quote(self.relative(display), safe="/!$&'()*+,;=:@-._~", errors="surrogatepass")

    def relative(self, display: str) -> str:
        for target in self._matches(display):
            absolute = PurePosixPath(posixpath.normpath(target.parent / display))
            if absolute.is_relative_to(self.root):
                return absolute.relative_to(self.root).as_posix()
        return display.lstrip("/")

    def _matches(self, display: str) -> Iterator[PurePosixPath]:
        head = display.split("/", 1)[0]
        return (t for t in self.targets if t.name == head)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_ ]+", name) if part)


def _cut(value: str, limit: int = MAX_TEXT) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
