"""Helpers for tests that run the live sandbox and a headless Chromium.

Browser tests start the real sandbox (``python -m sandbox``) in a subprocess on free
ports and drive Debian's Chromium through Selenium. After each browser test the
page is closed and its logs are checked: a SEVERE console entry, an uncaught
PyScript error or a request to anything but loopback fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import IO
from typing import Any
from typing import Protocol
from urllib.parse import urlsplit

import requests
from selenium import webdriver
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from sandbox.changes import Changes

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


class ChangeFeed(Protocol):
    """Where a condition's state lives, able to say when it may have changed."""

    def version(self) -> int: ...

    def wait(self, after: int, timeout: float) -> int:
        """Return the version once it is past ``after``, or after ``timeout`` seconds."""


# The longest a wait goes without looking again: a condition may also read state that
# another source changes (the emulator's calls and the toolbar's page, say).
LOOK_AGAIN = 0.5


class _Deadline:
    """How long the next wait for a change may last; an AssertionError once time is up."""

    def __init__(self, timeout: float, what: object) -> None:
        self._timeout = timeout
        self._what = what
        self._end = time.monotonic() + timeout

    def next_wait(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out after {self._timeout:.0f}s waiting for {self._what}")
        return min(left, LOOK_AGAIN)


def wait_until(condition: Callable[[], object], timeout: float = TIMEOUT, what: str = "", *,
               changes: ChangeFeed) -> object:
    """Look at ``condition`` until it returns something truthy, again each time ``changes``
    says its state may have changed; fail after ``timeout``."""
    deadline = _Deadline(timeout, what or condition)
    seen = changes.version()
    while not (result := condition()):
        seen = changes.wait(seen, deadline.next_wait())
    return result


async def wait_until_async(condition: Callable[[], Awaitable[object]], timeout: float = TIMEOUT,
                           what: str = "", *, changes: ChangeFeed) -> object:
    """``wait_until`` for a test on an event loop: the waits for a change run in a worker
    thread, so the loop (and an emulator on it) goes on meanwhile."""
    deadline = _Deadline(timeout, what or condition)
    seen = changes.version()
    while not (result := await condition()):
        seen = await asyncio.to_thread(changes.wait, seen, deadline.next_wait())
    return result


def holds_for(check: Callable[[], None], seconds: float, *, changes: ChangeFeed) -> None:
    """Run ``check`` (which asserts) at the start and after every change for ``seconds``: a
    negative check, such as nothing registering the agent again, holds over a window."""
    deadline = time.monotonic() + seconds
    seen = changes.version()
    while True:
        check()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        seen = changes.wait(seen, min(left, LOOK_AGAIN))


# Nothing announces that time has passed: a wait on the clock lasts its whole timeout.
CLOCK = Changes()


class ProcessOutput:
    """What a child process prints, read line by line as it comes (a thread drains the
    pipe, so a chatty process never blocks), with ``changes`` bumped at each line."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.changes = Changes()
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self._lines.append(line)
                self.changes.bump()
        self.changes.bump()  # the end: the process has closed its output

    def text(self) -> str:
        return "".join(self._lines)

    def close(self) -> None:
        """Wait for the last line; call once the process has ended."""
        self._reader.join(scaled(10))


@dataclass
class LiveSandbox:
    """A running ``python -m sandbox`` and helpers to drive its APIs."""

    port: int
    signaling_port: int
    process: subprocess.Popen
    fusion_origin: str = ""
    toolbar_origin: str = ""
    output: ProcessOutput | None = None  # what the sandbox prints (stdout and stderr)

    def log(self) -> str:
        """Return everything the sandbox has printed so far."""
        assert self.output is not None
        return self.output.text()

    @property
    def changes(self) -> SandboxChanges:
        """The emulator's state, long-polled (``GET /sandbox/api/twilio/changes``)."""
        return SandboxChanges(self)

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
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = ProcessOutput(process)
    live = LiveSandbox(port=port, signaling_port=signaling_port, process=process, output=output)
    try:
        _wait_for_start(live)
        yield live
    finally:
        stop(process)
        output.close()
        # pytest shows captured output for failed tests: include the sandbox's log.
        sys.stdout.write(output.text())


@dataclass
class SandboxChanges:
    """The emulator's change feed, long-polled over the control API."""

    live: LiveSandbox

    def version(self) -> int:
        return self.wait(-1, 0)

    def wait(self, after: int, timeout: float) -> int:
        response = self.live.api("GET", "/sandbox/api/twilio/changes",
                                 params={"after": after, "wait": f"{timeout:.3f}"})
        response.raise_for_status()
        return response.json()["version"]


def stop(process: subprocess.Popen) -> None:
    """Stop a process this test started: politely, then for good after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_start(live: LiveSandbox) -> None:
    def started() -> bool:
        if live.process.poll() is not None:
            raise AssertionError(f"sandbox exited early:\n{live.log()}")
        with contextlib.suppress(requests.ConnectionError):
            return live.api("GET", "/api/healthz").ok
        return False

    # It prints a line once every listener accepts connections.
    wait_until(started, timeout=scaled(30), what="the sandbox to start", changes=live.output.changes)


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


# Every document (frames too) counts its changes: a DOM mutation or a message received.
# ``next(after, ms, done)`` calls done(version) once the count is past ``after``, or after ms.
_CHANGE_COUNTER = """
(() => {
  if (window.__testChanges) return;
  let version = 0;
  let waiters = [];
  const bump = () => { version += 1; for (const wake of waiters.splice(0)) wake(); };
  const next = (after, ms, done) => {
    if (version > after) { done(version); return; }
    const wake = () => { clearTimeout(timer); done(version); };
    const timer = setTimeout(() => {
      waiters = waiters.filter((waiter) => waiter !== wake);
      done(version);
    }, ms);
    waiters.push(wake);
  };
  Object.defineProperty(window, "__testChanges", {value: Object.freeze({version: () => version, next})});
  new MutationObserver(bump).observe(document,
    {subtree: true, childList: true, attributes: true, characterData: true});
  addEventListener("message", bump, true);
})();
"""


def count_page_changes(driver: WebDriver) -> None:
    """From the next page load on, every document of ``driver`` counts its changes."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CHANGE_COUNTER})


def open_window(driver: WebDriver) -> None:
    """Switch ``driver`` to a new window whose documents count their changes too."""
    driver.switch_to.new_window("window")
    count_page_changes(driver)


@dataclass
class PageChanges:
    """The change count of the document ``driver`` is in, or of the one ``within`` enters."""

    driver: WebDriver
    within: Callable[[Callable[[], Any]], Any] = lambda read: read()

    def version(self) -> int:
        return self.within(lambda: self.driver.execute_script(
            "return window.__testChanges.version()"))

    def wait(self, after: int, timeout: float) -> int:
        return self.within(lambda: self.driver.execute_async_script(
            "window.__testChanges.next(...arguments)", after, round(timeout * 1000)))


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
