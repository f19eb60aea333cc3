"""Service-wide HTTP behaviour: CORS, security headers, proxies and the JSON error shape."""

import pytest

TOOLBAR_ORIGIN = "https://fusion.example.test"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PREFLIGHT = {"Origin": TOOLBAR_ORIGIN, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization"}  # fmt: skip


def _cors_headers(response) -> list[str]:
    return [name for name, _ in response.headers if name.startswith("Access-Control-")]


def test_cors_allowed_origin_can_read_the_token(client, idp):
    """The toolbar's origin gets Access-Control-Allow-Origin, and no credentials are offered."""
    response = client.get("/token", headers={**idp.bearer(), "Origin": TOOLBAR_ORIGIN})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == TOOLBAR_ORIGIN
    assert "Origin" in response.vary
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_allowed_origin_can_read_refusals(client):
    """A 401 also carries the CORS header, so the toolbar can show why it was refused."""
    response = client.get("/token", headers={"Origin": TOOLBAR_ORIGIN})

    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == TOOLBAR_ORIGIN


@pytest.mark.parametrize(
    "origin", ["https://evil.example.test", "https://fusion.example.test.evil.test", "null"]
)
def test_cors_other_origin_gets_no_cors_headers(client, idp, origin):
    """Any other origin gets no Access-Control-* headers, so its browser hides the answer."""
    response = client.get("/token", headers={**idp.bearer(), "Origin": origin})

    assert _cors_headers(response) == []
    assert "Origin" in response.vary


def test_cors_preflight_allows_get_with_authorization(client):
    """The preflight for the toolbar's fetch allows GET with an Authorization header."""
    response = client.options("/token", headers=PREFLIGHT)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == TOOLBAR_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_cors_preflight_from_other_origin_is_not_allowed(client):
    """A preflight from another origin gets no Access-Control-* headers."""
    response = client.options("/token", headers={**PREFLIGHT, "Origin": "https://evil.test"})

    assert _cors_headers(response) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("GET", "/token"), ("POST", "/voice"), ("GET", "/nowhere"),
     ("DELETE", "/token")],
)  # fmt: skip
def test_headers_security_set_on_every_response(client, method, path):
    """Every answer, errors included, carries the security headers and no HSTS over http."""
    response = client.open(path, method=method)

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "Strict-Transport-Security" not in response.headers


def test_headers_hsts_sent_over_https(client):
    """Over https the answer also pins https with Strict-Transport-Security."""
    response = client.get("/healthz", base_url="https://toolbar.example.test")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_trusted_forwarded_proto_turns_on_hsts(make_app):
    """Behind one trusted proxy, the proxy's X-Forwarded-Proto: https turns on HSTS."""
    client = make_app(TOOLBAR_TRUSTED_PROXIES="1").test_client()

    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https",
                                               "X-Forwarded-For": "203.0.113.9"})  # fmt: skip

    assert "Strict-Transport-Security" in response.headers


def test_proxy_headers_ignored_without_trusted_proxies(client):
    """With no trusted proxy, a client cannot claim https (or an address) by header."""
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})

    assert "Strict-Transport-Security" not in response.headers


def test_health_reports_ok(client):
    """/healthz answers {"status": "ok"}."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_errors_unknown_path_is_json_404(client, assert_error):
    """An unknown path gets the JSON error shape, not an HTML page."""
    assert_error(client.get("/admin"), 404, "not_found")


def test_errors_wrong_method_is_json_405_with_allow(client, assert_error):
    """A wrong method gets a JSON 405 that still lists the allowed methods."""
    response = client.post("/token")

    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_errors_oversized_body_is_json_413(client, assert_error):
    """A body past the size limit is refused before it is read, in the same shape."""
    response = client.post("/voice", data={"To": "x" * 100_000},
                           headers={"X-Twilio-Signature": "x"})  # fmt: skip

    assert_error(response, 413, "request_entity_too_large")


def test_errors_unexpected_exception_is_json_500_without_details(app, assert_error, caplog):
    """A bug answers a generic JSON 500 (no traceback, no message) and is logged."""

    def broken() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", view_func=broken)
    app.testing = False  # let Flask handle the exception as it would in production

    response = app.test_client().get("/broken")

    error = assert_error(response, 500, "internal_server_error")
    assert "secret internals" not in error["message"]
    assert "secret internals" in caplog.text
