"""Sniffing pickles by content: a PROTO opcode, a protocol 0/1 opcode stream, or a compressed pickle
(joblib's zlib, lzma-alone and lz4 containers). ``pickletools.genops`` only tokenises; nothing is loaded."""

from __future__ import annotations

import pickletools
from collections.abc import Callable

from aibom.artifacts import Format, Subject
from aibom.limits import Limits

TORCH_LEGACY_MAGIC = bytes.fromhex(
    "80028a0a6cfc9c46f9206aa85019"
)  # PROTO 2, LONG1 0x1950a86a20f9469cfc6c


def pickle_like(ref: Subject, head: bytes, limits: Limits) -> tuple[Format, str] | None:
    if head.startswith(TORCH_LEGACY_MAGIC):
        return (
            Format.PYTORCH_LEGACY,
            "pickle protocol 2 starting with the legacy PyTorch magic number",
        )
    if len(head) >= 2 and head[:1] == b"\x80" and head[1] <= 5:
        fmt = Format.JOBLIB if b"joblib.numpy_pickle" in head else Format.PICKLE
        return fmt, f"pickle PROTO opcode, protocol {head[1]}"
    if head[:1] in _OPCODE_BYTES and _opcodes_parse(head, ref.size, limits.max_pickle_sniff_cut):
        return Format.PICKLE, "pickle opcode stream without a PROTO opcode (protocol 0/1 style)"
    return _compressed_pickle(head)


_OPCODE_BYTES = frozenset(op.code.encode("latin-1") for op in pickletools.opcodes)


def _opcodes_parse(head: bytes, size: int, max_cut: int, depth: int = 0) -> bool:
    """Does ``head`` read as a pickle? Yes when the opcodes reach a STOP that ends the file, or a
    STOP followed by another stream that reads as a pickle (``N.`` then a payload: a loader that
    reads streams one after another runs the second). When the file goes on past the head, also
    when at least 8 opcodes tokenise up to a cut near the end of the head and the bytes are binary
    or import something (text that merely starts with an opcode letter errors out early, or stops
    on a stray ``.`` with more text after it), or when an import is followed by a text or binary
    argument that runs past the head (a protocol-0 string of any length). ``max_cut`` is how far
    before the end of the head the last opcode may start when the head cuts a longer pickle."""
    import io

    names: list[str] = []
    last = end = 0
    stream = io.BytesIO(head)
    try:
        for opcode, _arg, pos in pickletools.genops(stream):
            names.append(opcode.name)
            last, end = pos or 0, stream.tell()
            if opcode.name == "STOP":
                return len(names) >= 2 and (
                    last + 1 == size or _next_stream(head, last + 1, size, max_cut, depth)
                )
    except Exception:
        if _import_then_long_argument(head, end, size, names):
            return True
        if len(head) - last > max_cut:
            return False
    if size <= len(head) or len(names) < 8:
        return False
    printable = all(32 <= b < 127 or b in (9, 10, 13) for b in head[:512])
    # Text that happens to tokenise fails within a few lines; a long clean run is a pickle.
    return not printable or len(names) >= 64 or any(name in _IMPORTS for name in names)


def _next_stream(head: bytes, at: int, size: int, max_cut: int, depth: int) -> bool:
    rest = head[at:]
    if depth >= 16 or not rest or rest[:1] not in _OPCODE_BYTES:
        return False
    if rest[:1] == b"\x80" and len(rest) >= 2 and rest[1] <= 5:
        return True
    return _opcodes_parse(rest, size - at, max_cut, depth + 1)


_LINE_ARG_OPS = frozenset(b"SVP")
_LONG_ARG_OPS = frozenset(b"XBT")


def _import_then_long_argument(head: bytes, at: int, size: int, names: list[str]) -> bool:
    """Tokenising stopped at ``at`` on a string argument that runs past the head, after an import."""
    if size <= len(head) or at >= len(head) or not any(n in _IMPORTS for n in names):
        return False
    op = head[at]
    if op in _LINE_ARG_OPS:
        return b"\n" not in head[at:]
    if op in _LONG_ARG_OPS and len(head) >= at + 5:
        return at + 5 + int.from_bytes(head[at + 1 : at + 5], "little") > len(head)
    return False


_IMPORTS = frozenset({"GLOBAL", "INST", "STACK_GLOBAL"})


def _zfile_start(head: bytes) -> int | None:
    """Where the zlib data of a joblib < 0.10 ``ZF`` file starts: ``ZF``, the hexadecimal length
    padded to 19 characters, maybe a space (what joblib's own reader accepts)."""
    if not head.startswith(b"ZF") or len(head) < 24:
        return None
    try:
        int(head[2:21], 16)
    except ValueError:
        return None
    start = 22 if head[21:22] == b" " else 21
    return start if head[start] == 0x78 else None


def _compressed_pickle(head: bytes) -> tuple[Format, str] | None:
    """joblib's compressors without a container: a zlib, lzma-alone or lz4 stream holding a pickle."""
    import lzma
    import zlib

    attempts: list[tuple[str, Callable[[], bytes]]] = []
    zf = _zfile_start(head)
    if zf is not None:
        attempts.append(("joblib ZF zlib", lambda: zlib.decompressobj().decompress(head[zf:], 64)))
    if len(head) >= 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0:
        attempts.append(("zlib", lambda: zlib.decompressobj().decompress(head, 64)))
    if head[:3] == b"\x5d\x00\x00":
        attempts.append(
            ("lzma-alone", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(head, 64))
        )
    if head[:4] == b"\x04\x22\x4d\x18":
        return Format.JOBLIB, "lz4 frame magic (joblib compression)"
    for name, decompress in attempts:
        try:
            start = decompress()
        except (zlib.error, lzma.LZMAError, EOFError, ValueError):
            continue
        if start[:1] == b"\x80" and len(start) > 1 and start[1] <= 5:
            return (
                Format.JOBLIB,
                f"{name} stream whose content starts with a pickle PROTO (joblib compression)",
            )
    return None
