"""Writing report files safely: checked before the scan, written to a temp file, then renamed."""

from __future__ import annotations

import gzip
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TextIO

from .errors import GcplintError


class OutputError(GcplintError):
    """A report file cannot be written."""


def check_writable(path: Path) -> None:
    """Fail early (before an expensive scan) when `path` cannot be written: try it."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"output {path} is a directory")
    if not parent.is_dir():
        raise OutputError(f"output directory {parent} does not exist")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {parent}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def atomic_output(path: Path, *, compress: bool = False) -> Iterator[TextIO]:
    """A text stream whose content replaces `path` only once fully written (gzip-compressed
    with `compress`)."""
    check_writable(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
            if compress
            else nullcontext(raw) as data,
            io.TextIOWrapper(data, encoding="utf-8") as stream,
        ):
            yield stream
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    if os.path.exists(tmp):
        os.unlink(tmp)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
