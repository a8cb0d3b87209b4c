"""The renderer registry covers every ``--format`` choice, and ``render`` refuses unknown formats."""

from __future__ import annotations

from typing import Any

import pytest

from aibom.cli.report import REPORT_FORMATS
from aibom.errors import UsageError
from aibom.render import FORMATS, RENDERERS, render


def test_every_format_choice_has_a_renderer() -> None:
    assert set(REPORT_FORMATS) == set(FORMATS) == set(RENDERERS)
    for name, renderer in RENDERERS.items():
        assert renderer.name == name
        assert renderer.media_type


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_every_renderer_returns_text_for_a_real_bom(fmt: str, repo_doc: dict[str, Any]) -> None:
    out = render(fmt, repo_doc)
    assert isinstance(out, str)
    assert "AIBOM-FMT-001" in out


def test_unknown_format_is_a_usage_error(repo_doc: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render("pdf", repo_doc)
