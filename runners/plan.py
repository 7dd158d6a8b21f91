"""What one run measures: the plan, its run id, the workloads' stored description.

:class:`Plan` is built by the command line (:mod:`runners.all`) or by
:func:`runners.api.compare` and stored in ``meta.json`` so that ``--resume``
can redo it; :meth:`Plan.schedule` orders the work (workloads without sweeps
first, then the sweeps, so the extra worker counts' pools are started once) and
adds the distributed layouts the profile sweeps (:func:`runners.profiles.layouts`)
to the workloads that run under distributed.

>>> from runners.profiles import PROFILES
>>> base, sweep = plan_specs(PROFILES["quick"], 2)
>>> [s.label for s in base], [s.label for s in sweep]
(['sync', 'threads-2', 'processes-2', 'distributed-2x1', 'processes-2-shipped'], ['threads-4'])
"""
from __future__ import annotations

import json
import zlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

from runners import records
from runners.interference import Load
from runners.measure import Instruments
from runners.profiles import ClaimNeeds, Profile, needed_kinds
from runners.records.kinds import KINDS, SchedulerSpec, is_cluster, is_serial
from runners.records.schema import SHAPE
from workloads.base import Workload

__all__ = ["Plan", "Decider", "check_kinds", "PLAIN_SAMPLE", "new_run_id", "plan_specs", "spec_details", "workload_info", "done_keys",
           "scaling_kinds", "write_meta", "seeded_shuffle", "Prior", "prior_work"]

# Given a workload and the ok times per scheduler label, the comparisons still undecided: items with
# ``text``, ``specs`` (the labels they need) and ``claim`` (a claim's rule reads it: measured to the claim cap).
Decider = Callable[[Workload, dict[str, list[float]]], list[Any]]


def check_kinds(w: Workload) -> None:
    """The scheduler kinds *w* names (``Workload.kinds``) are kinds this runner has, or a ``ValueError``.

    >>> from dataclasses import replace
    >>> from workloads import catalogue
    >>> check_kinds(replace(catalogue()["bag-json"], kinds=("sync", "gpu")))
    Traceback (most recent call last):
    ...
    ValueError: workload 'bag-json': unknown scheduler kinds ['gpu']; valid: sync, threads, processes, distributed
    """
    unknown = [k for k in (w.kinds or ()) if k not in KINDS]
    if unknown:
        raise ValueError(f"workload {w.name!r}: unknown scheduler kinds {unknown}; valid: {', '.join(KINDS)}")


