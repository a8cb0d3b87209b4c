"""Keras: benign H5, .keras and KerasHub files stay clean; each published technique is found without
loading. CVE-2024-3660 (Lambda bytecode), CVE-2025-9905 (H5 ignores safe_mode), CVE-2025-1550 (module
outside keras), CVE-2025-8747 (get_file), CVE-2025-9906 (enable_unsafe_deserialization / load_model),
CVE-2026-1462 (TFSMLayer), CVE-2025-12058 (StringLookup vocabulary path); research note row 21 (nested)."""

from __future__ import annotations

import importlib.util
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.artifacts import Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.core import PARTIAL_COVERAGE
from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
)
from aibom.findings import Check, Severity
from aibom.formats import inspect_artifact
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.keras import h5 as keras_module
from aibom.formats.keras.h5 import KerasH5Inspector, walk_config
from aibom.limits import DEFAULT_LIMITS, Limits
from tests.unsafe.nonpickle_builders import (
    TRAINING_CONFIG,
    artifact_for,
    keras2_config,
    keras2_lambda,
    keras3_function,
    keras3_lambda,
    keras3_layer,
    keras3_model,
    lambda_code_b64,
    memory_context,
    sequential,
    write_h5_model,
    write_keras_v3,
)


def inspect(path: Path, fmt: Format, relpath: str | None = None) -> Inspection:
    inspection = inspect_artifact(artifact_for(path, fmt, relpath))
    assert inspection.skipped == []
    return inspection


def checks(inspection: Inspection) -> list[Check]:
    return sorted({f.check for f in inspection.findings}, key=lambda c: c.id)


# ---------------------------------------------------------------- benign


@pytest.mark.parametrize("legacy", [False, True])
def test_benign_h5_model_is_clean(tmp_path: Path, legacy: bool) -> None:
    path = write_h5_model(tmp_path / "model.h5", keras2_config(legacy=legacy), TRAINING_CONFIG)
    inspection = inspect(path, Format.HDF5)
    assert inspection.findings == []
    assert inspection.facts["keras_version"] == "2.13.1"
    assert inspection.facts["keras_model_class"] == "Sequential"


def test_weights_only_h5_is_clean(tmp_path: Path) -> None:
    # tf_model.h5 of transformers and save_weights() files carry no model_config at all
    inspection = inspect(write_h5_model(tmp_path / "tf_model.h5", None), Format.HDF5)
    assert inspection.findings == [] and "keras_model_class" not in inspection.facts


def test_benign_keras_v3_is_clean(tmp_path: Path) -> None:
    builtin_fn = keras3_layer("Activation", {"activation": keras3_function("builtins", "relu")})
    keras_fn = keras3_layer(
        "Lambda", {"function": keras3_function("keras.ops", "relu"), "arguments": {}}
    )
    config = keras3_model([keras3_layer("Dense", {"units": 2}), builtin_fn, keras_fn])
    inspection = inspect(write_keras_v3(tmp_path / "m.keras", config), Format.KERAS_V3)
    assert inspection.findings == []
    assert inspection.facts == {"keras_version": "3.10.0", "keras_model_class": "Sequential"}


def test_benign_kerashub_preset_config_is_clean(tmp_path: Path) -> None:
    config = {
        "module": "keras_hub.src.models.gemma.gemma_backbone",
        "class_name": "GemmaBackbone",
        "config": {"name": "gemma_backbone", "vocabulary_size": 256000, "num_layers": 18},
        "registered_name": "keras_hub>GemmaBackbone",
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert inspect(tmp_path / "config.json", Format.JSON).findings == []


def test_transformers_config_json_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"architectures": ["BertModel"], "model_type": "bert"})
    )
    inspection = inspect(tmp_path / "config.json", Format.JSON)
    assert inspection.findings == [] and inspection.facts == {}


# ---------------------------------------------------------------- Lambda bytecode


