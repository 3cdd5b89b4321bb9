"""The bounds on what gcplint reads and serves, in one place.

A real organization never comes near them: they are there so that a broken or hostile endpoint
(a page token that never ends, a body that never ends or never arrives, a gzip bomb) makes one
read unknown, with a message naming the bound, instead of exhausting memory or hanging the run.
The `--timeout` value bounds each HTTP exchange end to end (connect, headers and the whole body).
"""

from __future__ import annotations

MIB = 1 << 20

MAX_RESPONSE_BYTES = 64 * MIB
# ^ one API response, as received and after decompression. Google caps a page at its pageSize
#   (at most 1,000 items of a few KB) and an IAM policy at 64 KB.
MAX_PAGES = 2000
# ^ pages of one list: gcplint asks for 100 to 1,000 items a page, so 200,000 items or more.
MAX_LIST_BYTES = 256 * MIB
# ^ all pages of one list together (decompressed): about 1.5 GB of memory once parsed.
MAX_SNAPSHOT_BYTES = 1024 * MIB
# ^ a world or snapshot file, decompressed: the demo is 46 KB a project, so about 20,000 projects.

# the emulator
MAX_REQUEST_BYTES = 1 * MIB  # a request body (a read's is a few hundred bytes); larger: 413
REQUEST_LOG_LENGTH = 10_000  # requests the emulator remembers (the newest)


def size(limit: int) -> str:
    """A byte count as the messages name it: `64 MiB`, `1 GiB`, else bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit} bytes"
