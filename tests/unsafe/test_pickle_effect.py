"""Issue 12 items 1 and 4: severity by what loading would do with each import, and no evasion
through the shape of the stream. Every payload would create a marker file if it were loaded."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.artifacts import Format
from aibom.findings import Finding, Severity
from aibom.limits import Limits
from aibom.scan import ScanOptions, ScanResult, scan
from tests.unsafe.payloads import Asm, evil_call, partial_call, planted, shell


def _scan(folder: Path) -> ScanResult:
    return scan(ScanOptions(targets=(folder,), use_cache=False))


def _mine(result: ScanResult, name: str) -> list[Finding]:
    return [f for f in result.findings if f.path.endswith(name)]


def _worst(findings: list[Finding]) -> Severity:
    return max((f.effective_severity for f in findings), default=Severity.INFO)


CASES: dict[str, tuple[Callable[[Path], bytes], Severity]] = {
    # called with file data
    "deny_called.pkl": (lambda m: evil_call("os", "system", shell(m)), Severity.CRITICAL),
    "unknown_function.pkl": (lambda m: evil_call("acme.ops", "run", shell(m)), Severity.HIGH),
    "unknown_class_init.pkl": (lambda m: evil_call("acme.nn", "Layer", 3), Severity.MEDIUM),
    "unknown_class_rebuilt.pkl": (
        lambda m: Asm(2).glob("acme.nn", "Layer").op(b")\x81}b.").bytes(),
        Severity.LOW,
    ),
    "reconstructor_rebuilt.pkl": (
        lambda m: (
            Asm(2)
            .glob("copyreg", "_reconstructor")
            .op(b"(")
            .glob("acme.nn", "Layer")
            .glob("builtins", "object")
            .op(b"NtR}b.")
            .bytes()
        ),
        Severity.LOW,
    ),
    # stored only
    "unknown_stored.pkl": (lambda m: planted("builtins", "hash"), Severity.LOW),
    "deny_planted.pkl": (lambda m: planted("os", "system"), Severity.HIGH),
    "deny_in_defaultdict.pkl": (
        lambda m: (
            Asm(2)
            .glob("collections", "defaultdict")
            .op(b"(")
            .glob("os", "system")
            .op(b"tR.")
            .bytes()
        ),
        Severity.HIGH,
    ),
    "deny_passed_to_unknown.pkl": (
        lambda m: (
            Asm(2).glob("acme.util", "apply").op(b"(").glob("os", "system").op(b"tR.").bytes()
        ),
        Severity.CRITICAL,
    ),
    # functools.partial graded as what it wraps
    "partial_deny_called.pkl": (
        lambda m: partial_call("os", "system", shell(m)),
        Severity.CRITICAL,
    ),
    "partial_deny_stored.pkl": (
        lambda m: partial_call("os", "system", shell(m), call=False),
        Severity.HIGH,
    ),
    "partial_unknown_called.pkl": (
        lambda m: partial_call("acme.ops", "run", shell(m)),
        Severity.HIGH,
    ),
    "partial_unknown_stored.pkl": (
        lambda m: partial_call("acme.ops", "run", 1, call=False),
        Severity.LOW,
    ),
    "partial_allowlisted.pkl": (
        lambda m: partial_call("collections", "OrderedDict", call=True),
        Severity.LOW,  # only the "pickle-based, uses only allowlisted objects" note
    ),
    "global_modified.pkl": (
        lambda m: Asm(2).glob("acme.nn", "Layer").op(b"}").ustr("x").int_(1).op(b"sb.").bytes(),
        Severity.HIGH,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_severity_by_effect(name: str, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    build, wanted = CASES[name]
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / name).write_bytes(build(marker))
    mine = _mine(_scan(folder), name)
    assert _worst(mine) == wanted, [
        (f.check.id, f.effective_severity.label, f.message) for f in mine
    ]
    assert not marker.exists()


def test_partial_allowlisted_names_what_it_wraps(tmp_path: Path) -> None:
    (tmp_path / "p.pkl").write_bytes(partial_call("collections", "OrderedDict"))
    mine = _mine(_scan(tmp_path), "p.pkl")
    assert [f.check.id for f in mine] == ["AIBOM-PKL-006"]
    assert "collections.OrderedDict" in mine[0].message


def test_truncated_stream_grades_what_ran_before_the_cut(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    full = evil_call("os", "system", shell(marker))
    (tmp_path / "cut.pkl").write_bytes(full[:-1])  # REDUCE ran, STOP missing
    mine = _mine(_scan(tmp_path), "cut.pkl")
    by_check = {f.check.id: f.effective_severity for f in mine}
    assert by_check == {"AIBOM-PKL-001": Severity.CRITICAL, "AIBOM-PKL-005": Severity.MEDIUM}
    assert not marker.exists()


@pytest.mark.parametrize("suffix", [".pkl", ".bin", ".model", ""])
def test_pickle_after_a_none_stream_is_walked_under_any_name(suffix: str, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    name = f"weights{suffix}"
    (tmp_path / name).write_bytes(b"N." + evil_call("os", "system", shell(marker)))
    mine = _mine(_scan(tmp_path), name)
    assert any(f.check.id == "AIBOM-PKL-001" and "#2 of 2" in f.message for f in mine), mine
    assert not marker.exists()


def test_many_streams_each_walked(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    stream = b"N." * 10 + b"\x80\x02K\x01." * 5 + evil_call("os", "system", shell(marker))
    (tmp_path / "s.pkl").write_bytes(stream)
    mine = _mine(_scan(tmp_path), "s.pkl")
    assert any(f.check.id == "AIBOM-PKL-001" and "#16 of 16" in f.message for f in mine), mine


def test_text_that_starts_like_a_pickle_stays_text(tmp_path: Path) -> None:
    (tmp_path / "NOTES").write_bytes(b"N.B. this folder holds the weights; see README.\n" * 40)
    result = _scan(tmp_path)
    assert not [f for f in result.findings if f.check.id.startswith("AIBOM-PKL")]


@pytest.mark.parametrize("opcode", [b"S", b"V"])
def test_protocol0_string_longer_than_any_line_limit(opcode: bytes, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    size = 3 * Limits().max_pickle_line
    quote = b"'" if opcode == b"S" else b""
    arg = quote + shell(marker).encode() + b" " * size + quote
    (tmp_path / "long.pkl").write_bytes(b"cos\nsystem\n(" + opcode + arg + b"\ntR.")
    mine = _mine(_scan(tmp_path), "long.pkl")
    assert {f.check.id for f in mine} == {"AIBOM-PKL-001"}, mine  # not "broken"
    assert not marker.exists()


def test_protocol0_long_string_without_its_quote_is_broken(tmp_path: Path) -> None:
    arg = b"'" + b"x" * (2 * Limits().max_pickle_line)
    (tmp_path / "bad.pkl").write_bytes(b"\x80\x01cacme\nf\n(S" + arg + b"\ntR.")
    mine = _mine(_scan(tmp_path), "bad.pkl")
    assert any(f.check.id == "AIBOM-PKL-005" and "quoted" in f.message for f in mine), mine


def _npy_v1(header: str, data: bytes) -> bytes:
    text = header.encode("latin-1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def test_numpy_header_written_by_python2_parses(tmp_path: Path) -> None:
    header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }"
    (tmp_path / "py2.npy").write_bytes(_npy_v1(header, b"\0" * 48))
    result = _scan(tmp_path)
    (art,) = [a for a in result.artifacts if a.ref.relpath.endswith("py2.npy")]
    assert art.format is Format.NUMPY
    assert not _mine(result, "py2.npy"), _mine(result, "py2.npy")


def test_joblib_zf_dump_found_by_content_and_walked(tmp_path: Path) -> None:
    import zlib

    marker = tmp_path / "MARKER"
    raw = Asm(2).call("os", "system", shell(marker)).stop().bytes()
    zf = b"ZF" + hex(len(raw)).encode().ljust(19) + zlib.compress(raw)
    (tmp_path / "model.pkl").write_bytes(zf)
    result = _scan(tmp_path)
    (art,) = [a for a in result.artifacts if a.ref.relpath.endswith("model.pkl")]
    assert art.format is Format.JOBLIB
    assert _worst(_mine(result, "model.pkl")) == Severity.CRITICAL
    assert not marker.exists()


def _getattr_then_call(owner: tuple[str, str], attr: str, *args: str) -> bytes:
    asm = Asm(2).glob("builtins", "getattr").op(b"(").glob(*owner).ustr(attr).op(b"tR")
    return asm.args(*args).op(b"R.").bytes()


def test_constant_getattr_is_graded_as_the_attribute_it_reads(tmp_path: Path) -> None:
    """Python 3.12+ pickles class methods as getattr(Class, "name"): pandas' tz-aware timestamps."""
    marker = tmp_path / "MARKER"
    (tmp_path / "tz.pkl").write_bytes(
        _getattr_then_call(("zoneinfo", "ZoneInfo"), "_unpickle", "UTC")
    )
    (tmp_path / "evil.pkl").write_bytes(_getattr_then_call(("os", "path"), "os", shell(marker)))
    (tmp_path / "walk.pkl").write_bytes(
        _getattr_then_call(("collections", "OrderedDict"), "__init_subclass__", "x")
    )
    result = _scan(tmp_path)
    tz = _mine(result, "tz.pkl")  # ZoneInfo itself is only referenced (low); getattr runs nothing
    assert _worst(tz) == Severity.LOW and not any(
        "imports builtins.getattr" in f.message for f in tz
    )
    assert _worst(_mine(result, "evil.pkl")) == Severity.CRITICAL
    walk = _mine(result, "walk.pkl")
    assert any("dunder" in f.message for f in walk) and _worst(walk) == Severity.CRITICAL
    assert not marker.exists()


