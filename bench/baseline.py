"""The JavaScript baseline: Oracle's tutorial availability flow in plain JS, as a test page.

bench/pages/js-toolbar.html is what a Fusion toolbar written the way Oracle's Twilio
tutorial writes it does on a click (its vendorHandler and fusionHandler, no framework): fetch
``/api/token`` with the faTrustToken, ``new Twilio.Device`` with the toolbar's own options
(the same sounds, codecs and signaling), ``register()``, and on ``registered`` publish
``agentStateEventOperation``; it answers Fusion's ``makeAvailable``,
``makeUnavailable`` and ``getCurrentAgentState``. It is embedded in the host simulator
like the toolbar (``?toolbar=/sandbox/test-pages/js-toolbar.html``), so the benchmarks measure
both in the same browser, against the same sandbox, and report the toolbar's figures as
ratios to it.

Public names: PAGE, QUERY, pages.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.common import ROOT
from sandbox.config import client_settings

PAGE = "js-toolbar.html"
QUERY = f"toolbar=/sandbox/test-pages/{PAGE}"
_SOURCE = Path(__file__).parent / "pages" / PAGE


@contextlib.contextmanager
def pages() -> Iterator[Path]:
    """A temporary folder holding the baseline page, for ``browser.sandbox(test_pages=…)``."""
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as folder:
        directory = Path(folder)
        text = _SOURCE.read_text().replace("__TWILIO_SDK__", _sdk_path())
        text = text.replace("__SOUNDS__", json.dumps(client_settings().sound_urls("/toolbar/sounds/")))
        (directory / PAGE).write_text(text)
        yield directory


def _sdk_path() -> str:
    """The Voice SDK the toolbar's page loads (client/index.html), on the toolbar origin."""
    found = re.search(r'<script src="\./(vendor/twilio-[^"]+/twilio\.min\.js)"',
                      (ROOT / "client" / "index.html").read_text())
    if found is None:
        raise RuntimeError("client/index.html no longer loads the Voice SDK as expected")
    return "/toolbar/" + found.group(1)
