"""Errors the user can fix: bad input, config, credentials, files. Each is one line on stderr
and exit 2, never a traceback (the CLI catches `GcplintError`)."""

from __future__ import annotations

from collections.abc import Iterable


class GcplintError(Exception):
    """Bad input or an environment gcplint cannot work in; `str(error)` is the whole message."""


class UsageError(GcplintError):
    """Command-line input that the option parser itself does not catch."""


class ConfigError(GcplintError):
    """Bad client settings or credentials: the scan cannot start."""


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """` (did you mean 'sql.public-ip'?)` when a known name is close to a mistyped one, else ''."""
    from difflib import get_close_matches

    close = get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
