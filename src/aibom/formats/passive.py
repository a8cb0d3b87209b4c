"""Formats aibom recognises and inventories but does not inspect: they hold data, not code.

A file in one of these is hashed, classified and listed in the BOM with its role; nothing inside it is
read. Giving one an inspector means moving its spec into the inspector's module.
"""

from __future__ import annotations

from aibom.artifacts import Format, Kind
from aibom.catalog import FormatSpec, Magic

PASSIVE_SPECS: tuple[FormatSpec, ...] = (
    FormatSpec(Format.TFLITE, Kind.WEIGHTS, (".tflite",), magic=(Magic(b"TFL3", 4),)),
    FormatSpec(
        Format.PARQUET, Kind.DATASET, (".parquet",), magic=(Magic(b"PAR1"),), probe_remote=False
    ),
    FormatSpec(
        Format.ARROW, Kind.DATASET, (".arrow",), magic=(Magic(b"ARROW1"),), probe_remote=False
    ),
    FormatSpec(Format.CSV, Kind.DATASET, (".csv", ".tsv"), textual=True, probe_remote=False),
    FormatSpec(Format.JSONL, Kind.DATASET, (".jsonl",), textual=True, probe_remote=False),
    FormatSpec(Format.YAML, suffixes=(".yaml", ".yml"), textual=True),
    FormatSpec(Format.MARKDOWN, suffixes=(".md",), textual=True, probe_remote=False),
    FormatSpec(Format.PYTHON, Kind.CODE, (".py",), textual=True, fetch_members=True),
    FormatSpec(Format.ONNX_TENSOR),
    FormatSpec(Format.SENTENCEPIECE, Kind.TOKENIZER, shared_suffixes=(".model",)),
    FormatSpec(Format.SIGSTORE_BUNDLE, Kind.SIGNATURE, shared_suffixes=(".sig",)),
)
