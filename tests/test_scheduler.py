"""The scheduler finds each API's limit by itself: adaptive throttles (a fake clock drives them
here), lanes per API, patience under 429, no Service Usage calls, no repeated reads, and the
per-API table `scan --verbose` ends with. Scans run against the emulator with its quotas on."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from helpers import run_cli

from gcplint.collect.lanes import Lane
from gcplint.collect.ratelimit import Throttle
from gcplint.emulator import World
from gcplint.emulator.generate import generate_org


class Clock:
    """A fake monotonic clock whose sleep advances it."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def calls(throttle: Throttle, clock: Clock, n: int, latency: float = 0.05, **outcome: Any) -> None:
    """`n` calls one after another, each answered after `latency` (429 if `throttled`)."""
    for _ in range(n):
        throttle.acquire()
        clock.now += latency
        throttle.release(outcome.get("throttled", False), latency)


def test_a_throttle_paces_calls_at_its_rate() -> None:
    clock = Clock()
    throttle = Throttle("sqladmin", 4.0, ceiling=4.0, clock=clock, sleep=clock.sleep)
    start = clock.now
    calls(throttle, clock, 12, latency=0.0)
    assert clock.now - start == pytest.approx(11 / 4.0)  # one token at hand, then 4 a second
    assert throttle.use().waited == pytest.approx(clock.now - start)


def test_a_429_cuts_the_rate_below_what_the_api_served_once_per_episode() -> None:
    clock = Clock()
    throttle = Throttle("run", 50.0, clock=clock, sleep=clock.sleep)
    calls(throttle, clock, 20, latency=0.05)  # 20 served in the last second
    for _ in range(3):  # three calls in flight, all answered 429: one episode, one cut
        throttle.acquire()
    clock.now += 0.01
    for _ in range(3):
        throttle.release(True, 0.01)
    assert throttle.rate == pytest.approx(0.9 * 20, rel=0.06)
    assert throttle.use().throttled == 3
    calls(throttle, clock, 1, latency=0.01, throttled=True)  # made after the cut: cut again
    assert throttle.rate is not None and throttle.rate < 0.9 * 0.9 * 20 * 1.06


def test_without_429_a_waiting_throttle_rises_and_never_above_its_ceiling() -> None:
    clock = Clock()
    free = Throttle("iam", 10.0, clock=clock, sleep=clock.sleep)
    calls(free, clock, 60, latency=0.0)  # callers wait for tokens, the API never says 429
    assert free.rate is not None and free.rate > 20.0
    capped = Throttle("iam", 10.0, ceiling=12.0, clock=clock, sleep=clock.sleep)
    calls(capped, clock, 60, latency=0.0)
    assert capped.rate == 12.0


def test_after_a_first_429_the_rate_climbs_back_fast_then_creeps() -> None:
    clock = Clock()
    throttle = Throttle("run", None, clock=clock, sleep=clock.sleep)
    calls(throttle, clock, 30, latency=0.03)  # ~32 served a second, its bucket's burst too
    calls(throttle, clock, 1, latency=0.03, throttled=True)
    cut = throttle.rate
    assert cut is not None and cut == pytest.approx(30 / 0.93 / 3)  # a third of it, to be safe
    start = clock.now
    while clock.now - start < 2.5:  # callers wait for tokens for two and a half seconds
        calls(throttle, clock, 1, latency=0.0)
    back = 0.85 * 0.7 * 3 * cut  # by half a second, up to 85% of 70% of the rate the 429 came at
    assert throttle.rate is not None and back * 0.999 <= throttle.rate <= back * 1.02 * 1.001


def test_an_unlimited_throttle_widens_its_window_by_one_per_full_round_trip() -> None:
    clock = Clock()
    throttle = Throttle("pubsub", None, clock=clock, sleep=clock.sleep)
    before = throttle.concurrency()
    for _ in range(before):  # a full window of calls, answered while it is full
        for _ in range(before):
            throttle.acquire()
        for _ in range(before):
            throttle.release(False, 0.05)
    assert throttle.concurrency() == before + 1


def test_waiting_callers_get_slots_lowest_order_first() -> None:
    throttle = Throttle("run", None, max_in_flight=1)
    throttle.acquire()  # the only slot
    got: list[int] = []

    def caller(order: int) -> None:
        throttle.acquire(order)
        got.append(order)
        throttle.release(False, 0.0)

    threads = [threading.Thread(target=caller, args=(o,)) for o in (5, 3, 9, 1)]
    for t in threads:
        t.start()
        time.sleep(0.05)  # all four queue, in this order
    throttle.release(False, 0.0)
    for t in threads:
        t.join(5)
    assert got == [1, 3, 5, 9]


def test_a_lane_runs_the_lowest_order_first_on_at_most_its_width() -> None:
    gate = threading.Event()
    running = []
    peak = [0]
    lock = threading.Lock()

    def job(name: str) -> str:
        with lock:
            running.append(name)
            peak[0] = max(peak[0], len(running))
        gate.wait(5)
        with lock:
            running.remove(name)
        return name

    lane = Lane("test", lambda: 2)
    first = [lane.submit(lambda n=n: job(n), order=0) for n in ("a", "b")]  # type: ignore[misc]
    time.sleep(0.1)
    later = [lane.submit(lambda n=n: job(n), order=o) for n, o in (("z", 9), ("y", 1))]  # type: ignore[misc]
    done: list[str] = []
    for f in later:
        f.add_done_callback(lambda f: done.append(f.result()))
    gate.set()
    assert [f.result(5) for f in first + later] == ["a", "b", "z", "y"]
    assert peak[0] == 2
    lane.close()
    assert lane.submit(lambda: "never").cancelled()


