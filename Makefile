# Every target does its own set-up: a fresh clone needs only `make run` or `make test`.
# Targets: run, test, test-fast, lint, bench, setup, clean (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help setup browser redis run lint test test-fast bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(VENV)/.installed client/vendor/.installed  ## Python venv and the vendored browser assets

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

client/vendor/.installed: package.json package-lock.json scripts/vendor-assets.mjs
	npm ci --no-audit --no-fund
	touch $@

browser:  ## Debian's Chromium and ChromeDriver, for the browser tests
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver)

redis:  ## Debian's redis-server, for the tests of limits shared across processes
	@command -v redis-server >/dev/null || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y redis-server)

run: setup  ## The whole sandbox on http://127.0.0.1:8000, no accounts needed
	$(PY) -m sandbox

lint: setup  ## ruff (pinned in requirements.lock) over the whole tree
	$(VENV)/bin/ruff check .

test: setup browser redis lint  ## Lint, then every test, browser tests included
	$(PY) -m pytest

test-fast: setup redis  ## The tests that need no browser
	$(PY) -m pytest -m "not browser"

bench: setup browser  ## The benchmarks in bench/ (see bench/README.md)
	@command -v wrk >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y wrk)
	$(PY) -m bench

clean:  ## Remove the venv, node_modules and vendored assets
	rm -rf $(VENV) node_modules client/vendor
