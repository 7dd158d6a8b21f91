"""Claim cards (reports/dashboard/claims.py); the plots in them are tested in test_dashboard_claimplots.py."""
from __future__ import annotations

import html
import re

from _claimdata import summary_claim as claim
from _dashboard import make_view, plots, quick_summary, shown  # noqa: F401  (quick_summary is a fixture)
from reports.claims import IDS
from reports.dashboard import claimplots, claims


def test_card_shows_verdict_stability_reason_rule_and_plot(tmp_path):
    items = [claims.card(claim(), make_view(tmp=tmp_path))]
    text = shown(items)
    assert ">holds</span>" in text and "rerun agreement 97%" in text
    assert "reason of C1" in text and "<b>Rule:</b> rule of C1" in text
    assert "Threads vs sync, per array workload" in text  # the caption of C1's plot
    assert len(plots(items)) == 1


def test_fragile_verdict_is_never_a_plain_holds(tmp_path):
    text = shown([claims.card(claim(stability=0.62), make_view(tmp=tmp_path))])
    assert "holds (fragile)" in text and ">holds</span>" not in text
    assert "rerun agreement 62%" in text and "class='badge fragile'" in text


def test_card_folds_the_numbers_into_a_nested_table(tmp_path):
    text = shown([claims.card(claim(), make_view(tmp=tmp_path))])
    folded = text[text.index("<details>"):]
    assert "<table class='nested'>" in folded and "array-x" in folded
    assert re.search(r"1\.9× \[1\.7–2\.1\] (above|faster)", folded)
    assert "speedup=" not in folded and "gil_median=" not in folded  # not key=value text


def test_card_without_a_measurement_says_so(tmp_path):
    items = [claims.card(claim("C14", "inconclusive", 1.0, {"gil_enabled": True}), make_view(tmp=tmp_path))]
    assert "No plot: the rule had no measurement to compare" in shown(items) and plots(items) == []


def test_claims_section_tally_and_rows(tmp_path):
    cs = [claim("C1"), claim("C2", "does not hold"), claim("C3", "inconclusive", 0.5), claim("C4", stability=None)]
    assert claims.tally(cs) == {"holds": 2, "does not hold": 1, "inconclusive": 1, "fragile": 1}
    items = claims.section(make_view({"claims": cs + ["junk"]}, tmp=tmp_path))
    text = shown(items)
    assert "4 claims: " in text and "2 holds" in text and "1 fragile" in text and "rerun agreement –" in text
    assert len(items) == 1 + 2  # the intro, then rows of three cards


def test_claims_section_without_claims_says_so(tmp_path):
    assert "No claim verdicts in this summary" in shown(claims.section(make_view({}, tmp=tmp_path)))


def test_quick_run_every_claim_a_card_each_measured_one_a_plot(quick_summary, tmp_path):
    res, summary, table = quick_summary
    v = make_view(summary, table, res)
    items = claims.section(v)
    text = shown(items)
    measured = [c for c in summary["claims"] if claimplots.plot(c, v)[1] is not None]
    assert [c["id"] for c in summary["claims"]] == list(IDS)  # the quick run decides every registered claim
    assert text.count("<span class='id'>") == len(summary["claims"]) == len(IDS)
    assert len(plots(items)) == len(measured)
    for c in summary["claims"]:
        assert f"rerun agreement {round(c['stability'] * 100)}%" in text and html.escape(c["reason"], quote=True) in text
