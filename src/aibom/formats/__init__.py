"""Format inspectors: an explicit registry and the one wrapper that turns failures into data."""

from __future__ import annotations

import dataclasses
import lzma
import re
import struct
import zipfile
import zlib

from aibom.artifacts import Artifact, Coverage, CoverageStatus, Format, Subject
from aibom.catalog import Catalog
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE, NOT_ANALYSED
from aibom.checks.core import BUDGET_SPENT, PARTIAL_COVERAGE
from aibom.checks.unsafe import ARCHIVE_BOMB, ARCHIVE_UNOPENABLE
from aibom.findings import Finding, Severity, Skipped
from aibom.formats.containers import StreamInspector
from aibom.formats.containers.sevenzip import SevenZipInspector
from aibom.formats.containers.tar import TarInspector
from aibom.formats.containers.zip import ZipInspector
from aibom.formats.gguf_format import GgufInspector
from aibom.formats.interface import (
    FormatError,
    InspectContext,
    Inspection,
    Inspector,
    LimitExceeded,
    Opener,
)
from aibom.formats.joblib_format import JoblibInspector
from aibom.formats.keras.h5 import KerasH5Inspector
from aibom.formats.keras.v3 import KerasV3Inspector
from aibom.formats.lfs import LfsPointerInspector
from aibom.formats.numpy_format import NpyInspector
from aibom.formats.onnx_format import OnnxInspector
from aibom.formats.passive import PASSIVE_SPECS
from aibom.formats.pickle.scan import PickleInspector
from aibom.formats.pytorch import TorchLegacyInspector, TorchZipInspector
from aibom.formats.safetensors import SafetensorsInspector
from aibom.formats.templates.textconfig import TextConfigInspector
from aibom.formats.tensorflow import TensorflowInspector
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.sources.classify import kind_of, sniff_subject

__all__ = [
    "CATALOG",
    "INSPECTORS",
    "FormatError",
    "InspectContext",
    "Inspection",
    "Inspector",
    "LimitExceeded",
    "inspect_artifact",
    "inspect_member",
    "inspector_for",
]

PICKLE_FAMILY_INSPECTORS: tuple[Inspector, ...] = (
    PickleInspector(),
    TorchZipInspector(),
    TorchLegacyInspector(),
    NpyInspector(),
    JoblibInspector(),
    StreamInspector(),
    ZipInspector(),
    TarInspector(),
    SevenZipInspector(),
)
"""Formats that can run code through pickle when loaded, and the containers that can hold them."""

OTHER_INSPECTORS: tuple[Inspector, ...] = (
    KerasH5Inspector(),
    KerasV3Inspector(),
    TensorflowInspector(),
    OnnxInspector(),
    GgufInspector(),
    TextConfigInspector(),
)
"""Formats that run code or reach outside the model another way (layers, ops, templates, paths)."""

INSPECTORS: tuple[Inspector, ...] = (
    SafetensorsInspector(),
    LfsPointerInspector(),
    *PICKLE_FAMILY_INSPECTORS,
    *OTHER_INSPECTORS,
)
"""The whole registry: one inspector per format; a new format is one module and one line here."""

CATALOG = Catalog([*(spec for i in INSPECTORS for spec in i.specs), *PASSIVE_SPECS])
"""Every format's spec: what the inspectors declare and the passive (data-only) formats."""

_BY_FORMAT: dict[Format, Inspector] = {
    spec.format: inspector for inspector in INSPECTORS for spec in inspector.specs
}


def inspector_for(fmt: Format) -> Inspector | None:
    return _BY_FORMAT.get(fmt)


def _run(artifact: Artifact, ctx: InspectContext) -> Inspection:
    """Run the artifact's inspector and note why it stopped early, if it did (``_note_reasons``)."""
    inspection = _inspect_once(artifact, ctx)
    _note_reasons(inspection, artifact, ctx)
    return inspection


