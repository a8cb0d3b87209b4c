"""How verification results enter the BOM (``aibom:signature:*`` properties, findings) and the reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from aibom.checks.verify import (
    MODEL_UNSIGNED,
    SIGNATURE_INVALID,
    SIGNATURE_MISMATCH,
    SIGNATURE_NOT_CHECKED,
)
from aibom.findings import Finding, Severity
from aibom.verify.drift import DriftReport
from aibom.verify.results import ProblemKind, Status, Verification

SIG_STATUS = "aibom:signature:status"
SIG_METHOD = "aibom:signature:method"
SIG_FILE = "aibom:signature:file"
SIG_IDENTITY = "aibom:signature:identity"
SIG_ISSUER = "aibom:signature:issuer"
SIG_KEY = "aibom:signature:key-fingerprint"
SIG_SUBJECT = "aibom:signature:certificate-subject"
SIG_TIME = "aibom:signature:time"
SIG_TIME_SOURCE = "aibom:signature:time-source"
SIG_TRUST_ROOT = "aibom:signature:trust-root"
SIG_TRUST_ROOT_SHA256 = "aibom:signature:trust-root-sha256"
SIG_MANIFEST = "aibom:signature:manifest-digest"
SIG_MESSAGE = "aibom:signature:message"
SIG_PROBLEMS = "aibom:signature:problems"
SIG_UNSIGNED = "aibom:signature:unsigned-files"
SIG_CARD_UNSIGNED = "aibom:signature:card-unsigned"

PROPERTIES: dict[str, str] = {
    SIG_STATUS: "Signature check result: verified, mismatch, unsigned, invalid or not_checked.",
    SIG_METHOD: "How it was checked: sigstore (keyless), key, certificate, or none.",
    SIG_FILE: "Path of the signature (OMS `model.sig` or Sigstore bundle) that was checked.",
    SIG_IDENTITY: "Signer identity from the certificate SAN (e-mail or URI).",
    SIG_ISSUER: "OIDC issuer recorded in a Sigstore signing certificate.",
    SIG_KEY: "`sha256:<hex>` of the DER SubjectPublicKeyInfo of the signing key.",
    SIG_SUBJECT: "Subject (RFC 4514) of the signing certificate, for certificate signatures.",
    SIG_TIME: "Verified signing time (ISO 8601, UTC); absent when no trusted time exists.",
    SIG_TIME_SOURCE: "Where the signing time comes from: transparency-log or timestamp-authority.",
    SIG_TRUST_ROOT: "What was trusted: key or CA file name, trusted-root file, or the Sigstore "
    "production root embedded in the sigstore package.",
    SIG_TRUST_ROOT_SHA256: "SHA-256 of the trust material's bytes, so a reviewer can see exactly what "
    "was trusted.",
    SIG_MANIFEST: "OMS root digest: SHA-256 over the signed per-file digests.",
    SIG_MESSAGE: "One line explaining the status.",
    SIG_PROBLEMS: "Files that differ from the signed manifest (`kind: path`, `; `-separated).",
    SIG_UNSIGNED: "Files present in the signed folder that the signature does not cover because the "
    "signer or the user ignored them (`; `-separated; a folder ends with `/`).",
    SIG_CARD_UNSIGNED: "`true` when the model card is among those files: facts and scores taken "
    "from it rest on data the signature does not vouch for.",
}


def verification_properties(v: Verification) -> list[tuple[str, str]]:
    """(name, value) pairs for the model's component; empty values are left out."""
    signer = v.signer
    pairs: list[tuple[str, str | None]] = [
        (SIG_STATUS, v.status.value),
        (SIG_METHOD, v.method.value),
        (SIG_FILE, v.signature),
        (SIG_IDENTITY, signer.identity if signer else None),
        (SIG_ISSUER, signer.issuer if signer else None),
        (SIG_KEY, signer.key_fingerprint if signer else None),
        (SIG_SUBJECT, signer.subject if signer else None),
        (SIG_TIME, v.signed_at.isoformat() if v.signed_at else None),
        (SIG_TIME_SOURCE, v.time_source),
        (SIG_TRUST_ROOT, v.trust_root),
        (SIG_TRUST_ROOT_SHA256, v.trust_root_sha256),
        (SIG_MANIFEST, v.manifest_digest),
        (SIG_MESSAGE, v.message),
        (SIG_PROBLEMS, "; ".join(f"{p.kind.value}: {p.path}" for p in v.problems)),
        (SIG_UNSIGNED, "; ".join(v.unsigned)),
        (SIG_CARD_UNSIGNED, "true" if v.card_unsigned else None),
    ]
    return [(name, value) for name, value in pairs if value]


