"""Checks of the unsafe-format engine for the pickle family (code execution on load, evasion, damage)."""

from __future__ import annotations

from aibom.findings import Check, Severity

_PICKLE_FIX = (
    "Do not load this file. Ask the publisher for safetensors weights, or load it only in a sandbox "
    "with torch.load(weights_only=True) or an allowlisting unpickler."
)

PICKLE_DANGEROUS_GLOBAL = Check(
    id="AIBOM-PKL-001",
    name="pickle-dangerous-global",
    title="Pickle imports a callable that runs code, commands, files or network access",
    severity=Severity.CRITICAL,
    help="Loading this pickle imports an object on aibom's denylist (eval/exec, os, subprocess, "
    "runpy, importlib, socket, a nested loader, a dunder attribute walk ...). Unpickling calls or "
    "hands out such objects while loading, which runs the author's code on your machine.",
    remediation=_PICKLE_FIX,
    cwe=502,
    tags=("code-execution", "pickle"),
)

PICKLE_UNKNOWN_INVOKED = Check(
    id="AIBOM-PKL-002",
    name="pickle-unknown-global-invoked",
    title="Pickle calls or modifies an object that is not on the allowlist",
    severity=Severity.HIGH,
    help="The pickle imports an object that is not known to be safe for model files and calls it "
    "(REDUCE, NEWOBJ, OBJ, INST), passes it to a call, or modifies it in place (BUILD, SETITEM ...). "
    "Any callable can run code; denylists of known-bad names have been bypassed every year.",
    remediation=_PICKLE_FIX + " If the object is yours and trusted, allow it in a policy file.",
    cwe=502,
    tags=("code-execution", "pickle"),
)

PICKLE_UNKNOWN_IMPORT = Check(
    id="AIBOM-PKL-003",
    name="pickle-unknown-global",
    title="Pickle imports a module or object that is not on the allowlist",
    severity=Severity.MEDIUM,
    help="The pickle imports an object that is not known to be safe for model files. It is not "
    "called while loading, but importing its module runs that module's top-level code.",
    remediation="Check where the object comes from; allow it in a policy file if it is trusted.",
    cwe=502,
    tags=("pickle",),
)

PICKLE_UNRESOLVED = Check(
    id="AIBOM-PKL-004",
    name="pickle-unresolvable-import",
    title="Pickle computes what it imports or calls while loading",
    severity=Severity.HIGH,
    help="A STACK_GLOBAL takes its module or name from a value computed while loading, an EXT opcode "
    "imports through the loading process's copyreg registry, or a REDUCE calls an object that was "
    "itself computed. What runs cannot be known without running the pickle: a classic evasion.",
    remediation=_PICKLE_FIX,
    cwe=502,
    tags=("code-execution", "evasion", "pickle"),
)

PICKLE_BROKEN = Check(
    id="AIBOM-PKL-005",
    name="pickle-broken-stream",
    title="Pickle stream is truncated or invalid",
    severity=Severity.MEDIUM,
    help="The opcode stream breaks before STOP. Unpicklers execute opcodes as they read them, so "
    "everything imported and called before the break still runs (ReversingLabs' nullifAI models "
    "hid their payload this way); scanners that give up on errors report such files as clean.",
    remediation=_PICKLE_FIX,
    cwe=502,
    tags=("integrity", "evasion", "pickle"),
)

PICKLE_ONLY_ALLOWLISTED = Check(
    id="AIBOM-PKL-006",
    name="pickle-based-format",
    title="Pickle-based file (only allowlisted objects); prefer safetensors",
    severity=Severity.LOW,
    help="Every object this pickle imports is on the allowlist for ML files, so loading it should not "
    "run foreign code. The format itself can carry code, so a tampered copy would.",
    remediation="Prefer safetensors (or another non-executable format) and verify the file's hash.",
    cwe=502,
    tags=("pickle",),
)

PICKLE_ANOMALY = Check(
    id="AIBOM-PKL-007",
    name="pickle-structure-anomaly",
    title="Pickle has a structure real serializers never write",
    severity=Severity.MEDIUM,
    help="Bytes after the final STOP, a PROTO opcode that is not first or changes the protocol, or "
    "several pickles stacked in a file that should hold one. Such layouts are used to hide payloads "
    "from scanners that read only the first pickle or stop at the first oddity.",
    remediation="Replace the file with an intact copy from its publisher and verify its hash.",
    cwe=502,
    tags=("evasion", "pickle"),
)

