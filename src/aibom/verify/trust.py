"""What the user trusts (one key, a CA set, or a Sigstore identity and root) and the check it allows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.verify.bundle import ParsedBundle
from aibom.verify.keys import CertTrust, KeyTrust, load_cas, load_key, verify_with_certificates
from aibom.verify.keys import verify_with_key as _verify_with_key
from aibom.verify.results import SignatureError, SignedContent
from aibom.verify.sigstore_verify import SigstoreTrust, verify_keyless
from aibom.verify.sigstore_verify import load_trust as load_sigstore

Trust = KeyTrust | CertTrust | SigstoreTrust


@dataclass(frozen=True)
class VerifyOptions:
    signature: Path | None = None
    """A signature for the whole scanned target, instead of each model's own ``model.sig``."""
    key: Path | None = None
    certificate_chain: tuple[Path, ...] = ()
    identity: str | None = None
    issuer: str | None = None
    trusted_root: Path | None = None
    """Sigstore trusted root or client trust config; default: the root embedded in sigstore."""
    ignore_paths: tuple[str, ...] = ()
    """Paths inside the model the signer left out (neither missing nor extra)."""
    limits: Limits = DEFAULT_LIMITS

    @property
    def has_trust(self) -> bool:
        return bool(self.key or self.certificate_chain or self.identity or self.issuer)


def load_trust(options: VerifyOptions) -> Trust | None:
    """Read the trust material once. Conflicting or incomplete options are usage errors (exit 2)."""
    chosen = [
        options.key is not None,
        bool(options.certificate_chain),
        options.identity is not None or options.issuer is not None,
    ]
    if sum(chosen) > 1:
        raise UsageError("choose one of --key, --certificate-chain and --identity/--issuer")
    if options.trusted_root is not None and options.identity is None:
        raise UsageError(
            "--trusted-root is for keyless signatures: give --identity and --issuer too"
        )
    if options.key is not None:
        return load_key(options.key)
    if options.certificate_chain:
        return load_cas(options.certificate_chain)
    if options.identity is not None or options.issuer is not None:
        if not options.identity or not options.issuer:
            raise UsageError(
                "keyless verification needs both --identity and --issuer",
                hint="e.g. --identity release@example.com --issuer https://accounts.google.com",
            )
        return load_sigstore(options.identity, options.issuer, options.trusted_root)
    return None


def check_envelope(bundle: ParsedBundle, trust: Trust) -> SignedContent:
    """Verify a DSSE bundle's signature with the chosen trust; ``SignatureError`` when it fails."""
    if bundle.envelope is None:
        raise SignatureError("the bundle signs a single file (message signature), not a manifest")
    if isinstance(trust, SigstoreTrust):
        if not bundle.keyless:
            raise SignatureError(
                "the bundle has no transparency-log entry: it was not signed with Sigstore "
                "(use --key or --certificate-chain)"
            )
        return verify_keyless(bundle.raw, trust)
    if isinstance(trust, KeyTrust):
        return _verify_with_key(bundle, trust)
    return verify_with_certificates(bundle, trust)


def trust_source(trust: Trust) -> tuple[str, str]:
    """(what was trusted, SHA-256 of its bytes) for the report and the BOM."""
    return trust.source, trust.sha256
