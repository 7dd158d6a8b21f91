"""Terminal summary (stub)."""
from __future__ import annotations
def render(summary, table, width=100):
    if table.empty:
        return "no results"
    return table[["workload","scheduler","median_s","speedup"]].to_string()
