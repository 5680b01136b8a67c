"""Open a report in headless Chromium (through chromedriver) and collect what a test checks.

Skips with a reason when Chromium or chromedriver is missing, except in CI (env CI=true),
where .ci/run installs them and a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_PATHS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")
# chrome:// and friends are the browser's own start page (before navigation), never the network.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "chrome-search:")


def _find_browser() -> tuple[str | None, str | None]:
    browser = next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)
    driver = shutil.which("chromedriver") or next((p for p in DRIVER_PATHS if Path(p).is_file()), None)
    return browser, driver


def require_browser() -> tuple[str, str]:
    browser, driver = _find_browser()
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if path is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install 'autopipe[test]')")
    if missing:
        reason = (f"{', '.join(missing)} not installed; install with "
                  "`apt-get install -y chromium chromium-driver` to run the browser tests")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    return browser, driver


class Page:
    """What a headless Chromium saw when it opened one local HTML file."""

    def __init__(self, path: Path, screenshot: Path | None = None, timeout: float = 60.0):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait

        browser, driver_path = require_browser()
        profile = tempfile.mkdtemp(prefix="autopipe-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            driver.set_page_load_timeout(timeout)
            driver.get(Path(path).resolve().as_uri())
            WebDriverWait(driver, timeout).until(lambda d: d.execute_script(_ALL_DRAWN))
            self.plots = driver.execute_script(_PLOTS)
            self.sections = driver.execute_script(_SECTIONS)
            self.diagram = driver.execute_script("return !!document.querySelector('.diagram .sk-top-container')")
            self.console = driver.get_log("browser")
            self.requests = [_request_url(e) for e in driver.get_log("performance")]
            self.requests = [u for u in self.requests if u]
            if screenshot is not None:
                _full_page_png(driver, screenshot)
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)

    @property
    def errors(self) -> list[dict]:
        return [e for e in self.console if e.get("level") == "SEVERE"]

    @property
    def remote_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


# Every plot container holds a drawn plotly graph (an SVG main layer) or is not counted.
_ALL_DRAWN = """
const boxes = document.querySelectorAll('[data-plot]');
return document.readyState === 'complete' &&
  [...boxes].every(b => b.querySelector('.js-plotly-plot .main-svg'));
"""
_PLOTS = """
const out = {};
document.querySelectorAll('[data-plot]').forEach(b => {
  const g = b.querySelector('.js-plotly-plot');
  const r = g ? g.getBoundingClientRect() : {width: 0, height: 0};
  out[b.dataset.plot] = {drawn: !!(g && g._fullLayout && g.querySelector('.main-svg')),
                         traces: g && g.data ? g.data.length : 0, width: r.width, height: r.height};
});
return out;
"""
_SECTIONS = """
return [...document.querySelectorAll('main section[id]')].map(s => ({
  id: s.id, heading: (s.querySelector('h2') || {}).textContent, height: s.getBoundingClientRect().height}));
"""


def _request_url(entry: dict) -> str | None:
    message = json.loads(entry["message"])["message"]
    if message.get("method") != "Network.requestWillBeSent":
        return None
    return message["params"]["request"]["url"]


def _full_page_png(driver, target: Path) -> None:
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width, height = 1280, int(min(size["height"], 30000))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    import base64

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(base64.b64decode(shot["data"]))
