"""Inventory -> cyclonedx-python-lib ``Bom`` (everything the library can model) plus the ML fields it
cannot (``modelCard``, ``data``), returned separately for ``aibom.bom.document`` to splice in by bom-ref."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType, Pedigree
from cyclonedx.model.contact import OrganizationalEntity
from packageurl import PackageURL

from aibom.bom.components import (
    Refs,
    card_licenses,
    file_entry,
    inner_name,
    library_order,
    package_licenses,
    package_refs,
    properties_of,
    vulnerability,
)
from aibom.bom.modelcard import (
    WeightsSummary,
    card_key_properties,
    card_tags,
    dataset_contents_properties,
    dataset_data,
    model_card,
    source_datasets,
)
from aibom.cards import CardFacts
from aibom.findings import Finding
from aibom.inventory import DatasetEntry, Inventory, ModelEntry
from aibom.iri import hub_url, safe_url
from aibom.packages.interface import Package
from aibom.properties import Prop

_HF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+")


@dataclass
class Built:
    bom: Bom
    model_cards: dict[str, dict[str, object]] = field(default_factory=dict)
    data: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    packages: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(name, version, bom-ref) of every package component, for vulnerability matching."""
    extra_vulnerabilities: list[dict[str, object]] = field(default_factory=list)
    """CycloneDX vulnerability objects made outside the library (OSV matches), appended as given."""
    files: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    """File components (JSON form, in order) of each model and dataset, by the parent's bom-ref."""
    package_components: list[Component] = field(default_factory=list)
    """Package components, serialized one by one (``Component.as_json``) and spliced in with their
    dependency entries by ``aibom.bom.document``: in the library's ``Bom`` they sit in sorted sets
    compared field by field, and its dependency registration scans every entry per call, so 10,000
    requirement lines cost 20 s of CPU there."""
    package_edges: dict[str, list[str]] = field(default_factory=dict)
    """dependsOn refs of each package component (empty list: none), by ref."""
    loose: list[dict[str, object]] = field(default_factory=list)
    """Top-level file components (JSON form; ``aibom.bom.document`` puts them in order): files
    outside any model or dataset, each a dependency of the root."""


# ---------------------------------------------------------------- models


def _hf_purl(repo_id: str, commit: str | None) -> PackageURL:
    group, _, name = repo_id.rpartition("/")
    return PackageURL(type="huggingface", namespace=group or None, name=name, version=commit)


def _model_refs(model: ModelEntry) -> list[ExternalReference]:
    snap = model.snapshot
    out: list[ExternalReference] = []
    if snap is not None:
        repo = snap.repo_id.split("/")
        out.append(ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(hub_url(*repo))))
        tree = hub_url(*repo, "tree", snap.commit)
        out.append(ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(tree)))
        if model.card is not None:
            url = hub_url(*repo, "blob", snap.commit, "README.md")
            out.append(ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(url)))
    link = safe_url(model.card.license_link) if model.card is not None else None
    if link is not None:
        out.append(ExternalReference(type=ExternalReferenceType.LICENSE, url=XsUri(link)))
    return out


def _model_props(model: ModelEntry) -> list[Property]:
    card, snap = model.card, model.snapshot
    pairs: list[tuple[Prop, object]] = [
        (Prop.MODEL_SOURCE, model.source),
        (Prop.MODEL_FORMATS, model.formats),
        (Prop.MODEL_PARAMETERS, model.parameter_count),
        (Prop.MODEL_DTYPES, model.dtypes),
        (Prop.MODEL_SHARDS, model.shard_count or None),
        (Prop.MODEL_WEIGHTS_PRESENT, model.weights_present),
    ]
    if snap is not None:
        pairs += [(Prop.HF_REPO_ID, snap.repo_id), (Prop.HF_REPO_TYPE, snap.repo_type)]
        pairs += [(Prop.HF_COMMIT, snap.commit), (Prop.HF_REFS, snap.refs)]
    if card is not None:
        pairs += [
            (Prop.MODEL_CARD_PATH, card.display),
            (Prop.MODEL_LICENSE_NAME, card.license_name if card.license else None),
            (Prop.MODEL_LICENSE_LINK, card.license_link),
            (Prop.MODEL_CARD_PROBLEMS, "; ".join(card.problems)),
            (Prop.MODEL_CARD_PLACEHOLDERS, "; ".join(card.placeholders)),
        ]
    extra = [Property(name=name, value=value) for name, value in card_key_properties(card)]
    extra += [Property(name=name, value=value) for name, value in model.extra_properties]
    return properties_of(pairs) + extra


