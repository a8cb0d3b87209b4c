"""Classification by content: magic bytes and structure first, the file name only as a tiebreaker.

``classify`` sees the first bytes of the file (kept from the hashing pass) and, for zip files only, reads the
central directory to tell PyTorch, TorchScript, Keras v3 and numpy archives apart. It never imports or
loads anything it reads; ``pickletools.genops`` only tokenises opcodes.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from dataclasses import dataclass

from aibom._io import open_regular
from aibom.artifacts import FileRef, Format, Kind, Subject
from aibom.checks import FORMAT_MISMATCH, MALFORMED_FILE
from aibom.findings import Finding
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.sources.sniff_pickle import pickle_like

LFS_PREFIX = b"version https://git-lfs.github.com/spec/v1"
_MAX_LFS_POINTER = 1024
"""Git LFS specification: a pointer file is under 1024 bytes (a format fact, not a ``Limits`` policy)."""

WEIGHT_FORMATS = frozenset(
    {
        Format.SAFETENSORS,
        Format.PICKLE,
        Format.PYTORCH_ZIP,
        Format.PYTORCH_LEGACY,
        Format.TORCHSCRIPT,
        Format.NUMPY,
        Format.NUMPY_NPZ,
        Format.JOBLIB,
        Format.HDF5,
        Format.KERAS_V3,
        Format.TF_SAVEDMODEL,
        Format.ONNX,
        Format.GGUF,
        Format.TFLITE,
    }
)
CODE_EXEC_FORMATS = frozenset(
    {
        Format.PICKLE,
        Format.PYTORCH_ZIP,
        Format.PYTORCH_LEGACY,
        Format.TORCHSCRIPT,
        Format.JOBLIB,
        Format.NUMPY,
        Format.NUMPY_NPZ,
    }
)
DATASET_FORMATS = frozenset({Format.PARQUET, Format.ARROW, Format.CSV, Format.JSONL})
ARCHIVE_FORMATS = frozenset(
    {Format.ZIP, Format.TAR, Format.GZIP, Format.BZIP2, Format.XZ, Format.SEVEN_ZIP, Format.ZSTD}
)

SUFFIX_FORMATS: dict[str, Format] = {
    ".safetensors": Format.SAFETENSORS,
    ".pkl": Format.PICKLE,
    ".pickle": Format.PICKLE,
    ".pt": Format.PYTORCH_ZIP,
    ".pth": Format.PYTORCH_ZIP,
    ".bin": Format.PYTORCH_ZIP,
    ".ckpt": Format.PYTORCH_ZIP,
    ".npy": Format.NUMPY,
    ".npz": Format.NUMPY_NPZ,
    ".joblib": Format.JOBLIB,
    ".h5": Format.HDF5,
    ".hdf5": Format.HDF5,
    ".keras": Format.KERAS_V3,
    ".pb": Format.TF_SAVEDMODEL,
    ".onnx": Format.ONNX,
    ".gguf": Format.GGUF,
    ".tflite": Format.TFLITE,
    ".json": Format.JSON,
    ".yaml": Format.YAML,
    ".yml": Format.YAML,
    ".md": Format.MARKDOWN,
    ".txt": Format.TEXT,
    ".parquet": Format.PARQUET,
    ".arrow": Format.ARROW,
    ".csv": Format.CSV,
    ".tsv": Format.CSV,
    ".jsonl": Format.JSONL,
    ".zip": Format.ZIP,
    ".tar": Format.TAR,
    ".gz": Format.GZIP,
    ".tgz": Format.GZIP,
    ".bz2": Format.BZIP2,
    ".xz": Format.XZ,
    ".7z": Format.SEVEN_ZIP,
    ".zst": Format.ZSTD,
    ".py": Format.PYTHON,
    ".model": Format.SENTENCEPIECE,
    ".sig": Format.SIGSTORE_BUNDLE,
}
"""What a suffix claims. Used only to break ties and to spot disguise."""

_TEXTUAL_CLAIMS = frozenset({Format.JSON, Format.YAML, Format.MARKDOWN, Format.TEXT, Format.CSV})

TOKENIZER_NAMES = frozenset(
    {
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.json",
        "vocab.txt",
        "merges.txt",
        "tokenizer.model",
        "spiece.model",
        "sentencepiece.bpe.model",
        "chat_template.jinja",
        "chat_template.json",
        "preprocessor_config.json",
    }
)
CARD_NAMES = frozenset({"readme.md", "model_card.md", "modelcard.md", "dataset_card.md"})


def _suffix(relpath: str) -> str:
    return posixpath.splitext(posixpath.basename(relpath))[1].lower()


@dataclass(frozen=True)
class Classification:
    kind: Kind
    format: Format
    evidence: str
    finding: Finding | None = None


_STRICT_WEIGHT_SUFFIXES = frozenset(
    {
        ".safetensors",
        ".pt",
        ".pth",
        ".ckpt",
        ".pkl",
        ".pickle",
        ".npy",
        ".npz",
        ".joblib",
        ".h5",
        ".hdf5",
        ".keras",
        ".onnx",
        ".gguf",
        ".tflite",
    }
)
"""Suffixes that name exactly one weights format (unlike ``.bin`` or ``.pb``, which many formats use)."""


def classify(ref: FileRef, head: bytes, limits: Limits = DEFAULT_LIMITS) -> Classification:
    fmt, evidence = sniff(ref, head, limits)
    suffix = _suffix(ref.relpath)
    claimed = SUFFIX_FORMATS.get(suffix)
    kind = _kind(ref.relpath, fmt)
    if fmt in (Format.UNKNOWN, Format.EMPTY) and suffix in _STRICT_WEIGHT_SUFFIXES:
        assert claimed is not None
        message = f"the name claims {claimed.value} weights but the content is not ({evidence})"
        return Classification(
            Kind.WEIGHTS, fmt, evidence, Finding(MALFORMED_FILE, ref.display, message)
        )
    return Classification(kind, fmt, evidence, _disguise(ref, fmt, claimed))


def sniff(ref: FileRef, head: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Format, str]:
    """The format the content shows, with the evidence for it."""
    return sniff_subject(
        Subject(ref.relpath, ref.stat.size, lambda: open_regular(ref.path)), head, limits
    )


def sniff_subject(ref: Subject, head: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Format, str]:
    """``sniff`` for anything with a name, a size and an opener (archive members included)."""
    if ref.size == 0:
        return Format.EMPTY, "file is empty"
    for probe in (_binary_magic, pickle_like, _zip_like):
        found = probe(ref, head, limits)
        if found is not None:
            return found
    return _textual(ref, head)


def _binary_magic(ref: Subject, head: bytes, limits: Limits) -> tuple[Format, str] | None:
    checks: tuple[tuple[bytes, int, Format], ...] = (
        (b"GGUF", 0, Format.GGUF),
        (b"\x89HDF\r\n\x1a\n", 0, Format.HDF5),
        (b"\x93NUMPY", 0, Format.NUMPY),
        (b"PAR1", 0, Format.PARQUET),
        (b"ARROW1", 0, Format.ARROW),
        (b"TFL3", 4, Format.TFLITE),
        (b"\x1f\x8b", 0, Format.GZIP),
        (b"BZh", 0, Format.BZIP2),
        (b"\xfd7zXZ\x00", 0, Format.XZ),
        (b"7z\xbc\xaf\x27\x1c", 0, Format.SEVEN_ZIP),
        (b"\x28\xb5\x2f\xfd", 0, Format.ZSTD),
        (b"ustar", 257, Format.TAR),
    )
    for magic, offset, fmt in checks:
        if head[offset : offset + len(magic)] == magic:
            return fmt, f"magic bytes {magic!r} at offset {offset}"
    if head.startswith(LFS_PREFIX) and ref.size <= _MAX_LFS_POINTER:
        return (
            Format.LFS_POINTER,
            "Git LFS pointer header 'version https://git-lfs.github.com/spec/v1'",
        )
    if head[:4] == b"\xff\xff\xff\xff" and _suffix(ref.relpath) == ".arrow":
        return Format.ARROW, "Arrow IPC stream continuation marker and .arrow suffix"
    return _safetensors(ref, head, limits) or _protobuf(ref, head)


def _safetensors(ref: Subject, head: bytes, limits: Limits) -> tuple[Format, str] | None:
    if len(head) < 10:
        return None
    (length,) = struct.unpack("<Q", head[:8])
    if 2 <= length <= min(limits.max_safetensors_header, ref.size - 8) and head[8:9] == b"{":
        return Format.SAFETENSORS, f"little-endian header length {length} followed by a JSON object"
    return None


def _protobuf(ref: Subject, head: bytes) -> tuple[Format, str] | None:
    name = posixpath.basename(ref.relpath)
    if name == "saved_model.pb" and head[:1] in (b"\x08", b"\x12"):
        return Format.TF_SAVEDMODEL, "protobuf SavedModel message named saved_model.pb"
    if name == "keras_metadata.pb" and head[:1] == b"\x0a":
        return Format.TF_SAVEDMODEL, "protobuf Keras SavedMetadata named keras_metadata.pb"
    # ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08, version 1..30.
    if head[:1] == b"\x08" and 1 <= head[1] <= 30 and name.endswith(".onnx"):
        return Format.ONNX, f"protobuf field 1 ir_version={head[1]} and .onnx suffix"
    return None


def _zip_like(ref: Subject, head: bytes, limits: Limits) -> tuple[Format, str] | None:
    if not (head.startswith((b"PK\x03\x04", b"PK\x05\x06"))):
        return None
    try:
        with ref.opener() as fh, zipfile.ZipFile(fh) as zf:
            names = [
                info.filename
                for _, info in zip(range(limits.max_members), zf.infolist(), strict=False)
            ]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        return Format.ZIP, f"zip local header; central directory unreadable ({exc})"
    return _zip_flavour(names)


def _zip_flavour(names: list[str]) -> tuple[Format, str]:
    base = {n.split("/", 1)[1] if "/" in n else n for n in names}
    if "constants.pkl" in base and any(n.startswith("code/") for n in base):
        return Format.TORCHSCRIPT, "zip with code/ and constants.pkl (TorchScript archive)"
    if "data.pkl" in base:
        return Format.PYTORCH_ZIP, "zip with <archive>/data.pkl (torch.save zip format)"
    weights = (".weights.h5", ".weights.json", ".weights.npz")
    if "config.json" in names and (
        "metadata.json" in names or any(n.endswith(weights) for n in names)
    ):
        # Keras reads config.json (and runs what it names) before it opens the weights: a .keras without
        # weights is still a Keras archive.
        return (
            Format.KERAS_V3,
            "zip with a top-level config.json and Keras metadata or weights (Keras v3)",
        )
    if names and all(n.endswith(".npy") for n in names):
        return Format.NUMPY_NPZ, "zip whose members are all .npy arrays (numpy .npz)"
    return Format.ZIP, "zip archive"


def _textual(ref: Subject, head: bytes) -> tuple[Format, str]:
    suffix = _suffix(ref.relpath)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) < 1024 or exc.start < len(head) - 4:  # not just a character cut by the head
            return Format.UNKNOWN, "binary content with no known signature"
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        return Format.UNKNOWN, "binary content with no known signature"
    stripped = text.lstrip()
    if stripped.startswith("{") and '"mediaType"' in text and "sigstore.bundle" in text:
        return Format.SIGSTORE_BUNDLE, "JSON with a Sigstore bundle mediaType"
    claimed = SUFFIX_FORMATS.get(suffix)
    if claimed in _TEXTUAL_CLAIMS | {Format.JSONL, Format.PYTHON, Format.CSV}:
        assert claimed is not None
        return claimed, f"UTF-8 text, {suffix} suffix"
    if stripped[:1] in ("{", "["):
        return Format.JSON, "UTF-8 text starting with a JSON object or array"
    return Format.TEXT, "UTF-8 text"


def kind_of(relpath: str, fmt: Format) -> Kind:
    """The role a file plays, from its format and name."""
    return _kind(relpath, fmt)


def _kind(relpath: str, fmt: Format) -> Kind:
    name = posixpath.basename(relpath).lower()
    if fmt is Format.LFS_POINTER:
        return Kind.LFS_POINTER
    if fmt in WEIGHT_FORMATS:
        return Kind.TOKENIZER if name in TOKENIZER_NAMES else Kind.WEIGHTS
    if fmt in DATASET_FORMATS:
        return Kind.DATASET
    if fmt in ARCHIVE_FORMATS:
        return Kind.ARCHIVE
    if fmt is Format.SIGSTORE_BUNDLE or name == "model.sig":
        return Kind.SIGNATURE
    if name.endswith(".index.json"):
        return Kind.INDEX
    return _named_kind(name, fmt)


def _named_kind(name: str, fmt: Format) -> Kind:
    if name in TOKENIZER_NAMES or fmt is Format.SENTENCEPIECE:
        return Kind.TOKENIZER
    if name in CARD_NAMES:
        return Kind.CARD
    if fmt is Format.JSON and (name.endswith("config.json") or name == "model_index.json"):
        return Kind.CONFIG
    if fmt in (Format.YAML, Format.JSON) and "config" in name:
        return Kind.CONFIG
    if fmt is Format.PYTHON:
        return Kind.CODE
    return Kind.OTHER


def _disguise(ref: FileRef, fmt: Format, claimed: Format | None) -> Finding | None:
    """Content in a code-running format under a name that claims something else."""
    if claimed is None or fmt not in CODE_EXEC_FORMATS or claimed in CODE_EXEC_FORMATS:
        return None
    return Finding(
        FORMAT_MISMATCH,
        ref.display,
        f"content is {fmt.value} but the name claims {claimed.value}",
        evidence=f"suffix {_suffix(ref.relpath)!r}",
    )
