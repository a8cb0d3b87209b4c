# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""catboost: save_model in every format (cbm, json, onnx, cpp, python, pmml, coreml), pickle, joblib, train_dir."""

from __future__ import annotations

import pickle

import catboost
import joblib
import numpy as np
import pandas as pd
from _common import Out

out = Out()
rng = np.random.RandomState(0)
X = rng.normal(size=(100, 4))
y = (X[:, 0] > 0).astype(int)


def models() -> dict[str, tuple[object, bool]]:
    train_dir = str(out.path("train_dir/.keep").parent)
    c = catboost.CatBoostClassifier(
        iterations=5, depth=2, verbose=0, random_seed=1, train_dir=train_dir
    )
    c.fit(X, y)
    df = pd.DataFrame({"n": X[:, 0], "c": rng.choice(["a", "b", "c"], 100)})
    cat = catboost.CatBoostClassifier(iterations=5, depth=2, verbose=0, allow_writing_files=False)
    cat.fit(df, y, cat_features=["c"])
    r = catboost.CatBoostRegressor(iterations=5, depth=2, verbose=0, allow_writing_files=False).fit(
        X, X[:, 1]
    )
    mc = catboost.CatBoostClassifier(
        iterations=3, depth=2, loss_function="MultiClass", verbose=0, allow_writing_files=False
    )
    mc.fit(X, rng.randint(0, 3, 100))
    return {
        "classifier": (c, False),
        "categorical": (cat, True),
        "regressor": (r, False),
        "multiclass": (mc, False),
    }


def save(name: str, model: object, has_cat: bool) -> None:
    typ = f"{type(model).__module__}.{type(model).__qualname__}"
    formats = {"cbm": "cbm", "json": "json", "cpp": "cpp", "python": "py"}
    if not has_cat:
        formats.update({"onnx": "onnx", "coreml": "mlmodel", "pmml": "pmml"})
    for fmt, ext in formats.items():
        rel = f"save_model/{name}.{ext}"
        out.run(
            f"{name}-{fmt}",
            lambda f=fmt, r=rel: (
                model.save_model(str(out.path(r)), format=f),
                out.add(r, f"save_model(format={f!r})", typ),
            ),
        )
    rel = f"pickle/{name}.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(model, f)
    out.add(rel, "pickle.dump", typ)
    rel = f"joblib/{name}.joblib"
    joblib.dump(model, out.path(rel))
    out.add(rel, "joblib.dump", typ)


def pool() -> None:
    rel = "pool/pool.quantized"
    p = catboost.Pool(X, y)
    p.quantize()
    p.save(str(out.path(rel)))
    out.add(rel, "Pool.save (quantized)", "catboost.Pool")


for n, (mdl, hc) in models().items():
    out.run(n, lambda n=n, m=mdl, hc=hc: save(n, m, hc))
out.run("pool", pool)
out.add_tree("train_dir", "CatBoost train_dir (training logs)")
out.finish()
