"""A streaming pickle opcode walker with a simulated stack and memo. It never unpickles anything.

Written by hand (not ``pickletools.genops``, which reads every payload into memory, nor fickling, which
builds an AST of the whole stream) so that: a payload of gigabytes is skipped by seeking and costs
nothing; STACK_GLOBAL operands assembled through the memo (MEMOIZE/PUT/GET, POP, DUP, MARK frames) are
resolved the way CPython's unpickler resolves them; every use of an imported object (REDUCE, NEWOBJ,
NEWOBJ_EX, OBJ, INST, BUILD, container mutation, passed as an argument) is recorded; and a broken stream
still reports what it imported before the break. ``pickletools.opcodes`` supplies the opcode table.

The walker records facts only; ``aibom.formats.pickle.policy`` judges them. The values it simulates live
in ``values``, its state in ``state``, the opcode handlers in ``ops``, the byte reader in ``streams``; their names
are re-exported here.
"""

from __future__ import annotations

import pickletools
import struct
from typing import BinaryIO

from aibom.formats.interface import FormatError, LimitExceeded
from aibom.formats.pickle.ops import HANDLERS, Handler
from aibom.formats.pickle.state import NESTED_LOADERS, BuildHook, VMState
from aibom.formats.pickle.values import (
    MAX_INT_DIGITS,
    Blob,
    Box,
    Call,
    GlobalRef,
    ImportRecord,
    PickleError,
    Trace,
    Unknown,
    WalkLimit,
    decode_string_line,
    describe,
    parse_int,
)
from aibom.formats.streams import ByteSource, DecompressionBomb, cheap_seek
from aibom.limits import Limits

__all__ = [
    "MAX_INT_DIGITS",
    "NESTED_LOADERS",
    "Blob",
    "Box",
    "BuildHook",
    "ByteSource",
    "Call",
    "DecompressionBomb",
    "GlobalRef",
    "Handler",
    "ImportRecord",
    "PickleError",
    "PickleVM",
    "Trace",
    "Unknown",
    "WalkLimit",
    "cheap_seek",
    "decode_string_line",
    "describe",
    "parse_int",
    "walk_pickle",
]

_OPS = {op.code.encode("latin-1")[0]: op for op in pickletools.opcodes}
_FIXED = {
    "uint1": "<B",
    "uint2": "<H",
    "int4": "<i",
    "uint4": "<I",
    "uint8": "<Q",
    "float8": ">d",
}
_LEN_PREFIX = {
    "string1": "<B",
    "bytes1": "<B",
    "unicodestring1": "<B",
    "long1": "<B",
    "string4": "<i",
    "long4": "<i",
    "bytes4": "<I",
    "unicodestring4": "<I",
    "bytes8": "<Q",
    "unicodestring8": "<Q",
    "bytearray8": "<Q",
}


_TEXT_ARGS = frozenset({"stringnl", "unicodestringnl", "stringnl_noescape"})
"""Newline-terminated arguments that CPython reads at any length (no fixed line limit applies)."""


