"""Checking a detached bundle over a BOM (``aibom sign-bom`` output, or any in-toto CycloneDX one)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aibom.bomdoc.read import parse_bom, read_source
from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.verify.bundle import parse_statement, require_bundle
from aibom.verify.results import (
    FileProblem,
    ProblemKind,
    SignatureError,
    Status,
    Verification,
)
from aibom.verify.sign import CYCLONEDX_PREDICATE
from aibom.verify.trust import VerifyOptions, check_envelope, load_trust, trust_source


def _max_bundle(limits: Limits) -> int:
    """A BOM bundle carries the BOM itself (base64, 4/3 of its size) as the statement's predicate."""
    return DEFAULT_LIMITS.max_bundle_bytes + 2 * limits.max_bom_bytes


def verify_bom_signature(bom: Path, bundle_path: Path, options: VerifyOptions) -> Verification:
    """A bundle that cannot be read or is not a Sigstore bundle raises ``AibomError`` (exit 2);
    one that does not verify, or covers another BOM, is a result (exit 1)."""
    trust = load_trust(options)
    if trust is None:
        raise UsageError("give --key, --certificate-chain or --identity and --issuer")
    _name, data = read_source(bom, options.limits)
    v = Verification(bom.name, Status.INVALID, signature=str(bundle_path))
    v.trust_root, v.trust_root_sha256 = trust_source(trust)
    bundle = require_bundle(bundle_path, _max_bundle(options.limits), "bundle")
    try:
        signed = check_envelope(bundle, trust)
        statement = parse_statement(signed.payload_type, signed.payload)
    except SignatureError as exc:
        v.message = str(exc)
        return v
    v.method, v.signer = signed.method, signed.signer
    v.signed_at, v.time_source = signed.signed_at, signed.time_source
    if statement.get("predicateType") != CYCLONEDX_PREDICATE:
        v.message = f"the statement's predicate type is not {CYCLONEDX_PREDICATE}"
        return v
    _compare(v, data, statement)
    return v


def _compare(v: Verification, data: bytes, statement: dict[str, object]) -> None:
    digest = hashlib.sha256(data).hexdigest()
    subjects = statement.get("subject")
    names = subjects if isinstance(subjects, list) else []
    covered = any(
        isinstance(s, dict)
        and isinstance(s.get("digest"), dict)
        and s["digest"].get("sha256") == digest
        for s in names
    )
    try:
        same_predicate = parse_bom(data, v.subject) == statement.get("predicate")
    except UsageError:  # not a BOM aibom reads, so not the signed one
        same_predicate = False
    if covered and same_predicate:
        v.status, v.message = Status.VERIFIED, "valid signature over this BOM"
        return
    v.status = Status.MISMATCH
    v.message = "the signature is valid but covers a different BOM"
    detail = (
        "SHA-256 differs from the signed one"
        if not covered
        else "content differs from the signed predicate"
    )
    v.problems = [FileProblem(v.subject, ProblemKind.CHANGED, detail)]
