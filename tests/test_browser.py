"""Open the dashboard and a task-stream page in headless Chromium: no console error, no network, plots drawn."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reports.build import build

pytestmark = pytest.mark.browser

SCREENSHOT_COPY = Path("/tmp")


def _open(page, path: Path, min_canvases: int) -> int:
    page.goto(path.resolve().as_uri(), wait_until="load")
    # Bokeh draws into canvases inside shadow roots; playwright's CSS locators pierce open shadow DOM.
    page.wait_for_function("() => window.Bokeh !== undefined && Bokeh.documents.length > 0", timeout=30_000)
    page.locator("canvas").nth(min_canvases - 1).wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(500)
    return page.locator("canvas").count()


def _offline(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]


def test_browser_dashboard_renders_offline(browser_page, synthetic_run, tmp_path):
    page, errors, requests = browser_page
    build(synthetic_run, quiet=True)
    n = _open(page, synthetic_run / "dashboard.html", min_canvases=8)
    assert n >= 8
    # the metric switch reaches every chart without a script error
    sel = page.locator("select").first
    for index in (2, 1, 3, 0):  # GIL, wall time, bytes, back to speedup
        sel.select_option(index=index)
        page.wait_for_timeout(150)
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, SCREENSHOT_COPY / "dashboard-test.png")
    assert not errors, errors
    assert not _offline(requests), _offline(requests)
    assert page.evaluate("() => typeof alert_fired === 'undefined'")


def test_browser_taskstream_renders_offline(browser_page, synthetic_run, tmp_path):
    page, errors, requests = browser_page
    build(synthetic_run, quiet=True)
    stream = synthetic_run / "streams" / "array-x__distributed-2x1.html"
    n = _open(page, stream, min_canvases=2)
    assert n >= 2
    page.locator("select").first.select_option(index=0)
    page.wait_for_timeout(200)
    shot = tmp_path / "taskstream.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, SCREENSHOT_COPY / "taskstream-test.png")
    assert not errors, errors
    assert not _offline(requests), _offline(requests)
