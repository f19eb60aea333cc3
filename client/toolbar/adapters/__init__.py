"""The toolbar's adapters: they translate between the core and JavaScript, through ffi.

They decide nothing: each hands an input to the core's Toolbar and its effects to the shell.
"""
