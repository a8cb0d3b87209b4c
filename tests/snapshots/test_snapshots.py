"""Snapshot tests: every output of the installed ``aibom`` console script, over trees built here, compared
byte for byte (after ``normalise``) with the files under ``expected/``.

They only drive the console script, so they hold across any reorganisation of the aibom package.
Regenerate with ``AIBOM_RECREATE_SNAPSHOTS=1 pytest tests/snapshots``; without it a difference or a
missing expected file fails.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.builders import CARD, CONFIG, hf_cache_repo
from tests.unsafe.payloads import evil_call

AIBOM = Path(sys.executable).parent / "aibom"
REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).parent / "expected"
RECREATE = os.environ.get("AIBOM_RECREATE_SNAPSHOTS") == "1"
REWROTE = "snapshot-rewritten"  # user property read by conftest.py to list rewritten files
DIFF_LINES = 80
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
AIBOM_VERSION = importlib.metadata.version("aibom")


def normalise(text: str) -> str:
    """The only substitutions made before comparing; everything else must match byte for byte."""
    # aibom's own version (metadata.tools in the BOM, the SARIF driver, report footers, score evidence)
    # changes with every release, not with the code that produced the output. No fixture input holds
    # the same string (test_version_is_not_in_the_inputs), so nothing else is replaced.
    # Absolute paths are not replaced but refused (leaked_paths): every command runs on relative paths.
    return re.sub(rf"(?<![\w.]){re.escape(AIBOM_VERSION)}(?![\w.])", "<aibom-version>", text)


# ---------------------------------------------------------------- trees


def safetensors_file(seed: int) -> bytes:
    """A two-tensor F32/F16 safetensors file written byte by byte, so its digest cannot drift with
    numpy or safetensors releases (tests.builders uses both)."""
    weight = struct.pack("<4f", *(seed + i / 4 for i in range(4)))
    bias = struct.pack("<2e", 0.0, float(seed))
    header = {
        "__metadata__": {"format": "pt"},
        "bias": {"dtype": "F16", "shape": [2], "data_offsets": [0, len(bias)]},
        "weight": {
            "dtype": "F32",
            "shape": [2, 2],
            "data_offsets": [len(bias), len(bias) + len(weight)],
        },
    }
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bias + weight


def build_example(root: Path) -> None:
    """The bundled example: a tiny BERT folder and the requirements of the app that serves it."""
    shutil.copytree(REPO / "examples" / "tiny-bert", root / "tiny-bert")
    shutil.copyfile(REPO / "examples" / "requirements.txt", root / "requirements.txt")


def build_pickle(root: Path) -> None:
    """A model folder whose pytorch_model.bin is a pickle calling os.system, beside safetensors weights.
    The pickle is only written, never loaded."""
    model = root / "suspicious-model"
    model.mkdir()
    (model / "README.md").write_text(CARD)
    (model / "config.json").write_text(json.dumps(CONFIG))
    (model / "model.safetensors").write_bytes(safetensors_file(1))
    (model / "pytorch_model.bin").write_bytes(evil_call("os", "system", "echo pwned"))


MAIN = "0123456789abcdef0123456789abcdef01234567"
OLD = "fedcba9876543210fedcba9876543210fedcba98"
DATASET = "1111111111111111111111111111111111111111"


def build_hf_cache(root: Path) -> None:
    """A Hugging Face hub cache: a model at two revisions (refs main and v1.0), a dataset repository,
    and one weights blob altered after download so it no longer matches its SHA-256 name."""
    hub = root / "hub"
    config = json.dumps(CONFIG).encode()
    weights = safetensors_file(2)
    repo = hf_cache_repo(
        hub,
        "acme/tiny-classifier",
        MAIN,
        {"config.json": config, "README.md": CARD.encode(), "model.safetensors": weights},
    )
    hf_cache_repo(
        hub,
        "acme/tiny-classifier",
        OLD,
        {
            "config.json": config,
            "README.md": CARD.encode(),
            "model.safetensors": safetensors_file(3),
        },
        refs={"v1.0": OLD},
    )
    card = (
        b"---\nlicense: cc-by-4.0\n---\n# Reviews\n\nShort product reviews labelled good or bad.\n"
    )
    hf_cache_repo(
        hub,
        "acme/reviews",
        DATASET,
        {"README.md": card, "data/train.csv": b"text,label\ngood,1\nbad,0\n"},
        repo_type="dataset",
    )
    blob = repo / "blobs" / hashlib.sha256(weights).hexdigest()
    tampered = bytearray(blob.read_bytes())
    tampered[-1] ^= 1
    blob.write_bytes(bytes(tampered))


@dataclass(frozen=True)
class Tree:
    build: Callable[[Path], None]
    targets: tuple[str, ...]
    # Exit status of `aibom scan` and `aibom score`: 1 when a finding reaches the default
    # --fail-on high, and when a blocking rule (SAFE-001: no high findings) fails.
    status: int


TREES = {
    "example": Tree(build_example, ("tiny-bert", "requirements.txt"), 0),
    "pickle": Tree(build_pickle, ("suspicious-model",), 1),
    "hfcache": Tree(build_hf_cache, ("hub",), 1),
}
DIFF_BASE, DIFF_HEAD = "example", "pickle"

REPORT_FORMATS = {"html": "html", "md": "markdown", "sarif": "sarif", "json": "json"}
SCORE_FORMATS = {"txt": "table", "json": "json", "md": "markdown"}
DIFF_FORMATS = {"md": "markdown", "json": "json"}

TREE_SNAPSHOTS = (
    "bom.cdx.json",
    "bom.cdx.xml",
    *(f"report.{ext}" for ext in REPORT_FORMATS),
    *(f"score.{ext}" for ext in SCORE_FORMATS),
)
DIFF_SNAPSHOTS = (
    *(f"diff.{ext}" for ext in DIFF_FORMATS),
    *(f"diff-scores.{ext}" for ext in DIFF_FORMATS),
    *(f"report-base.{ext}" for ext in REPORT_FORMATS),
)
SNAPSHOTS = [(tree, name) for tree in TREES for name in TREE_SNAPSHOTS] + [
    ("diff", name) for name in DIFF_SNAPSHOTS
]


# ---------------------------------------------------------------- running aibom


def environment(root: Path) -> dict[str, str]:
    """The user's environment without anything aibom or huggingface_hub reads, plus fixed values."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIBOM_", "HF_", "HUGGINGFACE_")) and key != "SOURCE_DATE_EPOCH"
    }
    env.update(
        SOURCE_DATE_EPOCH=EPOCH,
        AIBOM_CACHE_DIR=str(root / "digest-cache"),
        HF_HOME=str(root / "hf-home"),
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        TZ="UTC",
        NO_COLOR="1",
        TERM="dumb",
        COLUMNS="120",
        PYTHONUTF8="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


class Workspace:
    """Builds the trees and runs each aibom command once per test session (per xdist worker)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = environment(root)
        self.outputs: dict[tuple[str, str], bytes] = {}
        self.scanned: set[str] = set()
        self.diff_ready = False

    def aibom(self, cwd: Path, *args: str, status: int = 0) -> bytes:
        proc = subprocess.run(
            [str(AIBOM), *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            check=False,
            timeout=300,
        )
        if proc.returncode != status:
            pytest.fail(
                f"`aibom {' '.join(args)}` exited {proc.returncode}, expected {status}; stderr:\n"
                + proc.stderr.decode(errors="replace"),
                pytrace=False,
            )
        return proc.stdout

    def tree(self, name: str) -> Path:
        """The tree's folder, scanned: bom.cdx.json plus the reports scan writes beside it."""
        folder = self.root / "trees" / name
        if name not in self.scanned:
            shutil.rmtree(folder, ignore_errors=True)  # left over when an earlier attempt failed
            folder.mkdir(parents=True)
            spec = TREES[name]
            spec.build(folder)
            reports = ("--html", "scan.html", "--markdown", "scan.md", "--sarif", "scan.sarif")
            scan = ("scan", *spec.targets, "--reproducible", "-o", "bom.cdx.json", *reports)
            self.aibom(folder, *scan, status=spec.status)
            self.scanned.add(name)
        return folder

    def output(self, tree: str, name: str) -> bytes:
        key = (tree, name)
        if key not in self.outputs:
            self.outputs[key] = self._produce(tree, name)
        return self.outputs[key]

    def _produce(self, tree: str, name: str) -> bytes:
        stem, _, ext = name.partition(".")
        if tree == "diff":
            return self._diff(stem, ext)
        folder = self.tree(tree)
        if name == "bom.cdx.json":
            return (folder / name).read_bytes()
        if name == "bom.cdx.xml":
            spec = TREES[tree]
            scan = ("scan", *spec.targets, "--reproducible", "--format", "xml")
            return self.aibom(folder, *scan, status=spec.status)
        if stem == "report":
            return self.aibom(folder, "report", "bom.cdx.json", "--format", REPORT_FORMATS[ext])
        assert stem == "score", name
        score = ("score", "bom.cdx.json", "--format", SCORE_FORMATS[ext])
        return self.aibom(folder, *score, status=TREES[tree].status)

    def _diff(self, stem: str, ext: str) -> bytes:
        folder = self.root / "diff"
        if not self.diff_ready:
            folder.mkdir(exist_ok=True)
            for role, tree in (("base", DIFF_BASE), ("head", DIFF_HEAD)):
                (folder / f"{role}.cdx.json").write_bytes(self.output(tree, "bom.cdx.json"))
                (folder / f"{role}.scores.json").write_bytes(self.output(tree, "score.json"))
            self.diff_ready = True
        boms = ("base.cdx.json", "head.cdx.json")
        if stem == "diff":
            return self.aibom(folder, "diff", *boms, "--format", DIFF_FORMATS[ext])
        if stem == "diff-scores":
            scores = ("--base-scores", "base.scores.json", "--head-scores", "head.scores.json")
            return self.aibom(folder, "diff", *boms, *scores, "--format", DIFF_FORMATS[ext])
        assert stem == "report-base", stem
        return self.aibom(
            folder,
            "report",
            "head.cdx.json",
            "--scores",
            "head.scores.json",
            "--base",
            "base.cdx.json",
            "--base-scores",
            "base.scores.json",
            "--format",
            REPORT_FORMATS[ext],
        )


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("snapshots"))


