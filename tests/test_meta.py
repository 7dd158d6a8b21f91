"""Run metadata (runners/meta.py): the build, the GIL at run time, what re-enabled it, the GIL sampler.

This machine has no free-threaded CPython: the free-threaded paths are exercised with
synthetic inputs (a patched ``gil_enabled``, modules that emit CPython's warning text),
never by flipping a real GIL.
"""
from __future__ import annotations

import sys
import sysconfig

import pytest

from runners import meta

# CPython's own words (Python/import.c, 3.13) when an import turns the GIL back on.
CPYTHON_WARNING = ("The global interpreter lock (GIL) has been enabled to load module '{}', which has not "
                   "declared that it can run safely without the GIL. To override this behavior and keep the "
                   "GIL disabled (at your own risk), run with PYTHON_GIL=0 or -Xgil=0.")


def test_collect_records_build_gil_and_sampler():
    m = meta.collect(run_id="x")
    assert m["free_threaded_build"] is bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    assert m["gil_enabled"] is (sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True)
    assert set(m["gil_sampler"]) == {"available", "reason"}
    assert m["run_id"] == "x"
    if not m["free_threaded_build"]:
        assert m["gil_reenabled_by"] is None  # nothing to re-enable on a build with a GIL
        assert m["gil_enabled"] is True


def test_gil_sampler_says_when_gilknocker_is_not_installed(monkeypatch):
    monkeypatch.setattr(meta, "gil_enabled", lambda: True)
    monkeypatch.setitem(sys.modules, "gilknocker", None)  # import raises ModuleNotFoundError
    s = meta.gil_sampler()
    assert s["available"] is False
    assert "not installed" in s["reason"] and "[gil]" in s["reason"]


def test_gil_sampler_says_when_gilknocker_fails_to_import(monkeypatch, tmp_path):
    (tmp_path / "gilknocker.py").write_text("raise ImportError('no wheel for this interpreter')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "gilknocker", raising=False)
    monkeypatch.setattr(meta, "gil_enabled", lambda: True)
    s = meta.gil_sampler()
    assert s == {"available": False,
                 "reason": "gilknocker cannot be imported (ImportError: no wheel for this interpreter)"}


def test_gil_sampler_not_applicable_with_the_gil_off_and_never_imports_gilknocker(monkeypatch, tmp_path):
    # Importing gilknocker on a free-threaded build would turn the GIL back on.
    (tmp_path / "gilknocker.py").write_text("raise AssertionError('imported with the GIL off')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "gilknocker", raising=False)
    monkeypatch.setattr(meta, "gil_enabled", lambda: False)  # as on python3.14t with the GIL off
    s = meta.gil_sampler()
    assert s["available"] is False and "GIL is off" in s["reason"]


@pytest.mark.skipif(not meta.gil_sampler()["available"], reason=str(meta.gil_sampler()["reason"]))
def test_gil_sampler_available_with_gilknocker_and_a_gil():
    assert meta.gil_sampler() == {"available": True, "reason": None}


def test_reenabling_reads_the_cpython_warning():
    msgs = [CPYTHON_WARNING.format("numpy._core._multiarray_umath"), "some other RuntimeWarning"]
    assert meta.reenabling(msgs) == ["numpy._core._multiarray_umath"]


def _fake_modules(tmp_path):
    # Synthetic: these emit CPython's warning text but, on this GIL build, flip nothing.
    (tmp_path / "ft_plain.py").write_text("X = 1\n")
    for name, ext in (("ft_first", "ft_first._ext"), ("ft_second", "ft_second._core")):
        (tmp_path / f"{name}.py").write_text(
            f"import warnings\nwarnings.warn({CPYTHON_WARNING.format(ext)!r}, RuntimeWarning)\n")
    (tmp_path / "ft_broken.py").write_text("raise ImportError('not here')\n")


def test_gil_reenabled_by_probes_past_each_culprit(tmp_path, monkeypatch):
    _fake_modules(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    got = meta.gil_reenabled_by(["ft_plain", "ft_first", "ft_broken", "ft_second", "ft_plain"], force=True)
    # CPython warns only for the import that flips the GIL: a fresh probe after each culprit.
    assert got == ["ft_first._ext", "ft_second._core"]


def test_gil_reenabled_by_finds_nothing_in_the_suite_here():
    if meta.free_threaded_build():
        pytest.skip("free-threaded build: the answer depends on the installed wheels")
    assert meta.gil_reenabled_by() is None


@pytest.mark.parametrize("m, want", [
    ({"python": "3.11.7 (main)", "free_threaded_build": False, "gil_enabled": True}, "Python 3.11.7 with the GIL"),
    ({"python": "3.11.7", "gil_enabled": True}, "Python 3.11.7 with the GIL"),  # meta.json before the key existed
    ({"python": "3.14.0 experimental free-threading build", "free_threaded_build": True, "gil_enabled": False,
      "gil_reenabled_by": []}, "Python 3.14.0, free-threaded build, GIL off"),
    ({"python": "3.14.0", "free_threaded_build": True, "gil_enabled": True,
      "gil_reenabled_by": ["a._ext", "b"]}, "Python 3.14.0, free-threaded build, GIL re-enabled by a._ext, b"),
    ({"python": "3.13.1", "free_threaded_build": True, "gil_enabled": True, "gil_reenabled_by": []},
     "Python 3.13.1, free-threaded build, GIL on (PYTHON_GIL=1 or -X gil=1)"),
])
def test_interpreter_line_says_which_interpreter_and_gil(m, want):
    from reports.fmt import interpreter

    assert interpreter(m) == want
