"""What each pickle opcode does to the walker's simulated stack and memo, after CPython's ``_pickle``.

One handler per opcode name (``HANDLERS``); ``PickleVM`` reads the opcode and its argument, then calls
the handler. Handlers never import or call anything: an import is recorded as a ``GlobalRef``, a call
as a ``Call`` on the stack plus a use in the trace.
"""

from __future__ import annotations

from collections.abc import Callable

from aibom.formats.pickle.state import VMState
from aibom.formats.pickle.values import (
    Blob,
    Box,
    Call,
    GlobalRef,
    PickleError,
    Unknown,
    decode_string_line,
    describe,
    parse_int,
)

Handler = Callable[[VMState, object], None]


def _as_int(arg: object) -> int:
    assert isinstance(arg, int)
    return arg


def _as_line(arg: object) -> bytes:
    assert isinstance(arg, bytes)
    return arg


def _push_arg(vm: VMState, arg: object) -> None:
    vm.push(arg)


def _const(value: object) -> Handler:
    return lambda vm, _arg: vm.push(value)


def _new(kind: str) -> Handler:
    return lambda vm, _arg: vm.push(Box(kind))


def _int(vm: VMState, arg: object) -> None:
    line = _as_line(arg)
    vm.push({b"00": False, b"01": True}.get(line) if line in (b"00", b"01") else None)
    if line not in (b"00", b"01"):
        vm.stack[-1] = parse_int(line, "INT")


def _long(vm: VMState, arg: object) -> None:
    vm.push(parse_int(_as_line(arg), "LONG"))


def _float(vm: VMState, arg: object) -> None:
    try:
        vm.push(float(_as_line(arg)))
    except ValueError:
        raise PickleError("FLOAT argument is not a number") from None


def _string(vm: VMState, arg: object) -> None:
    if isinstance(arg, Blob):  # longer than max_pickle_line: streamed, quotes checked
        vm.push(arg)
        return
    vm.push(decode_string_line(_as_line(arg)))


def _unicode(vm: VMState, arg: object) -> None:
    if isinstance(arg, Blob):
        vm.push(arg)
        return
    try:
        vm.push(_as_line(arg).decode("raw-unicode-escape"))
    except UnicodeDecodeError:
        raise PickleError("bad UNICODE escape") from None


def _noop(vm: VMState, _arg: object) -> None:
    return None


def _readonly(vm: VMState, _arg: object) -> None:
    vm.top()


def _list(vm: VMState, _arg: object) -> None:
    box = Box("list")
    for item in vm.pop_mark():
        box.add(item)
    vm.push(box)


def _frozenset(vm: VMState, _arg: object) -> None:
    box = Box("frozenset")
    for item in vm.pop_mark():
        box.add(item)
    vm.push(box)


def _tuple(vm: VMState, _arg: object) -> None:
    vm.push(tuple(vm.pop_mark()[: vm.limits.max_pickle_scan_values]))


def _tuple_n(n: int) -> Handler:
    def handler(vm: VMState, _arg: object) -> None:
        items = [vm.pop() for _ in range(n)]
        vm.push(tuple(reversed(items)))

    return handler


def _pairs(items: list[object]) -> list[object]:
    if len(items) % 2:
        raise PickleError("odd number of items for a dict")
    return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]


def _dict(vm: VMState, _arg: object) -> None:
    box = Box("dict")
    for pair in _pairs(vm.pop_mark()):
        box.add(pair)
    vm.push(box)


def _extend(vm: VMState, items: list[object], how: str) -> None:
    target = vm.top()
    if isinstance(target, Box):
        for item in items:
            target.add(item)
        return
    if isinstance(target, tuple | str | bytes | int | float | Blob) or target is None:
        raise PickleError(f"{how} onto {describe(target)}")
    vm.use(target, f"modified in place by {how}", "modify")
    vm.use_arguments(items, target, stored=True)


def _append(vm: VMState, _arg: object) -> None:
    _extend(vm, [vm.pop()], "APPEND")


def _appends(vm: VMState, _arg: object) -> None:
    _extend(vm, vm.pop_mark(), "APPENDS")


def _additems(vm: VMState, _arg: object) -> None:
    _extend(vm, vm.pop_mark(), "ADDITEMS")


def _setitem(vm: VMState, _arg: object) -> None:
    value = vm.pop()
    key = vm.pop()
    _extend(vm, [(key, value)], "SETITEM")


def _setitems(vm: VMState, _arg: object) -> None:
    _extend(vm, _pairs(vm.pop_mark()), "SETITEMS")


def _pop(vm: VMState, _arg: object) -> None:
    if vm.stack:
        vm.stack.pop()
    else:
        vm.pop_mark()  # CPython pops the mark when the frame is empty


