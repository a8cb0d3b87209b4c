"""The allow/deny policy, user policy files, and how findings follow from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aibom.errors import UsageError
from aibom.findings import Severity
from aibom.formats.pickle.policy import (
    DEFAULT_POLICY,
    Grade,
    active_policy,
    load_policy,
    use_policy,
)
from aibom.scan import ScanOptions, scan
from tests.unsafe.payloads import Asm, evil_call


@pytest.mark.parametrize(
    ("module", "name", "proto", "grade"),
    [
        ("torch._utils", "_rebuild_tensor_v2", 2, Grade.CALL),
        ("__builtin__", "set", 2, Grade.CALL),
        ("__builtin__", "eval", 2, Grade.DENY),
        ("cPickle", "loads", 2, Grade.DENY),
        ("commands", "getoutput", 2, Grade.DENY),
        ("os", "system", 4, Grade.DENY),
        ("asyncio.unix_events", "_UnixSubprocessTransport", 4, Grade.DENY),
        ("builtins", "print.__globals__", 4, Grade.DENY),
        ("pip.__main__", "x", 4, Grade.DENY),
        ("torch.nn.modules.linear", "Linear", 2, Grade.NEW),
        ("sklearn.tree._classes", "DecisionTreeClassifier", 4, Grade.NEW),
        ("sklearn.datasets", "FetchThing", 4, Grade.DENY),
        ("torch.jit._pickle", "build_intlist", 2, Grade.CALL),
        ("torch.jit", "load", 2, Grade.DENY),
        ("mypkg", "Model", 4, Grade.UNKNOWN),
        ("numpy", "load", 4, Grade.DENY),
        ("copyreg", "__newobj__", 2, Grade.CALL),
        ("__torch__.torch.nn.modules.linear", "Linear", 2, Grade.CALL),
    ],
)
def test_judgements(module: str, name: str, proto: int, grade: Grade) -> None:
    assert DEFAULT_POLICY.judge(module, name, proto).grade is grade


def test_py2_mapping_applies_only_below_protocol_3() -> None:
    assert DEFAULT_POLICY.judge("__builtin__", "set", 2).name == "builtins.set"
    assert DEFAULT_POLICY.judge("__builtin__", "set", 4).grade is Grade.UNKNOWN


def test_policy_file_extends_both_lists(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[allow]\nglobals = ["mypkg.models:Net", "trusted.*"]\n[deny]\nglobals = ["collections:OrderedDict", "torch.nn"]\n'
    )
    policy = load_policy(path)
    assert policy.judge("mypkg.models", "Net", 4).grade is Grade.CALL
    assert policy.judge("trusted.sub", "Thing", 4).grade is Grade.CALL
    assert policy.judge("collections", "OrderedDict", 4).grade is Grade.DENY
    assert policy.judge("torch.nn.modules.linear", "Linear", 2).grade is Grade.DENY
    assert policy.judge("os", "system", 4).grade is Grade.DENY


def test_deny_wins_over_user_allow(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[allow]\nglobals = ["os:system"]\n')
    assert load_policy(path).judge("os", "system", 4).grade is Grade.DENY


@pytest.mark.parametrize(
    "text",
    [
        "[allow]\nglobals = 3\n",
        "[other]\n",
        "[allow]\nglobals = ['not a global!']\n",
        "not toml ==",
        "[deny]\nnames=[]\n",
    ],
)
def test_bad_policy_files_are_usage_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        load_policy(path)
    assert str(path) in info.value.diagnostics()


def test_missing_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_policy(tmp_path / "absent.toml")


def test_active_policy_changes_scan_verdicts(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(Asm(2).glob("mypkg", "build").op(b")R.").bytes())
    before = scan(ScanOptions(targets=(tmp_path,), use_cache=False))
    assert (
        max(f.effective_severity for f in before.findings if f.check.id.startswith("AIBOM-PKL"))
        == Severity.HIGH
    )
    path = tmp_path.parent / "allow.toml"
    path.write_text('[allow]\nglobals = ["mypkg:build"]\n')
    with use_policy(load_policy(path)):
        after = scan(ScanOptions(targets=(tmp_path,), use_cache=False))
    assert (
        max(f.effective_severity for f in after.findings if f.check.id.startswith("AIBOM-PKL"))
        == Severity.LOW
    )
    assert active_policy() is DEFAULT_POLICY


def test_reconstruction_only_classes_flagged_when_called(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(evil_call("torch.nn.modules.linear", "Linear", 3, 4))
    result = scan(ScanOptions(targets=(tmp_path,), use_cache=False))
    mine = [f for f in result.findings if f.check.id.startswith("AIBOM-PKL")]
    assert [(f.check.id, f.effective_severity) for f in mine] == [
        ("AIBOM-PKL-002", Severity.MEDIUM)
    ]
    assert "reconstruction only" in mine[0].message


def test_bare_loss_module_of_scikit_learn_1_7_allows_only_its_loss_classes() -> None:
    """scikit-learn 1.7 pickles Cython losses as ``_loss.CyHalfBinomialLoss``; nothing else there."""
    from aibom.formats.pickle.policy import DEFAULT_POLICY, Grade

    assert DEFAULT_POLICY.judge("_loss", "CyHalfBinomialLoss", 4).grade is Grade.CALL
    assert DEFAULT_POLICY.judge("_loss", "system", 4).grade is Grade.UNKNOWN
