"""Fold an ML-BOM into a software SBOM: ``merge(base, addition) -> (document, MergeReport)``.

Both documents are the JSON form of CycloneDX (``aibom.bomdoc.read_bom``: JSON or XML, 1.2-1.7); the
inputs are never modified. The result is the base document with the addition folded in:

- **Base first.** The base's ``metadata`` is kept (component, supplier, authors, timestamp, ...), and so
  are its ``serialNumber`` and every field of its components; its ``version`` is incremented (the same
  BOM, modified). aibom is added to ``metadata.tools`` in the shape the base uses (the 1.5+ object or
  the legacy array), together with the addition's tools.
- **Spec version**: the higher of the two inputs and at least 1.6 (an ML-BOM needs 1.5 or later; aibom
  writes 1.6 and 1.7), unless one is asked for. Older documents are carried forward unchanged: the
  result is validated, so a field the newer version refuses is an error, never a silent drop.
- **Duplicates.** An addition component is the same as a base component when their package URLs are
  equal after normalisation (``packageurl``; PyPI names and versions canonicalised as pip does), or,
  failing that, when they share a strong hash (SHA-256 or stronger, same algorithm and value), have
  the same type and do not carry two different purls. Nested components are compared too; one folded
  into a base component elsewhere in the tree becomes a dependency of the component that held it. A duplicate is folded into the
  base component: lists (hashes, licences, properties, external references, ...) are united, fields
  the base lacks are filled in, and where both differ the base's value is kept and the difference is
  named in the report. Different versions make different purls: they are never duplicates.
- **References.** An addition ``bom-ref`` that the base already uses is renamed ``REF#2`` (``#3``, ...)
  and every reference to it in the addition is rewritten (``REFERENCE_KEYS``: dependencies,
  compositions, vulnerability ``affects``, model-card datasets, annotations, ...); references to a
  folded component point at the base component.
- **Graph.** ``dependsOn`` and ``provides`` are united per ref; the addition's root
  (``metadata.component``) becomes a component and a dependency of the base's root.
- ``vulnerabilities`` are concatenated, except that one the base lists already (same id and source,
  affecting the same refs after remapping: both BOMs audited against OSV) is folded into it;
- ``services``, ``compositions``, ``annotations``, ``formulation``, ``citations`` are concatenated
  (exact duplicates once); ``properties`` and ``externalReferences`` united;
  ``definitions`` and ``declarations`` folded like components. JSON signatures are removed: they sign
  the documents as they were.

``render(document, "json" | "xml")`` validates the result against the official schema of its version
and raises ``UsageError`` (naming which input is itself invalid, when one is) instead of returning an
invalid document.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aibom._version import __version__
from aibom.bomdoc.walk import Node, nodes
from aibom.errors import InvalidBomError, UsageError
from aibom.escape import visible
from aibom.limits import DEFAULT_LIMITS

WRITTEN_VERSIONS: tuple[str, ...] = ("1.6", "1.7")
"""Spec versions a merged document is written in."""
MINIMUM_VERSION = "1.6"

REFERENCE_KEYS = frozenset(
    {
        # every property whose schema type is refType, refLinkType or bomLinkElementType in the 1.7
        # JSON schema (tests/merge/test_references.py checks this list against the schema)
        "ref",
        "dependsOn",
        "provides",
        "assemblies",
        "dependencies",
        "vulnerabilities",
        "affects",
        "datasets",
        "subjects",
        "asserter",
        "assessor",
        "assessors",
        "attributedTo",
        "process",
        "claims",
        "counterClaims",
        "evidence",
        "counterEvidence",
        "conformance",
        "mitigationStrategies",
        "requirement",
        "requirements",
        "parent",
        "target",
        "source",
        "destination",
        "occurrences",
        "tools",
        "members",
        "patentRefs",
        "levels",
        "algorithm",
        "algorithms",
        "algorithmRef",
        "signatureAlgorithmRef",
        "subjectPublicKeyRef",
    }
)
"""Keys whose string values (or string list items) are bom-refs. Only strings equal to a renamed ref
are rewritten, so a key that also names an object elsewhere (``evidence``) is harmless."""

STRONG_HASHES = frozenset(
    {
        "SHA-256",
        "SHA-384",
        "SHA-512",
        "SHA3-256",
        "SHA3-384",
        "SHA3-512",
        "BLAKE2b-256",
        "BLAKE2b-384",
        "BLAKE2b-512",
        "BLAKE3",
    }
)
"""Hash algorithms good enough to say two components are the same bytes (not MD5, SHA-1)."""

_CONCATENATED = ("services", "compositions", "annotations", "formulation")
_CONCATENATED_17 = ("citations",)
_UNITED = ("properties", "externalReferences")
_FOLDED = ("definitions", "declarations")
_HANDLED = frozenset(
    {
        "$schema",
        "bomFormat",
        "specVersion",
        "serialNumber",
        "version",
        "metadata",
        "components",
        "dependencies",
        "signature",
        "vulnerabilities",
        *_CONCATENATED,
        *_CONCATENATED_17,
        *_UNITED,
        *_FOLDED,
    }
)
_SHOWN = 20
"""Conflicts kept word for word in the report; the rest are counted."""


@dataclass
class MergeReport:
    """What ``merge`` did, for the summary line and for tests."""

    base_version: str
    addition_version: str
    spec_version: str
    base_components: int = 0
    addition_components: int = 0
    added: int = 0
    merged_by_purl: int = 0
    merged_by_hash: int = 0
    vulnerabilities_merged: int = 0
    """The ML-BOM's vulnerabilities that the base already lists (same id, source and affected refs)."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Addition bom-ref -> the new ref it was given (collisions with the base)."""
    folded: dict[str, str] = field(default_factory=dict)
    """Addition bom-ref -> the base component's bom-ref it was folded into."""
    root_edge: tuple[str, str] | None = None
    """(base root, addition root) when the addition's root was made a dependency of the base's."""
    conflicts: list[str] = field(default_factory=list)
    """Values of the addition not taken because the base has another one (at most ``_SHOWN``)."""
    conflict_count: int = 0
    notes: list[str] = field(default_factory=list)
    """Anything else worth saying: version raised, signatures removed, metadata not carried over."""

    @property
    def merged(self) -> int:
        return self.merged_by_purl + self.merged_by_hash

    def conflict(self, text: str) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < _SHOWN:
            self.conflicts.append(text)

    def summary(self) -> str:
        """One line for stderr."""
        line = (
            f"merged: {self.base_components} components from the base, {self.added} added, "
            f"{self.merged} merged as duplicates ({self.merged_by_purl} by purl, "
            f"{self.merged_by_hash} by hash), {len(self.renamed)} refs renamed; "
            f"CycloneDX {self.spec_version}"
        )
        if self.vulnerabilities_merged:
            line += f"; {self.vulnerabilities_merged} vulnerabilities already in the base"
        if self.conflict_count:
            line += f"; {self.conflict_count} differing values kept from the base"
        return line


