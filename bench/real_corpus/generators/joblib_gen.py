# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""joblib: dumps of numpy-heavy objects with every codec this joblib version knows, and Memory caches.

Works from joblib 0.9 (the pre-0.10 format: one pickle plus a side .npy per array) to current.
"""

from __future__ import annotations

import collections

import joblib
import numpy as np
from _common import Out

out = Out()
V = tuple(int(p) for p in joblib.__version__.split(".")[:2])
rng = np.random.RandomState(0)

OBJECTS: dict[str, tuple[object, str]] = {
    "small_array": (np.arange(10), "ndarray"),
    "big_array": (rng.normal(size=(200, 50)), "ndarray float64 (large)"),
    "dict_arrays": (
        {"w": rng.normal(size=(20, 5)), "b": np.zeros(5), "name": "layer"},
        "dict of ndarray",
    ),
    "list_mixed": ([np.ones(3), "text", 3, {"k": np.arange(4, dtype=np.int8)}], "list"),
    "object_array": (np.array(["a", None, 1], dtype=object), "object ndarray"),
    "ordered_dict": (collections.OrderedDict(a=np.float32(1.0), b=np.arange(3)), "OrderedDict"),
    "structured": (np.zeros(4, dtype=[("x", "f4"), ("y", "i8")]), "structured ndarray"),
    "fortran": (np.asfortranarray(rng.normal(size=(30, 3))), "F-order ndarray"),
    "random_state": (np.random.RandomState(1), "numpy.random.RandomState"),
    "plain_python": ({"a": [1, 2, 3], "b": (4.0, "x"), "c": {1, 2}}, "python containers"),
    "masked": (np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]), "MaskedArray"),
}


def codecs() -> list[tuple[str, object, str]]:
    """(label, compress argument, suffix) for this version."""
    c: list[tuple[str, object, str]] = [
        ("none", 0, "pkl"),
        ("level3", 3, "pkl"),
        ("level9", 9, "pkl"),
    ]
    if V >= (0, 10):
        c += [
            ("zlib", ("zlib", 3), "z"),
            ("gzip", ("gzip", 3), "gz"),
            ("bz2", ("bz2", 3), "bz2"),
            ("lzma", ("lzma", 3), "lzma"),
            ("xz", ("xz", 3), "xz"),
        ]
        try:
            import lz4  # noqa: F401

            c.append(("lz4", ("lz4", 3), "lz4"))
        except ImportError:
            pass
    return c


def dump(rel: str, obj: object, api: str, what: str, **kw: object) -> None:
    before = {p for p in out.root.rglob("*") if p.is_file()}
    joblib.dump(obj, str(out.path(rel)), **kw)  # joblib < 0.10 wants a str
    out.add(rel, api, what)
    # joblib < 0.10 writes one side file per array next to the main pickle.
    for p in sorted(q for q in out.root.rglob("*") if q.is_file()):
        if p not in before and p.relative_to(out.root).as_posix() != rel:
            out.add(p.relative_to(out.root).as_posix(), api + " (side .npy)", "ndarray")


def main() -> None:
    for name, (obj, what) in OBJECTS.items():
        for label, comp, ext in codecs():
            out.run(
                f"{name}-{label}",
                lambda n=name, o=obj, w=what, lb=label, c=comp, e=ext: dump(
                    f"dump/{lb}/{n}.{e}", o, f"joblib.dump(compress={c!r})", w, compress=c
                ),
            )
    # Compression chosen from the file name (joblib >= 0.10).
    if V >= (0, 10):
        for ext in [e for _, _, e in codecs() if e != "pkl"]:
            out.run(
                f"infer-{ext}",
                lambda e=ext: dump(
                    f"inferred/dict_arrays.joblib.{e}",
                    OBJECTS["dict_arrays"][0],
                    "joblib.dump (codec from suffix)",
                    "dict of ndarray",
                ),
            )
    for proto in (2, 3, 4, 5):
        out.run(
            f"proto{proto}",
            lambda p=proto: dump(
                f"protocols/big_array_p{p}.pkl",
                OBJECTS["big_array"][0],
                f"joblib.dump(protocol={p})",
                "ndarray",
                protocol=p,
            ),
        )
    out.run("memory", memory)


def _square(x: np.ndarray) -> np.ndarray:
    return x**2


def memory() -> None:
    loc = out.path("memory/.keep").parent
    try:
        mem = joblib.Memory(location=str(loc), verbose=0)
    except TypeError:
        mem = joblib.Memory(cachedir=str(loc), verbose=0)
    f = mem.cache(_square)
    f(np.arange(5))
    f(np.arange(7.0))
    out.add_tree("memory", "joblib.Memory.cache (output.pkl, metadata.json, func_code.py)")


main()
out.finish()
