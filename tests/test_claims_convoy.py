"""The convoy claim C13 (reports/claims/convoy.py), read from the raw-thread experiment's cells."""
from __future__ import annotations

import pytest

from _claimdata import convoy, verdict
from reports.claims.convoy import BAR, C13
from reports.evidence import FAILS, HOLDS, UNSURE


def test_c13_holds_when_spinner_slows_and_short_interval_helps():
    v = verdict("C13", extra=convoy())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["slowdown_5ms"]["ratio"] == pytest.approx(2.0)
    assert f"more than {BAR}×" in v["threshold"]


def test_c13_does_not_hold_without_slowdown():
    assert verdict("C13", extra=convoy(spin5=0.05, spin05=0.05))["verdict"] == FAILS


def test_c13_inconclusive_on_too_few_repeats_or_without_rows():
    assert verdict("C13", extra=convoy(n=3))["verdict"] == UNSURE
    assert verdict("C13")["verdict"] == UNSURE


def test_the_convoy_record_asks_the_rounds_nothing():
    assert C13.questions(None, 2) == [] and C13.scaling
