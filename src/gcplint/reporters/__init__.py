"""Reporters: each renders a finished Report to a text stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..report import Report
from . import github, json_report, jsonl, junit, markdown, sarif, text

Renderer = Callable[[Report, TextIO, bool], None]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "jsonl": jsonl.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
}

__all__ = ["FORMATS", "Renderer"]
