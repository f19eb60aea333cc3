"""Click-to-available of two trees, back to back in one run: the tree before and this one.

The tree at git REF (default: where this branch left main) is exported to a temporary
folder, with this tree's vendored assets (the same package-lock.json), and its own sandbox
serves its own client; then this tree's. Each gets bench/toggle.py's toggles, on each
interpreter, in the same browser and the same run, so the two columns differ only by the
code. Rows as bench/toggle.py's, with ``tree`` added.

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


def run(before_ref: str, toggles: int) -> Iterator[Row]:
    """Toggle ``toggles`` times each way on each interpreter, the tree before then this one."""
    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        before = export(before_ref, Path(folder))
        (before / "client" / "vendor").symlink_to(ROOT / "client" / "vendor")
        trees = (("before " + git("rev-parse", "--short", before_ref), before),
                 ("after", ROOT))
        with browser.chromium() as driver:
            for tree, root in trees:
                yield from _toggle_tree(driver, tree, root, toggles)


def _toggle_tree(driver, tree: str, root: Path, toggles: int) -> Iterator[Row]:
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    with browser.sandbox(root=root) as live:
        for interpreter in INTERPRETERS:
            browser.open_host(driver, live, f"interpreter={interpreter}")
            clear_marks(driver)
            for _ in range(toggles):
                for direction in STEPS:
                    steps = toggle_once(driver, live, direction)
                    durations[interpreter, direction].append(steps["total"])
    for (interpreter, direction), values in durations.items():
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
