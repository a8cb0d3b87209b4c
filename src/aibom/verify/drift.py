"""Drift: what changed in the models and datasets since an earlier BOM.

The earlier BOM is any CycloneDX document ``aibom.bomdoc.read_bom`` accepts (JSON or XML, 1.2-1.7,
whoever wrote it), as plain data. Models are matched by Hugging Face repository id
(``aibom:hf:repo-id``, a ``pkg:huggingface`` purl, or group/name for Hub models) or else by group and
name; their files, nested ``file`` components named by their path inside the model, by SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aibom.artifacts import Artifact
from aibom.bomdoc.walk import components
from aibom.checks.verify import BOM_DRIFT
from aibom.findings import Finding
from aibom.inventory import DatasetEntry, Inventory, ModelEntry
from aibom.limits import DEFAULT_LIMITS, Limits

_GROUP_TYPES = {"machine-learning-model": "model", "data": "dataset"}


@dataclass(frozen=True)
class Entity:
    kind: str
    """``model`` or ``dataset``."""
    key: str
    name: str
    revision: str | None
    files: dict[str, str | None]
    """Path inside the entity -> SHA-256 (None when the earlier BOM gave no SHA-256)."""
    tag: str | None = None
    """Tells apart entities with the same key: the revision (Hub), else the folder (aibom bom-ref)."""


@dataclass
class EntityDrift:
    kind: str
    key: str
    old_revision: str | None
    new_revision: str | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Files the earlier BOM lists without a SHA-256: not comparable."""

    @property
    def revision_changed(self) -> bool:
        return self.old_revision != self.new_revision

    @property
    def drifted(self) -> bool:
        return self.revision_changed or bool(self.added or self.removed or self.changed)


@dataclass
class DriftReport:
    spec_version: str
    entities: list[EntityDrift] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    """Models or datasets present now but not in the earlier BOM (``kind:key``)."""
    removed: list[str] = field(default_factory=list)

    @property
    def has_drift(self) -> bool:
        return bool(self.added or self.removed or any(e.drifted for e in self.entities))

    def to_dict(self) -> dict[str, object]:
        return {
            "drift": self.has_drift,
            "old_spec_version": self.spec_version,
            "added": self.added,
            "removed": self.removed,
            "changed": [_entity_dict(e) for e in self.entities if e.drifted or e.unknown],
        }

    def findings(self) -> list[Finding]:
        """One BOM_DRIFT finding per model or dataset that changed, appeared or disappeared."""
        out = [Finding(BOM_DRIFT, key, "not in the earlier BOM") for key in self.added]
        out += [Finding(BOM_DRIFT, key, "gone since the earlier BOM") for key in self.removed]
        for e in self.entities:
            if e.drifted:
                parts = [
                    f"{len(e.added)} added",
                    f"{len(e.removed)} removed",
                    f"{len(e.changed)} changed",
                ]
                text = "files " + ", ".join(parts)
                if e.revision_changed:
                    text += f"; revision {e.old_revision or '-'} -> {e.new_revision or '-'}"
                out.append(Finding(BOM_DRIFT, f"{e.kind}:{e.key}", text))
        return out

    def render_text(self) -> str:
        if not self.has_drift:
            return "drift: none (same models, revisions and file digests as the earlier BOM)\n"
        lines = ["drift:"]
        lines += [f"  + {key} (not in the earlier BOM)" for key in self.added]
        lines += [f"  - {key} (gone since the earlier BOM)" for key in self.removed]
        for e in self.entities:
            if not e.drifted:
                continue
            lines.append(f"  ~ {e.kind}:{e.key}")
            if e.revision_changed:
                lines.append(f"      revision {e.old_revision or '-'} -> {e.new_revision or '-'}")
            lines += [f"      + {p}" for p in e.added]
            lines += [f"      - {p}" for p in e.removed]
            lines += [f"      ~ {p} (SHA-256 changed)" for p in e.changed]
        return "\n".join(lines) + "\n"


def _entity_dict(e: EntityDrift) -> dict[str, object]:
    return {
        "kind": e.kind,
        "key": e.key,
        "old_revision": e.old_revision,
        "new_revision": e.new_revision,
        "files_added": e.added,
        "files_removed": e.removed,
        "files_changed": e.changed,
        "files_not_comparable": e.unknown,
    }


# ---------------------------------------------------------------- the earlier BOM's side


def _prop(comp: Mapping[str, Any], name: str) -> str | None:
    for p in comp.get("properties") or ():
        if isinstance(p, dict) and p.get("name") == name and isinstance(p.get("value"), str):
            return str(p["value"])
    return None


def _sha256(comp: Mapping[str, Any]) -> str | None:
    for h in comp.get("hashes") or ():
        if isinstance(h, dict) and h.get("alg") == "SHA-256" and isinstance(h.get("content"), str):
            return str(h["content"]).lower()
    return None


