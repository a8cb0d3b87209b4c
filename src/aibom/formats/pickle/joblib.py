"""What ``joblib.load`` reads between pickle opcodes, stepped over without reading it.

``joblib.load`` reads a NumpyArrayWrapper's array right after its BUILD opcode, straight from the stream:
an alignment byte and padding, then ``prod(shape) * itemsize`` raw bytes, or, for object arrays, a whole
pickle loaded with plain ``pickle.load``. ``joblib_build_hook`` does the same walk without reading the
data, so payloads pickled after an array are seen (scanners that stop at the first array miss them).
Every stream walk uses this hook (a joblib file is named anything), so it lives with the walker.
"""

from __future__ import annotations

import math
import re

from aibom.formats.pickle.state import VMState
from aibom.formats.pickle.values import Box, Call, GlobalRef, PickleError
from aibom.formats.pickle.vm import PickleVM

WRAPPERS = frozenset(
    {
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        ("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper"),
    }
)
_TYPESTR = re.compile(r"^[<>|=]?([a-zA-Z])(\d*)")


def _state_dict(state: object) -> dict[str, object]:
    if not isinstance(state, Box) or state.kind != "dict":
        raise PickleError("joblib array wrapper state is not a dict")
    out: dict[str, object] = {}
    for pair in state.items:
        if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str):
            out[pair[0]] = pair[1]
    return out


def _dtype(value: object) -> tuple[int, bool]:
    """(itemsize, has objects) of a pickled ``numpy.dtype`` call."""
    if not (isinstance(value, Call) and isinstance(value.callee, GlobalRef)):
        raise PickleError("joblib array dtype is not a numpy.dtype")
    args, state = value.args, value.state
    typestr = args[0] if isinstance(args, tuple) and args else None
    match = _TYPESTR.match(typestr) if isinstance(typestr, str) else None
    if match is None:
        raise PickleError(f"joblib array dtype {typestr!r} is not understood")
    kind, digits = match.groups()
    flags = state[7] if isinstance(state, tuple) and len(state) > 7 else 0
    elsize = state[5] if isinstance(state, tuple) and len(state) > 5 else -1
    has_object = kind == "O" or (isinstance(flags, int) and bool(flags & 1))
    if isinstance(elsize, int) and elsize > 0:
        return elsize, has_object
    if kind in "Mm" or kind == "O":
        return 8, has_object
    return (int(digits) if digits else 1), has_object


def _count(shape: object) -> int:
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise PickleError("joblib array shape is not a tuple of sizes")
    return math.prod(shape)


def joblib_build_hook(vm: VMState, inst: object, state: object) -> None:
    """After BUILD of a NumpyArrayWrapper, step over the array joblib reads from the stream."""
    if not (isinstance(inst, Call) and isinstance(inst.callee, GlobalRef)):
        return
    if (inst.callee.module, inst.callee.name) not in WRAPPERS:
        return
    info = _state_dict(state)
    itemsize, has_object = _dtype(info.get("dtype"))
    if has_object:
        _embedded_pickle(vm)
        return
    if info.get("numpy_array_alignment_bytes") is not None:
        pad = vm.src.read(1)
        if len(pad) != 1 or vm.src.skip(pad[0]) != pad[0]:
            raise PickleError("stream ends inside a joblib array's alignment padding")
    size = _count(info.get("shape")) * itemsize
    if vm.src.skip(size) != size:
        raise PickleError(f"stream ends inside a {size}-byte joblib array")


def _embedded_pickle(vm: VMState) -> None:
    if vm.depth >= vm.limits.max_joblib_embedded_depth:
        raise PickleError("joblib object arrays nested too deeply")
    inner = PickleVM(vm.src, vm.limits, joblib_build_hook)
    inner.depth = vm.depth + 1
    trace = inner.walk()
    for key, record in trace.imports.items():
        mine = vm.trace.imports.setdefault(key, record)
        if mine is not record:
            mine.count += record.count
            for how, offset in record.uses.items():
                mine.uses.setdefault(how, offset)
    vm.trace.unresolved.extend(trace.unresolved)
    vm.trace.nested.extend(trace.nested)
    if trace.error is not None:
        raise PickleError(f"object array pickle inside joblib stream: {trace.error[1]}")
