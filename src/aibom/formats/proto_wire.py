"""The protobuf wire format, read without a schema: a bounded read-ahead window over a binary stream,
a field budget, and fields that must fit their enclosing length (used by the TensorFlow SavedModel and
ONNX readers).

Hand-written because no TensorFlow or generated schema is a dependency, and the ``protobuf`` runtime has
no schema-less parser. Payloads larger than the window are skipped by offset, never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from aibom.formats.interface import FormatError, LimitExceeded
from aibom.limits import Limits

PROTO_WINDOW = 1 << 20
"""Bytes read ahead at a time; payloads larger than this are skipped by offset, never read."""


@dataclass(frozen=True)
class Span:
    """A length-delimited field's payload: ``[start, end)`` in the file."""

    start: int
    end: int


class ProtoSource:
    """Random-access reads over a binary stream through one read-ahead window, with the field budget,
    group depth and name length of ``limits``."""

    def __init__(self, fh: BinaryIO, size: int, limits: Limits) -> None:
        self.fh, self.size = fh, size
        self.window, self.window_start = b"", 0
        self.limits = limits
        self.max_fields = limits.max_proto_fields
        self.fields_left = self.max_fields

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if end > self.size:
            raise FormatError("protobuf field runs past the end of the data", offset=offset)
        start = self.window_start
        if start <= offset and end <= start + len(self.window):
            return self.window[offset - start : end - start]
        self.fh.seek(offset)
        data = self.fh.read(max(length, PROTO_WINDOW) if length <= PROTO_WINDOW else length)
        if len(data) < length:
            raise FormatError("protobuf data is truncated", offset=offset)
        if length <= PROTO_WINDOW:
            self.window, self.window_start = data, offset
        return data[:length]

    def varint(self, pos: int, end: int) -> tuple[int, int]:
        chunk = self.read(pos, min(10, end - pos))
        value = 0
        for i, byte in enumerate(chunk):
            value |= (byte & 0x7F) << (7 * i)
            if byte < 0x80:
                return value, pos + i + 1
        raise FormatError("protobuf varint is not terminated", offset=pos)

    def text(self, value: int | Span) -> str | None:
        """A string field's value (None when it is not length-delimited or longer than
        ``max_proto_name_bytes``)."""
        if (
            not isinstance(value, Span)
            or value.end - value.start > self.limits.max_proto_name_bytes
        ):
            return None
        return self.read(value.start, value.end - value.start).decode("utf-8", "replace")


def fields(src: ProtoSource, span: Span) -> Iterator[tuple[int, int, int | Span]]:
    """(field number, wire type, varint value or payload span) of each field in ``span``."""
    pos = span.start
    while pos < span.end:
        src.fields_left -= 1
        if src.fields_left < 0:
            raise LimitExceeded(
                f"more than {src.max_fields} protobuf fields", limit="max_proto_fields"
            )
        key, pos = src.varint(pos, span.end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise FormatError("protobuf field number 0", offset=pos)
        if wire == 0:
            value, pos = src.varint(pos, span.end)
            yield number, 0, value
        elif wire == 2:
            length, pos = src.varint(pos, span.end)
            if pos + length > span.end:
                raise FormatError("protobuf field runs past its message", offset=pos)
            yield number, 2, Span(pos, pos + length)
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        elif wire == 3:
            pos = _skip_group(src, pos, span.end, number)
        else:
            raise FormatError(f"protobuf wire type {wire} is invalid", offset=pos)
    if pos != span.end:
        raise FormatError("protobuf field runs past its message", offset=span.end)


def _skip_group(src: ProtoSource, pos: int, end: int, number: int) -> int:
    open_groups = [number]
    while open_groups:
        if len(open_groups) > src.limits.max_proto_group_depth or pos >= end:
            raise FormatError("protobuf group is unterminated or nested too deeply", offset=pos)
        key, pos = src.varint(pos, end)
        wire = key & 7
        if wire == 4:
            if key >> 3 != open_groups.pop():
                raise FormatError("protobuf group ends with the wrong field number", offset=pos)
        elif wire == 3:
            open_groups.append(key >> 3)
        elif wire == 0:
            pos = src.varint(pos, end)[1]
        elif wire == 2:
            length, pos = src.varint(pos, end)
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise FormatError(f"protobuf wire type {wire} is invalid", offset=pos)
    return pos


def submessages(src: ProtoSource, span: Span, number: int) -> Iterator[Span]:
    for num, wire, value in fields(src, span):
        if num == number and wire == 2 and isinstance(value, Span):
            yield value


def stream_size(fh: BinaryIO) -> int:
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(0)
    return size
