"""A CycloneDX document (the JSON form ``aibom.bomdoc.read_bom`` returns) as an SPDX 3.0.1 document.

The document is built with the SPDX 3.0.1 object model of ``spdx_python_model`` (which checks types,
patterns and required properties) and serialised with its JSON-LD serialiser. Only what SPDX 3.0.1
defines is mapped (the table is in ``docs/spdx.md``); everything else is counted by its CycloneDX path
in ``SpdxExport.unmapped`` and named in the ``SpdxDocument``'s comment.

Identifiers are stable: the namespace is a UUID derived from the BOM's ``serialNumber`` and
``version`` (or, without a serial number, from the document's content), and each component's element
is named after its ``bom-ref`` (or its place in the document when it has none).

A BOM whose fields have the wrong JSON types, or whose values SPDX cannot hold, is refused with a
``UsageError`` that names the field: no partial document is returned.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote

from spdx_python_model.bindings import v3_0_1 as spdx

from aibom._version import __version__
from aibom.bomdoc.walk import nodes
from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.spdx import tables

SPEC_VERSION = "3.0.1"
NO_ASSERTION_LICENSE = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"
"""The SPDX individual for "no licence is asserted" (the BOM names none)."""
REPRODUCIBLE_PROPERTY = "aibom:scan:reproducible"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HYPERPARAMETER_PREFIX = "aibom:model:hyperparameter:"
FILE_KIND = "aibom:file:kind"
MAX_COMPONENTS = 100_000
"""Most components (nested ones included) one export holds. The SPDX object model takes about 9 KB
of memory per component (bench/spdx_convert.py: 50,000 file components peak at about 440 MB), so a
BOM near ``Limits.max_bom_components`` would need gigabytes: it is refused instead."""

_Artifact = spdx.software_SoftwareArtifact
_T = TypeVar("_T")

_COMPONENT_KEYS = frozenset(
    {
        "type", "bom-ref", "name", "version", "description", "purl", "cpe", "swhid", "omniborId",
        "hashes", "licenses", "supplier", "manufacturer", "authors", "author", "externalReferences",
        "copyright", "components", "pedigree", "modelCard", "data", "properties",
    }
)  # fmt: skip
_TOP_KEYS = frozenset(
    {
        "$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata", "components",
        "dependencies", "compositions", "externalReferences",
    }
)  # fmt: skip
_METADATA_KEYS = frozenset(
    {"timestamp", "tools", "authors", "manufacturer", "manufacture", "component", "lifecycles"}
)


@dataclass(frozen=True)
class Unmapped:
    """A CycloneDX field (array indices written ``[]``) with no SPDX 3.0.1 place, and how often the
    document holds it."""

    path: str
    count: int

    def __str__(self) -> str:
        return f"{self.path} ({self.count})"


@dataclass(frozen=True)
class SpdxExport:
    """The SPDX 3.0.1 JSON-LD document and what of the BOM it could not hold."""

    data: dict[str, Any]
    unmapped: tuple[Unmapped, ...]
    elements: int
    """How many SPDX elements the document holds."""

    def text(self) -> str:
        """The JSON-LD text (ASCII: every other character escaped), ending in a newline."""
        return json.dumps(self.data, indent=2) + "\n"


def convert(
    doc: Mapping[str, Any],
    limits: Limits = DEFAULT_LIMITS,
    *,
    max_components: int = MAX_COMPONENTS,
) -> SpdxExport:
    """``doc`` (a CycloneDX BOM as plain JSON data) as SPDX 3.0.1; ``UsageError`` when it cannot be
    (wrong JSON types, values SPDX refuses, more than ``max_components`` components)."""
    count = sum(1 for _ in nodes(doc, limits, metadata=True))
    if count > max_components:
        raise UsageError(
            f"the BOM has {count:,} components; the SPDX export holds at most {max_components:,}",
            hint="keep the CycloneDX form for a BOM this large, or scan fewer targets per BOM "
            "(aibom.spdx.convert.MAX_COMPONENTS)",
        )
    try:
        return _Converter(doc, limits).run()
    except ValueError as exc:  # the SPDX model refused a value (a pattern, a required property)
        raise UsageError(
            f"the BOM cannot be written as SPDX {SPEC_VERSION}: {str(exc)[:300]}",
            hint="the value comes from the BOM; fix it there",
        ) from None


def creation_time(doc: Mapping[str, Any]) -> datetime:
    """When the SPDX data was created: the BOM's ``metadata.timestamp``; else ``SOURCE_DATE_EPOCH``;
    else, for a BOM aibom wrote with ``--reproducible``, 1970-01-01T00:00:00Z (so the export stays
    reproducible); else now."""
    meta = _mapping(doc.get("metadata"), "metadata")
    stamp = meta.get("timestamp")
    if stamp is not None:
        return _parse_time(stamp)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a Unix timestamp") from None
    for prop in _list(meta.get("properties"), "metadata.properties"):
        if (
            isinstance(prop, dict)
            and prop.get("name") == REPRODUCIBLE_PROPERTY
            and prop.get("value") == "true"
        ):
            return EPOCH
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


# ---------------------------------------------------------------- field access


def _invalid(path: str, expected: str, value: object) -> UsageError:
    return UsageError(
        f"BOM field {path} is {type(value).__name__}, not {expected}",
        hint="the BOM does not follow the CycloneDX schema; nothing was written",
    )


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(path, "an object", value)
    return value


def _list(value: object, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid(path, "an array", value)
    return value


def _text(value: object, path: str) -> str | None:
    """A string value (``None`` when absent or blank)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(path, "a string", value)
    return value if value.strip() else None


