# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""statsmodels: fitted results saved with results.save (pickle), with and without remove_data."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from _common import Out

out = Out()
rng = np.random.default_rng(0)
df = pd.DataFrame({"x": rng.normal(size=80), "g": rng.choice(["a", "b"], 80)})
df["y"] = 2 * df.x + rng.normal(size=80)
df["b"] = (df.y > 0).astype(int)
df["c"] = rng.poisson(2, 80)


def results() -> dict[str, object]:
    X = sm.add_constant(df[["x"]])
    ts = pd.Series(
        np.cumsum(rng.normal(size=60)), index=pd.date_range("2020-01-01", periods=60, freq="MS")
    )
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    return {
        "ols": sm.OLS(df.y, X).fit(),
        "ols_formula": smf.ols("y ~ x + C(g)", df).fit(),
        "logit": sm.Logit(df.b, X).fit(disp=0),
        "glm_poisson": sm.GLM(df.c, X, family=sm.families.Poisson()).fit(),
        "wls": sm.WLS(df.y, X, weights=np.ones(80)).fit(),
        "arima": ARIMA(ts, order=(1, 0, 0)).fit(),
        "exp_smoothing": ExponentialSmoothing(ts, trend="add").fit(),
        "mixedlm": smf.mixedlm("y ~ x", df, groups=df["g"]).fit(),
    }


def save(name: str, res: object) -> None:
    typ = f"{type(res).__module__}.{type(res).__qualname__}"
    res.save(str(out.path(f"save/{name}.pickle")))
    out.add(f"save/{name}.pickle", "Results.save", typ)
    res.save(str(out.path(f"save_remove_data/{name}.pickle")), remove_data=True)
    out.add(f"save_remove_data/{name}.pickle", "Results.save(remove_data=True)", typ)
    with out.path(f"pickle/{name}.pkl").open("wb") as f:
        pickle.dump(res.params, f)
    out.add(f"pickle/{name}.pkl", "pickle.dump(results.params)", "pandas.Series")


for n, r in results().items():
    out.run(n, lambda n=n, r=r: save(n, r))
out.finish()
