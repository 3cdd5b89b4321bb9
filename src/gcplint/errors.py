"""Errors the user can fix: bad input, config, credentials, files. Each is one line on stderr
and exit 2, never a traceback (the CLI catches `GcplintError`)."""

from __future__ import annotations


class GcplintError(Exception):
    """Bad input or an environment gcplint cannot work in; `str(error)` is the whole message."""


class UsageError(GcplintError):
    """Command-line input that the option parser itself does not catch."""


class ConfigError(GcplintError):
    """Bad client settings or credentials: the scan cannot start."""
