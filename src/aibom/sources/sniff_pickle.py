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


def _opcodes_parse(head: bytes, size: int, max_cut: int) -> bool:
    """Does ``head`` read as a pickle? Yes when the opcodes reach a STOP that ends the file. When the
    file goes on past the head, also when at least 8 opcodes tokenise up to a cut near the end of the
    head and the bytes are binary or import something (text that merely starts with an opcode letter
    errors out early, or stops on a stray ``.`` with more text after it). ``max_cut`` is how far before
    the end of the head the last opcode may start when the head cuts a longer pickle."""
    import io

    names: list[str] = []
    last = 0
    try:
        for opcode, _arg, pos in pickletools.genops(io.BytesIO(head)):
            names.append(opcode.name)
            last = pos or 0
            if opcode.name == "STOP":
                return len(names) >= 2 and last + 1 == size
    except Exception:
        if len(head) - last > max_cut:
            return False
    if size <= len(head) or len(names) < 8:
        return False
    printable = all(32 <= b < 127 or b in (9, 10, 13) for b in head[:512])
    # Text that happens to tokenise fails within a few lines; a long clean run is a pickle.
    return not printable or len(names) >= 64 or any(name in _IMPORTS for name in names)


_IMPORTS = frozenset({"GLOBAL", "INST", "STACK_GLOBAL"})


def _compressed_pickle(head: bytes) -> tuple[Format, str] | None:
    """joblib's compressors without a container: a zlib, lzma-alone or lz4 stream holding a pickle."""
    import lzma
    import zlib

    attempts: list[tuple[str, Callable[[], bytes]]] = []
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
