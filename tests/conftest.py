"""Fixtures shared by every test: a live sandbox and a headless Chromium (see tests/live.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.live import Browser
from tests.live import LiveSandbox
from tests.live import chrome_options
from tests.live import count_page_changes
from tests.live import run_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[LiveSandbox]:
    """One sandbox for the session; tests leave no call or fault behind."""
    with run_sandbox() as live:
        yield live


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    driver = webdriver.Chrome(options=chrome_options(), service=Service("/usr/bin/chromedriver"))
    count_page_changes(driver)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: WebDriver) -> Iterator[Browser]:
    """The session's Chromium, checked after the test: no SEVERE entries, nothing off loopback."""
    session = Browser(chromium)
    session.check_logs()  # drop what earlier tests left
    yield session
    # Leaving the page closes its sockets, so the emulator forgets this test's agent.
    chromium.get("about:blank")
    problems = session.check_logs()
    assert not problems, "\n".join(problems)
