"""Shared pytest fixtures."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless-capable Chromium; installed with apt-get when missing and we are root, else skip."""
    path = _find_chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        try:
            subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env, capture_output=True,
                           timeout=900)
        except (subprocess.SubprocessError, OSError) as e:
            pytest.skip(f"chromium missing and `apt-get install chromium` failed: {e}")
        path = _find_chromium()
    if path is None:
        pytest.skip("chromium not found and cannot be installed (needs root and apt-get)")
    return path


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page(chromium, tmp_path):
    """A fresh headless-Chromium page (playwright, fresh --user-data-dir) recording console errors and requests.

    Yields ``(page, errors, requests)``; requests other than ``file:``/``data:``/``blob:`` are aborted
    (and still recorded), so a page that reaches for the network fails offline as it would for a reader.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"), executable_path=chromium, headless=True,
            args=[a for a in CHROMIUM_ARGS if a != "--headless"], viewport={"width": 1280, "height": 900},
            offline=False)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                r.abort()

        ctx.route("**/*", route)
        page.on("request", lambda req: requests.append(req.url))
        page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        try:
            yield page, errors, requests
        finally:
            ctx.close()