def _description(card: CardFacts | None) -> str | None:
    if card is None:
        return None
    text = card.sections.get("model_description") or card.sections.get("summary") or ""
    text = " ".join(text.split())
    return (text[:497] + "...") if len(text) > 500 else (text or None)


def _source_dataset(name: str) -> Component:
    """A dataset named by a card's ``source_datasets`` (an ancestor, not a component of the BOM)."""
    hf = _HF_ID.fullmatch(name) is not None and not {".", ".."} & set(name.split("/"))
    group, _, short = name.rpartition("/") if hf else ("", "", name)
    url = hub_url("datasets", group, short) if hf else None
    return Component(
        type=ComponentType.DATA,
        name=short,
        group=group or None,
        external_references=(
            [ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(url))] if url else []
        ),
    )


class _Builder:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.refs = Refs()
        self.bom = Bom()
        self.built = Built(self.bom)
        self.model_ref: dict[str, str] = {}
        self.dataset_ref: dict[str, str] = {}
        self.hf_model_ref: dict[str, str] = {}
        self.package_ref: dict[str, list[str]] = {}
        self.by_ref: dict[str, Component] = {}

    def model(self, model: ModelEntry) -> Component:
        snap = model.snapshot
        wanted = f"model:hf:{snap.repo_id}@{snap.commit}" if snap else f"model:{model.root}"
        ref = self.refs.new(wanted)
        self.model_ref[model.root] = ref
        if snap is not None:
            self.hf_model_ref.setdefault(snap.repo_id, ref)
        files = [file_entry(a, inner_name(a, model.root), self.refs) for a in model.files]
        if files:
            self.built.files[ref] = sorted(files, key=library_order)
        weights = [a for a in model.files if a.kind.value == "weights" and a.digests]
        hashes = (
            [HashType(alg=HashAlgorithm.SHA_256, content=weights[0].digests.sha256)]
            if len(weights) == 1 and weights[0].digests
            else []
        )
        return Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            name=model.name,
            group=model.group,
            version=snap.commit if snap else None,
            bom_ref=ref,
            purl=_hf_purl(snap.repo_id, snap.commit.lower()) if snap else None,
            supplier=OrganizationalEntity(name=model.group) if snap and model.group else None,
            description=_description(model.card),
            hashes=hashes,
            licenses=card_licenses(model.card),
            tags=card_tags(model.card),
            external_references=_model_refs(model),
            properties=_model_props(model),
        )

    def dataset(self, entry: DatasetEntry) -> Component:
        ref = self.refs.new(f"dataset:{entry.key}")
        self.dataset_ref[entry.key] = ref
        is_hf = entry.snapshot is not None or (
            entry.source == "declared" and entry.group is not None
        )
        url = hub_url("datasets", *entry.key.split("/")) if is_hf else None
        root = entry.root or ""
        files = [file_entry(a, inner_name(a, root), self.refs) for a in entry.files]
        if files:
            self.built.files[ref] = sorted(files, key=library_order)
        declared = [self.model_ref[m] for m in entry.declared_by if m in self.model_ref]
        pairs: list[tuple[Prop, object]] = [
            (Prop.MODEL_SOURCE, entry.source),
            (Prop.DATASET_DECLARED_BY, declared),
            (Prop.DATASET_FILE_COUNT, len(entry.files) if entry.files else None),
        ]
        if entry.snapshot is not None:
            pairs += [
                (Prop.HF_REPO_ID, entry.snapshot.repo_id),
                (Prop.HF_COMMIT, entry.snapshot.commit),
            ]
        card = entry.card
        self.built.data[ref] = dataset_data(
            entry.name, card, url, dataset_contents_properties(card)
        )
        ext = [ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(url))] if url else []
        link = safe_url(card.license_link) if card is not None else None
        if link is not None:
            ext.append(ExternalReference(type=ExternalReferenceType.LICENSE, url=XsUri(link)))
        extra = card_key_properties(card) + list(entry.extra_properties)
        sources = [_source_dataset(name) for name in source_datasets(card)]
        return Component(
            type=ComponentType.DATA,
            name=entry.name,
            group=entry.group,
            version=entry.snapshot.commit if entry.snapshot else None,
            bom_ref=ref,
            licenses=card_licenses(card),
            tags=card_tags(card),
            external_references=ext,
            properties=properties_of(pairs) + [Property(name=n, value=v) for n, v in extra],
            pedigree=Pedigree(ancestors=sources) if sources else None,
        )

    def base_model(self, repo_id: str) -> Component | None:
        if repo_id in self.hf_model_ref:
            return None
        group, _, name = repo_id.rpartition("/")
        ref = self.refs.new(f"model:declared:{repo_id}")
        self.hf_model_ref[repo_id] = ref
        return Component(
            type=ComponentType.MACHINE_LEARNING_MODEL,
            name=name,
            group=group or None,
            bom_ref=ref,
            purl=_hf_purl(repo_id, None),
            external_references=[
                ExternalReference(
                    type=ExternalReferenceType.WEBSITE, url=XsUri(hub_url(*repo_id.split("/")))
                )
            ],
            properties=properties_of([(Prop.MODEL_SOURCE, "declared")]),
        )

    def package(self, pkgs: Sequence[Package]) -> Component:
        first = pkgs[0]
        ref = self.refs.new(first.purl)
        self.package_ref.setdefault(first.normalized_name, []).append(ref)
        self.built.packages.append((first.name, first.version, ref))
        sources = list(dict.fromkeys(p.source for p in pkgs))
        hashes = list(dict.fromkeys(h for p in pkgs for h in p.hashes))
        pairs: list[tuple[Prop, object]] = [
            (Prop.PY_SOURCE, sources),
            (Prop.PY_SOURCE_KIND, list(dict.fromkeys(p.source_kind.value for p in pkgs))),
            (Prop.PY_SPECIFIER, first.specifier),
            (Prop.PY_MARKER, first.marker),
            (Prop.PY_EXTRAS, first.extras),
            (Prop.PY_EDITABLE, True if first.editable else None),
            (Prop.PY_GROUPS, list(dict.fromkeys(g for p in pkgs for g in p.groups))),
            (Prop.PY_DIRECT, True if any(p.direct for p in pkgs) else None),
        ]
        extra = [Property(name=k, value=v) for k, v in sorted(first.properties.items())]
        return Component(
            type=ComponentType.LIBRARY,
            name=first.name,
            version=first.version,
            bom_ref=ref,
            purl=PackageURL.from_string(first.purl),
            description=first.summary,
            author=first.author,
            scope=ComponentScope.OPTIONAL if all(p.optional for p in pkgs) else None,
            licenses=package_licenses(first),
            external_references=package_refs(first, hashes),
            properties=properties_of(pairs) + extra,
        )


