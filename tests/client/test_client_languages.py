"""The toolbar's language, its catalogs, and the reasons' words.

Plain functions and assert: MicroPython runs them too (test_client_micropython).
"""

from catalogs import load
from catalogs import placeholders
from catalogs import use
from client_helpers import available_machine
from toolbar.core import effects as fx
from toolbar.core import messages
from toolbar.core import payloads
from toolbar.core.languages import candidates
from toolbar.core.languages import primary
from toolbar.core.languages import reason_labels
from toolbar.core.settings import DEFAULTS
from toolbar.core.toolbar import Toolbar


def test_languages_url_then_configuration_then_browser_then_english():
    """?lang= wins, then TOOLBAR_CONFIG.language, then navigator.languages, then English."""
    assert candidates("ja", "fr", ["de-DE"]) == ["ja", "fr", "de", "en"]
    assert candidates(None, "ja", ["en-US"]) == ["ja", "en"]
    assert candidates("", None, ["ja-JP", "en-GB", "ja"]) == ["ja", "en"]
    assert candidates(None, None, None) == ["en"]


def test_languages_only_letters_name_a_catalog():
    """A tag is reduced to its primary subtag; anything else names no file."""
    assert primary("ja_JP") == "ja" and primary(" EN-us ") == "en"
    for bad in ("../en", "j", "toolong", "e1", 5, None, "日本"):
        assert primary(bad) == "", bad
    assert candidates("../../etc/passwd", None, None) == ["en"]


def test_languages_japanese_uses_oracles_terms():
    """In Japanese the toolbar and Fusion read Oracle's own words: 使用可能 / 使用不可."""
    use("ja")
    toolbar = Toolbar(reasons=reason_labels(DEFAULTS["reasons"], "ja"))
    available_machine(toolbar.agent)
    model = toolbar.present()
    assert model["label"] == "使用可能" and model["status"] == "使用可能です。電話を受けられます。"
    assert dict(model["reasons"])["LUNCH"] == "昼食"
    stop = next(e for e in toolbar.choose_reason("LUNCH") if e.kind == fx.STOP_DEVICE)
    published = [e.fields for e in toolbar.device_stopped(stop.device)
                 if e.kind == fx.PUBLISH_AGENT_STATE]
    assert [(f["stateDisplayString"], f["reasonDisplayString"]) for f in published] == [
        ("使用不可。昼食", "昼食")]
    assert toolbar.present()["label"] == "使用不可"


def test_languages_reason_labels():
    """A reason's own label in the language wins, then the catalog's, then its English, then
    its code."""
    reasons = [{"code": "LUNCH", "label": {"ja": "ランチ"}}, {"code": "LUNCH2"},
               {"code": "COACHING", "label": {"en": "Coaching"}}]
    assert reason_labels(reasons, "ja") == [("LUNCH", "ランチ"), ("LUNCH2", "LUNCH2"),
                                            ("COACHING", "Coaching")]
    assert reason_labels(reasons, "en")[0] == ("LUNCH", "Lunch")


def test_languages_every_word_comes_through_the_catalog():
    """With a catalog whose every sentence is marked, every word the toolbar shows or sends
    Fusion on the way through start, a reason, a call and wrap-up carries the mark."""
    english = load("en")
    messages.install({key: "«" + key + "»" + "".join("{" + name + "}" for name in
                                                     placeholders(sentence))
                      for key, sentence in english.items()})
    toolbar = Toolbar(reasons=reason_labels([{"code": "BREAK"}], "en"), wrapup_seconds=5)
    shown = []

    def look(effects):
        model = toolbar.present()
        shown.extend([model["label"], model["status"]]
                     + [label for _, label in model["reasons"]]
                     + ([model["wrapup_left"]] if model["wrapup"] else []))
        for effect in effects:
            if effect.kind == fx.PUBLISH_AGENT_STATE:
                shown.extend([effect.fields["stateDisplayString"],
                              effect.fields["reasonDisplayString"]])
        return effects

    _, device = available_machine(toolbar.agent)
    look([])
    look(toolbar.call_incoming(device, "CA1", "+15557770001"))
    look(toolbar.comm_published("CA1", payloads.NEW_COMM_EVENT, {"eventId": "CA1"}))
    look(toolbar.toggle())
    look(toolbar.answer() + toolbar.call_accepted("CA1"))
    look(toolbar.hang_up())
    look(toolbar.call_incoming(device, "CA2", "+15557770002"))
    look(toolbar.choose_reason("BREAK"))
    look(toolbar.device_stopped(device) + toolbar.finish_wrapup())
    assert len(shown) > 20
    unmarked = [text for text in shown if not text.startswith("«")]
    assert unmarked == [], unmarked
