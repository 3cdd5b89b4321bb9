"""Response headers parsed without the email package (collect/headers.py) are exactly what
http.client's own parser gives: the same headers in the same order, values, payload and
defects, for ordinary blocks, hostile ones (folded lines, no colon, spaces in names, bare CRs,
bytes outside ASCII) and random ones; the line and header-count limits stay http.client's."""

from __future__ import annotations

import http.client
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcplint.collect import headers


def both(block: bytes) -> tuple[Any, Any]:
    ours = headers.parse_headers(io.BufferedReader(io.BytesIO(block)))
    theirs = http.client.parse_headers(io.BufferedReader(io.BytesIO(block)))
    return ours, theirs


def same(ours: Any, theirs: Any) -> bool:
    seen = (ours.items(), ours.get_payload(), [type(d) for d in ours.defects])
    return seen == (theirs.items(), theirs.get_payload(), [type(d) for d in theirs.defects])


GOOGLE = (
    b"Content-Type: application/json; charset=UTF-8\r\nVary: Origin\r\nVary: X-Origin\r\n"
    b"Vary: Referer\r\nDate: Thu, 03 Dec 2026 21:00:00 GMT\r\nServer: ESF\r\n"
    b"Cache-Control: private\r\nX-XSS-Protection: 0\r\nX-Frame-Options: SAMEORIGIN\r\n"
    b'Alt-Svc: h3=":443"; ma=2592000\r\nTransfer-Encoding: chunked\r\n\r\n'
)


@pytest.mark.parametrize(
    "block",
    [
        GOOGLE,
        b"A:b\r\nC:   d  \r\n\r\n",
        b"A: b\r\n continued\r\nC: d\r\n\r\n",  # folded
        b"no colon here\r\nA: b\r\n\r\n",
        b"Bad Name: x\r\n\r\n",
        b"From x\r\nA: b\r\n\r\n",
        b"A: \xff\xfe\r\n\r\n",
        b"A:\r\n\r\n",
        b"A: b\n\n",
        b"A: b\r\n",  # the stream ends without a blank line
        b"\r\n",
        b":x\r\n\r\n",
        b"A: b\rc\r\n\r\n",  # a bare CR
        b"Content-Length: 5\r\nContent-Length: 7\r\n\r\n",
    ],
)
def test_a_block_parses_as_http_client_parses_it(block: bytes) -> None:
    ours, theirs = both(block)
    assert same(ours, theirs), (ours.items(), theirs.items())
    assert type(ours) is http.client.HTTPMessage


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="Ab-:; \t\r\n\xe9", max_size=12).map(str.encode), max_size=6))
def test_random_blocks_parse_as_http_client_parses_them(lines: list[bytes]) -> None:
    block = b"\r\n".join(lines) + b"\r\n\r\n"
    ours, theirs = both(block)
    assert same(ours, theirs), (block, ours.items(), theirs.items())


def test_http_clients_limits_hold() -> None:
    with pytest.raises(http.client.HTTPException):
        both(b"".join(b"A%d: x\r\n" % i for i in range(200)) + b"\r\n")
    with pytest.raises(http.client.LineTooLong):
        both(b"A: " + b"x" * 70000 + b"\r\n\r\n")


def test_responses_are_read_with_it() -> None:
    """The response class gcplint reads with uses this parser (not the email package's)."""
    assert headers.begin is not http.client.HTTPResponse.begin
    assert headers.begin.__code__ is http.client.HTTPResponse.begin.__code__
    assert headers.begin.__globals__["parse_headers"] is headers.parse_headers
