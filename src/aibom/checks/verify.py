"""Checks of integrity and provenance verification (hashes, Hugging Face blobs, signatures, drift)."""

from __future__ import annotations

from aibom.findings import Check, Severity

HF_BLOB_MISMATCH = Check(
    id="AIBOM-VER-001",
    name="hf-blob-mismatch",
    title="Hugging Face cache blob does not match its name",
    severity=Severity.CRITICAL,
    help=(
        "A Hugging Face cache stores each file under its digest: the SHA-256 of the content for LFS "
        "files, the git blob SHA-1 otherwise. This blob's content hashes to something else, so it was "
        "changed after download: by hand, by a broken disk, or by someone swapping weights in place."
    ),
    remediation="Delete the repository from the cache, download it again and compare; find out what "
    "modified the cache before trusting anything loaded from it.",
    cwe=354,
    tags=("integrity", "tampering"),
)

HF_LFS_POINTER_MISMATCH = Check(
    id="AIBOM-VER-002",
    name="lfs-pointer-mismatch",
    title="Git LFS pointer disagrees with the object it stands for",
    severity=Severity.HIGH,
    help=(
        "A Git LFS pointer names an object by SHA-256 and size. Here the pointer's oid differs from the "
        "cache blob it is stored as, or its size differs from the object's real size, or the cache holds "
        "the pointer instead of the object: the file is not what the repository published."
    ),
    remediation="Fetch the object again (`git lfs pull` or a fresh download) and compare digests.",
    cwe=354,
    tags=("integrity",),
)

HF_LINK_ESCAPES = Check(
    id="AIBOM-VER-003",
    name="hf-link-escapes",
    title="Hugging Face snapshot link leaves the repository",
    severity=Severity.HIGH,
    help=(
        "Snapshot entries must be links into the repository's blobs folder. This one points outside "
        "the repository, so whatever it reaches is loaded as part of the model but is not covered by "
        "the cache's content addressing. aibom did not follow it."
    ),
    remediation="Remove the link and download the file again; check who can write to the cache.",
    cwe=59,
    tags=("integrity", "tampering"),
)

SIGNATURE_INVALID = Check(
    id="AIBOM-VER-010",
    name="signature-invalid",
    title="Model signature cannot be verified",
    severity=Severity.HIGH,
    help=(
        "A signature was found but does not verify against the trust material given: the bundle is "
        "damaged, was made by another key or identity, chains to another root, or its certificate is "
        "expired with no trusted timestamp."
    ),
    remediation="Obtain the model and its signature again from the publisher, and check that the "
    "key, certificate chain or identity you verify against is the one the publisher announced.",
    cwe=347,
    tags=("provenance", "signature"),
)

SIGNATURE_MISMATCH = Check(
    id="AIBOM-VER-011",
    name="signature-mismatch",
    title="Model files differ from their signed manifest",
    severity=Severity.HIGH,
    help=(
        "The signature is valid, but the files on disk are not the ones it covers: a signed file is "
        "missing or changed, or a file the signer did not sign was added."
    ),
    remediation="Restore the published files. If the extra files are yours (e.g. local notes), "
    "exclude them with `--ignore-path`.",
    cwe=345,
    tags=("integrity", "signature"),
)

SIGNATURE_NOT_CHECKED = Check(
    id="AIBOM-VER-012",
    name="signature-not-checked",
    title="Signature present but not checked",
    severity=Severity.LOW,
    help="A signature was found, but no key, certificate chain or signer identity was given (or a "
    "digest could not be computed), so nothing about it is established.",
    remediation="Run `aibom verify` with `--key`, `--certificate-chain` or `--identity` and `--issuer`.",
    tags=("provenance", "signature"),
)

MODEL_UNSIGNED = Check(
    id="AIBOM-VER-013",
    name="model-unsigned",
    title="Model has no signature",
    severity=Severity.INFO,
    help="No OpenSSF Model Signing signature (`model.sig`) was found for the model, so its origin "
    "cannot be checked cryptographically.",
    remediation="Ask the publisher to sign releases with OpenSSF Model Signing, or sign the copy you "
    "vetted with `aibom sign` and verify it before use.",
    tags=("provenance",),
)

BOM_DRIFT = Check(
    id="AIBOM-VER-020",
    name="bom-drift",
    title="Model files or revision changed since an earlier BOM",
    severity=Severity.MEDIUM,
    help="Compared with the earlier BOM, files of the model were added, removed or changed (by "
    "SHA-256), or the model's revision moved.",
    remediation="Review the change; if it is intended, issue a new BOM as the reference.",
    tags=("integrity", "drift"),
)

VERIFY_CHECKS: tuple[Check, ...] = (
    HF_BLOB_MISMATCH,
    HF_LFS_POINTER_MISMATCH,
    HF_LINK_ESCAPES,
    SIGNATURE_INVALID,
    SIGNATURE_MISMATCH,
    SIGNATURE_NOT_CHECKED,
    MODEL_UNSIGNED,
    BOM_DRIFT,
)
