"""The workloads package as a whole (workloads/__init__.py): the catalogue, discovery, plugins.

Each catalogue module has its own tests (tests/test_workloads_<module>.py); here: the
catalogue holds every built-in workload once and each is well declared, and a user's
file or module is found and loaded, or refused with a one-line reason.
"""
from __future__ import annotations

import itertools
import sys
import types

import pytest

import workloads
from workloads import PluginError, catalogue, discover, load_plugin
from workloads.base import PROFILES, Workload

EXPECTED = {
    "array-transcendental", "array-object-math", "array-stencil", "array-matmul", "array-reduction",
    "stencil-python", "stencil-numpy", "delayed-null",
    "delayed-busy-10", "delayed-busy-100", "delayed-busy-1000", "delayed-busy-10000",
    "df-groupby", "df-join", "df-str-arrow", "df-str-object", "df-apply",
    "bag-logparse", "bag-json", "bag-wordcount",
    "flights-read-csv-c", "flights-read-csv-arrow", "flights-groupby", "flights-join",
    "flights-str-arrow", "flights-str-object", "flights-apply", "stdlib-re", "stdlib-ast",
    "kernel-sleep-nogil", "kernel-sleep-gil", "kernel-compute-nogil", "kernel-compute-gil",
    "kernel-retake-k1", "kernel-retake-k32", "kernel-retake-k1024", "kernel-retake-k32768",
    "kernel-callback-k1", "kernel-callback-k32", "kernel-callback-k1024", "kernel-callback-k32768",
    "kernel-prange-lib1", "kernel-prange-libcores", "array-matmul-blas1", "array-matmul-blascores",
}
CATALOGUE = catalogue()
_PLUGINS = itertools.count()

PLUGIN = '''\
from workloads import Workload

def build(size, seed):
    return list(range(size))

MINE = Workload(name="{name}", collection="delayed", claims=(), sizes={{"quick": 1, "default": 2, "full": 3}},
                build=build, check=lambda a, b: a == b)
'''


def _workload(name: str) -> Workload:
    return Workload(name=name, collection="delayed", claims=(), sizes={p: 1 for p in PROFILES},
                    build=lambda size, seed: None, check=lambda a, b: a == b)


@pytest.fixture
def plugin_file(tmp_path):
    """A path for a workload file, its module name unused so far (and neutral: error messages name it)."""
    name = f"suite_plugin_{next(_PLUGINS)}"
    yield tmp_path / f"{name}.py"
    sys.modules.pop(name, None)


# -- the catalogue ------------------------------------------------------------------------


def test_catalogue_holds_every_builtin_workload_once():
    assert set(CATALOGUE) == EXPECTED
    assert len({id(w) for w in CATALOGUE.values()}) == len(EXPECTED)
    assert [name.split(".")[0] for name in workloads.MODULES] == ["workloads"] * len(workloads.MODULES)


def test_catalogue_keeps_declaration_order():
    names = list(CATALOGUE)
    assert names.index("array-transcendental") < names.index("df-groupby") < names.index("kernel-sleep-nogil")
    assert names[-1] == "stdlib-ast"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_catalogue_workload_is_well_declared(name):
    w = CATALOGUE[name]
    assert w.description and w.description.endswith(".")
    # quick may leave a workload out (None: not what its claims need there), never default or full
    assert w.sizes["default"] is not None and w.sizes["full"] is not None
    if w.sizes["quick"] is not None:
        assert w.sizes["quick"] <= w.sizes["default"]
    assert w.sizes["default"] < w.sizes["full"]
    assert w.claims and all(c.startswith("C") for c in w.claims)


def test_real_data_is_flights_and_stdlib():
    assert {n for n, w in CATALOGUE.items() if w.real_data} == {n for n in EXPECTED
                                                               if n.startswith(("flights-", "stdlib-"))}


# -- discover ------------------------------------------------------------------------------


def test_discover_finds_workloads_alone_and_in_lists_skipping_private_names():
    a, b, c, hidden = (_workload(n) for n in ("a", "b", "c", "hidden"))
    mod = types.ModuleType("mine")
    mod.A, mod.FAMILY, mod.PAIR, mod._HIDDEN, mod.OTHER = a, [b, c], (a,), hidden, [1, 2]
    assert discover(mod) == {"a": a, "b": b, "c": c}


def test_discover_refuses_two_workloads_of_one_name():
    mod = types.ModuleType("twice")
    mod.ONE, mod.TWO = _workload("same"), _workload("same")
    with pytest.raises(PluginError, match="twice: two workloads are named 'same'"):
        discover(mod)


# -- plugins -------------------------------------------------------------------------------


def test_load_plugin_from_a_file(plugin_file):
    plugin_file.write_text(PLUGIN.format(name="mine"))
    found = load_plugin(str(plugin_file))
    assert list(found) == ["mine"] and found["mine"].build(3, 0) == [0, 1, 2]
    assert load_plugin(str(plugin_file))["mine"] is found["mine"]  # loaded once


def test_load_plugin_from_a_module_name():
    assert set(load_plugin("workloads.bags")) == {"bag-logparse", "bag-json", "bag-wordcount"}


@pytest.mark.parametrize(("text", "words"), [
    ("def broken(:\n", "syntax error at line 1"),
    ("import not_a_module_anywhere\n", "cannot import module 'not_a_module_anywhere'"),
    ("raise RuntimeError('boom')\n", "failed to import: RuntimeError: boom"),
    (PLUGIN.format(name="two words"), "bad workload declaration"),
])
def test_load_plugin_names_the_file_and_the_problem(plugin_file, text, words):
    plugin_file.write_text(text)
    with pytest.raises(PluginError, match=words) as e:
        load_plugin(str(plugin_file))
    assert str(e.value).startswith(f"{plugin_file}: ") and "\n" not in str(e.value)
    assert plugin_file.stem not in sys.modules  # a failed import leaves nothing behind


def test_load_plugin_refuses_a_file_that_declares_no_workloads(plugin_file):
    plugin_file.write_text("X = 1\n")
    with pytest.raises(PluginError, match="declares no workloads"):
        load_plugin(str(plugin_file))


def test_load_plugin_refuses_a_missing_file_and_a_name_workers_cannot_import(tmp_path):
    with pytest.raises(PluginError, match="no such workload file"):
        load_plugin(str(tmp_path / "absent.py"))
    bad = tmp_path / "my-work.py"
    bad.write_text(PLUGIN.format(name="x"))
    with pytest.raises(PluginError, match="must be a Python identifier"):
        load_plugin(str(bad))
