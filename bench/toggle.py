"""Click-to-available: a click on the toolbar's toggle until the host's phone icon changes.

The toolbar runs embedded in the Fusion host simulator, against the sandbox's token service
and signaling emulator, on each interpreter. Each toggle is a real click (WebDriver input),
then the benchmark waits for the host's icon and for the toolbar to accept the next click,
and reads the probe's marks (bench/instrument.js) from both frames. The time from click to
icon is cut at the events both ends can see, in order:

- to available: click, token request sent, token received (Resource Timing of /api/token),
  WebSocket created (the SDK's Device is up), WebSocket open, ``ready`` received
  (listen/connected and register/ready done), the host receives ``agentStateEvent`` (UEF
  publish), icon changes;
- to unavailable: click, ``register`` (audio off) sent, ``offline`` received, the host receives
  ``agentStateEvent`` (the Device destroyed, then the UEF publish: the WebSocket's close event
  may come before or after the publish, so it is no checkpoint), icon changes.

Public names: STEPS, run, table, main, toggle_once, clear_marks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bench import browser
from bench.common import Row
from bench.common import subject_main
from bench.common import summarize
from sandbox.config import INTERPRETERS

TOGGLES = 50  # of each direction
# Checkpoints of each direction, in order: (name of the step that ends here, where, event).
# "toolbar"/"host" is the frame; the event is a bench mark, or token:start/token:end.
STEPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "available": (
        ("click", "toolbar", "bench:click"),
        ("to token request", "toolbar", "token:start"),
        ("token fetch", "toolbar", "token:end"),
        ("Device start", "toolbar", "bench:ws:create"),
        ("WebSocket connect", "toolbar", "bench:ws:open"),
        ("signaling register", "toolbar", "bench:ws:recv:ready"),
        ("UEF publish", "host", "bench:message:agentStateEvent"),
        ("host icon", "host", "bench:phone:available"),
    ),
    "unavailable": (
        ("click", "toolbar", "bench:click"),
        ("to unregister", "toolbar", "bench:ws:send:register"),
        ("signaling unregister", "toolbar", "bench:ws:recv:offline"),
        ("destroy + UEF publish", "host", "bench:message:agentStateEvent"),
        ("host icon", "host", "bench:phone:unavailable"),
    ),
}
# The toolbar takes the next click once its toggle is enabled and Fusion answered the publish.
_SETTLED = (
    "document.getElementById('availability-toggle').getAttribute('aria-disabled')"
    " === 'false' && performance.getEntriesByName('bench:message:agentStateEvent').length"
)


def run(quick: bool) -> Iterator[Row]:
    """Toggle on each interpreter; yield each direction's total and step rows."""
    durations: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    with browser.sandbox() as live, browser.chromium() as driver:
        for interpreter in INTERPRETERS:
            browser.open_host(driver, live, f"interpreter={interpreter}")
            clear_marks(driver)
            for _ in range(3 if quick else TOGGLES):
                for direction in STEPS:
                    steps = toggle_once(driver, live, direction)
                    for step, milliseconds in steps.items():
                        durations[interpreter, direction, step].append(milliseconds)
    for (interpreter, direction, step), values in durations.items():
        yield {
            "bench": "toggle",
            "interpreter": interpreter,
            "direction": direction,
            "step": step,
            "metric": "ms",
            **summarize(values),
        }


def table(rows: list[Row]) -> str:
    """The README's click-to-available table: one column per step, medians (p95)."""
    lines = []
    for direction, steps in STEPS.items():
        names = ["total"] + [name for name, _, _ in steps[1:]]
        lines += [
            f"| to {direction} | toggles | " + " | ".join(names) + " |",
            "|---|--:|" + "--:|" * len(names),
        ]
        for interpreter in INTERPRETERS:
            found = {
                row["step"]: row
                for row in rows
                if row["bench"] == "toggle"
                and row["interpreter"] == interpreter
                and row["direction"] == direction
            }
            if not found:
                continue
            cells = [f"{found[name]['median']:.1f} ({found[name]['p95']:.0f})" for name in names]
            lines.append(f"| {interpreter} | {found['total']['n']} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip()


def main() -> None:
    subject_main(run, __doc__.splitlines()[0])


def toggle_once(driver: WebDriver, live: browser.Sandbox, direction: str) -> dict[str, float]:
    """Click once, wait until the icon shows ``direction`` and the toolbar settled; return
    the total and each step in ms."""
    browser.in_toolbar(driver)
    driver.find_element(By.ID, "availability-toggle").click()
    browser.wait_in_host(
        driver, live, f"performance.getEntriesByName('bench:phone:{direction}').length"
    )
    browser.wait_in_toolbar(driver, live, _SETTLED)
    seen = {"toolbar": _events(browser.marks(driver, clear=True))}
    browser.in_host(driver)
    seen["host"] = _events(browser.marks(driver, clear=True))
    times = [seen[where][event] for _, where, event in STEPS[direction]]
    steps = {
        name: end - start
        for (name, _, _), start, end in zip(STEPS[direction][1:], times, times[1:])
    }
    time.sleep(0.1)  # let the previous Device's teardown finish before the next click
    return {"total": times[-1] - times[0], **steps}


def _events(frame: dict[str, Any]) -> dict[str, float]:
    """The first time of each mark, and the token request's start and end (epoch ms)."""
    events: dict[str, float] = {}
    for name, at in frame["marks"]:
        events.setdefault(name, at)
    for entry in frame["resources"]:
        if entry["url"].endswith("/api/token"):
            events.setdefault("token:start", entry["start"])
            events.setdefault("token:end", entry["end"])
    return events


def clear_marks(driver: WebDriver) -> None:
    """Forget the start-up's marks in both frames."""
    browser.marks(driver, clear=True)
    browser.in_host(driver)
    browser.marks(driver, clear=True)


if __name__ == "__main__":
    main()
