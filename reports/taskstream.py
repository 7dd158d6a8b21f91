"""Task-stream pages (stub)."""
from __future__ import annotations
def render_all(res, out_dir):
    return []
