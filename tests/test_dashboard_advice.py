"""The recommendations section (reports/dashboard/advice.py)."""
from __future__ import annotations

from _dashboard import make_view, shown
from reports.dashboard import advice

XSS = "<script>alert(1)</script>"


def rec(**kw):
    return {"workload": "bag-json", "scheduler": "sync", "status": "undecided", "stability": 0.55, "fragile": True,
            "default": "processes-2", "differs_from_default": True, "explanation": "sync: undecided at the cap",
            "evidence": {"gil_median": 0.84}, **kw}


def test_recommendation_row_shows_pick_status_stability_and_default(tmp_path):
    text = shown(advice.section(make_view({"recommendations": [rec(), rec(workload="array-x", scheduler="threads-2",
                                                                      status="fastest", stability=1.0, fragile=False,
                                                                      differs_from_default=False,
                                                                      explanation="threads-2: 1.4× faster")]},
                                          tmp=tmp_path)))
    assert "sync <span class='bang'" in text and "default: processes-2" in text  # "!" when it is not Dask's default
    assert "class='badge undecided'>undecided<" in text and "class='badge ok'>fastest<" in text
    assert "55% <span class='badge fragile'>fragile</span>" in text and "<td>100%</td>" in text
    assert ">undecided at the cap<" in text and ">1.4× faster<" in text  # the scheduler is not repeated
    assert "<details><summary class='small'>numbers</summary><table class='nested'>" in text


def test_recommendations_escape_and_say_when_missing(tmp_path):
    text = shown(advice.section(make_view({"recommendations": [rec(workload=XSS, explanation=XSS)]}, tmp=tmp_path)))
    assert XSS not in text
    assert "No recommendations in this summary" in shown(advice.section(make_view({}, tmp=tmp_path)))


def test_explanation_drops_the_leading_scheduler():
    assert advice.explanation({"scheduler": "sync", "explanation": "sync: x"}) == "x"
    assert advice.explanation({"scheduler": None, "explanation": "all failed"}) == "all failed"


def test_recommendation_row_leads_with_headline_and_code_and_folds_the_why(tmp_path):
    r = rec(scheduler="threads-2", status="default (undecided)", differs_from_default=False, default="threads-2",
            headline="threads-2: Dask's default; processes-2-shipped might be faster, 1.11× [0.889–1.39], undecided",
            code='import dask\ndask.config.set(scheduler="threads", num_workers=2)',
            explanation="threads-2: the long explanation <here>")
    text = shown(advice.section(make_view({"recommendations": [r]}, tmp=tmp_path)))
    assert ("<span class='small'>Dask&#x27;s default; processes-2-shipped might be faster, 1.11× [0.889–1.39], "
            "undecided</span><pre class='small'><code>import dask\ndask.config.set(scheduler=&quot;threads&quot;, "
            "num_workers=2)</code></pre>") in text
    assert ("<details><summary class='small'>why</summary><span class='small'>the long explanation &lt;here&gt;"
            "</span></details>") in text
    assert "class='badge undecided'>Dask&#x27;s default (undecided)<" in text


def test_recommendation_row_of_an_older_summary_shows_its_explanation(tmp_path):
    text = shown(advice.section(make_view({"recommendations": [rec()]}, tmp=tmp_path)))
    assert ">undecided at the cap<" in text and "<pre" not in text and "summary class='small'>why<" not in text


def test_headline_drops_the_leading_scheduler_and_falls_back_to_the_explanation():
    assert advice.headline({"scheduler": "sync", "headline": "sync: 2× [1.9–2.1] faster", "explanation": "x"}) == \
        "2× [1.9–2.1] faster"
    assert advice.headline({"scheduler": "sync", "explanation": "sync: x"}) == "x"
