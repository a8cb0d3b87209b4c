"""The ``aibom verify`` report from a scan's results: every signature in the target, failing closed.

"ok" needs every signature found (OMS ``model.sig``, other ``*.sig`` Sigstore bundles, bundles
beside files) to verify; a signature that was not checked, or trust material with nothing it could
check, is a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aibom.artifacts import Artifact
from aibom.findings import Skipped
from aibom.inventory import Inventory
from aibom.verify.drift import drift
from aibom.verify.hfcache import hf_cache_findings
from aibom.verify.models import verify_signatures
from aibom.verify.report import VerifyReport
from aibom.verify.results import Status, Verification
from aibom.verify.side_bundles import verify_artifacts
from aibom.verify.trust import VerifyOptions


def verify_report(
    inventory: Inventory,
    artifacts: Sequence[Artifact],
    skipped: Sequence[Skipped],
    options: VerifyOptions,
    old: dict[str, Any] | None,
    target: str,
) -> VerifyReport:
    """``target`` names the scanned path in the report when trust material was given and no
    signature at all was found (a failure: there was nothing to verify against it)."""
    models, others = verify_signatures(inventory, artifacts, options, skipped=skipped)
    singles = verify_artifacts(inventory, artifacts, options)
    if options.has_trust and not models and not others and not singles:
        message = "no model and no signature found; nothing was verified"
        others.append(Verification(target, Status.UNSIGNED, message=message))
    return VerifyReport(
        findings=hf_cache_findings(inventory, artifacts, skipped),
        models=[*models, *others],
        artifacts=singles,
        drift=drift(old, inventory, artifacts) if old is not None else None,
        expect_signatures=options.has_trust,
    )