def test_cve_2025_9905_h5_lambda_bytecode(tmp_path: Path) -> None:
    """HDF5 models ignore safe_mode: the Lambda's marshalled code runs on load."""
    code = lambda_code_b64(tmp_path / "marker")
    path = write_h5_model(tmp_path / "m.h5", keras2_config(extra=[keras2_lambda(code)]))
    (finding,) = inspect(path, Format.HDF5).findings
    assert finding.check is KERAS_LAMBDA and finding.effective_severity is Severity.CRITICAL
    assert "bytes of marshalled Python bytecode" in finding.message
    assert "write_text" in finding.message  # printable names from the code, never unmarshalled
    assert finding.evidence == "$.config.layers[2]"
    assert not (tmp_path / "marker").exists()


def test_row21_lambda_nested_three_models_deep(tmp_path: Path) -> None:
    """A Lambda inside a Sequential inside a Functional inside a Sequential (hidden from modelscan,
    which reads only the top-level config.layers)."""
    code = lambda_code_b64(tmp_path / "marker")
    inner = sequential([keras2_lambda(code, "hidden")], "inner")
    functional = {"class_name": "Functional", "config": {"name": "mid", "layers": [inner]}}
    outer = keras2_config(extra=[functional])
    (finding,) = inspect(write_h5_model(tmp_path / "m.h5", outer), Format.HDF5).findings
    assert finding.check is KERAS_LAMBDA
    assert finding.evidence == "$.config.layers[2].config.layers[0].config.layers[0]"


def test_cve_2024_3660_keras_v3_lambda(tmp_path: Path) -> None:
    config = keras3_model([keras3_lambda(lambda_code_b64(tmp_path / "marker"))])
    inspection = inspect(write_keras_v3(tmp_path / "m.keras", config), Format.KERAS_V3)
    assert checks(inspection) == [KERAS_LAMBDA]


def test_lambda_in_training_config_and_output_shape(tmp_path: Path) -> None:
    code = lambda_code_b64(tmp_path / "marker")
    layer = keras2_lambda(code)
    layer["config"].update(function="abs", function_type="function", module="builtins")
    layer["config"].update(output_shape=[code, None, None], output_shape_type="lambda")
    training = {
        **TRAINING_CONFIG,
        "loss": {"class_name": "__lambda__", "config": {"value": [code, None, None]}},
    }
    path = write_h5_model(tmp_path / "m.h5", keras2_config(extra=[layer]), training)
    messages = sorted(f.message for f in inspect(path, Format.HDF5).findings)
    assert len(messages) == 2
    assert messages[0].startswith("model_config: Lambda output_shape")
    assert messages[1].startswith("training_config: __lambda__")


# ---------------------------------------------------------------- safe_mode bypasses


def _v3(tmp_path: Path, *layers: dict[str, Any]) -> Inspection:
    return inspect(
        write_keras_v3(tmp_path / "m.keras", keras3_model(list(layers))), Format.KERAS_V3
    )


def test_cve_2025_1550_module_outside_keras(tmp_path: Path) -> None:
    layer = keras3_layer("Lambda", {"function": keras3_function("os", "system"), "arguments": {}})
    (finding,) = _v3(tmp_path, layer).findings
    assert finding.check is KERAS_UNSAFE_CALLABLE and "os.system" in finding.message


def test_cve_2025_1550_unregistered_third_party_module(tmp_path: Path) -> None:
    layer = keras3_layer("Gadget", {}, module="some_installed_package.tools")
    (finding,) = _v3(tmp_path, layer).findings
    assert finding.check is KERAS_UNSAFE_CALLABLE and "CVE-2025-1550" in finding.message


def test_cve_2025_1550_builtins_eval(tmp_path: Path) -> None:
    layer = keras3_layer("Activation", {"activation": keras3_function("builtins", "eval")})
    assert checks(_v3(tmp_path, layer)) == [KERAS_UNSAFE_CALLABLE]


def test_cve_2025_8747_get_file(tmp_path: Path) -> None:
    function = keras3_function("keras.utils", "get_file")
    layer = keras3_layer(
        "Lambda", {"function": function, "arguments": {"origin": "http://x/p", "cache_dir": "/tmp"}}
    )
    (finding,) = _v3(tmp_path, layer).findings
    assert finding.check is KERAS_UNSAFE_CALLABLE and "CVE-2025-8747" in finding.message


