"""``aibom scan``: the command-line front of the scan pipeline (``aibom.scan``).

Parses options, runs the library, writes the BOM and the reports, and picks the exit code: 0 clean,
1 policy failure (a finding or advisory at or above ``--fail-on``, a score below ``--min-score``), 2 usage
or runtime error (including a file an inspector could not analyse: AIBOM-FMT-003).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode, fail_on_threshold
from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT, SIZE

if TYPE_CHECKING:
    from aibom.scan import ScanResult
    from aibom.score import ScoreOptions
    from aibom.sources.remote import RemoteOptions
    from aibom.vulns import VulnSource


@click.command("scan")
@click.argument("targets", nargs=-1, required=True)
@click.option("-o", "--output", type=OUTPUT, help="Write the BOM here (default: stdout).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "xml", "spdx-json"]),
    default="json",
    show_default=True,
    help="CycloneDX JSON or XML, or SPDX 3.0.1 JSON-LD (converted from the CycloneDX JSON).",
)
@click.option("--spec-version", type=click.Choice(["1.6", "1.7"]), default="1.6", show_default=True)
@click.option(
    "--reproducible",
    is_flag=True,
    help="No serial number or timestamp (SOURCE_DATE_EPOCH is honoured); relative paths only.",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="GLOB",
    help="Skip paths matching GLOB (repeatable).",
)
@click.option(
    "--python",
    "python_envs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Inventory another Python environment: interpreter, venv or site-packages (repeatable).",
)
@click.option(
    "--no-cache", is_flag=True, help="Hash every file again; do not read or write the digest cache."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    envvar="AIBOM_CACHE_DIR",
    help="Digest cache location [env AIBOM_CACHE_DIR].",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="high",
    show_default=True,
    help="Exit 1 when a finding (or, with --vulns, an advisory) reaches this severity.",
)
@click.option(
    "--download",
    type=click.Choice(["none", "risky", "all"]),
    default="risky",
    show_default=True,
    help="hf:// targets: what to fetch (risky: only what inspecting code-running formats needs).",
)
@click.option(
    "--byte-budget",
    type=SIZE,
    default="512MiB",
    show_default=True,
    metavar="SIZE",
    help="hf:// targets: most bytes fetched per repository (e.g. 200MB, 2GiB).",
)
@click.option(
    "--vulns",
    is_flag=True,
    help="Match Python packages against OSV advisories (--osv-db or --online).",
)
@click.option(
    "--osv-db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OSV PyPI export (all.zip) for offline matching; implies --vulns.",
)
@click.option(
    "--online",
    "osv_online",
    is_flag=True,
    help="Query the OSV API over the network instead of an offline export; implies --vulns.",
)
@click.option(
    "--policy",
    "pickle_policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="TOML file extending the pickle allowlist/denylist ([allow]/[deny] globals = [...]).",
)
@click.option(
    "--score",
    "do_score",
    is_flag=True,
    help="Score transparency (rule packs) and write the scores into the BOM.",
)
@click.option(
    "--profile",
    type=click.Choice(["procurement", "engineering"]),
    default="procurement",
    show_default=True,
    help="With --score: procurement counts missing evidence as failure; engineering leaves it out.",
)
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="With --score: only this rule pack (repeatable).",
)
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="With --score: also load rules from DIR (repeatable).",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="With --score: exit 1 when the overall score is below N.",
)
@click.option(
    "--html",
    "html_out",
    type=OUTPUT,
    metavar="FILE",
    help="Also write the HTML report.",
)
@click.option(
    "--markdown",
    "markdown_out",
    type=OUTPUT,
    metavar="FILE",
    help="Also write the Markdown summary.",
)
@click.option(
    "--sarif",
    "sarif_out",
    type=OUTPUT,
    metavar="FILE",
    help="Also write SARIF 2.1.0 for code scanning.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
@click.option(
    "-v", "--verbose", is_flag=True, help="List every finding and skipped path on stderr."
)
def scan(
    targets: tuple[str, ...],
    output: Path | None,
    output_format: str,
    spec_version: str,
    reproducible: bool,
    excludes: tuple[str, ...],
    python_envs: tuple[Path, ...],
    no_cache: bool,
    cache_dir: Path | None,
    fail_on: str,
    download: str,
    byte_budget: int,
    vulns: bool,
    osv_db: Path | None,
    osv_online: bool,
    pickle_policy: Path | None,
    do_score: bool,
    profile: str,
    packs: tuple[str, ...],
    rule_dirs: tuple[Path, ...],
    min_score: float | None,
    html_out: Path | None,
    markdown_out: Path | None,
    sarif_out: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Scan model folders, Hugging Face caches (or hf://ORG/NAME[@REV] on the Hub), datasets and Python
    projects into a CycloneDX ML-BOM."""
    from aibom.cli.ui import make_progress, report_result
    from aibom.scan import ScanOptions
    from aibom.scan import scan as run_scan

    spdx = output_format == "spdx-json"
    output_format = "json" if spdx else output_format  # the CycloneDX BOM that SPDX is made from
    local, remote = _split_targets(targets)
    scoring = _score_options(do_score, profile, packs, rule_dirs, min_score, output_format)
    options = ScanOptions(
        targets=local,
        remote_targets=remote,
        remote=_remote_options(download, byte_budget) if remote else None,
        vulns=_vuln_source(vulns, osv_db, osv_online, output_format),
        keep_json=bool(html_out or markdown_out or sarif_out),
        pickle_policy=pickle_policy,
        score=scoring,
        excludes=excludes,
        python_envs=python_envs,
        use_cache=not no_cache,
        cache_dir=cache_dir,
        reproducible=reproducible,
        spec_version=spec_version,
        output_format=output_format,
    )
    with make_progress(enabled=not quiet) as progress:
        result = run_scan(options, progress)
    if spdx:
        _write_spdx(result, output, quiet=quiet)
    else:
        write_text(result.document, output)
    _write_reports(result, {"html": html_out, "markdown": markdown_out, "sarif": sarif_out})
    report_result(result, quiet=quiet, verbose=verbose, output=output)
    sys.exit(_exit_code(result, fail_on, scoring, quiet=quiet))


