"""The core's and the Controller's tests again, under MicroPython: the interpreter the
toolbar may run on.

MicroPython lacks much of CPython (dataclasses, enum, most of typing...); the core must
import and behave the same on both. Runs the very MicroPython the toolbar ships
(client/vendor/, from npm) in Node.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_DIR = HERE.parents[1] / "client"
MICROPYTHON = CLIENT_DIR / "vendor" / "micropython-1.27.0" / "micropython.mjs"
# The framework-free core test modules (plain functions and assert).
CORE_TESTS = ("test_client_machine", "test_client_calls", "test_client_payloads",
              "test_client_messages", "test_client_settings", "test_client_presentation",
              "test_client_modules", "test_client_controller", "test_client_policy",
              "test_client_reasons", "test_client_languages")
TIMEOUT = 60 * float(os.environ.get("TEST_TIMEOUT_SCALE", "1"))


@pytest.fixture(scope="module")
def micropython_results():
    node = shutil.which("node")
    if node is None or not MICROPYTHON.exists():
        pytest.fail("needs node and the vendored MicroPython (make setup)")
    completed = subprocess.run(
        [node, str(HERE / "micropython_runner.mjs"), MICROPYTHON.as_uri(), str(CLIENT_DIR),
         str(HERE), *CORE_TESTS],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["implementation"] == "micropython"
    return report["results"]


@pytest.mark.parametrize("module", CORE_TESTS)
def test_client_core_passes_on_micropython(micropython_results, module):
    """Every test function of the module passes under MicroPython."""
    ran = [(test, error) for name, test, error in micropython_results if name == module]
    assert ran, "no test ran"
    failures = [test + "\n" + error for test, error in ran if error]
    assert not failures, "\n".join(failures)


def test_client_core_runs_every_test_on_micropython(micropython_results):
    """MicroPython ran as many tests as CPython collects in those modules."""
    expected = 0
    for module in CORE_TESTS:
        source = (HERE / (module + ".py")).read_text()
        expected += source.count("\ndef test_") + source.count("\nasync def test_")
    assert len(micropython_results) == expected
