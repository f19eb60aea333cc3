"""Routes of the Fusion host simulator and its small JSON API.

- ``GET /``: the simulated agent desktop, which embeds the toolbar.
- ``GET /sandbox/api/config``: what the host page needs to know (origins, toolbar URL).
- ``GET /sandbox/api/directory``: demo contacts (reverse lookup) and click-to-dial numbers.
- ``GET /sandbox/api/agents``: the demo agents.
- ``POST /sandbox/api/agents/<id>/token``: a new JWT for that agent (``--fa-token-ttl``
  seconds), the ``faTrustToken`` Fusion hands the toolbar; the host page asks for one
  on every ``getConfiguration``, and scripts can call the token service as it does.
- ``GET /sandbox/jwks.json``: the public key the token service trusts.

Errors have one JSON shape: ``{"error": {"status": 404, "code": "not_found", "message": "..."}}``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import send_from_directory

from sandbox.fusion.directory import directory

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
UEF_DIR = HERE / "uef"

bp = Blueprint("fusion", __name__)


def _sandbox():
    return current_app.extensions["sandbox"]


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    """Return the sandbox's JSON error body with ``status``."""
    return jsonify(error={"status": status, "code": code, "message": message}), status


@bp.get("/")
def host_page() -> Response:
    return send_from_directory(STATIC_DIR, "index.html", max_age=0)


@bp.get("/sandbox/fusion/<path:path>")
def host_asset(path: str) -> Response:
    return send_from_directory(STATIC_DIR, path, max_age=0)


@bp.get("/sandbox/uef/<path:path>")
def uef_library(path: str) -> Response:
    """The UEF stand-in, served from the Fusion origin as Oracle's CDN serves the real one."""
    return send_from_directory(UEF_DIR, path, max_age=0)


@bp.get("/sandbox/api/config")
def host_config() -> Response:
    config = _sandbox().config
    return jsonify(
        fusionOrigin=config.fusion_origin,
        toolbarOrigin=config.toolbar_origin,
        toolbarUrl=f"{config.toolbar_origin}/toolbar/",
        interpreter=config.interpreter,
    )


@bp.get("/sandbox/api/directory")
def host_directory() -> Response:
    return jsonify(directory())


@bp.get("/sandbox/api/agents")
def list_agents() -> Response:
    issuer = _sandbox().agents
    return jsonify(
        agents=[{"id": agent.agent_id, "name": agent.name} for agent in issuer.agents.values()]
    )


@bp.post("/sandbox/api/agents/<agent_id>/token")
def agent_token(agent_id: str) -> tuple[Response, int] | Response:
    sandbox = _sandbox()
    if agent_id not in sandbox.agents.agents:
        return _error(404, "not_found", f"no demo agent {agent_id!r}")
    ttl = sandbox.config.fa_token_ttl
    return jsonify(agent_id=agent_id, token=sandbox.agents.token_for(agent_id, ttl=ttl), ttl=ttl)


@bp.get("/sandbox/jwks.json")
def jwks() -> Response:
    return jsonify(_sandbox().agents.jwks())
