"""Every ceiling aibom applies to untrusted input, in one place, each with its reason.

A value read from a scanned file (a length, a count, a depth, a decompressed size) is checked against
these before it is used. Hitting a limit is a finding, never an exception that escapes a stage.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    # hashing
    hash_buffer: int = 1 * MiB
    """Read buffer per hashing worker; bounds memory whatever the file size."""
    head_bytes: int = 4 * KiB
    """Bytes kept from the start of each file for classification (read in the hashing pass)."""

    # discovery
    max_files: int = 1_000_000
    """Files walked per scan; a tree beyond this is reported incomplete."""
    max_dir_depth: int = 64
    """Directory nesting; deeper trees are symlink or bind-mount loops in practice."""

    # text metadata (cards, configs, lock files)
    max_text_file: int = 16 * MiB
    """Largest card, config, requirements or lock file parsed; bigger ones are skipped with a reason."""
    max_front_matter: int = 1 * MiB
    """Characters of YAML front matter parsed; real cards hold a few KiB (PyYAML is slow on megabytes)."""
    max_yaml_nodes: int = 100_000
    """YAML front matter nodes; bounds alias ("billion laughs") expansion."""
    max_json_depth: int = 64
    """Nesting depth of JSON/YAML metadata documents."""
    max_requirements_depth: int = 16
    """Nested -r/-c includes in requirements files."""

    # safetensors
    max_safetensors_header: int = 100 * MiB
    """Header length accepted (the safetensors library uses the same bound)."""
    max_tensors: int = 1_000_000
    """Tensors described in one header."""

    # containers and compression
    max_members: int = 100_000
    """Entries listed from one archive or index."""
    max_nesting: int = 8
    """Containers inside containers (zip in tar in gzip ...); deeper content is reported, not opened."""
    max_decompressed: int = 16 * GiB
    """Bytes produced by decompressing one member or stream before it is abandoned (bombs)."""
    max_compression_ratio: int = 200
    """Decompressed/compressed ratio beyond which a stream is treated as a bomb (once past 64 MiB)."""
    max_member_bytes_in_memory: int = 64 * MiB
    """Largest member held in memory at once; bigger members are streamed or spooled to disk."""

    # pickle and other opcode or graph walks
    max_pickle_opcodes: int = 50_000_000
    """Opcodes walked in one pickle stream (a 5 GB checkpoint has far fewer: payloads are skipped)."""
    max_pickle_bytes: int = 64 * GiB
    """Bytes walked in one pickle stream; large BINBYTES/BINUNICODE payloads are skipped by seeking."""
    max_stack_depth: int = 100_000
    """Simulated pickle stack and memo entries kept while resolving imports."""
    max_config_bytes: int = 64 * MiB
    """JSON model configurations (Keras config.json, H5 model_config) parsed."""
    max_template_bytes: int = 1 * MiB
    """Chat templates examined per key."""


DEFAULT_LIMITS = Limits()