# ---------------------------------------------------------------- comparing


def leaked_paths(text: str, workspace: Workspace) -> list[str]:
    """Absolute paths of this machine found in an output (the commands only see relative paths)."""
    places = {str(workspace.root), str(workspace.root.resolve()), str(REPO), sys.prefix}
    return sorted(place for place in places if place in text)


def compare(
    request: pytest.FixtureRequest, workspace: Workspace, relative: str, produced: bytes
) -> None:
    text = produced.decode("utf-8")
    leaked = leaked_paths(text, workspace)
    if leaked:
        pytest.fail(f"{relative}: absolute paths in the output: {leaked}", pytrace=False)
    actual = normalise(text)
    path = EXPECTED / relative
    expected = path.read_bytes().decode("utf-8") if path.exists() else None
    if actual == expected:
        return
    if RECREATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        request.node.user_properties.append((REWROTE, relative))
        return
    hint = "run `AIBOM_RECREATE_SNAPSHOTS=1 pytest tests/snapshots` if the change is intended"
    if expected is None:
        pytest.fail(f"no expected snapshot {path.relative_to(REPO)}; {hint}", pytrace=False)
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            f"expected/{relative}",
            f"actual/{relative}",
        )
    )
    shown = "".join(lines[:DIFF_LINES])
    more = f"\n... {len(lines) - DIFF_LINES} more diff lines" if len(lines) > DIFF_LINES else ""
    pytest.fail(f"{relative} differs from its snapshot ({hint}):\n{shown}{more}", pytrace=False)


