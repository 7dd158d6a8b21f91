"""The words of a recommendation: its headline, the code to paste, the kept pool's break-even, memory.

What :mod:`reports.recommend` says once it has picked: a headline of about twenty words
(:func:`headline`: the scheduler, the comparison that decided it with its interval, whether it is
Dask's default), the code to paste (:func:`code_of`, from :mod:`runners.records.paste`), after how
many computes a kept pool pays off against Dask's pool per compute (:func:`break_even`), and a
pick's memory where it is several times the baseline's (:func:`memory_note`).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from reports import fmt
from reports.evidence import rounded
from reports.fmt import is_number
from reports.stats import Comparison, compare
from runners.records import paste
from runners.records.kinds import is_process_pool, parse

__all__ = ["DEFAULT_UNDECIDED", "MEMORY_FACTOR", "healthy", "break_even", "kept_pool", "memory_note", "headline", "code_of",
           "span"]

DEFAULT_UNDECIDED = "default (undecided)"  # the status of a recommendation that stays with Dask's default
MEMORY_FACTOR = 3.0  # a pick that needs this many times the baseline's peak memory says so


def healthy(row: dict[str, Any] | None) -> bool:
    """Through the comparisons' gate: ok repeats, none failed or mismatched, not unstable, not missing.

    >>> healthy({"times": [1.0], "median_s": 1.0}), healthy({"times": [1.0], "median_s": 1.0, "n_failed": 1})
    (True, False)
    >>> healthy({"times": [], "median_s": None}), healthy(None)
    (False, False)
    """
    return (row is not None and len(row.get("times") or ()) >= 1 and not row.get("n_failed")
            and not row.get("unstable") and not row.get("missing") and row.get("check_ok") is not False
            and fmt.is_number(row.get("median_s")) and bool(row.get("median_s")))


def break_even(start_s: float, t_shipped: float, t_tuned: float) -> int | None:
    """After how many computes a kept pool pays off: it costs *start_s* once and *t_tuned* per compute, as shipped
    costs *t_shipped* per compute; None when it never does (not faster per compute).

    >>> break_even(0.8, 0.5, 0.3), break_even(0.8, 0.3, 0.5), break_even(0.0, 0.5, 0.3), break_even(1.0, 0.6, 0.1)
    (4, None, 1, 2)
    """
    if t_shipped <= t_tuned:
        return None
    return max(1, math.ceil(round(start_s / (t_shipped - t_tuned), 9)))  # round: 0.8 / (0.5 - 0.3) is 4, not 5


def _x(v: float) -> str:
    """A ratio with three significant digits, more where three would read as exactly 1 ('1.004', never '1').

    >>> _x(1.82345), _x(1.004), _x(0.9987), _x(1.0)
    ('1.82', '1.004', '0.999', '1')
    """
    s = f"{v:.3g}"
    for d in (4, 5, 6):
        if s != "1":
            break
        s = f"{v:.{d}g}"
    return s


def span(c: Comparison, short: bool = False) -> str:
    """A comparison's estimate with its interval, ``1.82× [1.7–1.95]``; without an interval, why.

    >>> span(compare([1.0] * 5, [1.5, 1.6, 1.55, 1.52, 1.58]))
    '1.55× [1.5–1.6]'
    >>> span(compare([1.0] * 3, [1.5] * 3), short=True)
    '1.5× so far, no interval yet'
    """
    if c.ratio is None:
        return "no estimate"
    if c.lo is None:
        return f"{_x(c.ratio)}× so far, no interval " + ("yet" if short else f"({c.reason})")
    return f"{_x(c.ratio)}× [{_x(c.lo)}–{_x(c.hi)}]"


def kept_pool(shipped: dict[str, Any], tuned: dict[str, Any], start: dict[str, float]) -> tuple[str, dict[str, Any]]:
    """The tuned reading beside the as-shipped one, and after how many computes keeping it pays off."""
    what = "pool" if is_process_pool(tuned["kind"]) else "cluster"
    bad = next((r for r in (tuned, shipped) if not healthy(r)), None)
    if bad is not None:
        why = bad.get("missing") or bad.get("unstable_reason") or "failed repeats"
        return f"kept {what} {tuned['scheduler']}: no break-even, {bad['scheduler']} not usable ({why})", \
            {"shipped": shipped["scheduler"], "tuned": tuned["scheduler"], "break_even": None, "unusable": why}
    ts, tt = float(shipped["median_s"]), float(tuned["median_s"])
    c = compare(tuned, shipped, names=(tuned["scheduler"], shipped["scheduler"]))
    s0 = start.get(tuned["scheduler"])
    ev: dict[str, Any] = {"shipped": shipped["scheduler"], "tuned": tuned["scheduler"], "t_shipped_s": rounded(ts, 4),
                          "t_tuned_s": rounded(tt, 4), "start_s": rounded(s0, 4), "tuned_vs_shipped": c.as_dict(),
                          "break_even": None, "break_even_range": None}
    times = f"({fmt.duration(tt)} vs {fmt.duration(ts)} a compute)"
    per = (f"kept {what} {tuned['scheduler']} {span(c)} faster per compute {times}" if c.outcome == "above" else
           f"kept {what} {tuned['scheduler']} not shown faster per compute: {span(c)} {times}")
    if s0 is None:
        return per + "; its start-up not measured, so its break-even neither", ev
    k = break_even(s0, ts, tt)
    ev["break_even"] = "never" if k is None else k
    if k is None:
        return per + f"; with its {fmt.duration(s0)} start-up it never pays off (no faster per compute)", ev
    text = per + f"; with its {fmt.duration(s0)} start-up it pays off after {k} computes"
    if c.lo is not None:  # the break-even at either end of the interval of time(shipped) / time(tuned)
        lo, hi = ev["break_even_range"] = ["never" if e is None else e
                                           for e in (break_even(s0, tt * r, tt) for r in (c.hi, c.lo))]
        text += f" [{lo}–{hi}]" if lo != hi else f" ({lo} at either end of its interval)"
    return text, ev


def memory_note(rec: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any] | None:
    """Where *rec* needs :data:`MEMORY_FACTOR` times the peak memory of *base* or more: the figure and its words.

    >>> memory_note({"scheduler": "processes-2", "peak_rss": 820e6}, {"scheduler": "sync", "peak_rss": 200e6})["words"]
    'needs 4.1× the memory of sync (820 MB vs 200 MB)'
    >>> memory_note({"scheduler": "threads-2", "peak_rss": 300e6}, {"scheduler": "sync", "peak_rss": 200e6}) is None
    True
    """
    if base is None or base is rec:
        return None
    a, b = rec.get("peak_rss"), base.get("peak_rss")
    if not (is_number(a) and is_number(b)) or b <= 0 or a < MEMORY_FACTOR * b:
        return None
    return {"ratio": rounded(a / b, 2), "peak_rss": int(a), "of": base["scheduler"], "base_peak_rss": int(b),
            "words": f"needs {fmt.ratio(a / b)} the memory of {base['scheduler']} ({fmt.size(a)} vs {fmt.size(b)})"}


def headline(p: Mapping[str, Any], ev: dict[str, Any]) -> str:
    """The recommendation in about twenty words: the scheduler, the comparison that decided it with its
    interval, whether it is Dask's default, and its memory where that is several times the baseline's.

    >>> rows = [{"scheduler": s, "kind": k, "nthreads": 2, "times": [m * f for f in (0.98, 1.0, 1.02, 0.99, 1.01)],
    ...          "median_s": m} for s, k, m in (("sync", "sync", 1.0), ("threads-2", "threads", 0.5))]
    >>> from reports.recommend import explain, pick
    >>> p = pick(rows, default="threads-2")
    >>> headline(p, explain(p, rows, 2, "threads-2")[1])
    "threads-2: 2× [1.94–2.06] faster than sync; Dask's default"
    """
    comps, s, d = p["comparisons"], p["scheduler"], ev.get("default")
    if p["status"] == DEFAULT_UNDECIDED:
        return f"{s}: Dask's default; {p['candidate']} might be faster, {span(p['versus_default'], True)}, undecided" \
            + (f"; {ev['memory']['words']}" if ev.get("memory") else "")
    bits = []
    if p["status"] == "equivalent":
        bits.append(f"equivalent to the fastest, {p['fastest']} ({span(comps[s], True)}), and simpler")
    elif d in comps and s == p["fastest"] and comps[d].outcome == "above":  # the change from the default
        bits.append(f"{span(comps[d], True)} faster than {d}")
    elif p["beaten"]:
        k = min(p["beaten"], key=lambda b: comps[b].ratio or np.inf)
        bits.append(f"{span(comps[k], True)} faster than {k}")
    elif p["equivalent"]:
        k = p["equivalent"][0]
        bits.append(f"equivalent to {k} ({span(comps[k], True)}), and simpler")
    elif not comps:
        bits.append("the only spec that finished its repeats")
    if p["status"] == "undecided":
        k = p["undecided"][0]
        bits.append(f"undecided vs {k} ({span(comps[k], True)})")
    if not d:
        bits.append("Dask's default unknown")
    elif s == d:
        bits.append("Dask's default")
    else:
        bits.append(f"not Dask's default ({d})")
    if ev.get("memory"):
        bits.append(ev["memory"]["words"])
    return f"{s}: " + "; ".join(bits)


def code_of(label: str | None) -> tuple[str | None, str | None]:
    """The code to paste for scheduler *label* and its one-line form (:mod:`runners.records.paste`); (None, None)
    for no label or one that is no spec.

    >>> code_of("threads-2")[1], code_of("distributed@tcp://10.0.0.1:8786-2x1")[1], code_of("nonsense")
    ('dask.config.set(scheduler="threads", num_workers=2)', 'client = Client("tcp://10.0.0.1:8786")', (None, None))
    """
    try:
        spec = parse(label or "")
        return paste.code(spec), paste.one_line(spec)
    except ValueError:
        return None, None
