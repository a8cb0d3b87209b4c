"""Fuzz targets and mutations shared by ``tests/fuzz`` (short run) and ``bench/fuzz.py`` (long run).

A case is a seed file (written by a real library) and a list of mutations (byte flips, truncation,
length-field inflation, ...). A target writes the mutated bytes to a file and calls aibom's public
entry point for it. The property: no uncaught exception (an ``AibomError`` or a finding is fine) and
no "internal error" skip. Nothing here loads, unpickles or imports the bytes it writes.
"""

from __future__ import annotations

import contextlib
import struct
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aibom.artifacts import Artifact, FileRef, FileStat, Format
from aibom.bomdoc import read_bom
from aibom.cards import parse_card, parse_config
from aibom.errors import AibomError
from aibom.findings import Finding, Skipped
from aibom.formats import CATALOG, INSPECTORS, Inspection, inspect_artifact
from aibom.limits import DEFAULT_LIMITS
from aibom.packages import PARSERS, InputKind, PackageInput
from aibom.sources.classify import classify, kind_of
from tests.fuzz import seeds

Mutation = tuple[int, int, int]
"""``(operation, position, value)``; position and value are reduced modulo what fits."""

_BIG = (
    0x7FFFFFFF,
    0xFFFFFFFF,
    0x80000000,
    0xFFFFFFFFFFFFFFFF,
    0x7FFFFFFFFFFFFFFF,
    1 << 62,
    1 << 32,
    1 << 40,
    0x10000,
    0,
)
"""Values written over length fields: sign bits, wrap-arounds, huge and zero counts."""

OPERATIONS = 9


def mutate(data: bytes, mutations: Sequence[Mutation]) -> bytes:
    buf = bytearray(data)
    for op, where, value in mutations:
        _apply(buf, op % OPERATIONS, where, value)
    return bytes(buf)


def _apply(buf: bytearray, op: int, where: int, value: int) -> None:
    n = len(buf)
    pos = where % (n + 1)
    if op == 0 and n:  # flip one bit
        buf[pos % n] ^= 1 << (value % 8)
    elif op == 1 and n:  # set one byte
        buf[pos % n] = value & 0xFF
    elif op == 2:  # truncate
        del buf[pos:]
    elif op == 3:  # inflate a length field: a big value, 4 or 8 bytes, either byte order
        _inflate(buf, _length_field(buf, where), value)
    elif op == 4:  # nudge a length field by a small amount
        _nudge(buf, _length_field(buf, where), value)
    elif op == 5:  # insert a run of one byte; one in eight runs is up to 64 KiB long
        run = 1 + (value >> 8) % 64
        buf[pos:pos] = bytes([value & 0xFF]) * (run * 1024 if value >> 29 == 7 else run)
    elif op == 6:  # duplicate a chunk
        size = 1 + value % 256
        buf[pos:pos] = buf[pos : pos + size]
    elif op == 7:  # delete a chunk
        del buf[pos : pos + 1 + value % 64]
    elif op == 8:  # splice in an interesting token
        token = _TOKENS[value % len(_TOKENS)]
        buf[pos : pos + len(token)] = token


_TOKENS = (
    b"\x00" * 8,
    b"\xff" * 8,
    b"\x80\x05",
    b".",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"\x1b[2J",
    b'{"a":' * 40,
    b"[" * 300,
    b"&a [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
    b"\n# " + b" " * 200,
    b"\xed\xb3\xbf",
    b"\xc3\x28",
    b"---\n",
    b"\r\n",
    b"NaN",
    b"-1",
    b"1e400",
)
"""Bytes that often mean something to a parser: opcodes, zip magic, nesting, YAML aliases, junk UTF-8."""


def _length_field(buf: bytearray, where: int) -> int:
    """An offset that likely holds a length or count: a u32 (LE or BE) between 1 and the size.

    Looks at the first 4 KiB; falls back to ``where`` when none is found."""
    n = len(buf)
    limit = min(n - 4, 4096)
    hits = []
    for i in range(max(limit, 0)):
        le = int.from_bytes(buf[i : i + 4], "little")
        be = int.from_bytes(buf[i : i + 4], "big")
        if 0 < le <= n or 0 < be <= n:
            hits.append(i)
    if not hits:
        return where % (n + 1)
    return hits[where % len(hits)]


def _inflate(buf: bytearray, at: int, value: int) -> None:
    width = 8 if value & 1 else 4
    order = "<" if value & 2 else ">"
    big = _BIG[(value >> 2) % len(_BIG)] & ((1 << (8 * width)) - 1)
    packed = struct.pack(order + ("Q" if width == 8 else "I"), big)
    buf[at : at + width] = packed