@pytest.mark.parametrize(("tree", "name"), SNAPSHOTS)
def test_snapshot(
    tree: str, name: str, workspace: Workspace, request: pytest.FixtureRequest
) -> None:
    compare(request, workspace, f"{tree}/{name}", workspace.output(tree, name))


@pytest.mark.parametrize("tree", list(TREES))
def test_scan_reports_match_report_command(tree: str, workspace: Workspace) -> None:
    """`scan --html/--markdown/--sarif` write exactly what `aibom report` renders from the BOM."""
    folder = workspace.tree(tree)
    for ext in ("html", "md", "sarif"):
        written = (folder / f"scan.{ext}").read_bytes()
        rendered = workspace.output(tree, f"report.{ext}")
        assert written == rendered, f"scan.{ext} differs from `aibom report --format {ext}`"


def test_no_stale_snapshots(request: pytest.FixtureRequest) -> None:
    """Every file under expected/ belongs to a snapshot above (recreating deletes the others)."""
    wanted = {f"{tree}/{name}" for tree, name in SNAPSHOTS}
    present = {
        path.relative_to(EXPECTED).as_posix() for path in EXPECTED.rglob("*") if path.is_file()
    }
    stale = sorted(present - wanted)
    if stale and RECREATE:
        for relative in stale:
            (EXPECTED / relative).unlink()
            request.node.user_properties.append((REWROTE, f"{relative} (deleted)"))
        return
    assert not stale, f"expected files no snapshot produces: {stale}"


def test_version_is_not_in_the_inputs() -> None:
    """normalise() may only hide aibom's version, never a package or model version that equals it."""
    inputs = [
        path for path in (REPO / "examples").rglob("*") if path.suffix in {".txt", ".md", ".json"}
    ]
    assert inputs
    for path in inputs:
        assert AIBOM_VERSION not in path.read_text(encoding="utf-8"), path
    assert AIBOM_VERSION.encode() not in CARD.encode() + json.dumps(CONFIG).encode()