class PickleVM(VMState):
    """Walks one pickle (up to STOP) from ``src``'s position. ``walk()`` returns the trace, never raises."""

    def walk(self) -> Trace:
        trace = self.trace
        try:
            while trace.end is None:
                self._step(HANDLERS)
        except (PickleError, FormatError) as exc:
            trace.error = (self._op_pos, str(exc))
        except (WalkLimit, LimitExceeded) as exc:
            trace.limit = str(exc)
            trace.limit_name = getattr(exc, "limit", None)
            trace.limit_at = self._op_pos
            trace.bomb = isinstance(exc, DecompressionBomb)
        trace.skipped_bytes = max(0, self.src.pos - trace.start - self.src.bytes_read)
        return trace

    def _step(self, handlers: dict[str, Handler]) -> None:
        self._op_pos = pos = self.src.pos
        raw = self.src.read(1)
        if not raw:
            raise PickleError("stream ends without STOP")
        op = _OPS.get(raw[0])
        if op is None:
            raise PickleError(f"invalid opcode {raw!r}")
        self.trace.opcodes += 1
        if self.trace.opcodes > self.limits.max_pickle_opcodes:
            raise WalkLimit(
                f"more than {self.limits.max_pickle_opcodes} opcodes", limit="max_pickle_opcodes"
            )
        if pos - self.trace.start > self.limits.max_pickle_bytes:
            raise WalkLimit(
                f"stream longer than {self.limits.max_pickle_bytes} bytes", limit="max_pickle_bytes"
            )
        arg = self._argument(op) if op.arg is not None else None
        handlers[op.name](self, arg)

    # ------------------------------------------------------------ arguments

    def _argument(self, op: pickletools.OpcodeInfo) -> object:
        assert op.arg is not None
        name = op.arg.name
        if name in _FIXED:
            fmt = _FIXED[name]
            data = self._exact(struct.calcsize(fmt))
            return struct.unpack(fmt, data)[0]
        if name in _LEN_PREFIX:
            fmt = _LEN_PREFIX[name]
            (length,) = struct.unpack(fmt, self._exact(struct.calcsize(fmt)))
            if length < 0:
                raise PickleError(f"{op.name} has a negative length")
            return self._payload(name, length)
        if name == "stringnl_noescape_pair":
            return (self._line(), self._line())
        if name in _TEXT_ARGS:
            return self._text_line(op.name)
        return self._line()

    def _exact(self, n: int) -> bytes:
        data = self.src.read(n)
        if len(data) != n:
            raise PickleError("stream ends inside an opcode argument")
        return data

    def _line(self) -> bytes:
        line = self.src.readline(self.limits.max_pickle_line)
        if line is None:
            raise PickleError("newline-terminated argument is missing or too long")
        return line[:-1]

    def _text_line(self, opname: str) -> bytes | Blob:
        """A STRING / UNICODE / PERSID argument of any length, as CPython reads it: a short one is
        kept, a longer one is streamed to its newline (kept as a ``Blob``, never in memory)."""
        limit = self.limits.max_pickle_line
        line = self.src.readline(limit)
        if line is not None:
            return line[:-1]
        offset, length, first, last = self.src.pos, 0, b"", b""
        while line is None:
            chunk = self.src.read(limit)
            if len(chunk) < limit:
                raise PickleError(f"{opname}: stream ends before the newline of its argument")
            first, last = first or chunk[:1], chunk[-1:]
            length += limit
            line = self.src.readline(limit)
        length += len(line) - 1
        last = line[-2:-1] or last
        if opname == "STRING" and (first not in (b"'", b'"') or last != first):
            raise PickleError("the STRING opcode argument must be quoted")
        return Blob("str", offset, length)

    def _payload(self, arg: str, length: int) -> object:
        offset = self.src.pos
        if length <= self.limits.max_pickle_kept_bytes:
            data = self._exact(length)
            if arg.startswith("long"):
                return int.from_bytes(data, "little", signed=True)
            if arg.startswith("unicode"):
                try:
                    return data.decode("utf-8", "surrogatepass")
                except UnicodeDecodeError:
                    raise PickleError("invalid UTF-8 in a unicode string") from None
            if arg.startswith("string"):
                return data.decode("latin-1")
            return Blob("bytes", offset, length, data)
        if self.src.skip(length) != length:
            raise PickleError(f"stream ends inside a {length}-byte payload")
        kind = "str" if arg.startswith(("unicode", "string")) else "bytes"
        return Blob("int" if arg.startswith("long") else kind, offset, length)


def walk_pickle(
    fh: BinaryIO | ByteSource, limits: Limits, build_hook: BuildHook | None = None
) -> Trace:
    """Walk one pickle from the stream's current position (see ``PickleVM``)."""
    src = fh if isinstance(fh, ByteSource) else ByteSource(fh, fh.tell())
    return PickleVM(src, limits, build_hook).walk()
