"""Benchmarks of the toolbar, its token service and the sandbox: scripts that report, never assert.

Run them with ``python -m bench`` (see bench/README.md); each subject module also runs alone
(``python -m bench.startup``). Nothing under tests/ times anything.
"""