def new_run_id() -> str:
    """A sortable, unique run id: ``20261123-021530-1a2b``."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:4]


@dataclass
class Plan:
    """What one run measures; stored in meta.json so ``--resume`` can redo it.

    ``repeats`` is the minimum of rounds per workload (``fixed``: exactly that
    many, as ``--repeats`` asks); ``decide`` says which comparisons are still
    undecided (None: stop at the minimum); ``claims`` are the claims the
    workloads name, by id: the kinds their verdicts read and whether they
    read speedup curves (a lean profile runs only those; a claim not given
    counts as reading every kind).  Both are handed in by the composition
    root (:mod:`runners.all`), which knows the claims.  ``layouts``: add the
    profile's distributed layouts (1xN, Dask's own split) beside each
    workload's ``distributed-Nx1`` (:meth:`layout_specs`); the command line
    sets it where the profile chose the schedulers, not where the user named
    them.
    """

    profile: Profile
    workloads: dict[str, Workload]
    specs: list[SchedulerSpec]
    sweep_specs: list[SchedulerSpec] = field(default_factory=list)
    repeats: int | None = None
    instruments: Instruments = field(default_factory=Instruments)
    experiments: list[str] = field(default_factory=list)
    controls: bool = True
    timeout_s: float | None = None
    dashboard: bool = True
    seed: int = 42  # seeds the generated data (--seed)
    round_seed: int | None = None  # seeds the order within rounds: from the run id, recorded in meta.json
    plugin_files: list[str] = field(default_factory=list)
    lean: bool | None = None  # None: the profile's; False when the user named the schedulers
    security: Any = None  # distributed.security.Security for address (TLS) clusters
    decide: Decider | None = None
    fixed: bool = False
    check_plain: bool = True
    claims: Mapping[str, ClaimNeeds] = field(default_factory=dict)
    layouts: bool = False
    # Specs shown far slower than the best leave the rounds (reports.stopping.far_slower, wired in by the
    # composition root): ``drop(samples, protected, rounds) -> {label: why}``.
    drop: Callable[[Mapping[str, Any], Sequence[str], int], dict[str, str]] | None = None
    # Seconds for the whole answer (compare(), a user's --workloads): no round starts past it; None: the
    # profile's run budget, planned as it goes (runners.budget).
    time_budget_s: float | None = None
    # Time what each workload's fresh workers import (runners.worker_imports): where the run predicts, for the
    # as-shipped start-up the cost model charges each workload.
    worker_imports: bool = False
    # What other users of the machine take while the rounds run (runners.interference.Load): the runner's watch
    # fills it, ``decide`` (from the composition root) reads it for the claims' parallel-speedup bars.
    load: Load = field(default_factory=Load)

    def __post_init__(self) -> None:
        for w in self.workloads.values():
            check_kinds(w)

    @property
    def order_seed(self) -> int:
        """The seed of every order within rounds: the run's round seed, else ``--seed`` (an older run)."""
        return self.seed if self.round_seed is None else self.round_seed

    @property
    def looks(self) -> dict[str, Any] | None:
        """The sequential design of the adaptive rounds (:class:`reports.intervals.Looks` as a dict): a look after
        every round from the minimum to the claim cap.  None with a fixed number of repeats (no looking)."""
        if self.fixed:
            return None
        return {"first": self.min_repeats, "last": self.claim_max_repeats, "alpha": 0.05, "tail": 0.02, "shape": SHAPE}

    @property
    def min_repeats(self) -> int:
        return self.repeats if self.repeats is not None else self.profile.repeats

    @property
    def max_repeats(self) -> int:
        return max(self.min_repeats, self.profile.max_repeats)

    @property
    def budget_s(self) -> float:
        return self.profile.budget_s

    @property
    def claim_max_repeats(self) -> int:
        return max(self.max_repeats, self.profile.claim_max_repeats or 0)

    @property
    def claim_extra_s(self) -> float:
        return self.profile.claim_extra_s or 0.0

    @property
    def is_lean(self) -> bool:
        return self.profile.lean if self.lean is None else self.lean

    def plain_check(self, w: Workload) -> bool:
        """Is *w* timed against plain Dask in a fresh interpreter?  Every workload, or a sample."""
        if not self.check_plain or self.profile.plain_check == "none":
            return False
        if self.profile.plain_check == "all":
            return True
        return w.name in (PLAIN_WIDE if self.profile.plain_check == "wide" else PLAIN_SAMPLE)

    def plain_checked(self, w: Workload, spec: SchedulerSpec) -> bool:
        """Does *w*'s plain check time *spec* (one of the specs it ran under)?

        ``quick`` splits its sample: sync and threads on ``df-groupby``, the tuned processes pool on
        ``bag-json``.  Not the as-shipped pool there: its computes are already Dask's own, timed whole
        (3 s a pair of them on a slow 2-core machine), and the tuned pool shares this interpreter's state,
        which is what the check is for.  Every other profile checks every spec the workload ran under.
        """
        if self.profile.plain_check != "sample":
            return True
        return spec.kind in PLAIN_SAMPLE.get(w.name, ()) and not spec.as_shipped

    def _runs(self, w: Workload, spec: SchedulerSpec) -> bool:
        if w.kinds is not None and spec.kind not in w.kinds:
            return False
        if self.is_lean and not is_serial(spec.kind):
            if spec.kind not in needed_kinds(w.claims, self.claims, self.profile.c12_everywhere):
                return False
            if spec.as_shipped and not self.profile.ships(w.claims, w.collection, spec.kind):
                return False
        return True

    def layout_specs(self, w: Workload, specs: list[SchedulerSpec]) -> list[SchedulerSpec]:
        """The distributed layouts swept for *w* beyond those in *specs*, the specs it runs under.

        Only beside a local, tuned ``distributed-Nx1`` that *w* runs under (so a lean profile
        sweeps them where a claim reads the cluster), of the same N cores, and only for the
        workloads the profile names; never an as-shipped reading (the cluster started per
        compute) nor a cluster at an address (its layout is its own).
        """
        if not self.layouts or not self.profile.sweeps_layouts(w.name):
            return []
        bases = [s for s in specs if is_cluster(s.kind) and s.address is None and not s.as_shipped
                 and s.threads_per_worker == 1]
        extra = [x for b in bases for x in self.profile.layout_specs(b.workers) if x not in specs]
        return list(dict.fromkeys(extra))

    def schedule(self) -> list[tuple[Workload, list[SchedulerSpec]]]:
        """(workload, specs) in run order: workloads without sweeps first, then the sweeps.

        Sweep workloads come last, together, so the pools of the extra worker
        counts are started once and closed when the sweeps are done.  The
        distributed layouts (:meth:`layout_specs`) follow a workload's base specs.
        """
        out, sweeps = [], []
        for w in self.workloads.values():
            specs = [s for s in self.specs if self._runs(w, s)]
            specs += self.layout_specs(w, specs)
            sweeps_here = self.profile.sweep_claims is None or set(w.claims) & set(self.profile.sweep_claims)
            if w.sweep and sweeps_here:
                extra = [s for s in self.sweep_specs if s not in specs and self._runs(w, s)
                         and (not self.is_lean or s.kind in scaling_kinds(w, self.claims))]
                sweeps.append((w, specs + extra))
            else:
                out.append((w, specs))
        return [(w, s) for w, s in out + sweeps if s]


