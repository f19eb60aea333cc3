"""Fetch the message catalogs (``client/locales/<language>.json``) as static JSON.

No build step: a catalog is a file beside the page, fetched at start-up on either
interpreter. The core decides which languages to try (toolbar/core/languages.py); this
fetches them in that order and keeps the first that loads, with English beneath it for any
sentence a newer catalog lacks.

Public names: CatalogError, load_catalogs.
"""

from toolbar.adapters import ffi
from toolbar.core.languages import DEFAULT


class CatalogError(Exception):
    """Not even the English catalog could be read: there are no words to show."""


async def load_catalogs(candidates: list, timeout_ms: int) -> tuple:
    """Return ``(language, catalog, english)``: the first of ``candidates`` whose catalog
    loads, its sentences, and English's.

    Raises:
        CatalogError: the English catalog could not be read.
    """
    english = _fetch(DEFAULT, timeout_ms)  # under way while the preferred one loads
    for language in candidates:
        if language == DEFAULT:
            break
        catalog = await _read(_fetch(language, timeout_ms))
        if catalog is not None:
            return language, catalog, await _english(english)
    sentences = await _english(english)
    return DEFAULT, sentences, sentences


def _fetch(language, timeout_ms):
    # no-cache: a catalog changed by a deployment is revalidated, not read stale.
    return ffi.begin(ffi.window, "fetch", "./locales/" + language + ".json",
                     ffi.js_object({"cache": "no-cache"}), timeout_ms=timeout_ms,
                     timeout_message="the catalog " + language + " did not load")


async def _read(pending):
    """The catalog a fetch answered (a dict of strings), or None."""
    try:
        response = await pending
        if not ffi.get(response, "ok"):
            return None
        catalog = ffi.to_py(await ffi.call(response, "json"))
    except ffi.JsError:
        return None
    if not isinstance(catalog, dict):
        return None
    return {key: value for key, value in catalog.items() if isinstance(value, str)}


async def _english(pending):
    catalog = await _read(pending)
    if not catalog:
        raise CatalogError("client/locales/" + DEFAULT + ".json could not be read")
    return catalog