def _inspect_once(artifact: Artifact, ctx: InspectContext) -> Inspection:
    """Run the artifact's inspector. Malformed input and limits become findings; bugs become a skip."""
    inspector = inspector_for(artifact.format)
    if inspector is None:
        return Inspection()
    where = f"{ctx.path}!{ctx.member}" if ctx.member else ctx.path
    try:
        return inspector.inspect(artifact, ctx)
    except FormatError as exc:
        finding = ctx.finding(MALFORMED_FILE, f"{artifact.format.value}: {exc}", offset=exc.offset)
        return _stopped([finding], exc.reason, exc.offset)
    except LimitExceeded as exc:
        finding = ctx.finding(LIMIT_REACHED, f"{artifact.format.value}: {exc}")
        return _stopped([finding], exc.limit or "limit", exc.covered)
    except _BROKEN_STREAM as exc:  # a damaged compressed member is a broken file, not an aibom bug
        message = f"{artifact.format.value}: compressed data is damaged: {exc}"
        return _stopped([ctx.finding(MALFORMED_FILE, message)], "malformed", None)
    except struct.error as exc:  # a fixed-size field read past the end: a truncated file
        message = f"{artifact.format.value}: truncated or malformed structure: {exc}"
        return _stopped([ctx.finding(MALFORMED_FILE, message)], "truncated", None)
    except OSError as exc:
        out = Inspection(skipped=[Skipped(where, f"cannot read: {exc.strerror or exc}")])
        out.hit("unreadable", covered=0)
        return out
    except Exception as exc:  # a bug in one inspector must not lose the rest of the scan
        name = type(inspector).__name__
        # Never a silent skip: the file stays "not known to be clean", and more so when its format can
        # carry code (weights, archives, the pickle family), where the unread part may hold a payload.
        catalog = ctx.catalog or CATALOG
        severity = Severity.MEDIUM if artifact.format in catalog.code_bearing_formats else None
        message = f"{artifact.format.value}: not analysed ({name} stopped on {exc!r})"
        finding = ctx.finding(NOT_ANALYSED, message, severity=severity)
        out = Inspection(
            findings=[finding], skipped=[Skipped(where, f"internal error in {name}: {exc!r}")]
        )
        out.hit("internal-error", covered=0)  # what it saw before the error is lost with it
        return out


def _stopped(findings: list[Finding], reason: str, covered: int | None) -> Inspection:
    out = Inspection(findings=findings)
    out.hit(reason, covered=covered)
    return out


def _note_reasons(inspection: Inspection, artifact: Artifact, ctx: InspectContext) -> None:
    """Make every early stop show in ``inspection.limits``, also where an inspector (the containers)
    only made a finding. A budget or bomb finding, or a limit finding that names its limit, made at
    this level always adds its limit (a member's own run noted its reasons, merged in already).
    Generic reasons (an unnamed ``limit``, ``malformed``, ``unopenable``) are added only when nothing
    else explains the stop. A partial inspection with no reason gets ``incomplete``, so it can never
    read as complete."""
    explained = bool(inspection.limits)
    generic: list[str] = []
    for finding in inspection.findings:
        if finding.member != ctx.member:
            continue
        specific, fallback = _reason_of(finding, artifact.format, inspection.complete)
        if specific is not None:
            inspection.hit(specific)
        elif fallback is not None:
            generic.append(fallback)
    if not explained:
        for reason in generic:
            inspection.hit(reason)
    if not inspection.complete and not inspection.limits:
        inspection.hit("unreadable" if inspection.skipped else "incomplete")


def _reason_of(finding: Finding, fmt: Format, complete: bool) -> tuple[str | None, str | None]:
    """(the limit a finding names for sure, else a generic reason it suggests)."""
    named = _limit_named_in(finding.message)
    check = finding.check
    if check is BUDGET_SPENT:
        return named or (
            "max_h5_seconds" if fmt is Format.HDF5 else "max_archive_inflated_bytes"
        ), None
    if check is ARCHIVE_BOMB:
        ratio = "expands more than" in finding.message
        return named or ("max_compression_ratio" if ratio else "max_decompressed"), None
    if check is LIMIT_REACHED:
        nesting = "nested deeper" in finding.message
        return (named or "max_nesting", None) if named or nesting else (None, "limit")
    if check is NOT_ANALYSED:
        return None, "internal-error"
    if not complete and check is ARCHIVE_UNOPENABLE:
        return None, "unopenable"
    if not complete and check is MALFORMED_FILE:
        return None, "malformed"
    return None, None


REPORTED_REASONS = frozenset(
    {"malformed", "truncated", "unopenable", "unreadable", "internal-error", "lfs-content-absent"}
)
"""Reasons another finding already reports as the file's verdict (AIBOM-FMT-002 malformed, ARC
unopenable, AIBOM-FMT-003 not analysed, AIBOM-LFS-001) or a skip: coverage still says partial, but
AIBOM-COV-001 is only made when a limit or budget is among the reasons."""

_LIMIT_NAMES = frozenset(f.name for f in dataclasses.fields(Limits))
_LIMIT_WORD = re.compile(r"\bmax_[a-z0-9_]+\b")


