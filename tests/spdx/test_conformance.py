"""The SPDX export checked by ntia-conformance-checker 6 (spdx3): NTIA minimum elements and BSI
TR-03183-2 v2.1.0.

The checker parses the file with spdx-python-model, checks the SpdxDocument/rootElement constraints,
and then each requirement. A BOM that carries what BSI asks (an SBOM author with an email, component
versions, suppliers and manufacturers with URLs, concluded licences, purls) passes every BSI minimum
element but one; aibom's own BOM of a local folder lacks more, and the test names each gap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ntia_conformance_checker.bsi_checker import BSIChecker
from ntia_conformance_checker.ntia_checker import NTIAChecker

from aibom.spdx import convert
from tests.spdx.spdx_builders import (
    TINY_BERT,
    model_card_with_dataset_bom,
    provenance_bom,
    scan_bom,
)

DISTRIBUTION_FILENAMES = "Distribution Filenames"
"""BSI wants each package linked by ``hasDistributionArtifact`` to the ``software_File`` it ships as.
CycloneDX has no field naming that file (nested file components are contents, written ``contains``),
so the export never claims one and this requirement always fails."""


def _write(tmp_path: Path, bom: dict[str, Any]) -> str:
    path = tmp_path / "bom.spdx.json"
    path.write_text(convert(bom).text())
    return str(path)


def _failed_minimum(checker: BSIChecker) -> set[str]:
    """BSI requirements that failed, leaving out those the checker marks (Warning) or (Optional)."""
    return {name for name, ok in checker.table_elements if not ok and "(" not in name}


def _parsed_cleanly(checker: BSIChecker | NTIAChecker) -> None:
    assert checker.parsing_errors == []
    assert [str(m.validation_message) for m in checker.validation_messages] == []


def test_a_bom_with_full_provenance_meets_ntia_and_all_bsi_minimum_elements_but_one(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, provenance_bom())
    ntia = NTIAChecker(path, sbom_spec="spdx3")
    _parsed_cleanly(ntia)
    assert ntia.compliant
    bsi = BSIChecker(path, sbom_spec="spdx3")
    _parsed_cleanly(bsi)
    assert _failed_minimum(bsi) == {DISTRIBUTION_FILENAMES}
    assert not bsi.compliant  # because of that one


def test_the_spec_example_fails_bsi_where_its_bom_is_silent(tmp_path: Path) -> None:
    path = _write(tmp_path, model_card_with_dataset_bom())
    bsi = BSIChecker(path, sbom_spec="spdx3")
    _parsed_cleanly(bsi)
    assert _failed_minimum(bsi) == {
        "Creator of the SBOM",  # no metadata.authors or manufacturer, so aibom is the creator
        "Component Creators",  # no manufacturer or authors with an email or URL
        "Distribution Licenses",  # no licences at all: NoAssertionLicense
        DISTRIBUTION_FILENAMES,
    }
    ntia = NTIAChecker(path, sbom_spec="spdx3")
    assert not ntia.compliant
    names = {name for name, _ in ntia.components_without_suppliers}
    assert names == {
        "support-triage-service",
        "support-ticket-classifier",
        "support-ticket-training-data",
        "support-ticket-evaluation-data",
    }  # "publisher" is not a supplier
    assert ntia.components_without_versions == []


def test_aibom_scan_of_a_folder_fails_bsi_where_a_folder_says_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, scan_bom(TINY_BERT))
    bsi = BSIChecker(path, sbom_spec="spdx3")
    _parsed_cleanly(bsi)
    assert _failed_minimum(bsi) == {
        "Creator of the SBOM",  # a scan names its tool, not a person or organisation
        "Component Versions",  # a local folder has no release version; the base model is unpinned
        "Component Creators",  # model cards name no manufacturer with an email or URL
        "Distribution Licenses",  # card licences are declared, never concluded
        DISTRIBUTION_FILENAMES,
    }
    unversioned = {name for name, _ in bsi.components_without_versions}
    assert unversioned == {"tiny-bert", "bert-base-uncased", "wikitext"}
    assert bsi.doc_timestamp and bsi.dependency_completeness
