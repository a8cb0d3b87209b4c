"""Real benign files made by real libraries in the test process must stay below medium: numpy, sklearn,
pandas, collections and argparse pickles, joblib dumps (plain and compressed), pandas' compressed
pickles, torch-layout checkpoints. Each must still be reported as pickle-based (low)."""

from __future__ import annotations

import argparse
import collections
import datetime
import pickle
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import pandas as pd  # type: ignore[import-untyped, unused-ignore]
import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # type: ignore[import-untyped, unused-ignore]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped, unused-ignore]
from sklearn.neighbors import KNeighborsClassifier  # type: ignore[import-untyped, unused-ignore]
from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped, unused-ignore]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped, unused-ignore]
from sklearn.tree import DecisionTreeClassifier  # type: ignore[import-untyped, unused-ignore]

from aibom.findings import Finding, Severity
from aibom.scan import ScanOptions, scan
from tests.unsafe.payloads import Asm, legacy_tar, legacy_torch, torch_state_dict_pickle, torch_zip


def _objects() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 3))
    y = (x[:, 0] > 0).astype(int)
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": pd.Categorical(["u", "v"])})
    return {
        "numpy": [np.arange(10), np.float64(1.5), np.array(["a"]), np.dtype("f4")],
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y),
        "tree": DecisionTreeClassifier(max_depth=2).fit(x, y),
        "forest": RandomForestClassifier(n_estimators=2, random_state=0).fit(x, y),
        "boosting": GradientBoostingClassifier(n_estimators=2).fit(x, y),
        "knn": KNeighborsClassifier().fit(x, y),
        "frame": frame,
        "series": pd.Series(pd.date_range("2020", periods=2)),
        "stdlib": [
            collections.OrderedDict(a=1),
            collections.Counter("ab"),
            argparse.Namespace(lr=0.1),
            datetime.date(2020, 1, 1),
            {1, 2},
            frozenset([3]),
            slice(1, 2),
            complex(1, 2),
        ],
        "lightning_like": {
            "state_dict": collections.OrderedDict(),
            "hparams": argparse.Namespace(n=3),
            "epoch": np.int64(3),
            "best": np.float32(0.5),
        },
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("benign")
    for name, obj in _objects().items():
        for proto in (2, 4, 5):
            (root / f"{name}_p{proto}.pkl").write_bytes(pickle.dumps(obj, protocol=proto))
        joblib.dump(obj, root / f"{name}.joblib")
        for method in ("gzip", "bz2", "xz"):
            joblib.dump(obj, root / f"{name}.{method}.joblib", compress=(method, 3))
    _objects()["frame"].to_pickle(root / "frame.pkl.gz")
    _objects()["frame"].to_pickle(root / "frame.pkl.xz")
    (root / "sd.pt").write_bytes(torch_zip(torch_state_dict_pickle(3), storages=[b"\0" * 16] * 3))
    (root / "legacy.pt").write_bytes(legacy_torch(torch_state_dict_pickle(1, legacy=True)))
    (root / "legacy.tar").write_bytes(legacy_tar(torch_state_dict_pickle(1)))
    (root / "array.npy").write_bytes(_npy(np.arange(12.0).reshape(3, 4)))
    np.savez(root / "arrays.npz", a=np.arange(3), b=np.ones(2))
    np.save(root / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    (root / "data_only.pkl").write_bytes(Asm(2).value([1, "two", b"3"]).op(b".").bytes())
    return root


def _npy(array: np.ndarray[Any, Any]) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_benign_files_stay_below_medium(corpus: Path) -> None:
    result = scan(ScanOptions(targets=(corpus,), use_cache=False))
    loud = [
        (f.path, f.member, f.check.id, f.message)
        for f in _mine(result.findings)
        if f.effective_severity >= Severity.MEDIUM
    ]
    assert loud == []
    assert not result.skipped
    flagged = {Path(f.path).name for f in result.findings if f.check.id in ("AIBOM-PKL-006",)}
    pickles = {p.name for p in corpus.iterdir() if p.suffix in (".pkl", ".joblib", ".pt")}
    assert pickles <= flagged  # every pickle-based file is still named as such (low)


def test_benign_worst_severity_is_low(corpus: Path) -> None:
    result = scan(ScanOptions(targets=(corpus,), use_cache=False))
    assert max(f.effective_severity for f in _mine(result.findings)) == Severity.LOW


def _mine(findings: list[Finding]) -> list[Finding]:
    """Findings of the unsafe-format engine and of classification (other areas add their own checks)."""
    return [f for f in findings if f.check.id.split("-")[1] in ("PKL", "ZIP", "ARC", "FMT", "LIM")]
