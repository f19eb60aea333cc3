"""The WSGI entry point: ``gunicorn --preload server.wsgi:app``.

Reads the settings from os.environ. On a configuration error it prints one line,
``config error: NAME: problem``, to stderr and exits with status 2. Use ``--preload`` so that
happens once, in gunicorn's master, which then stops: without it every worker fails the same way
and gunicorn keeps replacing them.

Public names: app.
"""

import sys

from flask import Flask

from server import create_app
from server import logs
from server.config import ConfigError

CONFIG_ERROR_STATUS = 2


def _create_app_or_exit() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        raise SystemExit(CONFIG_ERROR_STATUS) from None


# JSON lines on stderr, requests and refusals at INFO; a deployment's own logging config wins.
logs.configure()
app = _create_app_or_exit()
