"""The terminal summary: every section present, no line wider than asked, words never cut, plain text."""
from __future__ import annotations

import io
import re

import pandas as pd

from reports import table as stattable
import pytest

from reports import claims as rules, terminal
from reports.evidence import context
from reports.recommend import recommend
from _factories import timed

LONG = "a-very-long-workload-name-that-goes-on-and-on-and-on"
ANSI = re.compile(r"\x1b\[")


def summary_and_table(cores=2):
    specs = {"sync": 12.5, "threads-2": 0.0061, "processes-2": 1.0, "distributed-2x1": 150.0,
             "distributed-1x2": 0.5}
    rows = pd.DataFrame(timed(LONG, specs, gil={"threads-2": 0.5}, bytes_moved={"processes-2": 123456789})
                        + timed("bag-json", specs, collection="bag", claims=["C3", "C12"]))
    t = stattable.table(rows)
    ctx = context(t, {"cores": cores, "gil_enabled": True}, rows)
    claims = rules.decide(ctx, resamples=20)
    claims[4] = {**claims[4], "verdict": "holds", "rerun_agreement": 0.62, "stability": 0.62, "fragile": True,
                 "reason": "Under threads-2 the releasing kernel was 1.9× [1.2–2.6] (sleep) faster, on a knife "
                           "edge."}
    summary = {
        "run_id": "20261123-000000-abcd", "profile": "quick", "complete": True,
        "machine": {"cores": cores, "python": "3.11.7 (main)", "gil_enabled": True},
        "claims": claims, "recommendations": recommend(ctx, resamples=20),
        "instrumentation_overhead": {"ratio": 1.02, "lo": 0.99, "hi": 1.05, "pairs": [{}, {}], "outcome": "undecided",
                                     "within_5_percent": "equivalent",
                                     "pooled": {"ratio": 1.02, "lo": 0.99, "hi": 1.05, "method": "paired",
                                                "pairs": 12}},
        "aa_control": {"workload": "array-transcendental", "scheduler": "threads-2", "ratio": 1.03, "lo": 0.98,
                       "hi": 1.07, "noise": 0.03, "verdict": "undecided", "comparison": {"lo": 0.98, "hi": 1.07},
                       "false_difference": False},
        "harness_check": {"pairs": [{}], "median_ratio": 1.9,
                          "warnings": ["bag-json on sync: harness 1.9× plain Dask [1.7–2.1]"]},
        "failures": [{"workload": LONG, "scheduler": "processes-2", "repeat": 0, "status": "error",
                      "error_type": "ValueError", "error": "x" * 300}],
        "skipped": ["rows.jsonl: line 3 " + "y" * 200],
    }
    return summary, t


@pytest.fixture(scope="module")
def run():
    return summary_and_table()


@pytest.mark.parametrize("width", [100, 80])
def test_render_fits_the_width(run, width):
    out = terminal.render(*run, width=width)
    assert max(len(line) for line in out.splitlines()) <= width


def test_render_never_cuts_a_word_with_an_ellipsis(run):
    out = terminal.render(*run, width=80)
    assert not re.search(r"\w…|…\w", out)


def test_render_wraps_reasons_at_word_boundaries(run):
    """Every word of every claim reason and recommendation survives whole at 80 columns."""
    s, _ = run
    out = terminal.render(*run, width=80)
    words = set(" ".join(out.split()).split())
    texts = [c["reason"] for c in s["claims"]]
    texts += [r["explanation"].removeprefix(f"{r['scheduler']}: ") for r in s["recommendations"]]  # shown in its column
    for text in texts:
        for w in text.split():
            if len(w) <= 20:  # a word longer than its column may be folded; none of these are
                assert w in words, (w, text)


def test_render_shows_verdict_stability_and_fragile_mark(run):
    out = terminal.render(*run, width=80)
    lines = out.splitlines()
    c5 = next(line for line in lines if line.startswith("C5 "))
    assert "holds (fragile)" in c5 and "0.62" in c5
    c14 = next(line for line in lines if line.startswith("C14 "))
    assert "inconclusive" in c14 and "fragile" not in c14 and "1.00" in c14
    assert "rerun" in out and "100–1000 reruns drawn by round" in " ".join(out.split())


def test_render_reads_the_old_stability_figure_of_older_summaries(run):
    s, t = run
    old = [{k: v for k, v in c.items() if k != "rerun_agreement"} for c in s["claims"]]
    old[4] = {**old[4], "stability": 0.55}
    out = terminal.render({**s, "claims": old}, t, width=80)
    c5 = next(line for line in out.splitlines() if line.startswith("C5 "))
    assert "0.55" in c5


