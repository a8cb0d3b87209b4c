"""The executive summary every report shares: traffic lights, signature status, unsafe formats.

One place decides what is red, amber or green, so the HTML, Markdown and JSON reports never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aibom.bomdoc.view import BomView, ComponentView, FindingView
from aibom.checks import LFS_POINTER, LIMIT_REACHED
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.checks.verify import VERIFY_CHECKS
from aibom.findings import Severity
from aibom.render.interface import Report

RED, AMBER, GREEN, GREY = "red", "amber", "green", "grey"
_RANK = {RED: 3, AMBER: 2, GREY: 1, GREEN: 0}

CODE_ON_LOAD_FORMATS = frozenset(
    {"pickle", "pytorch-zip", "pytorch-legacy", "joblib", "torchscript"}
)
"""Serialisations whose loaders can run code (pickle-based). Their presence is amber even without a
finding; a finding from the unsafe-format checks makes it red."""

SIGNATURE_PREFIXES = ("aibom:signature:", "aibom:verify:", "aibom:integrity:")
_SIGNATURE_GOOD = frozenset({"verified"})
_SIGNATURE_BAD = frozenset({"failed", "mismatch", "invalid"})
_UNSAFE_IDS = frozenset(c.id for c in UNSAFE_CHECKS) | {"AIBOM-FMT-001"}
_INTEGRITY_IDS = frozenset(c.id for c in VERIFY_CHECKS) | {
    LFS_POINTER.id,
    "AIBOM-FMT-002",
    "AIBOM-HF-001",
}


@dataclass(frozen=True)
class Light:
    key: str
    label: str
    status: str
    headline: str
    detail: str


def worst(lights: list[Light]) -> str:
    return max((light.status for light in lights), key=_RANK.__getitem__, default=GREY)


def is_unsafe_finding(f: FindingView) -> bool:
    return f.id in _UNSAFE_IDS or "code-execution" in f.tags or "evasion" in f.tags


def is_integrity_finding(f: FindingView) -> bool:
    return f.id in _INTEGRITY_IDS or bool({"integrity", "signature", "provenance"} & set(f.tags))


def signature_status(model: ComponentView) -> str:
    """``aibom:signature:status`` (or a sibling property) when verification ran, else ``not checked``."""
    for name in ("aibom:signature:status", "aibom:verify:status", "aibom:integrity:status"):
        value = model.prop(name)
        if value:
            return value
    return "not checked"


def signature_properties(model: ComponentView) -> list[tuple[str, str]]:
    return [(n, v) for n, v in model.properties if n.startswith(SIGNATURE_PREFIXES)]


def model_formats(model: ComponentView) -> list[str]:
    raw = model.prop("aibom:model:formats") or ""
    listed = [f.strip() for f in raw.split(",") if f.strip()]
    return listed or sorted({f.format for f in model.files if f.kind == "weights" and f.format})


def lights(report: Report) -> list[Light]:
    bom = report.bom
    return [
        _findings_light(bom),
        _unsafe_light(bom),
        _signature_light(bom),
        _score_light(report),
        _licence_light(bom),
        _dependency_light(bom),
        _completeness_light(bom),
    ]


def _findings_light(bom: BomView) -> Light:
    counts = bom.counts()
    total = sum(counts.values())
    serious = counts[Severity.CRITICAL] + counts[Severity.HIGH]
    detail = ", ".join(f"{n} {s.label}" for s, n in counts.items() if n) or "none"
    if serious:
        return Light("findings", "Findings", RED, f"{serious} critical or high", detail)
    if counts[Severity.MEDIUM] + counts[Severity.LOW]:
        return Light("findings", "Findings", AMBER, f"{total} to review", detail)
    return Light("findings", "Findings", GREEN, "nothing above info", detail)


def _unsafe_light(bom: BomView) -> Light:
    unsafe = [f for f in bom.findings if is_unsafe_finding(f)]
    risky = sorted({fmt for m in bom.models for fmt in model_formats(m)} & CODE_ON_LOAD_FORMATS)
    if any(f.severity >= Severity.HIGH for f in unsafe):
        return Light(
            "unsafe",
            "Unsafe formats",
            RED,
            plural(len(unsafe), "unsafe-format finding"),
            _join(risky),
        )
    if unsafe or risky:
        detail = "formats that can run code on load: " + _join(risky) if risky else "see findings"
        return Light("unsafe", "Unsafe formats", AMBER, plural(len(unsafe), "finding"), detail)
    if not bom.models:
        return Light("unsafe", "Unsafe formats", GREY, "no models", "")
    return Light("unsafe", "Unsafe formats", GREEN, "none found", "no pickle-based weights")


def _signature_light(bom: BomView) -> Light:
    label = "Signatures & integrity"
    statuses = [signature_status(m) for m in bom.models if m.files]
    tally = Counter(statuses)
    detail = ", ".join(f"{n} {status}" for status, n in sorted(tally.items())) or "no local models"
    concerns = [
        f for f in bom.findings if is_integrity_finding(f) and f.severity >= Severity.MEDIUM
    ]
    if _SIGNATURE_BAD.intersection(statuses) or any(f.severity >= Severity.HIGH for f in concerns):
        return Light("integrity", label, RED, "verification failed", detail)
    if concerns:
        return Light("integrity", label, AMBER, plural(len(concerns), "integrity finding"), detail)
    if statuses and all(s in _SIGNATURE_GOOD for s in statuses):
        return Light("integrity", label, GREEN, "all models verified", detail)
    if not statuses:
        return Light("integrity", label, GREY, "no local models", "")
    unverified = sum(1 for s in statuses if s not in _SIGNATURE_GOOD)
    return Light("integrity", label, AMBER, f"{unverified} not verified", detail)


def _score_light(report: Report) -> Light:
    if report.scorecard is None:
        return Light("score", "Transparency score", GREY, "not scored", "run with a scorecard")
    score, grade = report.scorecard.overall()
    if score is None:
        return Light("score", "Transparency score", GREY, "nothing applicable", "")
    status = GREEN if grade in ("A", "B") else AMBER if grade in ("C", "D") else RED
    profile = report.scorecard.profile or "default"
    return Light(
        "score",
        "Transparency score",
        status,
        f"{score:.0f}/100 (grade {grade})",
        f"profile {profile}",
    )


def _licence_light(bom: BomView) -> Light:
    local = [m for m in bom.models if m.files]
    missing = [m.display_name for m in local if not m.licenses]
    if not local:
        return Light("licence", "Licences", GREY, "no local models", "")
    if missing:
        return Light(
            "licence",
            "Licences",
            AMBER,
            plural(len(missing), "model") + " without a licence",
            _join(missing),
        )
    return Light("licence", "Licences", GREEN, "every model names a licence", "")


def _dependency_light(bom: BomView) -> Light:
    packages = bom.packages
    if not packages:
        return Light("deps", "Python dependencies", GREY, "none recorded", "")
    loose = [p.name for p in packages if not p.version]
    if loose:
        return Light("deps", "Python dependencies", AMBER, f"{len(loose)} not pinned", _join(loose))
    return Light(
        "deps",
        "Python dependencies",
        GREEN,
        "all " + plural(len(packages), "package") + " pinned",
        "",
    )


def _completeness_light(bom: BomView) -> Light:
    # Files examined partly: every partial coverage record, and every other file with a limit finding
    # (card and package limits have no coverage record); counted once each.
    limits = [f for f in bom.findings if f.id == LIMIT_REACHED.id]
    partial = {f.path for f in bom.partly_analysed} | {f.path for f in limits if f.path}
    limited = len(partial) + sum(1 for f in limits if not f.path)
    if bom.skipped or limited:
        detail = (
            f"{plural(len(bom.skipped), 'path')} skipped, {plural(limited, 'file')} examined partly"
        )
        return Light("coverage", "Scan coverage", AMBER, "incomplete", detail)
    return Light("coverage", "Scan coverage", GREEN, "every file examined", "")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _join(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