# The quick profile's sample for the plain-Dask check: pandas and pure Python, allocation-heavy,
# where the harness's own state would show through the garbage collector.
# Each with the kinds it checks (see Plan.plain_checked).
PLAIN_SAMPLE: dict[str, frozenset[str]] = {"df-groupby": frozenset({"sync", "threads"}),
                                           "bag-json": frozenset({"processes"})}
# The default profile's: one per collection and kind of work (NumPy, pandas, real data, pure Python,
# tiny tasks, a GIL-holding kernel, text parsing).
PLAIN_WIDE = ("array-transcendental", "df-groupby", "flights-groupby", "bag-json", "delayed-busy-1000",
              "kernel-compute-gil", "stdlib-re")



def plan_specs(profile: Profile, n_cores: int, address: str | None = None) -> tuple[list[SchedulerSpec], list[SchedulerSpec]]:
    """Base and sweep specs of *profile*; with *address* the cluster replaces local distributed."""
    base = profile.specs(n_cores)
    if address:
        base = [s for s in base if not is_cluster(s.kind)] + [SchedulerSpec("distributed", address=address)]
    return base, profile.sweep_specs(n_cores)



def spec_details(specs: Sequence[SchedulerSpec]) -> list[dict[str, Any]]:
    """What ``meta.json`` keeps of each spec (``spec_details``): enough to predict one that was not run."""
    return [{"label": s.label, "kind": s.kind, "workers": s.workers, "threads_per_worker": s.threads_per_worker,
             "address": s.address, "as_shipped": s.as_shipped} for s in specs]


