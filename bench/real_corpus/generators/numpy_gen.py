# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""numpy: pickled random states, matrices, record/masked/object arrays; .npy/.npz; raw tofile."""

from __future__ import annotations

import pickle

import numpy as np
from _common import Out

out = Out()


def dump(rel: str, obj: object, api: str, protocol: int = pickle.HIGHEST_PROTOCOL) -> None:
    with out.path(rel).open("wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    out.add(rel, f"pickle.dump(protocol={protocol})", api)


def pickles() -> None:
    objs: dict[str, tuple[object, str]] = {
        "generator_pcg64": (np.random.default_rng(0), "numpy.random.Generator(PCG64)"),
        "generator_mt19937": (np.random.Generator(np.random.MT19937(1)), "Generator(MT19937)"),
        "generator_philox": (np.random.Generator(np.random.Philox(2)), "Generator(Philox)"),
        "generator_sfc64": (np.random.Generator(np.random.SFC64(3)), "Generator(SFC64)"),
        "bitgen_pcg64": (np.random.PCG64(4), "numpy.random.PCG64"),
        "seedsequence": (np.random.SeedSequence(5), "numpy.random.SeedSequence"),
        "randomstate": (np.random.RandomState(6), "numpy.random.RandomState"),
        "randomstate_state_tuple": (
            np.random.RandomState(7).get_state(),
            "RandomState.get_state()",
        ),
        "matrix": (np.matrix([[1, 2], [3, 4]]), "numpy.matrix"),
        "recarray": (
            np.rec.array(
                [(1, 2.0, "a"), (2, 3.0, "b")], dtype=[("i", "i4"), ("f", "f8"), ("s", "U2")]
            ),
            "numpy.recarray",
        ),
        "structured": (
            np.zeros(3, dtype=[("x", "<f4"), ("y", ">i8"), ("z", "S3")]),
            "structured ndarray",
        ),
        "object_array": (np.array([1, "two", None, {"k": 3}, [4]], dtype=object), "object ndarray"),
        "masked_array": (
            np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]),
            "numpy.ma.MaskedArray",
        ),
        "masked_constant": (np.ma.masked, "numpy.ma.masked"),
        "float64_scalar": (np.float64(1.5), "numpy.float64"),
        "int64_scalar": (np.int64(7), "numpy.int64"),
        "bool_scalar": (np.bool_(True), "numpy.bool_"),
        "complex_array": (np.arange(4) * (1 + 2j), "complex128 ndarray"),
        "float16_array": (np.ones(5, dtype=np.float16), "float16 ndarray"),
        "datetime64": (np.array(["2024-01-01", "2024-06-30"], dtype="datetime64[D]"), "datetime64"),
        "timedelta64": (np.array([1, 2], dtype="timedelta64[s]"), "timedelta64"),
        "str_array": (np.array(["a", "bc"]), "unicode ndarray"),
        "bytes_array": (np.array([b"a", b"bc"]), "bytes ndarray"),
        "dtype": (np.dtype([("a", "f8"), ("b", "i4", (2,))]), "numpy.dtype"),
        "fortran": (np.asfortranarray(np.arange(6).reshape(2, 3)), "F-order ndarray"),
        "dict_of_arrays": ({"w": np.ones((2, 2)), "b": np.zeros(2)}, "dict of ndarray"),
        "memmap_free_view": (np.arange(10)[::2], "strided view"),
        "finfo": (np.finfo(np.float32), "numpy.finfo"),
        "poly1d": (np.poly1d([1, 2, 3]), "numpy.poly1d"),
        "polynomial": (np.polynomial.Polynomial([1, 2, 3]), "numpy.polynomial.Polynomial"),
        "ufunc": (np.add, "numpy.ufunc (np.add)"),
    }
    for name, (obj, api) in objs.items():
        out.run(name, lambda n=name, o=obj, a=api: dump(f"pickle/{n}.pkl", o, a))
    for proto in (0, 2, 3, 4):
        out.run(
            f"proto{proto}",
            lambda p=proto: dump(f"pickle/protocols/array_p{p}.pkl", np.arange(5.0), "ndarray", p),
        )
        out.run(
            f"rng_proto{proto}",
            lambda p=proto: dump(
                f"pickle/protocols/generator_p{p}.pkl", np.random.default_rng(1), "Generator", p
            ),
        )


