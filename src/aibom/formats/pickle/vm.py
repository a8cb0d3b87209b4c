"""A streaming pickle opcode walker with a simulated stack and memo. It never unpickles anything.

Written by hand (not ``pickletools.genops``, which reads every payload into memory, nor fickling, which
builds an AST of the whole stream) so that: a payload of gigabytes is skipped by seeking and costs
nothing; STACK_GLOBAL operands assembled through the memo (MEMOIZE/PUT/GET, POP, DUP, MARK frames) are
resolved the way CPython's unpickler resolves them; every use of an imported object (REDUCE, NEWOBJ,
NEWOBJ_EX, OBJ, INST, BUILD, container mutation, passed as an argument) is recorded; and a broken stream
still reports what it imported before the break. ``pickletools.opcodes`` supplies the opcode table.

The walker records facts only; ``aibom.formats.pickle.policy`` judges them. The values it simulates live
in ``pickle_values``, the opcode handlers in ``pickle_ops``, the byte reader in ``streams``; their names
are re-exported here.
"""

from __future__ import annotations

import pickletools
import struct
from collections.abc import Callable
from typing import BinaryIO

from aibom.formats.interface import FormatError, LimitExceeded
from aibom.formats.pickle.ops import HANDLERS, Handler
from aibom.formats.pickle.values import (
    MAX_INT_DIGITS,
    MAX_RECORDS,
    SCAN_BUDGET,
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
from aibom.formats.streams import MAX_LINE, ByteSource, DecompressionBomb, cheap_seek
from aibom.limits import Limits

__all__ = [
    "KEEP_BYTES",
    "MAX_DISTINCT_GLOBALS",
    "MAX_INT_DIGITS",
    "MAX_LINE",
    "MAX_RECORDS",
    "NESTED_LOADERS",
    "SCAN_BUDGET",
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

KEEP_BYTES = 4096
"""Payloads up to this size are kept as values (names, dtype strings); larger ones are skipped by seeking."""
MAX_DISTINCT_GLOBALS = 10_000
"""Distinct (module, name) pairs recorded per stream; real checkpoints use a few dozen."""
NESTED_LOADERS = frozenset(
    {
        ("torch.storage", "_load_from_bytes"),
        ("pickle", "loads"),
        ("_pickle", "loads"),
        ("cPickle", "loads"),
        ("dill", "loads"),
        ("dill._dill", "loads"),
        ("cloudpickle", "loads"),
        ("numpy", "loads"),
        ("joblib", "load"),
        ("torch", "load"),
    }
)
"""Callables that deserialize a bytes argument; their literal payloads are scanned as nested content."""


BuildHook = Callable[["PickleVM", object, object], None]
"""Called after each BUILD with (vm, built object, state): joblib reads raw arrays that follow."""

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


class PickleVM:
    """Walks one pickle (up to STOP) from ``src``'s position. ``walk()`` returns the trace, never raises."""

    def __init__(
        self, src: ByteSource, limits: Limits, build_hook: BuildHook | None = None
    ) -> None:
        self.src = src
        self.limits = limits
        self.build_hook = build_hook
        self.trace = Trace(start=src.pos)
        self.stack: list[object] = []
        self.frames: list[list[object]] = []
        self.memo: dict[int, object] = {}
        self.proto = 0
        self.depth = 0
        """Nesting of pickles walked inside this one (joblib object arrays)."""

    def walk(self) -> Trace:
        trace = self.trace
        try:
            while trace.end is None:
                self._step(HANDLERS)
        except (PickleError, FormatError) as exc:
            trace.error = (self._op_pos, str(exc))
        except (WalkLimit, LimitExceeded) as exc:
            trace.limit = str(exc)
            trace.bomb = isinstance(exc, DecompressionBomb)
        trace.skipped_bytes = max(0, self.src.pos - trace.start - self.src.bytes_read)
        return trace

    _op_pos = 0

    def _step(self, handlers: dict[str, Callable[[PickleVM, object], None]]) -> None:
        self._op_pos = pos = self.src.pos
        raw = self.src.read(1)
        if not raw:
            raise PickleError("stream ends without STOP")
        op = _OPS.get(raw[0])
        if op is None:
            raise PickleError(f"invalid opcode {raw!r}")
        self.trace.opcodes += 1
        if self.trace.opcodes > self.limits.max_pickle_opcodes:
            raise WalkLimit(f"more than {self.limits.max_pickle_opcodes} opcodes")
        if pos - self.trace.start > self.limits.max_pickle_bytes:
            raise WalkLimit(f"stream longer than {self.limits.max_pickle_bytes} bytes")
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
        return self._line()

    def _exact(self, n: int) -> bytes:
        data = self.src.read(n)
        if len(data) != n:
            raise PickleError("stream ends inside an opcode argument")
        return data

    def _line(self) -> bytes:
        line = self.src.readline()
        if line is None:
            raise PickleError("newline-terminated argument is missing or too long")
        return line[:-1]

    def _payload(self, arg: str, length: int) -> object:
        offset = self.src.pos
        if length <= KEEP_BYTES:
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

    # ------------------------------------------------------------ stack

    def push(self, value: object) -> None:
        if len(self.stack) >= self.limits.max_stack_depth:
            raise WalkLimit(f"simulated stack deeper than {self.limits.max_stack_depth}")
        self.stack.append(value)

    def pop(self) -> object:
        if not self.stack:
            raise PickleError("stack underflow")
        return self.stack.pop()

    def top(self) -> object:
        if not self.stack:
            raise PickleError("stack underflow")
        return self.stack[-1]

    def mark(self) -> None:
        if len(self.frames) >= self.limits.max_stack_depth:
            raise WalkLimit(f"more than {self.limits.max_stack_depth} nested MARKs")
        self.frames.append(self.stack)
        self.stack = []

    def pop_mark(self) -> list[object]:
        if not self.frames:
            raise PickleError("MARK expected but missing")
        items = self.stack
        self.stack = self.frames.pop()
        return items

    def memo_put(self, index: int, value: object) -> None:
        if index < 0:
            raise PickleError("negative memo index")
        if index not in self.memo and len(self.memo) >= self.limits.max_stack_depth:
            value = value if isinstance(value, GlobalRef | str) else Unknown("memo overflow")
            if len(self.memo) >= 10 * self.limits.max_stack_depth:
                raise WalkLimit(f"more than {10 * self.limits.max_stack_depth} memo entries")
        self.memo[index] = value

    def memo_get(self, index: int) -> object:
        if index not in self.memo:
            raise PickleError(f"memo has no entry {index}")
        return self.memo[index]

    # ------------------------------------------------------------ imports and uses

    def import_global(self, module: str, name: str, opcode: str) -> GlobalRef:
        ref = GlobalRef(module, name, self.proto, self._op_pos, opcode)
        key = (module, name, self.proto < 3)
        record = self.trace.imports.get(key)
        if record is None:
            if len(self.trace.imports) >= MAX_DISTINCT_GLOBALS:
                raise WalkLimit(f"more than {MAX_DISTINCT_GLOBALS} distinct imports")
            record = self.trace.imports[key] = ImportRecord(ref)
        record.count += 1
        return record.ref

    def use(self, value: object, how: str) -> None:
        if isinstance(value, GlobalRef):
            uses = self.trace.imports[(value.module, value.name, value.proto < 3)].uses
            uses.setdefault(how, self._op_pos)

    def use_arguments(self, value: object, callee: object) -> None:
        """Mark imported objects found anywhere inside ``value`` as passed to ``callee``."""
        how = f"passed to {describe(callee)}"
        todo, seen = [value], 0
        while todo and seen < SCAN_BUDGET:
            item = todo.pop()
            seen += 1
            if isinstance(item, GlobalRef):
                self.use(item, how)
            elif isinstance(item, tuple | list):
                todo.extend(item)
            elif isinstance(item, Box):
                todo.extend(item.items)

    def invoke(self, callee: object, args: object, how: str) -> Call:
        if isinstance(callee, GlobalRef):
            self.use(callee, how)
            self._maybe_nested(callee, args)
        else:
            self.trace.note(self._op_pos, f"{how} calls {describe(callee)}, computed while loading")
        self.use_arguments(args, callee)
        return Call(callee, args, self._op_pos)

    def _maybe_nested(self, callee: GlobalRef, args: object) -> None:
        if (callee.module, callee.name) not in NESTED_LOADERS or len(
            self.trace.nested
        ) >= MAX_RECORDS:
            return
        first = args[0] if isinstance(args, tuple) and args else args
        self.trace.nested.append((callee, first))


def walk_pickle(
    fh: BinaryIO | ByteSource, limits: Limits, build_hook: BuildHook | None = None
) -> Trace:
    """Walk one pickle from the stream's current position (see ``PickleVM``)."""
    src = fh if isinstance(fh, ByteSource) else ByteSource(fh, fh.tell())
    return PickleVM(src, limits, build_hook).walk()
