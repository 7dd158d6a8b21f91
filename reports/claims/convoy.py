"""The convoy claim C13: a GIL-holding thread delays GIL-releasing ones (the raw-thread experiment).

>>> C13.id, C13.questions(None, 2)
('C13', [])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from reports.claims.record import Claim, Plot
from reports.evidence import Context, all_of, figure, missing, outcome_is, verdict, versus

__all__ = ["C13", "c13", "BAR"]

BAR = 1.2  # the releasing thread's calls slower than this beside a spinning Python thread at 5 ms


def c13(ctx: Context) -> dict[str, Any]:
    """A GIL-holding thread delays GIL-releasing ones; a shorter switch interval helps."""
    bar = BAR
    th = (f"the releasing thread's calls slower beside a spinning Python thread at a 5 ms switch interval by more "
          f"than {bar}× (interval), and the slowdown at 5 ms larger than at 0.5 ms")
    cell = {(s, ms): ctx.cells.get(f"convoy/spinner={s}/{ms}") for s in (False, True) for ms in (5.0, 0.5)}
    miss = [f"convoy spinner={s} switch_interval={ms} ms" for (s, ms), v in cell.items() if not v]
    if miss:
        return missing(th, miss)
    row = lambda s, ms: {"times": cell[(s, ms)], "scheduler": f"{'spinner' if s else 'alone'} {ms} ms"}  # noqa: E731
    s5 = versus(row(False, 5.0), row(True, 5.0))
    s05 = versus(row(False, 0.5), row(True, 0.5))
    c5 = versus(row(False, 5.0), row(True, 5.0), bar)
    # Larger at 5 ms than at 0.5 ms: the spinner costs more at 5 ms, compared as times beside the spinner
    # normalised by the same interval's time alone.
    a5, a05 = float(np.median(cell[(False, 5.0)])), float(np.median(cell[(False, 0.5)]))
    larger = versus({"times": [t / a05 for t in cell[(True, 0.5)]], "scheduler": "0.5 ms"},
                    {"times": [t / a5 for t in cell[(True, 5.0)]], "scheduler": "5 ms"})
    tests = [outcome_is(c5, "above"), outcome_is(larger, "above")]
    numbers = {"slowdown_5ms": figure(s5), "slowdown_0_5ms": figure(s05), "5ms_vs_0_5ms": figure(larger)}
    reason = (f"Beside a spinning Python thread the GIL-releasing calls took {s5.ratio:.3g}× as long at a 5 ms "
              f"switch interval and {s05.ratio:.3g}× at 0.5 ms.")
    return verdict(all_of(tests), numbers, th, reason)


# The experiment runs its own fixed repeats (runners.experiments): it asks the rounds for nothing.
C13 = Claim("C13", "A GIL-holding Python thread delays GIL-releasing threads (switch interval convoy).",
            frozenset({"sync", "threads"}), True, verdict=c13,
            plot=Plot("comparisons", "Convoy: GIL-releasing calls beside a spinning thread", "slowdown (×)"))