def _dup(vm: VMState, _arg: object) -> None:
    vm.push(vm.top())


def _mark(vm: VMState, _arg: object) -> None:
    vm.mark()


def _pop_mark(vm: VMState, _arg: object) -> None:
    vm.pop_mark()


def _get(vm: VMState, arg: object) -> None:
    index = parse_int(arg, "GET") if isinstance(arg, bytes) else _as_int(arg)
    vm.push(vm.memo_get(index))


def _put(vm: VMState, arg: object) -> None:
    index = parse_int(arg, "PUT") if isinstance(arg, bytes) else _as_int(arg)
    vm.memo_put(index, vm.top())


def _memoize(vm: VMState, _arg: object) -> None:
    vm.memo_put(len(vm.memo), vm.top())


def _decode_pair(arg: object, encoding: str) -> tuple[str, str]:
    assert isinstance(arg, tuple)
    try:
        return arg[0].decode(encoding), arg[1].decode(encoding)
    except UnicodeDecodeError:
        raise PickleError(f"import name is not {encoding}") from None


def _global(vm: VMState, arg: object) -> None:
    module, name = _decode_pair(arg, "utf-8")
    vm.push(vm.import_global(module, name, "GLOBAL"))


def _inst(vm: VMState, arg: object) -> None:
    module, name = _decode_pair(arg, "ascii")
    ref = vm.import_global(module, name, "INST")
    vm.push(vm.invoke(ref, tuple(vm.pop_mark()), "INST"))


def _stack_global(vm: VMState, _arg: object) -> None:
    name, module = vm.pop(), vm.pop()
    if isinstance(module, str) and isinstance(name, str):
        vm.push(vm.import_global(module, name, "STACK_GLOBAL"))
        return
    if not all(_maybe_str(v) for v in (module, name)):
        raise PickleError("STACK_GLOBAL requires str operands")
    what = f"STACK_GLOBAL imports from {describe(module)}, name {describe(name)}"
    vm.note(f"{what}: not resolvable without running the pickle")
    vm.push(Unknown("unresolved STACK_GLOBAL"))


def _maybe_str(value: object) -> bool:
    """Could this be a str at load time? (An imported object may be a str attribute, modelscan#85.)"""
    return isinstance(value, str | Call | Unknown | GlobalRef) or (
        isinstance(value, Blob) and value.kind == "str"
    )


def _ext(vm: VMState, arg: object) -> None:
    code = _as_int(arg)
    if code <= 0:
        raise PickleError("EXT specifies code <= 0")
    what = f"EXT opcode imports extension code {code} from the loading process's copyreg registry"
    vm.note(what)
    vm.push(Unknown(f"extension code {code}"))


def _reduce(vm: VMState, _arg: object) -> None:
    args = vm.pop()
    func = vm.top()
    attribute = _constant_getattr(vm, func, args)
    vm.stack[-1] = attribute if attribute is not None else vm.invoke(func, args, "REDUCE")


_GETATTR = frozenset({("builtins", "getattr"), ("__builtin__", "getattr")})


def _constant_getattr(vm: VMState, func: object, args: object) -> GlobalRef | Unknown | None:
    """``getattr(Imported, "name")`` with a constant name, as Python 3.12+ pickles enum members and
    class methods, is exactly the import of ``Imported.name``: graded as that dotted global (the
    policy denies dunder walks and denied modules), and getattr itself then runs nothing else."""
    if not (isinstance(func, GlobalRef) and (func.module, func.name) in _GETATTR):
        return None
    if not (isinstance(args, tuple) and len(args) == 2 and isinstance(args[1], str)):
        return None
    owner, attr = args
    if _pattern_method(owner, attr):
        vm.use(func, "REDUCE reading a method of a compiled regex", "attribute")
        return Unknown(f"the {attr} method of a compiled regex")
    if not isinstance(owner, GlobalRef) or not attr.isidentifier():
        return None
    vm.use(func, "REDUCE with a constant attribute name (modelled as an import)", "attribute")
    vm.use(owner, f"attribute {attr!r} read by getattr", "ref")
    return vm.import_global(owner.module, f"{owner.name}.{attr}", "getattr")


_PATTERN_METHODS = frozenset(
    ["search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"]
)


def _pattern_method(owner: object, attr: str) -> bool:
    """``getattr(re._compile(...), "search")``: a bound method of a regex (spaCy's tokenizer)."""
    callee = owner.callee if isinstance(owner, Call) else None
    return (
        isinstance(callee, GlobalRef)
        and (callee.module, callee.name) == ("re", "_compile")
        and attr in _PATTERN_METHODS
    )


