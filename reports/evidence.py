"""What the claim rules and the recommendations read, and the words they decide with.

A :class:`Context` holds one run's measurements as plain rows keyed by
(workload, scheduler label), found by what the row says it is (kind, workers,
threads per worker: never by parsing a label), plus the raw samples of the
experiments.  Failed rows stay in it (``missing`` set): the comparison of a
failed row is undecided, so a rule's test of it is undecided, never dropped.
:mod:`reports.resample` draws the reruns the agreement figure is read from.

Every test a rule makes is a :func:`reports.stats.compare` of two rows, turned
into ``True`` / ``False`` / ``None`` (undecided) by :func:`outcome_is`; a rule
combines its tests with :func:`all_of` or :func:`majority`.

>>> all_of([True, True]), all_of([True, None]), all_of([True, False, None])
('holds', 'inconclusive', 'does not hold')
>>> majority([True, True, None]), majority([True, False]), majority([False, False, True])
('holds', 'inconclusive', 'does not hold')
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, NamedTuple, Sequence

import pandas as pd

from reports.fmt import is_number
from reports.stats import Comparison, compare
from reports.table import flag
from runners.records.kinds import is_cluster, is_serial, is_threads

__all__ = [
    "HOLDS",
    "FAILS",
    "UNSURE",
    "Context",
    "context",
    "is_number",
    "rounded",
    "versus",
    "speedup",
    "outcome_is",
    "above",
    "below",
    "gains",
    "flat_bar",
    "on_free_cores",
    "all_of",
    "majority",
    "verdict",
    "missing",
    "figure",
    "shown",
    "PlotSpec",
]

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"


def rounded(x: Any, digits: int = 3) -> float | None:
    """*x* rounded for a report, None when it is not a number."""
    return round(float(x), digits) if is_number(x) else None


@dataclass
class Context:
    """One run's measurements, as the rules read them."""

    cores: int | None
    n: int  # the worker count N of the main specs (threads-N, processes-N, distributed-Nx1)
    gil_enabled: bool | None
    free_threaded: bool | None
    openmp: bool | None
    rows: dict[tuple[str, str], dict[str, Any]]  # (workload, label) -> table row
    cells: dict[str, list[float]] = field(default_factory=dict)  # experiment samples
    meta: dict[str, Any] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)  # rounds a rerun may run, by group (reports.resample)
    # Specs left out early as far slower than the best (rounds.jsonl "dropped"): workload -> {label: why}
    dropped: dict[str, dict[str, str]] = field(default_factory=dict)
    # The cores the machine left the suite (reports.interference.free_cores: N less what other users took);
    # None: not measured
    free: float | None = None
    by_spec: dict[tuple[str, str, int, int, bool], dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_spec = {}
        for (w, _), r in self.rows.items():
            key = (w, r["kind"], int(r.get("workers") or 1), int(r.get("threads_per_worker") or 1),
                   flag(r.get("as_shipped")))
            self.by_spec.setdefault(key, r)

    def row(self, workload: str, kind: str = "sync", workers: int | None = None,
            threads: int = 1, shipped: bool = False) -> dict[str, Any] | None:
        """The row of *workload* under *kind* with *workers* (default N) of *threads* threads each.

        One worker for the serial kind; several threads per worker only on a cluster (any other kind's
        workers have one thread each).  *shipped*: the as-shipped reading of a kind that has two
        (``processes-2-shipped``); the tuned one (the kept pool or cluster) by default.
        """
        if is_serial(kind):
            workers = 1
        if not is_cluster(kind):
            threads = 1
        return self.by_spec.get((workload, kind, self.n if workers is None else workers, threads, shipped))

    def parallel(self, bar: float, floor: float = 1.0) -> float:
        """A parallel-speedup *bar* set for N cores, moved to the cores this run had free (:func:`on_free_cores`)."""
        return on_free_cores(bar, self.n, self.free, floor)

    def free_note(self) -> str:
        """Where the parallel bars moved, the words that say so (" (set for the 1.6 of 2 cores ...)"), else nothing."""
        if self.free is None or self.free >= self.n:
            return ""
        return f" (set for the {self.free:g} of {self.n} cores other users left free)"

    def as_users_get(self, workload: str, kind: str, workers: int | None = None,
                     threads: int = 1) -> dict[str, Any] | None:
        """The row a user of Dask's defaults gets: the as-shipped reading where measured, else the tuned one."""
        return (self.row(workload, kind, workers, threads, shipped=True)
                or self.row(workload, kind, workers, threads))

    def workloads(self, claim: str | None = None, family: str | None = None) -> list[str]:
        """Workloads (in table order) tagged with *claim*, or of *family*."""
        out: list[str] = []
        for (w, _), r in self.rows.items():
            if w in out:
                continue
            if claim is not None and claim not in (r.get("claims") or []):
                continue
            if family is not None and r.get("family") != family:
                continue
            out.append(w)
        return out

    def param(self, workload: str, key: str) -> Any:
        for (w, _), r in self.rows.items():
            if w == workload:
                return (r.get("params") or {}).get(key)
        return None

    def ok(self, workload: str, kind: str = "sync", workers: int | None = None, threads: int = 1) -> bool:
        """Did (*workload*, *kind*...) run with at least one ok repeat (a median to read)?"""
        r = self.row(workload, kind, workers, threads)
        return r is not None and is_number(r.get("median_s"))


def context(table: pd.DataFrame, meta: dict[str, Any] | None = None, rows: pd.DataFrame | None = None,
            rounds: list[dict[str, Any]] | None = None, free: float | None = None) -> Context:
    """The rules' view of a run: every row of the table, the experiments' samples; *free*: the cores other
    users left (:func:`reports.interference.free_cores` of the run's interference), which sets the
    parallel-speedup bars.

    A row without an ok repeat stays (``missing`` says why, ``median_s`` is
    None): a rule that names it gets an undecided test, never a silent pass.
    """
    meta = dict(meta or {})
    cores = meta.get("cores") or meta.get("cpu_count")
    cores = int(cores) if is_number(cores) else None
    index: dict[tuple[str, str], dict[str, Any]] = {}
    if isinstance(table, pd.DataFrame) and not table.empty:
        for r in table.to_dict("records"):
            r["times"] = [float(x) for x in (r.get("times") if r.get("times") is not None else [])]
            r["claims"] = list(r.get("claims") if r.get("claims") is not None else [])
            r["keys"] = list(r.get("keys") if r.get("keys") is not None else [None] * len(r["times"]))
            if not (is_number(r.get("median_s")) and r["median_s"] > 0):
                fails = "; ".join(r.get("failures") or []) or "no data"
                r["median_s"] = None
                r["missing"] = f"no ok repeat ({fails[:160]})"
            index[(r["workload"], r["scheduler"])] = r
    n = cores
    if n is None:  # not recorded: the most common worker count of the threads rows
        thr = [int(r.get("workers") or 1) for r in index.values() if is_threads(r["kind"])]
        n = max(set(thr), key=thr.count) if thr else 1
    gil, ft = meta.get("gil_enabled"), meta.get("free_threaded_build")
    return Context(cores=cores, n=max(int(n), 1), gil_enabled=None if gil is None else bool(gil),
                   free_threaded=None if ft is None else bool(ft), openmp=meta.get("openmp_kernels"),
                   rows=index, cells=_cells(rows), meta=meta, lengths=_lengths(meta, rounds),
                   dropped=_dropped(rounds), free=free)


def _dropped(rounds: list[dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """Per workload, the specs its rounds left out as far slower than the best, with why (every session).

    >>> _dropped([{"workload": "w", "dropped": {"processes-2": "10× slower"}}, {"workload": "v"}])
    {'w': {'processes-2': '10× slower'}}
    """
    out: dict[str, dict[str, str]] = {}
    for r in rounds or []:
        if isinstance(r.get("dropped"), dict) and r["dropped"]:
            out.setdefault(str(r.get("workload")), {}).update({str(k): str(v) for k, v in r["dropped"].items()})
    return out


def _lengths(meta: dict[str, Any], rounds: list[dict[str, Any]] | None) -> dict[str, int]:
    """Groups none of whose workloads stopped at a time cap (or ran on caps the run's budget had cut): a rerun
    of them may run to the last look, the workload's own where it planned one (where time stopped the rounds,
    a rerun would stop about as soon: it keeps the rounds it had)."""
    last = (meta.get("looks") or {}).get("last") if isinstance(meta.get("looks"), dict) else None
    if not last or not rounds:
        return {}
    group = {w.get("name"): w.get("interleave") or w.get("name") for w in meta.get("workloads") or []
             if isinstance(w, dict)}
    capped = {group.get(r["workload"], r["workload"]) for r in rounds
              if r.get("stopped") == "time cap" or (r.get("scale") is not None and r["scale"] < 1)}
    # a workload with a design of its own (runners.rounds.design) reruns to its own last look
    own = lambda r: (r.get("looks") or {}).get("last") if isinstance(r.get("looks"), dict) else None  # noqa: E731
    return {g: int(own(r) or last) for r in rounds if r.get("workload")
            and (g := group.get(r["workload"], r["workload"])) not in capped}


def _cells(rows: pd.DataFrame | None) -> dict[str, list[float]]:
    """Experiment samples by cell: ``convoy/spinner=True/5.0`` -> wall times."""
    cells: dict[str, list[float]] = {}
    if rows is None or rows.empty or "collection" not in rows:
        return cells
    g = rows[(rows["collection"] == "experiment") & (rows["status"].fillna("ok") == "ok")]
    for r in g.itertuples():
        p = r.params if isinstance(r.params, dict) else {}
        if is_number(r.wall_s) and "spinner" in p:
            cells.setdefault(f"{r.workload}/spinner={bool(p['spinner'])}/{float(p['switch_interval_ms'])}", []).append(
                float(r.wall_s))
    return cells


def versus(a: dict[str, Any] | None, b: dict[str, Any] | None, factor: float = 1.0,
           margin: float | None = None, family: int = 1) -> Comparison | None:
    """How many times faster row *a* is than row *b* (None when either is missing)."""
    if a is None or b is None:
        return None
    names = (str(a.get("scheduler", "A")), str(b.get("scheduler", "B")))
    if names[0] == names[1]:
        names = (str(a.get("workload", "A")), str(b.get("workload", "B")))
    return compare(a, b, factor, margin=margin, names=names, family=family)


def speedup(ctx: Context, workload: str, kind: str, workers: int | None = None, factor: float = 1.0,
            threads: int = 1) -> Comparison | None:
    """*workload* under *kind* (N workers by default) against ``sync``."""
    return versus(ctx.row(workload, kind, workers, threads), ctx.row(workload, "sync"), factor)


def outcome_is(c: Comparison | None, *wanted: str) -> bool | None:
    """True when *c* decided one of *wanted*, False when it decided otherwise, None when undecided."""
    if c is None or c.outcome == "undecided":
        return None
    return c.outcome in wanted


def above(c: Comparison | None) -> bool | None:
    """One-sided: True when the whole interval is above the comparison's factor, False when below it.

    None when the interval contains the factor or the comparison is undecided for want of data.
    """
    if c is None or c.lo is None:
        return None
    return True if c.lo > c.factor else (False if c.hi < c.factor else None)


def below(c: Comparison | None) -> bool | None:
    """One-sided: True when the whole interval is below the factor ("less than factor× faster")."""
    a = above(c)
    return None if a is None else not a


def gains(a: dict[str, Any] | None, b: dict[str, Any] | None, bar: float = 1.0) -> bool | None:
    """Is *a* more than *bar* times faster than *b*?  True: interval above *bar*; False: below it; None: neither.

    One bar for both answers.  With two (faster above 1, "no gain" below 1.1) a true speedup
    between them could be decided either way, whichever edge its interval cleared first: C10 read
    df-str-arrow as "faster" in one quick run (1.05× [1.001–1.11]) and "no gain" in the next
    (0.978× [0.878–1.09]), and swapped.
    """
    return above(versus(a, b, bar))


def flat_bar(n: int) -> float:
    """The most a "no speedup" claim allows on *n* workers: 1 + 0.25 per extra core (1.25× on 2 cores).

    Between 1 (the GIL serialises everything) and what parallel work reaches on
    these cores (1.6–1.9× on 2 here): a run-to-run noise of 10–20 % per repeat
    cannot carry one over the other.

    >>> flat_bar(2), flat_bar(8)
    (1.25, 1.75)
    """
    return round(1 + 0.25 * (min(n, 4) - 1), 2)


def on_free_cores(bar: float, n: int, free: float | None, floor: float = 1.0) -> float:
    """A bar for a parallel speedup on *n* workers, set for the *free* cores the machine really gave.

    Such a bar is 1 plus some share of each extra core (C5: 1 + 0.4 per extra core).  Another
    process using 0.4 of a core takes that much of the speedup away from every parallel spec (a
    nogil kernel that reached 1.9× on two quiet cores reached 1.49–1.55× beside stress-ng's 40 % of
    one core), so the bar keeps its share of the extra cores that were free: its excess over 1 times
    ``(free - 1) / (n - 1)``, and never below *floor* (C7: a speedup "kept" is never one its "lost"
    bar allows).  Bars that ask for *no* speedup (:func:`flat_bar`) do not move: a serialised
    workload gets 1× whatever the other users take.

    >>> on_free_cores(1.4, 2, 1.6), on_free_cores(1.4, 2, 2.0), on_free_cores(1.4, 2, None), on_free_cores(1.6, 8, 6.6)
    (1.24, 1.4, 1.4, 1.48)
    >>> on_free_cores(1.3, 2, 1.6), on_free_cores(1.3, 2, 1.6, floor=1.2)
    (1.18, 1.2)
    """
    if free is None or n < 2 or free >= n:
        return bar
    return max(floor, round(1 + (bar - 1) * (max(free, 1.0) - 1) / (n - 1), 2))


def all_of(tests: Sequence[bool | None]) -> str:
    """All True: holds; any False: does not hold; otherwise inconclusive."""
    if not tests:
        return UNSURE
    if any(t is False for t in tests):
        return FAILS
    return HOLDS if all(t is True for t in tests) else UNSURE


def majority(tests: Sequence[bool | None]) -> str:
    """More than half True: holds; at least half False: does not hold; otherwise inconclusive.

    Undecided tests count in the total, so an answer needs a decided majority.
    """
    n = len(tests)
    if n == 0:
        return UNSURE
    yes, no = sum(t is True for t in tests), sum(t is False for t in tests)
    if 2 * yes > n:
        return HOLDS
    if 2 * no >= n and no > yes:
        return FAILS
    return UNSURE


def figure(c: Comparison | None) -> dict[str, Any] | None:
    """A comparison for the numbers dict: estimate, interval, outcome, repeats."""
    return None if c is None else c.as_dict()


def shown(f: dict[str, Any] | None) -> str:
    """A figure in a sentence: ``1.9× [1.8–2.0]``, or why it is missing.

    >>> shown({"ratio": 1.9, "lo": 1.8, "hi": 2.0}), shown(None)
    ('1.9× [1.8–2]', 'n/a')
    """
    if not f or f.get("ratio") is None:
        return "n/a"
    if f.get("lo") is None:
        return f"{f['ratio']:.3g}× (undecided)"
    return f"{f['ratio']:.3g}× [{f['lo']:.3g}–{f['hi']:.3g}]"


class PlotSpec(NamedTuple):
    """How a claim's deciding plot is drawn (by reports.dashboard.claimplots): kind, caption, axis label.

    A rule declares it beside itself (``c4.plot = PlotSpec("curves", ...)``); kinds:
    ``comparisons`` (every comparison with its interval, the default), ``curves``,
    ``by_k``, ``per_task``, ``defaults``.
    """

    kind: str
    caption: str
    axis: str


def verdict(v: str, numbers: dict[str, Any], threshold: str, reason: str) -> dict[str, Any]:
    return {"verdict": v, "numbers": numbers or {"missing": ["no figures"]}, "threshold": threshold, "reason": reason}


def missing(threshold: str, what: Iterable[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    what = list(dict.fromkeys(what))
    shown = ", ".join(what[:6]) + (f" and {len(what) - 6} more" if len(what) > 6 else "")
    return verdict(UNSURE, {"missing": what, **(extra or {})}, threshold, f"Not measured: {shown}.")
