"""What one object of a Keras configuration names, judged without loading anything: Lambda code (described
from its base64, never unmarshalled), modules and builtins outside Keras, registered custom objects, Keras
functions that are gadgets in themselves, and lookup layers reading a vocabulary file.

What counts as normal (Keras 3 ``serialization_lib`` and tf.keras 2 configs): ``module`` under ``keras``,
``keras_hub``, ``keras_nlp``, ``keras_cv``, ``tf_keras`` or ``tensorflow...keras``; ``builtins`` only for
named Keras functions; registered custom objects ``package>Name`` need the user's code (high). Anything
else names a module Keras < 3.9 imports (CVE-2025-1550). The bounded walk over the whole tree is in
``aibom.formats.keras.h5``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
)
from aibom.findings import Check

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


def object_issues(obj: dict[str, Any], path: str) -> Iterator[KerasIssue]:
    """The issues of one JSON object of the configuration (its children are walked by the caller)."""
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
