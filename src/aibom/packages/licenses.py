"""Licence of an installed distribution, from its core metadata, as SPDX where that is honest.

Order: ``License-Expression`` (PEP 639), then a ``License`` field that already is a valid SPDX
expression, then trove classifiers that name exactly one SPDX licence; otherwise the names as
written go to ``license_names``. Ambiguous classifiers ("BSD License", "GNU General Public License
(GPL)") are never guessed into an SPDX id.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from license_expression import Licensing, get_spdx_licensing  # type: ignore[import-untyped]

CLASSIFIER_SPDX: dict[str, str] = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "zlib/libpng License": "Zlib",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "Academic Free License (AFL)": "",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}
"""Last segment of a ``License ::`` trove classifier -> SPDX id ("" = known but ambiguous)."""

_LICENSE_REF = re.compile(r"(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+")
_PLACEHOLDERS = frozenset(
    {"", "unknown", "none", "n/a", "na", "other", "other/proprietary license"}
)


@functools.cache
@functools.cache
def _licensing() -> Licensing:
    return get_spdx_licensing()  # building it takes ~25 ms: once per process


def spdx_expression(text: str, max_chars: int) -> str | None:
    """``text`` (at most ``max_chars``) as a normalised SPDX expression (``LicenseRef-`` allowed),
    else None."""
    text = text.strip()
    if not text or "\n" in text or len(text) > max_chars:
        return None
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False, strict=True)
        if parsed is None:
            return None
        unknown = licensing.unknown_license_keys(parsed)
    except Exception:  # license_expression raises assorted types on bad input
        return None
    if any(not _LICENSE_REF.fullmatch(key) for key in unknown):
        return None
    return str(parsed)


def _classifier_licenses(classifiers: Sequence[str]) -> tuple[set[str], list[str]]:
    """SPDX ids named unambiguously by classifiers, and the names of all licence classifiers."""
    ids: set[str] = set()
    names: list[str] = []
    for classifier in classifiers:
        parts = [p.strip() for p in classifier.split("::")]
        if len(parts) < 2 or parts[0] != "License":
            continue
        name = parts[-1]
        if name in {"OSI Approved", "DFSG approved"}:
            continue
        names.append(name)
        spdx = CLASSIFIER_SPDX.get(name)
        if spdx:
            ids.add(spdx)
    return ids, names


def _free_text(text: str | None, max_chars: int) -> str | None:
    """A licence name worth keeping from a free-text ``License`` field (first line, bounded)."""
    if text is None:
        return None
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.lower() in _PLACEHOLDERS:
        return None
    return first if len(first) <= max_chars else first[: max_chars - 1] + "\u2026"


def resolve_license(
    expression: str | None,
    license_field: str | None,
    classifiers: Sequence[str],
    max_chars: int,
) -> tuple[str | None, tuple[str, ...]]:
    """(SPDX expression or None, licence names that are not SPDX) for one distribution; expressions
    and names longer than ``max_chars`` (``Limits.max_license_chars``) are not parsed or are cut."""
    if expression and (spdx := spdx_expression(expression, max_chars)):
        return spdx, ()
    if license_field and (spdx := spdx_expression(license_field, max_chars)):
        return spdx, ()
    ids, classifier_names = _classifier_licenses(classifiers)
    if len(ids) == 1 and all(CLASSIFIER_SPDX.get(n) in ids for n in classifier_names):
        return ids.pop(), ()
    names = [n for n in (_free_text(t, max_chars) for t in (expression, license_field)) if n]
    names.extend(classifier_names)
    return None, tuple(dict.fromkeys(names))
