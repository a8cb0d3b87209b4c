"""Keras v3 ``.keras`` zips and KerasHub JSON presets: the configs Keras reads (and whose callables it
resolves) before it opens any weights."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.findings import Check
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.keras.h5 import (
    KerasH5Inspector,
    config_findings,
    facts_of,
    parse_json,
    read_capped,
)
from aibom.limits import Limits


class KerasV3Inspector:
    """``.keras`` zips: every ``config.json`` entry (a duplicate name is read in each copy, whichever
    one Keras' zipfile picks) and ``metadata.json``. Weights are not opened: they hold no code."""

    specs: tuple[FormatSpec, ...] = (FormatSpec(Format.KERAS_V3, Kind.WEIGHTS, (".keras",)),)
    checks: tuple[Check, ...] = KerasH5Inspector.checks

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        inspection = Inspection()
        with ctx.open() as fh:
            try:
                with zipfile.ZipFile(fh) as zf:
                    for info, data in _members(zf, ctx.limits):
                        _keras_member(ctx, info.filename, data, inspection)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
                raise FormatError(f"zip cannot be read ({e})") from None
            except (RuntimeError, ValueError, OSError) as exc:  # zlib errors, encryption
                raise FormatError(f"zip member cannot be read ({exc})") from None
        return inspection


def _members(zf: zipfile.ZipFile, limits: Limits) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise LimitExceeded(
            f"{len(infos)} zip entries exceed {limits.max_members}", limit="max_members"
        )
    for info in infos:
        if info.filename in ("config.json", "metadata.json"):
            with zf.open(info) as member:
                yield (
                    info,
                    read_capped(
                        member, limits.max_config_bytes, info.filename, limit="max_config_bytes"
                    ),
                )


def _keras_member(ctx: InspectContext, name: str, data: bytes, inspection: Inspection) -> None:
    root = parse_json(data, name)
    if name == "metadata.json":
        if isinstance(root, dict) and isinstance(root.get("keras_version"), str):
            inspection.facts["keras_version"] = root["keras_version"]
        return
    inspection.findings += config_findings(ctx, root, name)
    inspection.facts.update(facts_of(root))


def inspect_json_config(ctx: InspectContext, data: bytes, name: str) -> Inspection:
    """A KerasHub preset file (``config.json``, ``tokenizer.json``...) when its top level is a Keras
    serialized object; any other JSON gives an empty inspection."""
    root = parse_json(data, name)
    if not (isinstance(root, dict) and isinstance(root.get("class_name"), str)):
        return Inspection()
    return Inspection(facts=facts_of(root), findings=config_findings(ctx, root, name))
