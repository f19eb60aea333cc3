"""Helpers for tests that run the live sandbox and a headless Chromium.

Browser tests start the real sandbox (``python -m sandbox``) in a subprocess on free
ports and drive Debian's Chromium through Selenium. After each browser test the
page is closed and its logs are checked: a SEVERE console entry, an uncaught
PyScript error or a request to anything but loopback fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import requests
from selenium import webdriver
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
TEST_PAGES = Path(__file__).resolve().parent / "pages"
# Every wait in the browser tests is this many seconds times TEST_TIMEOUT_SCALE.
SCALE = float(os.environ.get("TEST_TIMEOUT_SCALE", "1"))
TIMEOUT = 20.0 * SCALE


def scaled(seconds: float) -> float:
    """``seconds`` times TEST_TIMEOUT_SCALE: every wait a test gives grows on a slow machine."""
    return seconds * SCALE
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float = TIMEOUT, what: str = "") -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or condition}")
        _pause()
    return result


def holds_for(check: Callable[[], None], seconds: float) -> None:
    """Run ``check`` (which asserts) again and again for ``seconds``: a negative check,
    such as nothing registering the agent again, can only be observed over a window."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        check()
        _pause()


def _pause() -> None:
    # The one poll interval of the suite: the gap between two looks at a condition.
    time.sleep(0.05)


@dataclass
class LiveSandbox:
    """A running ``python -m sandbox`` and helpers to drive its APIs."""

    port: int
    signaling_port: int
    process: subprocess.Popen
    fusion_origin: str = ""
    toolbar_origin: str = ""
    output: IO[str] | None = None  # the file the sandbox's stdout and stderr go to

    def log(self) -> str:
        """Return everything the sandbox has printed so far."""
        assert self.output is not None
        self.output.seek(0)
        return self.output.read()

    def __post_init__(self) -> None:
        self.fusion_origin = f"http://127.0.0.1:{self.port}"
        self.toolbar_origin = f"http://localhost:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.fusion_origin + path

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.url(path), timeout=scaled(10), **kwargs)

    def twilio_state(self) -> dict:
        response = self.api("GET", "/sandbox/api/twilio")
        response.raise_for_status()
        return response.json()

    def agent_token(self, agent_id: str) -> str:
        response = self.api("POST", f"/sandbox/api/agents/{agent_id}/token")
        response.raise_for_status()
        return response.json()["token"]


@contextlib.contextmanager
def run_sandbox(*args: str) -> Iterator[LiveSandbox]:
    """Start ``python -m sandbox`` on free ports; stop it however the block ends."""
    port, signaling_port = free_port(), free_port()
    command = [sys.executable, "-m", "sandbox", "--port", str(port),
               "--signaling-port", str(signaling_port), "--test-pages", str(TEST_PAGES), *args]
    # A file, not a pipe: a pipe nobody reads would block a chatty sandbox.
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   text=True)
        live = LiveSandbox(port=port, signaling_port=signaling_port, process=process,
                           output=output)
        try:
            _wait_for_start(live, output)
            yield live
        finally:
            stop(process)
            # pytest shows captured output for failed tests: include the sandbox's log.
            output.seek(0)
            sys.stdout.write(output.read())


def stop(process: subprocess.Popen) -> None:
    """Stop a process this test started: politely, then for good after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_start(live: LiveSandbox, output) -> None:
    def started() -> bool:
        if live.process.poll() is not None:
            output.seek(0)
            raise AssertionError(f"sandbox exited early:\n{output.read()}")
        with contextlib.suppress(requests.ConnectionError):
            return live.api("GET", "/api/healthz").ok
        return False

    wait_until(started, timeout=scaled(30), what="the sandbox to start")


@dataclass
class Browser:
    """A Chromium session and the log checks that run after each test."""

    driver: WebDriver
    allowed_console: list[re.Pattern] = field(default_factory=list)

    def allow_console(self, pattern: str) -> None:
        """Accept SEVERE console entries matching ``pattern`` in this test (expected failures)."""
        self.allowed_console.append(re.compile(pattern))

    def wait(self, condition: Callable[[WebDriver], object], timeout: float = TIMEOUT, what: str = ""):
        return WebDriverWait(self.driver, timeout).until(condition, message=what)

    def check_logs(self) -> list[str]:
        """Return the problems found in the console and network logs since the last check."""
        problems = [
            f"console: {entry['message']}"
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE"
            and not any(p.search(entry["message"]) for p in self.allowed_console)
        ]
        problems += [f"request left loopback: {url}" for url in self._requested_urls()
                     if not _is_local(url)]
        return problems

    def _requested_urls(self) -> Iterator[str]:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent":
                yield params["request"]["url"]
            elif message.get("method") == "Network.webSocketCreated":
                yield params["url"]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK_HOSTS


def chrome_options() -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--no-default-browser-check",
        # Chromium's own background traffic would otherwise leave loopback.
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection",
        # A fake microphone, granted without a prompt.
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900",
        # The toolbar is a cross-origin iframe: with site isolation it runs in its own
        # renderer, whose console and network events ChromeDriver's logs never see, so the
        # checks below would be blind to it. Same-origin rules still apply in one process.
        "--disable-site-isolation-trials",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options
