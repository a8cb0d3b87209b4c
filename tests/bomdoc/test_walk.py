"""``aibom.bomdoc.walk``: the one walk over nested components, in order, bounded, never recursive."""

from __future__ import annotations

from typing import Any

from aibom.bomdoc import components
from aibom.bomdoc.walk import nodes
from aibom.limits import Limits
from tests.bomdoc.docs import cyclonedx, nested


def _doc() -> dict[str, Any]:
    files = [{"type": "file", "name": "w", "components": [{"type": "file", "name": "inner"}]}]
    return cyclonedx(
        metadata={"component": {"type": "application", "name": "root"}},
        components=[
            {"type": "machine-learning-model", "name": "m", "components": files},
            "not an object",
            {"type": "library", "name": "lib", "components": "not a list"},
        ],
    )


def test_depth_first_in_document_order() -> None:
    assert [c["name"] for c in components(_doc())] == ["m", "w", "inner", "lib"]
    with_root = ["root", "m", "w", "inner", "lib"]
    assert [c["name"] for c in components(_doc(), metadata=True)] == with_root


def test_nodes_know_their_depth_and_position_among_siblings() -> None:
    found = [(n.component["name"], n.depth, n.index) for n in nodes(_doc())]
    assert found == [("m", 0, 0), ("w", 1, 0), ("inner", 2, 0), ("lib", 0, 2)]


def test_descend_decides_whose_children_are_walked() -> None:
    walked = nodes(_doc(), descend=lambda c: c.get("type") != "file")
    assert [n.component["name"] for n in walked] == ["m", "w", "lib"]


def test_count_is_bounded() -> None:
    limits = Limits(max_bom_components=2)
    assert [c["name"] for c in components(_doc(), limits, metadata=True)] == ["root", "m"]


def test_depth_is_bounded_and_deep_documents_do_not_recurse() -> None:
    deep = nested(100_000)  # far past Python's recursion limit
    assert sum(1 for _ in components(deep)) == Limits().max_bom_depth + 1
    assert sum(1 for _ in components(deep, Limits(max_bom_depth=3))) == 4


def test_junk_is_skipped_not_raised_on() -> None:
    junks: list[dict[str, Any]] = [
        {},
        {"components": None},
        {"components": [1, None, []]},
        {"metadata": "x"},
        {"metadata": {"component": [1]}},
    ]
    for junk in junks:
        assert list(components(junk, metadata=True)) == []
