"""The script PyScript runs (client/boot.js names it): start the toolbar."""

from toolbar.app import start

toolbar = await start()  # noqa: F704, PLE1142 - PyScript runs the script as a coroutine
