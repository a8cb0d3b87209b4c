"""The strict size and output-path parameter types every command uses."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from aibom.cli.params import MAX_SIZE, OUTPUT, SIZE, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000", 1000),
        ("0", 0),
        ("512MiB", 512 * 1024**2),
        ("512mib", 512 * 1024**2),
        ("10G", 10 * 1024**3),
        ("10g", 10 * 1024**3),
        ("200MB", 200_000_000),
        ("2 GiB", 2 * 1024**3),
        ("64k", 65536),
        ("3TB", 3 * 1000**4),
        ("7B", 7),
    ],
)
def test_sizes_accepted(text: str, size: int) -> None:
    assert parse_size(text) == size
    assert SIZE.convert(text, None, None) == size


@pytest.mark.parametrize(
    "text",
    ["lots", "", "-1", "1.5G", "10 GiBs", "10Q", "MiB", "1e9", "0x10", "10 G B", f"{MAX_SIZE + 1}"],
)
def test_sizes_refused(text: str) -> None:
    assert parse_size(text) is None
    with pytest.raises(click.BadParameter, match="is not a size"):
        SIZE.convert(text, None, None)


def test_output_path(tmp_path: Path) -> None:
    assert OUTPUT.convert("-", None, None) == Path("-")
    assert OUTPUT.convert(str(tmp_path / "bom.json"), None, None) == tmp_path / "bom.json"
    with pytest.raises(click.BadParameter, match="does not exist"):
        OUTPUT.convert(str(tmp_path / "missing" / "bom.json"), None, None)
    with pytest.raises(click.BadParameter, match="is a folder"):
        OUTPUT.convert(str(tmp_path), None, None)
    (tmp_path / "file").write_text("x")
    with pytest.raises(click.BadParameter, match="is not a folder"):
        OUTPUT.convert(str(tmp_path / "file" / "bom.json"), None, None)
