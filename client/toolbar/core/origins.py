"""Which pages may frame the toolbar: Fusion's origins, pinned (``fusionOrigins``).

Browser-free. The toolbar obeys the page that frames it (UEF's postMessage goes to
``oraParentFrame``), so it starts only when that origin, and the framing page's own origin
where the browser tells it (``location.ancestorOrigins[0]``), is allowed. A pattern is an exact
origin (``https://acme.fa.ocs.oraclecloud.com``) or ``https://*.`` and a domain, which allows
any host under that domain, at any depth, but not the domain itself (as CSP's
frame-ancestors reads it). Host names compare without case.

Public names: origin_allowed, framing_refusal.
"""

_WILDCARD = "*."


def origin_allowed(origin, patterns) -> bool:
    """Whether ``origin`` (scheme://host[:port], nothing more) matches one of ``patterns``."""
    origin = _origin(origin)
    if origin is None:
        return False
    for pattern in patterns:
        pattern = _normal(pattern)
        if origin == pattern:
            return True
        scheme, sep, rest = pattern.partition("://")
        if sep and rest.startswith(_WILDCARD):
            prefix = scheme + "://"
            host = origin[len(prefix):] if origin.startswith(prefix) else ""
            domain = rest[len(_WILDCARD) - 1:]  # ".oraclecloud.com"
            if len(host) > len(domain) and host.endswith(domain):
                return True
    return False


def framing_refusal(parent, ancestor, patterns):
    """Why the toolbar must not start in this frame, or None: the origin at fault.

    ``parent`` is the ``oraParentFrame`` query parameter (None when missing), ``ancestor`` the
    browser's ``location.ancestorOrigins[0]`` (None where the browser has no such list).
    """
    if not parent:
        return "no oraParentFrame"
    if not origin_allowed(parent, patterns):
        return parent
    if ancestor is not None and not origin_allowed(ancestor, patterns):
        return ancestor
    return None


def _normal(text) -> str:
    text = str(text).strip().lower()
    return text[:-1] if text.endswith("/") else text  # noqa: FURB188 - MicroPython has no removesuffix


def _origin(text):
    """``text`` lower-cased if it is an origin (a scheme, "://", a host, no path), else None."""
    if not isinstance(text, str):
        return None
    text = text.lower()
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme or not rest:
        return None
    for char in "/?#@\\ ":
        if char in rest:
            return None
    return text
