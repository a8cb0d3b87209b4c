"""Keras configurations and HDF5 models (``model_config``/``training_config`` attributes, via the optional
h5py in an isolated process). Nothing is loaded: the JSON is parsed and walked. ``.keras`` zips and
KerasHub JSON files are read in ``aibom.formats.keras.v3`` with the same walk.

The walk covers the whole configuration tree, not only ``config.layers``, so a Lambda layer hidden in a
Sequential inside a Functional inside a Sequential model is found (research note row 21). What each object
of the tree names, and what counts as normal, is judged in ``aibom.formats.keras.callables``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import signal
import subprocess
import sys
import time
from typing import IO

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec, Magic
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.core import BUDGET_SPENT
from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
)
from aibom.findings import Check, Finding, Severity, Skipped
from aibom.formats.budget import current_budget
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.keras.callables import (
    DANGEROUS_BUILTINS,
    DANGEROUS_MODULES,
    KERAS_GADGETS,
    KERAS_OPTIMIZERS,
    KERAS_PACKAGES,
    LOOKUP_LAYERS,
    KerasIssue,
    object_issues,
)
from aibom.limits import Limits

__all__ = [
    "DANGEROUS_BUILTINS",
    "DANGEROUS_MODULES",
    "H5_MEMORY_BYTES",
    "H5_TIMEOUT_SECONDS",
    "H5BudgetSpent",
    "KERAS_GADGETS",
    "KERAS_JSON_NAMES",
    "KERAS_OPTIMIZERS",
    "KERAS_PACKAGES",
    "LOOKUP_LAYERS",
    "MAX_FINDINGS_PER_CHECK",
    "KerasH5Inspector",
    "KerasIssue",
    "config_findings",
    "facts_of",
    "failure_finding",
    "parse_json",
    "read_capped",
    "read_h5_attributes",
    "unchecked_rest",
    "walk_config",
]

KERAS_JSON_NAMES = frozenset({"config.json", "tokenizer.json", "preprocessor.json", "task.json"})
"""JSON files of KerasHub presets, deserialized with ``keras.saving.deserialize_keras_object``."""
MAX_FINDINGS_PER_CHECK = 10
"""Findings kept per check and file; the last one counts the rest (an output cap, not in ``Limits``)."""


# ---------------------------------------------------------------- the config walk


def walk_config(root: object, limits: Limits) -> list[KerasIssue]:
    """Every issue in a parsed Keras configuration, found iteratively with node and depth bounds."""
    most, deepest = limits.max_keras_config_nodes, limits.max_keras_config_depth
    issues: list[KerasIssue] = []
    stack: list[tuple[object, str, int]] = [(root, "$", 0)]
    seen = 0
    while stack:
        node, path, depth = stack.pop()
        seen += 1
        if seen > most:
            raise LimitExceeded(
                f"Keras configuration has more than {most} values", limit="max_keras_config_nodes"
            )
        if depth > deepest:
            raise FormatError(
                f"Keras configuration nested deeper than {deepest} levels",
                reason="max_keras_config_depth",
            )
        if isinstance(node, dict):
            issues.extend(object_issues(node, path))
            stack.extend((v, f"{path}.{k}", depth + 1) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in reversed(list(enumerate(node))))
    return issues


def config_findings(ctx: InspectContext, root: object, where: str) -> list[Finding]:
    """Findings for one parsed configuration, at most ``MAX_FINDINGS_PER_CHECK`` per check."""
    findings: list[Finding] = []
    by_check: dict[str, list[KerasIssue]] = {}
    for issue in walk_config(root, ctx.limits):
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
    out = Inspection(findings=[finding])
    out.hit(exc.limit or "limit")
    return out


def parse_json(raw: bytes, what: str) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{what} is not valid UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise FormatError(f"{what} is nested too deeply to parse") from None


def read_capped(fh: IO[bytes], cap: int, what: str, *, limit: str | None = None) -> bytes:
    data = fh.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(f"{what} is larger than {cap} bytes", limit=limit)
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

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.HDF5, Kind.WEIGHTS, (".h5", ".hdf5"), magic=(Magic(b"\x89HDF\r\n\x1a\n"),)
        ),
    )
    checks: tuple[Check, ...] = (
        KERAS_LAMBDA,
        KERAS_UNSAFE_CALLABLE,
        KERAS_CUSTOM_CODE,
        KERAS_EXTERNAL_RESOURCE,
        MALFORMED_FILE,
        LIMIT_REACHED,
        BUDGET_SPENT,
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        if importlib.util.find_spec("h5py") is None:
            where = f"{ctx.path}!{ctx.member}" if ctx.member else ctx.path
            reason = "HDF5 (Keras) file not checked: h5py is missing; pip install 'aibom[h5]'"
            return Inspection(complete=False, skipped=[Skipped(where, reason)])
        try:
            attrs = read_h5_attributes(ctx)
        except H5BudgetSpent as exc:
            out = Inspection(findings=[ctx.finding(BUDGET_SPENT, str(exc))])
            out.hit("max_h5_seconds", covered=0)
            return out
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
"""Time the isolated HDF5 reader gets for one file's root attributes (real files need well under a
second); all files of a scan together get ``Limits.max_h5_seconds`` (``aibom.formats.budget``)."""
H5_CPU_SECONDS = 3
"""CPU time the isolated HDF5 reader may use for one file, start-up (importing h5py, about half a
second) included; libhdf5 looping on a crafted file spends CPU, so it is stopped here whatever the
machine's load, where the wall-clock timeout above only catches a stalled reader."""
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
    cpu = int(sys.argv[5])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
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