def workload_info(w: Workload, profile: str) -> dict[str, Any]:
    """What reports need to know of a workload (stored in meta.json)."""
    size = w.size_for(profile)
    try:
        nbytes = int(w.nbytes(size))
    except Exception:
        nbytes = 0
    return {
        "name": w.name,
        "collection": w.collection,
        "claims": list(w.claims),
        "family": w.family,
        "params": dict(w.params),
        "sweep": w.sweep,
        "real_data": w.real_data,
        "description": w.description,
        "size": size,
        "input_bytes": nbytes,
        "module": getattr(w.build, "__module__", ""),
        "interleave": w.interleave or "",
    }



def done_keys(run_dir: Path) -> dict[tuple, int]:
    """(workload, scheduler, mode, control) -> number of finished repeats in the folder."""
    counts: dict[tuple, int] = {}
    for d in records.read(run_dir / records.ROWS):
        k = (d.get("workload"), d.get("scheduler"), d.get("mode", "instrumented"), d.get("control", ""))
        counts[k] = counts.get(k, 0) + 1
    return counts



def scaling_kinds(w: Workload, claims: Mapping[str, ClaimNeeds]) -> frozenset[str]:
    """Kinds whose worker-count curve a scaling claim of *w* reads (of the *claims* known; the others compare
    specs, they do not sweep); without a scaling claim, the kinds every claim of *w* reads."""
    scaling = [c for c in w.claims if c in claims and claims[c].scaling]
    return needed_kinds(scaling, claims) if scaling else needed_kinds(w.claims, claims)



def write_meta(run_dir: Path, meta: dict[str, Any]) -> None:
    """Write meta.json atomically and durably (a crash never leaves half a file; no link is followed)."""
    text = json.dumps({"v": records.SCHEMA_VERSION, **meta}, indent=1, sort_keys=True, default=str)
    records.write_file_safely(run_dir, records.META, text, durable=True)


def seeded_shuffle(items: list[Any], seed: int, name: str, session: int, rnd: int) -> None:
    """Shuffle *items* in place, the same way for the same (seed, workload, session, round)."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), session, rnd + 1])
    perm = rng.permutation(len(items))
    items[:] = [items[i] for i in perm]


class Prior(NamedTuple):
    """What a results folder already holds (for ``--resume``)."""

    session: int  # the session this run writes (0 for a fresh folder)
    times: dict[tuple[str, str], list[float]]  # ok main times of earlier sessions
    finished: dict[str, bool]  # workloads whose rounds ended by decision or cap
    keys: dict[tuple[str, str], list[str | None]] = {}  # their rounds, "session:round" (paired comparisons)


def prior_work(run_dir: Path) -> Prior:
    """What the folder holds from earlier sessions: ``--resume`` continues from it."""
    rows = list(records.read(run_dir / records.ROWS))
    session = 1 + max((int(r.get("session") or 0) for r in rows), default=-1)
    times: dict[tuple[str, str], list[float]] = {}
    keys: dict[tuple[str, str], list[str | None]] = {}
    for r in rows:
        if r.get("status") == "ok" and r.get("mode", "instrumented") == "instrumented" and not r.get("control") \
                and r.get("wall_s") is not None:
            times.setdefault((r["workload"], r["scheduler"]), []).append(float(r["wall_s"]))
            rnd = r.get("round", -1)
            keys.setdefault((r["workload"], r["scheduler"]), []).append(
                f"{int(r.get('session') or 0)}:{rnd}" if isinstance(rnd, int) and rnd >= 0 else None)
    left_out = {(w, k) for d in records.read(run_dir / records.INTERFERENCE) if d.get("rerun")
                for w, k in (d.get("items") or [])}
    for (w, label), ks in keys.items():  # rounds left out after a burst do not count on resume either
        keep = [i for i, k in enumerate(ks) if (w, k) not in left_out]
        times[(w, label)] = [times[(w, label)][i] for i in keep]
        keys[(w, label)] = [ks[i] for i in keep]
    finished = {d["workload"]: True for d in records.read(run_dir / records.ROUNDS)
                if d.get("stopped") in ("decided", "repeat cap", "time cap", "fixed repeats")}
    return Prior(session, times, finished, keys)
