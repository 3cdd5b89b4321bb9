"""JSON Lines: one result per line (the JSON report's result objects), written as each project
is done; the last line is the scan's summary, marked `"record": "summary"`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from ..model import Result
from . import RenderOptions, Report
from .json import SCHEMA, document, result_json


def write_results(results: Sequence[Result], stream: TextIO) -> None:
    """One line per result, flushed (a consumer can follow the file)."""
    for result in results:
        stream.write(json.dumps({"record": "result", **result_json(result)}) + "\n")
    stream.flush()


def summary(report: Report) -> dict[str, Any]:
    """The last line: the JSON report without its results."""
    whole = document(report, results=False)
    return {"record": "summary", **whole, "schema": SCHEMA}


def write_summary(report: Report, stream: TextIO) -> None:
    """The summary line."""
    stream.write(json.dumps(summary(report)) + "\n")
    stream.flush()


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """A finished report as JSON Lines (what `--format jsonl` streams)."""
    write_results(report.results, stream)
    write_summary(report, stream)
