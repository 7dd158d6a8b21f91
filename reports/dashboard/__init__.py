"""The run's dashboard: one standalone Bokeh page (resources inlined, works offline).

It opens on what a reader takes in at a glance, one card per claim with its
verdict, stability and the plot that decided it, then the recommendations,
and then the detail: the metric matrix, scaling curves, family sweeps, GIL
contention, per-task overhead and start-up, bytes serialised, the controls,
the adaptive rounds, failures, the workloads with links to their task-stream
and performance pages, and the machine.

Each section is one function ``section(view) -> [Bokeh items]`` listed in
:data:`SECTIONS`; :func:`page` builds the :class:`~reports.dashboard.view.View`
once and lays the sections out in order.  Every string that came from a run
is HTML-escaped before it reaches a ``Div``.

>>> [f.__name__ for f in SECTIONS][:3]
['header', 'section', 'section']
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bokeh.embed import file_html
from bokeh.layouts import column, row
from bokeh.resources import INLINE

from reports import fmt, plots_model
from reports.dashboard import advice, claims, controls, costs, matrix, runinfo, scaling
from reports.dashboard.markup import div, note
from reports.dashboard.metrics import Switch
from reports.dashboard.view import View, view_of
from runners import records

if TYPE_CHECKING:
    import pandas as pd

    from reports.load import Results

__all__ = ["render", "page", "SECTIONS", "EXTRAS", "extra_sections"]

# Figures built from one entry of the summary alone: (summary key, ``make(entry) -> Bokeh figure or None``),
# shown side by side after the GIL section.  Adding one is one line here.
EXTRAS: list[tuple[str, Callable[[Any], Any]]] = [
    ("gil_calibration", plots_model.calibration_plot),
    ("model", plots_model.prediction_plot),
    ("model", plots_model.model_findings),
    ("model_checks", plots_model.cross_core_plots),
]


def extra_sections(summary: dict[str, Any]) -> list[Any]:
    """The :data:`EXTRAS` figures under one heading; nothing when none has data."""
    figs = []
    for key, make in EXTRAS:
        try:
            fig = make(summary.get(key))
        except Exception as e:  # an add-on must not take the whole page down
            fig = div(note(f"{fmt.escape(getattr(make, '__name__', key))} failed: {fmt.escape(type(e).__name__)}: "
                           f"{fmt.escape(e)}", warn=True), 420)
        if fig is not None:
            figs.append(fig)
    if not figs:
        return []
    return [div("<h2>Calibration and cost model</h2><p>The GIL probe against designed GIL shares (when the run "
                "calibrated it), the cost model's predicted against measured wall times (a point per workload and "
                "spec, coloured by kind, misses over 2× labelled) and, for each model fitted on another run and "
                "scored on this one (<code>python -m reports.model_check FIT THIS</code>), that fit's scatter.</p>"), *[row(*figs[i:i + 3]) for i in range(0, len(figs), 3)]]  # three to a row: the page's width


def _extras(v: View) -> list[Any]:
    return extra_sections(v.summary)


SECTIONS: list[Callable[[View], list[Any]]] = [
    runinfo.header,
    claims.section,
    advice.section,
    advice.layouts_section,
    matrix.section,
    scaling.scaling_section,
    scaling.families_section,
    costs.gil_section,
    _extras,
    costs.overhead_section,
    costs.bytes_section,
    controls.controls_section,
    controls.rounds_section,
    runinfo.failures_section,
    runinfo.workloads_section,
    runinfo.machine_section,
]


def page(res: Results, table: pd.DataFrame, summary: dict[str, Any], pages: list[dict[str, Any]]) -> str:
    """The dashboard's HTML (see :func:`render`)."""
    switch = Switch()
    v = view_of(res, table, summary or {}, pages or [], switch)
    items = [item for section in SECTIONS for item in section(v)]
    switch.link()  # after every section has registered what the metric select switches
    return file_html(column(*items, spacing=4), INLINE, title=f"Dask scheduler suite — {v.run_id} on {v.host}")


def render(res: Results, table: pd.DataFrame, summary: dict[str, Any], pages: list[dict[str, Any]],
           path: Path) -> None:
    """Write the dashboard of one run to *path* (one standalone HTML file).

    Parameters
    ----------
    res
        The loaded results folder (meta, rows, start-up, skipped lines).
    table
        The statistics table of :func:`reports.stats.table` (may be empty or lack columns).
    summary
        The run summary of :func:`reports.build.summarise`.
    pages
        The task-stream pages written by :func:`reports.streampages.render_all`.
    path
        Where to write ``dashboard.html``; links are relative to its folder.
    """
    text = page(res, table, summary or {}, pages or [])
    path = Path(path)
    records.write_file_safely(path.parent, path.name, text)  # no link at its place is followed
