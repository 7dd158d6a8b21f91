"""The task-stream pages of a run, written to disk: one per (workload, scheduler) with a stored stream.

A short profile (``quick``) draws only each workload's fastest spec and Dask's default
(:func:`chosen`; meta.json ``stream_pages``): Bokeh takes ~0.4 s a page here, and all ~80
pages were the longest part of its report build.  Every stream stays stored, and
``python -m reports.build RUN --streams all`` draws the rest.

:func:`render_all` finds the pairs (:func:`pairs`), draws each page with
:func:`reports.taskstream.page` (in worker processes when there are many) and
writes it under the results folder without following a link out of it.  The
pages share one local copy of BokehJS (:func:`local_resources`), so they work
offline without embedding 1.9 MB each.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import stat
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from reports.load import Results, load, load_tasks
from reports.taskstream import page
from runners import records
from runners.records.kinds import DEFAULT_SCHEDULER

__all__ = ["pairs", "chosen", "render", "render_all", "PageJob", "local_resources", "WHICH", "DRAW_ALL"]

# Which pages a run draws (meta.json ``stream_pages``, set by the profile; ``reports.build --streams`` overrides):
# "all": one per stored stream; "chosen": per workload, its fastest spec by median and Dask's default.
WHICH = ("all", "chosen")
DRAW_ALL = "python -m reports.build {run} --streams all"  # what draws the rest, said where pages are missing


def pairs(res: Results) -> list[tuple[str, str]]:
    """(workload, scheduler) pairs with a stored task stream, in row order."""
    seen: dict[tuple[str, str], None] = {}
    rows = res.rows
    if not rows.empty and {"workload", "scheduler"} <= set(rows.columns):
        for w, s in zip(rows["workload"], rows["scheduler"]):
            if isinstance(w, str) and isinstance(s, str) and records.tasks_path(res.path, w, s).exists():
                seen[(w, s)] = None
    tdir = res.path / records.TASKS_DIR
    if tdir.is_dir():
        for p in sorted(tdir.glob("*.jsonl")):
            for d in records.read(p):
                w, s = d.get("workload"), d.get("scheduler")
                if isinstance(w, str) and isinstance(s, str) and records.tasks_path(res.path, w, s) == p:
                    seen[(w, s)] = None
                break
    return list(seen)


def chosen(res: Results, plist: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs of *plist* worth a page in a short run: per workload, the spec with the lowest median
    wall time over its ok instrumented repeats, and Dask's default for the collection (the as-shipped
    reading where there is one: what the user gets), in *plist*'s order.

    The other streams stay stored; :data:`DRAW_ALL` draws them.  Read from the rows alone (no
    verdict is needed), so the pages can be drawn while the verdicts are worked out.
    """
    rows = res.rows
    need = {"workload", "scheduler", "wall_s", "kind", "collection"}
    if rows.empty or not need <= set(rows.columns):
        return list(plist)
    ok = rows[(rows["status"].fillna("ok") == "ok") & (rows["mode"].fillna("instrumented") == "instrumented")
              & (rows["control"].fillna("") == "")] if {"status", "mode", "control"} <= set(rows.columns) else rows
    keep: set[tuple[str, str]] = set()
    cores = int(res.meta.get("cores") or res.meta.get("cpu_count") or 1)
    for wl, g in ok.groupby("workload", sort=False):
        med = g.groupby("scheduler")["wall_s"].median().dropna()
        if not med.empty:
            keep.add((str(wl), str(med.idxmin())))
        kind = DEFAULT_SCHEDULER.get(str(g["collection"].iloc[0]))
        mine = g[g["kind"] == kind]
        if not mine.empty:
            shipped = mine[mine["as_shipped"].fillna(False).astype(bool)] if "as_shipped" in mine else mine.iloc[:0]
            mine = shipped if not shipped.empty else mine
            # Dask's default uses every core: of a sweep (threads-1, -2, -4), the spec with the run's cores
            size = pd.to_numeric(mine.get("workers"), errors="coerce").fillna(1) * pd.to_numeric(
                mine.get("threads_per_worker"), errors="coerce").fillna(1)
            full = mine[size == cores]
            keep.add((str(wl), str((full if not full.empty else mine)["scheduler"].iloc[0])))
    known = set(ok["workload"].astype(str))
    return [p for p in plist if p in keep or p[0] not in known]  # a stream without ok rows: drawn, to show why


def render(res: Results, workload: str, scheduler: str, out_dir: Path, resources: Any = None) -> dict[str, Any] | None:
    """Write the page of (*workload*, *scheduler*); ``None`` when it has no task."""
    tasks = load_tasks(res.path, workload, scheduler, res.skipped)
    if tasks.empty:
        return None
    rows = res.rows
    if not rows.empty:
        rows = rows[(rows["workload"] == workload) & (rows["scheduler"] == scheduler)
                    & (rows["status"].fillna("ok") == "ok") & (rows["mode"].fillna("instrumented") == "instrumented")
                    & (rows["control"].fillna("") == "")]
    perf_name = f"{records.slug(workload)}__{records.slug(scheduler)}.html"  # as the runner saves it
    perf = res.path / "perf" / perf_name
    text, info = page(tasks, workload, scheduler, rows, perf_link=f"../perf/{perf_name}" if perf.exists() else None,
                      resources=resources)
    target = Path(out_dir) / f"{records.stem(workload, scheduler)}.html"
    _write(res.path, target, text)
    try:
        rel = target.relative_to(res.path).as_posix()
    except ValueError:
        rel = target.as_posix()
    return {"workload": workload, "scheduler": scheduler, "path": rel, "tasks": info["tasks"],
            "sampled": info["sampled"], "repeat": info["repeat"]}


