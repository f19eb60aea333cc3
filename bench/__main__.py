"""``python -m bench``: run the benchmarks, print their rows, optionally refresh the README.

Usage: ``python -m bench [SUBJECT ...] [--quick] [--write-readme]``, SUBJECT among startup,
toggle, token, scale (default: all four, in that order; about 10 minutes).

Rows go to stdout as JSON lines, each subject's preceded by a ``machine`` row (date, commit,
load average), and are kept in bench/results/<subject>.jsonl. Each subject's Markdown table
goes to stderr. ``--write-readme`` puts this run's tables into bench/README.md, each between
its subject's markers, leaving the other subjects' tables as they were, and refreshes the
ratio table it leads with (bench/ratios.py) from the rows kept in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import re
from types import ModuleType

from bench import emulator_scale
from bench import ratios
from bench import startup
from bench import toggle
from bench import token_service
from bench.common import ROOT
from bench.common import Row
from bench.common import emit
from bench.common import machine
from bench.common import note

SUBJECTS: dict[str, ModuleType] = {
    "startup": startup,
    "toggle": toggle,
    "token": token_service,
    "scale": emulator_scale,
}
README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "subjects", nargs="*", metavar="SUBJECT", help=", ".join(SUBJECTS) + " (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs: check, don't measure")
    parser.add_argument(
        "--write-readme", action="store_true", help="put this run's tables into bench/README.md"
    )
    arguments = parser.parse_args()
    unknown = set(arguments.subjects) - set(SUBJECTS)
    if unknown:
        parser.error(f"unknown subject(s): {', '.join(sorted(unknown))}")
    RESULTS.mkdir(exist_ok=True)
    for name in arguments.subjects or SUBJECTS:
        block = _run(name, SUBJECTS[name], arguments.quick)
        note(block)
        if arguments.write_readme:
            _write_block(name, block)
    if arguments.write_readme:
        _write_block("ratios", ratios.table(_kept()))


def _kept() -> dict[str, list[Row]]:
    """Every subject's rows of its last run (bench/results/<subject>.jsonl)."""
    return {name: [json.loads(line) for line in path.read_text().splitlines()]
            for name in SUBJECTS if (path := RESULTS / f"{name}.jsonl").exists()}


def _run(name: str, subject: ModuleType, quick: bool) -> str:
    """Run one subject, emitting and saving its rows; return its README block."""
    before = emit(machine())
    rows: list[Row] = [emit(row) for row in subject.run(quick)]
    after = machine()
    (RESULTS / f"{name}.jsonl").write_text(
        "".join(json.dumps(row) + "\n" for row in [before, *rows])
    )
    loads = f"{before['load_average'][0]:.1f} → {after['load_average'][0]:.1f}"
    dirty = ", ".join(f"{folder}/" for folder in before["uncommitted"])
    commit = before["commit"] + (f" (with uncommitted changes in {dirty})" if dirty else "")
    return (
        f"Measured {before['date']} at commit {commit}; load average (1 min) "
        f"{loads}{' (--quick)' if quick else ''}.\n\n{subject.table(rows)}"
    )


def _write_block(name: str, block: str) -> None:
    """Replace the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``."""
    text = README.read_text()
    pattern = re.compile(rf"(<!-- bench:{name} -->\n)(?:.*?\n)?(<!-- /bench:{name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{README} has no <!-- bench:{name} --> markers")
    README.write_text(pattern.sub(lambda match: f"{match[1]}{block}\n{match[2]}", text))


if __name__ == "__main__":
    main()
