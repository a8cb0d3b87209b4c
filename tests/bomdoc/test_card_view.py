"""``aibom.bomdoc.card``: every model-card and data-entry field as labelled groups, bounded."""

from __future__ import annotations

from typing import Any

from aibom.bomdoc.card import (
    CardView,
    Field,
    Group,
    data_view,
    model_card_view,
)
from aibom.bomdoc.view import ComponentView, view_of
from aibom.limits import DEFAULT_LIMITS

MAX_CARD_ITEMS = DEFAULT_LIMITS.max_card_view_items
MAX_CARD_TEXT = DEFAULT_LIMITS.max_card_view_text
MAX_CARD_VALUES = DEFAULT_LIMITS.max_card_view_values


def _component(**entry: Any) -> ComponentView:
    doc = {"components": [{"type": "machine-learning-model", "name": "m", **entry}]}
    return view_of(doc).components[0]


def _fields(view: CardView) -> dict[str, Field]:
    """Every field by label, depth first (the first one of each label wins)."""
    found: dict[str, Field] = {}

    def walk(group: Group) -> None:
        for f in group.fields:
            found.setdefault(f.label, f)
            for g in f.groups:
                walk(g)

    for section in view.sections:
        walk(section)
    return found


def _count(view: CardView) -> int:
    def walk(group: Group) -> int:
        return (1 if group.title else 0) + sum(
            len(f.values) + sum(walk(g) for g in f.groups) for f in group.fields
        )

    return sum(walk(s) for s in view.sections)


def test_no_card_is_an_empty_view() -> None:
    assert model_card_view(_component()).empty
    assert data_view(_component(type="data")).empty


def test_numbers_are_shown_and_booleans_are_not() -> None:
    card = {
        "quantitativeAnalysis": {"performanceMetrics": [{"type": "f1", "value": 0.91}]},
        "modelParameters": {"task": True, "inputs": [{"format": 3}]},
    }
    fields = _fields(model_card_view(_component(modelCard=card)))
    assert fields["Value"].values == ("0.91",)
    assert fields["Inputs"].values == ("3",)
    assert "Task" not in fields


def test_lists_and_texts_are_capped() -> None:
    card = {"considerations": {"users": ["u"] * (MAX_CARD_ITEMS + 7), "useCases": ["x" * 10**6]}}
    fields = _fields(model_card_view(_component(modelCard=card)))
    assert len(fields["Users"].values) == MAX_CARD_ITEMS and fields["Users"].more == 7
    (long,) = fields["Use cases"].values
    assert len(long) == MAX_CARD_TEXT and long.endswith("…")


def test_the_value_budget_truncates_the_card() -> None:
    providers = [{"description": f"p{i}", "energySource": "wind"} for i in range(MAX_CARD_ITEMS)]
    energy = [{"activity": "training", "energyProviders": providers}] * MAX_CARD_ITEMS
    card = {"considerations": {"environmentalConsiderations": {"energyConsumptions": energy}}}
    view = model_card_view(_component(modelCard=card))
    assert view.truncated
    assert _count(view) <= MAX_CARD_VALUES + len(view.sections)  # section titles are ours


def test_refs_resolve_to_names_bom_links_too() -> None:
    names = {"data:squad": "rajpurkar/squad", "org:acme": "Acme"}
    card = {
        "modelParameters": {
            "datasets": [
                {"ref": "data:squad"},
                {"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#data:squad"},
                {"ref": "data:gone"},
                {"ref": 7},
            ]
        }
    }
    view = model_card_view(_component(modelCard=card), names.get)
    (datasets,) = [f for f in view.sections[0].fields if f.label == "Datasets"]
    assert [g.title for g in datasets.groups] == ["rajpurkar/squad", "rajpurkar/squad", "data:gone"]
    assert datasets.groups[2].fields[0].values == ("not in this BOM",)
    entry = {"governance": {"owners": [{"organization": {"bom-ref": "org:acme"}}]}}
    data = data_view(_component(type="data", data=[entry]), names.get)
    assert _fields(data)["Owners"].values == ("Acme",)


def test_data_entries_beyond_the_cap_are_counted() -> None:
    entries: list[Any] = [{"name": f"e{i}"} for i in range(MAX_CARD_ITEMS + 3)]
    view = data_view(_component(type="data", data=["junk", *entries]))
    assert [g.title for g in view.sections[:2]] == ["e0", "e1"]
    assert view.sections[-1].fields[0].more == 4


def test_encoded_content_is_described_not_shown() -> None:
    image = {"contentType": "image/png", "encoding": "base64", "content": "A" * 4000}
    card = {"quantitativeAnalysis": {"graphics": {"collection": [{"image": image}]}}}
    fields = _fields(model_card_view(_component(modelCard=card)))
    assert fields["Image"].values == (
        "image/png, base64, 4,000 characters (not shown in this report)",
    )
