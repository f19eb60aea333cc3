"""The script PyScript runs (client/boot.js names it): start the toolbar."""

from toolbar.app import start

toolbar = start()
