"""The one walk over a CycloneDX document's nested components: iterative, depth- and count-bounded.

Every reader of a BOM (audit, drift, the report views, the component count check of ``read_bom``) walks
components here, so a crafted document cannot exhaust the stack or the clock in any of them. Entries that
are not objects are skipped; nothing here raises on bad content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aibom.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Node:
    component: dict[str, Any]
    depth: int
    """0 for ``components[i]`` (and ``metadata.component``), 1 for their children, and so on."""
    index: int
    """Position among its siblings (in the raw list, non-objects counted)."""
    pointer: tuple[str | int, ...] = ()
    """Where it sits in the document: ``("components", 3, "components", 0)`` or
    ``("metadata", "component")``."""


def _always(_component: Mapping[str, Any]) -> bool:
    return True


def nodes(
    doc: Mapping[str, Any],
    limits: Limits = DEFAULT_LIMITS,
    *,
    metadata: bool = False,
    descend: Callable[[Mapping[str, Any]], bool] = _always,
) -> Iterator[Node]:
    """Components depth-first in document order (``metadata.component`` first when ``metadata``).

    Children of a component are visited when ``descend(component)`` is true. At most
    ``limits.max_bom_components`` nodes are yielded and none deeper than ``limits.max_bom_depth``
    (``aibom.bomdoc.read_bom`` refuses documents beyond either, so its documents are walked whole).
    """
    stack = _roots(doc, metadata)
    seen = 0
    while stack and seen < limits.max_bom_components:
        node = stack.pop()
        seen += 1
        yield node
        if node.depth < limits.max_bom_depth and descend(node.component):
            children = _children(node.component.get("components"), node.depth + 1, node.pointer)
            stack.extend(reversed(children))


def components(
    doc: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS, *, metadata: bool = False
) -> Iterator[dict[str, Any]]:
    """Every component of ``doc`` (nested ones included), as in ``nodes``."""
    return (node.component for node in nodes(doc, limits, metadata=metadata))


def _roots(doc: Mapping[str, Any], metadata: bool) -> list[Node]:
    roots = list(reversed(_children(doc.get("components"), 0, ())))
    meta = doc.get("metadata")
    if metadata and isinstance(meta, Mapping) and isinstance(meta.get("component"), dict):
        roots.append(Node(meta["component"], 0, 0, ("metadata", "component")))
    return roots


def _children(value: object, depth: int, parent: tuple[str | int, ...]) -> list[Node]:
    if not isinstance(value, list):
        return []
    return [
        Node(c, depth, i, (*parent, "components", i))
        for i, c in enumerate(value)
        if isinstance(c, dict)
    ]
