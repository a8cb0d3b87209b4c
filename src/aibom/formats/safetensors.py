"""safetensors: a bounded, strict, streaming parse of the JSON header (no tensor data is read).

Written here rather than through ``safetensors.safe_open`` because the scanner must bound the header
length before reading it, keep going past the first problem, and say exactly what is wrong; the test suite
checks the facts against the safetensors library on files it writes.

The header (up to ``max_safetensors_header``, 100 MiB: about a million tensors) is read in chunks and
parsed one top-level entry at a time, so memory does not grow with it: per tensor only its byte range
(two machine integers) and a hash of its name are kept, for the layout and duplicate checks; the BOM
gets the aggregates (tensor count, parameter count, dtypes, metadata).
"""

from __future__ import annotations

import codecs
import itertools
import json
import json.decoder
import math
import operator
import re
import struct
from array import array
from collections.abc import Iterator
from itertools import islice, repeat
from typing import IO, Any

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.limits import Limits

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
        length = header_length(artifact, ctx)
        summary = _Summary(ctx.limits.max_tensors)
        index = 0
        with ctx.open() as fh:
            fh.seek(8)
            for item in header_entries(fh, length, ctx.limits):
                if isinstance(item, list):
                    summary.add_run(item, index)
                    index += len(item)
                    continue
                name, info = item
                if name == "__metadata__":
                    summary.metadata = _metadata(info, ctx.limits.max_safetensors_metadata)
                else:
                    summary.add(name, index, info)
                index += 1
        summary.check_unique(lambda i: _name_at(ctx, length, i))
        _check_layout(summary, artifact.size - 8 - length, lambda i: _name_at(ctx, length, i))
        facts: dict[str, object] = {
            "header_length": length,
            "tensor_count": len(summary.begins),
            "parameter_count": summary.parameters,
            "dtypes": sorted(summary.dtypes),
            "metadata": summary.metadata,
        }
        return Inspection(facts=facts)


def header_length(artifact: Artifact, ctx: InspectContext) -> int:
    (length,) = struct.unpack("<Q", ctx.read_at(0, 8))
    if length > ctx.limits.max_safetensors_header:
        raise LimitExceeded(
            f"header length {length} exceeds {ctx.limits.max_safetensors_header}",
            limit="max_safetensors_header",
            covered=8,
        )
    if length + 8 > artifact.size:
        raise FormatError(f"header length {length} runs past the end of the file", offset=0)
    return int(length)


# ---------------------------------------------------------------- streaming the header

