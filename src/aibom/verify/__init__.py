"""Verification: Hugging Face cache integrity, BOM drift, OpenSSF model signatures, Sigstore bundles.

Everything here works offline and reuses the scan's digests. The entry points take what a scan found
(an ``Inventory`` and its ``Artifact``s), never the scan itself, so ``aibom.scan`` can call them:

- ``hf_cache_findings(inventory, artifacts, skipped)``: cache blobs that no longer match their names,
  and related problems;
- ``verify_models(inventory, artifacts, options)``: one ``Verification`` per model (OMS ``model.sig``);
- ``verify_signatures(...)``: the same, plus one per signature no model claimed;
- ``verify_report(...)``: the whole ``aibom verify`` report, failing closed;
- ``verify_artifacts(inventory, artifacts, options)``: files with a ``.sigstore.json``/``.sigstore``
  bundle beside them;
- ``drift(old_doc, inventory, artifacts)``: what changed since an earlier BOM (read with
  ``aibom.bomdoc.read_bom``);
- ``verification_properties(v)`` / ``verification_findings(v)``: how a result enters the BOM.

Heavy libraries (cryptography, sigstore) are imported inside functions, when a signature is checked.
"""

from __future__ import annotations

from aibom.verify.command import verify_report
from aibom.verify.drift import DriftReport, drift
from aibom.verify.hfcache import hf_cache_findings
from aibom.verify.models import verify_models, verify_signatures
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
    "verification_findings",
    "verification_properties",
    "verify_artifacts",
    "verify_models",
    "verify_report",
    "verify_signatures",
]
