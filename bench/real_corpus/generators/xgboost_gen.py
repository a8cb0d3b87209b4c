# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""xgboost: Booster and sklearn-API models via save_model (json, ubj, legacy binary), raw dumps, pickle, joblib."""

from __future__ import annotations

import json
import pickle

import joblib
import numpy as np
import xgboost as xgb
from _common import Out

out = Out()
V = tuple(int(p) for p in xgb.__version__.split(".")[:2])
rng = np.random.RandomState(0)
X = rng.normal(size=(80, 5))
y = (X[:, 0] > 0).astype(int)
yr = X[:, 1] * 2.0


def models() -> dict[str, object]:
    dtrain = xgb.DMatrix(X, label=y, feature_names=[f"f{i}" for i in range(5)])
    m: dict[str, object] = {
        "booster": xgb.train({"objective": "binary:logistic", "max_depth": 2}, dtrain, 3),
        "booster_multi": xgb.train(
            {"objective": "multi:softprob", "num_class": 3},
            xgb.DMatrix(X, label=rng.randint(0, 3, 80)),
            2,
        ),
        "booster_dart": xgb.train({"booster": "dart", "max_depth": 2}, dtrain, 2),
        "booster_linear": xgb.train({"booster": "gblinear"}, dtrain, 2),
        "classifier": xgb.XGBClassifier(n_estimators=3, max_depth=2, random_state=1).fit(X, y),
        "regressor": xgb.XGBRegressor(n_estimators=3, max_depth=2).fit(X, yr),
        "ranker": xgb.XGBRanker(n_estimators=2).fit(X, y, qid=np.repeat(np.arange(8), 10)),
        "rf_classifier": xgb.XGBRFClassifier(n_estimators=3).fit(X, y),
    }
    return m


def save(name: str, model: object) -> None:
    typ = f"{type(model).__module__}.{type(model).__qualname__}"
    exts = ["json", "ubj"] if V >= (1, 6) else ["json"]
    if V < (3, 0):
        exts.append("model")  # legacy binary format (removed in 3.x)
    for ext in exts:
        rel = f"save_model/{name}.{ext}"
        out.run(
            f"{name}.{ext}",
            lambda r=rel: (
                model.save_model(str(out.path(r))),
                out.add(r, f"save_model (.{r.rsplit('.', 1)[1]})", typ),
            ),
        )
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    rel = f"raw/{name}.bin"
    out.path(rel).write_bytes(bytes(booster.save_raw()))
    out.add(rel, "Booster.save_raw() bytes", typ)
    if V >= (1, 6):
        rel = f"raw/{name}_raw.json"
        out.path(rel).write_bytes(bytes(booster.save_raw(raw_format="json")))
        out.add(rel, "Booster.save_raw(raw_format='json')", typ)
    rel = f"dump/{name}.txt"
    booster.dump_model(str(out.path(rel)))
    out.add(rel, "Booster.dump_model (text)", typ)
    rel = f"dump/{name}_dump.json"
    booster.dump_model(str(out.path(rel)), dump_format="json")
    out.add(rel, "Booster.dump_model (json)", typ)
    rel = f"config/{name}_config.json"
    out.path(rel).write_text(json.dumps(json.loads(booster.save_config())))
    out.add(rel, "Booster.save_config", typ)
    rel = f"pickle/{name}.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(model, f)
    out.add(rel, "pickle.dump", typ)
    rel = f"joblib/{name}.joblib"
    joblib.dump(model, out.path(rel))
    out.add(rel, "joblib.dump", typ)


def dmatrix() -> None:
    rel = "dmatrix/train.buffer"
    xgb.DMatrix(X, label=y).save_binary(str(out.path(rel)))
    out.add(rel, "DMatrix.save_binary", "xgboost DMatrix")


for n, mdl in models().items():
    out.run(n, lambda n=n, m=mdl: save(n, m))
out.run("dmatrix", dmatrix)
out.finish()
