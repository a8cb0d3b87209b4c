"""safetensors: a bounded, strict parse of the JSON header (no tensor data is read).

Written here rather than through ``safetensors.safe_open`` because the scanner must bound the header
length before reading it, keep going past the first problem, and say exactly what is wrong; the test suite
checks the facts against the safetensors library on files it writes.
"""

from __future__ import annotations

import json
import math
import struct

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded

DTYPE_BITS: dict[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "I16": 16,
    "U16": 16,
    "F16": 16,
    "BF16": 16,
    "I32": 32,
    "U32": 32,
    "F32": 32,
    "F64": 64,
    "I64": 64,
    "U64": 64,
    "C64": 64,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
}


class SafetensorsInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.SAFETENSORS, Kind.WEIGHTS, (".safetensors",)),
    )
    checks: tuple[Check, ...] = (MALFORMED_FILE, LIMIT_REACHED)

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        header, length = read_header(artifact, ctx)
        metadata = _metadata(header.pop("__metadata__", None), ctx.limits.max_safetensors_metadata)
        tensors = _tensors(header, ctx.limits.max_tensors)
        _check_layout(tensors, artifact.size - 8 - length)
        facts: dict[str, object] = {
            "header_length": length,
            "tensor_count": len(tensors),
            "parameter_count": sum(t[2] for t in tensors.values()),
            "dtypes": sorted({t[0] for t in tensors.values()}),
            "metadata": metadata,
        }
        return Inspection(facts=facts)


def read_header(artifact: Artifact, ctx: InspectContext) -> tuple[dict[str, object], int]:
    (length,) = struct.unpack("<Q", ctx.read_at(0, 8))
    if length > ctx.limits.max_safetensors_header:
        raise LimitExceeded(f"header length {length} exceeds {ctx.limits.max_safetensors_header}")
    if length + 8 > artifact.size:
        raise FormatError(f"header length {length} runs past the end of the file", offset=0)
    raw = ctx.read_at(8, length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FormatError(f"header is not valid UTF-8 JSON: {exc}", offset=8) from None
    if not isinstance(header, dict):
        raise FormatError("header is not a JSON object", offset=8)
    return header, length


def _metadata(value: object, max_entries: int) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > max_entries:
        raise FormatError("__metadata__ is not a string-to-string map of bounded size")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise FormatError("__metadata__ holds a value that is not a string")
    return dict(value)


def _tensors(
    header: dict[str, object], max_tensors: int
) -> dict[str, tuple[str, tuple[int, int], int]]:
    """name -> (dtype, (begin, end), element count)."""
    if len(header) > max_tensors:
        raise LimitExceeded(f"{len(header)} tensors exceed {max_tensors}")
    out: dict[str, tuple[str, tuple[int, int], int]] = {}
    for name, info in header.items():
        if not isinstance(info, dict):
            raise FormatError(f"tensor {name!r}: entry is not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
            raise FormatError(f"tensor {name!r}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(_natural(d) for d in shape):
            raise FormatError(f"tensor {name!r}: shape is not a list of non-negative integers")
        if not (
            isinstance(offsets, list) and len(offsets) == 2 and all(_natural(o) for o in offsets)
        ):
            raise FormatError(f"tensor {name!r}: data_offsets is not [begin, end]")
        begin, end = offsets
        count = math.prod(shape)
        if begin > end or (end - begin) * 8 != count * DTYPE_BITS[dtype]:
            raise FormatError(f"tensor {name!r}: {end - begin} bytes do not hold {count} x {dtype}")
        out[name] = (dtype, (begin, end), count)
    return out


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_layout(tensors: dict[str, tuple[str, tuple[int, int], int]], data_size: int) -> None:
    """Tensor byte ranges must not overlap and must cover the data section exactly."""
    position = 0
    for name, (_dtype, (begin, end), _count) in sorted(tensors.items(), key=lambda kv: kv[1][1]):
        if begin != position:
            what = (
                "overlaps the previous tensor"
                if begin < position
                else f"leaves a gap at {position}"
            )
            raise FormatError(f"tensor {name!r} {what}")
        position = end
    if position != data_size:
        raise FormatError(f"tensors cover {position} bytes but the data section holds {data_size}")
