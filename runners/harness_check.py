"""The harness check: does measuring change what is measured?

Per sampled workload (:meth:`runners.plan.Plan.plain_check`), bare repeats
of the harness, here, interleaved with plain ``dask.compute`` in a fresh
interpreter (:mod:`runners.plaindask`), on every scheduler whose kind is
timed plainly (:attr:`runners.schedulers.base.Scheduler.plain_checked`).  Rows
carry ``control="plain-check"``, ``mode`` bare or plain; :mod:`reports.controls`
warns where the two differ beyond a margin.
"""
from __future__ import annotations

from typing import Sequence

from runners.plaindask import PlainChild
from runners.plan import Plan, seeded_shuffle
from runners.repeats import Repeats
from runners.schedulers import Scheduler
from workloads.base import Workload

__all__ = ["HarnessCheck"]


class HarnessCheck:
    """The run's harness check; the plain-Dask interpreter is started on first use and kept until :meth:`close`."""

    def __init__(self, plan: Plan, repeats: Repeats):
        self.plan, self.repeats = plan, repeats
        self.child: PlainChild | None = None

    def run(self, w: Workload, pools: Sequence[Scheduler]) -> None:
        """The profile's plain-check rounds of *w*: per round, each scheduler bare here then plainly there."""
        local = [p for p in pools if p.plain_checked]
        if not local:
            return
        if self.child is None:
            self.child = PlainChild(self.plan.profile.name, self.plan.seed, self.plan.plugin_files)
        rows = self.repeats.rows
        for rnd in range(self.plan.profile.plain_repeats):
            order = list(range(len(local)))
            seeded_shuffle(order, self.plan.order_seed, w.name + "/plain", rows.session, rnd)
            for i in order:
                pool = local[i]
                self.repeats.timed(pool, w, rnd, rnd, mode="bare", control="plain-check")
                self.repeats.pools.focus(None)  # plain Dask has no idle cluster of ours beside it either
                got = self.child.time(w, pool.spec)
                rows.store(rows.row(w, pool.spec, rnd, label=pool.label, mode="plain", control="plain-check", round=rnd,
                                    status="ok" if "wall_s" in got else "error", wall_s=got.get("wall_s"),
                                    error=got.get("error", "")))

    def close(self) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None
