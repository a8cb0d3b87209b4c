"""Builders for hostile and benign pickle-family inputs: a tiny pickle assembler, byte-level zip writer
(so tests can set every header field, like an attacker), torch layouts as torch writes them, legacy
torch files, .npy files and archives. Nothing here loads anything."""

from __future__ import annotations

import io
import struct
import tarfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Arg = str | bytes | int | None | list["Arg"] | tuple["Arg", ...]


class Asm:
    """Emit pickle opcodes one by one (chainable); ``bytes()`` gives the stream."""

    def __init__(self, proto: int | None = 2) -> None:
        self.out = bytearray()
        self.proto = proto or 0
        if proto is not None and proto >= 2:
            self.op(b"\x80" + bytes([proto]))

    def op(self, raw: bytes) -> Asm:
        self.out += raw
        return self

    def glob(self, module: str, name: str) -> Asm:
        return self.op(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def inst(self, module: str, name: str) -> Asm:
        return self.op(b"i" + module.encode() + b"\n" + name.encode() + b"\n")

    def ustr(self, text: str) -> Asm:
        data = text.encode()
        if len(data) < 256 and self.proto >= 4:
            return self.op(b"\x8c" + bytes([len(data)]) + data)
        return self.op(b"X" + struct.pack("<I", len(data)) + data)

    def string0(self, text: str) -> Asm:
        return self.op(b"S" + repr(text).encode() + b"\n")

    def raw_bytes(self, data: bytes) -> Asm:
        if len(data) < 256:
            return self.op(b"C" + bytes([len(data)]) + data)
        return self.op(b"B" + struct.pack("<I", len(data)) + data)

    def int_(self, value: int) -> Asm:
        return self.op(b"J" + struct.pack("<i", value))

    def stack_global(self, module: str, name: str) -> Asm:
        return self.ustr(module).ustr(name).op(b"\x93")

    def value(self, arg: Arg) -> Asm:
        if isinstance(arg, str):
            return self.ustr(arg)
        if isinstance(arg, bytes):
            return self.raw_bytes(arg)
        if isinstance(arg, bool) or arg is None:
            return self.op({True: b"\x88", False: b"\x89", None: b"N"}[arg])
        if isinstance(arg, int):
            return self.int_(arg)
        self.op(b"(")
        for item in arg:
            self.value(item)
        return self.op(b"l" if isinstance(arg, list) else b"t")

    def args(self, *args: Arg) -> Asm:
        return self.value(tuple(args))

    def call(self, module: str, name: str, *args: Arg) -> Asm:
        return self.glob(module, name).args(*args).op(b"R")

    def memoize(self) -> Asm:
        return self.op(b"\x94")

    def binput(self, index: int) -> Asm:
        return self.op(b"q" + bytes([index]))

    def binget(self, index: int) -> Asm:
        return self.op(b"h" + bytes([index]))

    def pop(self) -> Asm:
        return self.op(b"0")

    def stop(self) -> Asm:
        return self.op(b".")

    def bytes(self) -> bytes:
        return bytes(self.out)


def evil_call(module: str, name: str, *args: Arg, proto: int = 2) -> bytes:
    """The classic payload: import a callable, call it on ``args``, stop."""
    return Asm(proto).call(module, name, *args).stop().bytes()


def shell(marker: Path) -> str:
    return f"touch {marker}"


def python_src(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('pwned')"


def benign_pickle() -> bytes:
    return Asm(2).glob("collections", "OrderedDict").op(b")R").stop().bytes()


# ---------------------------------------------------------------- zip at the byte level


@dataclass
class Member:
    name: str
    data: bytes
    method: int = 0
    flags: int = 0
    local_name: str | None = None
    crc: int | None = None
    extra: bytes = b""
    in_cd: bool = True
    descriptor: bool = False


@dataclass
class ZipSpec:
    members: list[Member] = field(default_factory=list)
    prepend: bytes = b""
    zip64: bool = False


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def build_zip(spec: ZipSpec) -> bytes:
    out = bytearray(spec.prepend)
    central = bytearray()
    count = 0
    for m in spec.members:
        body = _deflate(m.data) if m.method == 8 else m.data
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        lname = (m.local_name if m.local_name is not None else m.name).encode()
        offset = len(out) - len(
            spec.prepend
        )  # offsets count from the zip, as `cat junk a.zip` leaves them
        lcrc, lcs, lus = (0, 0, 0) if m.descriptor else (crc, len(body), len(m.data))
        out += struct.pack(
            "<4s5H3I2H",
            b"PK\x03\x04",
            20,
            m.flags,
            m.method,
            0,
            0,
            lcrc,
            lcs,
            lus,
            len(lname),
            len(m.extra),
        )
        out += lname + m.extra + body
        if m.descriptor:
            out += struct.pack("<4s3I", b"PK\x07\x08", crc, len(body), len(m.data))
        if not m.in_cd:
            continue
        count += 1
        name = m.name.encode()
        central += struct.pack(
            "<4s6H3I5HII",
            b"PK\x01\x02",
            20,
            20,
            m.flags,
            m.method,
            0,
            0,
            crc,
            len(body),
            len(m.data),
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    cd_offset = len(out) - len(spec.prepend)
    out += central
    if spec.zip64:
        z64 = len(out) - len(spec.prepend)
        out += struct.pack(
            "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central), cd_offset
        )
        out += struct.pack("<4sIQI", b"PK\x06\x07", 0, z64, 1)
    out += struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(central), cd_offset, 0)
    return bytes(out)


def local_record(name: str, data: bytes) -> bytes:
    """One stored local-header record, as found before a self-extracting archive's real zip."""
    head = struct.pack(
        "<4s5H3I2H",
        b"PK\x03\x04",
        20,
        0,
        0,
        0,
        0,
        zlib.crc32(data),
        len(data),
        len(data),
        len(name),
        0,
    )
    return head + name.encode() + data


def _torch_padding(offset: int, name: str) -> bytes:
    start = offset + 30 + len(name) + 4
    pad = (-start) % 64
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def torch_zip(
    data_pkl: bytes,
    prefix: str = "archive",
    storages: Sequence[bytes] = (b"\x00" * 16,),
    extra: Sequence[Member] = (),
) -> bytes:
    """A zip laid out as torch.save writes it: 64-byte aligned stored records with data descriptors,
    flag bits 0x0808, records in torch's order, version and serialization id last."""
    records = [
        (f"{prefix}/data.pkl", data_pkl),
        (f"{prefix}/.format_version", b"1"),
        (f"{prefix}/.storage_alignment", b"64"),
        (f"{prefix}/byteorder", b"little"),
    ]
    records += [(f"{prefix}/data/{i}", s) for i, s in enumerate(storages)]
    records += [(f"{prefix}/version", b"3\n"), (f"{prefix}/.data/serialization_id", b"0" * 40)]
    members, offset = [], 0
    for name, data in records:
        pad = _torch_padding(offset, name)
        members.append(Member(name, data, flags=0x0808, extra=pad, descriptor=True))
        offset += 30 + len(name) + len(pad) + len(data) + 16
    return build_zip(ZipSpec([*members, *extra], zip64=True))


def torch_state_dict_pickle(tensors: int = 2, *, legacy: bool = False) -> bytes:
    """data.pkl of a state dict as torch writes it (protocol 2, persistent ids for storages)."""
    asm = Asm(2).glob("collections", "OrderedDict").binput(0).op(b")R").binput(1).op(b"(")
    for i in range(tensors):
        asm.ustr(f"layer.{i}").glob("torch._utils", "_rebuild_tensor_v2").op(b"((")
        asm.ustr("storage").glob("torch", "FloatStorage").ustr(str(i)).ustr("cpu").int_(4)
        asm.op(b"NtQ" if legacy else b"tQ").int_(0).value((2, 2)).value((2, 1)).op(b"\x89").binget(
            0
        ).op(b")RtR")
    return asm.op(b"u").stop().bytes()


# ---------------------------------------------------------------- legacy torch, tar, npy


LEGACY_MAGIC = bytes.fromhex("80028a0a6cfc9c46f9206aa85019") + b"."


def legacy_torch(data_pickle: bytes, keys_pickle: bytes | None = None) -> bytes:
    proto = Asm(2).int_(1001).stop().bytes()
    sys_info = Asm(2).op(b"}").ustr("little_endian").op(b"\x88s").stop().bytes()
    keys = keys_pickle or Asm(2).value(["0"]).stop().bytes()
    # one FloatStorage of 4 elements, as _legacy_save writes it: 8-byte count, then the raw data
    storage = struct.pack("<q", 4) + b"\x00" * 16
    return LEGACY_MAGIC + proto + sys_info + data_pickle + keys + storage


def tar_bytes(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


def legacy_tar(pickle_member: bytes, storages_pickle: bytes | None = None) -> bytes:
    """torch's pre-1.0 tar format: storages and tensors interleave pickles with raw data."""
    args = (
        Asm(2)
        .value(("0", "cpu"))
        .pop()
        .ustr("0")
        .ustr("cpu")
        .glob("torch", "FloatStorage")
        .op(b"\x87")
        .stop()
    )
    storages = Asm(2).int_(1).stop().bytes() + (storages_pickle or args.bytes())
    storages += struct.pack("<q", 4) + b"\x00" * 16 + Asm(2).value([]).stop().bytes()
    tensors = Asm(2).int_(1).stop().bytes() + Asm(2).value(("t0", "0", None)).stop().bytes()
    tensors += struct.pack("<ii", 1, 0) + struct.pack("<qqq", 4, 1, 0)
    return tar_bytes(
        {
            "sys_info": Asm(2).op(b"}").stop().bytes(),
            "pickle": pickle_member,
            "storages": storages,
            "tensors": tensors,
        }
    )


def npy(header: str, data: bytes, version: int = 1) -> bytes:
    raw = header.encode("latin-1" if version < 3 else "utf-8")
    pre = 10 if version == 1 else 12
    raw += b" " * ((-(pre + len(raw) + 1)) % 64) + b"\n"
    size = struct.pack("<H", len(raw)) if version == 1 else struct.pack("<I", len(raw))
    return b"\x93NUMPY" + bytes([version, 0]) + size + raw + data


def npy_object(pickle_bytes: bytes, version: int = 1) -> bytes:
    return npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", pickle_bytes, version)


# ---------------------------------------------------------------- one payload per published technique


@dataclass(frozen=True)
class Technique:
    """A published bypass: files to write (given the marker path the payload would create), and the
    check id and severity aibom must report."""

    name: str
    reference: str
    build: object  # Callable[[Path], dict[str, bytes]]
    check: str
    severity: str


def _pkl(name: str, payload: bytes) -> dict[str, bytes]:
    return {name: payload}


def _sys(m: Path) -> bytes:
    return evil_call("os", "system", shell(m))


def _memo_desync(m: Path) -> bytes:
    # picklescan#22: PUT right after POP stores the real stack top, which backward-walking scanners miss
    asm = Asm(4).ustr("posix").memoize().ustr("system").memoize()  # memo 0 = 'posix', 1 = 'system'
    asm.ustr("decoy").pop().memoize()  # memo 2 = 'system' (the top after POP), not 'decoy'
    asm.pop().pop().binget(0).binget(2).op(b"\x93").args(shell(m)).op(b"R")
    return asm.stop().bytes()


def _build_smuggling(m: Path) -> bytes:
    # modelscan#85: BUILD writes attributes on an imported function, dotted GLOBALs read them back
    asm = Asm(4).glob("collections", "namedtuple").op(b"N}").ustr("m").ustr("posix").op(b"s")
    asm.ustr("n").ustr("system").op(b"s\x86b0")
    asm.glob("collections", "namedtuple.m").glob("collections", "namedtuple.n").op(b"\x93")
    return asm.args(shell(m)).op(b"R").stop().bytes()


def _dotted_builtins(m: Path) -> bytes:
    # modelscan#89: dotted find_class walks attributes: collections.__builtins__ -> dict.get -> exec
    asm = Asm(4).stack_global("collections", "__builtins__").memoize().pop()
    asm.stack_global("builtins", "dict.get").binget(0).ustr("exec").op(b"\x86R")
    return asm.args(python_src(m)).op(b"R").stop().bytes()


def _marshal_function(m: Path) -> bytes:
    # picklescan PR#74 / fickling GHSA-565g-hwwr-4pp3: marshal.loads + types.FunctionType
    code = compile(python_src(m), "<x>", "exec")
    import marshal

    asm = Asm(4).stack_global("marshal", "loads").raw_bytes(marshal.dumps(code)).op(b"\x85R\x94")
    asm.stack_global("types", "FunctionType").binget(0).op(b"}\x86R)R")
    return asm.stop().bytes()


def _getattr_chain(module: str, cls: str, meth: str, arg: str) -> bytes:
    asm = Asm(4).stack_global("builtins", "getattr").stack_global(module, cls).op(b")R")
    return asm.ustr(meth).op(b"\x86R").args(arg).op(b"R").stop().bytes()


def _stacked_after_benign(m: Path) -> bytes:
    return benign_pickle() + _sys(m)


def _broken_nullifai(m: Path) -> bytes:
    # ReversingLabs nullifAI: REDUCE first, then an invalid opcode breaks the stream
    return Asm(2).call("os", "system", shell(m)).op(b"\xff\xfe").bytes()


def _ext_code(m: Path) -> bytes:
    return Asm(2).op(b"\x82\x07").args(shell(m)).op(b"R").stop().bytes()


def _computed_stack_global(m: Path) -> bytes:
    asm = Asm(4).stack_global("builtins", "str").args("posix").op(b"R").ustr("system").op(b"\x93")
    return asm.args(shell(m)).op(b"R").stop().bytes()


def _nested_pickle_loads(m: Path) -> bytes:
    return Asm(2).call("pickle", "loads", _sys(m)).stop().bytes()


def _load_from_bytes(m: Path) -> bytes:
    inner = torch_zip(_sys(m))
    return Asm(2).call("torch.storage", "_load_from_bytes", inner).stop().bytes()


def _big_payload_then_evil(m: Path) -> bytes:
    return (
        Asm(4).raw_bytes(b"\x00" * 300_000).op(b"0").call("os", "system", shell(m)).stop().bytes()
    )


def _zip_member(m: Path, **kw: object) -> bytes:
    evil = Member("archive/data.pkl", _sys(m), **kw)  # type: ignore[arg-type]
    return build_zip(ZipSpec([evil, Member("archive/version", b"3\n")]))


def _dup_names(m: Path) -> bytes:
    spec = ZipSpec(
        [
            Member("archive/data.pkl", benign_pickle()),
            Member("archive/data.pkl", _sys(m)),
            Member("archive/version", b"3\n"),
        ]
    )
    return build_zip(spec)


def _case_variant(m: Path) -> bytes:
    spec = ZipSpec([Member("archive/version", b"3\n"), Member("archive/DATA.PKL", _sys(m))])
    return build_zip(spec)


def _local_only(m: Path) -> bytes:
    spec = ZipSpec(
        [
            Member("archive/data.pkl", benign_pickle()),
            Member("archive/hidden.pkl", _sys(m), in_cd=False),
            Member("archive/version", b"3\n"),
        ]
    )
    return build_zip(spec)


def _seven_zip(m: Path, name: str, payload: bytes) -> bytes:
    import py7zr

    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.writestr(payload, name)
    return buf.getvalue()


def _joblib_after_array(m: Path, compress: object = 0) -> bytes:
    import os
    import tempfile

    import joblib  # type: ignore[import-untyped, unused-ignore]
    import numpy as np

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (shell(m),))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.joblib"
        joblib.dump([np.arange(1000, dtype=np.float64), Evil()], path, compress=compress)
        return path.read_bytes()


def _gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def _gadget(
    module: str, name: str, arg: Callable[[Path], str]
) -> Callable[[Path], dict[str, bytes]]:
    return lambda m: _pkl("m.pkl", evil_call(module, name, arg(m)))


def _joblib_compressed(method: str) -> Callable[[Path], dict[str, bytes]]:
    return lambda m: _pkl(f"m.{method}.joblib", _joblib_after_array(m, (method, 3)))


def partial_call(module: str, name: str, *args: Arg, call: bool = True) -> bytes:
    """functools.partial(module.name, *args), then called with no arguments (or stored in a dict)."""
    asm = Asm(2)
    if not call:
        asm.op(b"}").ustr("hashfxn")
    asm.glob("functools", "partial").op(b"(").glob(module, name)
    for arg in args:
        asm.value(arg)
    asm.op(b"tR")
    return asm.op(b")R." if call else b"s.").bytes()


def planted(module: str, name: str) -> bytes:
    """A model whose ``hashfxn`` attribute is ``module.name``: stored, never called while loading."""
    return Asm(2).op(b"}").ustr("hashfxn").glob(module, name).op(b"s.").bytes()


def effect_techniques() -> list[Technique]:
    """Issue 12 item 1: severity says what loading does with each import."""
    T = Technique
    return [
        T(
            "partial_os_system_called",
            "functools.partial wrapper",
            lambda m: _pkl("m.pkl", partial_call("os", "system", shell(m))),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "partial_os_system_planted",
            "functools.partial wrapper",
            lambda m: _pkl("m.pkl", partial_call("os", "system", shell(m), call=False)),
            "AIBOM-PKL-001",
            "high",
        ),
        T(
            "planted_os_system_hashfxn",
            "gensim hashfxn attribute",
            lambda m: _pkl("m.pkl", planted("os", "system")),
            "AIBOM-PKL-001",
            "high",
        ),
        T(
            "unknown_function_called",
            "allowlist, not denylist",
            lambda m: _pkl("m.pkl", evil_call("mypkg.evil", "run", shell(m))),
            "AIBOM-PKL-002",
            "high",
        ),
        T(
            "unknown_function_via_partial",
            "functools.partial wrapper",
            lambda m: _pkl("m.pkl", partial_call("mypkg.evil", "run", shell(m))),
            "AIBOM-PKL-002",
            "high",
        ),
        T(
            "unknown_class_reduced",
            "allowlist, not denylist",
            lambda m: _pkl("m.pkl", evil_call("mypkg.evil", "Thing", shell(m))),
            "AIBOM-PKL-002",
            "medium",
        ),
        T(
            "reconstructor_base_init",
            "copyreg._reconstructor runs base.__init__",
            lambda m: _pkl(
                "m.pkl",
                Asm(2)
                .glob("copyreg", "_reconstructor")
                .op(b"(")
                .glob("builtins", "object")
                .glob("os", "system")
                .ustr(shell(m))
                .op(b"tR.")
                .bytes(),
            ),
            "AIBOM-PKL-001",
            "critical",
        ),
    ]


def stream_shape_techniques() -> list[Technique]:
    """Issue 12 item 4: no evasion through the shape of the stream."""
    T = Technique
    return [
        T(
            "truncated_after_reduce",
            "ReversingLabs nullifAI",
            lambda m: _pkl("m.pkl", Asm(2).call("os", "system", shell(m)).bytes()),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "second_stream_after_none",
            "bytes after STOP",
            lambda m: _pkl("m.pkl", b"N." + _sys(m)),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "second_stream_after_none_bin",
            "bytes after STOP, any extension",
            lambda m: _pkl("weights.bin", b"N." + _sys(m)),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "many_streams",
            "stacked pickles",
            lambda m: _pkl("m.pkl", b"N." * 5 + benign_pickle() * 3 + _sys(m)),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "protocol0_long_string",
            "fixed line limits",
            lambda m: _pkl(
                "m.pkl", b"cos\nsystem\n(S'" + shell(m).encode() + b";" * 300_000 + b"'\ntR."
            ),
            "AIBOM-PKL-001",
            "critical",
        ),
        T(
            "protocol0_long_unicode",
            "fixed line limits",
            lambda m: _pkl(
                "m.pkl", b"cos\nsystem\n(V" + shell(m).encode() + b" " * 300_000 + b"\ntR."
            ),
            "AIBOM-PKL-001",
            "critical",
        ),
    ]


def techniques() -> list[Technique]:
    crit, high, med = "critical", "high", "medium"
    T = Technique
    return [
        T(
            "pip_main",
            "CVE-2025-1716",
            lambda m: _pkl("m.pkl", evil_call("pip", "main", ["--log", str(m), "--version"])),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "disguised_as_safetensors",
            "CVE-2025-1889",
            lambda m: _pkl("model.safetensors", _sys(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "disguised_as_bin_and_no_suffix",
            "CVE-2025-10155",
            lambda m: {"pytorch_model.bin": _sys(m), "weights": _sys(m)},
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "npy_object_array_renamed",
            "CVE-2025-1889 (np.load sniffs magic)",
            lambda m: _pkl("weights.dat", npy_object(_sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "zip_local_name_differs",
            "CVE-2025-1944",
            lambda m: _pkl("model.pt", _zip_member(m, local_name="archive/other.pkl")),
            "AIBOM-ZIP-001",
            med,
        ),
        T(
            "zip_local_name_differs_payload",
            "CVE-2025-1944",
            lambda m: _pkl("model.pt", _zip_member(m, local_name="archive/other.pkl")),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "zip_flag_bits",
            "CVE-2025-1945",
            lambda m: _pkl("model.pt", _zip_member(m, flags=0x1002)),
            "AIBOM-ZIP-003",
            med,
        ),
        T(
            "zip_flag_bits_payload",
            "CVE-2025-1945",
            lambda m: _pkl("model.pt", _zip_member(m, flags=0x1002)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "zip_bad_crc",
            "CVE-2025-10156",
            lambda m: _pkl("model.pt", _zip_member(m, crc=0x1234)),
            "AIBOM-ZIP-002",
            med,
        ),
        T(
            "zip_bad_crc_payload",
            "CVE-2025-10156",
            lambda m: _pkl("model.pt", _zip_member(m, crc=0x1234)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "asyncio_submodule",
            "CVE-2025-10157",
            lambda m: _pkl(
                "m.pkl", evil_call("asyncio.unix_events", "_UnixSubprocessTransport", shell(m))
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "nullifai_7z_broken_pickle",
            "ReversingLabs nullifAI",
            lambda m: _pkl("model.7z", _seven_zip(m, "archive/data.pkl", _broken_nullifai(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "nullifai_7z_member_not_pkl",
            "ReversingLabs nullifAI",
            lambda m: _pkl("model.7z", _seven_zip(m, "weights.bin", _broken_nullifai(m))),
            "AIBOM-PKL-001",  # the REDUCE before the break runs: graded as such
            crit,
        ),
        T(
            "nullifai_broken_raw",
            "ReversingLabs nullifAI",
            lambda m: _pkl("m.pkl", _broken_nullifai(m)),
            "AIBOM-PKL-001",  # the REDUCE before the break runs: graded as such
            crit,
        ),
        T(
            "memo_desync",
            "picklescan#22, modelscan#85",
            lambda m: _pkl("m.pkl", _memo_desync(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "build_attribute_smuggling",
            "modelscan#85",
            lambda m: _pkl("m.pkl", _build_smuggling(m)),
            "AIBOM-PKL-004",
            high,
        ),
        T(
            "dotted_builtins",
            "modelscan#89",
            lambda m: _pkl("m.pkl", _dotted_builtins(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "numpy_size_build",
            "modelscan#330",
            lambda m: _pkl(
                "m.pkl",
                Asm(4)
                .stack_global("numpy", "size")
                .op(b"N}\x86b")
                .args(shell(m))
                .op(b"R")
                .stop()
                .bytes(),
            ),
            "AIBOM-PKL-002",
            high,
        ),
        T(
            "pkgutil_resolve_name",
            "GHSA-vvpj-8cmc-gx39",
            lambda m: _pkl(
                "m.pkl",
                Asm(2)
                .call("pkgutil", "resolve_name", "os:system")
                .args(shell(m))
                .op(b"R")
                .stop()
                .bytes(),
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "importlib_import_module",
            "picklescan#66, fickling GHSA-q5qq-mvfm-j35x",
            lambda m: _pkl(
                "m.pkl", _getattr_chain("importlib", "import_module", "system", shell(m))
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "dunder_import",
            "picklescan#66",
            lambda m: _pkl("m.pkl", evil_call("builtins", "__import__", "os")),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "marshal_function_type",
            "picklescan PR#74, fickling GHSA-565g-hwwr-4pp3",
            lambda m: _pkl("m.pkl", _marshal_function(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "dill_create_function",
            "HF modelscan-cloudpickle-dill PoC",
            lambda m: _pkl("m.pkl", evil_call("dill._dill", "_create_function", python_src(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "cloudpickle_make_function",
            "HF modelscan-cloudpickle-dill PoC",
            lambda m: _pkl(
                "m.pkl", evil_call("cloudpickle.cloudpickle", "_make_function", python_src(m))
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        *[
            T(
                f"stdlib_gadget_{mod}_{fn}".replace(".", "_"),
                "picklescan PR#29-#65, modelscan#272, Checkmarx",
                _gadget(mod, fn, python_src),
                "AIBOM-PKL-001",
                crit,
            )
            for mod, fn in [
                ("timeit", "timeit"),
                ("cProfile", "run"),
                ("bdb", "Bdb.run"),
                ("pydoc", "pipepager"),
                ("uuid", "_get_command_stdout"),
                ("_osx_support", "_read_output"),
                ("imaplib", "IMAP4_stream"),
                ("logging", "FileHandler"),
                ("_io", "FileIO"),
                ("distutils.file_util", "write_file"),
                ("ensurepip", "_run_pip"),
                ("ctypes", "pythonapi.PyRun_SimpleString"),
                ("functools", "reduce"),
                ("operator", "methodcaller"),
                ("runpy", "_run_code"),
                ("builtins", "exec"),
                ("builtins", "eval"),
                ("pty", "spawn"),
                ("socket", "create_connection"),
                ("shutil", "rmtree"),
                ("webbrowser", "open"),
                ("subprocess", "Popen"),
                ("code", "InteractiveInterpreter.runsource"),
            ]
        ],
        *[
            T(
                f"modelscan338_{mod}_{fn}".replace(".", "_"),
                "modelscan#338",
                _gadget(mod, fn, shell),
                "AIBOM-PKL-001",
                crit,
            )
            for mod, fn in [
                ("multiprocessing.util", "spawnv_passfds"),
                ("torch._inductor.cpp_builder", "run_compile_cmd"),
                ("mlflow.projects.backend.local", "_run_entry_point"),
                ("pandas", "read_csv"),
            ]
        ],
        T(
            "py2_alias_cPickle",
            "_compat_pickle fix_imports",
            lambda m: _pkl("m.pkl", evil_call("cPickle", "loads", _sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "py2_alias_commands",
            "_compat_pickle fix_imports",
            lambda m: _pkl("m.pkl", evil_call("commands", "getoutput", shell(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "py2_alias_builtin_eval",
            "_compat_pickle fix_imports",
            lambda m: _pkl("m.pkl", evil_call("__builtin__", "eval", python_src(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "nested_numpy_load",
            "Hide and Seek (Liu et al. 2025)",
            lambda m: _pkl("m.pkl", evil_call("numpy", "load", npy_object(_sys(m)), None, True)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "nested_torch_load",
            "Hide and Seek (Liu et al. 2025)",
            lambda m: _pkl("m.pkl", evil_call("torch", "load", torch_zip(_sys(m)))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "nested_pickle_loads",
            "Hide and Seek (Liu et al. 2025)",
            lambda m: _pkl("m.pkl", _nested_pickle_loads(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "torch_load_from_bytes_nested",
            "picklescan torch.load note",
            lambda m: _pkl("m.pkl", _load_from_bytes(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "legacy_torch_fourth_pickle",
            "torch _legacy_load",
            lambda m: _pkl("model.pt", legacy_torch(_sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "legacy_torch_keys_pickle",
            "torch _legacy_load",
            lambda m: _pkl(
                "model.pt", legacy_torch(torch_state_dict_pickle(1, legacy=True), _sys(m))
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "legacy_tar_pickle_member",
            "torch legacy tar format",
            lambda m: _pkl("model.tar", legacy_tar(_sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "legacy_tar_storages_member",
            "torch legacy tar format",
            lambda m: _pkl("model.tar", legacy_tar(benign_pickle(), _sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "joblib_payload_after_array",
            "joblib interleaved buffers",
            lambda m: _pkl("m.joblib", _joblib_after_array(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        *[
            T(
                f"joblib_{c}_compressed",
                "joblib compressors",
                _joblib_compressed(c),
                "AIBOM-PKL-001",
                crit,
            )
            for c in ("gzip", "bz2", "xz")
        ],
        T(
            "pandas_pickle_gz",
            "pandas.read_pickle compression",
            lambda m: _pkl("frame.pkl.gz", _gz(_sys(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "zip_in_zip",
            "torch .pt inside a release .zip",
            lambda m: _pkl(
                "release.zip",
                build_zip(ZipSpec([Member("model.pt", torch_zip(_sys(m)), method=8)])),
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "torch_zip_other_pkl_member",
            "every .pkl member",
            lambda m: _pkl(
                "model.pt",
                torch_zip(torch_state_dict_pickle(), extra=[Member("archive/extra.pkl", _sys(m))]),
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "duplicate_data_pkl",
            "miniz duplicate lookup",
            lambda m: _pkl("model.pt", _dup_names(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "case_variant_data_pkl",
            "miniz case-insensitive lookup",
            lambda m: _pkl("model.pt", _case_variant(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "local_header_only_member",
            "hidden from the central directory",
            lambda m: _pkl("model.pt", _local_only(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "prepended_bytes",
            "zipfile concat offset",
            lambda m: _pkl(
                "model.zip",
                build_zip(
                    ZipSpec(
                        [Member("a/data.pkl", _sys(m))],
                        prepend=local_record("junk.txt", b"JUNK" * 8),
                    )
                ),
            ),
            "AIBOM-ZIP-001",
            med,
        ),
        T(
            "zip64_member",
            "zip64 records",
            lambda m: _pkl(
                "model.zip",
                build_zip(ZipSpec([Member("a/data.pkl", _sys(m), method=8)], zip64=True)),
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "ext_registry",
            "fickling EXT analysis",
            lambda m: _pkl("m.pkl", _ext_code(m)),
            "AIBOM-PKL-004",
            high,
        ),
        T(
            "computed_stack_global",
            "unresolvable STACK_GLOBAL",
            lambda m: _pkl("m.pkl", _computed_stack_global(m)),
            "AIBOM-PKL-004",
            high,
        ),
        T(
            "introspection_chain",
            "modelscan#338, promptfoo ModelAudit",
            lambda m: _pkl(
                "m.pkl",
                Asm(4)
                .stack_global("builtins", "print.__class__.__base__.__subclasses__")
                .op(b")R")
                .stop()
                .bytes(),
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "stacked_after_benign",
            "fickling stacked pickles",
            lambda m: _pkl("m.pkl", _stacked_after_benign(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "payload_after_big_payload",
            "payload skipping",
            lambda m: _pkl("m.pkl", _big_payload_then_evil(m)),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "protocol0_inst",
            "INST opcode",
            lambda m: _pkl(
                "m.pkl", Asm(None).op(b"(").string0(shell(m)).inst("os", "system").stop().bytes()
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "fickling_obj_pty",
            "fickling PR#108",
            lambda m: _pkl(
                "m.pkl", Asm(None).op(b"(").glob("pty", "spawn").string0("id").op(b"o.").bytes()
            ),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "fickling_ctypes_getattr",
            "fickling GHSA-5hvc-6wx8-mvv4",
            lambda m: _pkl("m.pkl", _getattr_chain("ctypes", "CDLL", "system", shell(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "fickling_pydoc_locate",
            "fickling GHSA-5hvc-6wx8-mvv4",
            lambda m: _pkl("m.pkl", evil_call("pydoc", "locate", "os.system")),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "fickling_runpy_run_path",
            "fickling GHSA-wfq2-52f7-7qvj",
            lambda m: _pkl("m.pkl", evil_call("runpy", "run_path", str(m))),
            "AIBOM-PKL-001",
            crit,
        ),
        T(
            "unknown_class_newobj",
            "allowlist, not denylist",
            lambda m: _pkl("m.pkl", Asm(2).glob("mypkg.evil", "Thing").op(b")\x81").stop().bytes()),
            "AIBOM-PKL-002",
            "low",  # rebuilt through NEWOBJ: no __init__ runs (issue 12: "unreviewed class rebuilt")
        ),
        *effect_techniques(),
        *stream_shape_techniques(),
        T(
            "tar_path_traversal",
            "zip slip",
            lambda m: _pkl("a.tar", tar_bytes({"../../evil.pkl": _sys(m)})),
            "AIBOM-ARC-003",
            crit,
        ),
        T(
            "tar_symlink_escape",
            "zip slip via links",
            lambda m: _pkl("b.tar", tar_bytes({"ok.txt": b"x"}, {"link": "/etc/passwd"})),
            "AIBOM-ARC-003",
            crit,
        ),
    ]
