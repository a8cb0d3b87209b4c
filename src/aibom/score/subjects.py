"""What gets scored in a BOM document, and the facts each rule sees about it.

Subjects: the BOM itself (kind ``bom``), every model (``machine-learning-model``), dataset (``data``)
and package (``library``/``framework``) anywhere in ``components`` or ``metadata.component``, and every
supplier named by a model or dataset. The BOM subject's score covers every outcome in the document. Components aibom marks ``aibom:model:source = declared`` (a base
model or dataset named by a card, not delivered) are evidence for the model naming them, not subjects.

A subject's facts are its CycloneDX object plus derived keys that start with ``@``:

- ``@props``: property name -> value (the component's ``properties``, then ``modelCard.properties``);
- ``@files``: nested ``file`` components (each with its own ``@props``);
- ``@findings``: ``vulnerabilities`` affecting it or its nested components, as ``{id, severity,
  description, recommendation, ref, source}``;
- ``@datasets``: the datasets ``modelCard.modelParameters.datasets`` names (referenced components are
  resolved, each with ``@props``) plus data components it depends on;
- ``@licenses``: distinct licence ids, expressions and names of it and its nested components, as written;
- ``@license-ids``: the same licences as SPDX ids, expressions or ``LicenseRef-`` ids where they are
  recognised (a name such as "Apache License 2.0" or "Llama 3.2 Community License" counts, see
  ``aibom.rules.spdx.recognise_licence``); unrecognised names and placeholders ("other") are left out;
- ``@dependencies``: the components it depends on; ``@bom``: the whole document;
- ``@kind``, ``@name``, ``@ref``. The BOM subject also has ``@models``, ``@datasets``, ``@packages``,
  ``@components`` and ``@findings`` (all of them); a supplier has ``@components``.

Everything is read defensively: any field may be missing or of the wrong type in someone else's BOM.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from aibom.bomdoc.walk import nodes
from aibom.limits import DEFAULT_LIMITS
from aibom.rules.spdx import recognise_licence

MAX_NAME_CHARS = 200

_LIMITS = DEFAULT_LIMITS
"""Documents reach scoring through ``aibom.bomdoc.read_bom``, which refuses any beyond these."""

Facts = dict[str, object]
_KIND_ORDER = ("bom", "model", "dataset", "package", "supplier")
_KIND_OF_TYPE = {
    "machine-learning-model": "model",
    "data": "dataset",
    "library": "package",
    "framework": "package",
}


@dataclass(frozen=True)
class Subject:
    ref: str
    kind: str
    name: str
    facts: Mapping[str, object]
    pointer: tuple[str | int, ...] | None = None
    """Where the component sits in the document (``("components", 3)``), for annotation."""
    members: tuple[str, ...] = ()
    """Subjects whose outcomes also count in this one's score: for a supplier, what it supplies; for
    the BOM, every other subject (so the BOM's score is the document's)."""
    component: Mapping[str, object] | None = field(default=None, compare=False, repr=False)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _map(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value.strip()[:MAX_NAME_CHARS] if isinstance(value, str) else ""


def walk(doc: Mapping[str, object]) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, object]]]:
    """Every component with its pointer: ``metadata.component`` first, then ``components`` depth-first."""
    return ((n.pointer, n.component) for n in nodes(doc, metadata=True))


def properties(component: Mapping[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    model_card = _map(component.get("modelCard"))
    for prop in [*_list(component.get("properties")), *_list(model_card.get("properties"))][
        : _LIMITS.max_bom_properties
    ]:
        if isinstance(prop, Mapping) and isinstance(prop.get("name"), str):
            value = prop.get("value")
            out.setdefault(str(prop["name"]), value if isinstance(value, str) else "")
    return out


def licence_names(component: Mapping[str, object]) -> list[str]:
    out: list[str] = []
    for item in _list(component.get("licenses")):
        entry = _map(item)
        licence = _map(entry.get("license"))
        for value in (entry.get("expression"), licence.get("id"), licence.get("name")):
            text = _text(value)
            if text and text.casefold() not in {v.casefold() for v in out}:
                out.append(text)
                break
    return out


def licence_ids(component: Mapping[str, object]) -> list[str]:
    """Recognised licences of one component: for each entry its expression or id as written (the
    schema makes them SPDX), else the id its name stands for (``recognise_licence``)."""
    out: list[str] = []
    for item in _list(component.get("licenses")):
        entry = _map(item)
        licence = _map(entry.get("license"))
        found = _text(entry.get("expression")) or _text(licence.get("id"))
        if not found and isinstance(licence.get("name"), str):
            found = recognise_licence(str(licence.get("name")), _LIMITS) or ""
        if found and found.casefold() not in {v.casefold() for v in out}:
            out.append(found)
    return out


def _merge(first: list[str], more: list[str]) -> list[str]:
    out, seen = list(first), {x.casefold() for x in first}
    for name in more:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def _ref(component: Mapping[str, object], kind: str, pointer: Sequence[str | int]) -> str:
    ref = _text(component.get("bom-ref"))
    if ref:
        return ref
    name = _display_name(component) or "/".join(map(str, pointer))
    version = _text(component.get("version"))
    return f"{kind}:{name}@{version}" if version else f"{kind}:{name}"


def _display_name(component: Mapping[str, object]) -> str:
    name, group = _text(component.get("name")), _text(component.get("group"))
    return f"{group}/{name}" if group and name and "/" not in name else name


@dataclass
class _Index:
    doc: Mapping[str, object]
    by_ref: dict[str, Mapping[str, object]] = field(default_factory=dict)
    findings: dict[str, list[Facts]] = field(default_factory=dict)
    depends: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, doc: Mapping[str, object]) -> _Index:
        index = cls(doc)
        for _pointer, component in walk(doc):
            ref = _text(component.get("bom-ref"))
            if ref:
                index.by_ref.setdefault(ref, component)
        for vuln in _list(doc.get("vulnerabilities"))[: _LIMITS.max_bom_vulnerabilities]:
            index.add_finding(_map(vuln))
        for item in _list(doc.get("dependencies"))[: _LIMITS.max_bom_vulnerabilities]:
            dep = _map(item)
            ref = _text(dep.get("ref"))
            if ref:
                targets = [t for t in map(_text, _list(dep.get("dependsOn"))) if t]
                index.depends.setdefault(ref, []).extend(targets)
        return index

    def add_finding(self, vuln: Mapping[str, object]) -> None:
        ratings = [_map(r) for r in _list(vuln.get("ratings"))]
        severity = next(
            (_text(r.get("severity")).lower() for r in ratings if r.get("severity")), ""
        )
        base: Facts = {
            "id": _text(vuln.get("id")),
            "severity": severity or None,
            "description": vuln.get("description")
            if isinstance(vuln.get("description"), str)
            else None,
            "recommendation": vuln.get("recommendation"),
            "source": _map(vuln.get("source")).get("name"),
        }
        for affected in _list(vuln.get("affects"))[: _LIMITS.max_bom_affects]:
            ref = _text(_map(affected).get("ref"))
            if ref:
                self.findings.setdefault(ref, []).append({**base, "ref": ref})

    def resolve(self, ref: str) -> Facts | None:
        component = self.by_ref.get(ref)
        return _with_props(component) if component is not None else None


def _with_props(component: Mapping[str, object]) -> Facts:
    return {**component, "@props": properties(component), "@license-ids": licence_ids(component)}


def _nested(component: Mapping[str, object]) -> list[Mapping[str, object]]:
    return [c for _p, c in walk({"components": component.get("components")})]


def component_facts(index: _Index, component: Mapping[str, object], kind: str, ref: str) -> Facts:
    nested = _nested(component)
    refs = {ref, *(_text(c.get("bom-ref")) for c in nested)} - {""}
    findings = [f for r in sorted(refs) for f in index.findings.get(r, [])]
    depends = [index.resolve(r) for r in index.depends.get(ref, [])]
    licences, ids = licence_names(component), licence_ids(component)
    for child in nested:
        licences = _merge(licences, licence_names(child))
        ids = _merge(ids, licence_ids(child))
    return {
        **component,
        "@kind": kind,
        "@name": _display_name(component),
        "@ref": ref,
        "@props": properties(component),
        "@files": [_with_props(c) for c in nested if c.get("type") == "file"],
        "@findings": findings,
        "@datasets": _datasets(index, component, [d for d in depends if d is not None]),
        "@licenses": licences,
        "@license-ids": ids,
        "@dependencies": [d for d in depends if d is not None],
        "@bom": index.doc,
    }


def _datasets(index: _Index, component: Mapping[str, object], depends: list[Facts]) -> list[Facts]:
    params = _map(_map(component.get("modelCard")).get("modelParameters"))
    out: list[Facts] = []
    seen: set[str] = set()
    for raw in _list(params.get("datasets")):
        item = _map(raw)
        ref = _text(item.get("ref"))
        resolved = index.resolve(ref) if ref else None
        if ref and ref in seen:
            continue
        seen.add(ref)
        out.append(resolved if resolved is not None else dict(item))
    for dep in depends:
        ref = _text(dep.get("bom-ref"))
        if dep.get("type") == "data" and ref not in seen:
            seen.add(ref)
            out.append(dep)
    return out


def _declared(component: Mapping[str, object]) -> bool:
    return properties(component).get("aibom:model:source") == "declared"


def _supplier(component: Mapping[str, object]) -> Mapping[str, object] | None:
    for key in ("supplier", "manufacturer"):
        entity = _map(component.get(key))
        if _text(entity.get("name")):
            return entity
    publisher = _text(component.get("publisher"))
    return {"name": publisher} if publisher else None


def extract_subjects(doc: Mapping[str, object]) -> list[Subject]:
    """The BOM subject first, then models, datasets and packages in document order, then suppliers."""
    index = _Index.build(doc)
    subjects: list[Subject] = []
    refs: set[str] = {"bom"}
    suppliers: dict[str, tuple[Mapping[str, object], list[Subject]]] = {}
    for pointer, component in walk(doc):
        kind = _KIND_OF_TYPE.get(_text(component.get("type")))
        if kind is None or _declared(component):
            continue
        ref = _unique(_ref(component, kind, pointer), refs)
        facts = component_facts(index, component, kind, ref)
        name = _display_name(component) or ref
        subject = Subject(ref, kind, name, facts, pointer, component=component)
        subjects.append(subject)
        entity = _supplier(component) if kind in ("model", "dataset") else None
        if entity is not None:
            key = _text(entity.get("name")).casefold()
            suppliers.setdefault(key, (entity, []))[1].append(subject)
    ordered = sorted(subjects, key=lambda s: _KIND_ORDER.index(s.kind))
    ordered += [
        _supplier_subject(doc, entity, members, refs) for entity, members in suppliers.values()
    ]
    return [_bom_subject(doc, index, subjects, tuple(s.ref for s in ordered)), *ordered]


def _unique(ref: str, refs: set[str]) -> str:
    candidate, n = ref, 1
    while candidate in refs:
        n += 1
        candidate = f"{ref}#{n}"
    refs.add(candidate)
    return candidate


def _bom_subject(
    doc: Mapping[str, object], index: _Index, subjects: list[Subject], members: tuple[str, ...]
) -> Subject:
    """The document itself; its members are every other subject, so its score is the whole BOM's."""
    meta = _map(doc.get("metadata"))
    name = _display_name(_map(meta.get("component"))) or _text(doc.get("serialNumber")) or "BOM"
    by_kind = {
        k: [s.facts for s in subjects if s.kind == k] for k in ("model", "dataset", "package")
    }
    facts: Facts = {
        **doc,
        "@kind": "bom",
        "@name": name,
        "@ref": "bom",
        "@props": properties({"properties": meta.get("properties")}),
        "@models": by_kind["model"],
        "@datasets": by_kind["dataset"],
        "@packages": by_kind["package"],
        "@components": [s.facts for s in subjects],
        "@findings": [f for found in index.findings.values() for f in found],
        "@bom": doc,
    }
    return Subject("bom", "bom", name, facts, members=members)


def _supplier_subject(
    doc: Mapping[str, object], entity: Mapping[str, object], members: list[Subject], refs: set[str]
) -> Subject:
    name = _text(entity.get("name"))
    ref = _unique(f"supplier:{name}", refs)
    facts: Facts = {
        **entity,
        "@kind": "supplier",
        "@name": name,
        "@ref": ref,
        "@components": [m.facts for m in members],
        "@bom": doc,
    }
    return Subject(ref, "supplier", name, facts, members=tuple(m.ref for m in members))
