"""Reading BOM documents from any generator: typed views, defaults for unknown ids, no crash on junk."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.bomdoc.view import view_of
from aibom.checks import FORMAT_MISMATCH
from aibom.findings import Severity
from aibom.limits import DEFAULT_LIMITS
from aibom.render import FORMATS, render
from tests.reports.builders import document, model, vulnerability

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
field_names = st.sampled_from(
    ["components", "vulnerabilities", "metadata", "specVersion", "serialNumber", "dependencies"]
)


def test_real_scan_is_read_into_models_packages_findings(repo_doc: dict[str, Any]) -> None:
    bom = view_of(repo_doc)
    assert {m.name for m in bom.models} >= {"tiny", "pointer"}
    assert {p.name for p in bom.packages} == {"numpy", "torch", "transformers"}
    tiny = next(m for m in bom.models if m.name == "tiny")
    assert {f.path for f in tiny.files} >= {"repo/models/tiny/model.safetensors"}
    assert all(f.sha256 and len(f.sha256) == 64 for f in tiny.files)
    disguise = next(f for f in bom.findings if f.id == FORMAT_MISMATCH.id)
    assert disguise.known and disguise.title == FORMAT_MISMATCH.title
    assert disguise.path == "repo/models/tiny/extra.safetensors"
    assert [f.severity for f in bom.findings] == sorted(
        (f.severity for f in bom.findings), reverse=True
    )
    assert disguise in bom.findings_for(tiny)
    assert all(f.path != "repo/models/pointer/model.safetensors" for f in bom.findings_for(tiny))


def test_unknown_id_takes_its_metadata_from_the_vulnerability() -> None:
    vuln = vulnerability(
        "GHSA-xxxx-yyyy-zzzz", "critical", description="RCE in torch.load\nmore text"
    )
    vuln["recommendation"] = "Upgrade torch to 2.6"
    vuln["cwes"] = [502]
    finding = view_of(document(vulnerabilities=[vuln])).findings[0]
    assert not finding.known
    assert finding.title == "RCE in torch.load"
    assert finding.severity is Severity.CRITICAL
    assert finding.remediation == "Upgrade torch to 2.6"
    assert finding.cwe == 502


def test_severity_falls_back_to_the_check_then_to_high() -> None:
    unrated = vulnerability(FORMAT_MISMATCH.id)
    unrated["ratings"] = [{"severity": "unknown"}]
    none_rated = vulnerability("OSV-1", "none")
    foreign = vulnerability("OSV-2")
    foreign["ratings"] = []
    findings = {
        f.id: f.severity
        for f in view_of(document(vulnerabilities=[unrated, none_rated, foreign])).findings
    }
    assert findings == {
        FORMAT_MISMATCH.id: FORMAT_MISMATCH.severity,
        "OSV-1": Severity.INFO,
        "OSV-2": Severity.HIGH,  # unrated: the level aibom.vulns gives it for --fail-on
    }


def test_cyclonedx_14_tools_list_and_licence_expressions() -> None:
    doc = document([model("m", licenses=[{"expression": "MIT OR Apache-2.0"}])], spec="1.4")
    doc["metadata"]["tools"] = [{"vendor": "x", "name": "other-tool", "version": "9"}]
    bom = view_of(doc)
    assert bom.tools == (("other-tool", "9"),)
    assert bom.models[0].licenses == ("MIT OR Apache-2.0",)


def test_skipped_paths_keep_colons_in_the_path() -> None:
    bom = view_of(document(skipped=["C:/data/x.bin: cannot read: permission denied", "odd"]))
    assert [(s.path, s.reason) for s in bom.skipped] == [
        ("C:/data/x.bin: cannot read", "permission denied"),
        ("odd", ""),
    ]


def test_nesting_beyond_the_bound_is_ignored_not_recursed() -> None:
    inner: dict[str, Any] = model("leaf")
    for depth in range(5000):
        inner = {"type": "library", "name": f"n{depth}", "components": [inner]}
    bom = view_of(document([inner]))
    assert len(bom.components) == DEFAULT_LIMITS.max_bom_depth + 1
    assert all(c.name != "leaf" for c in bom.components)


@settings(deadline=None)
@given(st.dictionaries(field_names, json_values, max_size=6))
def test_any_json_document_renders_in_every_format(junk: dict[str, Any]) -> None:
    doc = {"bomFormat": "CycloneDX", **junk}
    for fmt in FORMATS:
        assert isinstance(render(fmt, doc), str)


@settings(deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "ratings", "affects", "properties", "description"]), json_values
        ),
        max_size=5,
    )
)
def test_junk_vulnerabilities_render_in_every_format(vulns: list[Any]) -> None:
    doc = document(vulnerabilities=vulns)
    for fmt in FORMATS:
        assert isinstance(render(fmt, doc), str)
