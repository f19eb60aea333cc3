"""The REST emulator over HTTP: ``/sandbox/twilio/rest/<domain>/<path>``.

``TWILIO_REST_URL`` is ``http://<sandbox>/sandbox/twilio/rest``, so twilio-python's
``https://api.twilio.com/2010-04-01/…`` arrives here as ``api/2010-04-01/…``. This layer
only parses (method, decoded path, query, form, Basic credentials) and serialises; every
answer, errors included, is Twilio's JSON, never the sandbox's own error shape.

Public names: bp.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from sandbox.twilio_rest.api import RestRequest
from sandbox.twilio_rest.errors import INVALID_PARAMETER
from sandbox.twilio_rest.errors import RestError

bp = Blueprint("twilio_rest", __name__, url_prefix="/sandbox/twilio/rest")
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class _AnyPath(PathConverter):
    """Any path, newlines included (``path`` stops at one), so that every request under the
    prefix reaches the core and gets Twilio's 404, never the sandbox's own."""

    regex = "(?s:[^/].*?)"


@bp.record_once
def _register_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["rest_path"] = _AnyPath


@bp.route("/<rest_path:path>", methods=_METHODS)
def rest(path: str) -> Response:
    auth = request.authorization
    parsed = RestRequest(
        method=request.method, path=path, query=request.args.to_dict(flat=False),
        form=request.form.to_dict(flat=False),
        username=auth.username if auth is not None else None,
        password=auth.password if auth is not None else None)
    sandbox = current_app.extensions["sandbox"]
    answer = sandbox.run_on_loop(sandbox.emulator.rest(parsed))
    if answer.body is None:
        return Response(status=answer.status)
    response = jsonify(answer.body)
    response.status_code = answer.status
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """A body too large (413) or unreadable (400) still gets Twilio's error JSON."""
    status = error.code or 400
    response = jsonify(RestError(status, INVALID_PARAMETER, error.description or error.name).body())
    response.status_code = status
    return response
