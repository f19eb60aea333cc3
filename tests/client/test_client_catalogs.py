"""The message catalogs against the code and the page: no agent-facing word outside them.

CPython only (it reads sources with ast and the page with html.parser); the catalogs' keys
and placeholders are compared in test_client_languages, which MicroPython runs too.
"""

import ast
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from catalogs import placeholders
from toolbar.core.languages import primary

CLIENT = Path(__file__).resolve().parents[2] / "client"
LOCALES = CLIENT / "locales"
# What a message id looks like: the families of client/locales/en.json.
_MESSAGE_ID = re.compile(r"^(failure|detail|progress|call|call-error|dial-refused|label|fusion|"
                         r"reason|wrapup|page|button)\.[\w.-]+$")
# Text that is no word of any language: digits, signs, the ellipsis of a loading value.
_WORDLESS = re.compile(r"^[\s\d+*#:.…·-]*$")
# Technical details (shown in brackets after a sentence, for support) and developers'
# console lines are English by design: they name UEF operations, settings and HTTP codes.
_TECHNICAL = re.compile(r"(TOOLBAR_CONFIG|getConfiguration|faTrustToken|HTTP |Twilio |"
                        r"toolbar bug|Fusion refused |got no answer|defines no |"
                        r"no registered Device|no token in|the toolbar page has no|"
                        r"could not be read|did not load|unknown closeCommEvent|"
                        r"no reason given|dial check failed|token has expired|^\[data-)")
# The settings speak to administrators (the README's table, the detail of a configuration
# failure, after the catalog's sentence), in English like the README.
_FOR_ADMINISTRATORS = ("toolbar/core/settings.py",)


def _catalog(language):
    return json.loads((LOCALES / (language + ".json")).read_text())


def _python_files():
    return sorted((CLIENT / "toolbar").rglob("*.py"))


def _strings(path):
    """Every string constant of ``path`` that is not a docstring."""
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_catalogs_every_language_is_one_flat_file():
    """Each catalog is a flat JSON object of message id -> non-empty sentence, and English
    is there (the fallback)."""
    files = sorted(LOCALES.glob("*.json"))
    assert {"en", "ja"} <= {path.stem for path in files}
    for path in files:
        assert primary(path.stem) == path.stem, path.name  # the name a tag reads
        catalog = json.loads(path.read_text())
        assert isinstance(catalog, dict) and catalog, path.name
        for key, sentence in catalog.items():
            assert _MESSAGE_ID.match(key), (path.name, key)
            assert isinstance(sentence, str) and sentence.strip(), (path.name, key)


def test_catalogs_have_the_same_keys_and_placeholders():
    """Every catalog (a new file is checked as it lands) has English's keys, each sentence
    translated, with the same named placeholders."""
    english = _catalog("en")
    for path in sorted(LOCALES.glob("*.json")):
        catalog = json.loads(path.read_text())
        assert sorted(catalog) == sorted(english), path.name
        for key, sentence in english.items():
            assert placeholders(catalog[key]) == placeholders(sentence), (path.name, key)
            if path.stem != "en" and re.search("[a-z]{3}", sentence):
                assert catalog[key] != sentence, (path.name, key)  # left in English


def test_catalogs_every_message_the_code_names_exists():
    """Every message id written in the code, and every progress and call step it names,
    is in the catalogs."""
    english = _catalog("en")
    missing = []
    for path in _python_files():
        for node in _strings(path):
            if not _MESSAGE_ID.match(node.value):
                continue
            if node.value.endswith("."):  # a family's prefix, completed at run time
                exists = any(key.startswith(node.value) for key in english)
            else:
                exists = node.value in english
            if not exists:
                missing.append(path.name + ": " + node.value)
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                    "progress_status", "call_status") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                family = "progress." if node.func.id == "progress_status" else "call."
                if family + node.args[0].value not in english:
                    missing.append(path.name + ": " + family + node.args[0].value)
    assert missing == []


def test_catalogs_no_sentence_in_the_code():
    """No string in the core, the shell or the adapters reads like words for the agent
    (several words, or a capitalised one), but technical details and message ids."""
    found = []
    for path in _python_files():
        if path.relative_to(CLIENT).as_posix() in _FOR_ADMINISTRATORS:
            continue
        for node in _strings(path):
            text = node.value
            if _MESSAGE_ID.match(text) or _TECHNICAL.search(text) or _WORDLESS.match(text):
                continue
            words = re.findall(r"[A-Za-z]{2,}", text)
            sentence_like = len(words) >= 3 and " " in text.strip()
            if sentence_like:
                found.append(path.relative_to(CLIENT).as_posix() + ": " + repr(text))
    assert found == [], "\n".join(found)


class _Page(HTMLParser):
    """The page's words: text outside data-text elements, literal labels, message ids."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, whether its text comes from the catalog)
        self.literals = []
        self.keys = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attribute in ("data-text", "data-label", "data-title"):
            if attribute in attrs:
                self.keys.append(attrs[attribute])
        for attribute in ("aria-label", "title", "alt"):
            if attribute in attrs:
                self.literals.append(tag + "[" + attribute + "]=" + attrs[attribute])
        if "placeholder" in attrs and not _WORDLESS.match(attrs["placeholder"]):
            self.literals.append(tag + "[placeholder]=" + attrs["placeholder"])
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append((tag, "data-text" in attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [tag for tag, _ in self.stack]
        if any(tag in ("script", "style", "noscript") for tag in tags):
            return  # noscript: no JavaScript, no catalog; the page says so in English
        if not _WORDLESS.match(data) and not (self.stack and self.stack[-1][1]):
            self.literals.append(data.strip())


def test_catalogs_the_page_has_no_word_of_its_own():
    """client/index.html holds no text or label but through data-text/-label/-title, and
    each names a message of the catalogs."""
    page = _Page()
    page.feed((CLIENT / "index.html").read_text())
    assert page.literals == []
    english = _catalog("en")
    assert page.keys and [key for key in page.keys if key not in english] == []
