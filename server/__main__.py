"""``python -m server``: run the token service on Flask's development server.

Usage: ``python -m server [--host 127.0.0.1] [--port 5000]``, with the settings in the
environment (see .env.example), or ``python -m server --settings-table`` to print the settings
as the README's Markdown table, or ``python -m server provision [--dry-run]`` to set up Twilio
TaskRouter (server/provision.py). A configuration error prints one line and exits with status 2,
as server.wsgi does. For production, use gunicorn (see server/wsgi.py).
"""

import argparse
import sys

from server.config import settings_markdown


def main() -> None:
    """Parse the command line and serve, print the settings table, or provision."""
    if sys.argv[1:2] == ["provision"]:
        from server.provision import main as provision

        sys.exit(provision(sys.argv[2:]))
    parser = argparse.ArgumentParser(
        prog="python -m server", description="Run the token service on Flask's development server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--settings-table", action="store_true", help="print settings as Markdown")
    arguments = parser.parse_args()
    if arguments.settings_table:
        print(settings_markdown(), end="")
        return
    # Imported here, not at the top: importing server.wsgi builds the app from os.environ (and
    # exits on a configuration error), which --settings-table must not need.
    from server.wsgi import app

    app.run(host=arguments.host, port=arguments.port)


if __name__ == "__main__":
    main()
