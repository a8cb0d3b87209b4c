"""Keras configurations and HDF5 models (``model_config``/``training_config`` attributes, via the optional
h5py in an isolated process). Nothing is loaded: the JSON is parsed and walked. ``.keras`` zips and
KerasHub JSON files are read in ``aibom.formats.other`` with the same walk.

The walk covers the whole configuration tree, not only ``config.layers``, so a Lambda layer hidden in a
Sequential inside a Functional inside a Sequential model is found (research note row 21). What counts as
normal (Keras 3 ``serialization_lib`` and tf.keras 2 configs): ``module`` under ``keras``, ``keras_hub``,
``keras_nlp``, ``keras_cv``, ``tf_keras`` or ``tensorflow...keras``; ``builtins`` only for named Keras
functions; registered custom objects ``package>Name`` need the user's code (high). Anything else names a
module Keras < 3.9 imports (CVE-2025-1550), and some Keras functions are gadgets in themselves.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from aibom.artifacts import Artifact, Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
)
from aibom.findings import Check, Finding, Severity, Skipped
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded

KERAS_PACKAGES = frozenset({"keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras"})
"""Top-level packages whose objects a Keras config may name (Keras >= 3.9 allows exactly these)."""
KERAS_GADGETS = {
    "get_file": "downloads a URL and can write anywhere (CVE-2025-8747)",
    "enable_unsafe_deserialization": "turns safe_mode off for what follows (CVE-2025-9906)",
    "load_model": "loads another model, possibly with safe_mode=False (CVE-2025-9906)",
    "load_weights": "reads a file named in the config",
    "deserialize_keras_object": "deserializes a nested config with its own safe_mode",
    "func_load": "unmarshals Python bytecode",
    "TFSMLayer": "loads an external TensorFlow SavedModel outside safe_mode (CVE-2026-1462)",
    "extract_archive": "extracts an archive to a path named in the config",
    "save_model": "writes files", "plot_model": "runs the Graphviz `dot` program and writes files",
    "model_to_dot": "runs the Graphviz `dot` program",
    "load_img": "reads a file named in the config", "save_img": "writes a file",
    "image_dataset_from_directory": "reads files named in the config",
    "text_dataset_from_directory": "reads files named in the config",
    "audio_dataset_from_directory": "reads files named in the config",
}  # fmt: skip
"""Callables inside Keras that act on files, the network or safe_mode when a config names them."""
DANGEROUS_MODULES = frozenset(
    str.split(
        "os posix nt subprocess sys shutil socket importlib runpy pickle _pickle marshal ctypes code "
        "pty webbrowser requests urllib urllib3 http httpx io pathlib tempfile multiprocessing asyncio "
        "functools operator types timeit pdb bdb cProfile profile trace pydoc platform glob zipfile "
        "tarfile dill joblib cloudpickle torch pip ensurepip setuptools pkgutil inspect gc signal"
    )
)
"""Modules that are never part of a model: naming them is an attack whatever else the config says."""
KERAS_OPTIMIZERS = frozenset(
    {"Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion"}
    | {"Adafactor", "LossScaleOptimizer"}
)
"""tf.keras 2.11-2.15 registered its own optimizers as ``Custom>Adam``: those are Keras, not custom."""
LOOKUP_LAYERS = frozenset({"StringLookup", "IntegerLookup", "IndexLookup", "TextVectorization"})
KERAS_JSON_NAMES = frozenset({"config.json", "tokenizer.json", "preprocessor.json", "task.json"})
"""JSON files of KerasHub presets, deserialized with ``keras.saving.deserialize_keras_object``."""
MAX_CONFIG_NODES = 5_000_000
"""JSON values walked in one configuration (a large Functional model has ~10^5)."""
MAX_CONFIG_DEPTH = 1_000
"""Nesting walked; Python's JSON decoder refuses deeper documents anyway (RecursionError)."""
MAX_FINDINGS_PER_CHECK = 10
"""Findings kept per check and file; the last one counts the rest."""
_B64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_PRINTABLE = re.compile(rb"[\x20-\x7e]{3,}")
DANGEROUS_BUILTINS = frozenset(
    str.split(
        "eval exec compile open __import__ getattr setattr delattr globals locals vars input "
        "breakpoint exit quit help memoryview"
    )
)
"""Builtins a config can reach through ``module: builtins`` (Keras < 3.9) or a tf.keras Lambda's
``module`` lookup, and that do something other than compute."""


@dataclass(frozen=True)
class KerasIssue:
    check: Check
    message: str
    path: str


# ---------------------------------------------------------------- the config walk


