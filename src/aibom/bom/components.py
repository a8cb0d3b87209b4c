"""CycloneDX parts shared by the BOM builder: bom-refs, properties, licences, file and package pieces,
and findings as vulnerabilities."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from urllib.parse import quote

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)

from aibom.artifacts import Artifact
from aibom.cards import CardFacts
from aibom.findings import Finding, Severity
from aibom.iri import is_iri_reference, safe_url
from aibom.packages.interface import Package, PackageHash
from aibom.properties import Prop

SEVERITY = {
    Severity.INFO: VulnerabilitySeverity.INFO,
    Severity.LOW: VulnerabilitySeverity.LOW,
    Severity.MEDIUM: VulnerabilitySeverity.MEDIUM,
    Severity.HIGH: VulnerabilitySeverity.HIGH,
    Severity.CRITICAL: VulnerabilitySeverity.CRITICAL,
}


class Refs:
    """Unique, deterministic bom-refs."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.by_path: dict[str, str] = {}

    def new(self, wanted: str) -> str:
        ref, n = wanted, 1
        while ref in self.used:
            n += 1
            ref = f"{wanted}#{n}"
        self.used.add(ref)
        return ref


def prop(name: Prop, value: object) -> Property:
    return Property(name=name.value, value=str(value))


def properties_of(pairs: Iterable[tuple[Prop, object]]) -> list[Property]:
    out = []
    for name, value in pairs:
        if value is None or value in ("", (), []):
            continue
        if isinstance(value, (list, tuple)):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        out.append(prop(name, text))
    return out


# ---------------------------------------------------------------- licences


def card_licenses(card: CardFacts | None) -> list[LicenseExpression | DisjunctiveLicense]:
    if card is None:
        return []
    if card.license:
        if any(op in card.license for op in (" AND ", " OR ", " WITH ")):
            return [LicenseExpression(card.license)]
        return [DisjunctiveLicense(id=card.license)]
    if card.license_name:
        link = safe_url(card.license_link)
        return [DisjunctiveLicense(name=card.license_name, url=XsUri(link) if link else None)]
    return []


# ---------------------------------------------------------------- files


def file_entry(art: Artifact, name: str, refs: Refs) -> dict[str, object]:
    """A file component in its CycloneDX JSON form, spliced into the document after serialization
    (``aibom.bom.document.splice``). Files are most of a big BOM, and cyclonedx-python-lib keeps
    components in sorted sets compared field by field: 20,000 file components took about a minute
    there. The dict is what the library would write: keys, properties and their order included."""
    ref = refs.new(f"file:{art.display}")
    refs.by_path[art.display] = ref
    pairs: list[tuple[Prop, object]] = [
        (Prop.FILE_KIND, art.kind.value),
        (Prop.FILE_FORMAT, art.format.value),
        (Prop.FILE_FORMAT_EVIDENCE, art.evidence),
        (Prop.FILE_SIZE, art.size),
        (Prop.GIT_BLOB_SHA1, art.digests.git_sha1 if art.digests else None),
        (Prop.LFS_OID, art.facts.get("lfs_oid")),
        (Prop.LFS_SIZE, art.facts.get("lfs_size")),
    ]
    if art.coverage is not None:
        pairs += [
            (Prop.FILE_COVERAGE, art.coverage.status.value),
            (Prop.FILE_COVERAGE_BYTES, art.coverage.bytes_text()),
            (Prop.FILE_COVERAGE_LIMITS, list(art.coverage.reasons)),
        ]
    props = [(p.name, p.value or "") for p in properties_of(pairs)]
    props += [(n, v) for n, v in art.extra_properties]
    props += fact_properties(art.facts)
    entry: dict[str, object] = {"bom-ref": ref}
    if art.digests:
        entry["hashes"] = [{"alg": "SHA-256", "content": art.digests.sha256}]
    entry["name"] = name
    ordered = sorted(dict.fromkeys(props))  # the library's set: sorted by (name, value), no repeats
    if ordered:
        entry["properties"] = [{"name": n, "value": v} for n, v in ordered]
    entry["type"] = "file"
    return entry


