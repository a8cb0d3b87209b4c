"""The built-in pickle allowlist: exact (module, name) pairs that real checkpoints import, in two grades.

``CALL`` objects may be called with arguments from the file (tensor rebuilders, numpy reconstructors,
pure constructors such as ``builtins.set``); ``NEW`` classes are safe only when *reconstructed* (NEWOBJ
or the copyreg helpers, which never run ``__init__``). Data only; ``pickle_policy`` applies it.
"""

from __future__ import annotations

_SKLEARN_LOSSES = (
    "CyHalfBinomialLoss CyHalfSquaredError CyAbsoluteError CyHalfPoissonLoss CyHalfGammaLoss "
    "CyHalfTweedieLoss CyHalfMultinomialLoss CyPinballLoss CyHuberLoss CyExponentialLoss "
    "CyHalfTweedieLossIdentity"
)

CALL: dict[str, str] = {
    "builtins": "set frozenset slice complex bytearray bytes list dict tuple range int float bool str "
    "object NotImplemented Ellipsis",
    "copyreg": "_reconstructor __newobj__ __newobj_ex__",
    "collections": "OrderedDict defaultdict Counter deque ChainMap",
    "_codecs": "encode",
    "argparse": "Namespace",
    "datetime": "datetime date time timedelta timezone",
    "decimal": "Decimal",
    "fractions": "Fraction",
    "uuid": "UUID SafeUUID",
    "pathlib": "PurePath PurePosixPath PureWindowsPath Path PosixPath WindowsPath",
    "re": "_compile",
    "types": "SimpleNamespace",
    "logging": "getLogger",
    "torch": "Size device dtype layout memory_format finfo iinfo Tensor float16 float32 float64 "
    "bfloat16 half float double complex32 complex64 complex128 cfloat cdouble int8 int16 int32 int64 "
    "uint8 uint16 uint32 uint64 bool short int long qint8 quint8 qint32 quint4x2 quint2x4 "
    "float8_e4m3fn float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz float8_e8m0fnu float4_e2m1fn_x2 "
    "strided sparse_coo sparse_csr sparse_csc sparse_bsr sparse_bsc _mkldnn jagged "
    "contiguous_format channels_last channels_last_3d preserve_format per_tensor_affine "
    "per_channel_affine per_channel_affine_float_qparams per_tensor_symmetric per_channel_symmetric "
    "BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage ComplexFloatStorage "
    "DoubleStorage FloatStorage HalfStorage IntStorage LongStorage ShortStorage QInt32Storage "
    "QInt8Storage QUInt2x4Storage QUInt4x2Storage QUInt8Storage UntypedStorage TypedStorage "
    "BFloat16Tensor BoolTensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor "
    "LongTensor ShortTensor",
    "torch.cuda": "BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage "
    "ComplexFloatStorage DoubleStorage FloatStorage HalfStorage IntStorage LongStorage ShortStorage",
    "torch.storage": "TypedStorage UntypedStorage _load_from_bytes",
    "torch._utils": "_rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_parameter "
    "_rebuild_parameter_with_state _rebuild_qtensor _rebuild_sparse_tensor _rebuild_nested_tensor "
    "_rebuild_device_tensor_from_numpy _rebuild_device_tensor_from_cpu_tensor "
    "_rebuild_meta_tensor_no_storage _rebuild_wrapper_subclass _rebuild_xla_tensor "
    "_rebuild_mtia_tensor _rebuild_from_type _rebuild_from_type_v2 _rebuild_buffer",
    "torch._tensor": "_rebuild_from_type _rebuild_from_type_v2",
    "torch.serialization": "_get_layout",
    "torch.nn.parameter": "Parameter Buffer UninitializedParameter UninitializedBuffer",
    "torch.jit._pickle": "build_intlist build_tensorlist build_doublelist build_boollist "
    "build_tensor_from_id restore_type_tag",
    "torch.nn.functional": "relu gelu silu tanh sigmoid elu leaky_relu softplus mish hardswish",
    "torch.distributions.constraints": "real positive",
    "numpy": "dtype ndarray bool_ int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 "
    "float64 longdouble complex64 complex128 clongdouble object_ str_ bytes_ void datetime64 "
    "timedelta64 intc uintc intp uintp longlong ulonglong half single double csingle cdouble "
    "generic number integer floating",
    "numpy.core.multiarray": "_reconstruct scalar",
    "numpy._core.multiarray": "_reconstruct scalar",
    "numpy.core.numeric": "_frombuffer",
    "numpy._core.numeric": "_frombuffer",
    "numpy.ma.core": "_mareconstruct MaskedArray",
    "numpy.ma": "MaskedArray",
    "numpy.random._pickle": "__bit_generator_ctor __generator_ctor __randomstate_ctor",
    "numpy.random._mt19937": "MT19937",
    "numpy.random._pcg64": "PCG64 PCG64DXSM",
    "numpy.random._philox": "Philox",
    "numpy.random._sfc64": "SFC64",
    "numpy.random.bit_generator": "SeedSequence __pyx_unpickle_SeedSequence",
    "numpy.random._generator": "Generator",
    "numpy.random.mtrand": "RandomState",
    "numpy.dtypes": "BoolDType Int8DType Int16DType Int32DType Int64DType UInt8DType UInt16DType "
    "UInt32DType UInt64DType Float16DType Float32DType Float64DType Complex64DType Complex128DType "
    "ObjectDType StrDType BytesDType VoidDType DateTime64DType TimeDelta64DType StringDType",
    "joblib.numpy_pickle": "NumpyArrayWrapper",
    "sklearn.tree._tree": "Tree",
    "sklearn.neighbors._kd_tree": "KDTree KDTree64 KDTree32 newObj",
    "sklearn.neighbors._ball_tree": "BallTree BallTree64 BallTree32 newObj",
    "sklearn.metrics._dist_metrics": "newObj EuclideanDistance64 EuclideanDistance32 "
    "ManhattanDistance64 ChebyshevDistance64 MinkowskiDistance64 SEuclideanDistance64",
    "sklearn._loss._loss": _SKLEARN_LOSSES,
    # scikit-learn 1.7 (the last release for Python 3.10) pickles its Cython loss objects under the
    # bare module name "_loss" (a Cython quirk). Only these exact class names are allowed there.
    "_loss": _SKLEARN_LOSSES,
    "sklearn.linear_model._sgd_fast": "Hinge Log ModifiedHuber SquaredLoss Huber "
    "EpsilonInsensitive SquaredEpsilonInsensitive SquaredHinge",
    "pandas._libs.internals": "_unpickle_block",
    "pandas.core.indexes.base": "_new_Index",
    "pandas._libs.arrays": "__pyx_unpickle_NDArrayBacked",
    "pandas._libs.interval": "__pyx_unpickle_IntervalMixin Interval",
    "pandas._libs.sparse": "IntIndex BlockIndex",
    "pandas._libs.tslibs.timestamps": "_unpickle_timestamp",
    "pandas._libs.tslibs.timedeltas": "_timedelta_unpickle",
    "pandas._libs.tslibs.nattype": "__nat_unpickle _nat_unpickle",
    "pandas._libs.tslibs.period": "_period_unpickle",
    "pandas.core.indexes.datetimes": "_new_DatetimeIndex",
    "pandas.core.indexes.period": "_new_PeriodIndex",
    "pandas.core.internals.managers": "BlockManager SingleBlockManager",
    "pandas": "Interval Period Timestamp Timedelta PeriodDtype StringDtype CategoricalDtype "
    "DatetimeTZDtype IntervalDtype SparseDtype Int8Dtype Int16Dtype Int32Dtype Int64Dtype UInt8Dtype "
    "UInt16Dtype UInt32Dtype UInt64Dtype Float32Dtype Float64Dtype BooleanDtype",
    "zoneinfo": "ZoneInfo._unpickle",
    "pytz": "_p _UTC",
    "pytorch_lightning.utilities.parsing": "AttributeDict",
    "lightning_fabric.utilities.data": "AttributeDict",
    "lightning.fabric.utilities.data": "AttributeDict",
}
"""module -> names that may be called with arguments taken from the file."""

