"""Properties of ``merge`` on generated documents: small pools of purls, hashes and refs so that
duplicates and ref collisions are the common case, nested components, random closed graphs."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.merge import merge, purl_key
from tests.merge.builders import all_components, assert_graph_closed, schema_error

PURLS = ["pkg:pypi/a@1", "pkg:pypi/A@1.0", "pkg:pypi/a@2", "pkg:pypi/b_c@1", "pkg:pypi/b-c@1"]
HASHES = ["1" * 64, "2" * 64, "3" * 64]
REFS = ["root", "a", "b", "c", "d", "e", "model", "x#2"]


@st.composite
def components(draw: st.DrawFn, refs: list[str], depth: int = 0) -> dict[str, Any]:
    ref = refs.pop()
    comp: dict[str, Any] = {"type": "library", "name": draw(st.sampled_from(["a", "b", "c"]))}
    comp["bom-ref"] = ref
    if draw(st.booleans()):
        comp["purl"] = draw(st.sampled_from(PURLS))
    if draw(st.booleans()):
        comp["hashes"] = [{"alg": "SHA-256", "content": draw(st.sampled_from(HASHES))}]
    if draw(st.booleans()):
        comp["properties"] = [{"name": "p", "value": draw(st.sampled_from(["1", "2"]))}]
    if depth < 2 and refs and draw(st.booleans()):
        n = draw(st.integers(0, min(2, len(refs))))
        comp["components"] = [draw(components(refs, depth + 1)) for _ in range(n) if refs]
    return comp


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    refs = draw(st.permutations(REFS))
    root_ref = refs.pop()
    doc: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": draw(st.sampled_from(["1.4", "1.5", "1.6"])),
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": root_ref}},
    }
    n = draw(st.integers(0, 4))
    comps = [draw(components(refs)) for _ in range(n) if refs]
    if comps:
        doc["components"] = comps
    known = [c["bom-ref"] for c in all_components(doc)]
    deps = []
    for ref in known:
        if draw(st.booleans()):
            on = draw(st.lists(st.sampled_from(known), unique=True, max_size=3))
            deps.append({"ref": ref, "dependsOn": [r for r in on if r != ref]})
    if deps:
        doc["dependencies"] = deps
    with_vulnerability: bool = draw(st.booleans())
    if known and with_vulnerability:
        doc["vulnerabilities"] = [
            {"bom-ref": "v", "id": "X-1", "affects": [{"ref": draw(st.sampled_from(known))}]}
        ]
    return doc


def _purl_keys(doc: dict[str, Any]) -> set[str]:
    return {str(purl_key(c["purl"])) for c in all_components(doc) if "purl" in c}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_merge_invariants(base: dict[str, Any], addition: dict[str, Any]) -> None:
    before = copy.deepcopy((base, addition))
    doc, report = merge(base, addition)
    assert (base, addition) == before  # inputs untouched
    assert_graph_closed(doc)  # refs unique, every graph ref defined
    assert schema_error(doc) is None
    assert doc["metadata"]["component"] == base["metadata"]["component"]
    assert _purl_keys(doc) == _purl_keys(base) | _purl_keys(addition)
    n_base = len(all_components(base))
    n_add = len(all_components(addition))
    assert len(all_components(doc)) == n_base + n_add - report.merged
    assert report.added + report.merged == n_add
    assert report.root_edge is not None
    base_root, add_root = report.root_edge
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert add_root in deps[base_root]
    # every vulnerability still affects a component that exists
    refs = {c["bom-ref"] for c in all_components(doc)}
    for vuln in doc.get("vulnerabilities", []):
        assert all(a["ref"] in refs for a in vuln["affects"])
    # merging is deterministic
    assert merge(base, addition)[0] == doc