# ---------------------------------------------------------------- the merge


def merge(
    base: Mapping[str, Any],
    addition: Mapping[str, Any],
    *,
    spec_version: str | None = None,
    tool_version: str = __version__,
) -> tuple[dict[str, Any], MergeReport]:
    """``base`` with ``addition`` folded in (see the module docstring), and what was done.

    ``spec_version`` (1.6 or 1.7) forces the output version; it may not be lower than an input's.
    ``UsageError`` for a version that cannot be written."""
    doc = copy.deepcopy(dict(base))
    add = copy.deepcopy(dict(addition))
    report = MergeReport(str(doc.get("specVersion")), str(add.get("specVersion")), "")
    report.spec_version = _output_version(report, spec_version)
    _Merger(doc, add, report, tool_version).run()
    return doc, report


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


def _output_version(report: MergeReport, asked: str | None) -> str:
    highest = max((report.base_version, report.addition_version, MINIMUM_VERSION), key=_version_key)
    if asked is None:
        chosen = highest
    elif asked not in WRITTEN_VERSIONS:
        raise UsageError(f"CycloneDX {asked} cannot be written (choose 1.6 or 1.7)")
    elif _version_key(asked) < _version_key(highest):
        raise UsageError(
            f"cannot write the merged BOM as CycloneDX {asked}: an input is {highest}",
            hint="aibom does not down-convert BOMs; choose a version at least as high as the inputs'",
        )
    else:
        chosen = asked
    if chosen not in WRITTEN_VERSIONS:
        raise UsageError(f"CycloneDX {chosen} cannot be written (aibom writes 1.6 and 1.7)")
    if chosen != report.base_version:
        report.notes.append(
            f"spec version raised from the base's {report.base_version} to {chosen}"
            + (
                " (an ML-BOM needs 1.5 or later)"
                if _version_key(report.base_version) < (1, 5)
                else ""
            )
        )
    return chosen


