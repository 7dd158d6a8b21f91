"""Shared pytest fixtures."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless-capable Chromium; installed with apt-get when missing and we are root, else skip."""
    path = _find_chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        try:
            subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env, capture_output=True,
                           timeout=900)
        except (subprocess.SubprocessError, OSError) as e:
            pytest.skip(f"chromium missing and `apt-get install chromium` failed: {e}")
        path = _find_chromium()
    if path is None:
        pytest.skip("chromium not found and cannot be installed (needs root and apt-get)")
    return path


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page(chromium, tmp_path):
    """A fresh headless-Chromium page (playwright, fresh --user-data-dir) recording console errors and requests.

    Yields ``(page, errors, requests)``; requests other than ``file:``/``data:``/``blob:`` are aborted
    (and still recorded), so a page that reaches for the network fails offline as it would for a reader.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"), executable_path=chromium, headless=True,
            args=[a for a in CHROMIUM_ARGS if a != "--headless"], viewport={"width": 1280, "height": 900},
            offline=False)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                r.abort()

        ctx.route("**/*", route)
        page.on("request", lambda req: requests.append(req.url))
        page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        try:
            yield page, errors, requests
        finally:
            ctx.close()


XSS = "<script>alert(1)</script>"


def write_synthetic_run(run_dir: Path, *, tasks_per_stream: int = 40) -> Path:
    """A small but complete results folder written with ``runners.records.append``.

    Holds swept workloads (threads/processes 1..4, distributed), the stencil pair, the
    ``delayed-busy`` family, ``delayed-null``, a real-data workload without a sync reference,
    a workload named like an XSS attack with a failing repeat, overhead and A/A controls,
    start-up records, task streams (with distributed transfers) and one perf page.
    """
    import json

    import numpy as np

    from runners import records

    run_dir.mkdir(parents=True, exist_ok=True)
    rid = run_dir.name
    rng = np.random.default_rng(0)
    specs = ["sync", "threads-2", "processes-2", "distributed-2x1", "distributed-1x2"]
    sweep = [f"{k}-{n}" for k in ("threads", "processes") for n in (1, 3, 4)]
    wls = {
        "array-x": dict(collection="array", family="array-x", params={}, sweep=True, base=1.0, par=0.9),
        "stencil-python": dict(collection="delayed", family="stencil", params={"impl": "python"}, sweep=True,
                               base=2.0, par=0.0),
        "stencil-numpy": dict(collection="delayed", family="stencil", params={"impl": "numpy"}, sweep=True,
                              base=0.5, par=0.95),
        "delayed-null": dict(collection="delayed", family="delayed-null", params={}, sweep=False, base=0.01, par=0.0),
        "real-one": dict(collection="dataframe", family="real-one", params={}, sweep=False, base=0.3, par=0.5,
                         real=True),
        XSS: dict(collection="bag", family=XSS, params={}, sweep=False, base=0.2, par=0.3),
    }
    for us in (10, 100, 1000, 10000):
        wls[f"delayed-busy-{us}"] = dict(collection="delayed", family="delayed-busy", params={"task_us": us},
                                         sweep=False, base=us * 1e-6 * 1000 + 0.01, par=min(0.95, us / 2000))
    meta = {"v": records.SCHEMA_VERSION, "run_id": rid, "profile": "quick", "host": "testhost", "cpu_model": "Test CPU",
            "cores": 2, "cpu_count": 2, "memory_bytes": 8 * 2**30, "python": "3.11", "gil_enabled": True,
            "switch_interval_s": 0.005, "versions": {"dask": "x", "bokeh": "3"}, "complete": True,
            "specs": specs, "sweep_specs": sweep,
            "workloads": [{"name": n, "collection": w["collection"], "family": w["family"], "params": w["params"],
                           "real_data": bool(w.get("real")), "claims": ["C1"], "sweep": w["sweep"],
                           "description": f"desc of {n} <b>bold?</b>"} for n, w in wls.items()]}
    (run_dir / records.META).write_text(json.dumps(meta))
    rows = []
    for name, w in wls.items():
        scheds = specs + (sweep if w["sweep"] else [])
        if w.get("real"):
            scheds = ["threads-2", "processes-2"]  # no sync reference
        for s in scheds:
            kind, _, rest = s.partition("-")
            workers, tpw = (int(rest.split("x")[0]), int(rest.split("x")[1])) if "x" in rest else (int(rest or 1), 1)
            n = workers * tpw
            speed = 1 / ((1 - w["par"]) + w["par"] / min(n, 2)) if kind != "sync" else 1.0
            for rep in range(3):
                wall = w["base"] / speed * (1 + 0.05 * rng.standard_normal())
                bad = name == XSS and s == "processes-2" and rep == 2
                rows.append(records.RunRecord(
                    run_id=rid, workload=name, scheduler=s, repeat=rep, wall_s=None if bad else wall,
                    status="error" if bad else "ok", error_type="ValueError" if bad else "",
                    error="<img src=x onerror=alert(2)>" if bad else "", family=w["family"],
                    collection=w["collection"], params=w["params"], kind=kind, workers=workers,
                    threads_per_worker=tpw, real_data=bool(w.get("real")), ntasks_graph=1000, ntasks_captured=1000,
                    gil_min=float(rng.random() * 0.2), gil_median=0.3 if name != "array-x" else float("nan"),
                    gil_max=0.6, cpu_s=wall * n, cores_used=min(n, 2) * 0.9,
                    peak_rss=int(1e8 * (1 + n)), bytes_moved=0 if kind in ("sync", "threads") else int(1e6 * n)))
    rows += [records.RunRecord(run_id=rid, workload="array-x", scheduler="threads-2", repeat=i, wall_s=0.5 + 0.01 * i,
                               mode=m, control="overhead") for i in range(3) for m in ("instrumented", "bare")]
    rows += [records.RunRecord(run_id=rid, workload="array-x", scheduler="threads-2", repeat=i, wall_s=0.5 + 0.01 * i,
                               control=c) for i in range(3) for c in ("A", "B")]
    records.append(run_dir / records.ROWS, rows)
    records.append(run_dir / records.STARTUP, [
        records.StartupRecord(run_id=rid, scheduler=s, kind=s.split("-")[0], start_s=t, stop_s=t / 2)
        for s, t in zip(specs, (1e-6, 4e-5, 0.7, 1.5, 1.2))])
    for name, s in (("array-x", "threads-2"), ("array-x", "distributed-2x1"), (XSS, "sync")):
        trs = []
        for rep in range(3):
            for i in range(tasks_per_stream):
                st = i * 0.01 + rng.random() * 0.002
                worker = f"tcp://127.0.0.1:{4000 + i % 2}" if s.startswith("distributed") else "1234"
                thread = f"{worker}/{i % 2}" if s.startswith("distributed") else str(7000 + i % 2)
                pre = ["chunk", "sum", XSS][i % 3]
                trs.append(records.TaskRecord(name, s, rep, f"('{pre}-abc', {i})", pre, worker, thread, st,
                                              st + 0.008, "compute", 100))
                if s.startswith("distributed") and i % 5 == 0:
                    trs.append(records.TaskRecord(name, s, rep, f"('{pre}-abc', {i})", pre, worker, thread,
                                                  st - 0.002, st, "transfer", 100))
        records.append(records.tasks_path(run_dir, name, s), trs)
    (run_dir / "perf").mkdir(exist_ok=True)
    (run_dir / "perf" / "array-x__distributed-2x1.html").write_text("<html>perf</html>")
    return run_dir


@pytest.fixture
def synthetic_run(tmp_path) -> Path:
    """A small complete results folder (see :func:`write_synthetic_run`)."""
    return write_synthetic_run(tmp_path / "20260101-000000-test")


TEST_RERUNS = 50

# End-to-end runs in child processes (python -m runners.all) draw fewer reruns too: the environment is set after
# this process imported reports.resample, so the reports' own default (1000) stays what tests here assert.
import reports.resample  # noqa: E402,F401

os.environ["DASK_SUITE_RERUNS"] = str(TEST_RERUNS)


@pytest.fixture(scope="session", autouse=True)
def fewer_reruns():
    """Summaries built in the test process draw 50 reruns, not the reports' 1000 (seconds, not a minute, each).

    Wraps :func:`reports.rules.decide` and :func:`reports.recommend.recommend` (what
    :func:`reports.build.summarise` calls) with ``resamples=TEST_RERUNS`` unless a test passes its own; the
    default itself is asserted where it matters (tests/test_rules.py, tests/test_resample.py).  Runs of the CLI
    in a child process keep the default.
    """
    from functools import wraps

    from reports import claims as rules, recommend

    def fewer(f):
        @wraps(f)
        def call(*args, **kw):
            if len(args) < 2:
                kw.setdefault("resamples", TEST_RERUNS)
            return f(*args, **kw)
        return call

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rules, "decide", fewer(rules.decide))
        mp.setattr(recommend, "recommend", fewer(recommend.recommend))
        yield