def _limit_named_in(message: str) -> str | None:
    """The ``Limits`` field a finding's message names (``... (max_archive_inflated_bytes) ...``)."""
    for word in _LIMIT_WORD.findall(message):
        if word in _LIMIT_NAMES:
            return str(word)
    return None


CODE_SAFE_REASONS = frozenset({"max_pickle_records"})
"""Limits that stop no walk: past ``max_pickle_records`` nested-loader calls are still judged (each is
a finding of its own), only their payloads are not scanned. Every other limit stops a walk or leaves
members, streams or configurations unread, where code may sit: AIBOM-COV-001 is then medium."""


DATA_ONLY_FORMATS = frozenset({Format.SAFETENSORS})
"""Weight formats that hold nothing a loader runs (a JSON header and raw tensor bytes): their partial
coverage shows in the BOM but makes no AIBOM-COV-001 finding."""


def coverage_of(artifact: Artifact, inspection: Inspection) -> Coverage:
    """The outermost file's coverage record from its (merged) inspection."""
    total = artifact.size
    if inspection.complete and not inspection.limits:
        return Coverage(CoverageStatus.COMPLETE, total, total)
    covered = inspection.covered
    if covered is not None:
        covered = max(0, min(covered, total))
    status = CoverageStatus.NOT_ANALYSED if covered == 0 else CoverageStatus.PARTIAL
    return Coverage(status, total, covered, tuple(inspection.limits or ("incomplete",)))


def coverage_finding(artifact: Artifact, coverage: Coverage, catalog: Catalog) -> Finding | None:
    """AIBOM-COV-001 for a code-bearing file not analysed to the end (none for data-only formats:
    their coverage property still says partial)."""
    if coverage.complete or artifact.format not in catalog.code_bearing_formats:
        return None
    if artifact.format in DATA_ONLY_FORMATS:
        return None
    limits = [r for r in coverage.reasons if r not in REPORTED_REASONS]
    if not limits:
        return None
    risky = coverage.status is CoverageStatus.NOT_ANALYSED or any(
        r not in CODE_SAFE_REASONS for r in limits
    )
    message = f"{artifact.format.value}: analysed {coverage.describe()}; the unread part " + (
        "may hold code" if risky else "is nested payloads whose loader calls are reported"
    )
    return Finding(
        PARTIAL_COVERAGE,
        artifact.display,
        message,
        severity=Severity.MEDIUM if risky else Severity.LOW,
        evidence=coverage.bytes_text(),
    )


_BROKEN_STREAM: tuple[type[Exception], ...] = (
    zlib.error,
    zipfile.BadZipFile,
    lzma.LZMAError,
    EOFError,
)


def inspect_artifact(artifact: Artifact, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """Inspect the outermost file; formats with an inspector get a coverage record
    (``Inspection.coverage``) and, when a code-bearing file was not read to the end, AIBOM-COV-001."""
    ctx = InspectContext(artifact, limits, members=inspect_member, catalog=CATALOG)
    inspection = _run(artifact, ctx)
    if inspector_for(artifact.format) is None or not inspection.examined:
        return inspection
    inspection.coverage = coverage_of(artifact, inspection)
    finding = coverage_finding(artifact, inspection.coverage, CATALOG)
    if finding is not None:
        inspection.findings.append(finding)
    return inspection


def inspect_member(parent: InspectContext, name: str, opener: Opener, size: int) -> Inspection:
    """Classify a member of a container by content and inspect it, spending one level of nesting."""
    member = f"{parent.member}!{name}" if parent.member else name
    limits = parent.limits
    if parent.depth + 1 > limits.max_nesting:
        message = f"containers nested deeper than {limits.max_nesting} levels; {name!r} not opened"
        return _stopped([parent.finding(LIMIT_REACHED, message)], "max_nesting", None)
    try:
        with opener() as fh:
            head = fh.read(limits.head_bytes)
        fmt, evidence = sniff_subject(Subject(name, size, opener), head, CATALOG, limits)
    except (OSError, EOFError, ValueError, IndexError, struct.error) as exc:
        finding = parent.finding(MALFORMED_FILE, f"member {name!r} cannot be read: {exc}")
        return _stopped([finding], "malformed", None)
    # The member's own size, not the container's: an inspector measuring its file (safetensors' data
    # section, a numpy array's length) must never reach past the member's end into the next one.
    ref = dataclasses.replace(
        parent.artifact.ref, stat=dataclasses.replace(parent.artifact.ref.stat, size=size)
    )
    art = Artifact(ref, kind_of(name, fmt, CATALOG), fmt, evidence, None, head)
    return _run(art, parent.child(art, opener, member))