def _texts(value: object, path: str) -> list[str]:
    items = (_text(v, f"{path}[]") for v in _list(value, path))
    return [v for v in items if v is not None]


def _parse_time(value: object) -> datetime:
    text = _text(value, "metadata.timestamp")
    try:
        if text is None:
            raise ValueError
        parsed = datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", text))
    except ValueError:
        raise UsageError(
            f"BOM field metadata.timestamp is not a date-time: {str(value)[:40]!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0)


def _namespace(doc: Mapping[str, Any]) -> str:
    """``urn:uuid:…`` for the SPDX document: from the serial number and version when there is one,
    else from the document's content, so the same BOM always gives the same identifiers."""
    serial = _text(doc.get("serialNumber"), "serialNumber")
    if serial is not None:
        seed = f"{serial}/{doc.get('version')}"
    else:
        seed = hashlib.sha256(json.dumps(doc, sort_keys=True).encode("ascii")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'aibom-spdx-{SPEC_VERSION}:{seed}')}"


def _fragment(text: str) -> str:
    return quote(text, safe="-._~!$&'()*+,;=:@/")


def _pointer_path(pointer: tuple[str | int, ...]) -> str:
    out = ""
    for part in pointer:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# ---------------------------------------------------------------- the conversion


@dataclass
class _Pending:
    """Relationships resolved once every component has its element."""

    element: spdx.Element
    component: Mapping[str, Any]
    path: str
    kind: str