def walk_config(root: object) -> list[KerasIssue]:
    """Every issue in a parsed Keras configuration, found iteratively with node and depth bounds."""
    issues: list[KerasIssue] = []
    stack: list[tuple[object, str, int]] = [(root, "$", 0)]
    seen = 0
    while stack:
        node, path, depth = stack.pop()
        seen += 1
        if seen > MAX_CONFIG_NODES:
            raise LimitExceeded(f"Keras configuration has more than {MAX_CONFIG_NODES} values")
        if depth > MAX_CONFIG_DEPTH:
            raise FormatError(f"Keras configuration nested deeper than {MAX_CONFIG_DEPTH} levels")
        if isinstance(node, dict):
            issues.extend(_object_issues(node, path))
            stack.extend((v, f"{path}.{k}", depth + 1) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in reversed(list(enumerate(node))))
    return issues


def _object_issues(obj: dict[str, Any], path: str) -> Iterator[KerasIssue]:
    class_name = obj.get("class_name")
    if not isinstance(class_name, str):
        return
    config = obj.get("config")
    if class_name == "__lambda__":
        code = _lambda_code(config)
        yield KerasIssue(KERAS_LAMBDA, f"__lambda__ function: {_describe_code(code)}", path)
    if class_name == "Lambda" and isinstance(config, dict):
        yield from _keras2_lambda(config, path)
    if class_name in LOOKUP_LAYERS and isinstance(config, dict):
        vocabulary = config.get("vocabulary")
        if isinstance(vocabulary, str):
            message = f"{class_name} reads its vocabulary from {vocabulary!r} (CVE-2025-12058)"
            yield KerasIssue(KERAS_EXTERNAL_RESOURCE, message, path)
    module = obj.get("module")
    if isinstance(module, str):
        yield from _module_issues(module, class_name, obj, path)
    elif ">" in class_name or class_name in KERAS_GADGETS:
        yield from _registered_issues(class_name, class_name, path)


def _keras2_lambda(config: dict[str, Any], path: str) -> Iterator[KerasIssue]:
    """tf.keras 2 stores Lambda code as ``function: [base64, defaults, closure]``, with
    ``function_type`` (and ``output_shape_type``/``mask_type``) saying ``lambda`` or ``function``."""
    for key in ("function", "output_shape", "mask"):
        kind, value = config.get(f"{key}_type"), _untuple(config.get(key))
        if key == "function" and kind is None and isinstance(value, list):
            kind = "lambda"
        if kind == "lambda" and isinstance(value, (list, str)):
            code = value[0] if isinstance(value, list) and value else value
            yield KerasIssue(KERAS_LAMBDA, f"Lambda {key}: {_describe_code(code)}", path)
        elif kind == "function" and isinstance(value, str):
            module = config.get("module") if key == "function" else config.get(f"{key}_module")
            yield from _named_function(module if isinstance(module, str) else "", value, path)


def _named_function(module: str, name: str, path: str) -> Iterator[KerasIssue]:
    """tf.keras 2 resolves a Lambda's named function in ``sys.modules[module]`` and builtins."""
    top = _top(module)
    if top in DANGEROUS_MODULES or name in DANGEROUS_BUILTINS or name in KERAS_GADGETS:
        message = f"Lambda calls {module or 'builtins'}.{name} on its inputs"
        yield KerasIssue(KERAS_UNSAFE_CALLABLE, message, path)
    elif top not in KERAS_PACKAGES and top not in ("tensorflow", "builtins"):
        message = f"Lambda calls {module or '?'}.{name}, which must be supplied as code"
        yield KerasIssue(KERAS_CUSTOM_CODE, message, path)


def _module_issues(
    module: str, class_name: str, obj: dict[str, Any], path: str
) -> Iterator[KerasIssue]:
    config = obj.get("config")
    name = config if class_name == "function" and isinstance(config, str) else class_name
    where = f"{module}.{name}"
    top = _top(module)
    if name in KERAS_GADGETS:
        yield KerasIssue(KERAS_UNSAFE_CALLABLE, f"names {where}, which {KERAS_GADGETS[name]}", path)
    elif top in DANGEROUS_MODULES or (top == "tensorflow" and "keras" not in module.split(".")):
        yield KerasIssue(KERAS_UNSAFE_CALLABLE, f"names {where} (CVE-2025-1550)", path)
    elif top == "builtins":
        if name in DANGEROUS_BUILTINS:
            yield KerasIssue(KERAS_UNSAFE_CALLABLE, f"names Python builtin {name!r}", path)
    elif top == "__main__":
        yield KerasIssue(KERAS_CUSTOM_CODE, f"needs {class_name!r} from the loading script", path)
    elif top not in KERAS_PACKAGES and top != "tensorflow":
        yield from _outside_keras(module, name, obj.get("registered_name"), path)


