"""Bounded reading and lenient decoding of small text metadata files (cards, config.json)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TextRead:
    text: str
    size: int
    """Size of the file on disk (may exceed what was read)."""
    truncated: bool
    """True when only the first ``limit`` bytes were read."""
    bad_utf8_at: int | None = None
    """Byte offset of the first undecodable byte (replaced by U+FFFD), if any."""


def read_text(path: Path, limit: int) -> TextRead:
    """Read at most ``limit`` bytes and decode them as UTF-8 (a leading BOM is dropped).

    Undecodable bytes become U+FFFD; a multi-byte character cut by the limit is dropped silently.
    Raises ``OSError`` when the file cannot be opened or read.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
        size = path.stat().st_size if len(data) > limit else len(data)
    truncated = len(data) > limit
    data = data[:limit]
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    data = data[skipped:]
    try:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        return TextRead(decoder.decode(data, final=not truncated), size, truncated)
    except UnicodeDecodeError as error:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        text = decoder.decode(data, final=not truncated)
        return TextRead(text, size, truncated, bad_utf8_at=error.start + skipped)
