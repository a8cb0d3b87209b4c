"""Fixtures for card tests: write inputs to tmp_path, splice fragments into a BOM and validate it.

The BOM is a minimal stand-in built with cyclonedx-python-lib (the real builder lives elsewhere):
one machine-learning-model component ``model-1`` and one data component ``data-1``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

WriteFile = Callable[[str | bytes, str], Path]
SchemaErrors = Callable[[dict[str, object] | None, list[dict[str, object]] | None], list[str]]

MODEL_REF = "model-1"
DATA_REF = "data-1"
VERSIONS = (SchemaVersion.V1_6, SchemaVersion.V1_7)


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text (UTF-8) or bytes to ``tmp_path/<name>`` and return the path."""

    def write(content: str | bytes, name: str = "README.md") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


def spliced_bom(
    model_card: dict[str, object] | None,
    data: list[dict[str, object]] | None,
    version: SchemaVersion,
) -> dict[str, object]:
    """A serialised minimal BOM with ``modelCard``/``data`` set on its components by bom-ref."""
    bom = Bom()
    model = Component(type=ComponentType.MACHINE_LEARNING_MODEL, name="m", bom_ref=MODEL_REF)
    dataset = Component(type=ComponentType.DATA, name="d", bom_ref=DATA_REF)
    bom.components.add(model)
    bom.components.add(dataset)
    bom.register_dependency(model, [dataset])
    doc = json.loads(make_outputter(bom, OutputFormat.JSON, version).output_as_string())
    assert isinstance(doc, dict)
    by_ref = {component["bom-ref"]: component for component in doc["components"]}
    if model_card is not None:
        by_ref[MODEL_REF]["modelCard"] = model_card
    if data is not None:
        by_ref[DATA_REF]["data"] = data
    return doc


@pytest.fixture
def schema_errors() -> SchemaErrors:
    """Validate fragments spliced into a BOM against CycloneDX 1.6 and 1.7; [] means valid."""

    def check(
        model_card: dict[str, object] | None, data: list[dict[str, object]] | None
    ) -> list[str]:
        errors: list[str] = []
        for version in VERSIONS:
            doc = spliced_bom(model_card, data, version)
            error = JsonStrictValidator(version).validate_str(json.dumps(doc))
            if error is not None:
                errors.append(f"{version.to_version()}: {error}")
        return errors

    return check
