"""The pipeline: discover -> hash & classify -> inspect -> packages -> inventory -> BOM.

The only module that knows every stage. It returns values; it never prints, writes files or exits.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aibom import packages, verify
from aibom._version import __version__
from aibom.artifacts import Artifact, FileRef
from aibom.bom.build import build, prop
from aibom.bom.document import DocumentOptions, render_document
from aibom.classify import classify
from aibom.discover import Discovery, discover
from aibom.findings import Finding, Severity, Skipped
from aibom.formats import inspect_artifact
from aibom.hashing import DigestCache, default_cache_dir, hash_files
from aibom.inventory import Inventory, build_inventory
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.packages.interface import PackageCollection, PackageInput
from aibom.progress import NullProgress, Progress
from aibom.properties import Prop
from aibom.verify import VerifyOptions

_SHA1_NAME = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class ScanOptions:
    targets: tuple[Path, ...]
    excludes: tuple[str, ...] = ()
    python_envs: tuple[Path, ...] = ()
    """Extra Python environments (interpreter, venv or site-packages) to inventory."""
    use_cache: bool = True
    cache_dir: Path | None = None
    reproducible: bool = False
    spec_version: str = "1.6"
    output_format: str = "json"
    limits: Limits = DEFAULT_LIMITS
    workers: int | None = None
    verify: VerifyOptions | None = None
    """Trust material for signatures; without it, signatures found are reported as not checked."""


@dataclass
class ScanStats:
    files: int = 0
    bytes: int = 0
    hashed_files: int = 0
    hashed_bytes: int = 0
    seconds: float = 0.0


@dataclass
class ScanResult:
    inventory: Inventory
    artifacts: list[Artifact]
    findings: list[Finding]
    skipped: list[Skipped]
    document: str
    stats: ScanStats
    notes: list[str] = field(default_factory=list)

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 clean, 1 when any finding reaches ``fail_on`` (None: never fail on findings)."""
        if fail_on is None:
            return 0
        return 1 if any(f.effective_severity >= fail_on for f in self.findings) else 0

    def severity_counts(self) -> dict[Severity, int]:
        counts = Counter(f.effective_severity for f in self.findings)
        return {s: counts[s] for s in sorted(Severity, reverse=True) if counts[s]}

    def summary(self) -> str:
        inv, st = self.inventory, self.stats
        parts = [
            _count(len(inv.models), "model"),
            _count(len(inv.datasets), "dataset"),
            _count(len({(p.normalized_name, p.version) for p in inv.packages}), "package"),
            _count(st.files, "file"),
            _size(st.bytes),
        ]
        text = f"aibom: {', '.join(parts)} in {st.seconds:.2f} s"
        counts = self.severity_counts()
        if counts:
            detail = ", ".join(f"{n} {s.label}" for s, n in counts.items())
            text += f"; {_count(len(self.findings), 'finding')} ({detail})"
        else:
            text += "; no findings"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def _want_git_sha1(ref: FileRef) -> bool:
    """Hugging Face stores non-LFS files under their git blob SHA-1."""
    return ref.hf is not None and (
        ref.hf.blob_name is None or bool(_SHA1_NAME.fullmatch(ref.hf.blob_name))
    )


def _artifacts(
    found: Discovery, options: ScanOptions, progress: Progress, stats: ScanStats, notes: list[str]
) -> tuple[list[Artifact], list[Finding], list[Skipped]]:
    cache = DigestCache(options.cache_dir or default_cache_dir()) if options.use_cache else None
    try:
        results = hash_files(
            found.files, _want_git_sha1, cache, options.limits, progress, options.workers
        )
    finally:
        if cache is not None:
            if cache.problem:
                notes.append(cache.problem)
            cache.close()
    artifacts: list[Artifact] = []
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for ref, result in zip(found.files, results, strict=False):
        if result.digests is None:
            skipped.append(Skipped(ref.display, result.error or "not read"))
            continue
        if not result.cached:
            stats.hashed_files += 1
            stats.hashed_bytes += ref.stat.size
        c = classify(ref, result.head, options.limits)
        art = Artifact(ref, c.kind, c.format, c.evidence, result.digests, result.head)
        if c.finding is not None:
            findings.append(c.finding)
        artifacts.append(art)
    return artifacts, findings, skipped


