"""Keras: HDF5 (``model_config``/``training_config`` attributes, via the optional h5py), v3 ``.keras`` zips
(``config.json``) and KerasHub-style JSON configs. Nothing is loaded: the JSON is parsed and walked.

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
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from aibom.artifacts import Artifact, Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
)
from aibom.findings import Check, Finding, Skipped
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.limits import Limits

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


def _facts(root: object) -> dict[str, object]:
    if not isinstance(root, dict):
        return {}
    facts = {"keras_model_class": root.get("class_name")}
    return {k: v for k, v in facts.items() if isinstance(v, str)}


# ---------------------------------------------------------------- inspectors


class KerasH5Inspector:
    """Legacy HDF5 models: the JSON in the ``model_config`` and ``training_config`` root attributes."""

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
        try:
            import h5py  # noqa: F401 - only to learn whether the extra is installed
        except ImportError:
            where = f"{ctx.path}!{ctx.member}" if ctx.member else ctx.path
            reason = "HDF5 (Keras) file not checked: h5py is missing; pip install 'aibom[h5]'"
            return Inspection(complete=False, skipped=[Skipped(where, reason)])
        with ctx.open() as fh:
            attrs = _h5_attributes(fh, ctx.limits)
        inspection = Inspection(facts={k: v for k, v in attrs.items() if k.startswith("keras_")})
        for key in ("model_config", "training_config"):
            if key in attrs:
                root = parse_json(attrs[key].encode("utf-8"), key)
                inspection.findings += config_findings(ctx, root, key)
                if key == "model_config":
                    inspection.facts.update(_facts(root))
        return inspection


_H5_ATTRIBUTES = {
    "model_config": "model_config",
    "training_config": "training_config",
    "keras_version": "keras_version",
    "backend": "keras_backend",
}


def _h5_attributes(fh: BinaryIO, limits: Limits) -> dict[str, str]:
    import h5py

    out: dict[str, str] = {}
    try:
        with h5py.File(fh, "r") as f:
            for name, key in _H5_ATTRIBUTES.items():
                if name in f.attrs:
                    out[key] = _attribute_text(f.attrs[name], name, limits)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise FormatError(f"not a readable HDF5 file ({exc})") from None
    return out


def _attribute_text(value: object, name: str, limits: Limits) -> str:
    item = value.item() if hasattr(value, "item") and getattr(value, "shape", None) == () else value
    if isinstance(item, bytes):
        try:
            item = item.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(f"attribute {name!r} is not UTF-8 text") from None
    if not isinstance(item, str):
        raise FormatError(f"attribute {name!r} is not a string")
    if len(item) > limits.max_config_bytes:
        raise LimitExceeded(f"attribute {name!r} is larger than {limits.max_config_bytes} bytes")
    return item


class KerasV3Inspector:
    """``.keras`` zips: every ``config.json`` entry (a duplicate name is read in each copy, whichever
    one Keras' zipfile picks) and ``metadata.json``. Weights are not opened: they hold no code."""

    formats: frozenset[Format] = frozenset({Format.KERAS_V3})
    checks: tuple[Check, ...] = KerasH5Inspector.checks

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        inspection = Inspection()
        with ctx.open() as fh:
            try:
                with zipfile.ZipFile(fh) as zf:
                    for info, data in _members(zf, ctx.limits):
                        _keras_member(ctx, info.filename, data, inspection)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
                raise FormatError(f"zip cannot be read ({e})") from None
            except (RuntimeError, ValueError, OSError) as exc:  # zlib errors, encryption
                raise FormatError(f"zip member cannot be read ({exc})") from None
        return inspection


def _members(zf: zipfile.ZipFile, limits: Limits) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise LimitExceeded(f"{len(infos)} zip entries exceed {limits.max_members}")
    for info in infos:
        if info.filename in ("config.json", "metadata.json"):
            with zf.open(info) as member:
                yield info, read_capped(member, limits.max_config_bytes, info.filename)


def _keras_member(ctx: InspectContext, name: str, data: bytes, inspection: Inspection) -> None:
    root = parse_json(data, name)
    if name == "metadata.json":
        if isinstance(root, dict) and isinstance(root.get("keras_version"), str):
            inspection.facts["keras_version"] = root["keras_version"]
        return
    inspection.findings += config_findings(ctx, root, name)
    inspection.facts.update(_facts(root))


def inspect_json_config(ctx: InspectContext, data: bytes, name: str) -> Inspection:
    """A KerasHub preset file (``config.json``, ``tokenizer.json``...) when its top level is a Keras
    serialized object; any other JSON gives an empty inspection."""
    root = parse_json(data, name)
    if not (isinstance(root, dict) and isinstance(root.get("class_name"), str)):
        return Inspection()
    return Inspection(facts=_facts(root), findings=config_findings(ctx, root, name))