_CHUNK = 1 << 20
_WS = re.compile(r"[ \t\n\r]*")
_NUM = r"(?:0|[1-9][0-9]*)"
_ENTRY = re.compile(
    r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*\{[ \t\n\r]*'
    r'"dtype"[ \t\n\r]*:[ \t\n\r]*"([A-Z0-9_]{1,16})"[ \t\n\r]*,[ \t\n\r]*'
    r'"shape"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*((?:'
    + _NUM
    + r"(?:[ \t\n\r]*,[ \t\n\r]*"
    + _NUM
    + r")*)?)"
    r'[ \t\n\r]*\][ \t\n\r]*,[ \t\n\r]*"data_offsets"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*('
    + _NUM
    + r")[ \t\n\r]*,[ \t\n\r]*("
    + _NUM
    + r")[ \t\n\r]*\][ \t\n\r]*\}"
)
"""One tensor entry exactly as the safetensors library writes it (keys in its order, a name without
escapes): matched in C, a fast path. Anything else is parsed by the JSON decoder. Every repetition
is followed by a different literal and the pattern starts with one, so matching is linear (no
backtracking blow-up) and a search only starts at quotes."""
_RUN = re.compile(
    r'"([^"\\\x00-\x1f]*)":\{"dtype":"([A-Z0-9_]{1,16})","shape":\[((?:'
    + _NUM
    + r"(?:,"
    + _NUM
    + r')*)?)\],"data_offsets":\[('
    + _NUM
    + r"),("
    + _NUM
    + r")\]\},"
)
"""``_ENTRY`` without whitespace (the library writes none), followed by a comma: runs of these are
matched back to back and checked in bulk."""
_Fast = tuple[str, ...]
"""(name, dtype, shape digits, begin, end) of an entry the fast path matched."""
_DECODER = json.JSONDecoder()
_SCAN: Any = getattr(_DECODER, "scan_once")  # noqa: B009 (not in the type stubs)
_SCANSTRING: Any = getattr(json.decoder, "scanstring")  # noqa: B009


class _Text:
    """The header as text, decoded chunk by chunk; ``buf[pos:]`` is what is not parsed yet."""

    def __init__(self, fh: IO[bytes], length: int) -> None:
        self._fh, self._left = fh, length
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf, self.pos, self.consumed = "", 0, 0

    @property
    def more(self) -> bool:
        return self._left > 0

    def fill(self, at_least: int = 0) -> None:
        """Drop what is parsed, then read ``at_least`` more bytes (or the rest of the header)."""
        if self.pos:
            self.consumed += self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
        want = min(self._left, max(at_least, _CHUNK))
        data = self._fh.read(want)
        if len(data) < want:
            raise FormatError("the file ends inside the header", offset=8)
        self._left -= len(data)
        try:
            self.buf += self._decoder.decode(data, final=self._left == 0)
        except UnicodeDecodeError as exc:
            raise FormatError(f"header is not valid UTF-8 JSON: {exc}", offset=8) from None

    def skip_ws(self) -> str:
        """The next character after whitespace ("" at the end of the header)."""
        while True:
            m = _WS.match(self.buf, self.pos)
            assert m is not None
            self.pos = m.end()
            if self.pos < len(self.buf) or not self.more:
                return self.buf[self.pos : self.pos + 1]
            self.fill()


def _invalid(text: _Text, what: str) -> FormatError:
    at = text.consumed + text.pos
    return FormatError(f"header is not valid UTF-8 JSON: {what} (character {at})", offset=8)


def header_entries(
    fh: IO[bytes], length: int, limits: Limits
) -> Iterator[tuple[str, object] | list[_Fast]]:
    """The header's top-level entries, in order, read in bounded chunks: a (name, value) pair, or a
    run of tensor entries the fast path matched. One entry may be as long as
    ``max_safetensors_entry``; the header as a whole ``max_safetensors_header``."""
    text = _Text(fh, length)
    if text.skip_ws() != "{":
        raise FormatError("header is not a JSON object", offset=8)
    text.pos += 1
    first = True
    while True:
        c = text.skip_ws()
        if c == "}" and first:
            text.pos += 1
            break
        if c != '"':
            raise _invalid(text, "expected a quoted name")
        run = _run(text)
        if run:
            yield run
            continue
        yield _entry(text, limits.max_safetensors_entry)
        c = text.skip_ws()
        text.pos += 1
        if c == "}":
            break
        if c != ",":
            raise _invalid(text, "expected ',' or '}' after an entry")
        first = False
    if text.skip_ws() != "":
        raise _invalid(text, "data after the header object")


def _run(text: _Text) -> list[_Fast]:
    """Entries the fast path matches back to back from ``text.pos``, each followed by a comma."""
    run: list[_Fast] = []
    pos = text.pos
    for m in _RUN.finditer(text.buf, pos):
        if m.start() != pos or m.group(1) == "__metadata__":
            break
        run.append(m.groups())
        pos = m.end()
    text.pos = pos
    return run


def _entry(text: _Text, cap: int) -> tuple[str, object]:
    """One ``"name": value`` at ``text.pos``, reading more of the header until it is complete."""
    need = _CHUNK
    while True:
        m = _ENTRY.match(text.buf, text.pos)
        if m is not None and m.group(1) != "__metadata__":
            text.pos = m.end()
            dims = m.group(3)
            shape = [int(d) for d in dims.split(",")] if dims else []
            offsets = [int(m.group(4)), int(m.group(5))]
            return m.group(1), {"dtype": m.group(2), "shape": shape, "data_offsets": offsets}
        try:
            return _decode_entry(text)
        except (json.JSONDecodeError, StopIteration, ValueError) as exc:
            if not text.more or len(text.buf) - text.pos > cap:
                if text.more:
                    raise LimitExceeded(
                        f"a header entry is longer than {cap} bytes", limit="max_safetensors_entry"
                    ) from None
                raise _invalid(text, _describe(exc)) from None
            text.fill(need)
            need *= 2
        except RecursionError:
            raise _invalid(text, "an entry is nested too deeply") from None


def _decode_entry(text: _Text) -> tuple[str, object]:
    name, end = _SCANSTRING(text.buf, text.pos + 1)
    m = _WS.match(text.buf, end)
    assert m is not None
    end = m.end()
    if text.buf[end : end + 1] != ":":
        raise ValueError("expected ':' after a name")
    m = _WS.match(text.buf, end + 1)
    assert m is not None
    value, end = _SCAN(text.buf, m.end())
    if end >= len(text.buf) and text.more:
        raise ValueError("the value may go on")  # a number cut by the chunk boundary
    text.pos = end
    return str(name), value


def _describe(exc: Exception) -> str:
    if isinstance(exc, StopIteration):
        return "expected a value"
    return str(exc)


def _name_at(ctx: InspectContext, length: int, index: int) -> str:
    """The name of the ``index``-th entry (a second pass, only to word an error message)."""
    at = 0
    with ctx.open() as fh:
        fh.seek(8)
        for item in header_entries(fh, length, ctx.limits):
            if isinstance(item, list):
                if index < at + len(item):
                    return item[index - at][0]
                at += len(item)
                continue
            if at == index:
                return item[0]
            at += 1
    return f"#{index}"


# ---------------------------------------------------------------- checks


class _Summary:
    """What the checks and the BOM need from the tensors: per tensor two integers and a hash."""

    def __init__(self, max_tensors: int) -> None:
        self.max_tensors = max_tensors
        self.begins = array("Q")
        self.ends = array("Q")
        self.index = array("Q")
        """The entry's position in the header (``__metadata__`` counts), for messages."""
        self.hashes = array("q")
        self.parameters = 0
        self.dtypes: set[str] = set()
        self.metadata: dict[str, str] = {}
        self._shapes: dict[str, int] = {}

    def _room(self, more: int) -> None:
        if len(self.begins) + more > self.max_tensors:
            raise LimitExceeded(f"more than {self.max_tensors} tensors", limit="max_tensors")

    def add_run(self, run: list[_Fast], index: int) -> None:
        """Entries of the fast path, checked in bulk (the same checks as ``_tensor``)."""
        self._room(len(run))
        names, dtypes, dims, firsts, lasts = zip(*run, strict=True)
        bits = [DTYPE_BITS.get(d, 0) for d in dtypes]
        if 0 in bits:
            i = bits.index(0)
            raise FormatError(f"tensor {names[i]!r}: unknown dtype {dtypes[i]!r}")
        known = self._shapes
        counts = [known[d] if d in known else self._count(d) for d in dims]
        begins, ends = list(map(int, firsts)), list(map(int, lasts))
        sizes = list(map(operator.sub, ends, begins))
        if min(sizes) < 0 or list(map(operator.mul, sizes, repeat(8))) != list(
            map(operator.mul, counts, bits)
        ):
            for i, (b, e, c, w) in enumerate(zip(begins, ends, counts, bits, strict=True)):
                if b > e or (e - b) * 8 != c * w:
                    raise FormatError(
                        f"tensor {names[i]!r}: {e - b} bytes do not hold {c} x {dtypes[i]}"
                    )
        try:
            self.begins.extend(begins)
            self.ends.extend(ends)
        except OverflowError:
            raise FormatError("data_offsets beyond any file") from None
        self.index.extend(range(index, index + len(run)))
        self.hashes.extend(map(hash, names))
        self.parameters += sum(counts)
        self.dtypes.update(dtypes)

    def _count(self, dims: str) -> int:
        count = math.prod(int(d) for d in dims.split(",")) if dims else 1
        if len(self._shapes) < 10_000:  # real models have a few hundred distinct shapes
            self._shapes[dims] = count
        return count

    def add(self, name: str, index: int, info: object) -> None:
        self._room(1)
        dtype, (begin, end), count = _tensor(name, info)
        if end >= 1 << 64:
            raise FormatError(f"tensor {name!r}: data_offsets beyond any file")
        self.begins.append(begin)
        self.ends.append(end)
        self.index.append(index)
        self.hashes.append(hash(name))
        self.parameters += count
        self.dtypes.add(dtype)

    def check_unique(self, name_at: Any) -> None:
        """Two entries with one name: JSON readers keep either (Python's the last)."""
        if len(set(self.hashes)) == len(self.hashes):
            return
        ordered = sorted(self.hashes)
        for a, b in itertools.pairwise(ordered):
            if a == b:
                same = [i for i, h in enumerate(self.hashes) if h == a]
                first = name_at(self.index[same[0]])
                if any(name_at(self.index[i]) == first for i in same[1:]):
                    raise FormatError(f"tensor {first!r} is described twice")


def _tensor(name: str, info: object) -> tuple[str, tuple[int, int], int]:
    """(dtype, (begin, end), element count) of one entry."""
    if not isinstance(info, dict):
        raise FormatError(f"tensor {name!r}: entry is not an object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise FormatError(f"tensor {name!r}: unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_natural(d) for d in shape):
        raise FormatError(f"tensor {name!r}: shape is not a list of non-negative integers")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_natural(o) for o in offsets)):
        raise FormatError(f"tensor {name!r}: data_offsets is not [begin, end]")
    begin, end = offsets
    count = math.prod(shape)
    if begin > end or (end - begin) * 8 != count * DTYPE_BITS[dtype]:
        raise FormatError(f"tensor {name!r}: {end - begin} bytes do not hold {count} x {dtype}")
    return dtype, (begin, end), count


def _metadata(value: object, max_entries: int) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > max_entries:
        raise FormatError("__metadata__ is not a string-to-string map of bounded size")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise FormatError("__metadata__ holds a value that is not a string")
    return dict(value)


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_layout(summary: _Summary, data_size: int, name_at: Any) -> None:
    """Tensor byte ranges must not overlap and must cover the data section exactly."""
    begins, ends = summary.begins, summary.ends
    n = len(begins)
    if all(map(operator.lt, begins, islice(begins, 1, None))):
        order: Any = range(n)  # the usual case: tensors listed in the order of their data
    else:
        shift = max(n, 1).bit_length()
        keys = sorted((((begins[i] << 64) | ends[i]) << shift) | i for i in range(n))
        order = [k & ((1 << shift) - 1) for k in keys]
        del keys
    position = 0
    for i in order:
        begin = begins[i]
        if begin != position:
            what = (
                "overlaps the previous tensor"
                if begin < position
                else f"leaves a gap at {position}"
            )
            raise FormatError(f"tensor {name_at(summary.index[i])!r} {what}")
        position = ends[i]
    if position != data_size:
        raise FormatError(f"tensors cover {position} bytes but the data section holds {data_size}")
