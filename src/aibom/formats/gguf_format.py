"""GGUF: a bounded parse of the header, metadata and tensor infos, and every chat template checked.

Hand-written rather than ``gguf.GGUFReader`` because the reader memory-maps the whole file, builds numpy
views of every array, recurses on nested arrays (a crafted file raises RecursionError) and stops at the
first problem; the scanner must bound every count before use, keep the findings made before a break, and
tell overflow-shaped headers (the ggml heap-overflow advisories) from plain damage. Tests check the facts
against the gguf library on files it writes.

Every metadata key containing ``chat_template`` is checked (``tokenizer.chat_template`` and each named
``tokenizer.chat_template.<name>``): hiding a payload in a named template evades checks of the default key.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import (
    GGUF_PARSER_EXPLOIT,
    TEMPLATE_DYNAMIC,
    TEMPLATE_INJECTION,
    TEMPLATE_UNCHECKED,
)
from aibom.findings import Check, Finding
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.keras.h5 import failure_finding
from aibom.limits import Limits

MAX_FACT_STRING = 1024
"""Longest string kept as a fact (architecture, name): an output cap; input ceilings are in ``Limits``."""
ABSURD = 1 << 48
"""A length or count beyond this never describes real data: it is the wrap-around shape of the ggml
heap overflows (TALOS-2024-1912..1916)."""
GGML_MAX_DIMS = 4
READ_WINDOW = 1 << 20

SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
STRING, ARRAY = 8, 9
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 40), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),
    15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18),
    21: (256, 110), 22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8),
    28: (1, 8), 29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
    40: (64, 36), 41: (128, 18),
}  # fmt: skip
"""ggml tensor type -> (block size, bytes per block), from ggml.h. Unknown types skip the size check."""
MAX_GGML_TYPE = 1023
"""Types beyond this index past ggml's type table (an out-of-bounds read in older builds)."""
FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M",
    30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
    39: "NVFP4", 40: "Q1_0",
}  # fmt: skip
"""``general.file_type`` (llama.h ``LLAMA_FTYPE_MOSTLY_*``) -> quantization name."""


class Overflow(Exception):
    """A header value with the shape of a parser-overflow exploit (reported as GGUF-001)."""


@dataclass(frozen=True)
class _Skipped:
    """A string that was not read, with its length."""

    length: int


class _Reader:
    """Sequential reads through one read-ahead window; long payloads are skipped by offset."""

    def __init__(self, fh: BinaryIO, size: int, limits: Limits) -> None:
        self.fh, self.size, self.pos = fh, size, 0
        self.limits = limits
        self.window, self.window_start = b"", 0
        self.endian, self.count = "<", "Q"

    def read(self, length: int) -> bytes:
        end = self.pos + length
        if end > self.size:
            raise FormatError(
                f"needs {length} bytes at offset {self.pos}, past the end", offset=self.pos
            )
        start = self.window_start
        if not (start <= self.pos and end <= start + len(self.window)):
            self.fh.seek(self.pos)
            self.window, self.window_start = self.fh.read(max(length, READ_WINDOW)), self.pos
            start = self.pos
            if len(self.window) < length:
                raise FormatError("file is truncated", offset=self.pos)
        data = self.window[self.pos - start : end - start]
        self.pos = end
        return data

    def skip(self, length: int, what: str) -> None:
        if length > self.size - self.pos:
            raise FormatError(
                f"{what} of {length} bytes runs past the end of the file", offset=self.pos
            )
        self.pos += length

    def unpack(self, code: str) -> int | float | bool:
        value: int | float | bool = struct.unpack(
            self.endian + code, self.read(struct.calcsize(code))
        )[0]
        return value

    def length(self, what: str) -> int:
        value = int(self.unpack(self.count))
        if value >= ABSURD:
            raise Overflow(f"{what} {value:#x} wraps around size arithmetic")
        return value


@dataclass
class GgufScan:
    version: int = 0
    tensor_count: int = 0
    kv_count: int = 0
    metadata: dict[str, object] = field(default_factory=dict)
    templates: list[tuple[str, object]] = field(default_factory=list)
    parameters: int = 0
    problems: list[str] = field(default_factory=list)
    metadata_read: bool = False


def read_header(r: _Reader, scan: GgufScan) -> None:
    if r.read(4) != b"GGUF":
        raise FormatError("missing GGUF magic", offset=0)
    raw = r.read(4)
    version = struct.unpack("<I", raw)[0]
    if version & 0xFFFF == 0 and version:
        r.endian, version = ">", struct.unpack(">I", raw)[0]
    if version not in (1, 2, 3):
        raise FormatError(f"unsupported GGUF version {version}", offset=4)
    scan.version = version
    r.count = "I" if version == 1 else "Q"
    scan.tensor_count, scan.kv_count = r.length("tensor count"), r.length("metadata count")
    if scan.kv_count > r.limits.max_gguf_kv:
        raise LimitExceeded(
            f"{scan.kv_count} metadata entries exceed {r.limits.max_gguf_kv}", limit="max_gguf_kv"
        )


