"""The random draws generators are made of, and the times they print.

Every draw goes through the world's one `random.Random`, in a fixed order, so a seed always gives
the same world: a change that adds, drops or reorders a draw changes every world after it.
Ages are relative to `REFERENCE_DATE`, the scan time tests use.
"""

from __future__ import annotations

import base64
import random
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import TypeVar

T = TypeVar("T")

REFERENCE_DATE = datetime(2026, 11, 27, tzinfo=UTC)


def chance(rng: random.Random, p: float) -> bool:
    """True with probability p."""
    return rng.random() < p


def pick(rng: random.Random, items: tuple[T, ...] | list[T]) -> T:
    """One of `items`, each as likely."""
    return items[rng.randrange(len(items))]


def digits(rng: random.Random, n: int) -> str:
    """n decimal digits, the first one not zero."""
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def chars(rng: random.Random, alphabet: str, n: int) -> str:
    """n characters drawn from `alphabet`."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def hex_digits(rng: random.Random, n: int) -> str:
    """n lowercase hexadecimal digits."""
    return chars(rng, "0123456789abcdef", n)


def letters(rng: random.Random, n: int) -> str:
    """n lowercase letters."""
    return chars(rng, "abcdefghijklmnopqrstuvwxyz", n)


def alnum(rng: random.Random, n: int) -> str:
    """n letters (either case) and digits."""
    return chars(rng, string.ascii_letters + string.digits, n)


def b64(rng: random.Random, n: int) -> str:
    """Base64 of n random bytes."""
    return base64.b64encode(rng.getrandbits(8 * n).to_bytes(n, "big")).decode()


def uuid4(rng: random.Random) -> str:
    """A random (version 4) UUID."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iam_etag(rng: random.Random) -> str:
    """An IAM-style etag: base64 of 8 bytes."""
    return base64.b64encode(rng.getrandbits(64).to_bytes(8, "big")).decode()


def ts(moment: datetime, micros: bool = True) -> str:
    """RFC 3339 in UTC, as Google's APIs print it."""
    if micros:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(moment: datetime) -> str:
    """RFC 3339 with milliseconds, as Resource Manager and Cloud Storage print it."""
    return ts(moment)[:-4] + "Z"


def days_ago(rng: random.Random, low: float, high: float) -> datetime:
    """A moment between `high` and `low` days before the reference date."""
    seconds = rng.uniform(low * 86400, high * 86400)
    return REFERENCE_DATE - timedelta(seconds=int(seconds), microseconds=rng.randrange(10**6))
