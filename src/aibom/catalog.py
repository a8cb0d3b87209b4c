"""What aibom knows about each file format: the names and magic bytes that show it, the role a file in it
plays, whether loading it runs code from its data, and which of its bytes a remote scan fetches.

Each inspector module declares the ``FormatSpec`` of the formats it reads next to its code, and
``aibom.formats.passive`` those that are recognised but not inspected. ``aibom.formats`` gathers them into
one ``Catalog``; classification (``aibom.sources.classify``) and remote fetching take that catalog as a
parameter, so neither has to know the inspectors and adding a format does not touch them.

Structural probes that need more than a fixed signature (pickle opcodes, the zip flavours, the safetensors
header, protobuf messages) stay in ``aibom.sources.classify``: they are code, not data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aibom.artifacts import Format, Kind

UNDESCRIBED = frozenset({Format.EMPTY, Format.UNKNOWN})
"""Verdicts of the sniffer rather than formats: they have no spec."""


@dataclass(frozen=True)
class Magic:
    """A fixed signature: ``signature`` at byte ``offset``."""

    signature: bytes
    offset: int = 0


@dataclass(frozen=True)
class FormatSpec:
    format: Format
    kind: Kind = Kind.OTHER
    """The role of a file in this format; ``OTHER`` leaves it to the file name (cards, configs)."""
    suffixes: tuple[str, ...] = ()
    """Lower-case suffixes that name this format and no other. For weights, content that is not the
    format under one of these names is a malformed-file finding."""
    shared_suffixes: tuple[str, ...] = ()
    """Suffixes this format is the usual claim for but other content also uses (``.bin``, ``.pb``)."""
    magic: tuple[Magic, ...] = ()
    runs_code: bool = False
    """Loading it with its usual library can run code carried in its data (the pickle family). Such
    content under a name that claims another format is a disguise finding. Formats that run code only
    through named layers, ops or templates (Keras, TensorFlow, ONNX, GGUF) are flagged by their
    inspectors instead."""
    containers: tuple[Format, ...] = ()
    """Container formats this one is stored in (a torch checkpoint is a zip): a file name claiming one
    of them tells the truth about the outer layer and is no disguise."""
    textual: bool = False
    """UTF-8 text under one of its suffixes is taken as this format."""
    fetch_members: bool = False
    """Members with its suffixes inside a remote zip archive are fetched (they can carry code)."""
    probe_remote: bool = True
    """A large remote file in this format is worth fetching the head of (False for plain data)."""

    def has_magic(self, head: bytes) -> bool:
        """``head`` carries one of this format's fixed signatures."""
        return any(head[m.offset : m.offset + len(m.signature)] == m.signature for m in self.magic)

    @property
    def all_suffixes(self) -> tuple[str, ...]:
        return self.suffixes + self.shared_suffixes


class Catalog:
    """Every ``FormatSpec``, and the tables classification and remote fetching derive from them."""

    def __init__(self, specs: Iterable[FormatSpec]) -> None:
        self.specs: dict[Format, FormatSpec] = {}
        self.suffix_formats: dict[str, Format] = {}
        for spec in specs:
            self._add(spec)
        missing = set(Format) - UNDESCRIBED - set(self.specs)
        if missing:
            raise ValueError(f"formats without a spec: {sorted(f.value for f in missing)}")
        every = self.specs.values()
        self.magic = tuple((m, s.format) for s in every for m in s.magic)
        self.strict_weight_suffixes = frozenset(
            x for s in every if s.kind is Kind.WEIGHTS for x in s.suffixes
        )
        self.code_exec_formats = frozenset(s.format for s in every if s.runs_code)
        self.code_bearing_formats = self.code_exec_formats | frozenset(
            s.format for s in every if s.kind in (Kind.WEIGHTS, Kind.ARCHIVE)
        )
        """Formats whose content may carry code: the pickle family, weight formats (Keras Lambda
        layers, TorchScript, TensorFlow ops, GGUF templates) and archives (any of those inside)."""
        self.weight_formats = self.of_kind(Kind.WEIGHTS)
        self.textual_formats = frozenset(s.format for s in every if s.textual)
        self.member_suffixes = tuple(
            sorted(x for s in every if s.fetch_members for x in s.all_suffixes)
        )
        self.pickle_suffixes = frozenset(x for s in every if s.runs_code for x in s.all_suffixes)
        self.unprobed_suffixes = frozenset(
            x for s in every if not s.probe_remote for x in s.all_suffixes
        )

    def _add(self, spec: FormatSpec) -> None:
        if spec.format in UNDESCRIBED or spec.format in self.specs:
            raise ValueError(f"{spec.format.value} described twice or not a format")
        self.specs[spec.format] = spec
        for suffix in spec.all_suffixes:
            if suffix != suffix.lower() or not suffix.startswith("."):
                raise ValueError(f"{spec.format.value}: suffix {suffix!r} must be '.lower'")
            if suffix in self.suffix_formats:
                other = self.suffix_formats[suffix].value
                raise ValueError(f"{suffix} claimed by {other} and {spec.format.value}")
            self.suffix_formats[suffix] = spec.format

    def of_kind(self, kind: Kind) -> frozenset[Format]:
        return frozenset(s.format for s in self.specs.values() if s.kind is kind)

    def kind(self, fmt: Format) -> Kind:
        spec = self.specs.get(fmt)
        return spec.kind if spec is not None else Kind.OTHER

    def claimed(self, suffix: str) -> Format | None:
        """The format a lower-case suffix claims, if any."""
        return self.suffix_formats.get(suffix)
