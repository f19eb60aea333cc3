"""Entry points: ``python -m server``, ``server.wsgi`` and gunicorn, run as real processes.

A configuration error must print exactly one line, ``config error: NAME: problem``, to stderr
and exit with status 2; no traceback.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BAD_JWKS_LINE = "config error: TOOLBAR_JWKS_URL: must be an https:// or file:// URL\n"
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "--preload",
    "--workers",
    "1",
    "--bind",
    "127.0.0.1:0",
]


def _run(command: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only PATH from our own environment: the child must not see a developer's settings.
    env = {"PATH": os.environ["PATH"], **environ}
    return subprocess.run(
        command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "server"],
        [sys.executable, "-c", "import server.wsgi"],
        [*GUNICORN, "server.wsgi:app"],
    ],
    ids=["python-m-server", "wsgi-import", "gunicorn"],
)
def test_entry_malformed_setting_prints_one_line_and_exits_2(environ, command):
    """Each entry point reports a malformed setting in one stderr line and exits with 2."""
    environ["TOOLBAR_JWKS_URL"] = "http://idp.example.test/jwks.json"

    result = _run(command, environ)

    assert result.returncode == 2
    assert result.stderr == BAD_JWKS_LINE
    assert result.stdout == ""


def test_entry_missing_setting_names_it(environ):
    """A missing setting is named the same way."""
    del environ["TWILIO_AUTH_TOKEN"]

    result = _run([sys.executable, "-m", "server"], environ)

    assert (result.returncode, result.stderr) == (
        2,
        "config error: TWILIO_AUTH_TOKEN: must be set\n",
    )


def test_entry_settings_table_needs_no_environment():
    """``python -m server --settings-table`` prints the README table without any settings."""
    result = _run([sys.executable, "-m", "server", "--settings-table"], {})

    assert result.returncode == 0
    assert result.stdout.startswith("| Name | Required | Default | Meaning |\n")
    assert "| `TOOLBAR_JWKS_URL` | yes |" in result.stdout


@pytest.fixture
def gunicorn(environ: dict[str, str]) -> Iterator[str]:
    """A gunicorn serving server.wsgi:app on a free port; yields its base URL."""
    env = {"PATH": os.environ["PATH"], **environ}
    process = subprocess.Popen([*GUNICORN, "server.wsgi:app"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        # gunicorn logs its real port once it listens; reading its log waits for that.
        for line in process.stderr:
            if match := re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line):
                yield match.group(1)
                break
        else:
            pytest.fail(f"gunicorn exited with {process.wait()} before listening")
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_entry_gunicorn_serves_tokens(gunicorn, idp):
    """Under gunicorn, /healthz answers and an agent gets a token."""
    health = requests.get(f"{gunicorn}/healthz", timeout=30)
    token = requests.get(f"{gunicorn}/token", headers=idp.bearer("alice"), timeout=30)

    assert health.json() == {"status": "ok"}
    assert token.status_code == 200
    assert token.json()["identity"] == "alice"
