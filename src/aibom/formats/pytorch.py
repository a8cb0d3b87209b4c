"""PyTorch checkpoints: the zip format (torch.save since 1.6), TorchScript archives, the legacy stacked
pickles (``_use_new_zipfile_serialization=False``) and the legacy tar format.

The zip is read the way ``torch.load`` reads it (see ``zipview``): the archive prefix is the folder of
the first central-directory entry, ``<prefix>/data.pkl`` is looked up case-insensitively, storages under
``<prefix>/data/`` are raw bytes that are never unpickled. Every ``.pkl`` member is walked as a pickle,
not only ``data.pkl`` (TorchScript loads ``constants.pkl`` and ``.debug_pkl`` files too; torch.package
others), and every other member is inspected by content. A legacy file holds five pickles (magic
number, protocol, sys_info, the object, the storage keys); all five are unpickled by ``torch.load``.
"""

from __future__ import annotations

import re

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks import MALFORMED_FILE
from aibom.checks.unsafe import (
    PICKLE_ONLY_ALLOWLISTED,
    TORCHSCRIPT_CODE,
    UNSAFE_CHECKS,
    ZIP_VIEWS_DISAGREE,
)
from aibom.findings import Check, Finding, Severity
from aibom.formats.containers.support import guarded
from aibom.formats.containers.zip import check_crc, zip_contents, zip_findings
from aibom.formats.containers.zipview import ZipLayout, member_opener, read_layout
from aibom.formats.interface import FormatError, InspectContext, Inspection, Opener
from aibom.formats.pickle.scan import (
    inspect_as_pickle,
    inspect_nested,
    report,
    walk_stream,
)
from aibom.formats.streams import random_access

LEGACY_PICKLES = 5
_RAW_RECORD = re.compile(
    r"^(data/\d+|\.data/.*|version|byteorder|\.format_version|\.storage_alignment)$"
)
"""Records torch reads as raw bytes (storages, versions), never unpickled."""


def torch_prefix(layout: ZipLayout) -> str | None:
    """The folder torch takes from the first central-directory entry (None: torch refuses the file)."""
    if not layout.entries or "/" not in layout.entries[0].name:
        return None
    return layout.entries[0].name.split("/", 1)[0]


def _lookup(ctx: InspectContext, layout: ZipLayout, prefix: str | None) -> list[Finding]:
    if prefix is None:
        text = "torch refuses this archive: its first entry is not inside a folder"
        return [ctx.finding(MALFORMED_FILE, text)]
    wanted = f"{prefix}/data.pkl".lower()
    hits = [e.name for e in layout.entries if e.name.lower() == wanted]
    if len(hits) > 1:
        text = f"torch finds {prefix}/data.pkl among {len(hits)} entries ({', '.join(hits)}) by a case-insensitive search"
        return [ctx.finding(ZIP_VIEWS_DISAGREE, text)]
    return []


class TorchZipInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.PYTORCH_ZIP,
            Kind.WEIGHTS,
            (".pt", ".pth", ".ckpt"),
            (".bin",),
            runs_code=True,
            containers=(Format.ZIP,),
        ),
        FormatSpec(Format.TORCHSCRIPT, Kind.WEIGHTS, runs_code=True, containers=(Format.ZIP,)),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        return guarded(ctx, lambda: self._scan(ctx))

    def _scan(self, ctx: InspectContext) -> Inspection:
        with random_access(ctx) as opener:
            with opener() as fh:
                layout = read_layout(fh, ctx.limits)
            out = zip_findings(ctx, layout, opener)
            prefix = torch_prefix(layout)
            out.findings.extend(_lookup(ctx, layout, prefix))
            code, pickles = 0, Inspection()
            for name, entry, python in zip_contents(layout):
                rel = name.split("/", 1)[1] if prefix and name.startswith(prefix + "/") else name
                if _RAW_RECORD.match(rel) or name.endswith("/"):
                    continue
                if rel.startswith("code/") and not rel.endswith(".debug_pkl"):
                    code += 1
                    continue
                member = member_opener(opener, entry, ctx.limits, python)
                sub = _member(ctx, name, member, entry.usize)
                (pickles if name.lower().endswith(("pkl",)) else out).merge(sub)
                out.findings.extend(check_crc(ctx, name, entry, member))
        out.merge(pickles)
        if code:
            text = f"TorchScript archive holds {code} code file(s) under code/"
            out.findings.append(ctx.finding(TORCHSCRIPT_CODE, text))
        if (
            pickles.complete
            and out.complete  # a member not analysed (encrypted, unknown method) may be a pickle
            and max((f.effective_severity for f in pickles.findings), default=0) < Severity.LOW
        ):
            text = "PyTorch checkpoint (pickle-based; prefer safetensors) uses only allowlisted objects"
            out.findings.append(ctx.finding(PICKLE_ONLY_ALLOWLISTED, text))
        return out


def _member(ctx: InspectContext, name: str, member: Opener, size: int) -> Inspection:
    if not name.lower().endswith(("pkl",)):
        return inspect_nested(ctx, name, member, size)
    try:
        with member() as fh:
            head = fh.read(ctx.limits.head_bytes)
    except (
        FormatError
    ) as exc:  # a damaged compressed member: that member is malformed, not the file
        finding = ctx.finding(MALFORMED_FILE, f"member {name!r} cannot be read: {exc}")
        return Inspection(findings=[finding], complete=False)
    return inspect_as_pickle(ctx, name, member, head, emit_low=False)


class TorchLegacyInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.PYTORCH_LEGACY, Kind.WEIGHTS, runs_code=True),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        with ctx.open() as fh:
            scan = walk_stream(fh, ctx, max_pickles=LEGACY_PICKLES)
        out = report(ctx, scan.traces, what="legacy torch pickle")
        complete = [t for t in scan.traces if t.end is not None]
        if len(complete) < LEGACY_PICKLES and len(complete) == len(scan.traces):
            text = f"legacy torch file ends after {len(complete)} of {LEGACY_PICKLES} pickles"
            out.findings.append(ctx.finding(MALFORMED_FILE, text))
        return out