class _Merger:
    def __init__(
        self, doc: dict[str, Any], add: dict[str, Any], report: MergeReport, tool_version: str
    ) -> None:
        self.doc = doc
        self.add = add
        self.report = report
        self.tool_version = tool_version
        self.by_purl: dict[str, dict[str, Any]] = {}
        self.by_hash: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.target: dict[int, dict[str, Any]] = {}
        """id(addition component) -> the base component it duplicates."""
        self.mapping: dict[str, str] = {}
        self.placed: dict[int, dict[str, Any]] = {}
        self.part_edges: list[tuple[dict[str, Any], dict[str, Any]]] = []
        """(holder, twin): a nested ML-BOM component folded into a base component elsewhere."""
        """id(addition component) -> the component of the result that holds it."""

    def run(self) -> None:
        self.lift_properties()
        self.index_base()
        self.match_addition()
        self.remap_refs()
        self.join_vulnerabilities()
        self.place_components()
        self.join_dependencies()
        self.join_rest()
        self.metadata()
        self.top_level()

    # -------------------------------------------------------- identity

    def index_base(self) -> None:
        for node in _nodes(self.doc):
            comp = node.component
            if node.pointer != ("metadata", "component"):
                self.report.base_components += 1
            key = purl_key(comp.get("purl"))
            if key is not None:
                self.by_purl.setdefault(key, comp)
            for hkey in strong_hashes(comp):
                self.by_hash.setdefault(hkey, []).append(comp)

    def match_addition(self) -> None:
        for node in _nodes(self.add):
            comp = node.component
            if node.pointer != ("metadata", "component"):
                self.report.addition_components += 1
            key = purl_key(comp.get("purl"))
            found = self.by_purl.get(key) if key is not None else None
            if found is not None:
                self.target[id(comp)] = found
                self.report.merged_by_purl += 1
                continue
            twin = self.hash_twin(comp, key)
            if twin is not None:
                self.target[id(comp)] = twin
                self.report.merged_by_hash += 1

    def hash_twin(self, comp: Mapping[str, Any], key: str | None) -> dict[str, Any] | None:
        """The first base component of the same type sharing a strong hash with ``comp`` and not
        carrying another purl. Types must match: a model's digest is its weights file's, and the
        model is not that file."""
        for hkey in strong_hashes(comp):
            for candidate in self.by_hash.get(hkey, ()):
                if candidate.get("type") != comp.get("type"):
                    continue
                other = purl_key(candidate.get("purl"))
                if key is not None and other is not None and other != key:
                    self.report.notes.append(
                        f"{_label(comp)} and the base's {_label(candidate)} share a {hkey[0]} "
                        "but have different purls: both kept"
                    )
                    continue
                return candidate
        return None

    # -------------------------------------------------------- references

    def remap_refs(self) -> None:
        taken = set(_bom_refs(self.doc))
        for obj in _objects(self.add):
            ref = obj.get("bom-ref")
            if not isinstance(ref, str) or ref in self.mapping:
                continue
            base_comp = self.target.get(id(obj))
            if base_comp is not None:
                base_ref = base_comp.get("bom-ref")
                if not isinstance(base_ref, str):
                    base_ref = _fresh(ref, taken)
                    base_comp["bom-ref"] = base_ref
                    taken.add(base_ref)
                self.mapping[ref] = base_ref
                if base_ref != ref:
                    self.report.folded[ref] = base_ref
                continue
            new = _fresh(ref, taken)
            taken.add(new)
            self.mapping[ref] = new
            if new != ref:
                self.report.renamed[ref] = new
        changed = {old: new for old, new in self.mapping.items() if old != new}
        if changed:
            rewrite_refs(self.add, changed)

    def join_vulnerabilities(self) -> None:
        """The ML-BOM's vulnerabilities after the base's; one the base already lists (the same id
        and source, affecting the same refs once they point at the base's components, as when both
        BOMs were audited against OSV) is folded into it, and references to it follow."""
        theirs = self.add.get("vulnerabilities")
        if not isinstance(theirs, list) or not theirs:
            return
        ours = self.doc.setdefault("vulnerabilities", [])
        if not isinstance(ours, list):
            return
        index = {_vulnerability_key(v): v for v in ours if isinstance(v, dict)}
        moved: dict[str, str] = {}
        for vuln in theirs:
            twin = index.get(_vulnerability_key(vuln)) if isinstance(vuln, dict) else None
            if twin is None:
                if vuln not in ours:
                    ours.append(vuln)
                continue
            self.report.vulnerabilities_merged += 1
            ref, twin_ref = vuln.get("bom-ref"), twin.get("bom-ref")
            if isinstance(ref, str) and isinstance(twin_ref, str) and ref != twin_ref:
                moved[ref] = twin_ref
            own = {k: v for k, v in vuln.items() if k != "bom-ref"}
            fold(twin, own, f"vulnerability {_short(vuln.get('id'))}", self.report)
        if moved:
            rewrite_refs(self.add, moved)
            original = {new: old for old, new in self.report.renamed.items()}
            for renamed, twin_ref in moved.items():
                first = original.get(renamed, renamed)
                self.report.renamed.pop(first, None)
                self.report.folded[first] = twin_ref

    # -------------------------------------------------------- components

    def lift_properties(self) -> None:
        """The ML-BOM's ``metadata.properties`` (what aibom scanned) describe its root: move them there."""
        meta = self.add.get("metadata")
        if not isinstance(meta, dict):
            return
        root, props = meta.get("component"), meta.get("properties")
        if isinstance(root, dict) and isinstance(props, list) and props:
            mine = root.get("properties")
            mine = mine if isinstance(mine, list) else []
            root["properties"] = [*mine, *(p for p in props if p not in mine)]
            del meta["properties"]
            self.report.notes.append(
                "the ML-BOM's metadata.properties were moved to its root component"
            )

    def place_components(self) -> None:
        base_list = self.doc.setdefault("components", [])
        root = _root(self.add)
        if root is not None:
            self.place(root, base_list)
        for comp in self.add.get("components") or []:
            if isinstance(comp, dict):
                self.place(comp, base_list)
        if not base_list:
            del self.doc["components"]

    def place(
        self,
        comp: dict[str, Any],
        siblings: list[Any],
        depth: int = 0,
        holder: dict[str, Any] | None = None,
    ) -> None:
        """Put addition ``comp`` (and its children) into ``siblings`` (the children of ``holder``,
        when it is nested) or fold it into its twin. A nested component folded into a twin that
        sits elsewhere becomes a dependency of its holder, so the relation is not lost."""
        children = comp.get("components")
        children = (
            [c for c in children if isinstance(c, dict)] if isinstance(children, list) else []
        )
        twin = self.target.get(id(comp))
        if twin is not None:
            own = {k: v for k, v in comp.items() if k not in ("components", "bom-ref")}
            if purl_key(own.get("purl")) == purl_key(twin.get("purl")):
                own.pop("purl", None)  # the same purl spelled otherwise: not a conflict
                if _same_name(own.get("name"), twin.get("name")):
                    own.pop("name", None)  # Jinja2 and jinja2 are one PyPI package
            fold(twin, own, _label(twin), self.report)
            parent = twin
            self.placed[id(comp)] = twin
            if holder is not None and all(twin is not c for c in siblings):
                self.part_edges.append((holder, twin))
        else:
            parent = {k: v for k, v in comp.items() if k != "components"}
            siblings.append(parent)
            self.placed[id(comp)] = parent
            self.report.added += 1
        if children and depth < DEFAULT_LIMITS.max_bom_depth:
            kids = parent.setdefault("components", [])
            for child in children:
                self.place(child, kids, depth + 1, parent)
            if not kids:
                del parent["components"]

    # -------------------------------------------------------- graph

    def join_dependencies(self) -> None:
        entries: dict[str, dict[str, Any]] = {}
        out: list[Any] = []
        for entry in self.doc.get("dependencies") or []:
            if isinstance(entry, dict) and isinstance(entry.get("ref"), str):
                if entry["ref"] in entries:
                    _unite_edges(entries[entry["ref"]], entry)
                    continue
                entries[entry["ref"]] = entry
            out.append(entry)
        for entry in self.add.get("dependencies") or []:
            if not (isinstance(entry, dict) and isinstance(entry.get("ref"), str)):
                continue
            mine = entries.get(entry["ref"])
            if mine is None:
                entries[entry["ref"]] = entry
                out.append(entry)
                _drop_self_edges(entry)
            else:
                _unite_edges(mine, entry)
        for holder, twin in self.part_edges:
            self.part_edge(holder, twin, entries, out)
        edge = self.root_edge()
        if edge is not None:
            base_ref, add_ref = edge
            entry = entries.get(base_ref)
            if entry is None:
                entry = {"ref": base_ref}
                entries[base_ref] = entry
                out.append(entry)
            depends = entry.setdefault("dependsOn", [])
            if add_ref not in depends:
                depends.append(add_ref)
            self.report.root_edge = edge
        if out:
            self.doc["dependencies"] = out

    def part_edge(
        self,
        holder: dict[str, Any],
        twin: dict[str, Any],
        entries: dict[str, dict[str, Any]],
        out: list[Any],
    ) -> None:
        holder_ref, twin_ref = holder.get("bom-ref"), twin.get("bom-ref")
        if (
            not (isinstance(holder_ref, str) and isinstance(twin_ref, str))
            or holder_ref == twin_ref
        ):
            return
        entry = entries.get(holder_ref)
        if entry is None:
            entry = entries[holder_ref] = {"ref": holder_ref}
            out.append(entry)
        depends = entry.setdefault("dependsOn", [])
        if twin_ref not in depends:
            depends.append(twin_ref)
        self.report.notes.append(
            f"{holder_ref} held {twin_ref}, which is the base's (elsewhere in its tree): "
            f"{holder_ref} now depends on it"
        )

    def root_edge(self) -> tuple[str, str] | None:
        """(base root, ML-BOM root) refs, when the one is to depend on the other."""
        base_root, add_root = _root(self.doc), _root(self.add)
        if add_root is None:
            return None
        if base_root is None:
            self.report.notes.append(
                "the base has no root component (metadata.component): the ML-BOM's root is a "
                "top-level component that nothing depends on"
            )
            return None
        base_ref = base_root.get("bom-ref")
        add_ref = add_root.get("bom-ref")  # already rewritten: a rename, or its twin's ref
        if not isinstance(base_ref, str):
            base_ref = _fresh("root", set(_bom_refs(self.doc)))
            base_root["bom-ref"] = base_ref
            self.report.notes.append(f"the base's root component was given bom-ref {base_ref}")
        if not isinstance(add_ref, str):
            add_ref = _fresh("ml-bom-root", set(_bom_refs(self.doc)))
            self.placed[id(add_root)]["bom-ref"] = add_ref
        if add_ref == base_ref:
            self.report.notes.append(
                "the ML-BOM's root is the base's root (same purl): it was folded into it"
            )
            return None
        return base_ref, add_ref

    # -------------------------------------------------------- the rest

    def join_rest(self) -> None:
        v17 = _version_key(self.report.spec_version) >= (1, 7)
        for key in _CONCATENATED + _UNITED + (_CONCATENATED_17 if v17 else ()):
            _concatenate(self.doc, self.add, key)
        if "citations" in self.add and not v17:
            self.report.notes.append("the ML-BOM's citations need CycloneDX 1.7: not carried over")
        for key in (*_FOLDED, *sorted(set(self.add) - _HANDLED)):
            self.fold_top(key)
        for name, src in (("base", self.doc), ("ML-BOM", self.add)):
            if "signature" in src:
                src.pop("signature")
                self.report.notes.append(f"the {name}'s signature was removed (it signs the input)")

    def fold_top(self, key: str) -> None:
        """A top-level field of the addition that is not a list of things: folded into the base's."""
        if key not in self.add:
            return
        theirs = self.add[key]
        if key not in self.doc:
            self.doc[key] = theirs
        elif isinstance(self.doc[key], dict) and isinstance(theirs, dict):
            fold(self.doc[key], theirs, key, self.report)
        elif isinstance(self.doc[key], list) and isinstance(theirs, list):
            _concatenate(self.doc, self.add, key)
        elif self.doc[key] != theirs:
            self.report.conflict(f"{key}: {_short(theirs)} differs; kept the base's")

    def metadata(self) -> None:
        meta = self.doc.setdefault("metadata", {})
        theirs = self.add.get("metadata") if isinstance(self.add.get("metadata"), dict) else {}
        assert isinstance(theirs, dict)
        tools = _tool_entries(theirs.get("tools"))
        tools.append(_aibom_tool(self.tool_version))
        meta["tools"] = _add_tools(meta.get("tools"), tools)
        dropped = sorted(set(theirs) - {"component", "tools"})  # properties: moved to the root
        if dropped:
            self.report.notes.append(
                "the ML-BOM's metadata "
                + ", ".join(dropped)
                + " not carried over (the base's is kept)"
            )

    def top_level(self) -> None:
        version = self.report.spec_version
        self.doc["bomFormat"] = "CycloneDX"
        self.doc["specVersion"] = version
        if "$schema" in self.doc or "$schema" in self.add:
            self.doc["$schema"] = f"http://cyclonedx.org/schema/bom-{version}.schema.json"
        old = self.doc.get("version")
        self.doc["version"] = old + 1 if isinstance(old, int) and not isinstance(old, bool) else 1


