"""The browser benchmarks' set-up: a live sandbox and headless Chromium carrying the probe.

Same recipe as the browser tests (``python -m sandbox`` on free ports, Debian's Chromium
through Selenium) but nothing is imported from tests/. Every Chromium gets a fresh profile,
so its first navigation is a cold one, and WebDriver BiDi installs bench/instrument.js in
every document, the cross-origin toolbar frame included.

Public names: TOOLBAR_FRAME, Sandbox, sandbox, chromium, open_host, in_host, in_toolbar,
wait_in_host, wait_in_toolbar, marks.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import JavascriptException
from selenium.common.exceptions import NoSuchFrameException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from bench.common import ROOT
from bench.common import free_port
from bench.common import running
from bench.common import wait_for_http

TOOLBAR_FRAME = "toolbar-frame"
_PROBE = (Path(__file__).parent / "instrument.js").read_text()
_TIMEOUT = 60.0  # seconds any one wait may take before the run is abandoned

# Resolves with "ok" once the condition holds, or "elsewhere" at once if this document is not
# on the expected origin yet (the frame's initial about:blank, the previous page).
# The condition is pasted in, not passed: new Function() would need 'unsafe-eval' in the page.
_WAIT = """
const [origin, done] = arguments;
if (location.origin !== origin) return done("elsewhere");
(function poll() { (CONDITION) ? done("ok") : setTimeout(poll, 5); })();
"""


@dataclass(frozen=True)
class Sandbox:
    """Where a running sandbox listens."""

    port: int
    signaling_port: int

    @property
    def fusion_origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def toolbar_origin(self) -> str:
        return f"http://localhost:{self.port}"


@contextlib.contextmanager
def sandbox(test_pages: Path | None = None, root: Path = ROOT) -> Iterator[Sandbox]:
    """Run ``python -m sandbox`` of the tree at ``root`` (this one) on free loopback ports,
    serving ``test_pages`` if given."""
    live = Sandbox(free_port(), free_port())
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        str(live.port),
        "--signaling-port",
        str(live.signaling_port),
    ]
    if test_pages is not None:
        command += ["--test-pages", str(test_pages)]
    with running(command, name="sandbox", cwd=root) as process:
        wait_for_http(f"{live.fusion_origin}/api/healthz", process)
        yield live


@contextlib.contextmanager
def chromium(*flags: str) -> Iterator[WebDriver]:
    """A headless Chromium with a fresh profile, the probe in every document, and ``flags``."""
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options = _options(profile)
    for flag in flags:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        driver.set_script_timeout(_TIMEOUT)
        driver.script.add_preload_script(_PROBE)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_host(driver: WebDriver, live: Sandbox, query: str) -> None:
    """Navigate to the host page with ``query`` and wait for the toolbar frame's data-ready."""
    driver.get("about:blank")
    driver.get(f"{live.fusion_origin}/?{query}")
    wait_in_toolbar(driver, live, "performance.getEntriesByName('bench:ready').length")


def in_host(driver: WebDriver) -> None:
    driver.switch_to.default_content()


def in_toolbar(driver: WebDriver) -> None:
    """Switch into the toolbar frame, waiting for the host to create it."""
    deadline = time.monotonic() + _TIMEOUT
    while True:
        driver.switch_to.default_content()
        try:
            driver.switch_to.frame(TOOLBAR_FRAME)
            return
        except NoSuchFrameException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def wait_in_host(driver: WebDriver, live: Sandbox, condition: str) -> None:
    """Wait for the JS ``condition`` in the host page; stay there."""
    _wait(driver, in_host, live.fusion_origin, condition)


def wait_in_toolbar(driver: WebDriver, live: Sandbox, condition: str) -> None:
    """Wait for the JS ``condition`` in the toolbar frame; stay there."""
    _wait(driver, in_toolbar, live.toolbar_origin, condition)


def _wait(driver: WebDriver, enter: Callable[[WebDriver], None], origin: str,
          condition: str) -> None:  # fmt: skip
    """Wait for ``condition`` in the document ``enter`` switches to, once it is on ``origin``.

    The page polls itself, so waiting costs no WebDriver round trip per check. Each attempt
    enters the frame again: right after a navigation, WebDriver may still be pointing at the
    previous document (or its frame), which is then replaced under it.
    """
    deadline = time.monotonic() + _TIMEOUT
    while time.monotonic() < deadline:
        enter(driver)
        with contextlib.suppress(JavascriptException):  # the document was replaced meanwhile
            if driver.execute_async_script(_WAIT.replace("CONDITION", condition), origin) == "ok":
                return
        time.sleep(0.02)
    where = driver.execute_script(
        "return location.href + ' ' + (document.body?.outerHTML ?? '').slice(0, 600)"
    )
    raise TimeoutError(f"{condition} did not hold within {_TIMEOUT:.0f} s on {where}")


def marks(driver: WebDriver, *, clear: bool = False) -> dict[str, Any]:
    """Return the current frame's timeOrigin, bench marks and resource timings (epoch ms).

    With ``clear``, forget them afterwards, so the next step starts from nothing.
    """
    return driver.execute_script(  # type: ignore[no-any-return]
        """
        const origin = performance.timeOrigin;
        const at = (entry) => origin + entry.startTime;
        const result = {
          timeOrigin: origin,
          marks: performance.getEntriesByType("mark").filter((m) => m.name.startsWith("bench:"))
            .map((m) => [m.name, at(m)]),
          resources: [...performance.getEntriesByType("navigation"),
                      ...performance.getEntriesByType("resource")].map((e) => ({
            url: e.name, start: at(e), end: origin + e.responseEnd, transfer: e.transferSize,
            encoded: e.encodedBodySize, decoded: e.decodedBodySize})),
        };
        if (arguments[0]) { performance.clearMarks(); performance.clearResourceTimings(); }
        return result;
        """,
        clear,
    )


def _options(profile: str) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        # Chromium's own background traffic would otherwise leave loopback.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        # A fake microphone, granted without a prompt.
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.enable_bidi = True
    # driver.get returns at once: the benchmarks wait for their own marks instead.
    options.page_load_strategy = "none"
    return options
