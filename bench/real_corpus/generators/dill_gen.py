# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""dill: data, numpy, sklearn models and (marked carries_code) functions/classes by value."""

from __future__ import annotations

import dill
import numpy as np
from _common import Out
from sklearn.tree import DecisionTreeClassifier

out = Out()
rng = np.random.RandomState(0)
X = rng.normal(size=(30, 2))


class Point:
    def __init__(self, x: float) -> None:
        self.x = x


def dump(rel: str, obj: object, what: str, code: bool = False, **kw: object) -> None:
    with out.path(rel).open("wb") as f:
        dill.dump(obj, f, **kw)
    out.add(rel, "dill.dump" + (f"({kw})" if kw else ""), what, code)


out.run("data", lambda: dump("data.pkl", {"a": [1, 2], "b": X}, "dict"))
out.run(
    "model",
    lambda: dump(
        "tree.pkl",
        DecisionTreeClassifier(max_depth=2).fit(X, X[:, 0] > 0),
        "DecisionTreeClassifier",
    ),
)
out.run(
    "recurse",
    lambda: dump(
        "tree_recurse.pkl",
        DecisionTreeClassifier(max_depth=1).fit(X, X[:, 1] > 0),
        "DecisionTreeClassifier",
        recurse=True,
    ),
)
out.run(
    "instance", lambda: dump("point.pkl", Point(1.0), "instance of __main__ class (by value)", True)
)
out.run("function", lambda: dump("function.pkl", lambda z: z + 1, "lambda", True))
out.run(
    "byref", lambda: dump("point_byref.pkl", Point(2.0), "instance, byref=True", True, byref=True)
)
out.finish()