# ---------------------------------------------------------------- assembly


def _package_groups(packages: Sequence[Package]) -> list[list[Package]]:
    groups: dict[tuple[str, str | None, str | None], list[Package]] = {}
    for pkg in packages:
        key = (
            pkg.normalized_name,
            pkg.version,
            None if pkg.version else (pkg.specifier or pkg.url),
        )
        groups.setdefault(key, []).append(pkg)
    return list(groups.values())


def build(inv: Inventory, root: Component, findings: Sequence[Finding]) -> Built:
    b = _Builder(inv)
    b.refs.used.add(str(root.bom_ref.value))
    b.bom.metadata.component = root
    models = [b.model(m) for m in inv.models]
    datasets = [b.dataset(d) for d in inv.datasets]
    base = [
        c for m in inv.models for repo in m.base_models if (c := b.base_model(repo)) is not None
    ]
    groups = _package_groups(inv.packages)
    packages = [b.package(g) for g in groups]
    # Files of interest outside any model or dataset (weights, archives, data, signatures, package
    # manifests): top-level file components, so that every file is in the BOM or a skipped entry.
    b.built.loose = [file_entry(a, a.display, b.refs) for a in inv.loose]
    b.built.package_components = packages
    for comp in packages:
        b.by_ref[str(comp.bom_ref.value)] = comp
    for comp in (*models, *datasets, *base):
        b.bom.components.add(comp)
        b.by_ref[str(comp.bom_ref.value)] = comp
    _model_cards(b, inv)
    _ancestry(b, inv, models)
    _dependencies(b, root, inv, models, datasets, packages, groups)
    for i, finding in enumerate(sorted(findings, key=Finding.sort_key), 1):
        affected = (
            b.refs.by_path.get(finding.path)
            or _owner_ref(b, finding.path)
            or str(root.bom_ref.value)
        )
        b.bom.vulnerabilities.add(vulnerability(finding, i, affected))
    return b.built