# ---------------------------------------------------------------- identity helpers


_PYPI_SEPARATORS = re.compile(r"[-_.]+")


def purl_key(purl: object) -> str | None:
    """``purl`` normalised for comparison (``None`` when there is none). PyPI names are compared as
    pip does (case, ``-``/``_``/``.``) and versions as PEP 440 does (``1.0`` is ``1.0.0``)."""
    if not isinstance(purl, str) or not purl.strip():
        return None
    return _purl_key(purl.strip())


@functools.lru_cache(maxsize=2**16)
def _purl_key(purl: str) -> str:
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return purl
    name, version = parsed.name, parsed.version
    if parsed.type == "pypi":
        name = _PYPI_SEPARATORS.sub("-", name).lower()
        if version:
            from packaging.utils import canonicalize_version

            version = str(canonicalize_version(version))
    return str(
        PackageURL(
            type=parsed.type,
            namespace=parsed.namespace,
            name=name,
            version=version,
            qualifiers=parsed.qualifiers,
            subpath=parsed.subpath,
        ).to_string()
    )


def _same_name(a: object, b: object) -> bool:
    """Package names equal as PyPI compares them (case, ``-``/``_``/``.``)."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    return _PYPI_SEPARATORS.sub("-", a).lower() == _PYPI_SEPARATORS.sub("-", b).lower()


def strong_hashes(comp: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(algorithm, lower-case value)`` of each strong hash of ``comp``."""
    hashes = comp.get("hashes")
    for h in hashes if isinstance(hashes, list) else []:
        if isinstance(h, dict) and h.get("alg") in STRONG_HASHES:
            content = h.get("content")
            if isinstance(content, str) and content:
                yield str(h["alg"]), content.strip().lower()


