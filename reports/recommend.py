"""Recommendations (stub)."""
from __future__ import annotations
def recommend(table, res):
    return []