def read_metadata(r: _Reader, scan: GgufScan) -> None:
    limits = r.limits
    seen: set[str] = set()
    for _ in range(scan.kv_count):
        key = _string(r, "key", limits.max_gguf_key_bytes)
        if not isinstance(key, str):
            raise FormatError(
                f"metadata key of {key.length} bytes exceeds {limits.max_gguf_key_bytes}"
            )
        if key in seen:
            scan.problems.append(
                f"metadata key {key!r} appears twice; loaders disagree on which wins"
            )
        seen.add(key)
        vtype = int(r.unpack("I"))
        if "chat_template" in key.lower():
            scan.templates.append((key, _value(r, vtype, 0, limits.max_template_bytes, keep=True)))
        else:
            scan.metadata[key] = _value(r, vtype, 0, MAX_FACT_STRING, keep=False)


def _string(r: _Reader, what: str, cap: int) -> str | _Skipped:
    length = r.length(f"{what} length")
    if length > cap:
        r.skip(length, what)
        return _Skipped(length)
    return r.read(length).decode("utf-8", "replace")


def _value(r: _Reader, vtype: int, depth: int, cap: int, *, keep: bool) -> object:
    """A metadata value. Strings longer than ``cap`` and arrays of numbers are skipped; arrays of
    strings are kept only with ``keep`` (template keys), else skipped without building a list."""
    if vtype in SCALARS:
        return r.unpack(SCALARS[vtype])
    if vtype == STRING:
        return _string(r, "string", cap)
    if vtype != ARRAY:
        raise FormatError(f"unknown metadata value type {vtype}", offset=r.pos)
    limits = r.limits
    if depth >= limits.max_gguf_array_depth:
        raise FormatError(
            f"metadata arrays nested deeper than {limits.max_gguf_array_depth}",
            offset=r.pos,
            reason="max_gguf_array_depth",
        )
    etype, count = int(r.unpack("I")), r.length("array length")
    if count > limits.max_gguf_array_len:
        raise LimitExceeded(
            f"metadata array of {count} elements exceeds {limits.max_gguf_array_len}",
            limit="max_gguf_array_len",
        )
    if etype in SCALARS:
        size = struct.calcsize(SCALARS[etype]) * count
        r.skip(size, "array")
        return _Skipped(size)
    if etype == STRING and not keep:
        _skip_strings(r, count)
        return _Skipped(count)
    return [_value(r, etype, depth + 1, cap, keep=keep) for _ in range(count)]


def _skip_strings(r: _Reader, count: int) -> None:
    """The hot loop of big vocabularies (length, skip, length, skip...), served from the window."""
    unpack_from = struct.Struct(r.endian + r.count).unpack_from
    width = 4 if r.count == "I" else 8
    size = r.size
    for _ in range(count):
        rel = r.pos - r.window_start
        if rel >= 0 and rel + width <= len(r.window):
            (length,) = unpack_from(r.window, rel)
            r.pos += width
        else:
            (length,) = unpack_from(r.read(width))
        if length > size - r.pos:
            if length >= ABSURD:
                raise Overflow(f"string length {length:#x} wraps around size arithmetic")
            raise FormatError(
                f"string of {length} bytes runs past the end of the file", offset=r.pos
            )
        r.pos += length


