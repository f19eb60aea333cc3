"""Netlify's signed proxy: with TOOLBAR_PROXY_SIGNING_SECRET, only the proxy is served.

The service's URL is public (Netlify's proxy needs one), so anyone can reach it directly and
send their own X-Forwarded-For. Netlify's signed proxy redirects (``signed = "<variable>"`` on
``/api/*`` in netlify.toml) add ``X-Nf-Sign`` to every proxied request: a JWS signed with HS256
by the secret in that Netlify environment variable, with ``iss: "netlify"`` and an ``exp`` five
minutes on (docs/deploy.md, "Netlify"). SignedProxy checks it before anything reads the request:

* valid: X-Forwarded-For/-Proto are believed (ProxyFix, as many hops as TOOLBAR_TRUSTED_PROXIES,
  at least the one proxy that signed);
* missing or invalid: the request is answered 403 invalid_proxy_signature in the JSON error
  shape, its forwarded headers ignored, except /healthz, which stays open for load balancers
  and reveals nothing.

Public names: SignedProxy, init_app.
"""

from collections.abc import Callable
from collections.abc import Iterable

import jwt
from flask import Flask
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from server.errors import Forbidden

_PROBLEM = "toolbar.proxy_signature_problem"  # the WSGI environ key SignedProxy sets
_ISSUER = "netlify"
_LEEWAY = 30  # seconds of clock skew between Netlify and this service
_OPEN_ENDPOINTS = frozenset({"health.healthz"})

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class SignedProxy:
    """WSGI middleware: trusts forwarded headers only on requests Netlify signed."""

    def __init__(self, app: WsgiApp, secret: str, hops: int) -> None:
        self._direct = app
        self._proxied = ProxyFix(app, x_for=hops, x_proto=hops)
        self._secret = secret

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        problem = self._problem(environ.get("HTTP_X_NF_SIGN"))
        environ[_PROBLEM] = problem
        app = self._direct if problem else self._proxied
        return app(environ, start_response)

    def _problem(self, signature: str | None) -> str | None:
        """Return why signature does not prove the request came through the proxy, or None."""
        if not signature:
            return "request did not come through the signed proxy (no X-Nf-Sign)"
        try:
            jwt.decode(
                signature,
                self._secret,
                algorithms=["HS256"],
                issuer=_ISSUER,
                leeway=_LEEWAY,
                options={"require": ["exp", "iss"]},
            )
        except jwt.PyJWTError:
            return "X-Nf-Sign does not verify"
        return None


def init_app(app: Flask, secret: str, trusted_proxies: int) -> None:
    """Serve app only through Netlify's signed proxy (see the module docstring)."""
    app.wsgi_app = SignedProxy(app.wsgi_app, secret, max(1, trusted_proxies))  # type: ignore[method-assign]

    @app.before_request
    def _refuse_unsigned() -> None:
        problem = request.environ.get(_PROBLEM)
        if problem and request.endpoint not in _OPEN_ENDPOINTS:
            raise Forbidden("invalid_proxy_signature", problem)
