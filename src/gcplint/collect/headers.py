"""Response headers without the email package, where that changes nothing.

http.client parses every response's headers with `email.parser` (a general MIME parser: about
75 µs for the dozen headers Google sends, a good share of the CPU of a call). A header block of
plain `Name: value` lines needs none of it: `parse_headers` builds the same `HTTPMessage` (the
same headers, values and payload) directly, and hands anything else (a folded line, a line
without a colon, a name with spaces, a bare CR) to the email parser, so what a server sends
is read exactly as http.client reads it. The line and header-count limits stay http.client's.

`begin` is http.client's own `HTTPResponse.begin`, the same code object, run with this
`parse_headers` in place of the module's.
"""

from __future__ import annotations

import email.parser
import http.client
import re
import types
from typing import Any

_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")  # printable ASCII but ':' (the email parser's)


def parse_headers(fp: Any, _class: type[http.client.HTTPMessage] = http.client.HTTPMessage) -> Any:
    """The headers of a response as http.client.parse_headers gives them."""
    lines: list[bytes] = http.client._read_headers(fp)  # type: ignore[attr-defined]
    message = _class()
    for raw in lines[:-1]:  # the last is the blank line (or the end of the stream)
        line = raw.decode("iso-8859-1")
        line = line[:-2] if line.endswith("\r\n") else line.removesuffix("\n")
        name, colon, value = line.partition(":")
        if not colon or "\r" in line or "\n" in line or not _NAME.fullmatch(name):
            text = b"".join(lines).decode("iso-8859-1")
            return email.parser.Parser(_class=_class).parsestr(text)
        message.set_raw(name, value.lstrip(" \t"))
    message.set_payload("")
    return message


def _begin() -> Any:
    """http.client's HTTPResponse.begin reading headers with `parse_headers`, or the original
    where that cannot be done exactly (a Python whose begin or helpers differ)."""
    original = http.client.HTTPResponse.begin
    if original.__code__.co_freevars or not hasattr(http.client, "_read_headers"):
        return original
    scope = {**vars(http.client), "parse_headers": parse_headers}
    return types.FunctionType(original.__code__, scope, "begin", original.__defaults__)


begin = _begin()