@dataclass
class _Converter:
    doc: Mapping[str, Any]
    limits: Limits
    unmapped: Counter[str] = field(default_factory=Counter)
    elements: list[spdx.Element] = field(default_factory=list)
    by_ref: dict[str, _Artifact] = field(default_factory=dict)
    by_purl: dict[str, _Artifact] = field(default_factory=dict)
    agents: dict[tuple[str, ...], spdx.Agent] = field(default_factory=dict)
    licenses: dict[tuple[str, str], spdx.simplelicensing_LicenseExpression] = field(
        default_factory=dict
    )
    counters: Counter[str] = field(default_factory=Counter)
    pending: list[_Pending] = field(default_factory=list)
    completeness: dict[tuple[str, str], str] = field(default_factory=dict)
    """``(relationship type, bom-ref, then spdxId)`` to the completeness ``compositions`` gives."""
    top_level: list[_Artifact] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.base = _namespace(self.doc)
        self.ci = spdx.CreationInfo(specVersion=SPEC_VERSION, created=creation_time(self.doc))

    # ------------------------------------------------------------ ids and bookkeeping

    def _id(self, kind: str) -> str:
        self.counters[kind] += 1
        return f"{self.base}#{kind}/{self.counters[kind]}"

    def _skip(self, path: str, value: object = None) -> None:
        self.unmapped[path] += len(value) if isinstance(value, list) and value else 1

    def _leftovers(self, obj: Mapping[str, Any], handled: Iterable[str], prefix: str) -> None:
        known = set(handled)
        for key, value in obj.items():
            if key not in known and value not in (None, "", [], {}):
                self._skip(f"{prefix}.{key}", value)

    def _add(self, element: _T) -> _T:
        assert isinstance(element, spdx.Element)
        self.elements.append(element)
        return element

    def _relate(
        self, kind: str, source: spdx.Element, targets: list[Any], comment: str | None = None
    ) -> None:
        if not targets:
            return
        rel = spdx.Relationship(
            spdxId=self._id("relationship"),
            creationInfo=self.ci,
            from_=source,
            to=targets,
            relationshipType=spdx.RelationshipType.NAMED_INDIVIDUALS[kind],
        )
        done = self.completeness.get((kind, source.spdxId or ""))
        if done is not None:
            rel.completeness = spdx.RelationshipCompleteness.NAMED_INDIVIDUALS[done]
        if comment:
            rel.comment = comment
        self._add(rel)

    # ------------------------------------------------------------ the document

    def run(self) -> SpdxExport:
        doc = self.doc
        meta = _mapping(doc.get("metadata"), "metadata")
        self._creators(meta)
        self._compositions()
        root = self._components(meta)
        self._relationships()
        sbom = self._sbom(doc, meta, root)
        self._leftovers(doc, _TOP_KEYS, "")
        self._leftovers(meta, _METADATA_KEYS | {"licenses", "supplier"}, "metadata")
        document = self._document(doc, meta, sbom)
        objects = spdx.SHACLObjectSet([document, *self.elements])
        data = spdx.JSONLDSerializer().serialize_data(objects)
        assert isinstance(data, dict)
        unmapped = tuple(
            Unmapped(path.lstrip("."), count) for path, count in sorted(self.unmapped.items())
        )
        return SpdxExport(data=data, unmapped=unmapped, elements=len(self.elements) + 1)

    def _document(
        self, doc: Mapping[str, Any], meta: Mapping[str, Any], sbom: spdx.software_Sbom
    ) -> spdx.SpdxDocument:
        root = _mapping(meta.get("component"), "metadata.component")
        name = _text(root.get("name"), "metadata.component.name")
        serial = _text(doc.get("serialNumber"), "serialNumber")
        document = spdx.SpdxDocument(
            spdxId=self.base,
            creationInfo=self.ci,
            name=name or serial or "CycloneDX BOM",
            rootElement=[sbom],
            element=list(self.elements),
        )
        data_license = self._data_license(meta)
        if data_license is not None:
            document.dataLicense = data_license
        profiles = ["core", "software", "simpleLicensing"]
        if any(isinstance(e, spdx.ai_AIPackage) for e in self.elements):
            profiles.append("ai")
        if any(isinstance(e, spdx.dataset_DatasetPackage) for e in self.elements):
            profiles.append("dataset")
        document.profileConformance = [
            spdx.ProfileIdentifierType.NAMED_INDIVIDUALS[p] for p in profiles
        ]
        source = f"CycloneDX {doc.get('specVersion')} BOM"
        if serial:
            source += f" {serial} version {doc.get('version')}"
        comment = f"Converted by aibom {__version__} from the {source}."
        if self.unmapped:
            listed = "; ".join(f"{p.lstrip('.')} ({n})" for p, n in sorted(self.unmapped.items()))
            comment += f" Not mapped (no SPDX {SPEC_VERSION} equivalent): {listed}."
        document.comment = comment
        return document

    def _data_license(
        self, meta: Mapping[str, Any]
    ) -> spdx.simplelicensing_LicenseExpression | None:
        entries = _list(meta.get("licenses"), "metadata.licenses")
        if not entries:
            return None
        if len(entries) == 1:
            found = self._license(entries[0], "metadata.licenses[]")
            if found is not None:
                return found
        self._skip("metadata.licenses", entries)
        return None

    def _sbom(
        self, doc: Mapping[str, Any], meta: Mapping[str, Any], root: _Artifact | None
    ) -> spdx.software_Sbom:
        sbom = spdx.software_Sbom(
            spdxId=f"{self.base}#sbom", creationInfo=self.ci, element=list(self.elements)
        )
        if root is not None:
            sbom.rootElement = [root]
        else:
            sbom.rootElement = list(self.top_level)
        types: list[str] = []
        for i, stage in enumerate(_list(meta.get("lifecycles"), "metadata.lifecycles")):
            phase = _text(_mapping(stage, f"metadata.lifecycles[{i}]").get("phase"), "phase")
            mapped = tables.SBOM_TYPES.get(phase or "")
            if mapped is None:
                self._skip("metadata.lifecycles[]")
            elif spdx.software_SbomType.NAMED_INDIVIDUALS[mapped] not in types:
                types.append(spdx.software_SbomType.NAMED_INDIVIDUALS[mapped])
        sbom.software_sbomType = types
        sbom.externalRef = self._external_refs(doc, "externalReferences", None)
        return sbom

    # ------------------------------------------------------------ who made it

    def _creators(self, meta: Mapping[str, Any]) -> None:
        creators: list[spdx.Agent] = []
        for i, author in enumerate(_list(meta.get("authors"), "metadata.authors")):
            person = self._person(author, f"metadata.authors[{i}]", "metadata.authors[]")
            if person is not None:
                creators.append(person)
        for key in ("manufacturer", "manufacture"):
            if meta.get(key) is not None:
                org = self._organization(meta[key], f"metadata.{key}")
                if org is not None:
                    creators.append(org)
        if not creators:  # nobody is named: the converter made the SPDX data
            agent = spdx.SoftwareAgent(
                spdxId=self._id("agent"), creationInfo=self.ci, name=f"aibom {__version__}"
            )
            creators.append(self._add(agent))
        self.ci.createdBy = creators
        self.ci.createdUsing = self._tools(meta.get("tools"))

    def _tools(self, value: object) -> list[spdx.Tool]:
        if isinstance(value, dict):  # 1.5+: {components: [...], services: [...]}
            entries = [
                *_list(value.get("components"), "metadata.tools.components"),
                *_list(value.get("services"), "metadata.tools.services"),
            ]
        else:
            entries = _list(value, "metadata.tools")
        names: list[str] = []
        for entry in entries:
            tool = _mapping(entry, "metadata.tools[]")
            name = _text(tool.get("name"), "metadata.tools[].name")
            if name is None:
                continue
            version = _text(tool.get("version"), "metadata.tools[].version")
            self._leftovers(tool, ("name", "version"), "metadata.tools[]")
            label = f"{name} {version}" if version else name
            if label not in names:
                names.append(label)
        mine = f"aibom {__version__}"
        if mine not in names:
            names.append(mine)
        return [
            self._add(spdx.Tool(spdxId=self._id("tool"), creationInfo=self.ci, name=label))
            for label in names
        ]

    def _organization(self, value: object, path: str) -> spdx.Organization | None:
        entity = _mapping(value, path)
        name = _text(entity.get("name"), f"{path}.name")
        urls = _texts(entity.get("url"), f"{path}.url")
        general = re.sub(r"\[\d+\]", "[]", path)
        for extra in ("contact", "address", "bom-ref"):
            if entity.get(extra):
                self._skip(f"{general}.{extra}", entity[extra])
        if name is None and not urls:
            return None
        key = ("organization", name or "", *urls)
        known = self.agents.get(key)
        if isinstance(known, spdx.Organization):
            return known
        org = spdx.Organization(spdxId=self._id("agent"), creationInfo=self.ci)
        if name:
            org.name = name
        org.externalIdentifier = [
            spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.urlScheme, identifier=url
            )
            for url in urls
        ]
        self.agents[key] = self._add(org)
        return org

    def _person(self, value: object, path: str, general: str) -> spdx.Person | None:
        if isinstance(value, str):  # 1.2-1.5 ``author``: a plain name
            contact: Mapping[str, Any] = {"name": value}
        else:
            contact = _mapping(value, path)
        name = _text(contact.get("name"), f"{path}.name")
        email = _text(contact.get("email"), f"{path}.email")
        for extra in ("phone", "bom-ref"):
            if contact.get(extra):
                self._skip(f"{general}.{extra}")
        if name is None and email is None:
            return None
        key = ("person", name or "", email or "")
        known = self.agents.get(key)
        if isinstance(known, spdx.Person):
            return known
        person = spdx.Person(spdxId=self._id("agent"), creationInfo=self.ci)
        if name:
            person.name = name
        if email:
            person.externalIdentifier = [
                spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.email, identifier=email
                )
            ]
        self.agents[key] = self._add(person)
        return person

    # ------------------------------------------------------------ components

    def _compositions(self) -> None:
        for i, comp in enumerate(_list(self.doc.get("compositions"), "compositions")):
            entry = _mapping(comp, f"compositions[{i}]")
            aggregate = tables.COMPLETENESS.get(str(entry.get("aggregate")))
            if aggregate is None:
                self._skip("compositions[]")
                continue
            for key, kind in (("assemblies", "contains"), ("dependencies", "dependsOn")):
                for ref in _texts(entry.get(key), f"compositions[{i}].{key}"):
                    self.completeness[(kind, ref)] = aggregate
            self._leftovers(entry, ("aggregate", "assemblies", "dependencies"), "compositions[]")

    def _components(self, meta: Mapping[str, Any]) -> _Artifact | None:
        """One element per component (``metadata.component`` first), children related by
        ``contains``; returns the element of ``metadata.component``."""
        made: dict[tuple[str | int, ...], _Artifact] = {}
        children: dict[tuple[str | int, ...], list[_Artifact]] = {}
        root: _Artifact | None = None
        for node in nodes(self.doc, self.limits, metadata=True):
            path = _pointer_path(node.pointer)
            general = "metadata.component" if node.pointer[0] == "metadata" else "components[]"
            element = self._component(node.component, path, general)
            made[node.pointer] = element
            if node.pointer == ("metadata", "component"):
                root = element
                if meta.get("supplier") is not None:
                    supplier = self._organization(meta["supplier"], "metadata.supplier")
                    if supplier is not None:
                        element.suppliedBy = supplier
            elif len(node.pointer) == 2:
                self.top_level.append(element)
            else:
                children.setdefault(node.pointer[:-2], []).append(element)
        self.completeness = {
            (kind, self.by_ref[ref].spdxId or ""): done
            for (kind, ref), done in self.completeness.items()
            if ref in self.by_ref
        }
        for parent, kids in children.items():
            self._relate("contains", made[parent], list(kids))
        return root

    def _component(
        self,
        comp: Mapping[str, Any],
        path: str,
        general: str,
    ) -> _Artifact:
        ctype = _text(comp.get("type"), f"{path}.type")
        ref = _text(comp.get("bom-ref"), f"{path}.bom-ref")
        if ref is not None and ref not in self.by_ref:
            local = f"component/{_fragment(ref)}"
        else:
            if ref is not None:
                self._skip(f"{general}.bom-ref (duplicate)")
            local = f"component-at/{_fragment(path)}"
        spdx_id = f"{self.base}#{local}"
        element = self._new_element(ctype, spdx_id)
        self._add(element)
        if ref is not None and ref not in self.by_ref:
            self.by_ref[ref] = element
        purpose = tables.PURPOSES.get(ctype or "")
        if purpose is not None:
            element.software_primaryPurpose = spdx.software_SoftwarePurpose.NAMED_INDIVIDUALS[
                purpose
            ]
        elif ctype is not None:
            known = ctype == "cryptographic-asset"
            self._skip(f"{general}.type ({ctype if known else 'not a CycloneDX type'})")
        self._common(element, comp, path, general)
        if isinstance(element, spdx.ai_AIPackage) and comp.get("modelCard") is not None:
            self._model_card(element, _mapping(comp["modelCard"], f"{path}.modelCard"), path)
        elif comp.get("modelCard") is not None:
            self._skip(f"{general}.modelCard")
        if isinstance(element, spdx.dataset_DatasetPackage):
            self._data(element, _list(comp.get("data"), f"{path}.data"), path, general)
        elif comp.get("data"):
            self._skip(f"{general}.data", comp["data"])
        if comp.get("pedigree") is not None:
            self.pending.append(_Pending(element, comp, path, "pedigree"))
        self._leftovers(comp, _COMPONENT_KEYS, general)
        return element

    def _new_element(self, ctype: str | None, spdx_id: str) -> _Artifact:
        """The SPDX class for a CycloneDX component type."""
        if ctype == "machine-learning-model":
            return spdx.ai_AIPackage(spdxId=spdx_id, creationInfo=self.ci)
        if ctype == "data":
            return spdx.dataset_DatasetPackage(
                spdxId=spdx_id,
                creationInfo=self.ci,
                dataset_datasetType=[spdx.dataset_DatasetType.noAssertion],
            )
        if ctype == "file":
            return spdx.software_File(spdxId=spdx_id, creationInfo=self.ci)
        return spdx.software_Package(spdxId=spdx_id, creationInfo=self.ci)

    def _common(self, element: _Artifact, comp: Mapping[str, Any], path: str, general: str) -> None:
        name = _text(comp.get("name"), f"{path}.name")
        if name:
            element.name = name
        description = _text(comp.get("description"), f"{path}.description")
        if description:
            element.description = description
        copyright_text = _text(comp.get("copyright"), f"{path}.copyright")
        if copyright_text:
            element.software_copyrightText = copyright_text
        version = _text(comp.get("version"), f"{path}.version")
        package = element if isinstance(element, spdx.software_Package) else None
        if version and package is not None:
            package.software_packageVersion = version
        elif version:
            self._skip(f"{general}.version")
        identifiers: list[spdx.ExternalIdentifier] = []
        purl = _text(comp.get("purl"), f"{path}.purl")
        if purl:
            if package is not None:
                package.software_packageUrl = purl
            identifiers.append(_identifier("packageUrl", purl))
            self.by_purl.setdefault(purl, element)
        cpe = _text(comp.get("cpe"), f"{path}.cpe")
        if cpe:
            identifiers.append(_identifier("cpe23" if cpe.startswith("cpe:2.3:") else "cpe22", cpe))
        identifiers += [_identifier("swhid", s) for s in _texts(comp.get("swhid"), f"{path}.swhid")]
        identifiers += [
            _identifier("gitoid", s) for s in _texts(comp.get("omniborId"), f"{path}.omniborId")
        ]
        element.externalIdentifier = identifiers
        element.verifiedUsing = self._hashes(comp.get("hashes"), f"{path}.hashes", general)
        if comp.get("supplier") is not None:
            supplier = self._organization(comp["supplier"], f"{path}.supplier")
            if supplier is not None:
                element.suppliedBy = supplier
        element.originatedBy = self._originators(comp, path, general)
        element.externalRef = self._external_refs(comp, path, package)
        self._properties(element, comp, path, general)
        always = package is not None  # AI and Dataset profiles want both licence relationships
        self._license_relationships(element, comp.get("licenses"), path, general, always=always)

    def _originators(self, comp: Mapping[str, Any], path: str, general: str) -> list[spdx.Agent]:
        found: list[spdx.Agent] = []
        if comp.get("manufacturer") is not None:
            org = self._organization(comp["manufacturer"], f"{path}.manufacturer")
            if org is not None:
                found.append(org)
        for i, author in enumerate(_list(comp.get("authors"), f"{path}.authors")):
            person = self._person(author, f"{path}.authors[{i}]", f"{general}.authors[]")
            if person is not None:
                found.append(person)
        if comp.get("author") is not None:
            person = self._person(
                _text(comp["author"], f"{path}.author"), f"{path}.author", f"{general}.author"
            )
            if person is not None:
                found.append(person)
        return list(dict.fromkeys(found))

    def _hashes(self, value: object, path: str, general: str) -> list[spdx.IntegrityMethod]:
        out: list[spdx.IntegrityMethod] = []
        for i, entry in enumerate(_list(value, path)):
            item = _mapping(entry, f"{path}[{i}]")
            alg = _text(item.get("alg"), f"{path}[{i}].alg")
            content = _text(item.get("content"), f"{path}[{i}].content")
            if alg is None or content is None:
                self._skip(f"{general}.hashes[]")
                continue
            mapped = tables.HASH_ALGORITHMS.get(alg)
            digest = spdx.Hash(
                algorithm=spdx.HashAlgorithm.NAMED_INDIVIDUALS[mapped or "other"],
                hashValue=content,
            )
            if mapped is None:
                digest.comment = f"CycloneDX hash algorithm {alg[:40]}"
            out.append(digest)
        return out

    def _external_refs(
        self, owner: Mapping[str, Any], path: str, package: spdx.software_Package | None
    ) -> list[spdx.ExternalRef]:
        key = "externalReferences"
        where = path if path == key else f"{path}.{key}"
        general = "externalReferences[]" if path == key else "components[].externalReferences[]"
        out: list[spdx.ExternalRef] = []
        for i, entry in enumerate(_list(owner.get(key), where)):
            ref = _mapping(entry, f"{where}[{i}]")
            url = _text(ref.get("url"), f"{where}[{i}].url")
            kind = _text(ref.get("type"), f"{where}[{i}].type") or "other"
            if url is None:
                self._skip(general)
                continue
            if package is not None and self._package_location(package, kind, url):
                continue
            mapped = tables.EXTERNAL_REFERENCES.get(kind)
            item = spdx.ExternalRef(
                externalRefType=spdx.ExternalRefType.NAMED_INDIVIDUALS[mapped or "other"],
                locator=[url],
            )
            notes = [] if mapped is not None and kind != "model-card" else [f"CycloneDX {kind}"]
            comment = _text(ref.get("comment"), f"{where}[{i}].comment")
            if comment:
                notes.append(comment)
            if notes:
                item.comment = ": ".join(notes)
            if ref.get("hashes"):
                self._skip(f"{general}.hashes", ref["hashes"])
            out.append(item)
        return out

    @staticmethod
    def _package_location(package: spdx.software_Package, kind: str, url: str) -> bool:
        """The first ``website`` is the package's home page and the first ``distribution`` its
        download location; True when ``url`` was used so."""
        if kind == "website" and not package.software_homePage:
            package.software_homePage = url
            return True
        if kind == "distribution" and not package.software_downloadLocation:
            package.software_downloadLocation = url
            return True
        return False

    def _properties(
        self, element: _Artifact, comp: Mapping[str, Any], path: str, general: str
    ) -> None:
        for i, prop in enumerate(_list(comp.get("properties"), f"{path}.properties")):
            entry = _mapping(prop, f"{path}.properties[{i}]")
            name = _text(entry.get("name"), f"{path}.properties[{i}].name")
            value = _text(entry.get("value"), f"{path}.properties[{i}].value")
            kind = tables.FILE_KIND_PURPOSES.get(value or "") if name == FILE_KIND else None
            if isinstance(element, spdx.software_File) and kind is not None:
                element.software_additionalPurpose = [
                    spdx.software_SoftwarePurpose.NAMED_INDIVIDUALS[kind]
                ]
            else:
                self._skip(f"{general}.properties[]")

    # ------------------------------------------------------------ licences

    def _license(self, value: object, path: str) -> spdx.simplelicensing_LicenseExpression | None:
        entry = _mapping(value, path)
        expression = _text(entry.get("expression"), f"{path}.expression")
        url = ""
        note: str | None = None
        if expression is None:
            lic = _mapping(entry.get("license"), f"{path}.license")
            expression = _text(lic.get("id"), f"{path}.license.id")
            name = _text(lic.get("name"), f"{path}.license.name")
            link = _text(lic.get("url"), f"{path}.license.url")
            if expression is None and name is not None:
                slug = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-.")[:64] or "unnamed"
                expression = f"LicenseRef-{slug}"
                note = f"CycloneDX licence name: {name}"
                url = link or ""
            elif link:
                self._skip(f"{_general(path)}.license.url")
            for key in ("text", "licensing", "properties", "bom-ref"):
                if lic.get(key):
                    self._skip(f"{_general(path)}.license.{key}")
        if expression is None:
            self._skip(_general(path))
            return None
        known = self.licenses.get((expression, url))
        if known is not None:
            return known
        element = spdx.simplelicensing_LicenseExpression(
            spdxId=self._id("license"),
            creationInfo=self.ci,
            simplelicensing_licenseExpression=expression,
        )
        if note:
            element.comment = note
        if url:
            element.simplelicensing_customIdToUri = [
                spdx.DictionaryEntry(key=expression, value=url)
            ]
        self.licenses[(expression, url)] = self._add(element)
        return element

    def _license_relationships(
        self, element: _Artifact, value: object, path: str, general: str, *, always: bool
    ) -> None:
        declared: list[Any] = []
        concluded: list[Any] = []
        for i, entry in enumerate(_list(value, f"{path}.licenses")):
            item = _mapping(entry, f"{path}.licenses[{i}]")
            found = self._license(item, f"{path}.licenses[{i}]")
            if found is None:
                continue
            ack = item.get("acknowledgement") or _mapping(item.get("license"), "license").get(
                "acknowledgement"
            )
            (concluded if ack == "concluded" else declared).append(found)
        if always or declared:
            self._relate("hasDeclaredLicense", element, declared or [NO_ASSERTION_LICENSE])
        if always or concluded:
            self._relate("hasConcludedLicense", element, concluded or [NO_ASSERTION_LICENSE])

    # ------------------------------------------------------------ AI and dataset profiles

    def _model_card(self, model: spdx.ai_AIPackage, card: Mapping[str, Any], path: str) -> None:
        where = f"{path}.modelCard"
        general = "components[].modelCard"
        params = _mapping(card.get("modelParameters"), f"{where}.modelParameters")
        approach = _mapping(params.get("approach"), f"{where}.modelParameters.approach")
        learning = _text(approach.get("type"), f"{where}.modelParameters.approach.type")
        if learning:
            model.ai_informationAboutTraining = f"Learning approach: {learning}"
        model.ai_typeOfModel = list(
            dict.fromkeys(
                t
                for key in ("architectureFamily", "modelArchitecture")
                if (t := _text(params.get(key), f"{where}.modelParameters.{key}")) is not None
            )
        )
        considerations = _mapping(card.get("considerations"), f"{where}.considerations")
        application: list[str] = []
        task = _text(params.get("task"), f"{where}.modelParameters.task")
        if task:
            application.append(f"Task: {task}")
        for key, label in (("useCases", "Use case"), ("users", "Intended user")):
            for text in _texts(considerations.get(key), f"{where}.considerations.{key}"):
                application.append(f"{label}: {text}")
        if application:
            model.ai_informationAboutApplication = "\n".join(application)
        limits = _texts(
            considerations.get("technicalLimitations"),
            f"{where}.considerations.technicalLimitations",
        )
        if limits:
            model.ai_limitation = "\n".join(limits)
        self._energy(model, considerations, where)
        self._leftovers(
            considerations,
            ("useCases", "users", "technicalLimitations", "environmentalConsiderations"),
            f"{general}.considerations",
        )
        slices = self._metrics(model, card, where)
        self._leftovers(
            params,
            ("approach", "task", "architectureFamily", "modelArchitecture", "datasets"),
            f"{general}.modelParameters",
        )
        hyper: list[spdx.DictionaryEntry] = []
        for i, prop in enumerate(_list(card.get("properties"), f"{where}.properties")):
            entry = _mapping(prop, f"{where}.properties[{i}]")
            name = _text(entry.get("name"), f"{where}.properties[{i}].name") or ""
            value = _text(entry.get("value"), f"{where}.properties[{i}].value")
            if name.startswith(HYPERPARAMETER_PREFIX) and len(name) > len(HYPERPARAMETER_PREFIX):
                hyper.append(
                    spdx.DictionaryEntry(key=name[len(HYPERPARAMETER_PREFIX) :], value=value)
                )
            else:
                self._skip(f"{general}.properties[]")
        model.ai_hyperparameter = hyper
        self._leftovers(
            card,
            ("modelParameters", "considerations", "quantitativeAnalysis", "properties"),
            general,
        )
        datasets = _list(params.get("datasets"), f"{where}.modelParameters.datasets")
        if datasets:
            self.pending.append(
                _Pending(model, {"datasets": datasets, "slices": slices}, where, "datasets")
            )

    def _metrics(self, model: spdx.ai_AIPackage, card: Mapping[str, Any], where: str) -> list[str]:
        analysis = _mapping(card.get("quantitativeAnalysis"), f"{where}.quantitativeAnalysis")
        general = "components[].modelCard.quantitativeAnalysis"
        metrics: list[spdx.DictionaryEntry] = []
        slices: list[str] = []
        key = "performanceMetrics"
        for i, entry in enumerate(_list(analysis.get(key), f"{where}.quantitativeAnalysis.{key}")):
            at = f"{where}.quantitativeAnalysis.{key}[{i}]"
            metric = _mapping(entry, at)
            kind = _text(metric.get("type"), f"{at}.type")
            value = _text(metric.get("value"), f"{at}.value")
            part = _text(metric.get("slice"), f"{at}.slice")
            if kind is None and value is None:
                self._skip(f"{general}.{key}[]")
                continue
            label = kind or "metric"
            if part:
                label += f" [{part}]"
                slices.append(part)
            metrics.append(spdx.DictionaryEntry(key=label, value=value))
            self._leftovers(metric, ("type", "value", "slice"), f"{general}.{key}[]")
        model.ai_metric = metrics
        self._leftovers(analysis, (key,), general)
        return slices

    def _energy(
        self, model: spdx.ai_AIPackage, considerations: Mapping[str, Any], where: str
    ) -> None:
        env_path = f"{where}.considerations.environmentalConsiderations"
        env = _mapping(considerations.get("environmentalConsiderations"), env_path)
        general = "components[].modelCard.considerations.environmentalConsiderations"
        self._leftovers(env, ("energyConsumptions",), general)
        usage: dict[str, list[spdx.ai_EnergyConsumptionDescription]] = {}
        for i, entry in enumerate(
            _list(env.get("energyConsumptions"), f"{env_path}.energyConsumptions")
        ):
            at = f"{env_path}.energyConsumptions[{i}]"
            item = _mapping(entry, at)
            target = tables.ENERGY_ACTIVITIES.get(str(item.get("activity")))
            cost = _mapping(item.get("activityEnergyCost"), f"{at}.activityEnergyCost")
            amount = _quantity(cost.get("value"))
            if target is None or amount is None:
                self._skip(f"{general}.energyConsumptions[]")
                continue
            unit = "kilowattHour" if cost.get("unit") == "kWh" else "other"
            usage.setdefault(target, []).append(
                spdx.ai_EnergyConsumptionDescription(
                    ai_energyQuantity=amount,
                    ai_energyUnit=spdx.ai_EnergyUnitType.NAMED_INDIVIDUALS[unit],
                )
            )
            self._leftovers(
                item, ("activity", "activityEnergyCost"), f"{general}.energyConsumptions[]"
            )
        if usage:
            consumption = spdx.ai_EnergyConsumption()
            for target, values in usage.items():
                setattr(consumption, target, values)
            model.ai_energyConsumption = consumption

    def _data(
        self, dataset: spdx.dataset_DatasetPackage, entries: list[Any], path: str, general: str
    ) -> None:
        for i, entry in enumerate(entries):
            if i > 0:
                self._skip(f"{general}.data[] (beyond the first)")
                continue
            self._data_fields(
                dataset,
                _mapping(entry, f"{path}.data[{i}]"),
                f"{path}.data[{i}]",
                f"{general}.data[]",
            )

    def _data_fields(
        self,
        dataset: spdx.dataset_DatasetPackage,
        data: Mapping[str, Any],
        path: str,
        general: str,
    ) -> None:
        kind = _text(data.get("type"), f"{path}.type")
        if kind not in (None, "dataset"):
            known = kind in ("source-code", "configuration", "definition", "other")
            self._skip(f"{general}.type ({kind if known else 'not a CycloneDX type'})")
        name = _text(data.get("name"), f"{path}.name")
        if name and not dataset.name:
            dataset.name = name
        elif name and name != dataset.name:
            self._skip(f"{general}.name")
        description = _text(data.get("description"), f"{path}.description")
        if description and not dataset.description:
            dataset.description = description
        elif description and description != dataset.description:
            self._skip(f"{general}.description")
        contents = _mapping(data.get("contents"), f"{path}.contents")
        url = _text(contents.get("url"), f"{path}.contents.url")
        if url and not dataset.software_downloadLocation:
            dataset.software_downloadLocation = url
        elif url:
            self._skip(f"{general}.contents.url")
        self._leftovers(contents, ("url",), f"{general}.contents")
        self._leftovers(data, ("type", "name", "description", "contents"), general)

    # ------------------------------------------------------------ relationships between components

    def _relationships(self) -> None:
        for i, entry in enumerate(_list(self.doc.get("dependencies"), "dependencies")):
            dep = _mapping(entry, f"dependencies[{i}]")
            ref = _text(dep.get("ref"), f"dependencies[{i}].ref")
            source = self.by_ref.get(ref or "")
            targets = _texts(dep.get("dependsOn"), f"dependencies[{i}].dependsOn")
            if source is None:
                if targets:
                    self._skip("dependencies[].ref (unknown bom-ref)")
                continue
            found = [self.by_ref[t] for t in targets if t in self.by_ref]
            if len(found) < len(targets):
                self.unmapped["dependencies[].dependsOn[] (unknown bom-ref)"] += len(targets) - len(
                    found
                )
            self._relate("dependsOn", source, list(dict.fromkeys(found)))
            self._leftovers(dep, ("ref", "dependsOn"), "dependencies[]")
        for item in self.pending:
            if item.kind == "pedigree":
                self._pedigree(item)
            else:
                self._trained_on(item)

    def _linked(self, value: object, path: str, general: str) -> _Artifact | None:
        """The element for a component written inline (pedigree): the component with the same
        bom-ref or purl when there is one, else a new element."""
        comp = _mapping(value, path)
        ref = _text(comp.get("bom-ref"), f"{path}.bom-ref")
        if ref is not None and ref in self.by_ref:
            return self.by_ref[ref]
        purl = _text(comp.get("purl"), f"{path}.purl")
        if purl is not None and purl in self.by_purl:
            return self.by_purl[purl]
        if comp.get("components"):
            self._skip(f"{general}.components", comp["components"])
        return self._component(comp, path, general)

    def _pedigree(self, item: _Pending) -> None:
        where = f"{item.path}.pedigree"
        general = "components[].pedigree"
        pedigree = _mapping(item.component.get("pedigree"), where)
        for key, kind in (
            ("ancestors", "descendantOf"),
            ("descendants", "ancestorOf"),
            ("variants", "hasVariant"),
        ):
            entries = _list(pedigree.get(key), f"{where}.{key}")
            found = [
                self._linked(entry, f"{where}.{key}[{i}]", f"{general}.{key}[]")
                for i, entry in enumerate(entries)
            ]
            self._relate(kind, item.element, [e for e in found if e is not None])
        self._leftovers(pedigree, ("ancestors", "descendants", "variants"), general)

    def _trained_on(self, item: _Pending) -> None:
        """``modelParameters.datasets`` ("the datasets used to train and evaluate the model"):
        ``trainedOn`` each; ``testedOn`` also for a dataset a performance metric's slice names."""
        general = "components[].modelCard.modelParameters.datasets[]"
        slices = {
            re.sub(r"\s*\[[^\]]*\]$", "", s).strip().casefold() for s in item.component["slices"]
        }
        trained: list[_Artifact] = []
        tested: list[_Artifact] = []
        for i, entry in enumerate(item.component["datasets"]):
            at = f"{item.path}.modelParameters.datasets[{i}]"
            data = _mapping(entry, at)
            ref = _text(data.get("ref"), f"{at}.ref")
            target: _Artifact | None
            if ref is not None:
                target = self.by_ref.get(ref)
                if target is None:
                    self._skip(f"{general}.ref (unknown bom-ref)")
                    continue
            else:
                target = self._inline_dataset(data, at, general)
            trained.append(target)
            names = {(target.name or "").casefold(), (ref or "").casefold()} - {""}
            if names & slices:
                tested.append(target)
        note = (
            "CycloneDX modelCard.modelParameters.datasets lists the datasets used to train and "
            "evaluate the model without saying which"
        )
        self._relate("trainedOn", item.element, list(dict.fromkeys(trained)), note)
        self._relate(
            "testedOn",
            item.element,
            list(dict.fromkeys(tested)),
            "a performance metric of the model card names this dataset in its slice",
        )

    def _inline_dataset(self, data: Mapping[str, Any], at: str, general: str) -> _Artifact:
        dataset = spdx.dataset_DatasetPackage(
            spdxId=f"{self.base}#component-at/{_fragment(at)}",
            creationInfo=self.ci,
            dataset_datasetType=[spdx.dataset_DatasetType.noAssertion],
            software_primaryPurpose=spdx.software_SoftwarePurpose.data,
        )
        self._add(dataset)
        self._data_fields(dataset, data, at, general)
        self._license_relationships(dataset, None, at, general, always=True)
        return dataset


def _identifier(kind: str, value: str) -> spdx.ExternalIdentifier:
    return spdx.ExternalIdentifier(
        externalIdentifierType=spdx.ExternalIdentifierType.NAMED_INDIVIDUALS[kind],
        identifier=value,
    )


def _general(path: str) -> str:
    """``components[3].licenses[0]`` as ``components[].licenses[]``."""
    return re.sub(r"\[\d+\]", "[]", path)


def _quantity(value: object) -> float | None:
    """A finite, non-negative JSON number (an energy amount), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        amount = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return amount if math.isfinite(amount) and amount >= 0 else None