def _write(root: Path, target: Path, data: str | bytes) -> None:
    """Write *target* afresh, following no link below *root* (the results folder) when it lies in it."""
    root, target = Path(root), Path(target)
    try:
        rel = target.relative_to(root)
    except ValueError:  # pages written outside the results folder on purpose
        root, rel = target.parent, Path(target.name)
    records.write_file_safely(root, rel, data)


def _sha256(path: Path) -> str | None:
    """Digest of the regular file at *path* (not through a link); None if there is none."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return hashlib.file_digest(f, "sha256").hexdigest()


def local_resources(out_dir: Path, root: Path | None = None) -> Any:
    """BokehJS copied once into *out_dir*/static/js and referenced by relative path.

    Works offline from ``file://`` like INLINE does, without repeating 1.9 MB in
    every page (a quick run has ~150 pages).  A copy is kept only when its
    content hashes like Bokeh's own: a file of the same size, or a link, is
    replaced.  *root* is the results folder (default *out_dir*): nothing below
    it is written through a link.
    """
    from bokeh.resources import Resources
    from bokeh.util.paths import bokehjs_path

    src = Path(bokehjs_path()) / "js"
    dst = Path(out_dir) / "static" / "js"
    for f in sorted(src.glob("bokeh*.min.js")):
        data = f.read_bytes()
        if _sha256(dst / f.name) != hashlib.sha256(data).hexdigest():
            _write(Path(root or out_dir), dst / f.name, data)
    return Resources(mode="server", root_url="./")


def _render_some(run_dir: str, some: list[tuple[str, str]], out_dir: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Render the pages of *some* pairs in a worker process (it loads the folder itself)."""
    res = load(run_dir)
    res.skipped.clear()
    resources = local_resources(Path(out_dir), res.path)
    out = []
    for w, s in some:
        try:
            info = render(res, w, s, Path(out_dir), resources=resources)
        except Exception as e:  # one damaged stream must not cost the other pages
            res.skipped.append(f"task stream {w} / {s}: not drawn ({type(e).__name__}: {e})")
            continue
        if info:
            out.append(info)
    return out, list(res.skipped)


class PageJob:
    """The task-stream pages of a run, being rendered: :meth:`result` waits for them, :meth:`close` stops.

    Pages are independent, so with many of them they are rendered in *jobs*
    worker processes (default: the cores, at most 4) while the caller goes on
    (:func:`reports.build.build` works out the verdicts meanwhile): Bokeh takes
    ~0.2 s a page, and a quick run has ~80.  Few pages, or one core: rendered
    here, when :meth:`result` is called.  Workers end with this process, also
    when it is killed (see :func:`runners.records.die_with_parent`).
    """

    def __init__(self, res: Results, out_dir: Path, jobs: int | None = None, which: str | None = None):
        self.res, self.out_dir = res, Path(out_dir)
        stored = pairs(res)
        # *which*: "all" or "chosen" (see WHICH); by default what the run's profile asked for (meta.json).
        self.which = which or str(res.meta.get("stream_pages") or "all")
        self.plist = chosen(res, stored) if self.which == "chosen" else stored
        self.undrawn = len(stored) - len(self.plist)  # stored streams this job leaves without a page
        self.ex: ProcessPoolExecutor | None = None
        self.futures: list[Any] = []
        self.ok = bool(self.plist)
        if not self.ok:
            return
        try:
            local_resources(self.out_dir, res.path)
        except records.UnsafePath as e:  # e.g. streams/ is a link out of the folder
            print(f"WARNING: refused: {e}", file=sys.stderr)
            res.skipped.append(f"task-stream pages not written: {e}")
            self.ok = False
            return
        if jobs is None:
            jobs = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
        if jobs > 1 and len(self.plist) >= 20:
            self.ex = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=records.die_with_parent)
            self.futures = [self.ex.submit(_render_some, str(res.path), self.plist[i::jobs], str(self.out_dir))
                            for i in range(jobs)]

    def result(self) -> list[dict[str, Any]]:
        """One dict per page written (a pair whose stream cannot be drawn is listed in ``res.skipped``)."""
        if not self.ok:
            return []
        if self.ex is None:
            out, skipped = _render_some(str(self.res.path), self.plist, str(self.out_dir))
            self.res.skipped.extend(skipped)
            return out
        try:
            done = [f.result() for f in self.futures]
        finally:
            self.close()
        order = {p: i for i, p in enumerate(self.plist)}
        out = [info for infos, _ in done for info in infos]
        out.sort(key=lambda d: order.get((d["workload"], d["scheduler"]), 0))
        for _, skipped in done:
            self.res.skipped.extend(x for x in skipped if x not in self.res.skipped)
        return out

    def close(self) -> None:
        """Stop the workers (pages not yet rendered are not)."""
        if self.ex is not None:
            self.ex.shutdown(wait=True, cancel_futures=True)
            self.ex = None


def render_all(res: Results, out_dir: Path, jobs: int | None = None, which: str = "all") -> list[dict[str, Any]]:
    """Write one page per (workload, scheduler) with a task stream (*which*: see :data:`WHICH`); one dict per
    page written (see :class:`PageJob`)."""
    job = PageJob(res, out_dir, jobs, which)
    try:
        return job.result()
    finally:
        job.close()
