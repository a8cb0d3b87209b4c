"""Hostile BOMs: any JSON value in any field the conversion reads gives an SPDX document or one
``UsageError``, never another exception (property-based, with hypothesis)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.errors import UsageError
from aibom.spdx import convert
from tests.spdx.spdx_builders import model_card_with_dataset_bom

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "concluded", "SHA-256", "kWh", "training", "dataset", "x [y]"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

PLACES: list[tuple[str | int, ...]] = [
    ("serialNumber",),
    ("metadata",),
    ("metadata", "timestamp"),
    ("metadata", "tools"),
    ("metadata", "authors"),
    ("metadata", "manufacturer"),
    ("metadata", "supplier"),
    ("metadata", "licenses"),
    ("metadata", "lifecycles"),
    ("metadata", "component"),
    ("components",),
    ("dependencies",),
    ("compositions",),
    ("externalReferences",),
    *(
        ("components", 0, key)
        for key in (
            "type", "bom-ref", "name", "version", "purl", "cpe", "swhid", "omniborId", "hashes",
            "licenses", "supplier", "manufacturer", "authors", "author", "externalReferences",
            "components", "pedigree", "modelCard", "properties", "copyright", "description",
        )
    ),
    *(
        ("components", 0, "modelCard", key)
        for key in ("modelParameters", "quantitativeAnalysis", "considerations", "properties")
    ),
    ("components", 0, "modelCard", "modelParameters", "datasets"),
    ("components", 0, "modelCard", "modelParameters", "approach"),
    ("components", 0, "modelCard", "considerations", "environmentalConsiderations"),
    ("components", 0, "modelCard", "quantitativeAnalysis", "performanceMetrics"),
    ("components", 1, "data"),
    ("components", 1, "data", 0, "contents"),
    ("components", 1, "type"),
]  # fmt: skip


def _put(doc: dict[str, Any], place: tuple[str | int, ...], value: Any) -> None:
    target: Any = doc
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PLACES), JSON_VALUES, st.sampled_from(PLACES), JSON_VALUES)
def test_any_value_anywhere_is_a_document_or_a_usage_error(
    first: tuple[str | int, ...], one: Any, second: tuple[str | int, ...], other: Any
) -> None:
    doc = copy.deepcopy(model_card_with_dataset_bom())
    try:
        _put(doc, first, one)
        _put(doc, second, other)
    except (KeyError, IndexError, TypeError):
        return  # the first change removed the place of the second
    try:
        export = convert(doc)
    except UsageError as exc:
        assert exc.message
        return
    text = export.text()
    assert json.loads(text)["@graph"]
    assert "NaN" not in text and "Infinity" not in text