class H5BudgetSpent(LimitExceeded):
    """The scan's HDF5 time budget is spent: the file was not analysed (or not to the end)."""


def read_h5_attributes(ctx: InspectContext) -> dict[str, bytes]:
    """The Keras root attributes as bytes, read by h5py in a child process, within the per-file
    timeout and what is left of the scan's HDF5 time budget."""
    budget = current_budget(ctx.limits)
    left = budget.h5_left()
    if left <= 0:
        budget.h5_files_refused += 1
        raise H5BudgetSpent(
            f"HDF5 file not analysed: the scan's HDF5 time budget ({budget.h5_seconds:g} s, "
            "max_h5_seconds) is spent, so a Lambda layer or other code in its configuration "
            "would go unseen"
        )
    timeout = min(H5_TIMEOUT_SECONDS, left)
    started = time.monotonic()
    try:
        return _read_h5_attributes(ctx, timeout, cut=timeout < H5_TIMEOUT_SECONDS)
    finally:
        budget.spend_h5(time.monotonic() - started)


def _read_h5_attributes(ctx: InspectContext, timeout: float, *, cut: bool) -> dict[str, bytes]:
    cap = ctx.limits.max_config_bytes
    source, data = str(ctx.artifact.ref.path), None
    if ctx.member is not None:
        with ctx.open() as fh:
            source, data = (
                "-",
                read_capped(
                    fh,
                    ctx.limits.max_member_bytes_in_memory,
                    ctx.member,
                    limit="max_member_bytes_in_memory",
                ),
            )
    argv = [sys.executable, "-I", "-c", _H5_CHILD, source, ",".join(_H5_ATTRIBUTES)]
    try:
        proc = subprocess.run(
            [*argv, str(H5_MEMORY_BYTES), str(cap), str(H5_CPU_SECONDS)],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"libhdf5 did not finish reading the root attributes in {timeout:g} s"
        if cut:
            raise H5BudgetSpent(
                message + ", when the scan's HDF5 time budget (max_h5_seconds) ran out: the file "
                "was not analysed"
            ) from None
        raise FormatError(message + " (crafted files make it loop)", reason="h5_timeout") from None
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and not proc.stdout:
        raise FormatError(
            f"libhdf5 used more than {H5_CPU_SECONDS} s of CPU reading the root attributes "
            "(crafted files make it loop)",
            reason="h5_timeout",
        )
    return _h5_result(proc, cap)


def _h5_result(proc: subprocess.CompletedProcess[bytes], cap: int) -> dict[str, bytes]:
    try:
        result = json.loads(proc.stdout) if proc.returncode == 0 else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict):
        raise FormatError(f"libhdf5 failed on this file (exit status {proc.returncode})")
    if "limit" in result:
        raise LimitExceeded(
            f"attribute {result['limit']!r} is larger than {cap} bytes", limit="max_config_bytes"
        )
    if "error" in result or not isinstance(result.get("attrs"), dict):
        raise FormatError(f"not a readable HDF5 file ({result.get('error')})")
    return {_H5_ATTRIBUTES[k]: base64.b64decode(v) for k, v in result["attrs"].items()}
