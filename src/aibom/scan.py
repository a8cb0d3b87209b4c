"""The pipeline: discover -> hash & classify -> inspect -> packages -> inventory -> BOM.

The only module that knows every stage. It returns values; it never prints, writes files or exits.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom import packages, verify
from aibom._version import __version__
from aibom.artifacts import Artifact, FileRef
from aibom.bom.build import Built, build
from aibom.bom.components import prop
from aibom.bom.document import DocumentOptions, render_document
from aibom.checks import NOT_ANALYSED
from aibom.findings import Finding, Severity, Skipped
from aibom.formats import CATALOG, inspect_artifact
from aibom.formats.budget import ScanBudget, use_budget
from aibom.inventory import Inventory, build_inventory
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.packages.interface import PackageCollection, PackageInput
from aibom.progress import NullProgress, Progress
from aibom.properties import Prop
from aibom.sources.classify import classify
from aibom.sources.discover import Discovery, discover
from aibom.sources.hashing import DigestCache, default_cache_dir, hash_files
from aibom.sources.hidden import pick_code_bearing
from aibom.verify import VerifyOptions

if TYPE_CHECKING:
    from aibom.score import ScoreOptions
    from aibom.score.model import Scorecard
    from aibom.sources.remote import RemoteOptions
    from aibom.sources.remote.snapshot import RemoteScan
    from aibom.vulns import Match, VulnSource

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
    remote_targets: tuple[str, ...] = ()
    """``hf://ORG/NAME[@REV]`` and ``hf://datasets/ORG/NAME[@REV]`` targets."""
    remote: RemoteOptions | None = None
    """Download mode, byte budget, token and endpoint for remote targets (None: the defaults)."""
    vulns: VulnSource | None = None
    """Where to look up advisories for Python packages (offline OSV export or the OSV API)."""
    score: ScoreOptions | None = None
    """Score transparency and write the scores into the BOM (JSON output only); see ``aibom.score``."""
    pickle_policy: Path | None = None
    """A TOML file extending the pickle allowlist and denylist (see ``docs/unsafe-formats.md``)."""
    keep_json: bool = False
    """Also keep the JSON form when writing XML (reports are rendered from JSON)."""


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
    vulnerabilities: list[Match] = field(default_factory=list)
    """Known advisories matched against the Python packages (with ``ScanOptions.vulns``)."""
    json_document: str | None = None
    """The BOM as JSON (the same text as ``document`` for JSON output)."""
    scorecard: Scorecard | None = None
    """The transparency scorecard written into the BOM (with ``ScanOptions.score``)."""

    def severities(self) -> list[Severity]:
        if not self.vulnerabilities:
            return [f.effective_severity for f in self.findings]
        from aibom.vulns import match_severity

        return [f.effective_severity for f in self.findings] + [
            match_severity(m) for m in self.vulnerabilities
        ]

    def not_analysed(self) -> list[Finding]:
        """Findings for files an inspector stopped on with an unexpected error (an aibom bug): the
        scan is incomplete, so the CLI exits with a runtime error even when no policy failed."""
        return [f for f in self.findings if f.check.id == NOT_ANALYSED.id]

    def reaches(self, fail_on: Severity | None) -> bool:
        """Whether a finding or advisory is at or above ``fail_on`` (None: never)."""
        return fail_on is not None and any(s >= fail_on for s in self.severities())

    def exit_code(self, fail_on: Severity | None) -> int:
        """0 clean, 1 when a finding or advisory reaches ``fail_on``: the values of
        ``aibom.cli.exit.ExitCode.OK`` and ``POLICY``. Scores are not part of it (see ``scorecard``)."""
        return 1 if self.reaches(fail_on) else 0


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
        c = classify(ref, result.head, CATALOG, options.limits)
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
        art.coverage = inspection.coverage
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
    """Run the whole pipeline. Remote content is fetched into a temporary folder removed at the end."""
    start = time.perf_counter()
    if not options.remote_targets:
        result = _pipeline(options, progress or NullProgress(), None)
    else:
        with tempfile.TemporaryDirectory(prefix="aibom-remote-") as workdir:
            result = _pipeline(options, progress or NullProgress(), Path(workdir))
    result.stats.seconds = time.perf_counter() - start
    return result


