"""netlify.toml: valid for Netlify, and the headers the toolbar needs, no looser.

Netlify's own parser (``@netlify/config``, a pinned devDependency) runs offline. It exits 0
even when it drops a bad ``[[headers]]`` or ``[[redirects]]`` entry and only prints a
warning, so the check also fails on any warning and on any entry missing from its result.
The browser tests then run the toolbar under these very headers (sandbox/headers.py).
"""

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NETLIFY_TOML = ROOT / "netlify.toml"
NETLIFY_CONFIG = ROOT / "node_modules" / ".bin" / "netlify-config"


def _netlify_config(config_path: Path) -> tuple[dict, str]:
    """Run Netlify's parser on ``config_path``; return (its resolved config, its stderr)."""
    if shutil.which("node") is None or not NETLIFY_CONFIG.exists():
        pytest.fail("needs node and node_modules (make setup)")
    completed = subprocess.run(
        [str(NETLIFY_CONFIG), "--config", str(config_path), "--offline", "--stable"],
        cwd=config_path.parent, capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)["config"], completed.stderr


def _problems(config_path: Path) -> list[str]:
    """Everything Netlify's parser complains about or silently drops."""
    declared = tomllib.loads(config_path.read_text())
    resolved, stderr = _netlify_config(config_path)
    problems = [line for line in stderr.splitlines() if "warning" in line.lower()]
    for section in ("headers", "redirects"):
        if len(resolved.get(section, [])) != len(declared.get(section, [])):
            problems.append(f"Netlify dropped some [[{section}]]")
    return problems


@pytest.fixture(scope="module")
def headers() -> dict[str, str]:
    """The headers netlify.toml gives the toolbar page."""
    config = tomllib.loads(NETLIFY_TOML.read_text())
    rules = [rule for rule in config["headers"] if rule["for"] == "/*"]
    assert len(rules) == 1
    return rules[0]["values"]


def _csp(headers: dict[str, str]) -> dict[str, list[str]]:
    directives = {}
    for directive in headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def test_netlify_config_is_valid():
    """Netlify's parser accepts the file with no warning and keeps every entry."""
    assert _problems(NETLIFY_TOML) == []


def test_netlify_check_catches_dropped_entries(tmp_path):
    """The check above fails on what Netlify only warns about (a header without 'for')."""
    broken = tmp_path / "netlify.toml"
    broken.write_text('[build]\n  publish = "client"\n[[headers]]\n  [headers.values]\n'
                      '    X-Test = "1"\n')
    assert _problems(broken)


def test_netlify_build_publishes_the_client_with_its_assets():
    config = tomllib.loads(NETLIFY_TOML.read_text())
    assert config["build"]["publish"] == "client"
    assert config["build"]["command"].startswith("npm ci")  # the same set-up step as make setup
    vendor = [rule for rule in config["headers"] if rule["for"] == "/vendor/*"]
    assert vendor[0]["values"]["Cache-Control"] == "public, max-age=31536000, immutable"


def test_netlify_proxies_the_token_service():
    (redirect,) = tomllib.loads(NETLIFY_TOML.read_text())["redirects"]
    assert redirect["from"] == "/api/*" and redirect["to"].endswith("/:splat")
    assert redirect["status"] == 200 and redirect["force"] is True


def test_netlify_signs_what_it_proxies():
    """The proxy signs every request (X-Nf-Sign) with the secret the service checks it against,
    and Netlify's own parser keeps the setting."""
    resolved, _ = _netlify_config(NETLIFY_TOML)
    (redirect,) = resolved["redirects"]
    assert redirect["signed"] == "TOOLBAR_PROXY_SIGNING_SECRET"


def test_netlify_csp_allows_what_the_toolbar_needs(headers):
    csp = _csp(headers)
    assert "'unsafe-eval'" in csp["script-src"]  # PyScript core
    assert "'wasm-unsafe-eval'" in csp["script-src"]
    assert "https://static.oracle.com" in csp["script-src"]  # UEF
    assert "wss://voice-js.roaming.twilio.com" in csp["connect-src"]
    assert csp["frame-ancestors"] and "'none'" not in csp["frame-ancestors"]
    assert "'self'" not in csp["frame-ancestors"]  # Fusion embeds it cross-origin


def test_netlify_csp_is_no_looser(headers):
    csp = _csp(headers)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    for directive, sources in csp.items():
        assert "*" not in sources and "https:" not in sources, directive
        assert "'unsafe-inline'" not in sources, directive
    assert not any("sdk.twilio.com" in source for sources in csp.values() for source in sources)
    assert "worker-src" not in csp


def test_netlify_other_headers(headers):
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "microphone=(self)" in headers["Permissions-Policy"]
    assert not any(name.lower() == "x-frame-options" for name in headers)
