"""Bad input: one line on stderr naming what was wrong, exit status 2, nothing written."""
from __future__ import annotations

import argparse
import json
import textwrap

import pytest

from reports.claims import CLAIMS
from runners.all import main
from runners.cli import UsageError, check_numbers_and_claims, select_workloads
from workloads import catalogue

BAD_PLUGINS = {
    "syntax.py": "def broken(:\n",
    "missing_import.py": "import no_such_module_xyz\n",
    "no_build.py": textwrap.dedent("""
        from workloads import Workload
        w = Workload(name="w", collection="array", claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                     check=lambda a, b: True)
    """),
    "wrong_collection.py": textwrap.dedent("""
        from workloads import Workload
        w = Workload(name="w", collection="matrix", claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                     build=lambda size, seed: None, check=lambda a, b: True)
    """),
    "empty.py": "x = 1\n",
    "unknown_claim.py": textwrap.dedent("""
        from workloads import Workload
        w = Workload(name="w", collection="array", claims=("C99",), sizes={"quick": 1, "default": 1, "full": 1},
                     build=lambda size, seed: None, check=lambda a, b: True)
    """),
    "unknown_kind.py": textwrap.dedent("""
        from workloads import Workload
        w = Workload(name="w", collection="array", claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                     build=lambda size, seed: None, check=lambda a, b: True, kinds=("sync", "gpu"))
    """),
}


def run_main(args, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    err = capsys.readouterr().err
    return e.value.code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--schedulers", "nosuch-2"], "bad scheduler label"),
        (["--schedulers", "threads-0"], ">= 1"),
        (["--schedulers", "distributed-x"], "distributed-WxT"),
        (["--profile", "nosuch"], "invalid choice"),
        (["--workloads", "no_such_workload_xyz"], "unknown workload"),
        (["--claims", "C99"], "unknown claim ids C99; valid: C1, C2, C3"),
        (["--repeats", "0"], ">= 1"),
        (["--repeats", "-3"], ">= 1"),
        (["--resume", "no-such-run-id"], "no run of that id"),
        (["--timeout", "0"], "> 0"),
    ],
)
def test_bad_argument_is_one_line_and_exit_2(args, expect, tmp_path, capsys):
    out = tmp_path / "out"
    code, lines = run_main([*args, "--profile", "quick", "--out", str(out)] if "--profile" not in args
                           else [*args, "--out", str(out)], capsys)
    assert code == 2
    assert len(lines) == 1 and expect in lines[0], lines
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.parametrize("name", sorted(BAD_PLUGINS))
def test_bad_plugin_names_file_and_problem(name, tmp_path, capsys):
    plugin = tmp_path / name
    plugin.write_text(BAD_PLUGINS[name])
    out = tmp_path / "out"
    code, lines = run_main(["--workloads", str(plugin), "--out", str(out), "--profile", "quick"], capsys)
    assert code == 2
    assert len(lines) == 1 and name in lines[0], lines
    assert not out.exists() or not any(out.rglob("*"))


def test_missing_plugin_file(tmp_path, capsys):
    code, lines = run_main(["--workloads", str(tmp_path / "nope.py"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "no such workload file" in lines[0]


def test_out_not_writable(capsys):
    code, lines = run_main(["--out", "/proc/forbidden", "--profile", "quick"], capsys)
    assert code == 2 and len(lines) == 1 and "not writable" in lines[0]


def test_resume_of_other_schema_version(tmp_path, capsys):
    run = tmp_path / "old-run"
    run.mkdir()
    (run / "meta.json").write_text(json.dumps({"v": 0, "profile": "quick"}))
    code, lines = run_main(["--out", str(tmp_path), "--resume", "old-run"], capsys)
    assert code == 2 and "schema version" in lines[0]
    assert sorted(p.name for p in run.iterdir()) == ["meta.json"]


def test_list_names_workloads_claims_and_schedulers(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--list"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    for word in ("array-transcendental", "bag-json", "C14", "distributed-WxT"):
        assert word in out
    assert f"  C5   {CLAIMS['C5'].text}" in out.splitlines()  # the registry's text, handed in by runners.all


def test_claim_ids_come_from_the_caller():
    args = argparse.Namespace(repeats=None, timeout=None, claims="c2,C7")
    assert check_numbers_and_claims(args, ["C2", "C7"]) == {"C2", "C7"}
    with pytest.raises(UsageError, match="unknown claim ids C7; valid: C2"):
        check_numbers_and_claims(args, ["C2"])


def test_workloads_claims_and_kinds_are_checked_before_the_claims_filter():
    cat = catalogue()
    chosen, plugins = select_workloads("bag-json,array-transcendental", {"C1"}, "quick", known=list(CLAIMS))
    assert list(chosen) == ["array-transcendental"] and plugins == []
    with pytest.raises(UsageError, match="workload 'bag-json': unknown claim ids"):
        select_workloads("bag-json", {"C1"}, "quick", known=["C1"])  # filtered out, still checked
    assert set(select_workloads(None, None, "quick")[0]) == {n for n, w in cat.items() if w.in_profile("quick")}


def test_help_explains(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0
    for flag in ("--profile", "--schedulers", "--workloads", "--claims", "--address", "--repeats", "--out",
                 "--resume", "--list"):
        assert flag in out


def test_option_given_twice_with_different_values_is_refused(tmp_path, capsys):
    code, lines = run_main(["--out", "/proc/forbidden", "--out", str(tmp_path / "o"), "--profile", "quick"], capsys)
    assert code == 2 and len(lines) == 1 and "given twice" in lines[0]
    assert not (tmp_path / "o").exists()


def test_a_claims_reads_make_the_workload_serve_it():
    """A claim over a workload that does not name it (its record's ``reads``): selected by --claims, and the
    workload carries the id, so its kinds and questions reach the runner."""
    chosen, _ = select_workloads(None, {"C99"}, "quick", known=[*CLAIMS, "C99"], readers={"delayed-null": ["C99"]})
    assert list(chosen) == ["delayed-null"] and chosen["delayed-null"].claims[-1] == "C99"
    assert "C99" not in select_workloads(None, None, "quick", known=list(CLAIMS))[0]["delayed-null"].claims
