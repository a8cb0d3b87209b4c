from __future__ import annotations

from pathlib import Path

from aibom import checks
from aibom.limits import Limits
from aibom.packages import InputKind, PackageHash, PackageInput, collect
from tests.packages.pkgs_support import by_name, findings_of, run, write

REQ = InputKind.REQUIREMENTS
SHA_A = "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"
SHA_B = "942C5A758F98D790EAED1A29CB6EEFC7FFB0D1CF7AF05C3D2791656DBD6AD1E1"

MAIN = """
# pinned with hashes, continued over three lines
requests==2.31.0 \\
    --hash=sha256:{a} \\
    --hash=sha256:{b}
torch>=2.1  # a range
numpy===1.26.4
Flask_Login[b,a]==0.6.3 ; python_version >= "3.8"
-r sub/base.txt
-c constraints.txt
scipy>=1.10
-e git+https://github.com/psf/black.git@main#egg=black
git+https://github.com/pallets/click.git@8.1.7#egg=click
foo @ https://example.com/foo-1.0-py3-none-any.whl
./wheels/bar_baz-2.0-py3-none-any.whl
-i https://pypi.org/simple
--index-url=https://pypi.org/simple
--extra-index-url https://example.com/simple
--trusted-host example.com
--only-binary :all:
--pre
-f ./wheels
this is not a requirement!
pyyaml==6.0.1
"""


def _tree(tmp_path: Path) -> Path:
    main = write(tmp_path / "requirements.txt", MAIN.format(a=SHA_A, b=SHA_B))
    write(tmp_path / "sub" / "base.txt", "-r ../common.txt\nattrs==23.2.0\n")
    write(tmp_path / "common.txt", "six==1.16.0\n")
    write(tmp_path / "constraints.txt", "scipy==1.12.0\nidna==3.6\n")
    return main


def test_requirements_full_file(tmp_path: Path) -> None:
    result = run(_tree(tmp_path), REQ, "app/requirements.txt")
    names = [p.normalized_name for p in result.packages]
    assert names == [
        "requests", "torch", "numpy", "flask-login", "six", "attrs", "scipy",
        "black", "click", "foo", "bar-baz", "pyyaml",
    ]  # fmt: skip
    pkgs = by_name(result)
    assert pkgs["requests"].version == "2.31.0"
    assert pkgs["requests"].specifier is None
    assert pkgs["requests"].hashes == (
        PackageHash("SHA-256", SHA_A),
        PackageHash("SHA-256", SHA_B.lower()),
    )
    assert pkgs["torch"].version is None
    assert pkgs["torch"].specifier == "torch>=2.1"
    assert pkgs["numpy"].version == "1.26.4"
    assert pkgs["flask-login"].version == "0.6.3"
    assert pkgs["flask-login"].extras == ("a", "b")
    assert pkgs["flask-login"].marker == 'python_version >= "3.8"'
    assert pkgs["six"].source == "app/common.txt"
    assert pkgs["attrs"].source == "app/sub/base.txt"
    assert pkgs["pyyaml"].properties["aibom:python:line"] == "23"
    assert all(p.source_kind is REQ for p in result.packages)
    assert result.skipped == []


def test_requirements_constraint_pins_unpinned_requirement(tmp_path: Path) -> None:
    pkgs = by_name(run(_tree(tmp_path), REQ))
    assert pkgs["scipy"].version == "1.12.0"
    assert pkgs["scipy"].properties["aibom:python:pinned-by"] == "constraint"
    assert "idna" not in pkgs  # constraints alone are not packages


def test_requirements_urls_and_editables(tmp_path: Path) -> None:
    pkgs = by_name(run(_tree(tmp_path), REQ))
    black = pkgs["black"]
    assert black.editable
    assert black.url == "git+https://github.com/psf/black.git@main#egg=black"
    assert black.version is None
    assert pkgs["click"].url == "git+https://github.com/pallets/click.git@8.1.7#egg=click"
    assert not pkgs["click"].editable
    assert pkgs["foo"].url == "https://example.com/foo-1.0-py3-none-any.whl"
    assert pkgs["foo"].version is None
    assert pkgs["bar-baz"].url == "./wheels/bar_baz-2.0-py3-none-any.whl"


