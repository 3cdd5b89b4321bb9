"""Fitting text to a terminal: how wide it is, and where to break a line.

No rich here: `gcplint checks list` uses it and must stay light (see tests/test_architecture.py).
Widths are counted in characters; the cloud data gcplint prints is overwhelmingly ASCII.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

BREAK_AFTER = ("/", "/,=:@&;?", "/,=:@&;?-.")  # where a word too long for a line is best
# split (after one of these), in order of preference: path segments first


def terminal_width(stream: TextIO | None, default: int | None) -> int | None:
    """`COLUMNS` when set, else the size of the terminal `stream` is, else `default` (`None`:
    do not wrap)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream is not None and stream.isatty():
            size = os.get_terminal_size(stream.fileno()).columns
            if size > 0:
                return size
    except (AttributeError, OSError, ValueError):
        pass
    return default


def _words(text: str, shell: bool) -> list[tuple[int, int]]:
    """(start, end) of each word; with `shell`, spaces inside quotes do not separate words
    (unless the quotes are unbalanced: then it is prose, not a command)."""
    plain = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not shell:
        return plain
    words: list[tuple[int, int]] = []
    start: int | None = None
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch.isspace():
            if start is not None:
                words.append((start, i))
                start = None
            continue
        if start is None:
            start = i
    if quote:
        return plain
    if start is not None:
        words.append((start, len(text)))
    return words


def _cut(text: str, start: int, end: int, room: int) -> int:
    """Where to split the word text[start:end] so its head takes at most `room` characters:
    after a separator in the second half of the room if there is one, else at the room."""
    room = max(1, room)
    limit = min(end, start + room)
    for separators in BREAK_AFTER:
        for i in range(limit, start + max(1, room // 2), -1):
            if text[i - 1] in separators:
                return i
    return limit


def line_spans(text: str, first: int, rest: int, *, shell: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each line when `text` (one line) is wrapped: `first` characters for the
    first line, `rest` for the others. Lines break at spaces; a word longer than a whole line is
    split (after a separator where it can be), except with `shell`: a command's words are never
    split, and words are separated only by spaces outside quotes, so the lines can be joined
    again with backslash continuations."""
    first, rest = max(1, first), max(1, rest)  # however narrow, a line holds something
    words = _words(text, shell)
    lines: list[tuple[int, int]] = []
    begin: int | None = None
    end = 0
    limit = first
    i = 0
    while i < len(words):
        start, stop = words[i]
        if begin is None:
            if stop - start <= limit or shell:
                begin, end = start, stop
                i += 1
            else:
                cut = _cut(text, start, stop, limit)
                lines.append((start, cut))
                words[i] = (cut, stop)
                limit = rest
            continue
        if stop - begin <= limit:
            end = stop
            i += 1
            continue
        room = limit - (start - begin)
        if not shell and stop - start > rest and room >= max(8, limit // 4):
            cut = _cut(text, start, stop, room)  # too long for any line: fill this one first
            lines.append((begin, cut))
            words[i] = (cut, stop)
        else:
            lines.append((begin, end))
        begin = None
        limit = rest
    if begin is not None:
        lines.append((begin, end))
    return lines or [(0, 0)]


def wrap(text: str, first: int, rest: int, *, shell: bool = False) -> list[str]:
    """`text` (one line) wrapped as `line_spans` says."""
    return [text[a:b] for a, b in line_spans(text, first, rest, shell=shell)]
