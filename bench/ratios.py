"""The ratio table bench/README.md leads with: each figure over its floor, from one run.

Absolute times differ threefold between machines; a ratio to a floor measured side by side
in the same run does not. The floors: the bare interpreter for start-up (bench/startup.py),
the same flow in plain JavaScript for click-to-available and Fusion's commands
(bench/toggle.py, bench/baseline.py). This module only reads the rows those subjects kept in
bench/results/ and lays them out; each row of the table says which run it comes from.

Public names: GOALS, table.
"""

from __future__ import annotations

from bench.common import Row
from sandbox.config import INTERPRETERS

# (figure, where its rows are, how to find them, the goal per interpreter), in the README's order.
GOALS: tuple[tuple[str, str, dict[str, str], dict[str, float]], ...] = (
    ("toolbar ready ÷ bare interpreter, warm", "startup",
     {"page": "toolbar", "cache": "warm"}, {"pyodide": 1.10, "micropython": 1.25}),
    ("toolbar ready ÷ bare interpreter, cold", "startup",
     {"page": "toolbar", "cache": "cold"}, {"pyodide": 1.10, "micropython": 1.25}),
    ("PyScript page ready ÷ bare interpreter, warm", "startup",
     {"page": "pyscript", "cache": "warm"}, {}),
    ("click → Fusion available ÷ plain JS", "toggle", {"direction": "available"},
     {"pyodide": 1.10, "micropython": 1.10}),
    ("click → Fusion unavailable ÷ plain JS", "toggle", {"direction": "unavailable"}, {}),
    ("makeAvailable → answer ÷ plain JS", "toggle", {"direction": "makeAvailable"},
     {"pyodide": 1.10, "micropython": 1.10}),
    ("getCurrentAgentState → answer ÷ plain JS", "toggle",
     {"direction": "getCurrentAgentState"}, {"pyodide": 1.10, "micropython": 1.10}),
)


def table(results: dict[str, list[Row]]) -> str:
    """The ratio table from each subject's kept rows (``results[subject]``, machine row first)."""
    lines = ["| figure | " + " | ".join(INTERPRETERS) + " | run |",
             "|---|" + "--:|" * len(INTERPRETERS) + "---|"]
    for figure, subject, match, goals in GOALS:
        rows = results.get(subject) or []
        cells = [_cell(rows, match, interpreter, goals.get(interpreter))
                 for interpreter in INTERPRETERS]
        lines.append(f"| {figure} | " + " | ".join(cells) + f" | {_run(rows)} |")
    return "\n".join(lines)


def _cell(rows: list[Row], match: dict[str, str], interpreter: str, goal: float | None) -> str:
    for row in rows:
        if (row.get("metric") == "ratio" and row.get("interpreter") == interpreter
                and all(row.get(key) == value for key, value in match.items())):
            ratio = row["median"]
            if goal is None:
                return f"{ratio:.2f}"
            return f"{ratio:.2f} ({'met' if ratio <= goal else 'missed'}: ≤ {goal:.2f})"
    return "—"


def _run(rows: list[Row]) -> str:
    machine = next((row for row in rows if row.get("bench") == "machine"), None)
    if machine is None:
        return "not measured"
    return (f"{machine['date']}, {machine['commit']}, load {machine['load_average'][0]:.1f}")
