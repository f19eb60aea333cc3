"""The toolbar's browser-free core: every decision, no JavaScript (see toolbar/__init__.py).

Nothing here imports ``js``, ``pyscript`` or toolbar.adapters (tests/client enforces it).
"""
