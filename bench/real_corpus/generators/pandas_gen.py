# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""pandas: DataFrame/Series/Index/Categorical... via to_pickle with every compression, and pickle.dump."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
from _common import Out

out = Out()


def objects() -> dict[str, tuple[object, str]]:
    n = 6
    df = pd.DataFrame(
        {
            "i": np.arange(n),
            "f": np.linspace(0, 1, n),
            "s": list("abcdef"),
            "b": [True, False] * 3,
            "cat": pd.Categorical(list("xyxyxy")),
            "dt": pd.date_range("2024-01-01", periods=n, freq="D"),
            "td": pd.to_timedelta(np.arange(n), unit="h"),
        }
    )
    objs: dict[str, tuple[object, str]] = {
        "dataframe": (df, "pandas.DataFrame (mixed dtypes)"),
        "series_float": (pd.Series(np.arange(5.0), name="x"), "pandas.Series"),
        "series_str": (pd.Series(["a", "b", None]), "pandas.Series[object]"),
        "categorical": (
            pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True),
            "pandas.Categorical",
        ),
        "datetimeindex_tz": (
            pd.date_range("2024-01-01", periods=4, freq="h", tz="Europe/Paris"),
            "DatetimeIndex(tz)",
        ),
        "datetimeindex_utc": (
            pd.date_range("2024-01-01", periods=3, tz="UTC"),
            "DatetimeIndex(UTC)",
        ),
        "multiindex": (
            pd.DataFrame(
                {"v": range(4)},
                index=pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"]),
            ),
            "MultiIndex DataFrame",
        ),
        "periodindex": (pd.period_range("2024-01", periods=3, freq="M"), "PeriodIndex"),
        "intervalindex": (pd.interval_range(0, 4), "IntervalIndex"),
        "rangeindex": (pd.RangeIndex(10), "RangeIndex"),
        "timestamp": (pd.Timestamp("2024-05-01 12:00", tz="US/Eastern"), "pandas.Timestamp"),
        "timedelta": (pd.Timedelta("1 day 2h"), "pandas.Timedelta"),
        "nullable_int": (pd.Series([1, None, 3], dtype="Int64"), "Int64 extension array"),
        "nullable_bool": (pd.Series([True, None], dtype="boolean"), "boolean extension array"),
        "string_dtype": (pd.Series(["a", None], dtype="string"), "string extension array"),
        "sparse": (pd.Series(pd.arrays.SparseArray([0, 0, 1, 0])), "SparseArray"),
        "dateoffset": (pd.offsets.BusinessDay(2), "pandas DateOffset"),
        "wide": (pd.DataFrame(np.random.default_rng(0).normal(size=(50, 20))), "float DataFrame"),
        "object_cols": (pd.DataFrame({"o": [{"a": 1}, [1, 2], None]}), "object column"),
        "grouped_result": (
            df.groupby("cat", observed=True)["f"].agg(["mean", "max"]),
            "groupby agg",
        ),
        "pivot": (
            df.pivot_table(index="cat", values="f", aggfunc="sum", observed=True),
            "pivot_table",
        ),
    }
    return objs


def main() -> None:
    for name, (obj, api) in objects().items():
        out.run(name, lambda n=name, o=obj, a=api: _to_pickle(n, o, a))
    df = objects()["dataframe"][0]
    assert isinstance(df, pd.DataFrame)
    comps = ["infer", None, "gzip", "bz2", "zip", "xz", "zstd", "tar"]
    exts = {"gzip": "gz", "bz2": "bz2", "zip": "zip", "xz": "xz", "zstd": "zst", "tar": "tar"}
    for comp in comps:
        out.run(f"comp-{comp}", lambda c=comp: _compressed(df, c, exts))
    for ext in ("gz", "bz2", "xz", "zip"):
        out.run(f"infer-{ext}", lambda e=ext: _infer(df, e))
    for proto in (2, 4, 5):
        out.run(f"proto{proto}", lambda p=proto: _proto(df, p))
    out.run("text", lambda: _text(df))


def _to_pickle(name: str, obj: object, api: str) -> None:
    rel = f"to_pickle/{name}.pkl"
    if hasattr(obj, "to_pickle"):
        obj.to_pickle(out.path(rel))
        out.add(rel, "DataFrame/Series.to_pickle", api)
    else:
        pd.to_pickle(obj, out.path(rel))
        out.add(rel, "pandas.to_pickle", api)
    rel2 = f"pickle_dump/{name}.pickle"
    with out.path(rel2).open("wb") as f:
        pickle.dump(obj, f)
    out.add(rel2, "pickle.dump", api)


def _compressed(df: pd.DataFrame, comp: str | None, exts: dict[str, str]) -> None:
    rel = f"compression/df_{comp}.pkl" + (f".{exts[comp]}" if comp in exts else "")
    df.to_pickle(out.path(rel), compression=comp)
    out.add(rel, f"DataFrame.to_pickle(compression={comp!r})", "pandas.DataFrame")


def _infer(df: pd.DataFrame, ext: str) -> None:
    rel = f"compression/inferred.pkl.{ext}"
    df.to_pickle(out.path(rel))
    out.add(rel, "DataFrame.to_pickle(compression='infer')", "pandas.DataFrame")


def _proto(df: pd.DataFrame, proto: int) -> None:
    rel = f"protocols/df_p{proto}.pkl"
    df.to_pickle(out.path(rel), protocol=proto)
    out.add(rel, f"DataFrame.to_pickle(protocol={proto})", "pandas.DataFrame")


def _text(df: pd.DataFrame) -> None:
    df.to_csv(out.path("text/df.csv"))
    out.add("text/df.csv", "DataFrame.to_csv", "text")
    df.to_json(out.path("text/df.json"), date_format="iso")
    out.add("text/df.json", "DataFrame.to_json", "json")


main()
out.finish()
