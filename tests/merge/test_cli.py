"""``aibom merge`` through the installed console script: exit codes, stdout/stderr, no partial file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aibom.bomdoc.read import read_bom
from aibom.limits import DEFAULT_LIMITS
from tests.merge.builders import assert_graph_closed, schema_error
from tests.merge.realtools import AIBOM, Project, make_project, run
from tests.processes import assert_error


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("merge-cli"))


def test_merge_writes_a_valid_bom_and_a_summary(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "merged.cdx.json"
    done = run(AIBOM, "merge", project.sbom, project.mlbom, "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    doc = read_bom(out)
    assert schema_error(doc) is None
    assert_graph_closed(doc)
    assert "2 merged as duplicates (2 by purl, 0 by hash)" in done.stderr
    assert "0 refs renamed" in done.stderr
    base_components = len(read_bom(project.sbom)["components"])
    assert f"merged: {base_components} components from the base" in done.stderr
    assert "now depends on the ML-BOM's root root" in done.stderr
    assert "Traceback" not in done.stderr


def test_merge_to_stdout_and_quiet(project: Project) -> None:
    done = run(AIBOM, "merge", project.sbom, project.mlbom, "-q")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["metadata"]["component"]["name"] == "demo-app"


def test_merge_xml_in_and_out(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "merged.cdx.xml"
    done = run(AIBOM, "merge", project.sbom_xml, project.mlbom, "--format", "xml", "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("<?xml")
    doc = read_bom(out)
    assert doc["metadata"]["component"]["name"] == "demo-app"
    assert_graph_closed(doc)


def test_spec_version_option(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    done = run(AIBOM, "merge", project.sbom, project.mlbom, "--spec-version", "1.7", "-o", out)
    assert done.returncode == 0, done.stderr
    assert read_bom(out)["specVersion"] == "1.7"
    assert "spec version raised from the base's 1.6 to 1.7" in done.stderr


def _bad_inputs(root: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, words the one error line must hold)."""
    truncated = root / "truncated.json"
    truncated.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    spdx = root / "spdx.json"
    spdx.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT"}))
    deep = root / "deep.json"
    deep.write_text('{"bomFormat": "CycloneDX", "a": ' + "[" * 5000 + "]" * 5000 + "}")
    huge = root / "huge.json"
    with huge.open("wb") as fh:  # sparse: the size alone refuses it, nothing is read
        fh.truncate(DEFAULT_LIMITS.max_bom_bytes + 1)
    old = root / "old.json"
    old.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.1"}))
    invalid = root / "invalid.json"
    invalid.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "version": 1,
                "components": [{"type": "no-such-type", "name": "x"}],
            }
        )
    )
    return {
        "truncated": (truncated, "neither JSON nor XML"),
        "not CycloneDX": (spdx, "is not a CycloneDX BOM"),
        "deeply nested": (deep, "nested more than"),
        "oversized": (huge, "is larger than 256 MiB"),
        "unsupported version": (old, "CycloneDX 1.1 is not supported"),
        "schema-invalid": (invalid, "the merged BOM is not valid CycloneDX 1.6"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "truncated",
        "not CycloneDX",
        "deeply nested",
        "oversized",
        "unsupported version",
        "schema-invalid",
    ],
)
@pytest.mark.parametrize("side", ["sbom", "mlbom"])
def test_bad_input_is_one_error_and_no_file(
    project: Project, tmp_path: Path, case: str, side: str
) -> None:
    bad, words = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out" / "merged.json"
    out.parent.mkdir()
    args = (bad, project.mlbom) if side == "sbom" else (project.sbom, bad)
    done = run(AIBOM, "merge", *args, "-o", out)
    assert_error(done, words)
    assert done.stderr.startswith("error: ")
    assert os.listdir(out.parent) == []  # no output, no temporary file left behind
    if case == "schema-invalid":
        assert f"{bad} is itself not valid CycloneDX 1.6" in done.stderr


def test_a_failed_merge_leaves_an_existing_output_untouched(
    project: Project, tmp_path: Path
) -> None:
    bad, _ = _bad_inputs(tmp_path)["schema-invalid"]
    out = tmp_path / "merged.json"
    out.write_text("previous\n")
    assert_error(run(AIBOM, "merge", project.sbom, bad, "-o", out), "not valid")
    assert out.read_text() == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".merged.json.")]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["merge", "{sbom}"], "Missing argument"),
        (["merge", "{sbom}", "{root}/missing.json"], "does not exist"),
        (["merge", "-", "-"], "only one of the two BOMs can be read from stdin"),
        (["merge", "{sbom}", "{mlbom}", "--format", "spdx"], "'spdx'"),
        (["merge", "{sbom}", "{mlbom}", "--spec-version", "1.5"], "'1.5'"),
        (["merge", "{sbom}", "{mlbom}", "-o", "{root}/no-such-folder/x.json"], "does not exist"),
    ],
)
def test_usage_errors(project: Project, argv: list[str], words: str) -> None:
    names = {"sbom": project.sbom, "mlbom": project.mlbom, "root": project.root}
    assert_error(run(AIBOM, *(a.format(**names) for a in argv)), words)


def test_ml_bom_from_stdin(project: Project) -> None:
    import subprocess

    done = subprocess.run(
        [str(AIBOM), "merge", str(project.sbom), "-", "-q"],
        input=project.mlbom.read_text(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["specVersion"] == "1.6"
