from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.reports.builders import project, scan_doc


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small repository with an unsafe model file, an LFS pointer and requirements (made once)."""
    return project(tmp_path_factory.mktemp("reports") / "repo")


@pytest.fixture(scope="session")
def repo_doc(repo: Path) -> dict[str, Any]:
    """The BOM aibom writes for ``repo`` (a real scan)."""
    return scan_doc(repo)
