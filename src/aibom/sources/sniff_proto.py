"""Sniffing protobuf messages by content: ONNX models and tensors, TensorFlow SavedModels and GraphDefs.

Protobuf has no magic number, so a message is recognised by its shape: the top-level fields in the head
must all parse, carry field numbers and wire types the schema declares, and show the fields that mark
the message (an ONNX model's graph or opsets, a GraphDef node with a name and an op). Random bytes and
text rarely parse as several consistent fields; when they do not, nothing is claimed.

Field numbers are those of onnx/onnx.proto and tensorflow/core/protobuf/{saved_model,graph}.proto.
"""

from __future__ import annotations

from dataclasses import dataclass

from aibom.artifacts import Format

VARINT, I64, LEN, I32 = 0, 1, 2, 5
_MAX_FIELDS = 64
"""Top-level fields looked at in the head (a format fact of the sniffer, not a policy)."""


@dataclass(frozen=True)
class Field:
    number: int
    wire: int
    value: int
    """The varint's value, or for LEN fields the payload's length."""
    start: int
    """Where the payload begins in the buffer (LEN fields)."""


def _varint(buf: bytes, pos: int) -> tuple[int, int] | None:
    value = shift = 0
    for i in range(pos, min(pos + 10, len(buf))):
        value |= (buf[i] & 0x7F) << shift
        if buf[i] < 0x80:
            return value, i + 1
        shift += 7
    return None


def fields(buf: bytes, size: int) -> list[Field] | None:
    """The top-level fields of a message whose first bytes are ``buf`` (of ``size`` in all). The
    last field may run past ``buf`` (the head cut it) but not past ``size``. None when the bytes are
    not a well-formed message."""
    out: list[Field] = []
    pos = 0
    while pos < len(buf) and len(out) < _MAX_FIELDS:
        tag = _varint(buf, pos)
        if tag is None:
            return out if out else None  # the head cut a tag
        key, pos = tag
        number, wire = key >> 3, key & 7
        if number == 0 or wire not in (VARINT, I64, LEN, I32):
            return None
        if wire == VARINT:
            read = _varint(buf, pos)
            if read is None:
                return out or None
            value, pos = read
            out.append(Field(number, wire, value, pos))
            continue
        if wire == LEN:
            read = _varint(buf, pos)
            if read is None:
                return out or None
            value, pos = read
        else:
            value = 8 if wire == I64 else 4
        if pos + value > size:
            return None
        out.append(Field(number, wire, value, pos))
        pos += value
    return out


def _printable(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and text.isprintable()


_ONNX_MODEL = {1: VARINT, 2: LEN, 3: LEN, 4: LEN, 5: VARINT, 6: LEN, 7: LEN, 8: LEN, 14: LEN}
_ONNX_MODEL |= {20: LEN, 25: LEN, 26: LEN}  # training info, functions, configuration
_ONNX_TENSOR = {
    1: (VARINT, LEN),
    2: (VARINT,),
    3: (LEN,),
    4: (LEN, I32),
    5: (LEN, VARINT),
    6: (LEN,),
    7: (LEN, VARINT),
    8: (LEN,),
    9: (LEN,),
    10: (LEN, I64),
    11: (LEN, VARINT),
    12: (LEN,),
    13: (LEN,),
    14: (VARINT,),
    16: (LEN,),
}
_ONNX_TENSOR_DATA = frozenset({4, 5, 6, 7, 9, 10, 11, 13})
_GRAPH_DEF = {1: LEN, 2: LEN, 3: VARINT, 4: LEN, 5: LEN}


def sniff_protobuf(head: bytes, size: int) -> tuple[Format, str] | None:
    """The protobuf message ``head`` starts, if it is one of the kinds aibom knows."""
    found = fields(head, size)
    if not found or len(found) < 2:
        return None
    return (
        _onnx_model(head, found)
        or _saved_model(head, found)
        or _graph_def(head, found)
        or (_onnx_tensor(head, found))
    )


def _onnx_model(head: bytes, found: list[Field]) -> tuple[Format, str] | None:
    first = found[0]
    if (first.number, first.wire) != (1, VARINT) or not 1 <= first.value <= 30:
        return None
    if any(_ONNX_MODEL.get(f.number) != f.wire for f in found):
        return None
    numbers = {f.number for f in found}
    producer = next((f for f in found if f.number == 2), None)
    named = producer is not None and _printable(
        head[producer.start : producer.start + min(producer.value, 256)]
    )
    if not (numbers & {7, 8} or named):
        return None
    return (
        Format.ONNX,
        f"protobuf ONNX ModelProto (ir_version {first.value}, fields {sorted(numbers)})",
    )


def _saved_model(head: bytes, found: list[Field]) -> tuple[Format, str] | None:
    first, second = found[0], found[1]
    if (first.number, first.wire) != (1, VARINT) or first.value > 10:
        return None
    if (second.number, second.wire) != (2, LEN) or head[second.start : second.start + 1] != b"\x0a":
        return None
    if any((f.number, f.wire) not in ((1, VARINT), (2, LEN)) for f in found):
        return None
    return Format.TF_SAVEDMODEL, "protobuf SavedModel (schema version, then a MetaGraphDef)"


def _graph_def(head: bytes, found: list[Field]) -> tuple[Format, str] | None:
    if any(_GRAPH_DEF.get(f.number) != f.wire for f in found):
        return None
    node = found[0]
    if node.number != 1:
        return None
    inner = fields(head[node.start : node.start + node.value], node.value)
    if not inner:
        return None
    texts = {
        f.number: head[node.start + f.start : node.start + f.start + f.value]
        for f in inner
        if f.wire == LEN and f.number in (1, 2)
    }
    if not (_printable(texts.get(1, b"")) and _op_name(texts.get(2, b""))):
        return None
    op = texts[2].decode()
    return Format.TF_GRAPHDEF, f"protobuf GraphDef (first node has a name and the op {op!r})"


def _op_name(data: bytes) -> bool:
    return bool(data) and len(data) <= 128 and data.isascii() and data.replace(b"_", b"").isalnum()


def _onnx_tensor(head: bytes, found: list[Field]) -> tuple[Format, str] | None:
    if any(f.wire not in _ONNX_TENSOR.get(f.number, ()) for f in found):
        return None
    numbers = {f.number for f in found}
    data_type = next((f.value for f in found if f.number == 2), None)
    if data_type is None or not 1 <= data_type <= 23 or not numbers & _ONNX_TENSOR_DATA:
        return None
    name = next((f for f in found if f.number == 8), None)
    if name is not None and not _printable(head[name.start : name.start + name.value]):
        return None
    return Format.ONNX_TENSOR, f"protobuf ONNX TensorProto (data_type {data_type})"
