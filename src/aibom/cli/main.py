"""Command line: the ``aibom`` group, its commands (in ``aibom.cli``) and the one error handler.

Commands parse arguments, call the library, write output and choose the exit code; nothing else.
Exit codes (``aibom.cli.exit.ExitCode``): 0 clean, 1 policy failure, 2 usage or runtime error, 130
interrupted. Machine-readable output goes to stdout or ``-o``; progress, summary and logs go to stderr.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from aibom._version import __version__
from aibom.cli.exit import ExitCode
from aibom.errors import AibomError


def _stderr(message: str) -> None:
    click.echo(message, err=True)


class _OutputClosed(Exception):
    """stdout was closed before the output was written (``aibom scan . | head -c1``)."""


class _Group(click.Group):
    """Click answers a broken pipe with exit 1, which is aibom's "policy failure": turn it into an
    error of our own for ``main`` (2: the output was not delivered)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _OutputClosed from exc


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="aibom")
def cli() -> None:
    """aibom: inventory, verify and assess AI models, datasets and their Python dependencies."""
    from aibom.bom.document import use_builtin_iri_format

    use_builtin_iri_format()  # before anything imports jsonschema: saves ~1 s per run


def _register_commands() -> None:
    """Area commands live in ``aibom.cli``; each imports its heavy libraries only when run."""
    from aibom.cli.audit import audit
    from aibom.cli.convert import convert
    from aibom.cli.merge import merge
    from aibom.cli.report import diff, report
    from aibom.cli.scan import scan
    from aibom.cli.score import rules, score
    from aibom.cli.verify import sign, sign_bom, verify, verify_bom

    for command in (scan, verify, sign, sign_bom, verify_bom, audit, report, diff, score, rules):
        cli.add_command(command)
    cli.add_command(convert)
    cli.add_command(merge)


_register_commands()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.ERROR)
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C (KeyboardInterrupt) into Abort outside standalone mode
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
        _stderr("interrupted" if interrupted else "aborted")
        sys.exit(ExitCode.INTERRUPTED if interrupted else ExitCode.ERROR)
    except _OutputClosed:
        # the reader went away: nothing more can reach it, and the interpreter's last flush of
        # stdout must not fail again (https://docs.python.org/3/library/signal.html#note-on-sigpipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _stderr("error: the output was closed before aibom finished writing it (broken pipe)")
        sys.exit(ExitCode.ERROR)
    except AibomError as exc:
        _stderr(exc.diagnostics())
        sys.exit(ExitCode.ERROR)
    except OSError as exc:
        _stderr(f"error: {exc}")
        sys.exit(ExitCode.ERROR)
    except KeyboardInterrupt:
        _stderr("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except Exception:
        import traceback

        _stderr(traceback.format_exc())
        _stderr("error: internal error in aibom; please report it with the trace above")
        sys.exit(ExitCode.ERROR)
