"""Untrusted text made safe to show: control and invisible format characters become visible escapes.

File names, archive member names, model-card text and every field of a BOM someone else wrote can
carry bytes that act on the reader's screen instead of being read: ESC starts a terminal control
sequence (clear the screen, set the window title, fake a coloured finding line), CR and LF start a
line that looks like ours, BEL rings, and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069)
show text in a different order than it is stored ("Trojan Source", CVE-2021-42574). Every output
(stderr, HTML, Markdown, SARIF, the JSON report) passes such text through this one module:

- ``visible(text)`` for text shown to a person: each such character becomes its Python-style escape
  (``\\x1b``, ``\\n``, ``\\r``, ``\\t``, ``\\x07``, ``\\u202e``, ``\\U000e0041``); everything else is
  unchanged. ``multiline=True`` keeps LF (and turns CRLF into LF) for prose shown as paragraphs.
- ``json_text(dumped)`` for JSON written with ``ensure_ascii=False``: the same characters (and lone
  surrogates, which cannot be encoded as UTF-8) become JSON ``\\uXXXX`` escapes, so the document
  still parses to exactly the same values.

Escaped: C0 controls and DEL, C1 controls (U+0080-U+009F: U+009B is a one-byte CSI), lone surrogates
(undecodable bytes of a file name), line and paragraph separators, and the invisible format
characters used for spoofing or smuggling (bidi embeddings, overrides, isolates and marks, zero-width
space, word joiner and invisible operators, BOM, interlinear annotations, Unicode tag characters).
ZWNJ and ZWJ (U+200C, U+200D) are kept: scripts and emoji need them and they move nothing.

The pattern is a single character class, so matching is linear in the text.
"""

from __future__ import annotations

import re

_OTHERS = (
    r"\x7f-\x9f"  # DEL, C1
    r"\u00ad"  # soft hyphen (invisible)
    r"\u061c"  # Arabic letter mark (bidi)
    r"\u180e"  # Mongolian vowel separator (invisible)
    r"\u200b\u200e\u200f"  # zero-width space, LRM, RLM
    r"\u2028\u2029"  # line and paragraph separators
    r"\u202a-\u202e"  # bidi embeddings and overrides
    r"\u2060-\u2064"  # word joiner, invisible operators
    r"\u2066-\u206f"  # bidi isolates, deprecated format controls
    r"\ufeff"  # zero-width no-break space (BOM)
    r"\ufff9-\ufffb"  # interlinear annotation controls
    r"\ud800-\udfff"  # lone surrogates (surrogateescape'd bytes of a file name)
    r"\U000e0000-\U000e007f"  # tag characters (invisible ASCII look-alikes)
)
_UNSAFE = re.compile(rf"[\x00-\x1f{_OTHERS}]")
_UNSAFE_BUT_LF = re.compile(rf"[\x00-\x09\x0b-\x1f{_OTHERS}]")
_JSON_RAW = re.compile(f"[{_OTHERS}]")
"""``json.dumps`` already escapes C0 inside strings; outside them C0 is only its own indentation."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def _json_escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control and invisible format character shown as an escape.

    ``multiline`` keeps LF (CRLF and a lone CR's line ending are shown as LF and ``\\r``), for prose
    a renderer shows as paragraphs; one-line outputs (stderr, table cells) leave it False.
    """
    if multiline:
        text = text.replace("\r\n", "\n")
        return _UNSAFE_BUT_LF.sub(_escape, text) if _UNSAFE_BUT_LF.search(text) else text
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def visible_or_none(text: str | None) -> str | None:
    return None if text is None else visible(text)


def json_text(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters ``visible``
    escapes written as ``\\uXXXX`` escapes: the same document, and nothing in it acts on a screen."""
    return _JSON_RAW.sub(_json_escape, dumped) if _JSON_RAW.search(dumped) else dumped


def is_safe(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds nothing ``visible`` would escape (for tests and callers' asserts)."""
    pattern = _UNSAFE_BUT_LF if multiline else _UNSAFE
    return pattern.search(text) is None
