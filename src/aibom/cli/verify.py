"""``aibom verify``, ``aibom sign``, ``aibom sign-bom`` and ``aibom verify-bom``.

Exit codes (``ExitCode``): 0 verified (or signed), 1 verification failure, unchecked signature or
drift, 2 usage or runtime error (a ``--signature`` or bundle that cannot be read or parsed, keyless
signing without a network), 130 interrupted. Errors are raised as ``AibomError`` (or ``OSError``),
which ``aibom.cli.main.main`` reports as ``error: ...`` with exit code 2. Reports go to stdout (or
``-o``); nothing else is printed there. Heavy imports live in the bodies.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aibom.cli.exit import ExitCode
from aibom.cli.output import write_text
from aibom.errors import UsageError

_F = TypeVar("_F", bound=Callable[..., Any])
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_BOM = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
_OUT = click.Path(dir_okay=False, path_type=Path)


def _trust_options(func: _F) -> _F:
    options = [
        click.option("--key", type=_FILE, help="PEM public key the signature must verify with."),
        click.option(
            "--certificate-chain",
            "certificate_chain",
            type=_FILE,
            multiple=True,
            help="PEM CA certificate(s) the signing certificate must chain to (repeatable).",
        ),
        click.option("--identity", help="Keyless: expected signer identity (certificate SAN)."),
        click.option("--issuer", help="Keyless: expected OIDC issuer URL."),
        click.option(
            "--trusted-root",
            type=_FILE,
            help="Keyless: Sigstore trusted root or client trust config (default: the production "
            "root shipped with sigstore; never fetched).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--bom",
    "old_bom",
    type=_BOM,
    help="Earlier CycloneDX BOM (JSON or XML; - for stdin) to check drift against.",
)
@click.option(
    "--signature", type=_FILE, help="Signature for PATH (default: each model's model.sig)."
)
@_trust_options
@click.option(
    "--ignore-path",
    "ignore_paths",
    multiple=True,
    metavar="P",
    help="Path that need not be signed (relative to the model folder, ./P, or absolute inside "
    "it); never hides a file the signature covers.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("-o", "--output", type=_OUT, help="Write the report here (default: stdout).")
@click.option("--no-cache", is_flag=True, help="Hash every file again; ignore the digest cache.")
def verify(
    path: Path,
    old_bom: Path | None,
    signature: Path | None,
    key: Path | None,
    certificate_chain: tuple[Path, ...],
    identity: str | None,
    issuer: str | None,
    trusted_root: Path | None,
    ignore_paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    no_cache: bool,
) -> None:
    """Check PATH offline: Hugging Face cache blobs, model signatures (OMS model.sig), Sigstore
    bundles beside files, and drift against an earlier BOM. Exit 0 verified, 1 failure or drift."""
    from aibom.bomdoc import read_bom
    from aibom.scan import ScanOptions, scan
    from aibom.verify import VerifyOptions, verify_report
    from aibom.verify.bundle import require_bundle
    from aibom.verify.paths import check_ignores
    from aibom.verify.trust import load_trust

    check_ignores(ignore_paths, path)  # usage errors before the scan, not after it
    options = VerifyOptions(
        signature, key, certificate_chain, identity, issuer, trusted_root, ignore_paths
    )
    load_trust(options)
    if signature is not None:
        require_bundle(signature, options.limits.max_bundle_bytes)
    old = read_bom(old_bom) if old_bom is not None else None
    result = scan(ScanOptions(targets=(path,), reproducible=False, use_cache=not no_cache))
    report = verify_report(
        result.inventory, result.artifacts, result.skipped, options, old, str(path)
    )
    write_text(report.to_json() if output_format == "json" else report.render_text(), output)
    sys.exit(ExitCode.POLICY if report.failed else ExitCode.OK)


def _password(env: str | None) -> bytes | None:
    if env is None:
        return None
    value = os.environ.get(env)
    if value is None:
        raise UsageError(f"environment variable {env} is not set")
    return value.encode()


def _signer_options(output_help: str) -> Callable[[_F], _F]:
    """``--key``, ``--sigstore``, ``--password-env``, ``-o`` and ``--force``: the one option set of
    ``sign`` and ``sign-bom`` (only the help for ``-o`` differs)."""
    options = (
        click.option("--key", type=_FILE, help="PEM EC private key (P-256, P-384 or P-521)."),
        click.option(
            "--sigstore", "keyless", is_flag=True, help="Keyless Sigstore signing (online)."
        ),
        click.option(
            "--password-env", metavar="VAR", help="Environment variable holding the key password."
        ),
        click.option("-o", "--output", type=_OUT, help=output_help),
        click.option("--force", is_flag=True, help="Replace an existing signature file."),
    )

    def apply(command: _F) -> _F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def _one_signer(key: Path | None, keyless: bool) -> None:
    if (key is None) == (not keyless):
        raise UsageError("give exactly one of --key and --sigstore")


@click.command("sign")
@click.argument("model_dir", type=click.Path(exists=True, path_type=Path))
@_signer_options("Signature file (default: MODEL_DIR/model.sig).")
@click.option("--ignore-path", "ignore_paths", multiple=True, metavar="P", help="Leave P unsigned.")
@click.option("--no-cache", is_flag=True, help="Hash every file again; ignore the digest cache.")
def sign(
    model_dir: Path,
    key: Path | None,
    keyless: bool,
    password_env: str | None,
    output: Path | None,
    force: bool,
    ignore_paths: tuple[str, ...],
    no_cache: bool,
) -> None:
    """Sign MODEL_DIR with an OpenSSF Model Signing (OMS v1.0) signature, verifiable by aibom and by
    the model-signing CLI."""
    from aibom.signing import sign_model

    _one_signer(key, keyless)
    if output is None:
        if not model_dir.is_dir():
            raise UsageError("a single-file model needs -o for its signature")
        output = model_dir / "model.sig"
    if output.exists() and not force:
        raise UsageError(f"{output} exists", hint="use --force to replace it")
    text = sign_model(model_dir, output, key, _password(password_env), ignore_paths, not no_cache)
    write_text(text, output)
    click.echo(f"aibom: signed {model_dir} -> {output}", err=True)


@click.command("sign-bom")
@click.argument("bom", type=_FILE)
@_signer_options("Bundle file (default: stdout).")
def sign_bom(
    bom: Path,
    key: Path | None,
    keyless: bool,
    password_env: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """Write a detached Sigstore bundle over BOM: an in-toto statement with predicate type
    https://cyclonedx.org/bom whose subject is the BOM file's SHA-256."""
    from aibom.bomdoc.read import read_source
    from aibom.verify.sign import bom_statement, load_private_key, sign_keyless
    from aibom.verify.sign import sign_statement_with_key as with_key

    _one_signer(key, keyless)
    statement = bom_statement(read_source(bom)[1], bom.name)
    if key is not None:
        text = with_key(statement, load_private_key(key, _password(password_env)))
    else:
        text = sign_keyless(statement)
    write_text(text, output, force=force)


@click.command("verify-bom")
@click.argument("bom", type=_FILE)
@click.option("--signature", type=_FILE, help="Bundle (default: BOM.sigstore.json beside the BOM).")
@_trust_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def verify_bom(
    bom: Path,
    signature: Path | None,
    key: Path | None,
    certificate_chain: tuple[Path, ...],
    identity: str | None,
    issuer: str | None,
    trusted_root: Path | None,
    output_format: str,
) -> None:
    """Check a detached bundle over BOM (as written by sign-bom). Exit 0 verified, 1 not."""
    import json

    from aibom.verify import VerifyOptions
    from aibom.verify.bomsig import verify_bom_signature
    from aibom.verify.report import render_verifications

    bundle = signature or bom.with_name(bom.name + ".sigstore.json")
    if not bundle.is_file():
        raise UsageError(f"no bundle at {bundle}", hint="give it with --signature")
    options = VerifyOptions(None, key, certificate_chain, identity, issuer, trusted_root)
    result = verify_bom_signature(bom, bundle, options)
    text = json.dumps(result.to_dict(), indent=2) + "\n"
    write_text(text if output_format == "json" else render_verifications([result]), None)
    sys.exit(ExitCode.POLICY if result.status.value != "verified" else ExitCode.OK)