def read_tensors(r: _Reader, scan: GgufScan) -> None:
    alignment = scan.metadata.get("general.alignment", 32)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise FormatError(f"general.alignment {alignment!r} is not a power of two")
    infos = [_tensor_info(r, scan) for _ in range(scan.tensor_count)]
    data_start = -(-r.pos // alignment) * alignment
    names: set[str] = set()
    for name, offset, nbytes in infos:
        if name in names:
            scan.problems.append(f"tensor {name!r} is described twice")
        names.add(name)
        if offset % alignment:
            scan.problems.append(f"tensor {name!r} data is not aligned to {alignment}")
        if nbytes is not None and data_start + offset + nbytes > r.size:
            scan.problems.append(
                f"tensor {name!r} data runs past the end of the file (truncated, or crafted for an "
                "out-of-bounds read as in CVE-2026-7482)"
            )


def _tensor_info(r: _Reader, scan: GgufScan) -> tuple[str, int, int | None]:
    name = _string(r, "tensor name", MAX_FACT_STRING)
    label = name if isinstance(name, str) else f"<{name.length}-byte name>"
    n_dims = int(r.unpack("I"))
    if n_dims > GGML_MAX_DIMS:
        raise Overflow(
            f"tensor {label!r} has {n_dims} dimensions, beyond GGML_MAX_DIMS (CVE-2024-21802)"
        )
    dims = [int(r.unpack(r.count)) for _ in range(n_dims)]
    ggml_type, offset = int(r.unpack("I")), int(r.unpack("Q"))
    count = math.prod(dims)
    if any(d >= 1 << 63 for d in dims) or count >= 1 << 63:
        raise Overflow(f"tensor {label!r} dimensions {dims} overflow int64 (CVE-2026-33298)")
    if ggml_type > MAX_GGML_TYPE:
        raise Overflow(f"tensor {label!r} type {ggml_type} is outside ggml's type table")
    scan.parameters += count
    sizes = GGML_TYPE_SIZES.get(ggml_type)
    if sizes is None:
        return label, offset, None
    block, block_bytes = sizes
    if dims and dims[0] % block:
        scan.problems.append(
            f"tensor {label!r} row of {dims[0]} is not a multiple of block {block}"
        )
    return label, offset, count // block * block_bytes


# ---------------------------------------------------------------- the inspector


class GgufInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.GGUF, Kind.WEIGHTS, (".gguf",), magic=(Magic(b"GGUF"),)),
    )
    checks: tuple[Check, ...] = (
        GGUF_PARSER_EXPLOIT,
        TEMPLATE_INJECTION,
        TEMPLATE_DYNAMIC,
        TEMPLATE_UNCHECKED,
        MALFORMED_FILE,
        LIMIT_REACHED,
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        scan = GgufScan()
        stopped: Finding | None = None
        reason, covered = "malformed", 0
        with ctx.open() as fh:
            fh.seek(0, 2)
            r = _Reader(fh, fh.tell(), ctx.limits)
            try:
                read_header(r, scan)
                read_metadata(r, scan)
                scan.metadata_read = True
                read_tensors(r, scan)
            except Overflow as exc:
                stopped = ctx.finding(GGUF_PARSER_EXPLOIT, str(exc), offset=r.pos)
                covered = r.pos
            except LimitExceeded as exc:
                stopped, reason, covered = failure_finding(ctx, Format.GGUF, exc), "limit", r.pos
                reason = exc.limit or reason
            except FormatError as exc:
                stopped, reason, covered = failure_finding(ctx, Format.GGUF, exc), exc.reason, r.pos
        inspection = Inspection(facts=_facts(scan), findings=_template_findings(ctx, scan))
        if stopped is not None and not scan.metadata_read and scan.version:
            message = "metadata could not be read to the end; chat templates after the break were not checked"
            inspection.findings.append(ctx.finding(TEMPLATE_UNCHECKED, message, offset=r.pos))
        inspection.findings += [ctx.finding(MALFORMED_FILE, f"gguf: {p}") for p in scan.problems]
        if stopped is not None:
            inspection.findings.append(stopped)
            inspection.hit(reason, covered=covered)
        return inspection


def _template_findings(ctx: InspectContext, scan: GgufScan) -> list[Finding]:
    from aibom.formats.templates import template_findings

    findings: list[Finding] = []
    cap = ctx.limits.max_template_bytes
    for key, value in scan.templates:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = key if len(items) == 1 else f"{key}[{i}]"
            if isinstance(item, _Skipped):
                message = f"{where}: template of {item.length} bytes exceeds {cap}; not checked"
                findings.append(ctx.finding(TEMPLATE_UNCHECKED, message, evidence=where))
            elif isinstance(item, str):
                findings += template_findings(ctx, item, where)
    return findings


def _facts(scan: GgufScan) -> dict[str, object]:
    meta = scan.metadata
    arch, name = meta.get("general.architecture"), meta.get("general.name")
    file_type = meta.get("general.file_type")
    facts: dict[str, object] = {
        "gguf_version": scan.version,
        "tensor_count": scan.tensor_count,
        "parameter_count": scan.parameters,
        "gguf_metadata_count": scan.kv_count,
        "gguf_architecture": arch if isinstance(arch, str) else None,
        "gguf_name": name if isinstance(name, str) else None,
        "gguf_context_length": meta.get(f"{arch}.context_length")
        if isinstance(arch, str)
        else None,
        "gguf_file_type": file_type if isinstance(file_type, int) else None,
        "gguf_quantization": FILE_TYPES.get(file_type) if isinstance(file_type, int) else None,
        "chat_templates": [key for key, _ in scan.templates],
    }
    return {k: v for k, v in facts.items() if v is not None}