def _owner_ref(b: _Builder, path: str) -> str | None:
    best = ""
    for root in (*b.model_ref, *(k for k in b.dataset_ref)):
        if (path == root or path.startswith(root + "/")) and len(root) > len(best):
            best = root
    return b.model_ref.get(best) or b.dataset_ref.get(best) if best else None


def _model_cards(b: _Builder, inv: Inventory) -> None:
    for model in inv.models:
        ref = b.model_ref[model.root]
        weights = WeightsSummary(model.formats, model.parameter_count, model.dtypes)
        dataset_refs = [b.dataset_ref[k] for k in model.datasets if k in b.dataset_ref]
        b.built.model_cards[ref] = model_card(model.card, model.config, weights, dataset_refs)


def _ancestry(b: _Builder, inv: Inventory, models: list[Component]) -> None:
    for model, comp in zip(inv.models, models, strict=False):
        ancestors = []
        for repo in model.base_models:
            group, _, name = repo.rpartition("/")
            ancestors.append(
                Component(
                    type=ComponentType.MACHINE_LEARNING_MODEL,
                    name=name,
                    group=group or None,
                    purl=_hf_purl(repo, None),
                )
            )
        if ancestors:
            comp.pedigree = Pedigree(ancestors=ancestors)


def _dependencies(
    b: _Builder,
    root: Component,
    inv: Inventory,
    models: list[Component],
    datasets: list[Component],
    packages: list[Component],
    groups: list[list[Package]],
) -> None:
    by_ref = {str(c.bom_ref.value): c for c in (*models, *datasets)}
    top = [
        *models,
        *[d for d, e in zip(datasets, inv.datasets, strict=False) if e.source != "declared"],
    ]
    b.bom.register_dependency(root, top)
    for model, comp in zip(inv.models, models, strict=False):
        deps = [by_ref[b.dataset_ref[k]] for k in model.datasets if k in b.dataset_ref]
        deps += [
            c for r in model.base_models if (c := _component(b, b.hf_model_ref.get(r))) is not None
        ]
        b.bom.register_dependency(comp, deps)
    for group, comp in zip(groups, packages, strict=False):
        names = dict.fromkeys(n for p in group for n in p.dependencies)
        needs = [r for n in names for r in b.package_ref.get(n, [])[:1]]
        b.built.package_edges[str(comp.bom_ref.value)] = needs
    for comp in datasets:
        b.bom.register_dependency(comp, [])


def _component(b: _Builder, ref: str | None) -> Component | None:
    return b.by_ref.get(ref) if ref is not None else None