def _label(comp: Mapping[str, Any]) -> str:
    for key in ("purl", "bom-ref", "name"):
        if isinstance(comp.get(key), str):
            return str(comp[key])
    return "a component"


# ---------------------------------------------------------------- folding


def fold(ours: dict[str, Any], theirs: Mapping[str, Any], where: str, report: MergeReport) -> None:
    """Fold ``theirs`` into ``ours``: missing keys filled, lists united, objects folded key by key;
    where both hold different values ``ours`` wins and the report names the field. A ``signature``
    on ``ours`` is removed (what it signed has changed)."""
    stack: list[tuple[dict[str, Any], Mapping[str, Any], str]] = [(ours, theirs, where)]
    changed = False
    while stack:
        a, b, path = stack.pop()
        for key, value in b.items():
            if key not in a:
                a[key] = value
                changed = True
            elif a[key] == value:
                continue
            elif isinstance(a[key], list) and isinstance(value, list):
                if key == "licenses" and _expression(a[key]) != _expression(value):
                    report.conflict(
                        f"{path}: licenses differ (expression and ids); kept the base's"
                    )
                    continue
                new = [item for item in value if item not in a[key]]
                if key == "hashes":
                    new = _new_hashes(a[key], new)
                    _hash_conflicts(a[key], new, path, report)
                a[key].extend(new)
                changed = changed or bool(new)
            elif isinstance(a[key], dict) and isinstance(value, Mapping):
                stack.append((a[key], value, f"{path}.{key}"))
            else:
                report.conflict(f"{path}: {key} {_short(value)} differs; kept {_short(a[key])}")
    if changed and "signature" in ours:
        del ours["signature"]
        report.notes.append(f"{where}: signature removed (the component changed)")