_PYX_LOSSES = " ".join(f"__pyx_unpickle_{name}" for name in _SKLEARN_LOSSES.split())

HARVESTED_CALL: dict[str, tuple[str, str]] = {
    # module: (names, which library writes them), from bench/real_corpus (measure.py work list)
    "pandas.core.indexes.interval": ("_new_IntervalIndex", "pandas 1.5-3.0 IntervalIndex"),
    "sklearn._loss._loss": (_PYX_LOSSES, "scikit-learn 1.3-1.9 Cython loss objects"),
    "_loss": (_PYX_LOSSES, "scikit-learn 1.7 (Cython's bare module name, see above)"),
    "numpy.ma.core": ("MaskedConstant", "numpy 1.26-2.4 numpy.ma.masked (a singleton)"),
    "transformers.trainer_utils": (
        "HubStrategy IntervalStrategy SaveStrategy SchedulerType",
        "transformers 4.57/5.17 TrainingArguments (enum members rebuilt from their value)",
    ),
    "transformers.training_args": ("OptimizerNames", "transformers 4.57/5.17 TrainingArguments"),
    "accelerate.utils.dataclasses": (
        "DistributedType",
        "transformers 4.57/5.17 TrainingArguments via accelerate (enum)",
    ),
    "dill._dill": ("_create_array", "dill 0.4 numpy arrays: f(*args) then __setstate__"),
    "numpy.core._internal": ("_reconstruct", "numpy < 1.x under Python 2 (object arrays, np0)"),
    "spacy.vocab": ("unpickle_vocab", "spaCy 3.7/3.8 pickle.dumps(nlp / vocab)"),
    "spacy.vectors": ("unpickle_vectors", "spaCy 3.7/3.8 pickle.dumps(vocab)"),
    "spacy.morphology": ("unpickle_morphology", "spaCy 3.7/3.8 pickle.dumps(vocab)"),
    "spacy.tokens.doc": ("unpickle_doc", "spaCy 3.7/3.8 pickle.dumps(doc)"),
    "spacy.tokens._serialize": ("unpickle_bin", "spaCy 3.7/3.8 pickle.dumps(DocBin)"),
    "spacy.strings": ("StringStore", "spaCy 3.7/3.8 (Cython type reduced to a call of itself)"),
    "spacy.lookups": ("Lookups", "spaCy 3.7/3.8 pickle.dumps(vocab)"),
    "spacy.tokenizer": ("Tokenizer", "spaCy 3.7/3.8 pickle.dumps(nlp)"),
    **{
        f"statsmodels.tsa.statespace.{module}": (
            " ".join(p + cls for p in "sdcz" for cls in classes.split()),
            "statsmodels 0.14 state-space results (Cython types per dtype prefix s/d/c/z)",
        )
        for module, classes in {
            "_representation": "Statespace",
            "_initialization": "Initialization",
            "_kalman_filter": "KalmanFilter",
            "_kalman_smoother": "KalmanSmoother",
            "_simulation_smoother": "SimulationSmoother",
        }.items()
    },
}
"""Call-grade entries harvested from what real files import, each with the library that writes it."""

for _module, (_names, _writer) in HARVESTED_CALL.items():
    CALL[_module] = f"{CALL[_module]} {_names}" if _module in CALL else _names

NEW: dict[str, str] = {
    "torch.nn.modules.module": "Module",
    "torch.nn.modules.container": "Container ModuleDict ModuleList ParameterDict ParameterList "
    "Sequential",
}
"""module -> classes safe when reconstructed; torch.nn and ``NEW_PREFIXES`` add more by rule."""

NEW_PREFIXES = (
    "torch.nn",
    "torch.ao.nn",
    "sklearn",
    "xgboost",
    "lightgbm",
    "catboost",
    "pandas",
    "transformers",
)
"""Packages whose classes (CamelCase names) are allowlisted for reconstruction, minus denied parts."""
CALL_CLASS_MODULES = ("pandas._libs.tslibs.offsets", "pandas.core.dtypes.dtypes")
"""Modules whose classes reduce to a call of themselves (date offsets, dtypes): allowlisted for calls."""
