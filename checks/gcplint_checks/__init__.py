"""gcplint's built-in check pack.

Loaded only through the public `gcplint.checks` entry point (`builtin = "gcplint_checks"`),
exactly like a third-party pack: one module per checklist area, every module-level CheckSpec is
a check. Shared helpers live in modules whose names start with an underscore.
"""
