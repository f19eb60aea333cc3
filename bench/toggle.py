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

Fusion's commands are timed the same way, from a click on the host's command button to the
host showing the toolbar's answer: ``getCurrentAgentState`` (unavailable, then available)
and ``makeAvailable`` / ``makeUnavailable`` (the whole flow, answered once it is done).

The floor is the same flow in plain JavaScript (bench/baseline.py), embedded in the same
host in the same browser: the run goes round the subjects (each interpreter, then the
baseline) in ``ROUNDS`` blocks, each block starting with another subject, so a load that
comes and goes on the machine weighs on all alike. Each figure of the toolbar is also
reported as its ratio to the baseline's (medians of the same run): ``metric`` ``ratio``.

Public names: STEPS, COMMANDS, BASELINE, SUBJECTS, run, table, main, toggle_once, clear_marks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bench import baseline
from bench import browser
from bench.common import Row
from bench.common import subject_main
from bench.common import summarize
from sandbox.config import INTERPRETERS

TOGGLES = 50  # of each direction, per subject
ROUNDS = 5
BASELINE = "javascript"
SUBJECTS = (*INTERPRETERS, BASELINE)
# Fusion's agent commands timed, in the order sent (the agent starts unavailable).
COMMANDS = (
    ("getCurrentAgentState", "get-agent-state"),
    ("makeAvailable", "make-available"),
    ("getCurrentAgentState", "get-agent-state"),
    ("makeUnavailable", "make-unavailable"),
)
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
_ENABLED = "document.getElementById('availability-toggle').getAttribute('aria-disabled') === 'false'"
_SETTLED = f"{_ENABLED} && performance.getEntriesByName('bench:message:agentStateEvent').length"


def run(quick: bool) -> Iterator[Row]:
    """Toggle and command each subject in interleaved blocks; yield each figure's row and,
    for the toolbar, its ratio to the baseline's."""
    durations: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    rounds, per_round = (1, 3) if quick else (ROUNDS, TOGGLES // ROUNDS)
    with (baseline.pages() as pages, browser.sandbox(test_pages=pages) as live,
          browser.chromium() as driver):
        for block in range(rounds):
            shift = block % len(SUBJECTS)
            for subject in SUBJECTS[shift:] + SUBJECTS[:shift]:
                _open(driver, live, subject)
                for _ in range(per_round):
                    for direction in STEPS:
                        for step, milliseconds in toggle_once(driver, live, direction).items():
                            durations[subject, direction, step].append(milliseconds)
                    for command, button in COMMANDS:
                        durations[subject, command, "total"].append(
                            command_once(driver, live, button))
    yield from _rows(durations)


def _open(driver: WebDriver, live: browser.Sandbox, subject: str) -> None:
    query = baseline.QUERY if subject == BASELINE else f"interpreter={subject}"
    browser.open_host(driver, live, query)
    clear_marks(driver)


def _rows(durations: dict[tuple[str, str, str], list[float]]) -> Iterator[Row]:
    summaries = {key: summarize(values) for key, values in durations.items()}
    for (subject, direction, step), summary in summaries.items():
        yield {"bench": "toggle", "interpreter": subject, "direction": direction,
               "step": step, "metric": "ms", **summary}
    for (subject, direction, step), summary in summaries.items():
        floor = summaries.get((BASELINE, direction, step))
        if subject != BASELINE and step == "total" and floor and floor["median"] > 0:
            yield {"bench": "toggle", "interpreter": subject, "direction": direction,
                   "step": step, "metric": "ratio",
                   "median": round(summary["median"] / floor["median"], 2)}


def table(rows: list[Row]) -> str:
    """The README's tables: each direction's steps per subject, medians (p95), with the
    toolbar's ratio to the baseline; then Fusion's commands."""
    found = {(row["interpreter"], row["direction"], row["step"], row["metric"]): row
             for row in rows if row["bench"] == "toggle"}
    lines = []
    for direction, steps in STEPS.items():
        names = ["total"] + [name for name, _, _ in steps[1:]]
        lines += [f"| to {direction} | toggles | ÷ {BASELINE} | " + " | ".join(names) + " |",
                  "|---|--:|--:|" + "--:|" * len(names)]
        for subject in SUBJECTS:
            if (subject, direction, "total", "ms") in found:
                cells = [_ms(found[subject, direction, name, "ms"]) for name in names]
                lines.append(f"| {subject} | {found[subject, direction, 'total', 'ms']['n']} | "
                             f"{_ratio(found, subject, direction)} | " + " | ".join(cells) + " |")
        lines.append("")
    commands = list(dict.fromkeys(command for command, _ in COMMANDS))
    lines += ["| Fusion command → answer | " + " | ".join(commands) + " |",
              "|---|" + "--:|" * len(commands)]
    for subject in SUBJECTS:
        if all((subject, command, "total", "ms") in found for command in commands):
            cells = [_ms(found[subject, command, "total", "ms"])
                     + (f" ×{_ratio(found, subject, command)}" if subject != BASELINE else "")
                     for command in commands]
            lines.append(f"| {subject} | " + " | ".join(cells) + " |")
    return "\n".join(lines).rstrip()


def _ms(row: Row) -> str:
    return f"{row['median']:.1f} ({row['p95']:.0f})"


def _ratio(found: dict[tuple[str, str, str, str], Row], subject: str, figure: str) -> str:
    row = found.get((subject, figure, "total", "ratio"))
    return "—" if row is None else f"{row['median']:.2f}"


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


def command_once(driver: WebDriver, live: browser.Sandbox, button: str) -> float:
    """Click the host's command ``button``; wait for the answer shown and the toolbar
    settled; return the ms from the click to the answer."""
    browser.in_host(driver)
    driver.find_element(By.ID, button).click()
    browser.wait_in_host(
        driver, live, "performance.getEntriesByName('bench:command:success').length")
    browser.wait_in_toolbar(driver, live, _ENABLED)
    browser.marks(driver, clear=True)
    browser.in_host(driver)
    events = _events(browser.marks(driver, clear=True))
    return events["bench:command:success"] - events["bench:command:click"]


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
