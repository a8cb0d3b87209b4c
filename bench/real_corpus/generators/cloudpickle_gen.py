# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""cloudpickle (as MLflow uses it): fitted sklearn pipelines, data, a class instance, and functions.

Functions and classes defined here are pickled by value, i.e. as code: those files are marked
``carries_code`` (a scanner is right to flag them; they are not false positives)."""

from __future__ import annotations

import cloudpickle
import numpy as np
from _common import Out
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = Out()
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
y = (X[:, 0] > 0).astype(int)


class Wrapper:
    def __init__(self, model: object) -> None:
        self.model = model

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict(x)


def dump(rel: str, obj: object, what: str, code: bool = False) -> None:
    with out.path(rel).open("wb") as f:
        cloudpickle.dump(obj, f)
    out.add(rel, "cloudpickle.dump", what, code)


pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
out.run("pipeline", lambda: dump("model.pkl", pipe, "sklearn Pipeline"))
out.run("data", lambda: dump("data.pkl", {"X": X, "cols": ["a", "b", "c"]}, "dict of ndarray"))
out.run("numpy_rng", lambda: dump("rng.pkl", np.random.default_rng(1), "numpy Generator"))
out.run(
    "wrapper",
    lambda: dump("python_model.pkl", Wrapper(pipe), "class defined in __main__ (by value)", True),
)
out.run("lambda", lambda: dump("lambda.pkl", lambda v: v * 2, "lambda (by value)", True))
out.run("builtin_fn", lambda: dump("builtin_fn.pkl", np.log1p, "numpy ufunc reference"))
out.finish()