def _nudge(buf: bytearray, at: int, value: int) -> None:
    if at + 4 > len(buf):
        return
    delta = (value % 33) - 16 or 1
    old = int.from_bytes(buf[at : at + 4], "little")
    buf[at : at + 4] = ((old + delta) % (1 << 32)).to_bytes(4, "little")


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    name: str
    seeds: Callable[[], tuple[seeds.Seed, ...]]
    run: Callable[[Path], list[str]]
    """Call aibom on the file at the path; the problems found (empty when all is well)."""


def _internal(skipped: Sequence[Skipped], findings: Sequence[Finding] = ()) -> list[str]:
    """Bugs in aibom: "internal error" skips (and, once issue 13 item 6 turns them into findings,
    findings that say so)."""
    out = [f"internal-error skip: {s.reason}" for s in skipped if "internal error" in s.reason]
    out += [f"internal-error skip: {f.message}" for f in findings if "internal error" in f.message]
    return out


def _problems(inspection: Inspection) -> list[str]:
    return _internal(inspection.skipped, inspection.findings)


def _artifact(ref: FileRef, fmt: Format, head: bytes) -> Artifact:
    return Artifact(ref, kind_of(ref.relpath, fmt, CATALOG), fmt, "fuzz", None, head)


FORCED = False
"""Also run each seed format's inspector on mutants that no longer sniff as that format."""


def _inspect(fmt: Format) -> Callable[[Path], list[str]]:
    """As a scan sees the file: the format sniffed from its bytes picks the inspector. With
    ``FORCED`` set, the seed's own format's inspector also runs on bytes that no longer sniff as it
    (reachable only through a mis-sniff, so reported apart: see ``bench/fuzz.py --forced``)."""

    def run(path: Path) -> list[str]:
        st = path.stat()
        ref = FileRef(path, path.name, path.name, FileStat(st.st_dev, st.st_ino, st.st_size, 0))
        head = path.read_bytes()[: DEFAULT_LIMITS.head_bytes]
        sniffed = classify(ref, head, CATALOG)
        problems = _problems(inspect_artifact(_artifact(ref, sniffed.format, head)))
        if FORCED and sniffed.format != fmt:
            forced = _problems(inspect_artifact(_artifact(ref, fmt, head)))
            problems += [f"forced {fmt.value}: {p}" for p in forced]
        return problems

    return run


def _card(path: Path) -> list[str]:
    _, model = parse_card(path, path.name, "model")
    _, dataset = parse_card(path, path.name, "dataset")
    return _internal((), [*model, *dataset])


def _config(path: Path) -> list[str]:
    return _internal((), parse_config(path, path.name)[1])


def _package(kind: InputKind) -> Callable[[Path], list[str]]:
    def run(path: Path) -> list[str]:
        found = PARSERS[kind](PackageInput(kind, path, path.name), DEFAULT_LIMITS)
        return _internal(found.skipped, found.findings)

    return run


def _bom(path: Path) -> list[str]:
    with contextlib.suppress(AibomError):  # a refusal with a message is the contract
        read_bom(path)
    return []


def inspector_formats() -> list[Format]:
    return [fmt for inspector in INSPECTORS for fmt in (s.format for s in inspector.specs)]


def _targets() -> dict[str, Target]:
    out: dict[str, Target] = {}
    for fmt in inspector_formats():
        out[fmt.value] = Target(fmt.value, _seeds_of(fmt), _inspect(fmt))
    out["card"] = Target("card", lambda: seeds.named_seeds("card"), _card)
    out["config"] = Target("config", lambda: seeds.named_seeds("config"), _config)
    for kind in PARSERS:
        if kind is not InputKind.INSTALLED:
            name = f"packages:{kind.value}"
            out[name] = Target(name, _named(kind.value), _package(kind))
    out["bom"] = Target("bom", lambda: seeds.named_seeds("bom"), _bom)
    return out


def _seeds_of(fmt: Format) -> Callable[[], tuple[seeds.Seed, ...]]:
    return lambda: seeds.inspector_seeds(fmt)


def _named(group: str) -> Callable[[], tuple[seeds.Seed, ...]]:
    return lambda: seeds.named_seeds(group)


TARGETS: dict[str, Target] = _targets()


def run_case(
    target: Target, seed: seeds.Seed, mutations: Sequence[Mutation], tmp: Path
) -> list[str]:
    """Write the mutated seed under ``tmp`` and run the target; problems, with a traceback for
    any exception that escaped aibom (``OSError`` from the card/config readers is their contract)."""
    name, data = seed
    path = tmp / name
    path.write_bytes(mutate(data, mutations))
    try:
        return target.run(path)
    except OSError as exc:
        if target.name in ("card", "config"):
            return []
        return [f"uncaught {exc!r}\n{traceback.format_exc()}"]
    except Exception as exc:
        return [f"uncaught {exc!r}\n{traceback.format_exc()}"]
    finally:
        path.unlink(missing_ok=True)