def _outside_keras(module: str, name: str, registered: object, path: str) -> Iterator[KerasIssue]:
    if isinstance(registered, str) and ">" in registered:
        yield from _registered_issues(registered, name, path)
    else:
        message = f"names {module}.{name}, a module outside Keras that Keras < 3.9 imports"
        yield KerasIssue(KERAS_UNSAFE_CALLABLE, message + " (CVE-2025-1550)", path)


def _registered_issues(registered: str, name: str, path: str) -> Iterator[KerasIssue]:
    package, found, short = registered.partition(">")
    package = package if found else ""
    if package == "Custom" and short in KERAS_OPTIMIZERS:
        return
    if name in KERAS_GADGETS:
        message = f"names {registered}, which {KERAS_GADGETS[name]}"
        yield KerasIssue(KERAS_UNSAFE_CALLABLE, message, path)
    elif package and package not in KERAS_PACKAGES:
        message = f"needs custom object {registered!r}, registered by code outside the model"
        yield KerasIssue(KERAS_CUSTOM_CODE, message, path)


def _untuple(value: object) -> object:
    """Tuples as the SavedModel JSON encoder (``{"class_name": "__tuple__", "items": [...]}``) and
    Keras 3 (``{"class_name": "__tuple__", "config": {"value": [...]}}``) write them."""
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        config = value.get("config")
        items = value.get("items", config.get("value") if isinstance(config, dict) else None)
        return items if isinstance(items, list) else value
    return value


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def _lambda_code(config: object) -> object:
    if isinstance(config, dict):
        value = config.get("code", config.get("value"))
        return value[0] if isinstance(value, list) and value else value
    return None


def _describe_code(code: object) -> str:
    """Size and printable strings of the marshalled code. It is decoded from base64, never unmarshalled."""
    if not isinstance(code, str) or not _B64.fullmatch(code):
        return "marshalled Python bytecode (not readable base64)"
    try:
        raw = base64.b64decode(code)
    except (binascii.Error, ValueError):
        return "marshalled Python bytecode (not readable base64)"
    words = [w.decode("ascii") for w in _PRINTABLE.findall(raw)[:8]]
    shown = f"; strings: {', '.join(repr(w[:40]) for w in words)}" if words else ""
    return f"{len(raw)} bytes of marshalled Python bytecode{shown}"


def config_findings(ctx: InspectContext, root: object, where: str) -> list[Finding]:
    """Findings for one parsed configuration, at most ``MAX_FINDINGS_PER_CHECK`` per check."""
    findings: list[Finding] = []
    by_check: dict[str, list[KerasIssue]] = {}
    for issue in walk_config(root):
        by_check.setdefault(issue.check.id, []).append(issue)
    for issues in by_check.values():
        for issue in issues[:MAX_FINDINGS_PER_CHECK]:
            findings.append(
                ctx.finding(issue.check, f"{where}: {issue.message}", evidence=issue.path)
            )
        if len(issues) > MAX_FINDINGS_PER_CHECK:
            rest = len(issues) - MAX_FINDINGS_PER_CHECK
            findings.append(ctx.finding(issues[0].check, f"{where}: {rest} more like the above"))
    return findings


def failure_finding(ctx: InspectContext, fmt: Format, exc: Exception) -> Finding:
    """The finding ``aibom.formats`` would make of ``exc``, for inspectors that keep what they found
    before the failure instead of letting it propagate."""
    if isinstance(exc, LimitExceeded):
        return ctx.finding(LIMIT_REACHED, f"{fmt.value}: {exc}")
    return ctx.finding(MALFORMED_FILE, f"{fmt.value}: {exc}", offset=getattr(exc, "offset", None))


def unchecked_rest(ctx: InspectContext, fmt: Format, exc: LimitExceeded) -> Inspection:
    """A limit hit in a graph walk: what lies beyond was not checked, so this is not merely low."""
    message = f"{fmt.value}: {exc}; the rest was not checked for unsafe content"
    finding = ctx.finding(LIMIT_REACHED, message, severity=Severity.MEDIUM)
    return Inspection(findings=[finding], complete=False)


def parse_json(raw: bytes, what: str) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{what} is not valid UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise FormatError(f"{what} is nested too deeply to parse") from None


def read_capped(fh: IO[bytes], cap: int, what: str) -> bytes:
    data = fh.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(f"{what} is larger than {cap} bytes")
    return data


def facts_of(root: object) -> dict[str, object]:
    if not isinstance(root, dict):
        return {}
    facts = {"keras_model_class": root.get("class_name")}
    return {k: v for k, v in facts.items() if isinstance(v, str)}


