# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""h5py: HDF5 files with groups, attributes, compressed/chunked datasets, strings, compound types, references."""

from __future__ import annotations

import h5py
import numpy as np
from _common import Out

out = Out()
rng = np.random.default_rng(0)


def basic() -> None:
    with h5py.File(out.path("basic.h5"), "w") as f:
        f.attrs["created_by"] = "aibom corpus"
        f.create_dataset("float", data=rng.normal(size=(10, 4)))
        f.create_dataset("int", data=np.arange(20, dtype=np.int32))
        g = f.create_group("model/layer0")
        g.create_dataset("kernel", data=rng.normal(size=(4, 4)).astype(np.float32))
        g.attrs["activation"] = "relu"
    out.add("basic.h5", "h5py.File.create_dataset/create_group", "HDF5")


def compressed() -> None:
    with h5py.File(out.path("compressed.hdf5"), "w") as f:
        f.create_dataset(
            "gzip",
            data=np.zeros((100, 100)),
            compression="gzip",
            compression_opts=4,
            chunks=(10, 10),
        )
        f.create_dataset("lzf", data=np.ones(1000), compression="lzf", shuffle=True)
        f.create_dataset(
            "resizable", data=np.arange(5), maxshape=(None,), chunks=True, fletcher32=True
        )
    out.add("compressed.hdf5", "create_dataset(compression=gzip/lzf, shuffle, fletcher32)", "HDF5")


def types() -> None:
    with h5py.File(out.path("types.h5"), "w") as f:
        f.create_dataset("vlen_str", data=np.array(["a", "bcd"], dtype=h5py.string_dtype()))
        f.create_dataset("fixed_bytes", data=np.array([b"ab", b"cd"], dtype="S2"))
        f.create_dataset(
            "compound", data=np.zeros(3, dtype=[("x", "f4"), ("n", "i8"), ("s", "S4")])
        )
        f.create_dataset("bool", data=np.array([True, False]))
        f.create_dataset("complex", data=np.arange(3) * 1j)
        f.create_dataset("vlen_int", (2,), dtype=h5py.vlen_dtype(np.int32))[...] = [
            np.arange(2, dtype=np.int32),
            np.arange(3, dtype=np.int32),
        ]
        f.create_dataset(
            "enum",
            data=np.array([0, 1], dtype=np.int8),
            dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1"),
        )
        ref_ds = f.create_dataset("refs", (1,), dtype=h5py.ref_dtype)
        ref_ds[0] = f["bool"].ref
        f["soft"] = h5py.SoftLink("/bool")
        f.attrs["array_attr"] = np.arange(3)
    out.add("types.h5", "h5py (vlen, compound, enum, references, links)", "HDF5")


def layouts() -> None:
    with h5py.File(out.path("layouts.h5"), "w", libver="latest") as f:
        f.create_dataset("empty", data=h5py.Empty("f"))
        f.create_dataset("scalar", data=3.5)
        f.create_dataset("track_order", data=[1, 2], track_times=False)
    out.add("layouts.h5", "h5py.File(libver='latest')", "HDF5")
    with h5py.File(out.path("core_driver.h5"), "w", driver="core", backing_store=True) as f:
        f["x"] = np.eye(3)
    out.add("core_driver.h5", "h5py.File(driver='core')", "HDF5")


for fn in (basic, compressed, types, layouts):
    out.run(fn.__name__, fn)
out.finish()