def verification_findings(v: Verification) -> list[Finding]:
    """Findings for the BOM and the exit policy: one per failed signature, one per differing file."""
    where = v.signature or v.subject
    if v.status is Status.INVALID:
        return [Finding(SIGNATURE_INVALID, where, f"{v.subject}: {v.message}")]
    if v.status is Status.NOT_CHECKED:
        return [Finding(SIGNATURE_NOT_CHECKED, where, f"{v.subject}: {v.message}")]
    if v.status is Status.UNSIGNED:
        return [Finding(MODEL_UNSIGNED, v.subject, "no signature found for the model")]
    out = []
    for p in v.problems:
        if p.kind is ProblemKind.UNCHECKED:
            continue
        path = f"{v.subject}/{p.path}" if v.subject and p.path != v.subject else p.path
        severity = Severity.CRITICAL if p.kind is ProblemKind.CHANGED else None
        message = f"{p.describe()} (against signature {v.signature})"
        out.append(Finding(SIGNATURE_MISMATCH, path, message, severity=severity))
    return out


# ---------------------------------------------------------------- the `aibom verify` report


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    """Hugging Face cache integrity findings."""
    models: list[Verification] = field(default_factory=list)
    artifacts: list[Verification] = field(default_factory=list)
    drift: DriftReport | None = None
    expect_signatures: bool = False
    """Trust material was given: an unsigned model is then a failure, not just a fact."""

    @property
    def failed(self) -> bool:
        if self.findings or (self.drift is not None and self.drift.has_drift):
            return True
        checked = (*self.models, *self.artifacts)
        if any(v.failed or v.status is Status.NOT_CHECKED for v in checked):
            return True
        return self.expect_signatures and any(v.status is Status.UNSIGNED for v in self.models)

    def to_json(self) -> str:
        doc = {
            "ok": not self.failed,
            "integrity": [_finding_dict(f) for f in self.findings],
            "models": [v.to_dict() for v in self.models],
            "artifacts": [v.to_dict() for v in self.artifacts],
            "drift": self.drift.to_dict() if self.drift is not None else None,
        }
        return json.dumps(doc, indent=2) + "\n"

    def render_text(self) -> str:
        lines = [f"integrity: {f.check.id} {f.path}: {f.message}" for f in self.findings]
        if not self.findings:
            lines.append("integrity: no Hugging Face cache problems")
        lines += _verification_lines(self.models) + _verification_lines(self.artifacts)
        text = "\n".join(lines) + "\n"
        if self.drift is not None:
            text += self.drift.render_text()
        return text + ("result: FAILED\n" if self.failed else "result: ok\n")


def render_verifications(items: Sequence[Verification]) -> str:
    """Text lines for results alone (``verify-bom``), without the integrity and drift sections."""
    return "\n".join(_verification_lines(items)) + "\n"


def _verification_lines(items: Sequence[Verification]) -> list[str]:
    lines = []
    for v in items:
        head = f"{v.status.value}: {v.subject or '.'}"
        if v.method.value != "none":
            head += f" [{v.method.value}]"
        lines.append(f"{head}: {v.message}")
        if v.signer is not None:
            lines.append(f"    signer: {v.signer.describe()}")
        if v.signed_at is not None:
            lines.append(f"    signed: {v.signed_at.isoformat()} ({v.time_source})")
        if v.trust_root:
            lines.append(f"    trusted: {v.trust_root} (sha256 {v.trust_root_sha256})")
        lines += [f"    {p.describe()}" for p in v.problems]
        lines += [f"    not covered by the signature: {p}" for p in v.unsigned]
        lines += [f"    warning: {w}" for w in v.warnings]
    return lines


def _finding_dict(f: Finding) -> dict[str, object]:
    return {
        "check": f.check.id,
        "severity": f.effective_severity.label,
        "path": f.path,
        "message": f.message,
        "evidence": f.evidence,
    }