def _pipeline(options: ScanOptions, progress: Progress, workdir: Path | None) -> ScanResult:
    stats = ScanStats()
    notes: list[str] = []
    found = discover(options.targets, options.excludes, options.limits)
    hidden = pick_code_bearing(found, CATALOG, options.limits)
    found.files.extend(hidden.files)
    found.skipped.extend(hidden.skipped)
    stats.files = len(found.files)
    stats.bytes = sum(f.stat.size for f in found.files)
    artifacts, findings, skipped = _artifacts(found, options, progress, stats, notes)
    findings = [*found.findings, *findings]
    skipped = [*found.skipped, *skipped]
    budget = ScanBudget(options.limits)  # one HDF5 time budget for local and remote files
    with _policy(options.pickle_policy), use_budget(budget):
        more_findings, more_skipped = _inspect(artifacts, options.limits)
    remote = _remote(options, workdir, found, stats)
    if remote is not None:
        artifacts += remote.artifacts
        notes += remote.notes
        findings += remote.findings
        with _policy(options.pickle_policy), use_budget(budget):
            remote_findings, remote_skipped = _inspect(remote.inspectable, options.limits)
        more_findings += remote_findings
        more_skipped += remote_skipped
    pkgs: PackageCollection = packages.collect(
        _package_inputs(found, artifacts, options), options.limits
    )
    inventory = build_inventory(artifacts, found.snapshots, pkgs.packages, options.limits)
    if remote is not None:
        _attach_remote_properties(inventory, remote)
    findings += more_findings + pkgs.findings + inventory.findings
    skipped += more_skipped + pkgs.skipped + inventory.skipped
    findings += _verify(inventory, artifacts, skipped, options.verify or VerifyOptions())
    findings.sort(key=Finding.sort_key)
    result = ScanResult(inventory, artifacts, findings, skipped, "", stats, notes)
    result.document = _document(result, found, options)
    return result


def _policy(path: Path | None) -> contextlib.AbstractContextManager[object]:
    """The pickle allow/deny policy for inspection: the built-in one, extended by ``path``."""
    if path is None:
        return contextlib.nullcontext()
    from aibom.formats.pickle.policy import load_policy, use_policy

    return use_policy(load_policy(path))


def _remote(
    options: ScanOptions, workdir: Path | None, found: Discovery, stats: ScanStats
) -> RemoteScan | None:
    if workdir is None:
        return None
    from aibom.sources.remote import RemoteOptions
    from aibom.sources.remote.snapshot import scan_remote

    remote_options = options.remote or RemoteOptions()
    remote = scan_remote(options.remote_targets, remote_options, workdir, options.limits, CATALOG)
    found.snapshots.extend(remote.snapshots)
    found.targets.extend((Path(t), t) for t in options.remote_targets)
    stats.files += len(remote.artifacts)
    stats.bytes += remote.bytes_fetched
    return remote


def _attach_remote_properties(inventory: Inventory, remote: RemoteScan) -> None:
    for model in inventory.models:
        if model.snapshot is not None:
            model.extra_properties += remote.properties.get(model.snapshot.display, [])
    for dataset in inventory.datasets:
        if dataset.snapshot is not None:
            dataset.extra_properties += remote.properties.get(dataset.snapshot.display, [])


def _verify(
    inventory: Inventory, artifacts: list[Artifact], skipped: list[Skipped], options: VerifyOptions
) -> list[Finding]:
    """Cache integrity (from the digests already computed) and signatures of each model."""
    findings = verify.hf_cache_findings(inventory, artifacts, skipped)
    for model, verification in zip(
        inventory.models,
        verify.verify_models(inventory, artifacts, options, skipped=skipped),
        strict=True,
    ):
        model.extra_properties += verify.verification_properties(verification)
        findings += verify.verification_findings(verification)
    return findings


def _document(result: ScanResult, found: Discovery, options: ScanOptions) -> str:
    """The BOM in the requested format; for XML with ``keep_json``, the JSON form is kept too."""
    text = _render(result, found, options, options.output_format)
    if options.output_format == "json":
        result.json_document = text
    elif options.keep_json:
        result.json_document = _render(result, found, options, "json")
    return text


def _render(result: ScanResult, found: Discovery, options: ScanOptions, output_format: str) -> str:
    built = _built(result, found, options)
    stage = _scoring(result, options.score) if options.score is not None else None
    doc_options = DocumentOptions(options.spec_version, output_format, options.reproducible)
    return render_document(built, __version__, doc_options, stage)


def _scoring(result: ScanResult, options: ScoreOptions) -> Callable[[dict[str, Any]], None]:
    """The scoring stage: scores the JSON document and writes the scores into it before it is
    validated (``render_document`` refuses it for XML). The scorecard goes to ``result.scorecard``."""
    from aibom.score import annotate

    def score(doc: dict[str, Any]) -> None:
        result.scorecard = options.score(doc)
        annotate(doc, result.scorecard)

    return score


def _built(result: ScanResult, found: Discovery, options: ScanOptions) -> Built:
    inventory, findings, skipped, stats = (
        result.inventory,
        result.findings,
        result.skipped,
        result.stats,
    )
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
    if options.vulns is not None:
        from aibom.vulns import match_packages, to_cyclonedx

        result.vulnerabilities = match_packages(built.packages, options.vulns)
        built.extra_vulnerabilities = to_cyclonedx(result.vulnerabilities, options.spec_version)
    meta = built.bom.metadata.properties
    meta.add(prop(Prop.SCAN_TARGETS, "; ".join(shown)))
    meta.add(prop(Prop.SCAN_FILES, stats.files))
    meta.add(prop(Prop.SCAN_BYTES, stats.bytes))
    meta.add(prop(Prop.SCAN_FINDINGS, len(findings)))
    meta.add(prop(Prop.SCAN_REPRODUCIBLE, "true" if options.reproducible else "false"))
    for skip in skipped:
        name = Prop.SCAN_NOT_INVENTORIED if skip.deliberate else Prop.SCAN_SKIPPED
        meta.add(prop(name, f"{skip.path}: {skip.reason}"))
    return built
