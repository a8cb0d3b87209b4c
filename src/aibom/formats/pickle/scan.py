"""Walk and judge the pickles in a content, and find pickles inside containers by what they are.

``scan_pickles`` walks every pickle stacked in a stream (``walk_stream``), and ``report`` turns the
walker's traces (``pickle_vm``) into findings under the active policy (``pickle_policy``): one per
offending global, plus breaks, anomalies, salvaged imports after a break, and nested payloads handed
back by content. ``inspect_nested`` is how every container (archives, torch zips, npz) hands back a
member, so that a pickle is found by content whatever it is called.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from aibom.artifacts import Artifact, Format, Kind, Subject
from aibom.catalog import FormatSpec
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe import (
    ARCHIVE_BOMB,
    PICKLE_ANOMALY,
    PICKLE_BROKEN,
    PICKLE_DANGEROUS_GLOBAL,
    PICKLE_ONLY_ALLOWLISTED,
    PICKLE_UNKNOWN_IMPORT,
    PICKLE_UNKNOWN_INVOKED,
    PICKLE_UNRESOLVED,
    UNSAFE_CHECKS,
)
from aibom.findings import Check, Finding, Severity
from aibom.formats.interface import (
    FormatError,
    InspectContext,
    Inspection,
    LimitExceeded,
    Opener,
)
from aibom.formats.pickle.joblib import joblib_build_hook
from aibom.formats.pickle.policy import Grade, Judgement, Policy, active_policy
from aibom.formats.pickle.state import WRAPPERS
from aibom.formats.pickle.values import Blob, GlobalRef, ImportRecord, Trace, describe
from aibom.formats.pickle.vm import BuildHook, PickleVM
from aibom.formats.streams import ByteSource, open_slice
from aibom.sources.classify import sniff_subject

PICKLE_SUFFIXES = (
    ".pkl",
    ".pickle",
    ".debug_pkl",
    ".joblib",
    ".dat",
    ".data",
    ".ckpt",
    ".pt",
    ".pth",
)
_CLASS_NAME = re.compile(r"^_*[A-Z][A-Za-z0-9_]*$")
_USER_DENIED = "denied by the user policy"
_SALVAGE = re.compile(
    rb"[ci]([A-Za-z_][\w.]{0,200})\n([A-Za-z_][\w.]{0,200})\n"
    rb"|\x8c[\x01-\xc8]([A-Za-z_][\w.]{0,200})\x94?\x8c[\x01-\xc8]([A-Za-z_][\w.]{0,200})\x94?\x93"
)


@dataclass
class StreamScan:
    traces: list[Trace]
    trailing: int = 0
    """Bytes after the last complete pickle that do not form another one."""
    trailing_at: int = 0
    capped_at: int | None = None
    """Where ``max_pickle_stacked`` stopped the walk with content left; None when it did not."""


def walk_stream(
    fh: BinaryIO,
    ctx: InspectContext,
    *,
    start: int = 0,
    max_pickles: int | None = None,
    hook: BuildHook | None = None,
) -> StreamScan:
    """Walk the pickles stacked from ``start``; stop at garbage, a break, or ``max_pickles``
    (default ``ctx.limits.max_pickle_stacked``; ``capped_at`` says where content was left unwalked)."""
    limits = ctx.limits
    cap = limits.max_pickle_stacked if max_pickles is None else max_pickles
    src = ByteSource(fh, 0)
    if src.skip(start) != start:
        return StreamScan(
            [Trace(start=start, error=(start, "content ends before the pickle starts"))]
        )
    scan = StreamScan([])
    while True:
        if len(scan.traces) >= cap:
            scan.capped_at = None if src.at_eof() else src.pos
            break
        at = src.pos
        trace = PickleVM(src, limits, hook or joblib_build_hook).walk()
        if scan.traces and trace.end is None and not trace.imports and trace.error:
            scan.trailing, scan.trailing_at = (trace.error[0] - at) + _rest(src), at
            break
        scan.traces.append(trace)
        if trace.end is None or src.at_eof():
            if trace.error:
                trace.salvage = src.read(limits.max_pickle_salvage_bytes)
            break
    return scan


def _rest(src: ByteSource) -> int:
    return src.skip(1 << 62)


def scan_pickles(
    ctx: InspectContext,
    opener: Opener,
    *,
    start: int = 0,
    max_pickles: int | None = None,
    emit_low: bool = True,
    what: str = "pickle",
) -> Inspection:
    """Walk and judge every pickle in the content ``opener`` opens (see ``report``). With an explicit
    ``max_pickles`` the format says how many there are, and what follows them is not examined here."""
    with opener() as fh:
        scan = walk_stream(fh, ctx, start=start, max_pickles=max_pickles)
    inspection = report(ctx, scan.traces, emit_low=emit_low, what=what)
    if max_pickles is not None:
        return inspection
    if scan.capped_at is not None:
        cap = ctx.limits.max_pickle_stacked
        message = f"more than {cap} pickles stacked in one stream; the rest was not walked"
        inspection.findings.append(ctx.finding(LIMIT_REACHED, message, offset=scan.capped_at))
        inspection.hit("max_pickle_stacked", covered=scan.capped_at)
    if scan.trailing:
        message = f"{scan.trailing} bytes after the final STOP are not a pickle"
        inspection.findings.append(ctx.finding(PICKLE_ANOMALY, message, offset=scan.trailing_at))
        inspection.merge(_trailing_content(ctx, opener, scan))
    return inspection


def _trailing_content(ctx: InspectContext, opener: Opener, scan: StreamScan) -> Inspection:
    at, size = scan.trailing_at, scan.trailing
    return ctx.inspect_member(f"@{at}", lambda: open_slice(opener, at, size), size)


def report(
    ctx: InspectContext,
    traces: Sequence[Trace],
    *,
    emit_low: bool = True,
    what: str = "pickle",
    policy: Policy | None = None,
) -> Inspection:
    """Findings for walked pickles: one per offending global, plus breaks, anomalies and nested data."""
    policy = policy or active_policy()
    out = Inspection()
    for number, trace in enumerate(traces):
        label = what if len(traces) == 1 else f"{what} #{number + 1} of {len(traces)}"
        out.findings.extend(_judge_imports(ctx, trace, policy, label))
        out.findings.extend(_structure(ctx, trace, label, first=number == 0))
        out.merge(_nested(ctx, trace, label))
        out.complete = out.complete and trace.limit is None and trace.end is not None
        if trace.limit is not None:
            out.hit(trace.limit_name or "limit", covered=trace.limit_at)
        elif trace.error is not None:
            out.hit("malformed", covered=trace.error[0])
        if trace.nested_dropped:
            out.hit("max_pickle_records")
    worst = max((f.effective_severity for f in out.findings), default=Severity.INFO)
    if emit_low and worst < Severity.LOW and traces:
        out.findings.append(_allowlisted_only(ctx, traces, policy, what))
    return out


def _judge_imports(ctx: InspectContext, trace: Trace, policy: Policy, label: str) -> list[Finding]:
    found = []
    for record in trace.imports.values():
        finding = _judge(ctx, record, policy, label)
        if finding is not None:
            found.append(finding)
    return found


def _judge(ctx: InspectContext, record: ImportRecord, policy: Policy, label: str) -> Finding | None:
    ref = record.ref
    if (ref.module, ref.name) in WRAPPERS:
        return None  # functools.partial is graded through what it wraps (state.unwrap)
    verdict = policy.judge(ref.module, ref.name, ref.proto)
    if set(record.roles) == {"attribute"} and verdict.reason != _USER_DENIED:
        return None  # getattr(Imported, "name"): judged as the import of Imported.name
    graded = grade_use(record, verdict, policy)
    if graded is None:
        return None
    check, severity, note = graded
    written = (
        ""
        if verdict.name == f"{ref.module}.{ref.name}"
        else f", written {ref.module!r} {ref.name!r}"
    )
    how = ", ".join(f"{u} at {o}" for u, o in sorted(record.uses.items(), key=lambda kv: kv[1])[:6])
    message = f"{label} imports {verdict.name}{note}{written}: {how or 'imported only'}"
    evidence = f"{ref.opcode} {ref.module} {ref.name} at offset {ref.offset}"
    return ctx.finding(check, message, severity=severity, offset=ref.offset, evidence=evidence)


def grade_use(
    record: ImportRecord, verdict: Judgement, policy: Policy
) -> tuple[Check, Severity, str] | None:
    """Severity by what loading does with the object (issue 12, item 1); None when it is clean.

    Denylisted: critical when called, rebuilt, modified or handed to a callee that may call it;
    high when only planted as a value (a library may call it after loading). Not allowlisted:
    a function called with file data is high, a class called directly (its ``__init__`` runs)
    medium, a class rebuilt through the reconstruction protocol low, a value only stored low.
    Changing an imported object in place is high whatever its grade."""
    roles = record.roles
    if verdict.grade is Grade.DENY:
        reason = f" ({verdict.reason})"
        if _may_run(record, policy):
            return PICKLE_DANGEROUS_GLOBAL, Severity.CRITICAL, reason
        planted = f"{reason}, planted as a value: the library may call it after loading"
        return PICKLE_DANGEROUS_GLOBAL, Severity.HIGH, planted
    if "modify" in roles:
        return (
            PICKLE_UNKNOWN_INVOKED,
            Severity.HIGH,
            " (an imported object is modified while loading)",
        )
    if verdict.grade is Grade.CALL:
        return None
    is_class = bool(_CLASS_NAME.match(verdict.name.rsplit(".", 1)[-1]))
    if "call" in roles:
        if verdict.grade is Grade.NEW:
            note = " (allowlisted for reconstruction only, called here: its __init__ runs)"
            return PICKLE_UNKNOWN_INVOKED, Severity.MEDIUM, note
        if is_class:
            note = " (an unreviewed class called with file data: its __init__ runs)"
            return PICKLE_UNKNOWN_INVOKED, Severity.MEDIUM, note
        return (
            PICKLE_UNKNOWN_INVOKED,
            Severity.HIGH,
            " (an unreviewed function called with file data)",
        )
    if verdict.grade is Grade.NEW:
        return None
    if "rebuild" in roles:
        return PICKLE_UNKNOWN_INVOKED, Severity.LOW, " (unreviewed class rebuilt)"
    return PICKLE_UNKNOWN_IMPORT, Severity.LOW, " (referenced only, never called while loading)"


def _may_run(record: ImportRecord, policy: Policy) -> bool:
    """Is the object called, rebuilt, changed, or handed to something that is not known to only store it?"""
    if record.roles.keys() & {"call", "rebuild", "modify"}:
        return True
    for callee in record.arg_of:
        if not isinstance(callee, GlobalRef):
            return True
        if policy.judge(callee.module, callee.name, callee.proto).grade is not Grade.CALL:
            return True
    return False


def _structure(ctx: InspectContext, trace: Trace, label: str, *, first: bool) -> list[Finding]:
    found = [
        ctx.finding(PICKLE_UNRESOLVED, f"{label}: {text}", offset=offset)
        for offset, text in trace.unresolved[:20]
    ]
    if trace.error is not None:
        found.append(_broken(ctx, trace, label))
        found.extend(_salvaged(ctx, trace, label))
    if trace.limit is not None:
        check = ARCHIVE_BOMB if trace.bomb else LIMIT_REACHED
        found.append(ctx.finding(check, f"{label}: walk stopped: {trace.limit}"))
    protos = trace.protocols
    if protos and (protos[0][0] != trace.start or len({v for _, v in protos}) > 1):
        text = ", ".join(f"PROTO {v} at {o}" for o, v in protos[:5])
        found.append(ctx.finding(PICKLE_ANOMALY, f"{label}: misplaced or changing PROTO ({text})"))
    return found


def _broken(ctx: InspectContext, trace: Trace, label: str) -> Finding:
    assert trace.error is not None
    offset, why = trace.error
    names = sorted({f"{r.ref.module}.{r.ref.name}" for r in trace.imports.values()})
    if names:
        shown = ", ".join(names[:10]) + (" ..." if len(names) > 10 else "")
        message = (
            f"{label}: {why} at offset {offset} after importing {shown}"
            " (what ran before the break is graded on its own)"
        )
        return ctx.finding(PICKLE_BROKEN, message, offset=offset)
    return ctx.finding(PICKLE_BROKEN, f"{label}: {why} at offset {offset}", offset=offset)


def _salvaged(ctx: InspectContext, trace: Trace, label: str) -> list[Finding]:
    data = trace.salvage
    policy, found = active_policy(), []
    for match in _SALVAGE.finditer(data):
        module, name = (g.decode() for g in match.groups() if g is not None)
        verdict = policy.judge(module, name, 2)
        if verdict.grade in (Grade.DENY, Grade.UNKNOWN):
            check = (
                PICKLE_DANGEROUS_GLOBAL if verdict.grade is Grade.DENY else PICKLE_UNKNOWN_IMPORT
            )
            text = f"{label}: import of {verdict.name} appears after the break (other unpicklers may reach it)"
            found.append(ctx.finding(check, text, evidence=match.group(0)[:120].decode("latin-1")))
        if len(found) >= 20:
            break
    return found


def _nested(ctx: InspectContext, trace: Trace, label: str) -> Inspection:
    out = Inspection()
    for callee, arg in trace.nested:
        loader = f"{callee.module}.{callee.name}"
        if isinstance(arg, Blob) and arg.kind == "bytes":
            name = f"@{arg.offset}({loader})"
            at, size = arg.offset, arg.length
            opener = ctx.open
            out.merge(
                inspect_nested(
                    ctx, name, functools.partial(open_slice, opener, at, size), size, force=True
                )
            )
        else:
            text = (
                f"{label}: {loader} deserializes {describe(arg)}, which is computed while loading"
            )
            out.findings.append(ctx.finding(PICKLE_UNRESOLVED, text, offset=callee.offset))
    return out


def _allowlisted_only(
    ctx: InspectContext, traces: Sequence[Trace], policy: Policy, what: str
) -> Finding:
    names = sorted(
        {
            policy.judge(r.ref.module, r.ref.name, r.ref.proto).name
            for t in traces
            for r in t.imports.values()
        }
    )
    shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "") if names else "no globals"
    message = f"{what} (pickle-based; prefer safetensors) uses only allowlisted objects: {shown}"
    return ctx.finding(PICKLE_ONLY_ALLOWLISTED, message)


# ---------------------------------------------------------------- members of containers


def looks_like_pickle(head: bytes, ctx: InspectContext) -> bool:
    """True when ``head`` walks as a pickle that imports something or reaches STOP."""
    if not head:
        return False
    trace = PickleVM(ByteSource(io.BytesIO(head)), ctx.limits).walk()
    return bool(trace.imports) or (trace.end is not None and trace.opcodes >= 2)


def inspect_nested(
    ctx: InspectContext, name: str, opener: Opener, size: int, *, force: bool = False
) -> Inspection:
    """Inspect a member by content; walk it as a pickle when it is one that classification missed."""
    try:
        with opener() as fh:
            head = fh.read(ctx.limits.head_bytes)
    except (OSError, EOFError, ValueError, FormatError, LimitExceeded) as exc:
        finding = ctx.finding(MALFORMED_FILE, f"member {name!r} cannot be read: {exc}")
        return Inspection(findings=[finding], complete=False)
    try:
        fmt = Format.UNKNOWN
        if ctx.catalog is not None:  # an inspector tested alone walks every member itself
            fmt, _ = sniff_subject(Subject(name, size, opener), head, ctx.catalog, ctx.limits)
    except (IndexError, OSError, EOFError, ValueError, FormatError, LimitExceeded):
        fmt = Format.UNKNOWN  # classify trips over some 1-byte heads (b"\x80"); walk it ourselves
        force = True
    if fmt not in (Format.UNKNOWN, Format.TEXT):
        return ctx.inspect_member(name, opener, size)
    if force or name.lower().endswith(PICKLE_SUFFIXES) or looks_like_pickle(head, ctx):
        return inspect_as_pickle(ctx, name, opener, head)
    return ctx.inspect_member(name, opener, size)


def member_context(
    ctx: InspectContext, name: str, opener: Opener, head: bytes = b""
) -> InspectContext | Inspection:
    """A child context for a member walked as a pickle, or the finding when nesting is too deep."""
    if ctx.depth + 1 > ctx.limits.max_nesting:
        text = f"containers nested deeper than {ctx.limits.max_nesting} levels; {name!r} not opened"
        out = Inspection(findings=[ctx.finding(LIMIT_REACHED, text)])
        out.hit("max_nesting")
        return out
    member = f"{ctx.member}!{name}" if ctx.member else name
    art = Artifact(ctx.artifact.ref, Kind.WEIGHTS, Format.PICKLE, "walked as a pickle", None, head)
    return ctx.child(art, opener, member)


def inspect_as_pickle(
    ctx: InspectContext, name: str, opener: Opener, head: bytes, *, emit_low: bool = True
) -> Inspection:
    """Walk a member as a pickle whatever classification says (it is what the loader will do)."""
    child = member_context(ctx, name, opener, head)
    if isinstance(child, Inspection):
        return child
    try:
        return scan_pickles(child, opener, emit_low=emit_low)
    except FormatError as exc:
        finding = child.finding(MALFORMED_FILE, f"pickle: {exc}", offset=exc.offset)
    except LimitExceeded as exc:
        finding = child.finding(LIMIT_REACHED, f"pickle: {exc}")
        out = Inspection(findings=[finding])
        out.hit(exc.limit or "limit")
        return out
    out = Inspection(findings=[finding])
    out.hit("malformed")
    return out


class PickleInspector:
    """A bare pickle stream (or several stacked): what ``pickle.load`` would run, statically."""

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(
            Format.PICKLE, Kind.WEIGHTS, (".pkl", ".pickle"), runs_code=True, fetch_members=True
        ),
    )
    checks: tuple[Check, ...] = UNSAFE_CHECKS

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        return scan_pickles(ctx, ctx.open)