def _expression(licenses: list[Any]) -> bool:
    return any(isinstance(item, dict) and "expression" in item for item in licenses)


def _hash_key(item: object) -> object:
    if isinstance(item, dict) and isinstance(item.get("content"), str):
        return (item.get("alg"), item["content"].strip().lower())
    return json.dumps(item, sort_keys=True)


def _new_hashes(ours: list[Any], theirs: list[Any]) -> list[Any]:
    """``theirs`` not in ``ours``, hash values compared without regard to case."""
    have = {_hash_key(h) for h in ours}
    return [h for h in theirs if _hash_key(h) not in have]


def _hash_conflicts(ours: list[Any], new: list[Any], path: str, report: MergeReport) -> None:
    have = {h.get("alg"): h.get("content") for h in ours if isinstance(h, dict)}
    for h in new:
        if isinstance(h, dict) and h.get("alg") in have:
            report.conflict(f"{path}: two different {h.get('alg')} values; both kept")


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- graph helpers


def _vulnerability_key(vuln: object) -> str:
    if not isinstance(vuln, dict) or not isinstance(vuln.get("id"), str):
        return f"object {id(vuln)}"  # never equal to another's
    affects = vuln.get("affects")
    refs = sorted(
        json.dumps(a, sort_keys=True) for a in (affects if isinstance(affects, list) else [])
    )
    return json.dumps([vuln["id"], vuln.get("source"), refs], sort_keys=True)


