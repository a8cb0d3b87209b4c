"""What the pickle walker (``pickle_vm``) puts on its simulated stack, and the trace a walk records.

Values stand for what the unpickler would build, without building it: an imported object is a
``GlobalRef``, the result of calling one is a ``Call``, long payloads are ``Blob`` positions in the
stream, containers are ``Box`` with their first items, and anything that depends on running the pickle
is ``Unknown``. The argument decoders for protocol-0 text opcodes live here too.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

MAX_INT_DIGITS = 4300
"""CPython refuses to parse longer decimal integers (sys.int_info.default_max_str_digits)."""


class PickleError(Exception):
    """The stream is broken here; a real unpickler stops with an error."""


class WalkLimit(Exception):
    """A ceiling was reached; the walk stops and the trace is incomplete. ``limit`` names the
    ``Limits`` field."""

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


# ---------------------------------------------------------------- values on the simulated stack


@dataclass(frozen=True)
class GlobalRef:
    """An object the unpickler would import: ``module``/``name`` as written, protocol at that point."""

    module: str
    name: str
    proto: int
    offset: int
    opcode: str


@dataclass(eq=False)
class Call:
    """The result of calling ``callee`` (a GlobalRef, or anything for dynamic calls) at ``offset``."""

    callee: object
    args: object
    offset: int
    state: object = None


@dataclass(eq=False)
class Blob:
    """A bytes or str payload: where it lies in the stream, and its value when short."""

    kind: str
    offset: int
    length: int
    value: bytes | str | None = None


@dataclass(eq=False)
class Box:
    """A list, dict (items are (key, value) pairs), set or frozenset; only the first items are kept."""

    kind: str
    items: list[object] = field(default_factory=list)
    count: int = 0

    def add(self, item: object) -> None:
        self.count += 1
        if len(self.items) < 64:
            self.items.append(item)


@dataclass(frozen=True)
class Unknown:
    why: str


# ---------------------------------------------------------------- what a walk records


@dataclass
class ImportRecord:
    ref: GlobalRef
    count: int = 0
    uses: dict[str, int] = field(default_factory=dict)
    """How the object is used -> offset of the first such use."""
    roles: dict[str, int] = field(default_factory=dict)
    """What loading does with it -> first offset: ``call`` (called with file data), ``rebuild``
    (reconstructed: NEWOBJ, copyreg helpers), ``modify`` (changed in place), ``ref`` (stored as a
    value), ``arg`` (passed to a callee in ``arg_of``, which may call it)."""
    arg_of: list[object] = field(default_factory=list)
    """Callees it was passed to under role ``arg`` (a GlobalRef, or None when computed); the first few."""


@dataclass
class Trace:
    start: int
    end: int | None = None
    """Offset just after STOP; None when the stream broke."""
    opcodes: int = 0
    protocols: list[tuple[int, int]] = field(default_factory=list)
    imports: dict[tuple[str, str, bool], ImportRecord] = field(default_factory=dict)
    unresolved: list[tuple[int, str]] = field(default_factory=list)
    nested: list[tuple[GlobalRef, object]] = field(default_factory=list)
    """Calls of ``NESTED_LOADERS`` with their first argument (a Blob when it is a literal payload)."""
    persistent_ids: int = 0
    error: tuple[int, str] | None = None
    limit: str | None = None
    limit_name: str | None = None
    """The ``Limits`` field behind ``limit``."""
    limit_at: int | None = None
    """Offset of the opcode the walk stopped at when a limit stopped it."""
    bomb: bool = False
    nested_dropped: int = 0
    """Nested-loader calls past ``max_pickle_records`` whose payload was not scanned."""
    result: object = None
    skipped_bytes: int = 0
    salvage: bytes = b""
    """Bytes right after a break, searched for imports other unpicklers may still reach."""


# ---------------------------------------------------------------- describing and decoding


def describe(value: object) -> str:
    if isinstance(value, GlobalRef):
        return f"{value.module}.{value.name}"
    if isinstance(value, Call):
        return f"the result of {describe(value.callee)}"
    if isinstance(value, Unknown):
        return f"an unknown value ({value.why})"
    if isinstance(value, Box):
        return f"a {value.kind}"
    if isinstance(value, Blob):
        return f"a {value.length}-byte {value.kind}"
    return f"a {type(value).__name__} constant"


def decode_string_line(line: bytes) -> str:
    """The protocol-0 STRING argument: a quoted Python bytes literal."""
    if len(line) < 2 or line[0] != line[-1] or line[:1] not in (b"'", b'"'):
        raise PickleError("the STRING opcode argument must be quoted")
    try:
        return codecs.escape_decode(line[1:-1])[0].decode("latin-1")
    except ValueError as exc:
        raise PickleError(f"bad STRING escape: {exc}") from None


def parse_int(line: bytes, what: str) -> int:
    text = line.strip().rstrip(b"L")
    if len(text) > MAX_INT_DIGITS:
        raise PickleError(f"{what}: integer with more than {MAX_INT_DIGITS} digits")
    try:
        return int(text, 0) if what in ("INT", "LONG") else int(text)
    except ValueError:
        raise PickleError(f"{what}: not an integer: {line[:40]!r}") from None
