"""Which language the toolbar speaks, and the agent's not-ready reasons in it.

Browser-free. Fusion tells a toolbar nothing of its user's language (docs/fusion-uef.md,
"Language"), so the toolbar takes, in order: ``?lang=`` on its URL (an administrator puts
it in Fusion's toolbar URL), ``TOOLBAR_CONFIG.language``, the browser's
``navigator.languages``, then English. A language is a catalog ``client/locales/<code>.json``
named by the tag's primary subtag (``ja-JP`` reads ``ja.json``); the shell tries the
candidates in order and keeps the first catalog it can load, so adding a language is adding
its file.

Public names: DEFAULT, candidates, primary, reason_labels.
"""

from toolbar.core import messages

DEFAULT = "en"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def primary(tag) -> str:
    """The primary subtag of language tag ``tag`` in lower case, or "" if it is not one.

    Only letters make a catalog's name: a ``?lang=`` of ``../x`` names no file.
    """
    if not isinstance(tag, str):
        return ""
    head = tag.strip().replace("_", "-").split("-")[0].lower()
    if not 2 <= len(head) <= 3 or any(char not in _LETTERS for char in head):
        return ""
    return head


def candidates(query, configured, browser) -> list:
    """The catalogs to try, most wanted first, each once, English last.

    Args:
        query: the ``lang`` parameter of the toolbar's URL (or None).
        configured: ``TOOLBAR_CONFIG.language`` (or None).
        browser: ``navigator.languages`` (a list of tags, or None).
    """
    tags = [query, configured] + (list(browser) if isinstance(browser, list) else [])
    found = []
    for tag in tags + [DEFAULT]:
        code = primary(tag)
        if code and code not in found:
            found.append(code)
    return found


def reason_labels(reasons, language: str) -> list:
    """``[(code, label), ...]`` of the configured ``reasons`` (settings' checked list) in
    ``language``: the reason's own label in that language, else the catalog's
    ``reason.<code>``, else its English label, else its code."""
    labels = []
    for reason in reasons:
        code = reason["code"]
        own = reason.get("label") or {}
        label = own.get(language)
        if not label:
            key = "reason." + code
            label = messages.text(key) if key in messages.SENTENCES else own.get(DEFAULT) or code
        labels.append((code, label))
    return labels
