"""The opcode walker: CPython's semantics for the memo and stack, every protocol, broken streams, and
bounded reads (large payloads are skipped, not read)."""

from __future__ import annotations

import io
import os
import pickle
import pickletools
from typing import BinaryIO

import pytest

from aibom.formats.pickle.vm import ByteSource, PickleVM, Trace, walk_pickle
from aibom.limits import DEFAULT_LIMITS, Limits
from tests.unsafe.payloads import Asm, evil_call


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("true",))


def _walk(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Trace:
    return walk_pickle(io.BytesIO(data), limits)


def _names(trace: Trace) -> set[str]:
    return {f"{r.ref.module}.{r.ref.name}" for r in trace.imports.values()}


@pytest.mark.parametrize("proto", range(6))
def test_every_protocol_resolves_the_callable_and_its_use(proto: int) -> None:
    trace = _walk(pickle.dumps([_Evil(), {1: "a"}, (2.5, None, True)], protocol=proto))
    assert trace.error is None and trace.end is not None
    record = next(r for r in trace.imports.values() if r.ref.name == "system")
    assert record.ref.module in ("posix", "nt")
    assert "REDUCE" in record.uses


def test_opcode_count_matches_pickletools_on_real_pickles() -> None:
    data = pickle.dumps({"a": [1, 2.0, "x" * 300, b"y" * 70000], "b": frozenset({1})}, protocol=5)
    assert _walk(data).opcodes == sum(1 for _ in pickletools.genops(data))


def test_memo_put_after_pop_stores_the_real_top() -> None:
    # picklescan#22: scanners that model a memo store as "the previous opcode's argument" see 'decoy'
    asm = Asm(4).ustr("posix").memoize().ustr("decoy").pop().memoize().pop()
    data = asm.binget(1).ustr("system").op(b"\x93.").bytes()
    assert _names(_walk(data)) == {"posix.system"}


def test_pop_on_empty_frame_pops_the_mark_like_cpython() -> None:
    data = Asm(2).op(b"(0").call("os", "system", "x").stop().bytes()
    trace = _walk(data)
    assert trace.error is None and _names(trace) == {"os.system"}


def test_truncated_stream_still_reports_its_imports() -> None:
    data = evil_call("os", "system", "id")[:-1]
    trace = _walk(data)
    assert trace.end is None and trace.error is not None
    assert "without STOP" in trace.error[1]
    assert _names(trace) == {"os.system"}


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\xff", "invalid opcode"),
        (b"R.", "stack underflow"),
        (b"h\x05.", "memo has no entry"),
        (b"\x80\x09.", "unsupported pickle protocol"),
        (b"1.", "MARK expected"),
        (b"T\xff\xff\xff\xff", "negative length"),
        (b"S'abc\n.", "must be quoted"),
        (b"cos\nsys", "newline-terminated"),
    ],
)
def test_broken_streams_say_why(data: bytes, why: str) -> None:
    trace = _walk(data)
    assert trace.error is not None and why in trace.error[1]


def test_ext_opcode_is_unresolvable() -> None:
    trace = _walk(Asm(2).op(b"\x82\x01").op(b")R.").bytes())
    assert any("extension code 1" in text for _, text in trace.unresolved)


class _CountingReader(io.RawIOBase):
    def __init__(self, data: BinaryIO) -> None:
        self.data, self.read_bytes = data, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self.data.read(len(buffer))
        self.read_bytes += len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.data.seek(pos, whence)

    def tell(self) -> int:
        return self.data.tell()


@pytest.mark.slow
def test_large_payload_is_skipped_not_read(tmp_path: object) -> None:
    payload = 50 * 1024 * 1024
    body = Asm(4).op(b"\x8e" + payload.to_bytes(8, "little")).bytes()
    data = io.BytesIO(
        body + bytes(payload) + Asm(None).op(b"0").call("os", "system", "x").stop().bytes()
    )
    counter = _CountingReader(data)
    reader = io.BufferedReader(counter, buffer_size=8192)
    trace = PickleVM(ByteSource(reader), DEFAULT_LIMITS).walk()
    assert trace.error is None and _names(trace) == {"os.system"}
    assert counter.read_bytes < 300_000  # a few buffers, not 50 MB
    assert trace.skipped_bytes >= payload - 200_000


def test_limits_stop_the_walk_with_a_reason() -> None:
    limits = Limits(max_pickle_opcodes=5, max_stack_depth=3)
    trace = _walk(pickle.dumps(list(range(50)), protocol=2), limits)
    assert trace.limit is not None
    deep = _walk(b"(" * 10 + b".", Limits(max_stack_depth=3))
    assert deep.limit is not None and "MARK" in deep.limit
