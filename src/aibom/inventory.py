"""Inventory: group classified artifacts into models and datasets, attach cards, configs and packages.

Grouping rules (plain folders): a folder is a model root when it holds weights (or LFS pointers to
weights), a ``config.json``/``model_index.json`` or a shard index; the outermost such folder wins, so
sub-folders (diffusers components, sentence-transformers modules, ``onnx/``) belong to their model.
Folders with data files or a dataset card, outside any model, are datasets. In a Hugging Face cache each
snapshot is one model or dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aibom import packages
from aibom.artifacts import Artifact, Format, Kind
from aibom.cards import CardFacts, ConfigFacts, parse_card, parse_config
from aibom.findings import Finding, Skipped
from aibom.formats import CATALOG
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.packages.interface import Package
from aibom.sources.discover import HFSnapshot

_SHARD_RE = re.compile(r"-\d{5}-of-\d{5}(?=\.)")
_DATASET_CARD_KEYS = (b"task_categories:", b"dataset_info:", b"size_categories:", b"configs:")
_MODEL_CONFIGS = frozenset({"config.json", "model_index.json", "adapter_config.json"})
_HF_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class ModelEntry:
    name: str
    group: str | None
    root: str
    """Display path of the model folder (or the single file)."""
    source: str
    """``directory``, ``hf-cache`` or ``file``."""
    files: list[Artifact]
    snapshot: HFSnapshot | None = None
    card: CardFacts | None = None
    config: ConfigFacts | None = None
    formats: tuple[str, ...] = ()
    parameter_count: int | None = None
    dtypes: tuple[str, ...] = ()
    shard_count: int = 0
    weights_present: bool = True
    base_models: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    """Dataset keys (see ``DatasetEntry.key``) this model was trained or evaluated on."""
    extra_properties: list[tuple[str, str]] = field(default_factory=list)
    """Properties added by later stages (signature verification), written as given."""


@dataclass
class DatasetEntry:
    key: str
    """Hugging Face id when known, else the display root."""
    name: str
    group: str | None
    source: str
    """``directory``, ``hf-cache`` or ``declared`` (named by a card only)."""
    files: list[Artifact] = field(default_factory=list)
    root: str | None = None
    snapshot: HFSnapshot | None = None
    card: CardFacts | None = None
    declared_by: list[str] = field(default_factory=list)
    """Roots of the models whose cards name this dataset."""
    extra_properties: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Inventory:
    models: list[ModelEntry] = field(default_factory=list)
    datasets: list[DatasetEntry] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    loose: list[Artifact] = field(default_factory=list)
    """Artifacts of interest outside any model or dataset (weights, archives, data, signatures)."""
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def build_inventory(
    artifacts: Sequence[Artifact],
    snapshots: Sequence[HFSnapshot],
    packages: Sequence[Package] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Inventory:
    inv = Inventory(packages=list(packages))
    by_snapshot: dict[str, list[Artifact]] = {}
    plain: list[Artifact] = []
    for art in artifacts:
        hf = art.ref.hf
        if hf is not None:
            key = art.display[: len(art.display) - len(art.ref.relpath) - 1]
            by_snapshot.setdefault(key, []).append(art)
        else:
            plain.append(art)
    for snap in snapshots:
        files = by_snapshot.get(snap.display, [])
        if snap.repo_type == "dataset":
            inv.datasets.append(_hf_dataset(snap, files, inv, limits))
        else:
            inv.models.append(_hf_model(snap, files, inv, limits))
    _group_plain(plain, inv, limits)
    _link_declared_datasets(inv)
    return inv


# ---------------------------------------------------------------- Hugging Face snapshots


def _split_id(repo_id: str) -> tuple[str | None, str]:
    org, _, name = repo_id.rpartition("/")
    return (org or None), name


def _hf_model(
    snap: HFSnapshot, files: list[Artifact], inv: Inventory, limits: Limits
) -> ModelEntry:
    group, name = _split_id(snap.repo_id)
    model = ModelEntry(name, group, snap.display, "hf-cache", files, snapshot=snap)
    _describe_model(model, inv, limits)
    return model


def _hf_dataset(
    snap: HFSnapshot, files: list[Artifact], inv: Inventory, limits: Limits
) -> DatasetEntry:
    group, name = _split_id(snap.repo_id)
    entry = DatasetEntry(snap.repo_id, name, group, "hf-cache", files, snap.display, snapshot=snap)
    entry.card = _card(files, "dataset", inv, limits, snap.display)
    return entry


# ---------------------------------------------------------------- plain folders


def _parent(relpath: str) -> str:
    return relpath.rpartition("/")[0]


def _root_of(display: str, relpath: str) -> str:
    return display[: len(display) - len(relpath)].rstrip("/")


def _is_model_marker(art: Artifact) -> bool:
    name = art.ref.relpath.rpartition("/")[2]
    if art.kind in (Kind.WEIGHTS, Kind.INDEX):
        return True
    if art.kind is Kind.LFS_POINTER:
        return True
    return art.kind is Kind.CONFIG and name in _MODEL_CONFIGS


def _is_dataset_marker(art: Artifact) -> bool:
    if art.kind is Kind.DATASET:
        return True
    if art.kind is Kind.CARD and art.head.startswith(b"---"):
        return any(key in art.head for key in _DATASET_CARD_KEYS)
    return False


def _outermost(dirs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for target, d in sorted(dirs, key=lambda td: (td[0], td[1].count("/"), td[1])):
        if not any(t == target and (r == "" or d.startswith(r + "/")) for t, r in out):
            out.add((target, d))
    return out


def _owner(art_dir: tuple[str, str], roots: set[tuple[str, str]]) -> tuple[str, str] | None:
    target, d = art_dir
    while True:
        if (target, d) in roots:
            return (target, d)
        if not d:
            return None
        d = _parent(d)


def _group_plain(plain: list[Artifact], inv: Inventory, limits: Limits) -> None:
    def where(a: Artifact) -> tuple[str, str]:
        if a.display == a.ref.relpath:  # a file given as a target: its own group
            return (a.display, "")
        return (_root_of(a.display, a.ref.relpath), _parent(a.ref.relpath))

    model_roots = _outermost({where(a) for a in plain if _is_model_marker(a)})
    data_dirs = {where(a) for a in plain if _is_dataset_marker(a)}
    data_roots = _outermost({d for d in data_dirs if _owner(d, model_roots) is None})
    groups: dict[tuple[str, str], list[Artifact]] = {}
    for art in plain:
        owner = _owner(where(art), model_roots) or _owner(where(art), data_roots)
        if owner is None:
            # package manifests are loose files too: the packages they name are in the BOM
            if art.kind in _LOOSE_KINDS or packages.input_kind(Path(art.ref.relpath)):
                inv.loose.append(art)
            else:  # accounted for, never silently dropped (it was inspected like every file)
                reason = (
                    f"not inventoried: {art.format.value} ({art.kind.value}) outside any model or "
                    "dataset folder"
                )
                inv.skipped.append(Skipped(art.display, reason, deliberate=True))
            continue
        groups.setdefault(owner, []).append(art)
    for (target, d), files in sorted(groups.items()):
        if (target, d) in model_roots:
            inv.models.append(_plain_model(target, d, files, inv, limits))
        else:
            inv.datasets.append(_plain_dataset(target, d, files, inv, limits))


_LOOSE_KINDS = frozenset(
    {Kind.WEIGHTS, Kind.ARCHIVE, Kind.DATASET, Kind.LFS_POINTER, Kind.SIGNATURE, Kind.TOKENIZER}
)


def _plain_model(
    target: str, d: str, files: list[Artifact], inv: Inventory, limits: Limits
) -> ModelEntry:
    root = f"{target}/{d}" if d else target
    single = len(files) == 1 and files[0].display == target and not d
    name = PurePosixPath(root).name
    if single:
        name = PurePosixPath(name).stem
    model = ModelEntry(name, None, root, "file" if single else "directory", files)
    _describe_model(model, inv, limits)
    return model


def _plain_dataset(
    target: str, d: str, files: list[Artifact], inv: Inventory, limits: Limits
) -> DatasetEntry:
    root = f"{target}/{d}" if d else target
    name = PurePosixPath(root).name
    entry = DatasetEntry(root, name, None, "directory", files, root)
    entry.card = _card(files, "dataset", inv, limits, root)
    return entry


# ---------------------------------------------------------------- model facts


def _top_file(
    files: list[Artifact], names: frozenset[str] | set[str], root: str
) -> Artifact | None:
    for art in files:
        rel = art.display[len(root) :].lstrip("/")
        if rel.lower() in names:
            return art
    return None


def _card(
    files: list[Artifact], kind: str, inv: Inventory, limits: Limits, root: str
) -> CardFacts | None:
    art = _top_file(files, {"readme.md"}, root)
    if art is None or art.format is Format.LFS_POINTER:
        return None
    facts, findings = parse_card(
        art.ref.path, art.display, "dataset" if kind == "dataset" else "model", limits
    )
    inv.findings.extend(findings)
    return facts


def _describe_model(model: ModelEntry, inv: Inventory, limits: Limits) -> None:
    model.card = _card(model.files, "model", inv, limits, model.root)
    cfg = _top_file(model.files, {"config.json"}, model.root)
    if cfg is not None and cfg.format is Format.JSON:
        model.config, findings = parse_config(cfg.ref.path, cfg.display, limits)
        inv.findings.extend(findings)
    _summarise_weights(model)
    if model.card is not None:
        model.base_models = list(model.card.base_models)
        model.datasets = list(model.card.datasets)


def _summarise_weights(model: ModelEntry) -> None:
    weights = [
        a for a in model.files if a.format in CATALOG.weight_formats and a.kind is Kind.WEIGHTS
    ]
    model.formats = tuple(sorted({a.format.value for a in weights}))
    model.shard_count = sum(1 for a in weights if _SHARD_RE.search(a.ref.relpath))
    model.weights_present = bool(weights)
    dtypes: set[str] = set()
    total = 0
    counted = False
    for art in _primary_variant(a for a in weights if a.format is Format.SAFETENSORS):
        count = art.facts.get("parameter_count")
        if isinstance(count, int):
            total += count
            counted = True
        found = art.facts.get("dtypes")
        if isinstance(found, list):
            dtypes.update(str(d) for d in found)
    model.parameter_count = total if counted else None
    model.dtypes = tuple(sorted(dtypes))


def _primary_variant(files: Iterable[Artifact]) -> list[Artifact]:
    """Per folder, one set of shards: ``model.safetensors`` and ``model.fp16.safetensors`` hold the same
    parameters twice. Prefer the variant without a dotted qualifier, then the first by name."""
    by_dir: dict[str, dict[str, list[Artifact]]] = {}
    for art in files:
        path = PurePosixPath(art.ref.relpath)
        variant = _SHARD_RE.sub("", path.name)
        by_dir.setdefault(path.parent.as_posix(), {}).setdefault(variant, []).append(art)
    chosen: list[Artifact] = []
    for variants in by_dir.values():
        best = sorted(variants, key=lambda v: (v.count("."), v))[0]
        chosen.extend(variants[best])
    return chosen


# ---------------------------------------------------------------- datasets named by cards


def _link_declared_datasets(inv: Inventory) -> None:
    known = {d.key: d for d in inv.datasets}
    for model in inv.models:
        keys: list[str] = []
        for declared in model.datasets:
            key = declared.strip()
            if not key:
                continue
            entry = known.get(key)
            if entry is None:
                group, name = _split_id(key) if _HF_ID_RE.match(key) else (None, key)
                entry = DatasetEntry(key, name, group, "declared")
                known[key] = entry
                inv.datasets.append(entry)
            entry.declared_by.append(model.root)
            keys.append(key)
        model.datasets = list(dict.fromkeys(keys))
