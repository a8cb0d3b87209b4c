# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""scipy: sparse .npz, MATLAB .mat, WAV, Matrix Market, netCDF, Fortran files, and pickles of scipy objects."""

from __future__ import annotations

import pickle

import numpy as np
from _common import Out
from scipy import interpolate, io, sparse, spatial, stats
from scipy.io import wavfile
from scipy.spatial.transform import Rotation

out = Out()
rng = np.random.default_rng(0)
M = sparse.random(20, 10, density=0.2, format="csr", random_state=1)


def dump(rel: str, obj: object, what: str) -> None:
    with out.path(rel).open("wb") as f:
        pickle.dump(obj, f)
    out.add(rel, "pickle.dump", what)


def sparse_files() -> None:
    for fmt in ("csr", "csc", "coo", "bsr", "dia"):
        m = M.asformat(fmt)
        for compressed in (True, False):
            rel = f"sparse/{fmt}_{'z' if compressed else 'plain'}.npz"
            sparse.save_npz(out.path(rel), m, compressed=compressed)
            out.add(rel, f"scipy.sparse.save_npz(compressed={compressed})", type(m).__name__)
        out.run(
            f"pickle-{fmt}", lambda f=fmt, m=m: dump(f"pickle/sparse_{f}.pkl", m, type(m).__name__)
        )
    if hasattr(sparse, "csr_array"):
        out.run("csr_array", lambda: dump("pickle/csr_array.pkl", sparse.csr_array(M), "csr_array"))
        out.run("csr_array_npz", _csr_array_npz)
    out.run("lil", lambda: dump("pickle/sparse_lil.pkl", M.tolil(), "lil_matrix"))
    out.run("dok", lambda: dump("pickle/sparse_dok.pkl", M.todok(), "dok_matrix"))


def _csr_array_npz() -> None:
    sparse.save_npz(out.path("sparse/csr_array.npz"), sparse.csr_array(M))
    out.add("sparse/csr_array.npz", "scipy.sparse.save_npz", "csr_array")


def objects() -> None:
    pts = rng.normal(size=(30, 3))
    x = np.linspace(0, 1, 10)
    objs: dict[str, tuple[object, str]] = {
        "kdtree": (spatial.KDTree(pts), "scipy.spatial.KDTree"),
        "ckdtree": (spatial.cKDTree(pts), "scipy.spatial.cKDTree"),
        "convex_hull_points": (spatial.ConvexHull(pts).vertices, "ndarray"),
        "rotation": (Rotation.from_euler("xyz", [10, 20, 30], degrees=True), "Rotation"),
        "interp1d": (interpolate.interp1d(x, x**2), "interp1d"),
        "cubic_spline": (interpolate.CubicSpline(x, np.sin(x)), "CubicSpline"),
        "bspline": (interpolate.make_interp_spline(x, np.cos(x)), "BSpline"),
        "ppoly": (interpolate.PPoly.from_spline(interpolate.splrep(x, x**3)), "PPoly"),
        "norm_frozen": (stats.norm(loc=1, scale=2), "rv_frozen (norm)"),
        "gamma_frozen": (stats.gamma(2.0), "rv_frozen (gamma)"),
        "multivariate_normal": (
            stats.multivariate_normal(mean=[0, 0]),
            "multivariate_normal_frozen",
        ),
        "gaussian_kde": (stats.gaussian_kde(rng.normal(size=50)), "gaussian_kde"),
        "describe": (stats.describe(rng.normal(size=20)), "DescribeResult"),
    }
    for name, (obj, what) in objs.items():
        out.run(name, lambda n=name, o=obj, w=what: dump(f"pickle/{n}.pkl", o, w))


def io_files() -> None:
    data = {
        "a": np.arange(6.0).reshape(2, 3),
        "s": "text",
        "st": {"field": np.ones(3), "name": "x"},
        "cell": np.array([np.arange(2), "b"], dtype=object),
        "sp": M,
    }
    for fmt, kw in (("5", {}), ("5_z", {"do_compression": True}), ("4", {})):
        rel = f"mat/v{fmt}.mat"
        d = data if fmt != "4" else {"a": data["a"], "s": data["s"]}
        io.savemat(out.path(rel), d, format=fmt[0], **kw)
        out.add(rel, f"scipy.io.savemat(format={fmt[0]!r})", "MATLAB")
    wavfile.write(
        out.path("wav/sine_int16.wav"), 8000, (np.sin(np.arange(800) / 5) * 3000).astype(np.int16)
    )
    out.add("wav/sine_int16.wav", "scipy.io.wavfile.write", "int16 PCM")
    wavfile.write(out.path("wav/float32.wav"), 8000, rng.normal(size=400).astype(np.float32))
    out.add("wav/float32.wav", "scipy.io.wavfile.write", "float32")
    io.mmwrite(out.path("mtx/sparse.mtx"), M)
    out.add("mtx/sparse.mtx", "scipy.io.mmwrite", "Matrix Market")
    io.mmwrite(out.path("mtx/dense.mtx"), np.eye(3))
    out.add("mtx/dense.mtx", "scipy.io.mmwrite", "Matrix Market (dense)")
    out.run("netcdf", _netcdf)
    out.run("fortran", _fortran)
    out.run("hb", _hb)


def _netcdf() -> None:
    rel = "netcdf/simple.nc"
    f = io.netcdf_file(out.path(rel), "w")
    f.history = "aibom corpus"
    f.createDimension("time", 5)
    t = f.createVariable("time", "i", ("time",))
    t[:] = np.arange(5)
    t.units = "days"
    f.close()
    out.add(rel, "scipy.io.netcdf_file", "netCDF 3")


def _fortran() -> None:
    rel = "fortran/unformatted.dat"
    with io.FortranFile(out.path(rel), "w") as f:
        f.write_record(np.arange(5, dtype=np.int32))
        f.write_record(np.linspace(0, 1, 4))
    out.add(rel, "scipy.io.FortranFile", "Fortran unformatted")


def _hb() -> None:
    rel = "hb/matrix.hb"
    io.hb_write(out.path(rel), M.tocsc())
    out.add(rel, "scipy.io.hb_write", "Harwell-Boeing")


out.run("sparse", sparse_files)
out.run("objects", objects)
out.run("io", io_files)
out.finish()
