"""Git LFS pointer files: the real content is absent; record what the pointer names."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks import LFS_POINTER
from aibom.findings import Check, Finding, Severity
from aibom.formats.interface import FormatError, InspectContext, Inspection

_LINE = re.compile(r"^(?P<key>[a-z0-9.-]+) (?P<value>.+)$")


def parse_pointer(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise FormatError(f"line {number} is not 'key value'")
        fields[match["key"]] = match["value"]
    return fields


def _names_weights(ctx: InspectContext, relpath: str) -> bool:
    """Whether the pointer's own name claims a weights format (``model.safetensors``)."""
    catalog = ctx.catalog
    if catalog is None:
        return False
    claimed = catalog.claimed(PurePosixPath(relpath).suffix.lower())
    return claimed is not None and catalog.kind(claimed) is Kind.WEIGHTS


class LfsPointerInspector:
    specs: tuple[FormatSpec, ...] = (FormatSpec(Format.LFS_POINTER, Kind.LFS_POINTER),)
    checks: tuple[Check, ...] = (LFS_POINTER,)

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        fields = parse_pointer(artifact.head.decode("utf-8", "replace"))
        oid = fields.get("oid", "")
        size = fields.get("size", "")
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", oid) or not size.isdigit():
            raise FormatError("LFS pointer lacks a valid 'oid sha256:<hex>' or 'size <n>' line")
        weights = _names_weights(ctx, artifact.ref.relpath)
        what = "weights" if weights else "content"
        finding = Finding(
            LFS_POINTER,
            artifact.display,
            f"Git LFS pointer instead of the file's {what}: {int(size)} bytes were never fetched",
            severity=None if weights else Severity.LOW,
            evidence=oid,
        )
        facts: dict[str, object] = {"lfs_oid": oid.removeprefix("sha256:"), "lfs_size": int(size)}
        out = Inspection(facts=facts, findings=[finding])
        out.hit(
            "lfs-content-absent", covered=artifact.size
        )  # the pointer is read; the content is absent
        return out
