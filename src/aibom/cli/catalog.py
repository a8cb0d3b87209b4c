"""Everything aibom can write into a BOM, gathered from the areas that define it.

Checks come from ``aibom.checks``; ``aibom:`` property names are defined once, each in the module of the
stage that writes them (``aibom.properties`` for the scan pipeline, and a ``PROPERTIES`` mapping in each
other area). The docs (``docs/reference.md``) and the test that every emitted property is documented
read this module.
"""

from __future__ import annotations

import functools

from aibom.checks import ALL_CHECKS
from aibom.findings import Check
from aibom.properties import FAMILIES as PIPELINE_FAMILIES
from aibom.properties import PROPERTIES


@functools.cache
def area_properties() -> dict[str, dict[str, str]]:
    """Area title -> {property name: meaning}."""
    from aibom.formats.properties import PROPERTIES as FORMATS
    from aibom.score.annotate import PROPERTIES as SCORES
    from aibom.sources.remote.report import PROPERTIES as REMOTE
    from aibom.verify.report import PROPERTIES as VERIFY
    from aibom.vulns.cyclonedx import PROPERTIES as VULNS

    return {
        "Scan pipeline": {prop.value: meaning for prop, meaning in PROPERTIES.items()},
        "Model formats (Keras, TensorFlow, ONNX, GGUF, templates)": dict(FORMATS),
        "Integrity and signatures": dict(VERIFY),
        "Remote sources": dict(REMOTE),
        "Vulnerabilities (OSV)": dict(VULNS),
        "Transparency scores": dict(SCORES),
    }


@functools.cache
def all_properties() -> dict[str, str]:
    merged: dict[str, str] = {}
    for area, props in area_properties().items():
        for name, meaning in props.items():
            if name in merged:
                raise RuntimeError(f"property {name} is defined twice (again in {area})")
            merged[name] = meaning
    return merged


@functools.cache
def families() -> dict[str, str]:
    """Property-name prefixes with a variable last part, and their meaning."""
    from aibom.score.annotate import FAMILIES as SCORE_FAMILIES

    return {**PIPELINE_FAMILIES, **SCORE_FAMILIES}


def is_documented(name: str) -> bool:
    return name in all_properties() or any(name.startswith(prefix) for prefix in families())


def checks() -> tuple[Check, ...]:
    return ALL_CHECKS
