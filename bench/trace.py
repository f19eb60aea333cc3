"""Chromium's performance timeline of the toolbar frame: where start-up and a click go.

Not a benchmark but the profiler behind the browser gaps in bench/README.md.
``python -m bench.trace [--interpreter micropython|pyodide]`` starts the sandbox and a Chromium
that records a trace from launch (``--trace-startup``, JSON), shows the toolbar twice (cold,
then warm), makes it available once, and prints for the toolbar frame's main thread:

- the warm start-up's requests and Fusion messages, in order, from the frame's navigation;
- the warm start-up, navigation to ready: time busy and idle (waiting on requests, timers,
  Fusion), and the activities that kept it busy;
- the click to available: in order, each task longer than 0.3 ms, each short timer set (with
  its delay: a clamped ``setTimeout`` shows as 4 ms) and each request or WebSocket step, in
  ms from the click.

Tracing slows the browser down: read the timeline for order and proportions, and take the
figures from the benchmarks.

The trace is kept (its path is printed) for Perfetto or chrome://tracing.
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
import time
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import browser
from bench import toggle
from bench.common import note

Event = dict[str, Any]
_CATEGORIES = (
    "toplevel,devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing"
)
_TASKS = {"RunTask", "ThreadControllerImpl::RunTask"}  # wrappers: what runs inside tells
_STEPS = {
    "EventDispatch", "TimerInstall", "TimerFire", "ResourceSendRequest", "ResourceFinish",
    "WebSocketCreate", "WebSocketSendHandshakeRequest", "WebSocketReceiveHandshakeResponse",
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interpreter", choices=("micropython", "pyodide"), default="micropython")
    interpreter = parser.parse_args().interpreter
    note("recording a trace: under a minute")
    path = Path(tempfile.mkdtemp(prefix="bench-trace-")) / f"toolbar-{interpreter}.json"
    frame = _record(path, interpreter, seconds=25 if interpreter == "pyodide" else 12)
    events = json.loads(path.read_text())["traceEvents"]
    print(f"trace: {path}")
    _print_waterfall(frame)
    _print_startup(events)
    _print_click(events)


def _record(path: Path, interpreter: str, seconds: int) -> dict[str, Any]:
    """Trace the first ``seconds`` of a Chromium that starts the toolbar twice, then clicks.

    Returns the toolbar frame's marks and resource timings of the warm start-up.
    """
    flags = (f"--trace-startup={_CATEGORIES}", f"--trace-startup-file={path}",
             f"--trace-startup-duration={seconds}", "--trace-startup-format=json")  # fmt: skip
    began = time.monotonic()
    with browser.sandbox() as live, browser.chromium(*flags) as driver:
        for _ in ("cold", "warm"):
            browser.open_host(driver, live, f"interpreter={interpreter}")
        frame = browser.marks(driver, clear=True)
        toggle.toggle_once(driver, live, "available")
        # Chromium writes the file once the duration is over, while it still runs.
        deadline = began + seconds + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    if not path.exists():
        raise SystemExit(f"no trace in {path}: the run took longer than {seconds} s")
    return frame


def _print_waterfall(frame: dict[str, Any]) -> None:
    """The warm start-up's requests and Fusion messages, in ms from the frame's navigation;
    consecutive requests to one folder are one line."""
    origin = frame["timeOrigin"]
    rows: list[list[Any]] = []  # [start, end, file or folder or mark, count, folder]
    for entry in sorted(frame["resources"], key=lambda entry: entry["start"]):
        path = entry["url"].split("?")[0].split("/", 3)[-1]
        folder = path.rsplit("/", 1)[0] + "/"
        if rows and rows[-1][4] == folder:
            rows[-1][1:4] = [max(rows[-1][1], entry["end"]), folder, rows[-1][3] + 1]
        else:
            rows.append([entry["start"], entry["end"], path, 1, folder])
    rows += [[at, at, name.removeprefix("bench:"), 0, ""] for name, at in frame["marks"]]
    print("\nwarm start-up, toolbar frame: requests (by folder) and marks, ms")
    for start, end, what, count, _ in sorted(rows):
        files = f"  ({count} files)" if count > 1 else ""
        print(f"  {start - origin:6.0f} {end - origin:6.0f}  {what}{files}")


def _print_startup(events: list[Event]) -> None:
    navigation = [e for e in events if e["name"] == "ResourceSendRequest"
                  and "/toolbar/?" in _data(e).get("url", "")][-1]  # fmt: skip
    ready = min(e["ts"] for e in _marks(events, "bench:ready") if e["ts"] > navigation["ts"]
                and e["pid"] == navigation["pid"])  # fmt: skip
    thread = _between(_main_thread(events, navigation["pid"]), navigation["ts"], ready)
    tasks = list(_outermost(thread))
    busy = sum(min(task["dur"], ready - task["ts"]) for task in tasks) / 1000
    total = (ready - navigation["ts"]) / 1000
    print(f"\nwarm start-up: {total:.0f} ms to ready; main thread busy {busy:.0f} ms, "
          f"idle {total - busy:.0f} ms")  # fmt: skip
    spent: collections.Counter[str] = collections.Counter()
    for task in tasks:
        inside = _between(thread, task["ts"], task["ts"] + task["dur"])
        for event in _outermost(e for e in inside if e is not task and e["name"] not in _TASKS):
            spent[_label(event)] += event["dur"] / 1000
    for label, milliseconds in spent.most_common(12):
        print(f"  {milliseconds:7.1f} ms  {label}")


def _print_click(events: list[Event]) -> None:
    click = [e for e in events if e["name"] == "EventDispatch" and _data(e).get("type") == "click"][
        -1
    ]
    icon = min(e["ts"] for e in _marks(events, "bench:phone:available") if e["ts"] > click["ts"])
    print(f"\nclick to available: {(icon - click['ts']) / 1000:.1f} ms (toolbar main thread)")
    urls = {_data(e).get("requestId"): _data(e).get("url", "") for e in events
            if e["name"] == "ResourceSendRequest"}  # fmt: skip
    thread = _between(_main_thread(events, click["pid"]), click["ts"], icon)
    long_tasks = [task for task in _outermost(thread) if task["dur"] > 300]
    for event in thread:
        data = _data(event)
        if event["name"] == "ResourceFinish":
            data["url"] = urls.get(data.get("requestId"), "")
        long_task = any(event is task for task in long_tasks)
        # Timers longer than a frame are the SDK's timeouts, not steps on the way.
        step = event["name"] in _STEPS and (data.get("timeout") or 0) <= 16
        if long_task or step:
            at = (event["ts"] - click["ts"]) / 1000
            took = f"{event['dur'] / 1000:5.1f} ms" if "dur" in event else "        "
            print(f"  {at:7.1f}  {took}  {_label(event)}")


def _main_thread(events: list[Event], pid: int) -> list[Event]:
    """The events of the renderer main thread of process ``pid``, in time order."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}  # fmt: skip
    main = next(tid for (p, tid), name in names.items() if p == pid and name == "CrRendererMain")
    return sorted((e for e in events if e["pid"] == pid and e["tid"] == main and "ts" in e),
                  key=lambda e: e["ts"])  # fmt: skip


def _between(thread: list[Event], start: float, end: float) -> list[Event]:
    return [e for e in thread if start <= e["ts"] <= end]


def _outermost(events: Iterable[Event]) -> Iterator[Event]:
    """The complete events (in time order) that no earlier one contains."""
    covered = 0.0
    for event in events:
        if event["ph"] == "X" and "dur" in event and event["ts"] >= covered:
            covered = event["ts"] + event["dur"]
            yield event


def _marks(events: list[Event], name: str) -> list[Event]:
    return [e for e in events if e["name"] == name and "blink.user_timing" in e.get("cat", "")]


def _label(event: Event) -> str:
    data = _data(event)
    url = (data.get("url") or data.get("scriptName") or "").split("?")[0].rsplit("/", 1)[-1]
    detail = data.get("functionName") or data.get("type") or ""
    if event["name"] == "TimerInstall":
        detail = f"setTimeout {data.get('timeout')} ms"
    return " ".join(part for part in (event["name"], detail, url) if part)


def _data(event: Event) -> dict[str, Any]:
    args = event.get("args") or {}
    return args.get("data") or {}


if __name__ == "__main__":
    main()
