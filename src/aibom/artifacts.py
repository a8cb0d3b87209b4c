"""Value types that flow through the pipeline: discovered files and classified, hashed artifacts."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


class Kind(enum.Enum):
    """What role a file plays. Decided from content first (see ``classify``)."""

    WEIGHTS = "weights"
    CONFIG = "config"
    TOKENIZER = "tokenizer"
    CARD = "card"
    DATASET = "dataset"
    ARCHIVE = "archive"
    LFS_POINTER = "lfs-pointer"
    INDEX = "index"
    """A shard index such as ``model.safetensors.index.json``."""
    SIGNATURE = "signature"
    CODE = "code"
    OTHER = "other"


class Format(enum.Enum):
    SAFETENSORS = "safetensors"
    PICKLE = "pickle"
    PYTORCH_ZIP = "pytorch-zip"
    PYTORCH_LEGACY = "pytorch-legacy"
    TORCHSCRIPT = "torchscript"
    NUMPY = "numpy-npy"
    NUMPY_NPZ = "numpy-npz"
    JOBLIB = "joblib"
    HDF5 = "hdf5"
    KERAS_V3 = "keras-v3"
    TF_SAVEDMODEL = "tf-savedmodel"
    TF_GRAPHDEF = "tf-graphdef"
    """A bare (frozen) GraphDef protobuf, as ``tf.io.write_graph`` writes it."""
    ONNX = "onnx"
    ONNX_TENSOR = "onnx-tensor"
    """A serialised ONNX ``TensorProto`` (the ``input_0.pb`` files of ONNX test data)."""
    GGUF = "gguf"
    TFLITE = "tflite"
    JSON = "json"
    YAML = "yaml"
    TEXT = "text"
    MARKDOWN = "markdown"
    JINJA = "jinja-template"
    SENTENCEPIECE = "sentencepiece"
    PARQUET = "parquet"
    ARROW = "arrow"
    CSV = "csv"
    JSONL = "jsonl"
    ZIP = "zip"
    TAR = "tar"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    SEVEN_ZIP = "7z"
    ZSTD = "zstd"
    LFS_POINTER = "git-lfs-pointer"
    SIGSTORE_BUNDLE = "sigstore-bundle"
    PYTHON = "python-source"
    EMPTY = "empty"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FileStat:
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int = 0


@dataclass(frozen=True)
class HFFileRef:
    """Where a file of a Hugging Face cache snapshot lives in the cache."""

    repo_id: str
    repo_type: str
    """``model`` or ``dataset``."""
    commit: str
    blob_name: str | None
    """Name of the blob the snapshot entry links to (SHA-256 for LFS files, git-blob SHA-1 otherwise)."""


@dataclass(frozen=True)
class FileRef:
    """A regular file found by discovery. ``path`` is what is opened; ``display`` is what is shown."""

    path: Path
    display: str
    """POSIX path relative to the scan target's parent (or absolute outside reproducible mode)."""
    relpath: str
    """POSIX path relative to the group root (model folder or snapshot): the name inside the model."""
    stat: FileStat
    hf: HFFileRef | None = None


@dataclass(frozen=True)
class Digests:
    sha256: str
    git_sha1: str | None = None
    """``sha1(b"blob <size>\\0" + content)``, computed for Hugging Face cache files."""


class CoverageStatus(enum.Enum):
    COMPLETE = "complete"
    """The inspector accounted for every byte of the file (payloads it skips by design, such as tensor
    data, count as covered: they were located and bounded, not left unread)."""
    PARTIAL = "partial"
    """Analysis stopped early at a limit, a budget or damage; the rest was not examined."""
    NOT_ANALYSED = "not-analysed"
    """The inspector produced no verdict (budget spent before it started, or it failed)."""


@dataclass(frozen=True)
class Coverage:
    """How much of an inspected file its verdict rests on (recorded only for formats with an inspector;
    data-only formats without one, such as Parquet or plain text, carry no coverage)."""

    status: CoverageStatus
    bytes_total: int
    bytes_covered: int | None
    """None when the inspector cannot say where it stopped (a member deep in an archive, say)."""
    reasons: tuple[str, ...] = ()
    """Which limits, budgets or conditions stopped it: ``Limits`` field names (``max_pickle_bytes``),
    or ``malformed``, ``unopenable``, ``unreadable``, ``internal-error``, ``incomplete``."""

    @property
    def complete(self) -> bool:
        return self.status is CoverageStatus.COMPLETE

    def bytes_text(self) -> str:
        """``covered/total`` (``unknown/total`` when the stop point is not known)."""
        covered = "unknown" if self.bytes_covered is None else str(self.bytes_covered)
        return f"{covered}/{self.bytes_total}"

    def describe(self) -> str:
        return coverage_text(self.status.value, self.bytes_text(), ", ".join(self.reasons))


def size_text(size: int) -> str:
    """``512 B``, ``12.0 MiB``: binary units, one decimal."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"


def coverage_text(status: str, covered_total: str | None, reasons: str | None) -> str:
    """``partial (12.0 MiB of 2.0 GiB; max_pickle_bytes)`` from the three coverage properties' values
    (``complete`` alone when the file was read whole)."""
    if status == CoverageStatus.COMPLETE.value or not covered_total:
        return status
    covered, _, total = covered_total.partition("/")
    of = size_text(int(total)) if total.isdigit() else total or "?"
    read = f"{size_text(int(covered))} of {of}" if covered.isdigit() else f"unknown part of {of}"
    return f"{status} ({read}; {reasons})" if reasons else f"{status} ({read})"


@dataclass
class Artifact:
    """A classified, hashed file."""

    ref: FileRef
    kind: Kind
    format: Format
    evidence: str
    """Why the format was chosen, e.g. "magic bytes 'GGUF' at offset 0"."""
    digests: Digests | None = None
    head: bytes = b""
    """The first bytes of the file, kept from the hashing pass (at most ``Limits.head_bytes``)."""
    facts: dict[str, object] = field(default_factory=dict)
    """Format-specific facts from inspection (dtypes, parameter count, LFS oid, ...)."""
    extra_properties: list[tuple[str, str]] = field(default_factory=list)
    """BOM properties added by the stage that produced the artifact (e.g. what the Hub declared)."""
    coverage: Coverage | None = None
    """How completely inspection read the file; None for formats without an inspector."""

    @property
    def size(self) -> int:
        return self.ref.stat.size

    @property
    def display(self) -> str:
        return self.ref.display


@dataclass(frozen=True)
class Subject:
    """What the sniffers look at: a name (for tiebreaks), a size and a way to open the content."""

    relpath: str
    size: int
    opener: Callable[[], BinaryIO]
