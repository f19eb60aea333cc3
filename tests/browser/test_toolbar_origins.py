"""fusionOrigins: framed with an oraParentFrame it does not list, the toolbar refuses to start.

The sandbox's config.js allows only the host simulator's origin. A test page on that origin
frames the real toolbar (netlify.toml's frame-ancestors lets it) but names the sandbox's other
loopback name as oraParentFrame, as a page impersonating another tenant's pod would.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.browser.conftest import Toolbar
from tests.live import holds_for

pytestmark = pytest.mark.browser
PAGE = "/sandbox/test-pages/foreign-frame.html"


def test_toolbar_refuses_an_unlisted_fusion_origin(browser, sandbox, interpreter):
    """#status says why (data-failure fusion-origin); the toolbar never becomes ready and
    posts nothing to the page around it."""
    unlisted = sandbox.toolbar_origin  # the other loopback name: not in fusionOrigins
    frame_url = f"{sandbox.toolbar_origin}/toolbar/?" + urlencode(
        {"oraParentFrame": unlisted, "oraTbName": "TWILIO_SOFTPHONE", "interpreter": interpreter})
    browser.driver.get(sandbox.url(PAGE + "?" + urlencode({"toolbar": frame_url})))
    page = Toolbar(browser, sandbox, interpreter)
    state = page.wait(lambda s: s["failure"] == "fusion-origin", "the toolbar to refuse")
    assert state["phase"] == "error" and state["tone"] == "error" and not state["ready"], state
    assert "not one of your Fusion sites" in state["status"] and unlisted in state["status"]
    assert state["python"] in ("cpython", "micropython")

    def nothing_happens() -> None:
        assert browser.driver.execute_script("return window.received") == []
        assert page.state()["failure"] == "fusion-origin"
    holds_for(nothing_happens, 2, changes=page.host_changes)
