"""Signing: OMS v1.0 ``model.sig`` for a model folder, and detached in-toto bundles over a BOM.

Key signing builds the same Sigstore v0.3 bundle model-signing's key method writes (public key hint,
no transparency-log entry, one DSSE signature with ECDSA over the curve's hash), so the model-signing
CLI verifies it. Keyless signing (``sign_keyless``) uses sigstore-python's normal online flow: Fulcio,
Rekor and an OIDC login. It cannot run without network and is not exercised by the test suite.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom.bomdoc.read import is_xml, parse_bom
from aibom.errors import AibomError, UsageError
from aibom.verify.bundle import IN_TOTO_PAYLOAD_TYPE, pae
from aibom.verify.keys import key_hint
from aibom.verify.oms import OMS_PREDICATE
from aibom.verify.paths import GIT_PATHS

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec


STATEMENT_V1 = "https://in-toto.io/Statement/v1"
BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom"
"""in-toto vetted predicate type for CycloneDX BOMs (in-toto/attestation spec/predicates/cyclonedx.md)."""


@dataclass(frozen=True)
class ModelFile:
    path: str
    """POSIX path inside the model ("." for a single-file model, as model-signing writes it)."""
    sha256: str
    is_link: bool = False


def oms_statement(
    name: str, files: Sequence[ModelFile], ignore_paths: Sequence[str]
) -> dict[str, Any]:
    """The OMS v1.0 in-toto statement for files hashed with SHA-256 (resources sorted by path)."""
    ordered = sorted(files, key=lambda f: f.path)
    root = hashlib.sha256(b"".join(bytes.fromhex(f.sha256) for f in ordered)).hexdigest()
    return {
        "_type": STATEMENT_V1,
        "subject": [{"name": name, "digest": {"sha256": root}}],
        "predicateType": OMS_PREDICATE,
        "predicate": {
            "serialization": {
                "method": "files",
                "hash_type": "sha256",
                "allow_symlinks": any(f.is_link for f in files),
                "ignore_paths": sorted({*GIT_PATHS, *ignore_paths}),
            },
            "resources": [
                {"name": f.path, "algorithm": "sha256", "digest": f.sha256} for f in ordered
            ],
        },
    }


def load_private_key(path: Path, password: bytes | None) -> ec.EllipticCurvePrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password)
    except TypeError as exc:
        raise UsageError(
            f"{path}: {exc}", hint="give the key's password (--password-env)"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot load private key {path}: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.key_size not in (256, 384, 521):
        raise UsageError(
            f"{path} is not an ECDSA P-256, P-384 or P-521 key",
            hint="OMS key signatures use NIST curves: openssl ecparam -genkey -name prime256v1",
        )
    return key


def _ec_hash(key: ec.EllipticCurvePrivateKey) -> Any:
    from cryptography.hazmat.primitives import hashes

    size = key.curve.key_size
    return hashes.SHA384() if size == 384 else hashes.SHA512() if size == 521 else hashes.SHA256()


def sign_statement_with_key(statement: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    """A Sigstore v0.3 bundle (JSON text) holding a DSSE envelope signed with ``key``."""
    from cryptography.hazmat.primitives.asymmetric import ec

    payload = json.dumps(statement, indent=2, sort_keys=True).encode()
    signature = key.sign(pae(IN_TOTO_PAYLOAD_TYPE, payload), ec.ECDSA(_ec_hash(key)))
    bundle = {
        "mediaType": BUNDLE_V03,
        "verificationMaterial": {
            "publicKey": {"hint": key_hint(key.public_key())},
            "tlogEntries": [],
        },
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": base64.b64encode(signature).decode(), "keyid": ""}],
        },
    }
    return json.dumps(bundle, indent=2) + "\n"


def sign_keyless(statement: dict[str, Any]) -> str:
    """Sigstore keyless signing with the production instance (online: browser or ambient OIDC).
    Any failure (no network, TUF, OIDC, Fulcio, Rekor) is one ``AibomError`` line, never a
    traceback: sigstore raises many exception types and each one means "not signed"."""
    try:
        return _sign_keyless_online(statement)
    except Exception as exc:
        text = str(exc).strip().split("\n", 1)[0][:300] or type(exc).__name__
        raise AibomError(f"keyless signing failed: {text}") from None


def _sign_keyless_online(statement: dict[str, Any]) -> str:  # pragma: no cover - needs Fulcio
    from sigstore.dsse import Statement
    from sigstore.models import ClientTrustConfig
    from sigstore.oidc import IdentityToken, Issuer, detect_credential
    from sigstore.sign import SigningContext

    config = ClientTrustConfig.production()
    context = SigningContext.from_trust_config(config)
    raw = detect_credential()
    token = (
        IdentityToken(raw) if raw else Issuer(config.signing_config.get_oidc_url()).identity_token()
    )
    payload = json.dumps(statement, sort_keys=True).encode()
    with context.signer(token) as signer:
        return signer.sign_dsse(Statement(payload)).to_json() + "\n"


def bom_statement(bom_bytes: bytes, name: str) -> dict[str, Any]:
    """in-toto statement over a BOM file: subject = the file's SHA-256, predicate = the BOM itself
    (read under ``aibom.bomdoc.read``'s policy; JSON only, since the predicate is the JSON)."""
    if is_xml(bom_bytes):
        raise UsageError(
            f"{name} is XML: only CycloneDX JSON BOMs can be signed",
            hint="the signed predicate is the JSON document itself; sign the JSON form",
        )
    predicate = parse_bom(bom_bytes, name)
    return {
        "_type": STATEMENT_V1,
        "subject": [{"name": name, "digest": {"sha256": hashlib.sha256(bom_bytes).hexdigest()}}],
        "predicateType": CYCLONEDX_PREDICATE,
        "predicate": predicate,
    }