# ---------------------------------------------------------------- inspectors


class KerasH5Inspector:
    """Legacy HDF5 models: the JSON in the ``model_config`` and ``training_config`` root attributes.

    libhdf5 is C code that loops forever on some crafted files (found by this project's fuzzing: one byte
    inserted into an attribute's data) and has a history of memory-safety bugs, so h5py runs in a child
    process with a time and memory budget; the scan only receives the attribute bytes."""

    formats: frozenset[Format] = frozenset({Format.HDF5})
    checks: tuple[Check, ...] = (
        KERAS_LAMBDA,
        KERAS_UNSAFE_CALLABLE,
        KERAS_CUSTOM_CODE,
        KERAS_EXTERNAL_RESOURCE,
        MALFORMED_FILE,
        LIMIT_REACHED,
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        if importlib.util.find_spec("h5py") is None:
            where = f"{ctx.path}!{ctx.member}" if ctx.member else ctx.path
            reason = "HDF5 (Keras) file not checked: h5py is missing; pip install 'aibom[h5]'"
            return Inspection(complete=False, skipped=[Skipped(where, reason)])
        attrs = read_h5_attributes(ctx)
        facts = {
            k: v.decode("utf-8", "replace") for k, v in attrs.items() if k.startswith("keras_")
        }
        inspection = Inspection(facts=dict(facts))
        for key in ("model_config", "training_config"):
            if key in attrs:
                root = parse_json(attrs[key], key)
                inspection.findings += config_findings(ctx, root, key)
                if key == "model_config":
                    inspection.facts.update(facts_of(root))
        return inspection


H5_TIMEOUT_SECONDS = 30.0
"""Time the isolated HDF5 reader gets for the root attributes (real files need well under a second)."""
H5_MEMORY_BYTES = 4 * 1024**3
"""Address space of the HDF5 reader process."""
_H5_ATTRIBUTES = {
    "model_config": "model_config",
    "training_config": "training_config",
    "keras_version": "keras_version",
    "backend": "keras_backend",
}
_H5_CHILD = """
import base64, io, json, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
except (ImportError, ValueError, OSError):
    pass
import h5py
out, cap = {}, int(sys.argv[4])
try:
    source = io.BytesIO(sys.stdin.buffer.read()) if sys.argv[1] == "-" else open(sys.argv[1], "rb")
    with h5py.File(source, "r") as f:
        for name in sys.argv[2].split(","):
            if name in f.attrs:
                value = f.attrs[name]
                if getattr(value, "shape", None) == () and hasattr(value, "item"):
                    value = value.item()
                if isinstance(value, str):
                    value = value.encode("utf-8", "surrogateescape")
                if not isinstance(value, bytes):
                    raise TypeError(f"attribute {name!r} is not a string")
                if len(value) > cap:
                    print(json.dumps({"limit": name}))
                    sys.exit(0)
                out[name] = base64.b64encode(value).decode()
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}))
    sys.exit(0)
print(json.dumps({"attrs": out}))
"""
"""Runs in ``python -I``: only h5py is imported, and nothing the file says is executed."""


def read_h5_attributes(ctx: InspectContext) -> dict[str, bytes]:
    """The Keras root attributes as bytes, read by h5py in a child process."""
    cap = ctx.limits.max_config_bytes
    source, data = str(ctx.artifact.ref.path), None
    if ctx.member is not None:
        with ctx.open() as fh:
            source, data = "-", read_capped(fh, ctx.limits.max_member_bytes_in_memory, ctx.member)
    argv = [sys.executable, "-I", "-c", _H5_CHILD, source, ",".join(_H5_ATTRIBUTES)]
    try:
        proc = subprocess.run(
            [*argv, str(H5_MEMORY_BYTES), str(cap)],
            input=data,
            capture_output=True,
            timeout=H5_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"libhdf5 did not finish reading the root attributes in {H5_TIMEOUT_SECONDS:g} s"
        raise FormatError(message + " (crafted files make it loop)") from None
    return _h5_result(proc, cap)


def _h5_result(proc: subprocess.CompletedProcess[bytes], cap: int) -> dict[str, bytes]:
    try:
        result = json.loads(proc.stdout) if proc.returncode == 0 else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict):
        raise FormatError(f"libhdf5 failed on this file (exit status {proc.returncode})")
    if "limit" in result:
        raise LimitExceeded(f"attribute {result['limit']!r} is larger than {cap} bytes")
    if "error" in result or not isinstance(result.get("attrs"), dict):
        raise FormatError(f"not a readable HDF5 file ({result.get('error')})")
    return {_H5_ATTRIBUTES[k]: base64.b64decode(v) for k, v in result["attrs"].items()}
