"""Start-up: from the host page's navigation to the toolbar frame's body[data-ready="true"].

Three pages are embedded in the Fusion host simulator the same way (``?toolbar=<path>``), on
each interpreter, so the differences between them are what each layer adds:

- ``toolbar``: client/ as deployed: config.js, ffi.js, twilio.min.js, PyScript, the toolbar's
  Python, and its UEF start-up (getConfiguration, subscribe, publish "logged in");
- ``pyscript``: PyScript started as client/boot.js starts it, running one line of Python;
- ``bare``: the interpreter alone (``loadPyodide`` / ``loadMicroPython``): the floor.

Each sample is a Chromium with a fresh profile showing one page twice: the first navigation is
cold, the second (after about:blank) warm: HTTP cache, and the compiled WebAssembly Chromium
keeps with it. Runs interleave the pages, so a busy moment on the machine hits all three
alike; "over bare" is the median of each run's difference from the bare page of the same
run, and ``metric`` ``ratio`` the median of each run's quotient (bench/ratios.py). Bytes are the frame's own requests that finished before ready, from Resource Timing:
bytes on the wire (headers included; the sandbox does not compress), raw bodies, and those
bodies gzipped (level 6) as a compressing CDN would send them. The UEF library comes from
Fusion's origin and is not counted.

Public names: PAGES, run, table, main.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import statistics
import tempfile
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from bench import browser
from bench.common import ROOT
from bench.common import Row
from bench.common import subject_main
from bench.common import summarize

PAGES = ("toolbar", "pyscript", "bare")
from sandbox.config import INTERPRETERS

CACHES = ("cold", "warm")
RUNS = 7
_PAGES_DIR = Path(__file__).parent / "pages"


@dataclass(frozen=True)
class Sample:
    """One navigation: its times (ms) and the toolbar-origin requests done before ready."""

    ready_ms: float  # host navigation start -> frame ready
    frame_ms: float  # frame navigation start -> frame ready
    resources: list[dict[str, Any]]


def run(quick: bool) -> Iterator[Row]:
    """Measure every page on every interpreter, cold and warm; yield the summary rows."""
    samples: dict[tuple[str, str, str], list[Sample]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as pages:
        _write_pages(Path(pages))
        with browser.sandbox(test_pages=Path(pages)) as live:
            for turn in range(1 if quick else RUNS):
                for interpreter in INTERPRETERS:
                    # Each run starts with another page: none always goes first.
                    shift = turn % len(PAGES)
                    for page in PAGES[shift:] + PAGES[:shift]:
                        with browser.chromium() as driver:
                            for cache in CACHES:
                                sample = _measure(driver, live, page, interpreter)
                                samples[page, interpreter, cache].append(sample)
            rows = list(_rows(samples))  # while the sandbox runs: gzip sizes fetch its files
    yield from rows


def table(rows: list[Row]) -> str:
    """The README's start-up table."""
    lines = [
        (
            "| interpreter | cache | page | ready, median | p95 | runs | in frame, median "
            "| over bare, median | requests | on the wire | raw | gzip |"
        ),
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    found = {
        (row["page"], row["interpreter"], row["cache"], row["metric"]): row
        for row in rows
        if row["bench"] == "startup"
    }
    for interpreter in INTERPRETERS:
        for cache in CACHES:
            for page in PAGES:
                ready = found.get((page, interpreter, cache, "ready_ms"))
                if ready is None:
                    continue
                frame = found[page, interpreter, cache, "frame_ready_ms"]
                size = found[page, interpreter, cache, "bytes"]
                over = found.get((page, interpreter, cache, "over_bare_ms"))
                over_text = f"{over['median']:+.0f} ms" if over else "—"
                lines.append(
                    f"| {interpreter} | {cache} | {page} | {ready['median']:.0f} ms "
                    f"| {ready['p95']:.0f} ms | {ready['n']} | {frame['median']:.0f} ms "
                    f"| {over_text} | {size['requests']} "
                    f"| {_kib(size['transfer'])} | {_kib(size['raw'])} | {_kib(size['gzip'])} |"
                )
    return "\n".join(lines)


def main() -> None:
    subject_main(run, __doc__.splitlines()[0])


def _measure(driver: WebDriver, live: browser.Sandbox, page: str, interpreter: str) -> Sample:
    query = f"interpreter={interpreter}"
    if page != "toolbar":
        query += f"&toolbar=/sandbox/test-pages/{page}.html"
    browser.open_host(driver, live, query)
    frame = browser.marks(driver)
    browser.in_host(driver)
    host = browser.marks(driver)
    ready = min(at for name, at in frame["marks"] if name == "bench:ready")
    mine = [
        entry
        for entry in frame["resources"]
        if entry["url"].startswith(live.toolbar_origin) and entry["end"] <= ready
    ]
    return Sample(ready - host["timeOrigin"], ready - frame["timeOrigin"], mine)


def _rows(samples: dict[tuple[str, str, str], list[Sample]]) -> Iterator[Row]:
    for (page, interpreter, cache), runs in samples.items():
        key = {"bench": "startup", "page": page, "interpreter": interpreter, "cache": cache}
        yield {**key, "metric": "ready_ms", **summarize([s.ready_ms for s in runs])}
        yield {**key, "metric": "frame_ready_ms", **summarize([s.frame_ms for s in runs])}
        if page != "bare":
            floor = samples["bare", interpreter, cache]
            pairs = list(zip(runs, floor, strict=True))
            yield {**key, "metric": "over_bare_ms",
                   **summarize([s.ready_ms - bare.ready_ms for s, bare in pairs])}
            yield {**key, "metric": "ratio",
                   **summarize([s.ready_ms / bare.ready_ms for s, bare in pairs], digits=2)}
        yield {**key, "metric": "bytes", **_bytes(runs)}


def _bytes(runs: list[Sample]) -> dict[str, int]:
    """Medians over runs of the request count and the byte counts (see the module docstring)."""

    def median(values: list[int]) -> int:
        return round(statistics.median(values))

    return {
        "requests": median([len(s.resources) for s in runs]),
        "transfer": median([sum(e["transfer"] for e in s.resources) for s in runs]),
        "raw": median([sum(e["decoded"] for e in s.resources) for s in runs]),
        "gzip": median([sum(_gzip_size(e["url"]) for e in s.resources) for s in runs]),
    }


@functools.cache
def _gzip_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return len(gzip.compress(response.read(), compresslevel=6))


def _write_pages(directory: Path) -> None:
    """Write the bare and pyscript pages, with the interpreter and PyScript paths of boot.js."""
    runtimes, pyscript = _boot_paths()
    for page in ("bare", "pyscript"):
        text = (_PAGES_DIR / f"{page}.html").read_text()
        text = text.replace("__RUNTIMES__", json.dumps(runtimes))
        text = text.replace("__PYSCRIPT__", json.dumps(pyscript))
        (directory / f"{page}.html").write_text(text)


def _boot_paths() -> tuple[dict[str, dict[str, str]], str]:
    """Read client/boot.js's RUNTIMES and PYSCRIPT, so the pages boot the toolbar's files."""
    source = (ROOT / "client" / "boot.js").read_text()
    pyscript = re.search(r'const PYSCRIPT = "([^"]+)";', source)
    runtimes = re.findall(r'(\w+): \{ type: "(\w+)", interpreter: "([^"]+)" \}', source)
    if pyscript is None or {name for name, _, _ in runtimes} != set(INTERPRETERS):
        raise RuntimeError("client/boot.js no longer declares PYSCRIPT and RUNTIMES as expected")
    paths = {name: {"type": kind, "interpreter": url} for name, kind, url in runtimes}
    return paths, pyscript.group(1)


def _kib(count: int) -> str:
    return f"{count / 1024:,.0f} KiB" if count >= 1024 else f"{count} B"


if __name__ == "__main__":
    main()