def _inspect(artifacts: Sequence[Artifact], limits: Limits) -> tuple[list[Finding], list[Skipped]]:
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for art in artifacts:
        inspection = inspect_artifact(art, limits)
        art.facts.update(inspection.facts)
        findings.extend(inspection.findings)
        skipped.extend(inspection.skipped)
    return findings, skipped


def _package_inputs(
    found: Discovery, artifacts: Sequence[Artifact], options: ScanOptions
) -> list[PackageInput]:
    inputs: list[PackageInput] = []
    for art in artifacts:
        kind = packages.input_kind(Path(art.ref.relpath))
        if kind is not None:
            inputs.append(PackageInput(kind, art.ref.path, art.display))
    for path, display in found.environments:
        inputs.append(packages.environment_input(path, display))
    for env in options.python_envs:
        inputs.append(packages.environment_input(env, str(env)))
    return inputs


def scan(options: ScanOptions, progress: Progress | None = None) -> ScanResult:
    start = time.perf_counter()
    progress = progress or NullProgress()
    stats = ScanStats()
    notes: list[str] = []
    found = discover(options.targets, options.excludes, options.limits)
    stats.files = len(found.files)
    stats.bytes = sum(f.stat.size for f in found.files)
    artifacts, findings, skipped = _artifacts(found, options, progress, stats, notes)
    findings = [*found.findings, *findings]
    skipped = [*found.skipped, *skipped]
    more_findings, more_skipped = _inspect(artifacts, options.limits)
    pkgs: PackageCollection = packages.collect(
        _package_inputs(found, artifacts, options), options.limits
    )
    inventory = build_inventory(artifacts, found.snapshots, pkgs.packages, options.limits)
    findings += more_findings + pkgs.findings + inventory.findings
    skipped += more_skipped + pkgs.skipped + inventory.skipped
    result = ScanResult(inventory, artifacts, findings, skipped, "", stats, notes)
    findings += _verify(result, options.verify or VerifyOptions())
    findings.sort(key=Finding.sort_key)
    result.document = _document(inventory, found, findings, skipped, stats, options)
    stats.seconds = time.perf_counter() - start
    return result


def _verify(result: ScanResult, options: VerifyOptions) -> list[Finding]:
    """Cache integrity (from the digests already computed) and signatures of each model."""
    findings = verify.hf_cache_findings(result)
    for model, verification in zip(
        result.inventory.models, verify.verify_models(result, options), strict=True
    ):
        model.extra_properties += verify.verification_properties(verification)
        findings += verify.verification_findings(verification)
    return findings


def _document(
    inventory: Inventory,
    found: Discovery,
    findings: list[Finding],
    skipped: list[Skipped],
    stats: ScanStats,
    options: ScanOptions,
) -> str:
    from cyclonedx.model.component import Component, ComponentType

    names = [display for _path, display in found.targets]
    shown = names if options.reproducible else [str(path) for path, _ in found.targets]
    root = Component(
        type=ComponentType.APPLICATION,
        name=names[0] if len(names) == 1 else f"{len(names)} scan targets",
        bom_ref="root",
        description="What aibom scanned: " + ", ".join(names),
    )
    built = build(inventory, root, findings)
    meta = built.bom.metadata.properties
    meta.add(prop(Prop.SCAN_TARGETS, "; ".join(shown)))
    meta.add(prop(Prop.SCAN_FILES, stats.files))
    meta.add(prop(Prop.SCAN_BYTES, stats.bytes))
    meta.add(prop(Prop.SCAN_FINDINGS, len(findings)))
    meta.add(prop(Prop.SCAN_REPRODUCIBLE, "true" if options.reproducible else "false"))
    for skip in skipped:
        meta.add(prop(Prop.SCAN_SKIPPED, f"{skip.path}: {skip.reason}"))
    doc_options = DocumentOptions(options.spec_version, options.output_format, options.reproducible)
    return render_document(built, __version__, doc_options)
