"""Sigstore bundles beside single files (``<file>.sigstore.json`` or ``<file>.sigstore``).

A bundle holds either a message signature over the file's digest or a DSSE statement whose subject
names the file's SHA-256. Either way the file is known by the scan's SHA-256: it is not read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aibom.artifacts import Artifact
from aibom.inventory import Inventory
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.bundle import (
    ParsedBundle,
    parse_bundle,
    parse_statement,
    read_bounded,
    subject_digests,
)
from aibom.verify.keys import (
    CertTrust,
    KeyTrust,
    certificate_signer,
    check_signature,
    key_fingerprint,
    verified_leaf,
)
from aibom.verify.results import (
    BundleError,
    FileProblem,
    Method,
    ProblemKind,
    SignatureError,
    SignedContent,
    Signer,
    Status,
    Verification,
)
from aibom.verify.sigstore_verify import SigstoreTrust, verify_keyless_artifact
from aibom.verify.trust import Trust, VerifyOptions, check_envelope, load_trust, trust_source

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

SUFFIXES = (".sigstore.json", ".sigstore")


def verify_artifacts(
    inventory: Inventory, artifacts: Sequence[Artifact], options: VerifyOptions
) -> list[Verification]:
    """One ``Verification`` per scanned file that has a Sigstore bundle beside it. (Bundles sit
    beside files whatever model they belong to: ``inventory`` is not needed to find them.)"""
    trust = load_trust(options)
    by_display = {a.display: a for a in artifacts}
    out = []
    used: set[str] = set()
    for art in artifacts:
        for suffix in SUFFIXES:
            bundle = by_display.get(art.display + suffix)
            if bundle is not None:
                out.append(verify_artifact(art, bundle, trust))
                used.add(bundle.display)
                break
    return out + [_orphan(a) for a in artifacts if _orphaned(a, by_display, used)]


def _orphaned(art: Artifact, by_display: dict[str, Artifact], used: set[str]) -> bool:
    """A bundle named for a file that is not there (and not itself a file's bundle or model.sig)."""
    if art.display in used or not art.display.endswith(SUFFIXES):
        return False
    subject = art.display.removesuffix(".json").removesuffix(".sigstore")
    return subject not in by_display


def _orphan(bundle_art: Artifact) -> Verification:
    subject = bundle_art.display.removesuffix(".json").removesuffix(".sigstore")
    v = Verification(subject, Status.MISMATCH, signature=bundle_art.display)
    v.message = "a bundle names this file, but it is not there"
    v.problems = [FileProblem(subject, ProblemKind.MISSING, "signed file missing")]
    return v


def verify_artifact(art: Artifact, bundle_art: Artifact, trust: Trust | None) -> Verification:
    v = Verification(art.display, Status.INVALID, signature=bundle_art.display)
    try:
        bundle = parse_bundle(
            read_bounded(bundle_art.ref.path, DEFAULT_LIMITS.max_bundle_bytes, "bundle")
        )
    except (BundleError, OSError) as exc:
        v.message = f"cannot read the bundle: {exc}"
        return v
    if trust is None:
        v.status = Status.NOT_CHECKED
        v.message = (
            "bundle present but not checked: give --key, --certificate-chain or --identity/--issuer"
        )
        return v
    if art.digests is None:
        v.status, v.message = Status.NOT_CHECKED, "the file was not hashed"
        return v
    v.trust_root, v.trust_root_sha256 = trust_source(trust)
    sha256 = art.digests.sha256
    try:
        signed, covers = _check(bundle, trust, sha256)
    except SignatureError as exc:
        v.message = str(exc)
        return v
    v.method, v.signer, v.signed_at, v.time_source = (
        signed.method,
        signed.signer,
        signed.signed_at,
        signed.time_source,
    )
    if covers:
        v.status, v.message = Status.VERIFIED, "valid signature over this file's SHA-256"
    else:
        v.status, v.message = Status.MISMATCH, "the signature is valid but covers other content"
        v.problems = [FileProblem(art.display, ProblemKind.CHANGED, "SHA-256 differs from signed")]
    return v


def _check(bundle: ParsedBundle, trust: Trust, sha256: str) -> tuple[SignedContent, bool]:
    """Verify the bundle on its own terms (its signature over its own digest or statement), then say
    whether what it signs is this file's SHA-256: a valid bundle over other content is a mismatch."""
    if bundle.envelope is not None:
        signed = check_envelope(bundle, trust)
        statement = parse_statement(signed.payload_type, signed.payload)
        return signed, any(digest == sha256 for _name, digest in subject_digests(statement))
    message = bundle.message
    assert message is not None
    if message.algorithm not in ("SHA2_256", "sha256") or len(message.digest) != 32:
        raise SignatureError(f"message digest {message.algorithm[:40]!r} is not a SHA-256 digest")
    signed_digest = message.digest.hex()
    if isinstance(trust, SigstoreTrust):
        return verify_keyless_artifact(bundle.raw, signed_digest, trust), signed_digest == sha256
    key, signer = _signing_key(bundle, trust)
    check_signature(key, message.signature, message.digest, prehashed=True)
    method = Method.KEY if isinstance(trust, KeyTrust) else Method.CERTIFICATE
    return SignedContent("", b"", method, signer), signed_digest == sha256


def _signing_key(
    bundle: ParsedBundle, trust: KeyTrust | CertTrust
) -> tuple[PublicKeyTypes, Signer]:
    if isinstance(trust, KeyTrust):
        if bundle.certificates:
            raise SignatureError("the bundle was signed with a certificate, not a bare key")
        return trust.key, Signer(key_fingerprint=key_fingerprint(trust.key))
    leaf = verified_leaf(bundle, trust)
    return leaf.public_key(), certificate_signer(leaf)