def test_cve_2025_9906_enable_unsafe_deserialization_then_load_model(tmp_path: Path) -> None:
    first = keras3_layer(
        "Lambda", {"function": keras3_function("keras.config", "enable_unsafe_deserialization")}
    )
    second = keras3_layer(
        "Lambda",
        {
            "function": keras3_function("keras.models", "load_model"),
            "arguments": {"safe_mode": False},
        },
    )
    findings = _v3(tmp_path, first, second).findings
    assert {f.check for f in findings} == {KERAS_UNSAFE_CALLABLE} and len(findings) == 2


def test_cve_2026_1462_tfsmlayer(tmp_path: Path) -> None:
    layer = keras3_layer(
        "TFSMLayer",
        {"filepath": "/tmp/evil_savedmodel", "call_endpoint": "serve"},
        module="keras.layers",
    )
    (finding,) = _v3(tmp_path, layer).findings
    assert finding.check is KERAS_UNSAFE_CALLABLE and "CVE-2026-1462" in finding.message


def test_cve_2025_12058_stringlookup_vocabulary_path(tmp_path: Path) -> None:
    layer = keras3_layer("StringLookup", {"vocabulary": "/etc/passwd", "num_oov_indices": 1})
    (finding,) = _v3(tmp_path, layer).findings
    assert finding.check is KERAS_EXTERNAL_RESOURCE and finding.effective_severity is Severity.HIGH
    inline = keras3_layer("StringLookup", {"vocabulary": ["a", "b"], "num_oov_indices": 1})
    assert _v3(tmp_path, inline).findings == []


def test_tf_keras_lambda_named_function_from_os(tmp_path: Path) -> None:
    layer = keras2_lambda("")
    layer["config"].update(function="system", function_type="function", module="os")
    (finding,) = inspect(
        write_h5_model(tmp_path / "m.h5", keras2_config(extra=[layer])), Format.HDF5
    ).findings
    assert finding.check is KERAS_UNSAFE_CALLABLE and "os.system" in finding.message


# ---------------------------------------------------------------- custom code


def test_registered_custom_objects_need_custom_code(tmp_path: Path) -> None:
    custom = {
        "module": "my_project.layers",
        "class_name": "Scale",
        "config": {},
        "registered_name": "my_project>Scale",
    }
    main = {"module": "__main__", "class_name": "Block", "config": {}, "registered_name": "Block"}
    findings = _v3(tmp_path, custom, main).findings
    assert [f.check for f in findings] == [KERAS_CUSTOM_CODE, KERAS_CUSTOM_CODE]
    assert all(f.effective_severity is Severity.HIGH for f in findings)
    legacy = keras2_config(extra=[{"class_name": "Custom>Scale", "config": {}}])
    (finding,) = inspect(write_h5_model(tmp_path / "c.h5", legacy), Format.HDF5).findings
    assert finding.check is KERAS_CUSTOM_CODE


def test_fake_registration_does_not_hide_dangerous_modules(tmp_path: Path) -> None:
    evil = {
        "module": "subprocess",
        "class_name": "Popen",
        "config": {},
        "registered_name": "x>Popen",
    }
    assert checks(_v3(tmp_path, evil)) == [KERAS_UNSAFE_CALLABLE]


# ---------------------------------------------------------------- containers and damage


def test_every_config_copy_in_the_zip_is_checked(tmp_path: Path) -> None:
    """Two config.json entries: zipfile (Keras) reads the last one."""
    evil = json.dumps(keras3_model([keras3_lambda(lambda_code_b64(tmp_path / "marker"))]))
    path = write_keras_v3(tmp_path / "m.keras", keras3_model([]))
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("config.json", evil)
    assert checks(inspect(path, Format.KERAS_V3)) == [KERAS_LAMBDA]


