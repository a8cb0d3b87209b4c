"""IRI-reference syntax (RFC 3987), for every URL aibom puts in a BOM.

CycloneDX declares URLs as ``iri-reference``. Values that come from scanned files (a card's
``license_link``, a requirement's VCS URL, a cache folder name turned into a Hub URL) must be checked
before use, or a hostile card could make the BOM invalid. The same check serves as the schema's
``iri-reference`` format during validation (see ``aibom.bom.validate``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UCS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd\U00040000-\U0004fffd"
    "\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
    "\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT_NC = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}@]|{_PCT})"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]"
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_PCHAR}*)*"
_PATH_ABSOLUTE = rf"/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"
_PATH_ROOTLESS = rf"{_PCHAR}+(?:/{_PCHAR}*)*"
_PATH_NOSCHEME = rf"{_SEGMENT_NC}+(?:/{_PCHAR}*)*"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_FRAGMENT = rf"(?:{_PCHAR}|[/?])*"
_TAIL = rf"(?:\?{_QUERY})?(?:#{_FRAGMENT})?"
_SCHEME = r"[A-Za-z][A-Za-z0-9+\-.]*"

_IRI = re.compile(
    rf"{_SCHEME}:(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_ROOTLESS}|){_TAIL}"
)
_RELATIVE = re.compile(
    rf"(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_NOSCHEME}|){_TAIL}"
)


_UCS_CHAR = re.compile(f"[{_UCS}]")
_PRIVATE_CHAR = re.compile(f"[{_PRIVATE}]")


def _asciify(text: str) -> str | None:
    """Map the non-ASCII characters RFC 3987 allows to "~" (private-use ones only inside the query), so
    the structural check runs on ASCII; None when a character is not allowed where it stands."""
    text = _UCS_CHAR.sub("~", text)
    if _PRIVATE_CHAR.search(text):
        before, hash_, fragment = text.partition("#")
        path, mark, query = before.partition("?")
        if not mark or _PRIVATE_CHAR.search(path) or _PRIVATE_CHAR.search(fragment):
            return None
        text = path + mark + _PRIVATE_CHAR.sub("~", query) + hash_ + fragment
    return text if text.isascii() else None


def is_iri_reference(text: object) -> bool:
    if not isinstance(text, str):
        return True  # the schema's type check reports non-strings; formats apply to strings only
    ascii_text = _asciify(text)
    if ascii_text is None:
        return False
    text = ascii_text
    if "[" in text or "]" in text:
        return False  # IP literals: valid IRIs, but common validators reject them; never emit them
    return bool(_IRI.fullmatch(text) or _RELATIVE.fullmatch(text))


def is_absolute_url(text: str) -> bool:
    return bool(_IRI.fullmatch(text)) and text.startswith(("https://", "http://"))


def safe_url(text: str | None) -> str | None:
    """``text`` when it is an absolute http(s) IRI, else None (the caller keeps the text elsewhere)."""
    if text is None:
        return None
    text = text.strip()
    return text if is_absolute_url(text) else None


def hub_url(*segments: str) -> str:
    """A huggingface.co URL with each path segment percent-encoded (cache folder names are untrusted)."""
    return "https://huggingface.co/" + "/".join(quote(s, safe="") for s in segments)
