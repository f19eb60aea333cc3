"""The core's security decisions: which frames may run the toolbar, when Fusion's token is
renewed, what the token service's dial check means (no pytest: MicroPython runs them too)."""

import binascii
import json

from toolbar.core import messages
from toolbar.core.errors import Failure
from toolbar.core.fusion_token import MIN_DELAY_MS
from toolbar.core.fusion_token import claims
from toolbar.core.fusion_token import renewal_delay_ms
from toolbar.core.origins import framing_refusal
from toolbar.core.origins import origin_allowed
from toolbar.core.refusals import FUSION_ERROR_CODES
from toolbar.core.tokens import dial_check_url
from toolbar.core.tokens import read_dial_check
from toolbar.core.tokens import read_token_response

PODS = ["https://*.oraclecloud.com", "https://acme.example.com:8443"]


def jwt(payload):
    """An unsigned JWT carrying ``payload`` (the toolbar never checks the signature)."""
    def segment(data):
        text = binascii.b2a_base64(json.dumps(data).encode()).decode().strip()
        return text.replace("+", "-").replace("/", "_").replace("=", "")
    return segment({"alg": "RS256", "typ": "JWT"}) + "." + segment(payload) + ".c2ln"


def _error(status, code, message):
    return status, json.dumps({"error": {"status": status, "code": code, "message": message}})


def test_policy_origins_exact_and_wildcard():
    """An exact origin matches itself; https://*.<domain> any host under it, at any depth."""
    for origin in ("https://acme.fa.us2.oraclecloud.com", "https://x.oraclecloud.com",
                   "HTTPS://ACME.FA.OracleCloud.com", "https://acme.example.com:8443"):
        assert origin_allowed(origin, PODS), origin
    for origin in ("https://oraclecloud.com", "http://acme.oraclecloud.com",
                   "https://acme.oraclecloud.com.evil.com", "https://evil-oraclecloud.com",
                   "https://acme.oraclecloud.com:8443", "https://acme.example.com",
                   "https://acme.example.com:8443/path", "https://user@x.oraclecloud.com",
                   "null", "", None, 7):
        assert not origin_allowed(origin, PODS), origin
    assert origin_allowed("http://127.0.0.1:8000", ["http://127.0.0.1:8000/"])
    assert not origin_allowed("http://localhost:8000", ["http://127.0.0.1:8000"])


def test_policy_framing_checks_the_parent_and_the_real_ancestor():
    """oraParentFrame must be allowed, and the framing page's origin too where it is known."""
    pod = "https://acme.fa.us2.oraclecloud.com"
    assert framing_refusal(pod, pod, PODS) is None
    assert framing_refusal(pod, None, PODS) is None  # Firefox: no ancestorOrigins
    assert framing_refusal("https://evil.example", pod, PODS) == "https://evil.example"
    assert framing_refusal(pod, "https://evil.example", PODS) == "https://evil.example"
    assert framing_refusal(None, pod, PODS) == "no oraParentFrame"


def test_policy_fa_token_renewed_before_its_exp():
    """A third of a short life before exp (60 s for long ones), on Fusion's clock (iat)."""
    assert claims(jwt({"sub": "a", "exp": 1015})) == {"sub": "a", "exp": 1015}
    assert renewal_delay_ms(jwt({"iat": 1000, "exp": 1015}), now=5000) == 10000
    assert renewal_delay_ms(jwt({"iat": 1000, "exp": 4600}), now=0) == 3540000
    assert renewal_delay_ms(jwt({"exp": 1030}), now=1000) == 20000  # no iat: the browser's clock
    assert renewal_delay_ms(jwt({"exp": 900}), now=1000) == MIN_DELAY_MS  # already expired
    for token in ("fa-jwt", jwt({"sub": "a"}), jwt({"exp": "soon"}), jwt({"exp": True}),
                  "a.!!!.c", None):
        assert renewal_delay_ms(token, now=1000) is None, token


def test_policy_token_service_expired_is_its_own_failure():
    """401 "token has expired" asks for a new faTrustToken; other 401s are refusals."""
    for answer, kind in ((_error(401, "invalid_token", "token has expired"),
                          messages.TOKEN_EXPIRED),
                         (_error(401, "invalid_token", "bad signature"), messages.TOKEN_REFUSED)):
        try:
            read_token_response(*answer)
        except Failure as failure:
            assert failure.kind == kind, failure.kind
        else:
            raise AssertionError("accepted " + repr(answer))


def test_policy_dial_check_answers():
    """Only a 403 with a code of the policy refuses; a check that fails lets /voice decide."""
    assert dial_check_url("/api/token") == "/api/dial-check"
    assert dial_check_url("https://svc.example.com/v1/token") == "https://svc.example.com/v1/dial-check"
    assert read_dial_check(200, json.dumps({"allowed": True, "to": "+14155550100"})) is None
    for code in FUSION_ERROR_CODES:
        assert read_dial_check(*_error(403, code, "Sorry")) == code
        assert messages.text("dial-refused." + code)
    assert FUSION_ERROR_CODES["invalid_number"] == "INVALID_NUMBER"
    for answer in (_error(403, "invalid_proxy_signature", "x"), _error(401, "invalid_token", "x"),
                   _error(429, "rate_limited", "x"), (503, "<html>"), (403, "not json"),
                   (403, json.dumps({"error": {"code": ["premium_rate"]}}))):
        assert read_dial_check(*answer) is None, answer
