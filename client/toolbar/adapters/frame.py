"""Who frames the toolbar: what the browser says about the page around it.

Read once at start-up, for the core's check against ``fusionOrigins``
(toolbar/core/origins.py): ``oraParentFrame``, the origin Fusion appends to the toolbar's
URL and UEF posts to, and ``location.ancestorOrigins[0]``, the framing page's real origin,
where the browser has that list (Chromium and Safari do; Firefox does not).

Public names: framing.
"""

from toolbar.adapters import ffi


def framing():
    """Return ``(oraParentFrame or None, ancestorOrigins[0] or None)``."""
    location = ffi.get(ffi.window, "location")
    params = ffi.construct_now(ffi.window, "URLSearchParams", str(ffi.get(location, "search") or ""))
    parent = ffi.call_now(params, "get", "oraParentFrame")
    ancestors = ffi.get(location, "ancestorOrigins")
    ancestor = None
    if ancestors is not None and int(ffi.get(ancestors, "length") or 0) > 0:
        ancestor = str(ffi.call_now(ancestors, "item", 0))
    return (None if parent is None else str(parent)), ancestor
