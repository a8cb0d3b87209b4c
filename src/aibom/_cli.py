"""Command line: parse arguments, call the library, write output, choose the exit code. Nothing else.

Exit codes: 0 clean, 1 policy failure (a finding at or above ``--fail-on``), 2 usage or runtime error.
Machine-readable output goes to stdout or ``-o``; progress, summary and logs go to stderr.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from aibom._version import __version__
from aibom.errors import AibomError
from aibom.findings import Severity

EXIT_OK, EXIT_POLICY, EXIT_ERROR = 0, 1, 2
_SEVERITIES = [s.label for s in Severity] + ["none"]


def _stderr(message: str) -> None:
    click.echo(message, err=True)


def write_output(text: str, output: Path | None) -> None:
    """stdout, or ``output`` replaced atomically so a failed run never leaves half a file."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = output.parent if str(output.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        Path(tmp).replace(output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aibom")
def cli() -> None:
    """aibom: inventory, verify and assess AI models, datasets and their Python dependencies."""


@cli.command()
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write the BOM here (default: stdout)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "xml"]),
    default="json",
    show_default=True,
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
    type=click.Choice(_SEVERITIES),
    default="high",
    show_default=True,
    help="Exit 1 when a finding reaches this severity.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
@click.option(
    "-v", "--verbose", is_flag=True, help="List every finding and skipped path on stderr."
)
def scan(
    targets: tuple[Path, ...],
    output: Path | None,
    output_format: str,
    spec_version: str,
    reproducible: bool,
    excludes: tuple[str, ...],
    python_envs: tuple[Path, ...],
    no_cache: bool,
    cache_dir: Path | None,
    fail_on: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """Scan model folders, Hugging Face caches, datasets and Python projects into a CycloneDX ML-BOM."""
    from aibom._ui import make_progress, report_result
    from aibom.bom.document import use_builtin_iri_format
    from aibom.scan import ScanOptions
    from aibom.scan import scan as run_scan

    use_builtin_iri_format()
    options = ScanOptions(
        targets=targets,
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
    write_output(result.document, output)
    report_result(result, quiet=quiet, verbose=verbose, output=output)
    threshold = None if fail_on == "none" else Severity.parse(fail_on)
    sys.exit(result.exit_code(threshold))


def _register_commands() -> None:
    """Area commands live in ``aibom.commands``; each imports its heavy libraries only when run."""
    from aibom.commands.audit import audit
    from aibom.commands.verify import sign, sign_bom, verify, verify_bom

    for command in (verify, sign, sign_bom, verify_bom, audit):
        cli.add_command(command)


_register_commands()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        _stderr("aborted")
        sys.exit(EXIT_ERROR)
    except AibomError as exc:
        _stderr(exc.diagnostics())
        sys.exit(EXIT_ERROR)
    except OSError as exc:
        _stderr(f"error: {exc}")
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _stderr("interrupted")
        sys.exit(130)
    except Exception:
        import traceback

        _stderr(traceback.format_exc())
        _stderr("error: internal error in aibom; please report it with the trace above")
        sys.exit(EXIT_ERROR)