TORCHSCRIPT_CODE = Check(
    id="AIBOM-PKL-008",
    name="torchscript-code",
    title="TorchScript archive carries code that runs when the model is used",
    severity=Severity.LOW,
    help="TorchScript archives hold the model's program in code/. It runs in the TorchScript "
    "interpreter (not arbitrary Python), but it is code from the model's author.",
    remediation="Load TorchScript only from publishers you trust; prefer safetensors weights.",
    tags=("code", "pytorch"),
)

ZIP_VIEWS_DISAGREE = Check(
    id="AIBOM-ZIP-001",
    name="zip-views-disagree",
    title="Zip archive reads differently in different readers",
    severity=Severity.MEDIUM,
    help="The central directory and the local headers disagree (names, sizes, methods), entries are "
    "duplicated or differ only in case, or data sits outside the central directory. PyTorch (miniz) "
    "and Python's zipfile then see different content: a known scanner bypass (CVE-2025-1944).",
    remediation="Rebuild the archive with a standard tool from trusted content and scan it again.",
    cwe=436,
    tags=("evasion", "zip"),
)

ZIP_BAD_CRC = Check(
    id="AIBOM-ZIP-002",
    name="zip-bad-crc",
    title="Zip member fails its CRC-32 check",
    severity=Severity.MEDIUM,
    help="The member's data does not match the CRC-32 recorded for it. Python's zipfile refuses it, "
    "PyTorch ignores CRCs and loads it (CVE-2025-10156).",
    remediation="Replace the archive with an intact copy from its publisher and verify its hash.",
    cwe=354,
    tags=("evasion", "integrity", "zip"),
)

ZIP_ODD_FLAGS = Check(
    id="AIBOM-ZIP-003",
    name="zip-odd-flags",
    title="Zip member uses flag bits or a compression method loaders disagree on",
    severity=Severity.MEDIUM,
    help="Encryption, patch-data or reserved flag bits, or a compression method other than stored "
    "and deflate, make readers differ in what they extract (CVE-2025-1945).",
    remediation="Rebuild the archive with stored or deflated members and no unusual flags.",
    cwe=436,
    tags=("evasion", "zip"),
)

ARCHIVE_UNOPENABLE = Check(
    id="AIBOM-ARC-001",
    name="archive-not-examined",
    title="Archive or compressed stream could not be opened; its content was not examined",
    severity=Severity.MEDIUM,
    help="The container is encrypted, damaged, or needs an optional decompressor that is not "
    "installed. Malicious models have been shipped in such containers (nullifAI used 7z).",
    remediation="Install the extra named in the message (e.g. pip install 'aibom[7z]') and scan "
    "again, or unpack the archive yourself and scan its content.",
    tags=("completeness", "evasion"),
)

ARCHIVE_BOMB = Check(
    id="AIBOM-ARC-002",
    name="decompression-bomb",
    title="Compressed content expands beyond the size or ratio limit",
    severity=Severity.MEDIUM,
    help="Decompressing the member produced more than the configured maximum, or expands far more "
    "than real data does. The rest was not examined.",
    remediation="Inspect the archive by hand; raise the limits only for trusted inputs.",
    cwe=409,
    tags=("dos", "completeness"),
)

ARCHIVE_PATH_ESCAPE = Check(
    id="AIBOM-ARC-003",
    name="archive-path-traversal",
    title="Archive member would be written outside the extraction folder",
    severity=Severity.CRITICAL,
    help="A member name or link target is absolute or climbs out with '..'. Extracting the archive "
    "writes or links files anywhere the user can write (zip slip).",
    remediation="Do not extract this archive; rebuild it from trusted content.",
    cwe=22,
    tags=("path-traversal",),
)

UNSAFE_CHECKS: tuple[Check, ...] = (
    PICKLE_DANGEROUS_GLOBAL,
    PICKLE_UNKNOWN_INVOKED,
    PICKLE_UNKNOWN_IMPORT,
    PICKLE_UNRESOLVED,
    PICKLE_BROKEN,
    PICKLE_ONLY_ALLOWLISTED,
    PICKLE_ANOMALY,
    TORCHSCRIPT_CODE,
    ZIP_VIEWS_DISAGREE,
    ZIP_BAD_CRC,
    ZIP_ODD_FLAGS,
    ARCHIVE_UNOPENABLE,
    ARCHIVE_BOMB,
    ARCHIVE_PATH_ESCAPE,
)
