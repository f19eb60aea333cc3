"""Logs a contact centre can run on: one JSON line per request, and per refusal and call.

Every request gets an id: the caller's ``X-Request-Id`` if it is a plausible one (letters,
digits, ``.``, ``_``, ``-``, at most 128), else a new one; it is echoed in the response's
``X-Request-Id`` and stamped on every line logged while the request runs. After the response,
one ``request`` line: method, path (never the query), status, duration, the agent's identity
once its JWT has verified, and the client address as trusted (see create_app). Nothing here
or in any other module logs a token, JWT, secret or signature.

configure() sends the root logger's records to stderr as JSON (python-json-logger), for the
WSGI entry point; a deployment that configures logging itself keeps its own.

Public names: init_app, note_identity, RequestContext, json_handler, configure.
"""

import logging
import re
import sys
import time
import uuid
from typing import IO

from flask import Flask
from flask import Response
from flask import g
from flask import has_request_context
from flask import request
from pythonjsonlogger.json import JsonFormatter

logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def init_app(app: Flask) -> None:
    """Give each of app's requests an id and log one line for it when it is answered."""
    app.before_request(_start)
    app.after_request(_finish)


def note_identity(identity: str) -> None:
    """Record the verified agent identity of the current request, for its log lines."""
    g.identity = identity


def _start() -> None:
    offered = request.headers.get("X-Request-Id", "")
    g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    # A request refused before _start ran (e.g. by routing) still gets an id.
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-Id"] = request_id
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    fields = {
        "event": "request",
        "request_id": request_id,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(elapsed * 1000, 2),
        "identity": g.get("identity"),
        "client": request.remote_addr,
    }
    logger.info("%s %s %d", request.method, request.path, response.status_code, extra=fields)
    return response


class RequestContext(logging.Filter):
    """Stamps records logged during a request with its id and identity."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(record, "request_id", g.get("request_id"))
            record.identity = getattr(record, "identity", g.get("identity"))
        return True


def json_handler(stream: IO[str]) -> logging.Handler:
    """Return a handler writing records to stream as JSON lines, stamped by RequestContext."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601, UTC
        )
    )
    handler.addFilter(RequestContext())
    return handler


def configure(level: int = logging.INFO) -> None:
    """Log JSON lines to stderr, unless the root logger already has a handler."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(json_handler(sys.stderr))
    root.setLevel(level)