def _write_spdx(result: ScanResult, output: Path | None, *, quiet: bool) -> None:
    import json

    from aibom.cli.convert import report_unmapped
    from aibom.spdx import convert

    export = convert(json.loads(result.document))
    write_text(export.text(), output)
    report_unmapped(export, quiet=quiet)


def _score_options(
    do_score: bool,
    profile: str,
    packs: tuple[str, ...],
    rule_dirs: tuple[Path, ...],
    min_score: float | None,
    output_format: str,
) -> ScoreOptions | None:
    """Scoring is on with ``--score`` or ``--min-score``."""
    if not do_score and min_score is None:
        return None
    from aibom.score import ScoreOptions

    return ScoreOptions(profile=profile, packs=packs, rule_dirs=rule_dirs, min_score=min_score)


def _exit_code(
    result: ScanResult, fail_on: str, scoring: ScoreOptions | None, *, quiet: bool
) -> ExitCode:
    """POLICY when a finding or advisory reaches ``--fail-on``, a blocking rule failed or the score
    is below ``--min-score``; the score and the reasons are shown on stderr."""
    failed = result.reaches(fail_on_threshold(fail_on))
    if scoring is not None and result.scorecard is not None:
        from aibom.cli.ui import report_score

        reasons = scoring.failures(result.scorecard)
        report_score(result.scorecard, scoring.profile, reasons, quiet=quiet)
        failed = failed or bool(reasons)
    unanalysed = result.not_analysed()
    if unanalysed:
        from aibom.cli.ui import say

        # An inspector crashed: the verdict is incomplete, so no policy can pass on it. The BOM is
        # written and names the files (AIBOM-FMT-003); the exit status says the run did not finish.
        say(
            f"aibom: error: {len(unanalysed)} file(s) not analysed because of an internal error "
            f"(AIBOM-FMT-003), first {unanalysed[0].path}; the scan is incomplete"
        )
        return ExitCode.ERROR
    return ExitCode.POLICY if failed else ExitCode.OK


def _write_reports(result: ScanResult, reports: dict[str, Path | None]) -> None:
    """Render the requested reports from the BOM just written (one scan, many outputs)."""
    wanted = {fmt: path for fmt, path in reports.items() if path is not None}
    if not wanted or result.json_document is None:
        return
    import json

    from aibom.render import RenderOptions, render

    doc = json.loads(result.json_document)
    scorecard = result.scorecard.to_json_dict() if result.scorecard is not None else None
    for fmt, path in wanted.items():
        options = RenderOptions(source_root=Path.cwd())
        write_text(render(fmt, doc, scorecard, options=options), path)


def _split_targets(targets: tuple[str, ...]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    local: list[Path] = []
    remote: list[str] = []
    for target in targets:
        if target.startswith(
            "hf://"
        ):  # aibom.sources.remote.SCHEME; not imported for local scans (start-up)
            remote.append(target)
        elif Path(target).exists() or Path(target).is_symlink():
            local.append(Path(target))
        else:
            raise click.BadParameter(f"path {target!r} does not exist", param_hint="TARGETS")
    return tuple(local), tuple(remote)


def _remote_options(download: str, byte_budget: int) -> RemoteOptions:
    from aibom.sources.remote import RemoteOptions

    modes: dict[str, Literal["none", "risky", "all"]] = {
        "none": "none",
        "risky": "risky",
        "all": "all",
    }
    token = os.environ.get("HF_TOKEN") or None
    return RemoteOptions(download=modes[download], byte_budget=byte_budget, token=token)


def _vuln_source(
    vulns: bool, osv_db: Path | None, online: bool, output_format: str
) -> VulnSource | None:
    if not (vulns or osv_db or online):
        return None
    if osv_db is not None and online:
        raise click.UsageError("choose one of --osv-db and --online")
    from aibom.vulns import offline_source, online_source

    if osv_db is not None:
        return offline_source(osv_db)
    if online:
        return online_source()
    raise click.UsageError(
        "--vulns needs advisories: --osv-db PATH (offline OSV export) or --online"
    )