def test_getattr_on_a_computed_value_stays_critical(tmp_path: Path) -> None:
    asm = Asm(2).glob("builtins", "getattr").op(b"(").glob("acme", "make").op(b")R")
    (tmp_path / "g.pkl").write_bytes(asm.ustr("run").op(b"tR.").bytes())
    mine = _mine(_scan(tmp_path), "g.pkl")
    assert any(f.check.id == "AIBOM-PKL-001" and "getattr" in f.message for f in mine), mine


def test_regex_method_kept_as_a_value_is_clean(tmp_path: Path) -> None:
    """spaCy's tokenizer pickles getattr(re._compile(pattern, flags), "search")."""
    asm = Asm(2).glob("builtins", "getattr").op(b"(").glob("re", "_compile")
    asm.op(b"(").ustr("^a+").int_(32).op(b"tR").ustr("search").op(b"tR.")
    (tmp_path / "tok.pkl").write_bytes(asm.bytes())
    assert [f.check.id for f in _mine(_scan(tmp_path), "tok.pkl")] == ["AIBOM-PKL-006"]


def test_harvested_allowlist_entries_name_their_writer() -> None:
    from aibom.formats.pickle.allowlist import CALL, HARVESTED_CALL

    for module, (names, writer) in HARVESTED_CALL.items():
        assert writer.strip() and names.split()
        assert set(names.split()) <= set(CALL[module].split())