def _concatenate(doc: dict[str, Any], add: Mapping[str, Any], key: str) -> None:
    """``add[key]``'s items appended to ``doc[key]``'s (each exact duplicate once)."""
    ours, theirs = doc.get(key), add.get(key)
    if not (isinstance(theirs, list) and theirs):
        return
    if ours is None:
        doc[key] = theirs
    elif isinstance(ours, list):
        ours.extend(item for item in theirs if item not in ours)


def _unite_edges(ours: dict[str, Any], theirs: Mapping[str, Any]) -> None:
    for key in ("dependsOn", "provides"):
        extra = theirs.get(key)
        if not isinstance(extra, list):
            continue
        mine = ours.setdefault(key, [])
        mine.extend(r for r in extra if r not in mine and r != ours.get("ref"))
        if not mine:
            del ours[key]


def _drop_self_edges(entry: dict[str, Any]) -> None:
    for key in ("dependsOn", "provides"):
        refs = entry.get(key)
        if isinstance(refs, list) and entry.get("ref") in refs:
            entry[key] = [r for r in refs if r != entry.get("ref")]


def _root(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    meta = doc.get("metadata")
    root = meta.get("component") if isinstance(meta, Mapping) else None
    return root if isinstance(root, dict) else None


# ---------------------------------------------------------------- tools


def _aibom_tool(version: str) -> dict[str, Any]:
    return {
        "type": "application",
        "name": "aibom",
        "version": version,
        "description": "AI supply-chain scanner",
    }


def _tool_entries(tools: object) -> list[dict[str, Any]]:
    """Tools of either shape as 1.5+ tool components (services kept as they are, marked)."""
    if isinstance(tools, list):
        return [_from_legacy(t) for t in tools if isinstance(t, dict)]
    if isinstance(tools, dict):
        comps = [t for t in tools.get("components") or [] if isinstance(t, dict)]
        services = [
            {**s, "_service": True} for s in tools.get("services") or [] if isinstance(s, dict)
        ]
        return comps + services
    return []


def _from_legacy(tool: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "application"}
    if isinstance(tool.get("vendor"), str):
        out["group"] = tool["vendor"]
    for key in ("name", "version", "hashes", "externalReferences"):
        if key in tool:
            out[key] = tool[key]
    out.setdefault("name", "unknown")
    return out


def _to_legacy(tool: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    vendor = tool.get("group")
    if tool.get("_service"):
        provider = tool.get("provider")
        vendor = provider.get("name") if isinstance(provider, Mapping) else None
    if isinstance(vendor, str):
        out["vendor"] = vendor
    for key in ("name", "version", "hashes", "externalReferences"):
        if key in tool:
            out[key] = tool[key]
    return out


def _tool_key(tool: Mapping[str, Any]) -> tuple[object, ...]:
    return (tool.get("group", tool.get("vendor")), tool.get("name"), tool.get("version"))


def _add_tools(existing: object, new: list[dict[str, Any]]) -> Any:
    """``existing`` tools (either shape, or none) with ``new`` ones added in the same shape."""
    if isinstance(existing, list):  # the legacy array (deprecated since 1.5, still valid)
        have = {_tool_key(t) for t in existing if isinstance(t, dict)}
        for tool in new:
            legacy = _to_legacy(tool)
            if _tool_key(legacy) not in have:
                existing.append(legacy)
                have.add(_tool_key(legacy))
        return existing
    out = existing if isinstance(existing, dict) else {}
    for tool in new:
        kind = "services" if tool.get("_service") else "components"
        entry = {k: v for k, v in tool.items() if k != "_service"}
        items = out.setdefault(kind, [])
        if all(_tool_key(t) != _tool_key(entry) for t in items if isinstance(t, dict)):
            items.append(entry)
    return out


# ---------------------------------------------------------------- generic walks


def _nodes(doc: Mapping[str, Any]) -> Iterator[Node]:
    return nodes(doc, DEFAULT_LIMITS, metadata=True)


def _objects(value: object) -> Iterator[dict[str, Any]]:
    """Every object in ``value``, depth-first in document order (iterative)."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _bom_refs(doc: object) -> Iterator[str]:
    for obj in _objects(doc):
        ref = obj.get("bom-ref")
        if isinstance(ref, str):
            yield ref


def _fresh(ref: str, taken: set[str]) -> str:
    """``ref``, or ``ref#2``, ``ref#3``, ... : the first not in ``taken``."""
    if ref not in taken:
        return ref
    n = 2
    while f"{ref}#{n}" in taken:
        n += 1
    return f"{ref}#{n}"


def rewrite_refs(doc: object, mapping: Mapping[str, str]) -> None:
    """Replace, in place, every bom-ref and reference (``REFERENCE_KEYS``) found in ``mapping``."""
    for obj in _objects(doc):
        for key, value in obj.items():
            if key != "bom-ref" and key not in REFERENCE_KEYS:
                continue
            if isinstance(value, str) and value in mapping:
                obj[key] = mapping[value]
            elif isinstance(value, list):
                obj[key] = [mapping.get(v, v) if isinstance(v, str) else v for v in value]
    for obj in _objects(doc):  # two refs folded into one: a ref list names it once (uniqueItems)
        for key, value in obj.items():
            if key in REFERENCE_KEYS and isinstance(value, list) and len(value) > 1:
                unique: list[Any] = []
                for item in value:
                    if item not in unique:
                        unique.append(item)
                obj[key] = unique


# ---------------------------------------------------------------- writing


def render(
    doc: Mapping[str, Any],
    output_format: str = "json",
    *,
    inputs: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """The merged document as JSON or XML text, valid against its version's official schema.

    ``UsageError`` when it is not; ``inputs`` (name -> document) lets the message say which input is
    itself invalid, which is almost always the cause."""
    from aibom.bomdoc.schema import validate_document

    if output_format not in ("json", "xml"):
        raise UsageError(f"unknown output format {output_format!r} (json or xml)")
    version = str(doc.get("specVersion"))
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output_format == "json":
        xml_only = _xml_only_keys(doc)
        if xml_only:
            raise UsageError(
                f"the merged BOM carries XML-only content ({', '.join(xml_only)}) that JSON has no "
                "place for; nothing was written",
                hint="write it as XML (--format xml), or merge the JSON forms of the BOMs",
            )
    try:
        if output_format == "xml":
            from aibom.bom.xml import write_xml

            return write_xml(doc)
        validate_document(doc, version)
    except InvalidBomError as exc:
        raise _invalid(exc, version, inputs or {}, output_format) from None
    return text


def _invalid(
    exc: InvalidBomError, version: str, inputs: Mapping[str, Mapping[str, Any]], fmt: str
) -> UsageError:
    detail = _schema_message((exc.hint or "").split("\n", 1)[-1])
    culprits = []
    for name, doc in inputs.items():
        own = str(doc.get("specVersion"))
        if own in ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7") and _schema_error(doc, own):
            culprits.append(f"{name} is itself not valid CycloneDX {own}")
    older = [
        f"{name} is CycloneDX {doc.get('specVersion')}"
        for name, doc in inputs.items()
        if str(doc.get("specVersion")) != version
    ]
    if culprits:
        hint = "; ".join(culprits)
    elif older:
        hint = (
            "the inputs are valid on their own, but " + ", ".join(older) + f": something in it "
            f"is no longer accepted by CycloneDX {version}"
        )
    else:
        hint = "the inputs are valid on their own: this is a bug in aibom merge, please report it"
    return UsageError(
        f"the merged BOM is not valid CycloneDX {version} ({fmt}); nothing was written",
        hint=f"{hint}\n{detail}",
    )


def _schema_message(text: str) -> str:
    """jsonschema's message and where it failed, without the schema it quotes (dozens of lines)."""
    lines = text.strip().splitlines()
    kept = lines[:1] + [
        line.strip() for line in lines[1:] if line.startswith(("Failed validating", "On instance"))
    ]
    return "\n".join(visible(line[:300]) for line in kept)  # the values come from the inputs


def _schema_error(doc: Mapping[str, Any], version: str) -> str | None:
    from aibom.bomdoc.schema import schema_errors

    if _xml_only_keys(doc):
        return None  # an XML input: its JSON form is not expected to validate
    errors = schema_errors(doc, version, limit=1)
    return errors[0] if errors else None


def _xml_only_keys(doc: object) -> list[str]:
    """Up to three keys ``aibom.bomdoc.fromxml`` uses for XML-only content (``{ns}name``, ``@attr``)."""
    found: list[str] = []
    for obj in _objects(doc):
        for key in obj:
            if key[:1] in ("{", "@") and key not in found:
                found.append(key)
                if len(found) == 3:
                    return found
    return found