def org_world(projects: int = 6, seed: int = 11) -> tuple[dict[str, Any], list[str]]:
    org = generate_org(projects, seed)
    active = sorted(
        p for p, b in org["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )
    return org, active


def scope_of(projects: list[str]) -> list[str]:
    return [arg for p in projects for arg in ("--project", p)]


def test_default_flags_under_a_tight_quota_slow_down_instead_of_giving_up(serve: Any) -> None:
    """With no flag, a quota far below what the scan would send: 429s come, gcplint slows
    down, and every result is read (no QUOTA_EXHAUSTED): a scan that needs patience gets it."""
    org, projects = org_world()
    plain = serve(World.from_json(org))
    expected = run_cli("scan", "--api-base", plain.url, *scope_of(projects), "--format", "json")
    tight = serve(World.from_json(org), quotas={"iam": 4.0, "pubsub": 4.0})
    run = run_cli("scan", "--api-base", tight.url, *scope_of(projects), "--format", "json")
    assert tight.rejected_by_api().get("iam", 0) + tight.rejected_by_api().get("pubsub", 0) > 0
    assert not [r for r in run.json()["results"] if r.get("reason") == "QUOTA_EXHAUSTED"]

    def same(r: Any) -> list[Any]:
        return sorted(
            (x["check"], x["project"], x["resource"], x["status"], x["message"])
            for x in r.json()["results"]
        )

    assert same(run) == same(expected)


def test_a_slow_api_never_idles_a_fast_one(serve: Any) -> None:
    """Cloud SQL at 2 requests a second, everything else free: every IAM read is answered
    before the last Cloud SQL one (a read waiting on SQL's quota holds only SQL's lane)."""
    org, projects = org_world(8, 12)
    emu = serve(World.from_json(org), page_size=100, latency=0.01, quotas={"sqladmin": 2.0})
    run_cli("scan", "--api-base", emu.url, *scope_of(projects), "--format", "json")
    log = emu.requests
    sql = [i for i, r in enumerate(log) if r.path.startswith("/sqladmin/") and r.status == 200]
    iam = [i for i, r in enumerate(log) if r.path.startswith("/iam/")]
    assert len(sql) >= len(projects) and iam
    assert max(iam) < max(sql)


def test_no_service_usage_call_and_no_read_is_made_twice(serve: Any) -> None:
    """Each request is made once: no Service Usage pre-check, and what one project's checks
    read of another (a Cloud Run service's secret or image elsewhere) is not read again."""
    org, projects = org_world(10, 13)
    emu = serve(World.from_json(org), page_size=100)
    run = run_cli("scan", "--api-base", emu.url, *scope_of(projects), "--format", "json")
    assert run.code in (0, 1, 3), run.err
    made = Counter((r.method, r.path, r.query) for r in emu.requests)
    assert not [r for r in emu.requests if r.path.startswith("/serviceusage/")]
    repeated = {k: n for k, n in made.items() if n > 1}
    assert len(repeated) <= 0.02 * len(made), repeated


def test_verbose_ends_with_calls_429s_and_rate_per_api(serve: Any) -> None:
    org, projects = org_world(4, 14)
    emu = serve(World.from_json(org), quotas={"iam": 5.0})
    run = run_cli(
        "scan", "--api-base", emu.url, *scope_of(projects), "--format", "json", "-o", "-", "-v"
    )
    table = run.err[run.err.index("gcplint: API ") :].splitlines()
    assert table[0].split()[1:] == ["API", "calls", "429s", "waited", "s", "achieved/s", "limit/s"]
    rows = {line.split()[1].rstrip("*"): line.split()[2:] for line in table[1:-1]}
    served = emu.calls_by_api()
    assert {label: int(row[0]) for label, row in rows.items()} == served
    assert int(rows["iam"][1]) == emu.rejected_by_api().get("iam", 0)
    assert "quota" in table[-1]
    quiet = run_cli("scan", "--api-base", emu.url, *scope_of(projects), "--format", "json")
    assert "gcplint: API " not in quiet.err


def test_closing_a_lane_completes_its_queued_futures_for_wait() -> None:
    """`concurrent.futures.wait` (how a fan-out waits for its reads) returns once a lane is
    closed: the jobs it cancels are done for it, not left pending (a scan abandoned mid
    fan-out would hang in its reader)."""
    from concurrent.futures import CancelledError, wait

    gate, started = threading.Event(), threading.Event()

    def hold() -> bool:
        started.set()
        return gate.wait()

    lane = Lane("test", lambda: 1)
    running = lane.submit(hold)  # holds the lane's only thread
    assert started.wait(5)
    queued = [lane.submit(lambda: 1) for _ in range(3)]
    lane.close()
    done, pending = wait(queued, timeout=5)
    gate.set()
    lane.join()
    assert not pending and len(done) == 3
    assert all(f.cancelled() for f in queued)
    with pytest.raises(CancelledError):
        queued[0].result()
    assert running.result() is True
