"""The benchmarks' ratio table and baseline page: what bench/README.md leads with is laid out
from the kept rows, and the plain-JS baseline loads the toolbar's own SDK and sounds."""

import re

from bench import baseline
from bench import ratios
from bench.common import ROOT
from sandbox.config import client_settings

MACHINE = {"bench": "machine", "date": "2026-12-04 17:00 UTC", "commit": "abc1234",
           "load_average": [1.5, 1.0, 0.5]}


def test_each_ratio_is_shown_against_its_goal_with_the_run_it_comes_from() -> None:
    results = {"startup": [MACHINE, {"bench": "startup", "page": "toolbar", "cache": "warm",
                                     "interpreter": "pyodide", "metric": "ratio", "median": 1.17},
                           {"bench": "startup", "page": "toolbar", "cache": "warm",
                            "interpreter": "micropython", "metric": "ratio", "median": 1.2}]}

    table = ratios.table(results)

    warm = next(line for line in table.splitlines() if "toolbar ready" in line and "warm" in line)
    assert "1.17 (missed: ≤ 1.10)" in warm
    assert "1.20 (met: ≤ 1.25)" in warm
    assert "2026-12-04 17:00 UTC, abc1234, load 1.5" in warm
    toggle = next(line for line in table.splitlines() if "click → Fusion available" in line)
    assert "not measured" in toggle


def test_the_baseline_page_loads_the_toolbars_sdk_and_sounds() -> None:
    with baseline.pages() as folder:
        page = (folder / baseline.PAGE).read_text()

    assert "__SOUNDS__" not in page and "__TWILIO_SDK__" not in page
    sdk = re.search(r'<script src="/toolbar/(vendor/twilio-[^"]+)"', page)
    assert sdk is not None
    assert (ROOT / "client" / sdk.group(1)).is_file()
    for url in client_settings().sound_urls("/toolbar/sounds/").values():
        assert url in page
