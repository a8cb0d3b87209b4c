"""Classification by content: magic bytes and structure first, the file name only as a tiebreaker.

``classify`` sees the first bytes of the file (kept from the hashing pass) and, for zip files only, reads the
central directory to tell PyTorch, TorchScript, Keras v3 and numpy archives apart. It never imports or
loads anything it reads; ``pickletools.genops`` only tokenises opcodes.

What each format's names and signatures are, and the role it plays, comes from the ``Catalog`` the caller
passes (``aibom.formats.CATALOG``, gathered from the inspectors); the structural probes are here.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from dataclasses import dataclass

from aibom._io import open_regular
from aibom.artifacts import FileRef, Format, Kind, Subject
from aibom.catalog import Catalog
from aibom.checks import FORMAT_MISMATCH, MALFORMED_FILE
from aibom.findings import Finding
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.sources.sniff_pickle import pickle_like
from aibom.sources.sniff_proto import sniff_protobuf

LFS_PREFIX = b"version https://git-lfs.github.com/spec/v1"
_MAX_LFS_POINTER = 1024
"""Git LFS specification: a pointer file is under 1024 bytes (a format fact, not a ``Limits`` policy)."""

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


def classify(
    ref: FileRef, head: bytes, catalog: Catalog, limits: Limits = DEFAULT_LIMITS
) -> Classification:
    fmt, evidence = sniff(ref, head, catalog, limits)
    suffix = _suffix(ref.relpath)
    claimed = catalog.claimed(suffix)
    kind = kind_of(ref.relpath, fmt, catalog)
    if fmt in (Format.UNKNOWN, Format.EMPTY) and suffix in catalog.strict_weight_suffixes:
        assert claimed is not None
        message = f"the name claims {claimed.value} weights but the content is not ({evidence})"
        return Classification(
            Kind.WEIGHTS, fmt, evidence, Finding(MALFORMED_FILE, ref.display, message)
        )
    return Classification(kind, fmt, evidence, _disguise(ref, head, fmt, claimed, catalog))


def sniff(
    ref: FileRef, head: bytes, catalog: Catalog, limits: Limits = DEFAULT_LIMITS
) -> tuple[Format, str]:
    """The format the content shows, with the evidence for it."""
    subject = Subject(ref.relpath, ref.stat.size, lambda: open_regular(ref.path))
    return sniff_subject(subject, head, catalog, limits)


def sniff_subject(
    ref: Subject, head: bytes, catalog: Catalog, limits: Limits = DEFAULT_LIMITS
) -> tuple[Format, str]:
    """``sniff`` for anything with a name, a size and an opener (archive members included)."""
    if ref.size == 0:
        return Format.EMPTY, "file is empty"
    found = (
        _binary_magic(ref, head, catalog, limits)
        or pickle_like(ref, head, limits)
        or _zip_like(ref, head, limits)
        or sniff_protobuf(head, ref.size)
    )
    return found or _textual(ref, head, catalog)


def _binary_magic(
    ref: Subject, head: bytes, catalog: Catalog, limits: Limits
) -> tuple[Format, str] | None:
    for magic, fmt in catalog.magic:
        offset, signature = magic.offset, magic.signature
        if head[offset : offset + len(signature)] == signature:
            return fmt, f"magic bytes {signature!r} at offset {offset}"
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
    if len(head) > 1 and head[0] == 0x08 and 1 <= head[1] <= 30 and name.endswith(".onnx"):
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


def _textual(ref: Subject, head: bytes, catalog: Catalog) -> tuple[Format, str]:
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
    claimed = catalog.claimed(suffix)
    if claimed in catalog.textual_formats:
        assert claimed is not None
        return claimed, f"UTF-8 text, {suffix} suffix"
    if _json_start(stripped):
        return Format.JSON, "UTF-8 text starting with a JSON object or array"
    return Format.TEXT, "UTF-8 text"


def _json_start(text: str) -> bool:
    """Does ``text`` open a JSON object or array? ``{%`` and ``{{`` (Jinja) and ``[section]`` (INI,
    TOML) do not."""
    if text[:1] not in ("{", "["):
        return False
    rest = text[1:].lstrip()
    if not rest:
        return True  # the head ends here; nothing says otherwise
    if text[0] == "{":
        return rest[0] in '"}'
    return rest[0] in '[{"]-0123456789' or rest.startswith(("true", "false", "null"))


def kind_of(relpath: str, fmt: Format, catalog: Catalog) -> Kind:
    """The role a file plays: its format's, else what its name says."""
    name = posixpath.basename(relpath).lower()
    kind = catalog.kind(fmt)
    if kind is Kind.WEIGHTS and name in TOKENIZER_NAMES:
        return Kind.TOKENIZER
    if kind in (Kind.WEIGHTS, Kind.LFS_POINTER, Kind.DATASET, Kind.ARCHIVE, Kind.SIGNATURE):
        return kind
    if name == "model.sig":
        return Kind.SIGNATURE
    if name.endswith(".index.json"):
        return Kind.INDEX
    return _named_kind(name, fmt, kind)


def _named_kind(name: str, fmt: Format, kind: Kind) -> Kind:
    if name in TOKENIZER_NAMES or kind is Kind.TOKENIZER:
        return Kind.TOKENIZER
    if name in CARD_NAMES:
        return Kind.CARD
    if fmt is Format.JSON and (name.endswith("config.json") or name == "model_index.json"):
        return Kind.CONFIG
    if fmt in (Format.YAML, Format.JSON) and "config" in name:
        return Kind.CONFIG
    return Kind.CODE if kind is Kind.CODE else Kind.OTHER


def _disguise(
    ref: FileRef, head: bytes, fmt: Format, claimed: Format | None, catalog: Catalog
) -> Finding | None:
    """Content in a code-running format under a name that claims something else.

    A name that tells the truth about the outer layer is no disguise: a joblib dump compressed with
    gzip named ``.gz``, a torch checkpoint named ``.zip`` or ``.tar`` (the head carries the claimed
    format's own signature). Otherwise the mismatch is reported as information beside the content's
    own verdict, which carries the severity: aibom reads by content, so a renamed pickle is analysed
    as a pickle, and a clean one is no risk under any name.
    """
    runs_code = catalog.code_exec_formats
    if claimed is None or fmt not in runs_code or claimed in runs_code:
        return None
    if claimed in catalog.specs[fmt].containers or catalog.specs[claimed].has_magic(head):
        return None
    return Finding(
        FORMAT_MISMATCH,
        ref.display,
        f"content is {fmt.value} but the name claims {claimed.value}; analysed as {fmt.value}",
        evidence=f"suffix {_suffix(ref.relpath)!r}",
    )