def test_requirements_findings(tmp_path: Path) -> None:
    result = run(_tree(tmp_path), REQ, "requirements.txt")
    unpinned = {f.evidence: f for f in findings_of(result, checks.UNPINNED_REQUIREMENT.id)}
    assert set(unpinned) == {"line 5", "line 11", "line 12", "line 13", "line 14"}
    assert "torch>=2.1" in unpinned["line 5"].message
    assert "editable" in unpinned["line 11"].message
    assert all(f.path == "requirements.txt" and f.offset is None for f in unpinned.values())
    malformed = findings_of(result, checks.MALFORMED_FILE.id)
    assert len(malformed) == 1
    assert malformed[0].evidence == "line 22"
    assert "line 22" in malformed[0].message


def test_requirements_comment_inside_continuation(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "alpha==1.0 \\\n# note\nbeta==2.0 # trailing\n")
    result = run(path, REQ)
    assert [(p.name, p.version) for p in result.packages] == [("alpha", "1.0"), ("beta", "2.0")]
    assert result.findings == []


def test_requirements_include_cycle(tmp_path: Path) -> None:
    a = write(tmp_path / "requirements.txt", "-r b.txt\nalpha==1\n")
    write(tmp_path / "b.txt", "-r requirements.txt\nbeta==2\n")
    result = run(a, REQ)
    assert [p.name for p in result.packages] == ["beta", "alpha"]
    cycle = findings_of(result, checks.MALFORMED_FILE.id)
    assert len(cycle) == 1
    assert "cycle" in cycle[0].message
    assert cycle[0].path == "b.txt"


def test_requirements_same_file_included_twice_is_read_once(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", "-r a.txt\n-r b.txt\n")
    write(tmp_path / "a.txt", "-r common.txt\n")
    write(tmp_path / "b.txt", "-r common.txt\n")
    write(tmp_path / "common.txt", "six==1.16.0\n")
    result = run(top, REQ)
    assert [p.name for p in result.packages] == ["six"]
    assert result.findings == []


def test_requirements_include_of_non_requirements_file_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path / "secret" / "id_rsa", "MIIEpAIBAAKCAQEA\n")
    path = write(tmp_path / "requirements.txt", "-r secret/id_rsa\nalpha==1\n")
    result = run(path, REQ)
    assert [p.name for p in result.packages] == ["alpha"]
    assert [s.path for s in result.skipped] == ["secret/id_rsa"]
    assert "not followed" in result.skipped[0].reason


def test_requirements_missing_include(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "--requirement=missing.txt\nalpha==1\n")
    result = run(path, REQ)
    assert [p.name for p in result.packages] == ["alpha"]
    assert len(result.skipped) == 1
    assert result.skipped[0].path == "missing.txt"
    assert "does not exist" in result.skipped[0].reason


def test_requirements_include_depth_limit(tmp_path: Path) -> None:
    for level in range(5):
        write(tmp_path / f"r{level}.txt", f"-r r{level + 1}.txt\npkg{level}==1\n")
    write(tmp_path / "r5.txt", "deepest==1\n")
    result = collect(
        [PackageInput(REQ, tmp_path / "r0.txt", "r0.txt")], Limits(max_requirements_depth=2)
    )
    assert [p.name for p in result.packages] == ["pkg2", "pkg1", "pkg0"]
    limit = findings_of(result, checks.LIMIT_REACHED.id)
    assert len(limit) == 1
    assert limit[0].path == "r2.txt"


def test_requirements_oversized_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "alpha==1.0\n" * 100)
    result = collect([PackageInput(REQ, path, "requirements.txt")], Limits(max_text_file=500))
    assert result.packages == []
    assert len(result.skipped) == 1
    assert "limit" in result.skipped[0].reason


def test_requirements_unknown_option_is_malformed(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "--no-such-option\nalpha==1.0 --hash sha256:x\n")
    result = run(path, REQ)
    assert [p.name for p in result.packages] == ["alpha"]
    assert result.packages[0].hashes == ()  # not hex: dropped
    malformed = findings_of(result, checks.MALFORMED_FILE.id)
    assert [f.evidence for f in malformed] == ["line 1"]


def test_requirements_wildcard_is_not_a_pin(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "alpha==1.*\nbeta~=2.0\n")
    result = run(path, REQ)
    assert [p.version for p in result.packages] == [None, None]
    assert len(findings_of(result, checks.UNPINNED_REQUIREMENT.id)) == 2


def test_requirements_editable_local_path(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    path = write(tmp_path / "proj" / "requirements.txt", "-e .[dev]\n--editable ../lib/other\n")
    pkgs = by_name(run(path, REQ))
    assert pkgs["proj"].url == "."
    assert pkgs["proj"].extras == ("dev",)
    assert pkgs["proj"].editable
    assert pkgs["other"].url == "../lib/other"
