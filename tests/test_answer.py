"""What compare() returns (reports/answer.py): a (table, recommendation) pair that shows itself as text and HTML."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pandas as pd
import pytest

from reports.answer import CHOSEN_COLOR, Answer, lines, plot

CODE = 'import dask\ndask.config.set(scheduler="threads", num_workers=2)'


def make_table(workload="w", times=((1.0, 1.2, 1.1), (0.5, 0.6, 0.55)), failed=(0, 0)):
    """A statistics table of *workload* on sync and threads-2 (the columns an Answer reads)."""
    return pd.DataFrame({
        "workload": [workload] * 2, "scheduler": ["sync", "threads-2"], "kind": ["sync", "threads"],
        "workers": [1, 2], "threads_per_worker": [1, 1], "times": [list(t) for t in times],
        "n": [len(t) for t in times], "n_failed": list(failed),
        "median_s": [1.1, 0.55], "q1_s": [1.05, 0.52], "q3_s": [1.15, 0.58],
        "speedup": [1.0, 2.0], "speedup_lo": [None, 1.8], "speedup_hi": [None, 2.2]})


def make_rec(workload="w", scheduler="threads-2", **kw):
    return {"workload": workload, "scheduler": scheduler, "status": "fastest",
            "headline": "threads-2 is 2× faster than sync", "explanation": "the GIL is released", "code": CODE, **kw}


def test_answer_unpacks_and_indexes_as_the_old_pair():
    table, rec = make_table(), make_rec()
    answer = Answer(table, rec, {"run_id": "r"}, "out/r")
    df, r = answer
    assert df is table and r is rec and answer[1]["scheduler"] == "threads-2" and len(answer) == 2
    assert answer.table is table and answer.recommendation is rec and answer.summary == {"run_id": "r"}
    assert answer.folder == Path("out/r") and answer.code == CODE


def test_answer_defaults_and_no_code():
    answer = Answer(make_table(), {"workload": "w", "scheduler": "sync"})
    assert answer.folder is None and answer.summary == {} and answer.code == ""
    assert "paste:" not in repr(answer) and "not kept" in repr(answer)


def test_answer_pickles_with_its_attributes():
    answer = pickle.loads(pickle.dumps(Answer(make_table(), make_rec(), {"v": 1}, "out/r")))
    assert answer.recommendation == make_rec() and answer.summary == {"v": 1} and answer.folder == Path("out/r")
    assert answer.table.equals(make_table())


def test_repr_says_the_scheduler_the_table_and_the_code():
    text = repr(Answer(make_table(), make_rec(), folder="out/r"))
    assert text.splitlines()[0] == "w: use threads-2 (fastest)"
    assert "threads-2 is 2× faster than sync" in text
    chosen = next(ln for ln in text.splitlines() if ln.startswith("* "))
    assert chosen.split()[1:4] == ["threads-2", "550", "ms"] and "2× (1.8× – 2.2×)" in chosen
    assert "    " + CODE.splitlines()[1] in text and "folder: out/r" in text


def test_repr_cuts_a_long_explanation_without_headline():
    rec = make_rec(headline=None, explanation="x" * 500)
    assert max(len(ln) for ln in repr(Answer(make_table(), rec)).splitlines()) <= 200


def test_repr_of_a_failed_recommendation():
    rec = {"workload": "w", "scheduler": None, "status": "failed"}
    assert repr(Answer(make_table(failed=(1, 0)), rec)).startswith("w: no recommendation (failed)")


def test_lines_count_failures_and_mark_the_choice():
    sync, threads = lines(make_table(failed=(2, 0)), make_rec())
    assert (sync.runs, sync.chosen, threads.chosen) == ("3 (2 failed)", False, True)


def test_lines_keep_to_the_recommended_workload():
    table = pd.concat([make_table("w"), make_table("other")], ignore_index=True)
    assert [ln.scheduler for ln in lines(table, make_rec())] == ["sync", "threads-2"]


def test_html_escapes_names_and_embeds_bokeh_inline():
    name = "<b>mine</b> & co"
    page = Answer(make_table(name), make_rec(name))._repr_html_()
    assert "&lt;b&gt;mine&lt;/b&gt; &amp; co: use threads-2" in page and "<b>mine</b>" not in page
    assert "&quot;threads&quot;, num_workers=2" in page  # the code, escaped inside <pre>
    assert "/* BEGIN bokeh.min.js */" in page and "Bokeh.embed.embed_items" in page  # BokehJS and the plot inline
    assert "cdn.bokeh.org" not in page and not re.search(r"<script[^>]+src=", page)  # works offline
    assert f"color:{CHOSEN_COLOR}" in page and "<details>" in page


def test_html_without_times_has_no_plot():
    table = make_table(times=((), ()))
    page = Answer(table, make_rec())._repr_html_()
    assert "bokeh" not in page.lower() and "threads-2" in page


@pytest.mark.parametrize("times, log", [(((1.0, 1.1), (0.9, 1.0)), False), (((10.0, 11.0), (0.1, 0.2)), True)])
def test_plot_every_repeat_with_the_choice_highlighted(times, log):
    fig = plot(make_table(times=times), make_rec())
    data = fig.renderers[0].data_source.data
    assert list(data["scheduler"]) == ["sync", "sync", "threads-2", "threads-2"]
    assert [c == CHOSEN_COLOR for c in data["color"]] == [False, False, True, True]
    assert (type(fig.y_scale).__name__ == "LogScale") is log


@pytest.mark.browser
def test_browser_html_draws_the_plot_offline_and_runs_no_name(browser_page, tmp_path):
    page, errors, requests = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    name = "<script>alert(1)</script>"
    path = tmp_path / "answer.html"
    path.write_text(f"<html><body>{Answer(make_table(name), make_rec(name))._repr_html_()}</body></html>",
                    encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => window.Bokeh !== undefined && Bokeh.documents.length > 0", timeout=30_000)
    page.locator("canvas").first.wait_for(state="attached", timeout=30_000)
    assert not errors and not dialogs, (errors, dialogs)
    assert not [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
