"""CycloneDX vocabulary to SPDX 3.0.1 vocabulary: the fixed tables of the conversion (``aibom.spdx``).

Values are the names of SPDX 3.0.1 named individuals (``spdx_python_model.v3_0_1`` classes'
``NAMED_INDIVIDUALS``); a test checks every one against the installed model. A CycloneDX value that is
missing from a table has no SPDX 3.0.1 equivalent and is reported as not mapped.
"""

from __future__ import annotations

HASH_ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "SHA3-256": "sha3_256",
    "SHA3-384": "sha3_384",
    "SHA3-512": "sha3_512",
    "BLAKE2b-256": "blake2b256",
    "BLAKE2b-384": "blake2b384",
    "BLAKE2b-512": "blake2b512",
    "BLAKE3": "blake3",
}
"""CycloneDX ``hashes[].alg`` to ``HashAlgorithm``. Streebog has no SPDX name: it becomes ``other``
with the CycloneDX name in the hash's comment."""

PURPOSES: dict[str, str] = {
    "application": "application",
    "framework": "framework",
    "library": "library",
    "container": "container",
    "platform": "platform",
    "operating-system": "operatingSystem",
    "device": "device",
    "device-driver": "deviceDriver",
    "firmware": "firmware",
    "file": "file",
    "machine-learning-model": "model",
    "data": "data",
}
"""CycloneDX ``component.type`` to ``software_primaryPurpose`` (``cryptographic-asset`` has none)."""

FILE_KIND_PURPOSES: dict[str, str] = {
    "weights": "model",
    "config": "configuration",
    "card": "documentation",
    "dataset": "data",
    "archive": "archive",
    "code": "source",
}
"""aibom's ``aibom:file:kind`` property to ``software_additionalPurpose`` of a file."""

EXTERNAL_REFERENCES: dict[str, str] = {
    "vcs": "vcs",
    "issue-tracker": "issueTracker",
    "website": "altWebPage",
    "advisories": "securityAdvisory",
    "documentation": "documentation",
    "model-card": "documentation",
    "support": "support",
    "distribution": "altDownloadLocation",
    "distribution-intoto": "altDownloadLocation",
    "source-distribution": "sourceArtifact",
    "license": "license",
    "build-meta": "buildMeta",
    "build-system": "buildSystem",
    "release-notes": "releaseNotes",
    "mailing-list": "mailingList",
    "social": "socialMedia",
    "chat": "chat",
    "certification-report": "certificationReport",
    "quality-metrics": "metrics",
    "static-analysis-report": "staticAnalysisReport",
    "dynamic-analysis-report": "dynamicAnalysisReport",
    "runtime-analysis-report": "runtimeAnalysisReport",
    "component-analysis-report": "componentAnalysisReport",
    "pentest-report": "securityPenTestReport",
    "threat-model": "securityThreatModel",
    "adversary-model": "securityAdversaryModel",
    "risk-assessment": "riskAssessment",
    "vulnerability-assertion": "vulnerabilityExploitabilityAssessment",
    "exploitability-statement": "vulnerabilityExploitabilityAssessment",
    "rfc-9116": "securityOther",
}
"""CycloneDX ``externalReferences[].type`` to ``ExternalRefType``. Any other type (``bom``, ``log``,
``formulation``, ``attestation``…) becomes ``other`` with the CycloneDX type in the comment. The first
``website`` of a package is also its ``software_homePage`` and the first ``distribution`` its
``software_downloadLocation``."""

SBOM_TYPES: dict[str, str] = {
    "design": "design",
    "pre-build": "source",
    "build": "build",
    "post-build": "analyzed",
    "operations": "deployed",
}
"""CycloneDX ``metadata.lifecycles[].phase`` to ``software_sbomType`` (``discovery`` and
``decommission`` have no SPDX counterpart)."""

ENERGY_ACTIVITIES: dict[str, str] = {
    "training": "ai_trainingEnergyConsumption",
    "fine-tuning": "ai_finetuningEnergyConsumption",
    "inference": "ai_inferenceEnergyConsumption",
}
"""CycloneDX energy-consumption ``activity`` to the ``ai_EnergyConsumption`` list it belongs in."""

COMPLETENESS: dict[str, str] = {
    "complete": "complete",
    "incomplete": "incomplete",
    "incomplete_first_party_only": "incomplete",
    "incomplete_first_party_proprietary_only": "incomplete",
    "incomplete_first_party_opensource_only": "incomplete",
    "incomplete_third_party_only": "incomplete",
    "incomplete_third_party_proprietary_only": "incomplete",
    "incomplete_third_party_opensource_only": "incomplete",
    "unknown": "noAssertion",
    "not_specified": "noAssertion",
}
"""CycloneDX ``compositions[].aggregate`` to ``RelationshipCompleteness``."""
