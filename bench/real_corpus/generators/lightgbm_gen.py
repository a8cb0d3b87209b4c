# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""lightgbm: Booster text models, model_to_string/dump_model, sklearn API via pickle/joblib, binary Datasets."""

from __future__ import annotations

import json
import pickle

import joblib
import lightgbm as lgb
import numpy as np
from _common import Out

out = Out()
rng = np.random.RandomState(0)
X = rng.normal(size=(200, 5))
y = (X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)
P = {"verbose": -1, "num_leaves": 4, "min_data_in_leaf": 5}


def models() -> dict[str, object]:
    ds = lgb.Dataset(X, label=y, free_raw_data=False)
    return {
        "booster_binary": lgb.train({**P, "objective": "binary"}, ds, 5),
        "booster_regression": lgb.train(
            {**P, "objective": "regression"}, lgb.Dataset(X, label=X[:, 1]), 5
        ),
        "booster_multiclass": lgb.train(
            {**P, "objective": "multiclass", "num_class": 3},
            lgb.Dataset(X, label=rng.randint(0, 3, 200)),
            3,
        ),
        "booster_categorical": lgb.train(
            {**P, "objective": "binary"},
            lgb.Dataset(np.c_[X, rng.randint(0, 4, 200)], label=y, categorical_feature=[5]),
            3,
        ),
        "classifier": lgb.LGBMClassifier(
            n_estimators=5, num_leaves=4, random_state=1, verbose=-1
        ).fit(X, y),
        "regressor": lgb.LGBMRegressor(n_estimators=5, num_leaves=4, verbose=-1).fit(X, X[:, 1]),
        "ranker": lgb.LGBMRanker(n_estimators=3, num_leaves=4, verbose=-1).fit(
            X, y, group=[20] * 10
        ),
    }


def save(name: str, model: object) -> None:
    typ = f"{type(model).__module__}.{type(model).__qualname__}"
    booster = model if isinstance(model, lgb.Booster) else model.booster_
    rel = f"save_model/{name}.txt"
    booster.save_model(str(out.path(rel)))
    out.add(rel, "Booster.save_model (text)", typ)
    rel = f"model_to_string/{name}.model"
    out.path(rel).write_text(booster.model_to_string())
    out.add(rel, "Booster.model_to_string", typ)
    rel = f"dump_model/{name}.json"
    out.path(rel).write_text(json.dumps(booster.dump_model()))
    out.add(rel, "Booster.dump_model (json)", typ)
    rel = f"pickle/{name}.pkl"
    with out.path(rel).open("wb") as f:
        pickle.dump(model, f)
    out.add(rel, "pickle.dump", typ)
    rel = f"joblib/{name}.joblib"
    joblib.dump(model, out.path(rel))
    out.add(rel, "joblib.dump", typ)


def dataset() -> None:
    rel = "dataset/train.bin"
    lgb.Dataset(X, label=y, params={"verbose": -1}).save_binary(str(out.path(rel)))
    out.add(rel, "Dataset.save_binary", "lightgbm binary Dataset")


for n, mdl in models().items():
    out.run(n, lambda n=n, m=mdl: save(n, m))
out.run("dataset", dataset)
out.finish()
