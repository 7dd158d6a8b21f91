"""Dashboard (stub)."""
from __future__ import annotations
def render(res, table, summary, pages, path):
    path.write_text("<html></html>")
