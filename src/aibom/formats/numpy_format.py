"""numpy ``.npy`` (format versions 1-3) and ``.npz``.

The ``.npy`` header is a Python dict literal, read with ``ast.literal_eval`` after bounding its length
(``numpy.lib.format`` does the same). An array whose dtype holds objects is stored as a pickle after the
header, which ``numpy.load(allow_pickle=True)`` unpickles: that pickle is walked. ``.npz`` is a zip of
``.npy`` members, read with the same zip views as any other archive.
"""

from __future__ import annotations

import ast
import math
import re
import struct
from typing import cast

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks import MALFORMED_FILE
from aibom.checks.unsafe import UNSAFE_CHECKS
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.pickle.scan import scan_pickles

MAGIC = b"\x93NUMPY"
_SIMPLE = re.compile(r"^[<>|=]?([a-zA-Z])(\d+)$")


def read_header(ctx: InspectContext) -> tuple[dict[str, object], int]:
    """(header dict, offset of the data)."""
    fixed = ctx.read_at(0, 12)
    if len(fixed) < 10 or not fixed.startswith(MAGIC):
        raise FormatError("not a .npy file (magic missing)", offset=0)
    major = fixed[6]
    if major == 1:
        (length,), start = struct.unpack("<H", fixed[8:10]), 10
    elif major in (2, 3):
        (length,), start = struct.unpack("<I", fixed[8:12]), 12
    else:
        raise FormatError(f"unknown .npy format version {major}.{fixed[7]}", offset=6)
    if length > ctx.limits.max_npy_header:
        raise LimitExceeded(
            f".npy header of {length} bytes exceeds {ctx.limits.max_npy_header}",
            limit="max_npy_header",
            covered=start,
        )
    raw = ctx.read_at(start, length)
    if len(raw) != length:
        raise FormatError("file ends inside the .npy header", offset=start)
    return _parse(raw, major, start), start + length


_PY2_LONG = re.compile(r"(\d)[Ll](?=\s*[,)])")
"""Python 2 wrote long sizes with an ``L`` suffix, ``(2L, 3L)``; numpy's own reader drops it."""


def _parse(raw: bytes, major: int, start: int) -> dict[str, object]:
    try:
        text = raw.decode("utf-8" if major == 3 else "latin-1")
        header = ast.literal_eval(_PY2_LONG.sub(r"\1", text))
    except (ValueError, SyntaxError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise FormatError(f".npy header is not a Python literal: {exc}", offset=start) from None
    if not isinstance(header, dict) or not {"descr", "fortran_order", "shape"} <= set(header):
        raise FormatError(".npy header lacks descr, fortran_order or shape", offset=start)
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise FormatError(f".npy shape {shape!r} is not a tuple of sizes", offset=start)
    return header


def has_objects(descr: object, depth: int = 0) -> bool:
    """Whether a dtype description holds Python objects (kind 'O' anywhere, nested fields included)."""
    if depth > 32:
        return True  # absurd nesting: treat as the dangerous case
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list | tuple):
        return any(has_objects(part, depth + 1) for part in descr)
    return False


class NpyInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.NUMPY,
            Kind.WEIGHTS,
            (".npy",),
            magic=(Magic(b"\x93NUMPY"),),
            runs_code=True,
            fetch_members=True,
        ),
    )
    checks: tuple[Check, ...] = (MALFORMED_FILE, *UNSAFE_CHECKS)

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        header, data_at = read_header(ctx)
        descr = header["descr"]
        shape = cast(tuple[int, ...], header["shape"])  # checked by _parse
        facts: dict[str, object] = {"dtype": repr(descr), "shape": list(shape)}
        if has_objects(descr):
            out = scan_pickles(
                ctx, ctx.open, start=data_at, max_pickles=1, what="object-array pickle"
            )
            out.facts = facts
            return out
        out = Inspection(facts=facts)
        match = _SIMPLE.match(descr) if isinstance(descr, str) else None
        if match is not None:
            kind, digits = match.groups()
            itemsize = int(digits) * (4 if kind == "U" else 1)
            needed = math.prod(shape) * itemsize
            if artifact.size and ctx.member is None and data_at + needed > artifact.size:
                text = f"array needs {needed} bytes after the header but the file holds fewer"
                out.findings.append(ctx.finding(MALFORMED_FILE, text, offset=data_at))
        return out
