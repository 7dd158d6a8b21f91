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


def _dialogs(page) -> list[str]:
    """Messages of every alert/confirm/prompt the page opens (each dismissed): an injected script fires one."""
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def _offline(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]


def test_browser_dashboard_renders_offline(browser_page, synthetic_run, tmp_path):
    page, errors, requests = browser_page
    dialogs = _dialogs(page)
    build(synthetic_run, quiet=True)  # its names and errors hold <script>alert(1)</script> and onerror=alert(2)
    n = _open(page, synthetic_run / "dashboard.html", min_canvases=8)
    assert n >= 8
    # the claims come first, each card with its verdict; their numbers are folded away until asked for
    assert page.locator("span.id").first.inner_text() == "C1"
    numbers = page.locator("details", has=page.locator("summary", has_text="numbers behind")).first
    assert not numbers.locator("table.nested").first.is_visible()
    numbers.locator("summary").click()
    page.wait_for_timeout(200)
    assert numbers.locator("table.nested").first.is_visible()
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
    page.mouse.move(400, 400)  # hover handlers too
    page.wait_for_timeout(200)
    assert not dialogs, dialogs  # no user string ran as script


def test_browser_taskstream_renders_offline(browser_page, synthetic_run, tmp_path):
    page, errors, requests = browser_page
    dialogs = _dialogs(page)
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
    assert not dialogs, dialogs


def test_browser_dialog_check_sees_an_injected_script(browser_page, tmp_path):
    """The check above can fail: a page that runs an injected alert is caught."""
    page, _, _ = browser_page
    dialogs = _dialogs(page)
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><img src=x onerror=alert(2)></body></html>")
    page.goto(bad.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    assert dialogs == ["alert: 2"]