def _build(vm: VMState, _arg: object) -> None:
    state = vm.pop()
    inst = vm.top()
    vm.use(inst, "modified in place by BUILD", "modify")
    vm.use_arguments(state, inst, stored=True)
    if isinstance(inst, Call):
        inst.state = state
    if vm.build_hook is not None:
        vm.build_hook(vm, inst, state)


def _newobj(vm: VMState, _arg: object) -> None:
    args = vm.pop()
    cls = vm.pop()
    vm.push(vm.invoke(cls, args, "NEWOBJ"))


def _newobj_ex(vm: VMState, _arg: object) -> None:
    kwargs, args, cls = vm.pop(), vm.pop(), vm.pop()
    vm.use_arguments(kwargs, cls)
    vm.push(vm.invoke(cls, args, "NEWOBJ_EX"))


def _obj(vm: VMState, _arg: object) -> None:
    items = vm.pop_mark()
    if not items:
        raise PickleError("OBJ without a class")
    vm.push(vm.invoke(items[0], tuple(items[1:]), "OBJ"))


_PERSISTENT = Unknown("persistent_load")


def _persid(vm: VMState, arg: object) -> None:
    vm.trace.persistent_ids += 1
    vm.push(Call(_PERSISTENT, arg, vm._op_pos))


def _binpersid(vm: VMState, _arg: object) -> None:
    pid = vm.pop()
    vm.trace.persistent_ids += 1
    if (
        isinstance(pid, tuple)
        and len(pid) > 1
        and pid[0] == "module"
        and isinstance(pid[1], GlobalRef)
    ):
        # legacy torch.save of a whole module: persistent_load returns the class, pid[1]
        vm.use(pid[1], "returned by torch's legacy persistent_load", "ref")
        vm.push(pid[1])
        return
    vm.use_arguments(pid, _PERSISTENT)
    vm.push(Call(_PERSISTENT, pid, vm._op_pos))


def _proto(vm: VMState, arg: object) -> None:
    version = _as_int(arg)
    if version > 5:
        raise PickleError(f"unsupported pickle protocol {version}")
    vm.trace.protocols.append((vm._op_pos, version))
    vm.proto = version


def _stop(vm: VMState, _arg: object) -> None:
    vm.trace.result = vm.pop()
    vm.trace.end = vm.src.pos


def _next_buffer(vm: VMState, _arg: object) -> None:
    raise PickleError("NEXT_BUFFER: out-of-band buffers are not given to a plain load")


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(
        [
            "BININT",
            "BININT1",
            "BININT2",
            "LONG1",
            "LONG4",
            "BINFLOAT",
            "BINSTRING",
            "SHORT_BINSTRING",
            "BINBYTES",
            "SHORT_BINBYTES",
            "BINBYTES8",
            "BYTEARRAY8",
            "SHORT_BINUNICODE",
            "BINUNICODE",
            "BINUNICODE8",
        ],
        _push_arg,
    ),
    "INT": _int,
    "LONG": _long,
    "FLOAT": _float,
    "STRING": _string,
    "UNICODE": _unicode,
    "NONE": _const(None),
    "NEWTRUE": _const(True),
    "NEWFALSE": _const(False),
    "NEXT_BUFFER": _next_buffer,
    "READONLY_BUFFER": _readonly,
    "EMPTY_LIST": _new("list"),
    "EMPTY_DICT": _new("dict"),
    "EMPTY_SET": _new("set"),
    "EMPTY_TUPLE": _const(()),
    "LIST": _list,
    "TUPLE": _tuple,
    "TUPLE1": _tuple_n(1),
    "TUPLE2": _tuple_n(2),
    "TUPLE3": _tuple_n(3),
    "DICT": _dict,
    "FROZENSET": _frozenset,
    "APPEND": _append,
    "APPENDS": _appends,
    "SETITEM": _setitem,
    "SETITEMS": _setitems,
    "ADDITEMS": _additems,
    "POP": _pop,
    "DUP": _dup,
    "MARK": _mark,
    "POP_MARK": _pop_mark,
    **dict.fromkeys(("GET", "BINGET", "LONG_BINGET"), _get),
    **dict.fromkeys(("PUT", "BINPUT", "LONG_BINPUT"), _put),
    "MEMOIZE": _memoize,
    "EXT1": _ext,
    "EXT2": _ext,
    "EXT4": _ext,
    "GLOBAL": _global,
    "STACK_GLOBAL": _stack_global,
    "INST": _inst,
    "REDUCE": _reduce,
    "BUILD": _build,
    "NEWOBJ": _newobj,
    "NEWOBJ_EX": _newobj_ex,
    "OBJ": _obj,
    "PERSID": _persid,
    "BINPERSID": _binpersid,
    "PROTO": _proto,
    "FRAME": _noop,
    "STOP": _stop,
}
