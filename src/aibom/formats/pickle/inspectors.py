"""Inspectors for formats that can run code when loaded through pickle: raw pickle, PyTorch (zip, legacy,
TorchScript), numpy, joblib and compressed or archived containers.

The family, in import order (each module imports only modules named before it, at run time):
``streams``, ``stream_codecs`` (bounded readers, decompressors); ``pickle_values``, ``pickle_ops``,
``pickle_vm``, ``pickle_joblib`` (the opcode walker); ``pickle_allowlist``, ``pickle_denylist``,
``pickle_policy`` (judgement); ``pickle_scan`` (walk, judge, find pickles inside containers);
``zip_records``, ``zipview``, ``archive_support``, ``archive_zip`` (zip views and scanning);
``pytorch``, ``numpy_format``, ``joblib_format``, ``archive_tar``, ``archive_7z``, ``archives``; and this
module, which collects the inspectors and re-exports the scanning helpers it used to define.
"""

from __future__ import annotations

from aibom.artifacts import Artifact, Format
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.containers import ARCHIVE_INSPECTORS
from aibom.formats.interface import InspectContext, Inspection, Inspector
from aibom.formats.joblib_format import JoblibInspector
from aibom.formats.numpy_format import NpyInspector, NpzInspector
from aibom.formats.pickle.scan import (
    MAX_STACKED,
    PICKLE_SUFFIXES,
    SALVAGE_BYTES,
    StreamScan,
    inspect_as_pickle,
    inspect_nested,
    looks_like_pickle,
    member_context,
    report,
    scan_pickles,
    walk_stream,
)
from aibom.formats.pytorch import TorchLegacyInspector, TorchZipInspector

__all__ = [
    "MAX_STACKED",
    "PICKLE_FAMILY_INSPECTORS",
    "PICKLE_SUFFIXES",
    "SALVAGE_BYTES",
    "PickleInspector",
    "StreamScan",
    "inspect_as_pickle",
    "inspect_nested",
    "looks_like_pickle",
    "member_context",
    "report",
    "scan_pickles",
    "walk_stream",
]


class PickleInspector:
    formats: frozenset[Format] = frozenset({Format.PICKLE})
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        return scan_pickles(ctx, ctx.open)


PICKLE_FAMILY_INSPECTORS: tuple[Inspector, ...] = (
    PickleInspector(),
    TorchZipInspector(),
    TorchLegacyInspector(),
    NpyInspector(),
    NpzInspector(),
    JoblibInspector(),
    *ARCHIVE_INSPECTORS,
)
