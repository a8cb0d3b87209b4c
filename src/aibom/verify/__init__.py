"""Verification: Hugging Face cache integrity, BOM drift, OpenSSF model signatures, Sigstore bundles.

Everything here works offline and reuses the scan's digests. The public entry points:

- ``hf_cache_findings(result)``: cache blobs that no longer match their names, and related problems;
- ``verify_models(result, options)``: one ``Verification`` per model (OMS ``model.sig``);
- ``verify_artifacts(result, options)``: files with a ``.sigstore.json``/``.sigstore`` bundle beside them;
- ``drift(old_doc, result)``: what changed since an earlier BOM;
- ``verification_properties(v)`` / ``verification_findings(v)``: how a result enters the BOM.

Heavy libraries (cryptography, sigstore) are imported inside functions, when a signature is checked.
"""

from __future__ import annotations

from aibom.verify.drift import DriftReport, drift, load_bom
from aibom.verify.hfcache import hf_cache_findings
from aibom.verify.models import verify_models
from aibom.verify.report import (
    PROPERTIES,
    VerifyReport,
    verification_findings,
    verification_properties,
)
from aibom.verify.results import FileProblem, Method, ProblemKind, Signer, Status, Verification
from aibom.verify.side_bundles import verify_artifacts
from aibom.verify.trust import VerifyOptions

__all__ = [
    "PROPERTIES",
    "DriftReport",
    "FileProblem",
    "Method",
    "ProblemKind",
    "Signer",
    "Status",
    "Verification",
    "VerifyOptions",
    "VerifyReport",
    "drift",
    "hf_cache_findings",
    "load_bom",
    "verification_findings",
    "verification_properties",
    "verify_artifacts",
    "verify_models",
]
