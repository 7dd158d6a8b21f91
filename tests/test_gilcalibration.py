"""The GIL calibration read back (reports/gilcalibration.py): each metric against the designed share."""
from __future__ import annotations

import pytest

from reports.gilcalibration import calibration, knocker_sampled_share

KNOCKER = {"polling_interval_micros": 1000, "sampling_interval_micros": 10_000, "sleeping_interval_micros": 1_000}
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)


def calibration_rows(reading, slower=None, status="ok"):
    """Five repeats per (metric or bare, threads, share); a cell takes 1 + (threads - 1) x share times one thread's
    bare time (the GIL-held part serialised); *slower* multiplies the instrumented walls of one metric."""
    rows = []
    for metric in (None, *reading):
        for t in (1, 2):
            for s in SHARES:
                for r in range(5):
                    wall = 0.1 * (1 + 0.01 * r) * (1 + (t - 1) * s) * ((slower or {}).get(metric, 1.0))
                    rows.append({"workload": "gil-calibration", "status": status,
                                 "mode": "bare" if metric is None else "instrumented", "wall_s": wall,
                                 "params": {"designed_share": s, "threads": t, "metric": metric,
                                            **({"knocker": KNOCKER} if metric == "gilknocker" else {})},
                                 "extra": {"measured": None if metric is None else reading[metric](s, t),
                                           "samples": 400}})
    return rows


def test_calibration_picks_the_closest_metric_and_reports_its_error():
    rows = calibration_rows({"probe": lambda s, t: min(1.0, s * t) + 0.01, "gilknocker": lambda s, t: s / 4})
    c = calibration(rows)
    assert c["metric"] == "probe"
    assert c["max_error"] == pytest.approx(0.01)
    assert c["within_0_05"] and c["model_uses"].startswith("probe, one thread")
    assert c["metrics"]["gilknocker"]["max_error"] == pytest.approx(0.75)
    assert c["metrics"]["gilknocker"]["sampled_share"] == pytest.approx(10 / 11.5, abs=1e-3)
    assert c["metrics"]["gilknocker"]["settings"] == KNOCKER and "settings" not in c["metrics"]["probe"]
    assert c["sampled_share"] == 1.0  # the probe samples all the time
    sync = [p for p in c["points"] if p["threads"] == 1]
    assert [p["designed_share"] for p in sync] == list(SHARES)
    assert {"designed_share", "threads", "measured", "error", "n"} <= set(c["points"][0])


def test_two_thread_points_are_read_against_both_threads_held_time():
    # Two threads each holding the GIL for a share s of one thread's time hold it 2s / (1 + s) of the wall time.
    c = calibration(calibration_rows({"probe": lambda s, t: s if t == 1 else 2 * s / (1 + s)}))
    two = {p["designed_share"]: p for p in c["points"] if p["threads"] == 2}
    assert two[0.5]["expected"] == pytest.approx(2 / 3, abs=1e-3)
    assert c["max_error_threads"] == pytest.approx(0.0, abs=1e-3)
    assert c["max_error"] == pytest.approx(0.0)
    c = calibration(calibration_rows({"probe": lambda s, t: s}))  # one thread's share read under two
    assert c["max_error_threads"] == pytest.approx(2 / 3 - 1 / 2, abs=1e-3)  # at s = 0.5: 0.5 read, 2/3 held


def test_overhead_and_sample_rate_of_a_metric():
    c = calibration(calibration_rows({"probe": lambda s, t: s}, slower={"probe": 1.5}))
    assert c["overhead"]["outcome"] == "above" and c["overhead"]["ratio"] == pytest.approx(1.5, rel=0.01)
    walls = sum(r["wall_s"] for r in calibration_rows({"probe": lambda s, t: s}, slower={"probe": 1.5})
                if r["params"]["metric"] == "probe")
    assert c["metrics"]["probe"]["samples_per_s"] == pytest.approx(400 * 50 / walls, abs=0.1)


def test_no_calibration_without_readings():
    assert calibration([]) is None and calibration(None) is None
    assert calibration([{"workload": "other", "status": "ok"}]) is None
    assert calibration(calibration_rows({"probe": lambda s, t: s}, status="error")) is None
    assert calibration(calibration_rows({"probe": lambda s, t: None})) is None  # the metric read nothing
    bare_only = [r for r in calibration_rows({"probe": lambda s, t: s}) if r["mode"] == "bare"]
    assert calibration(bare_only) is None


def test_the_fine_hand_off_cell_is_no_calibration_point():
    rows = calibration_rows({"probe": lambda s, t: s})
    fine = [{**r, "params": {**r["params"], "grain": "fine"}, "extra": {"measured": 0.9}} for r in rows]
    assert calibration(fine) is None
    assert calibration(rows + fine)["max_error"] == pytest.approx(0.0)


@pytest.mark.parametrize("kw, share", [
    (KNOCKER, 10 / 11.5),
    ({"polling_interval_micros": 1000}, 10 / (10 + 150)),  # gilknocker's defaults: 10 and 100 polls
    ({"sampling_interval_micros": 5000, "sleeping_interval_micros": 5000}, 5 / 12.5),
])
def test_knocker_sampled_share(kw, share):
    assert knocker_sampled_share(kw) == pytest.approx(share)