def npy() -> None:
    arrays: dict[str, tuple[np.ndarray, str]] = {
        "float64": (np.linspace(0, 1, 50), "float64"),
        "int32_2d": (np.arange(12, dtype=np.int32).reshape(3, 4), "int32 2-D"),
        "bool": (np.array([True, False]), "bool"),
        "bigendian": (np.arange(4, dtype=">f8"), "big-endian float64"),
        "fortran": (np.asfortranarray(np.ones((3, 2))), "fortran_order"),
        "structured": (np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8", (3,))]), "structured"),
        "unicode": (np.array(["x", "yz"]), "unicode"),
        "datetime": (np.array(["2020-01-01"], dtype="datetime64[ns]"), "datetime64"),
        "complex": (np.arange(3) * 1j, "complex"),
        "empty": (np.empty((0, 3)), "empty"),
        "scalar0d": (np.array(3.5), "0-d"),
        "float16": (np.ones(7, dtype=np.float16), "float16"),
    }
    for name, (arr, api) in arrays.items():
        out.run(name, lambda n=name, a=arr, t=api: _save(f"npy/{n}.npy", a, t, False))
    objs = {
        "object_mixed": np.array([1, "a", None], dtype=object),
        "object_dict0d": np.array({"vocab": ["a", "b"], "n": 2}, dtype=object),
        "object_ragged": np.array([np.arange(2), np.arange(3)], dtype=object),
        "object_strings": np.array(["tok1", "tok2"], dtype=object),
    }
    for name, arr in objs.items():
        out.run(name, lambda n=name, a=arr: _save(f"npy/{n}.npy", a, "object array", True))
    for ver in ((1, 0), (2, 0), (3, 0)):
        out.run(f"fmt{ver}", lambda v=ver: _fmt(v))
    out.run("open_memmap", _memmap)
    out.run("npz", _npz)
    out.run("tofile", _tofile)


def _save(rel: str, arr: np.ndarray, what: str, allow_pickle: bool) -> None:
    np.save(out.path(rel), arr, allow_pickle=allow_pickle)
    out.add(rel, f"numpy.save(allow_pickle={allow_pickle})", what)


def _fmt(ver: tuple[int, int]) -> None:
    rel = f"npy/format_v{ver[0]}.npy"
    with out.path(rel).open("wb") as f:
        np.lib.format.write_array(f, np.arange(6.0).reshape(2, 3), version=ver)
    out.add(rel, f"numpy.lib.format.write_array(version={ver})", "float64")


def _memmap() -> None:
    rel = "npy/memmap.npy"
    m = np.lib.format.open_memmap(out.path(rel), mode="w+", dtype=np.float32, shape=(16, 4))
    m[:] = 1.0
    m.flush()
    del m
    out.add(rel, "numpy.lib.format.open_memmap", "float32")


def _npz() -> None:
    np.savez(out.path("npz/plain.npz"), a=np.arange(3), b=np.ones((2, 2)))
    out.add("npz/plain.npz", "numpy.savez", "numeric arrays")
    np.savez_compressed(out.path("npz/compressed.npz"), x=np.zeros(100), y=np.arange(10))
    out.add("npz/compressed.npz", "numpy.savez_compressed", "numeric arrays")
    np.savez(out.path("npz/positional.npz"), np.arange(3), np.arange(4))
    out.add("npz/positional.npz", "numpy.savez (arr_0, arr_1)", "numeric arrays")
    np.savez(
        out.path("npz/object.npz"),
        labels=np.array(["cat", None, 3], dtype=object),
        meta=np.array({"classes": 3}, dtype=object),
        w=np.ones(3),
    )
    out.add("npz/object.npz", "numpy.savez with object arrays", "object arrays")
    np.savez_compressed(
        out.path("npz/object_compressed.npz"), vocab=np.array(["a", "b"], dtype=object)
    )
    out.add("npz/object_compressed.npz", "numpy.savez_compressed with object arrays", "object")


def _tofile() -> None:
    np.arange(32, dtype=np.float32).tofile(out.path("raw/tofile_float32.bin"))
    out.add("raw/tofile_float32.bin", "ndarray.tofile", "raw float32")
    np.arange(8, dtype=np.int64).tofile(out.path("raw/tofile_int64.dat"))
    out.add("raw/tofile_int64.dat", "ndarray.tofile", "raw int64")
    np.savetxt(out.path("text/savetxt.txt"), np.eye(3))
    out.add("text/savetxt.txt", "numpy.savetxt", "text")
    np.savetxt(out.path("text/savetxt.csv"), np.eye(2), delimiter=",")
    out.add("text/savetxt.csv", "numpy.savetxt(delimiter=',')", "text")


pickles()
npy()
out.finish()