def test_broken_files_are_malformed_findings(tmp_path: Path) -> None:
    bad_zip = tmp_path / "m.keras"
    bad_zip.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    assert checks(inspect(bad_zip, Format.KERAS_V3)) == [MALFORMED_FILE]
    bad_json = write_keras_v3(tmp_path / "j.keras", keras3_model([]))
    with zipfile.ZipFile(bad_json, "w") as zf:
        zf.writestr("config.json", "{not json")
    assert checks(inspect(bad_json, Format.KERAS_V3)) == [MALFORMED_FILE]
    not_h5 = tmp_path / "x.h5"
    not_h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\xff" * 100)
    assert checks(inspect(not_h5, Format.HDF5)) == [MALFORMED_FILE]


def test_config_bomb_is_bounded(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "config.json").write_text('{"class_name": "X", "config": ' + deep + "}")
    assert checks(inspect(tmp_path / "config.json", Format.JSON)) == [MALFORMED_FILE]


def test_config_node_budget() -> None:
    with pytest.raises(LimitExceeded):
        walk_config({"layers": list(range(20))}, Limits(max_keras_config_nodes=10))
    assert walk_config({"layers": list(range(20))}, DEFAULT_LIMITS) == []


def test_missing_h5py_is_a_skip_with_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def no_h5py(name: str, *args: Any) -> Any:
        return None if name == "h5py" else real_find_spec(name, *args)

    path = write_h5_model(tmp_path / "m.h5", keras2_config())
    art = artifact_for(path, Format.HDF5)
    monkeypatch.setattr(importlib.util, "find_spec", no_h5py)
    inspection = KerasH5Inspector().inspect(art, InspectContext(art, DEFAULT_LIMITS))
    assert not inspection.complete and inspection.findings == []
    (skip,) = inspection.skipped
    assert "pip install 'aibom[h5]'" in skip.reason


def test_libhdf5_hang_is_a_finding_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by fuzzing: one byte inserted into model_config's data makes libhdf5 (via h5py) loop
    forever reading the attribute. The isolated reader is killed at its time budget."""
    data = bytearray(write_h5_model(tmp_path / "ok.h5", keras2_config()).read_bytes())
    at = data.index(b'{"seed"')
    data[at:at] = b"\xf2"
    path = tmp_path / "hang.h5"
    path.write_bytes(bytes(data))
    monkeypatch.setattr(keras_module, "H5_TIMEOUT_SECONDS", 3.0)
    started = time.monotonic()
    inspection = inspect(path, Format.HDF5)
    assert time.monotonic() - started < 30
    # the file was not read: malformed, and (coverage per verdict) not analysed to the end
    assert [f.check for f in inspection.findings] == [MALFORMED_FILE, PARTIAL_COVERAGE]
    assert inspection.coverage is not None and inspection.coverage.reasons == ("h5_timeout",)
    assert not inspection.complete


def test_h5_inside_an_archive_is_read_from_memory() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        code = lambda_code_b64(Path(tmp) / "marker")
        data = write_h5_model(
            Path(tmp) / "m.h5", keras2_config(extra=[keras2_lambda(code)])
        ).read_bytes()
    art, ctx = memory_context(data, Format.HDF5, "model.h5")
    assert [f.check for f in KerasH5Inspector().inspect(art, ctx).findings] == [KERAS_LAMBDA]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=10)
    | st.sampled_from(["__lambda__", "Lambda", "os", "function", "a>b"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "class_name",
                    "config",
                    "module",
                    "function",
                    "function_type",
                    "registered_name",
                    "vocabulary",
                    "code",
                    "value",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzzed_configs_never_crash(root: object) -> None:
    try:
        issues = walk_config(root, DEFAULT_LIMITS)
    except (FormatError, LimitExceeded):
        return
    assert all(issue.check.id.startswith("AIBOM-KER-") for issue in issues)


def test_config_over_the_limit_is_a_limit_finding(tmp_path: Path) -> None:
    path = write_keras_v3(tmp_path / "m.keras", keras3_model([]))
    inspection = inspect_artifact(artifact_for(path, Format.KERAS_V3), Limits(max_config_bytes=10))
    assert [f.check for f in inspection.findings] == [LIMIT_REACHED, PARTIAL_COVERAGE]
    assert not inspection.complete and inspection.limits == ["max_config_bytes"]
