"""Whether two runs can be compared (reports/model_pair.py): their workloads' sizes, their cores' pace."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from reports.model_pair import different_sizes, pace_ratio


def test_a_workload_built_at_another_size_or_with_other_parameters_is_named():
    fit = pd.DataFrame({"workload": ["a", "b", "c"], "size": [100, 8, 5], "params": [{}, {"k": 1}, {}]})
    measured = pd.DataFrame({"workload": ["a", "b", "d"], "size": [100, 8, 5], "params": [{}, {"k": 2}, {}]})
    assert different_sizes(fit, measured) == {"b": "params {'k': 1} in the fit, {'k': 2} measured"}
    assert different_sizes(fit, measured.drop(columns=["size", "params"])) == {}  # nothing to compare: not different


def test_the_pace_ratio_is_the_measured_runs_median_loop_time_over_the_fits():
    fit = SimpleNamespace(interference=[{"pace_s": 6e-4}] * 5)
    slower = SimpleNamespace(interference=[{"pace_s": 9e-4}] * 4 + [{"pace_s": 3e-3}])
    assert pace_ratio(fit, slower) == 1.5
    assert pace_ratio(fit, SimpleNamespace(interference=[{"seconds": 1.0}])) is None  # an older run: no loop
