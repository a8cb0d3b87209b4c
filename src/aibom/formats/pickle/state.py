"""The simulated unpickler's state: stack, MARK frames, memo, and the record of imports and their uses.

Opcode handlers (``ops``) change only this state; ``PickleVM`` (``vm``) reads opcodes and their arguments
and calls the handlers. Keeping the state here lets both import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable

from aibom.formats.pickle.values import (
    Box,
    Call,
    GlobalRef,
    ImportRecord,
    PickleError,
    Trace,
    Unknown,
    WalkLimit,
    describe,
)
from aibom.formats.streams import ByteSource
from aibom.limits import Limits

NESTED_LOADERS = frozenset(
    {
        ("torch.storage", "_load_from_bytes"),
        ("pickle", "loads"),
        ("_pickle", "loads"),
        ("cPickle", "loads"),
        ("dill", "loads"),
        ("dill._dill", "loads"),
        ("cloudpickle", "loads"),
        ("numpy", "loads"),
        ("joblib", "load"),
        ("torch", "load"),
    }
)
"""Callables that deserialize a bytes argument; their literal payloads are scanned as nested content."""

WRAPPERS = frozenset({("functools", "partial"), ("_functools", "partial")})
"""Callables whose result calls its first argument when called: graded as that argument would be."""

ARGUMENT_ROLES: dict[tuple[str, str] | None, dict[int, str]] = {
    ("copyreg", "_reconstructor"): {0: "rebuild", 1: "call"},  # base.__init__ runs unless object
    ("copyreg", "__newobj__"): {0: "rebuild"},
    ("copyreg", "__newobj_ex__"): {0: "rebuild"},
    ("numpy.core.multiarray", "_reconstruct"): {0: "rebuild"},
    ("numpy._core.multiarray", "_reconstruct"): {0: "rebuild"},
    ("numpy.core._internal", "_reconstruct"): {0: "rebuild"},
    ("dill._dill", "_create_array"): {0: "call"},  # f(*args), then state set on the array
    ("torch._utils", "_rebuild_from_type"): {0: "call", 1: "rebuild"},
    ("torch._utils", "_rebuild_from_type_v2"): {0: "call", 1: "rebuild"},
    ("torch._tensor", "_rebuild_from_type"): {0: "call", 1: "rebuild"},
    ("torch._tensor", "_rebuild_from_type_v2"): {0: "call", 1: "rebuild"},
    ("torch._utils", "_rebuild_wrapper_subclass"): {0: "rebuild"},
}
"""Allowlisted callables that rebuild (``cls.__new__``) or call an argument, by position."""


def unwrap(value: object) -> object:
    """What calling ``value`` calls: the wrapped callable of a ``functools.partial``, else itself."""
    for _ in range(16):
        if not (isinstance(value, Call) and isinstance(value.callee, GlobalRef)):
            return value
        if (value.callee.module, value.callee.name) not in WRAPPERS:
            return value
        args = value.args
        if not (isinstance(args, tuple) and args):
            return Unknown("functools.partial without a callable")
        value = args[0]
    return value


BuildHook = Callable[["VMState", object, object], None]
"""Called after each BUILD with (vm, built object, state): joblib reads raw arrays that follow."""


class VMState:
    """What a walk has built so far. ``_op_pos`` is the offset of the opcode being run."""

    def __init__(
        self, src: ByteSource, limits: Limits, build_hook: BuildHook | None = None
    ) -> None:
        self.src = src
        self.limits = limits
        self.build_hook = build_hook
        self.trace = Trace(start=src.pos)
        self.stack: list[object] = []
        self.frames: list[list[object]] = []
        self.memo: dict[int, object] = {}
        self.proto = 0
        self.depth = 0
        """Nesting of pickles walked inside this one (joblib object arrays)."""

    _op_pos = 0

    # ------------------------------------------------------------ stack

    def push(self, value: object) -> None:
        if len(self.stack) >= self.limits.max_stack_depth:
            raise WalkLimit(
                f"simulated stack deeper than {self.limits.max_stack_depth}",
                limit="max_stack_depth",
            )
        self.stack.append(value)

    def pop(self) -> object:
        if not self.stack:
            raise PickleError("stack underflow")
        return self.stack.pop()

    def top(self) -> object:
        if not self.stack:
            raise PickleError("stack underflow")
        return self.stack[-1]

    def mark(self) -> None:
        if len(self.frames) >= self.limits.max_stack_depth:
            raise WalkLimit(
                f"more than {self.limits.max_stack_depth} nested MARKs", limit="max_stack_depth"
            )
        self.frames.append(self.stack)
        self.stack = []

    def pop_mark(self) -> list[object]:
        if not self.frames:
            raise PickleError("MARK expected but missing")
        items = self.stack
        self.stack = self.frames.pop()
        return items

    def memo_put(self, index: int, value: object) -> None:
        if index < 0:
            raise PickleError("negative memo index")
        if index not in self.memo and len(self.memo) >= self.limits.max_stack_depth:
            value = value if isinstance(value, GlobalRef | str) else Unknown("memo overflow")
            if len(self.memo) >= 10 * self.limits.max_stack_depth:
                raise WalkLimit(
                    f"more than {10 * self.limits.max_stack_depth} memo entries",
                    limit="max_stack_depth",
                )
        self.memo[index] = value

    def memo_get(self, index: int) -> object:
        if index not in self.memo:
            raise PickleError(f"memo has no entry {index}")
        return self.memo[index]

    # ------------------------------------------------------------ imports and uses

    def import_global(self, module: str, name: str, opcode: str) -> GlobalRef:
        ref = GlobalRef(module, name, self.proto, self._op_pos, opcode)
        key = (module, name, self.proto < 3)
        record = self.trace.imports.get(key)
        if record is None:
            if len(self.trace.imports) >= self.limits.max_pickle_imports:
                raise WalkLimit(
                    f"more than {self.limits.max_pickle_imports} distinct imports",
                    limit="max_pickle_imports",
                )
            record = self.trace.imports[key] = ImportRecord(ref)
        record.count += 1
        return record.ref

    def note(self, text: str) -> None:
        """Record an operation that cannot be resolved without running the pickle (the first ones)."""
        if len(self.trace.unresolved) < self.limits.max_pickle_records:
            self.trace.unresolved.append((self._op_pos, text))

    def use(self, value: object, how: str, role: str = "ref", callee: object = None) -> None:
        """Record a use of an imported object (``how`` for messages, ``role`` for grading)."""
        target = value if role == "modify" else unwrap(value)
        if not isinstance(target, GlobalRef):
            return
        if target is not value and role == "ref":
            how = f"{how}, wrapped by functools.partial"
        record = self.trace.imports[(target.module, target.name, target.proto < 3)]
        record.uses.setdefault(how, self._op_pos)
        record.roles.setdefault(role, self._op_pos)
        if role == "arg" and len(record.arg_of) < 8 and callee not in record.arg_of:
            record.arg_of.append(callee)

    def use_arguments(self, value: object, callee: object, *, stored: bool = False) -> None:
        """Mark imported objects found anywhere inside ``value`` as passed to ``callee``: rebuilt or
        called for the argument positions of ``ARGUMENT_ROLES``, ``stored`` into an instance (BUILD,
        APPEND ...) or by a wrapper, otherwise handed to a callee that may call them."""
        how = f"passed to {describe(callee)}"
        target = callee if stored else unwrap(callee)
        key = (target.module, target.name) if isinstance(target, GlobalRef) else None
        positions = ARGUMENT_ROLES.get(key, {}) if key else {}
        default, who = "arg", target if isinstance(target, GlobalRef) else None
        if (
            stored
            or key in WRAPPERS
            or (isinstance(callee, Unknown) and callee.why == "persistent_load")
        ):
            default, who = "ref", None
        top = list(value) if isinstance(value, tuple) else [value]
        todo = [(item, positions.get(i, default)) for i, item in enumerate(top)]
        seen = 0
        while todo and seen < self.limits.max_pickle_scan_values:
            item, role = todo.pop()
            seen += 1
            if isinstance(unwrap(item), GlobalRef):
                self.use(item, how, role, who)
            elif isinstance(item, tuple | list):
                todo.extend((x, default) for x in item)
            elif isinstance(item, Box):
                todo.extend((x, default) for x in item.items)

    def invoke(self, callee: object, args: object, how: str) -> Call:
        target = unwrap(callee)
        if isinstance(target, GlobalRef):
            role = "rebuild" if how.startswith("NEWOBJ") else "call"
            through = how if target is callee else f"{how} through functools.partial"
            self.use(target, through, role)
            self._maybe_nested(target, args)
        else:
            self.note(f"{how} calls {describe(callee)}, computed while loading")
        self.use_arguments(args, callee)
        return Call(callee, args, self._op_pos)

    def _maybe_nested(self, callee: GlobalRef, args: object) -> None:
        nested = self.trace.nested
        if (callee.module, callee.name) not in NESTED_LOADERS:
            return
        if len(nested) >= self.limits.max_pickle_records:
            self.trace.nested_dropped += 1  # the call is judged; its payload is not scanned
            return
        first = args[0] if isinstance(args, tuple) and args else args
        nested.append((callee, first))
