"""Format inspectors: an explicit registry and the one wrapper that turns failures into data."""

from __future__ import annotations

import dataclasses
import lzma
import struct
import zipfile
import zlib

from aibom.artifacts import Artifact, Format, Subject
from aibom.catalog import Catalog
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE, NOT_ANALYSED
from aibom.findings import Severity, Skipped
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
    """Run the artifact's inspector. Malformed input and limits become findings; bugs become a skip."""
    inspector = inspector_for(artifact.format)
    if inspector is None:
        return Inspection()
    where = f"{ctx.path}!{ctx.member}" if ctx.member else ctx.path
    try:
        return inspector.inspect(artifact, ctx)
    except FormatError as exc:
        finding = ctx.finding(MALFORMED_FILE, f"{artifact.format.value}: {exc}", offset=exc.offset)
        return Inspection(findings=[finding], complete=False)
    except LimitExceeded as exc:
        finding = ctx.finding(LIMIT_REACHED, f"{artifact.format.value}: {exc}")
        return Inspection(findings=[finding], complete=False)
    except _BROKEN_STREAM as exc:  # a damaged compressed member is a broken file, not an aibom bug
        message = f"{artifact.format.value}: compressed data is damaged: {exc}"
        return Inspection(findings=[ctx.finding(MALFORMED_FILE, message)], complete=False)
    except struct.error as exc:  # a fixed-size field read past the end: a truncated file
        message = f"{artifact.format.value}: truncated or malformed structure: {exc}"
        return Inspection(findings=[ctx.finding(MALFORMED_FILE, message)], complete=False)
    except OSError as exc:
        return Inspection(
            complete=False, skipped=[Skipped(where, f"cannot read: {exc.strerror or exc}")]
        )
    except Exception as exc:  # a bug in one inspector must not lose the rest of the scan
        name = type(inspector).__name__
        # Never a silent skip: the file stays "not known to be clean", and more so when its format can
        # carry code (weights, archives, the pickle family), where the unread part may hold a payload.
        catalog = ctx.catalog or CATALOG
        severity = Severity.MEDIUM if artifact.format in catalog.code_bearing_formats else None
        message = f"{artifact.format.value}: not analysed ({name} stopped on {exc!r})"
        finding = ctx.finding(NOT_ANALYSED, message, severity=severity)
        return Inspection(
            findings=[finding],
            complete=False,
            skipped=[Skipped(where, f"internal error in {name}: {exc!r}")],
        )


_BROKEN_STREAM: tuple[type[Exception], ...] = (
    zlib.error,
    zipfile.BadZipFile,
    lzma.LZMAError,
    EOFError,
)


def inspect_artifact(artifact: Artifact, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    return _run(artifact, InspectContext(artifact, limits, members=inspect_member, catalog=CATALOG))


def inspect_member(parent: InspectContext, name: str, opener: Opener, size: int) -> Inspection:
    """Classify a member of a container by content and inspect it, spending one level of nesting."""
    member = f"{parent.member}!{name}" if parent.member else name
    limits = parent.limits
    if parent.depth + 1 > limits.max_nesting:
        message = f"containers nested deeper than {limits.max_nesting} levels; {name!r} not opened"
        return Inspection(findings=[parent.finding(LIMIT_REACHED, message)], complete=False)
    try:
        with opener() as fh:
            head = fh.read(limits.head_bytes)
        fmt, evidence = sniff_subject(Subject(name, size, opener), head, CATALOG, limits)
    except (OSError, EOFError, ValueError, IndexError, struct.error) as exc:
        finding = parent.finding(MALFORMED_FILE, f"member {name!r} cannot be read: {exc}")
        return Inspection(findings=[finding], complete=False)
    # The member's own size, not the container's: an inspector measuring its file (safetensors' data
    # section, a numpy array's length) must never reach past the member's end into the next one.
    ref = dataclasses.replace(
        parent.artifact.ref, stat=dataclasses.replace(parent.artifact.ref.stat, size=size)
    )
    art = Artifact(ref, kind_of(name, fmt, CATALOG), fmt, evidence, None, head)
    return _run(art, parent.child(art, opener, member))