def _hf_id(comp: Mapping[str, Any]) -> str | None:
    repo = _prop(comp, "aibom:hf:repo-id")
    purl = comp.get("purl")
    if repo is None and isinstance(purl, str) and purl.startswith("pkg:huggingface/"):
        repo = purl.removeprefix("pkg:huggingface/").split("@", 1)[0].split("?", 1)[0]
    return repo


def _old_key(comp: Mapping[str, Any]) -> str:
    repo = _hf_id(comp)
    if repo:
        return repo
    group, name = comp.get("group"), str(comp.get("name", ""))
    return f"{group}/{name}" if group else name


def old_entities(doc: Mapping[str, Any], limits: Limits = DEFAULT_LIMITS) -> list[Entity]:
    out = []
    for comp in components(doc, limits):
        kind = _GROUP_TYPES.get(str(comp.get("type")))
        if kind is None or _prop(comp, "aibom:model:source") == "declared":
            continue
        files = {
            str(f.get("name", "")): _sha256(f)
            for f in comp.get("components") or ()
            if isinstance(f, dict) and f.get("type") == "file"
        }
        revision = _str(_prop(comp, "aibom:hf:commit") or comp.get("version"))
        key = _old_key(comp)
        ref = str(comp.get("bom-ref", ""))
        tag = revision if _hf_id(comp) else ref.split(":", 1)[-1]
        out.append(Entity(kind, key, str(comp.get("name", "")), revision, files, tag))
    return out


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------- the scan's side


def _inner(display: str, root: str) -> str:
    return display[len(root) :].lstrip("/") or display.rsplit("/", 1)[-1]


def _new_entity(kind: str, entry: ModelEntry | DatasetEntry, root: str) -> Entity:
    snap = entry.snapshot
    key = snap.repo_id if snap else (f"{entry.group}/{entry.name}" if entry.group else entry.name)
    files = {_inner(a.display, root): a.digests.sha256 if a.digests else None for a in entry.files}
    revision = snap.commit if snap else None
    return Entity(kind, key, entry.name, revision, files, revision if snap else root)


def new_entities(inventory: Inventory) -> list[Entity]:
    models = [_new_entity("model", m, m.root) for m in inventory.models]
    datasets = [
        _new_entity("dataset", d, d.root or "")
        for d in inventory.datasets
        if d.source != "declared"
    ]
    return models + datasets


# ---------------------------------------------------------------- comparison


def drift(
    old_doc: Mapping[str, Any], inventory: Inventory, artifacts: Sequence[Artifact]
) -> DriftReport:
    """What changed between ``old_doc`` (as ``aibom.bomdoc.read_bom`` returns it) and the scan's
    ``inventory``. Files are compared by the digests already on the inventory's artifacts, so
    ``artifacts`` is not read again (it is part of the signature every verifier shares)."""
    report = DriftReport(str(old_doc.get("specVersion")))
    old = _by_key(old_entities(old_doc))
    new = _by_key(new_entities(inventory))
    for key in sorted(set(old) | set(new)):
        olds, news = old.get(key, []), new.get(key, [])
        for before, after in _pair(olds, news):
            if before is None and after is not None:
                report.added.append(key + _at(after))
            elif after is None and before is not None:
                report.removed.append(key + _at(before))
            elif before is not None and after is not None:
                report.entities.append(_compare(before, after))
    return report


def _at(e: Entity) -> str:
    return f"@{e.revision}" if e.revision else ""


def _by_key(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    out: dict[str, list[Entity]] = {}
    for e in entities:
        out.setdefault(f"{e.kind}:{e.key}", []).append(e)
    return out


def _pair(olds: list[Entity], news: list[Entity]) -> list[tuple[Entity | None, Entity | None]]:
    """One each: the same model, whatever its revision. Several (two snapshots of one repository, two
    folders holding models of one name): paired by tag; the rest are added or removed."""
    if len(olds) == 1 and len(news) == 1:
        return [(olds[0], news[0])]
    remaining = list(news)
    pairs: list[tuple[Entity | None, Entity | None]] = []
    for e in olds:
        match = next((n for n in remaining if n.tag == e.tag), None)
        if match is not None:
            remaining.remove(match)
        pairs.append((e, match))
    pairs += [(None, e) for e in remaining]
    return pairs


def _compare(before: Entity, after: Entity) -> EntityDrift:
    d = EntityDrift(before.kind, after.key, before.revision, after.revision)
    for path in sorted(set(before.files) | set(after.files)):
        if path not in before.files:
            d.added.append(path)
        elif path not in after.files:
            d.removed.append(path)
        elif before.files[path] is None:
            d.unknown.append(path)
        elif before.files[path] != after.files[path]:
            d.changed.append(path)
    return d