def library_order(comp: dict[str, object]) -> tuple[object, ...]:
    """cyclonedx-python-lib's component order, for components spliced in as JSON: type, group, name,
    version (a missing one last), then bom-ref (unique, so nothing after it counts)."""
    group, version = comp.get("group"), comp.get("version")
    return (
        str(comp.get("type", "")),
        group is None,
        str(group or ""),
        str(comp.get("name", "")),
        version is None,
        str(version or ""),
        str(comp.get("bom-ref", "")),
    )


def fact_properties(facts: dict[str, object]) -> list[tuple[str, str]]:
    """Format facts with a documented property (GGUF architecture, ONNX opsets, Keras version...)."""
    from aibom.formats.properties import FACT_PROPERTIES

    out: list[tuple[str, str]] = []
    for key, name in FACT_PROPERTIES.items():
        value = facts.get(key)
        if value is None or value in ("", [], {}):
            continue
        if isinstance(value, dict):
            text = ", ".join(
                f"{k}:{v}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            )
        elif isinstance(value, (list, tuple)):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        out.append((name, text))
    return out


def inner_name(art: Artifact, root: str) -> str:
    return art.display[len(root) :].lstrip("/") or PurePosixPath(art.display).name


def package_licenses(pkg: Package) -> list[LicenseExpression | DisjunctiveLicense]:
    if pkg.license_expression:
        expr = pkg.license_expression
        if any(op in expr for op in (" AND ", " OR ", " WITH ")):
            return [LicenseExpression(expr)]
        return [DisjunctiveLicense(id=expr)]
    return [DisjunctiveLicense(name=name) for name in pkg.license_names[:1]]


def package_refs(pkg: Package, hashes: Sequence[PackageHash]) -> list[ExternalReference]:
    out: list[ExternalReference] = []
    if pkg.url and "://" in pkg.url and is_iri_reference(pkg.url):
        kind = (
            ExternalReferenceType.VCS
            if pkg.url.startswith(("git+", "hg+", "svn+", "bzr+"))
            else ExternalReferenceType.DISTRIBUTION
        )
        out.append(ExternalReference(type=kind, url=XsUri(pkg.url)))
    if hashes:
        url = "https://pypi.org/project/" + quote(pkg.normalized_name, safe="") + "/"
        url += quote(pkg.version, safe="") + "/" if pkg.version else ""
        cdx = [hash_of(h) for h in hashes]
        out.append(
            ExternalReference(
                type=ExternalReferenceType.DISTRIBUTION,
                url=XsUri(url),
                comment="hashes of the distribution files the lock or requirements file allows",
                hashes=[h for h in cdx if h is not None],
            )
        )
    return out


HASH_ALGORITHMS = {
    "SHA-256": HashAlgorithm.SHA_256,
    "SHA-384": HashAlgorithm.SHA_384,
    "SHA-512": HashAlgorithm.SHA_512,
    "SHA-1": HashAlgorithm.SHA_1,
    "MD5": HashAlgorithm.MD5,
}


def hash_of(h: PackageHash) -> HashType | None:
    alg = HASH_ALGORITHMS.get(h.alg)
    return HashType(alg=alg, content=h.value) if alg is not None else None


# ---------------------------------------------------------------- findings


def vulnerability(finding: Finding, index: int, affected: str) -> Vulnerability:
    check = finding.check
    props = properties_of(
        [
            (Prop.FILE_PATH, finding.path),
            (Prop.FINDING_MEMBER, finding.member),
            (Prop.FINDING_OFFSET, finding.offset),
            (Prop.FINDING_EVIDENCE, finding.evidence),
            (Prop.FINDING_CHECK_NAME, check.name),
        ]
    )
    return Vulnerability(
        bom_ref=f"finding:{index}",
        id=check.id,
        source=VulnerabilitySource(name="aibom"),
        ratings=[
            VulnerabilityRating(
                source=VulnerabilitySource(name="aibom"),
                severity=SEVERITY[finding.effective_severity],
                method=VulnerabilityScoreSource.OTHER,
                justification=check.title,
            )
        ],
        cwes=[check.cwe] if check.cwe else None,
        description=finding.message,
        detail=check.help,
        recommendation=check.remediation,
        affects=[BomTarget(ref=affected)],
        properties=props,
    )
