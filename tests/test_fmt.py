"""Numbers, durations, sizes and escaping (reports/fmt.py): the unit boundaries and what is not a number."""
from __future__ import annotations

import numpy as np
import pytest

from reports import fmt


@pytest.mark.parametrize("x, ok", [(0, True), (-2.5, True), (np.float32(1.5), True), (np.int64(3), True),
                                   (np.nan, False), (float("inf"), False), (None, False), ("1", False),
                                   (True, False), ([1], False), (object(), False)])
def test_is_number_only_finite_numbers(x, ok):
    assert fmt.is_number(x) is ok


@pytest.mark.parametrize("seconds, text", [(0.0, "0 µs"), (0.000999, "999 µs"), (0.001, "1 ms"),
                                           (0.9994, "999 ms"), (1.0, "1 s"), (59.4, "59.4 s"),
                                           (60.0, "1 min 0 s"), (3599.6, "60 min 0 s"), (None, "–"),
                                           (float("nan"), "–"), ("2", "–")])
def test_duration_picks_the_unit_at_its_boundary(seconds, text):
    assert fmt.duration(seconds) == text


@pytest.mark.parametrize("nbytes, text", [(0, "0 B"), (999, "999 B"), (1000, "1 kB"), (999_499, "999 kB"),
                                          (1e6, "1 MB"), (2.5e9, "2.5 GB"), (3e12, "3e+03 GB"), (None, "–")])
def test_size_in_powers_of_1000(nbytes, text):
    assert fmt.size(nbytes) == text


def test_ratio_percent_number_and_their_missing_values():
    assert fmt.ratio(999.4) == "999×" and fmt.ratio(1234.5) == "1234×" and fmt.ratio(-0.5) == "-0.5×"
    assert fmt.ratio(float("inf")) == "–"
    assert fmt.percent(0) == "0%" and fmt.percent(1.0) == "100%" and fmt.percent("0.5") == "–"
    assert fmt.number(1234.5678) == "1.23e+03" and fmt.number(1234.5678, 6) == "1234.57"
    assert fmt.number(None) == "–"


def test_escape_quotes_and_non_strings():
    assert fmt.escape("it's <b>") == "it&#x27;s &lt;b&gt;"
    assert fmt.escape(None) == "None" and fmt.escape(3) == "3"


@pytest.mark.parametrize("machine, text", [
    ({}, "Python ? with the GIL"),
    ({"python": "3.13.1 (main, Dec 2024) [GCC]"}, "Python 3.13.1 with the GIL"),
    ({"python": "3.13.1", "free_threaded_build": True, "gil_enabled": True}, "Python 3.13.1, free-threaded build, "
                                                                             "GIL on (PYTHON_GIL=1 or -X gil=1)"),
    ({"python": "3.13.1", "free_threaded_build": True, "gil_enabled": True, "gil_reenabled_by": ["", "numpy.core"]},
     "Python 3.13.1, free-threaded build, GIL re-enabled by numpy.core"),
])
def test_interpreter_says_how_the_gil_stands(machine, text):
    assert fmt.interpreter(machine) == text
