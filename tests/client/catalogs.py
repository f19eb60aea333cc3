"""The message catalogs of client/locales/, for the core's tests (MicroPython runs it too)."""

import json
import sys

from toolbar.core import messages


def load(language):
    """The catalog ``client/locales/<language>.json`` as a dict, found beside ``toolbar/``."""
    for folder in sys.path:
        try:
            with open(folder + "/locales/" + language + ".json") as file:
                return json.loads(file.read())
        except OSError:
            continue
    raise AssertionError("no catalog " + language)


def use(language):
    """Install ``language``'s catalog over English, as client/toolbar/app.py does."""
    english = load("en")
    messages.install(english if language == "en" else load(language), english)


def placeholders(sentence):
    """The named placeholders of ``sentence`` (``{number}``), sorted."""
    return sorted(part.split("}")[0] for part in sentence.split("{")[1:])