def test_render_is_plain_text(run):
    out = terminal.render(*run, width=80)
    assert not ANSI.search(out)
    buf = io.StringIO()
    terminal.show(*run, file=buf)  # not a terminal: plain, 100 wide
    text = buf.getvalue()
    assert not ANSI.search(text)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 100
    assert "holds (fragile)" in text


def test_render_has_every_section(run):
    out = terminal.render(*run)
    for needle in ("run 20261123-000000-abcd · profile quick · 2 cores · Python 3.11.7 with the GIL", "claims",
                   "recommendations", "C14", "instrumentation overhead: instrumented/bare 1.020 [0.99–1.05] (paired, "
                   "12 pairs over 2 workloads; within ±5 %: equivalent)",
                   "A/A noise: array-transcendental on threads-2", "harness vs plain Dask",
                   "WARNING bag-json on sync: harness 1.9×", "failures (1)", "skipped:", "threads-2", "bag-json"):
        assert needle in " ".join(out.split()), needle  # a long line may wrap


def test_render_marks_fastest_and_failures_in_the_matrix():
    rows = pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, failures={"threads-2": ["error"]})
                        + timed("dead", {"sync": 1.0}, n=0, failures={"sync": ["error"]}))
    out = terminal.render({"run_id": "r"}, stattable.table(rows), width=80)
    assert re.search(r"^w\s+│\s+1 s\s+│\s+500 ms 2×$", out, re.M)
    assert re.search(r"^dead\s+│\s+FAIL\s+│\s+-$", out, re.M)


def test_render_empty_table_and_summary():
    out = terminal.render({}, pd.DataFrame())
    assert "no results" in out and "instrumentation overhead: not measured" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def _sections(out):
    """(the recommendation table, the why block) of a rendered summary."""
    start, why = out.index("recommendations  ("), out.index("why (recommendations)")
    return out[start:why], out[why:out.index("instrumentation overhead")]


def _last_column(table):
    """The text of the table's last column, its wrapped lines joined."""
    return " ".join(line.split("│")[-1].strip() for line in table.splitlines() if "│" in line)


def test_render_recommendations_lead_with_headline_and_paste_line_the_why_below(run):
    out = terminal.render(*run, width=100)
    table, why = _sections(out)
    flat = _last_column(table)
    for r in run[0]["recommendations"]:
        assert r["headline"].removeprefix(f"{r['scheduler']}: ") in flat, r["headline"]
        assert f"paste: {r['code_line']}" in flat
    assert "ARTEFACT" not in table and "moved 123 MB" not in table  # the long explanation is kept out of the table
    assert "ARTEFACT to explain" in " ".join(why.split()) and "    import dask" in why  # ... and shown below it


def test_render_marks_a_default_kept_while_undecided():
    rec = {"workload": "w", "scheduler": "threads-2", "status": "default (undecided)", "differs_from_default": False,
           "headline": "threads-2: Dask's default; processes-2-shipped might be faster, 1.11× [0.889–1.39], undecided",
           "code": 'import dask\ndask.config.set(scheduler="threads", num_workers=2)',
           "code_line": 'dask.config.set(scheduler="threads", num_workers=2)', "explanation": "threads-2: long why"}
    out = terminal.render({"recommendations": [rec]}, pd.DataFrame(), width=100)
    table, why = _sections(out)
    assert re.search(r"^w\s+│ threads-2 \?\s+│", table, re.M)
    assert "processes-2-shipped might be faster, 1.11× [0.889–1.39], undecided" in _last_column(table)
    assert "w · threads-2: long why" in why


def test_render_reads_recommendations_of_older_summaries_without_headlines():
    rec = {"workload": "w", "scheduler": "sync", "status": "fastest", "explanation": "sync: 1.2× faster than threads-2"}
    out = terminal.render({"recommendations": [rec]}, pd.DataFrame(), width=80)
    assert "1.2× faster than threads-2" in out and "why (recommendations)" not in out and "paste:" not in out


def test_matrix_keeps_the_as_shipped_reading_apart_from_the_tuned_one():
    rows = pd.DataFrame(timed("bag-a", {"sync": 1.0, "processes-2": 0.5, "processes-2-shipped": 2.0})
                        + timed("stencil", {"sync": 1.0, "processes-2": 0.25}))
    out = terminal.render({"run_id": "r", "machine": {"cores": 2}}, stattable.table(rows), width=120)
    head = next(line for line in out.splitlines() if line.startswith("workload"))
    assert "processes-2-shipped" in head and re.search(r"processes-2\s+┃", head)
    assert re.search(r"^bag-a\s+│\s+1 s\s+│\s+500 ms 2×\s+│\s+2 s 0\.5×$", out, re.M)
    assert re.search(r"^stencil\s+│\s+1 s\s+│\s+250 ms 4×\s+│\s+-$", out, re.M)
