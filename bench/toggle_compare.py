"""Click-to-available of two trees, back to back in one run: the tree before and this one.

The tree at git REF (default: where this branch left main) is exported to a temporary
folder, with this tree's vendored assets (the same package-lock.json), and its own sandbox
serves its own client, beside this tree's sandbox. Both get bench/toggle.py's toggles, on
each interpreter, in alternating blocks in the same browser, so the two columns differ
only by the code. Rows as bench/toggle.py's totals, with ``tree`` added.

Usage: ``python -m bench.toggle_compare [--before REF] [--toggles N]``.

Public names: run, main.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from bench import browser
from bench.common import ROOT
from bench.common import Row
from bench.common import emit
from bench.common import note
from bench.common import summarize
from bench.crossings import base
from bench.crossings import export
from bench.crossings import git
from bench.toggle import INTERPRETERS
from bench.toggle import STEPS
from bench.toggle import clear_marks
from bench.toggle import toggle_once


def run(before_ref: str, toggles: int, rounds: int = 5) -> Iterator[Row]:
    """Toggle ``toggles`` times each way on each interpreter and tree, in ``rounds``
    alternating blocks (before, after, before…), so a load that comes and goes on the
    machine weighs on both trees alike."""
    durations: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        before = export(before_ref, Path(folder))
        (before / "client" / "vendor").symlink_to(ROOT / "client" / "vendor")
        names = ("before " + git("rev-parse", "--short", before_ref), "after")
        with (browser.sandbox(root=before) as old, browser.sandbox() as new,
              browser.chromium() as driver):
            for interpreter in INTERPRETERS:
                for block in range(rounds):
                    for tree, live in zip(names, (old, new)):
                        browser.open_host(driver, live, f"interpreter={interpreter}")
                        clear_marks(driver)
                        for _ in range(toggles // rounds + (block < toggles % rounds)):
                            for direction in STEPS:
                                total = toggle_once(driver, live, direction)["total"]
                                durations[tree, interpreter, direction].append(total)
    for (tree, interpreter, direction), values in durations.items():
        yield {"bench": "toggle", "tree": tree, "interpreter": interpreter,
               "direction": direction, "step": "total", "metric": "ms", **summarize(values)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.toggle_compare",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="git ref of the tree before (default: the merge base "
                        "of HEAD and main)")
    parser.add_argument("--toggles", type=int, default=30, help="toggles each way (30)")
    arguments = parser.parse_args()
    for row in run(arguments.before or base(), arguments.toggles):
        emit(row)
        note(f"{row['tree']:>16} {row['interpreter']:>11} to {row['direction']:<11} "
             f"median {row['median']} ms (p95 {row['p95']})")


if __name__ == "__main__":
    main()
