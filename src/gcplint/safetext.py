"""Cloud text made safe to write: every string a scan reads (display names, resource names,
labels, IAM condition titles, API error messages) is untrusted.

- `unsurrogate`: a lone surrogate (JSON allows `"\\ud800"`, and Python keeps it) cannot be
  encoded as UTF-8; it becomes U+FFFD, a surrogate pair the character it stands for.
- `scrub`: the same, through a JSON-ready value (what the JSON, JSON Lines and SARIF writers and
  the JSON reader use).
- `printable`: one line for a terminal or a log: control characters (C0, DEL, C1), bidirectional
  overrides and line or paragraph separators shown as visible escapes (`\\x1b`, `\\u202e`), so
  cloud text can never move the cursor, set a window title, write the clipboard, make a link,
  reorder a line or start a new one (where a CI runner would read `::error ...` as a command);
  the `##[cmd]` and `##vso[cmd]` runners read anywhere in a line get a `#` shown as `\\x23`.
- `printable_lines`: the same, but a multi-line text keeps its lines, each `command_safe`.
- `command_safe`: a whole output line that would start, after its indentation, with `::` (a
  GitHub Actions workflow command) gets its first colon shown as `\\x3a` (and `##[` as above).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

T = TypeVar("T")

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])
_INVISIBLE = "\u061c\u200e\u200f\u2028\u2029\ufffe\uffff" + "".join(
    chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)  # bidirectional marks, embeddings, overrides and isolates; line and paragraph separators;
# the two noncharacters XML 1.0 cannot hold
_UNPRINTABLE = re.compile(f"[{re.escape(_CONTROLS + _INVISIBLE)}]")
_COMMAND = re.compile(r"^(\s*):(?=:)")
_LEGACY = re.compile(r"#(?=#(?:vso)?\[)")  # `##[cmd]`, `##vso[cmd]`: read anywhere in a line


def unsurrogate(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (a pair becomes its character)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def scrub(value: T) -> T:
    """A JSON-ready value (dicts, lists, strings, numbers) with every string `unsurrogate`d."""
    return cast(T, _scrub(value))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return unsurrogate(value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _escape(found: re.Match[str]) -> str:
    ch = found.group()
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(text: str) -> str:
    """`text` on one line, every control character, bidirectional control and line separator
    shown as an escape (`\\x1b`, `\\u202e`), a tab as a space; lone surrogates become U+FFFD;
    `##[` and `##vso[` (a CI runner reads them as commands anywhere in a line) as `\\x23#[`."""
    text = unsurrogate(text)
    if not text.isprintable():
        text = _UNPRINTABLE.sub(_escape, text.replace("\t", " "))
    return _LEGACY.sub(r"\\x23", text) if "##" in text else text


def printable_lines(text: str) -> str:
    """`text` with its lines kept, each `printable` and `command_safe` (a remediation's
    commands in a file a CI log may show)."""
    return "\n".join(command_safe(printable(line)) for line in text.split("\n"))


def command_safe(line: str) -> str:
    """`line` unless it would start (after indentation) with `::`: then with its first colon
    shown as `\\x3a`, so a CI runner never reads it as a workflow command (and `##[` as
    `printable` shows it, should pieces of a line make one)."""
    return _LEGACY.sub(r"\\x23", _COMMAND.sub(r"\1\\x3a", line))
