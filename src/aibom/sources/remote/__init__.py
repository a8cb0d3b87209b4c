"""Remote sources: Hugging Face Hub repositories scanned by id, fetching only what inspection needs.

``resolve_remote(target, options, workdir, limits)`` is the entry point ``aibom.scan`` calls for ``hf://``
targets; ``snapshot_findings`` and the ``*_properties`` helpers describe the result for the BOM.
"""

from __future__ import annotations

from aibom.checks.remote import REMOTE_CHECKS
from aibom.sources.remote.http import AccessError, RemoteError
from aibom.sources.remote.report import (
    PROPERTIES,
    file_properties,
    snapshot_findings,
    snapshot_properties,
)
from aibom.sources.remote.source import (
    RemoteFile,
    RemoteOptions,
    RemoteSnapshot,
    RemoteTarget,
    is_remote_target,
    parse_target,
    resolve_remote,
)

__all__ = [
    "PROPERTIES",
    "REMOTE_CHECKS",
    "AccessError",
    "RemoteError",
    "RemoteFile",
    "RemoteOptions",
    "RemoteSnapshot",
    "RemoteTarget",
    "file_properties",
    "is_remote_target",
    "parse_target",
    "resolve_remote",
    "snapshot_findings",
    "snapshot_properties",
]
