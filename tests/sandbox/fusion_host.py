"""Drive the Fusion host simulator and the UEF test toolbar (tests/pages/uef-toolbar.html).

- :class:`HostPage`: open the host page, run the test toolbar's ``tb`` harness inside the
  toolbar frame, read ``window.fusionHost`` and the event log.
- :data:`TEST_TOOLBAR`: the test toolbar's path on the toolbar origin.
"""

from __future__ import annotations

from urllib.parse import urlencode

from selenium.webdriver.common.by import By

from tests.live import TIMEOUT

TEST_TOOLBAR = "/sandbox/test-pages/uef-toolbar.html"

_LOG_SCRIPT = """
return [...document.querySelectorAll('#event-log > [data-method][data-direction]')]
  .filter((item) => item.dataset.direction !== 'note')
  .map((item) => ({
    direction: item.dataset.direction, method: item.dataset.method, error: item.dataset.error ?? null,
    unanswered: 'unanswered' in item.dataset,
    message: JSON.parse(item.querySelector('.payload').textContent),
  }));
"""


class HostPage:
    """The host page in the session's Chromium, with the test toolbar embedded by default."""

    def __init__(self, browser, sandbox) -> None:
        self.browser = browser
        self.driver = browser.driver
        self.sandbox = sandbox
        self.driver.set_script_timeout(TIMEOUT)

    def open(self, toolbar: str | None = TEST_TOOLBAR, **options: str) -> HostPage:
        """Load ``/`` with ``options`` as query parameters and wait until the host is ready."""
        query = {**({"toolbar": toolbar} if toolbar else {}), **options}
        self.driver.get(self.sandbox.url("/?" + urlencode(query)))
        ready = self.browser.wait(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
            what="the host page to start")
        assert ready == "true", "the host page could not start (see the console)"
        return self

    # ---- The toolbar frame ----
    def in_toolbar(self, expression: str, *args):
        """Evaluate JS ``expression`` (a value or a Promise; ``args`` holds the arguments) in the frame."""
        driver = self.driver
        driver.switch_to.frame(driver.find_element(By.ID, "toolbar-frame"))
        try:
            self.browser.wait(lambda d: d.execute_script("return Boolean(window.tb)"), what="the test toolbar")
            return driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "const args = Array.prototype.slice.call(arguments, 0, -1);"
                f"Promise.resolve().then(() => {expression})"
                ".then(done, (error) => done({thrown: String(error)}));",
                *args,
            )
        finally:
            driver.switch_to.default_content()

    def tb(self, method: str, *args):
        """Call ``tb.<method>(*args)`` of the test toolbar and return its (awaited) result."""
        return self.in_toolbar(f"tb.{method}(...args)", *args)

    def init(self) -> dict:
        """Initialize the test toolbar's UEF provider and PHONE context."""
        result = self.tb("init")
        assert result["ok"], result
        return result

    def events(self) -> list[dict]:
        return self.in_toolbar("tb.events")

    def wait_events(self, count: int) -> list[dict]:
        """Wait until the test toolbar has received ``count`` events; return them."""
        events: list[dict] = []

        def enough(_driver) -> bool:
            events[:] = self.events()
            return len(events) >= count

        self.browser.wait(enough, what=f"{count} events in the toolbar")
        return events

    # ---- The host ----
    def host(self, expression: str):
        """Evaluate ``window.fusionHost.<expression>`` in the host page."""
        return self.driver.execute_script(f"return window.fusionHost.{expression};")

    def state(self) -> dict:
        return self.host("state()")

    def log(self, since: int = 0) -> list[dict]:
        """The event log's message entries (notes left out), from index ``since``."""
        return self.driver.execute_script(_LOG_SCRIPT)[since:]

    def methods(self, since: int = 0) -> list[str]:
        """The event log as ``"in:<method>"`` / ``"out:<method>"`` strings."""
        return [f"{entry['direction']}:{entry['method']}" for entry in self.log(since)]

    def wait_log(self, count: int) -> list[dict]:
        """Wait until the event log has ``count`` message entries; return them."""
        self.browser.wait(lambda _d: len(self.log()) >= count, what=f"{count} event log entries")
        return self.log()

    def element(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def attribute(self, css: str, name: str) -> str | None:
        return self.element(css).get_attribute(name)

    def click(self, css: str) -> None:
        self.element(css).click()

    def wait_attribute(self, css: str, name: str, value: str | None) -> None:
        """Wait until ``css`` has attribute ``name`` equal to ``value`` (None: absent)."""
        self.browser.wait(lambda _d: self.attribute(css, name) == value,
                          what=f"{css}[{name}] == {value!r}")

    def wait_visible(self, css: str, visible: bool = True) -> None:
        self.browser.wait(lambda _d: self.element(css).is_displayed() == visible,
                          what=f"{css} {'shown' if visible else 'hidden'}")
