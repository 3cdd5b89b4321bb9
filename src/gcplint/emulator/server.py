"""The emulator's HTTP server: serves a world on `http://127.0.0.1:PORT/{api label}/...`."""

from __future__ import annotations

import fnmatch
import json
import math
import random
import re
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..limits import MAX_REQUEST_BYTES, REQUEST_LOG_LENGTH, size
from ..world import HTTP_FAULTS, NOT_COLLECTED, Fault, ProjectEntry, World
from . import partial, routes
from .errors import (
    ApiError,
    injected,
    invalid_argument,
    not_collected,
    permission_denied,
    quota_exceeded,
    replayed,
)

READ_VERBS = (":getIamPolicy", ":testIamPermissions")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class Response:
    """What the emulator answers; `body` None drops the connection (an injected reset)."""

    status: int
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator received (never its body: its size, and the policy version a
    getIamPolicy body asked for)."""

    method: str
    path: str
    query: str
    body_size: int
    policy_version: int | None  # options.requestedPolicyVersion of a JSON body
    status: int
    permission: str  # the IAM permission the route needs ("" when none or unknown)
    method_id: str  # the REST method served ("" for an unknown route)

    @property
    def is_read(self) -> bool:
        """True for a read method: GET, or POST to getIamPolicy/testIamPermissions/search."""
        return is_read(self.method, self.path)


def is_read(method: str, path: str) -> bool:
    """The emulator's definition of a read-only method."""
    if method == "GET":
        return True
    last = path.rsplit("/", 1)[-1]
    return method == "POST" and (last.endswith(READ_VERBS) or ":search" in last)


class TokenBucket:
    """An API's quota: `rate` tokens per second, holding at most `burst` (default: one second's
    worth, at least one); a request without a token is refused (`try_take`)."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("a rate must be a positive number of requests per second")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def try_take(self) -> float:
        """Take a token if there is one (0.0); else take none and say in how many seconds
        there will be one."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


_PROJECT_IN_PATH = re.compile(r"/projects/([^/:]+)")


def _distinct_key(method: str, path: str, query: str, response: Response) -> tuple[str, ...] | None:
    """What makes a request distinct for `distinct_by_api` (None: a 429, not counted)."""
    if response.status == 429:
        return None
    if response.status == 403 and response.body and b"SERVICE_DISABLED" in response.body:
        found = _PROJECT_IN_PATH.search(path)
        return ("disabled", found.group(1) if found else path)
    return (method, path, query)


class Emulator:
    """A local GCP REST API emulator serving one world.

    Use as a context manager; `url` is the `--api-base` for gcplint. Every response is delayed
    by `latency` plus a uniform 0..`jitter` seconds; `quotas` limits the requests per second of
    API labels (e.g. {"run": 20}), answering 429 RESOURCE_EXHAUSTED over the rate; `seed` makes
    probabilistic faults (and jitter) repeatable. It answers only requests addressed to it by a
    loopback name and its port (a DNS-rebound page cannot read the world: 421), keeps the newest
    `log_length` requests in its log, and refuses a body over `MAX_REQUEST_BYTES` (413). It
    answers a `fields` parameter with a partial response (partial.py) unless `partial` is False
    (then the whole response, as if none was sent).
    """

    def __init__(
        self,
        world: World,
        *,
        page_size: int = 50,
        latency: float = 0.0,
        jitter: float = 0.0,
        quotas: Mapping[str, float] | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        log_length: int = REQUEST_LOG_LENGTH,
        partial: bool = True,
    ) -> None:
        self.world = world
        self.partial = partial
        self.page_size = page_size
        self.latency = latency
        self.jitter = jitter
        self._buckets = {label: TokenBucket(rate) for label, rate in (quotas or {}).items()}
        self._fault_rng = random.Random(seed)
        self._jitter_rng = random.Random(seed)
        self._calls: Counter[str] = Counter()
        self._rejected: Counter[str] = Counter()
        self._distinct: dict[str, set[tuple[str, ...]]] = {}
        self._faults: list[Fault] = [replace(f) for f in world.faults]
        self._log: deque[LoggedRequest] = deque(maxlen=log_length)
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.emulator = self
        bound = self._server.server_address[1]
        names = {*LOOPBACK_NAMES, host} - {"", "0.0.0.0", "::"}
        self._hosts = frozenset(f"{name}:{bound}" for name in names)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:41234."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the requests seen so far."""
        with self._lock:
            self._log.clear()

    def calls_by_api(self) -> dict[str, int]:
        """Requests received per API label, rejected ones included."""
        with self._lock:
            return dict(sorted(self._calls.items()))

    def rejected_by_api(self) -> dict[str, int]:
        """Requests rejected per API label for going over its quota."""
        with self._lock:
            return dict(sorted(self._rejected.items()))

    def distinct_by_api(self) -> dict[str, int]:
        """Distinct requests answered per API label (not 429): the same method, path and query
        asked again (a retry, a repeated read) counts once, and every request a project's
        disabled API refused counts once per project and API (one answer says it is off)."""
        with self._lock:
            return {label: len(keys) for label, keys in sorted(self._distinct.items())}

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault for matching requests from now on."""
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    def start(self) -> Emulator:
        """Serve in a background thread (once)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling ----------------------------------------------------------------

    def addressed(self, host: str | None) -> bool:
        """True when a Host header names this emulator (a loopback name and its port)."""
        return host is not None and host.lower() in self._hosts

    def handle(
        self, method: str, raw_path: str, body: bytes, user_project: str | None = None
    ) -> Response:
        """Serve one request and log it; `user_project` is the quota project the caller
        named (x-goog-user-project)."""
        split = urlsplit(raw_path)
        path = unquote(split.path)
        if path == "/__emulator/requests" and method == "GET":
            return Response(200, _encode({"requests": [r.__dict__ for r in self.requests]}))
        if path == "/__emulator/stats" and method == "GET":
            stats = {
                "calls": self.calls_by_api(),
                "rejected": self.rejected_by_api(),
                "distinct": self.distinct_by_api(),
            }
            return Response(200, _encode(stats))
        route: routes.Route | None = None
        api, _, rest = path.lstrip("/").partition("/")
        try:
            self._delay()
            self._count(api)
            if not is_read(method, path):
                raise ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"gcplint emulator: {method} {path} is not a read method; refused",
                )
            route, params = routes.match(api, method, "/" + rest)
            self._bill(route, user_project)
            response = self._answer(route, params, method, path, rest, split.query, body)
        except ApiError as err:
            response = Response(err.code, _encode(err.body()), err.headers)
        except Exception as exc:  # a world whose data the route cannot serve
            sys.stderr.write(f"gcplint emulator: cannot serve {method} {path}: {exc!r}\n")
            response = Response(
                500, _encode(ApiError(500, "INTERNAL", f"emulator error: {exc}").body())
            )
        permission, method_id = (route.permission, route.method_id) if route else ("", "")
        logged = LoggedRequest(
            method,
            path,
            split.query,
            len(body),
            _policy_version(body),
            response.status,
            permission,
            method_id,
        )
        key = _distinct_key(method, path, split.query, response)
        with self._lock:
            self._log.append(logged)
            if key is not None:
                self._distinct.setdefault(api, set()).add(key)
        return response

    def _bill(self, route: routes.Route, user_project: str | None) -> None:
        """A call billed to a quota project of the world that has not enabled the API is
        refused as Google refuses it: 403 SERVICE_DISABLED naming that project as consumer."""
        billed = self.world.find_project(user_project) if user_project else None
        if billed is not None and not billed.serves(route.service):
            raise injected("SERVICE_DISABLED", route.service, route.permission, "", billed.number)

    def _delay(self) -> None:
        """Sleep the latency plus this request's jitter."""
        with self._lock:
            extra = self._jitter_rng.uniform(0, self.jitter) if self.jitter else 0.0
        if self.latency or extra:
            time.sleep(self.latency + extra)

    def _count(self, api: str) -> None:
        """Count a request to an API label."""
        with self._lock:
            self._calls[api] += 1

    def _enforce_quota(self, route: routes.Route, project: ProjectEntry | None) -> None:
        """Over the API's quota: a 429 saying how many seconds to wait."""
        with self._lock:
            bucket = self._buckets.get(route.api.label)
            wait = bucket.try_take() if bucket is not None else 0.0
            if wait:
                self._rejected[route.api.label] += 1
        if wait:
            err = quota_exceeded(route.service, project.number if project else None)
            err.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            raise err

    def _answer(
        self,
        route: routes.Route,
        params: dict[str, str],
        method: str,
        path: str,
        rest: str,
        query: str,
        body: bytes,
    ) -> Response:
        if "project" not in params and route.owner is not None:
            owner = route.owner(self.world, params, parse_qs(query))
            if owner:
                params["project"] = owner
        project = self.world.find_project(params["project"]) if "project" in params else None
        self._enforce_quota(route, project)
        fault = self._take_fault(method, path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.error in HTTP_FAULTS:
            number = project.number if project is not None else params.get("project", "0")
            err = injected(fault.error, route.service, route.permission, _resource(rest), number)
            if fault.retry_after is not None:
                err.headers["Retry-After"] = str(fault.retry_after)
            raise err
        self._replay_snapshot(route, params, rest, project)
        if "project" in params:
            if project is None:
                raise permission_denied(route.permission, _resource(rest))
            if not project.serves(route.service):
                raise injected(
                    "SERVICE_DISABLED", route.service, route.permission, "", project.number
                )
        resource = routes.iam_resource_of(params, project)
        if resource and route.permission and self.world.is_denied(resource, route.permission):
            raise permission_denied(route.permission, _resource(rest))
        asked = parse_qs(query)
        selection = (
            partial.parse(asked["fields"][-1]) if self.partial and "fields" in asked else None
        )
        call = routes.Call(
            world=self.world,
            method=method,
            path="/" + rest,
            query=asked,
            body=_json_body(body),
            page_size=self.page_size,
            params=params,
            project=project,
        )
        answer = partial.select(route.handler(call), selection)
        return _broken(fault.error if fault else None, answer)

    def _replay_snapshot(
        self,
        route: routes.Route,
        params: dict[str, str],
        rest: str,
        project: ProjectEntry | None,
    ) -> None:
        """In a snapshot, a read that failed fails again the same way, and a read that was
        not collected is an error: never an empty answer that would look like a pass."""
        snapshot, read = self.world.snapshot, route.read_key(params)
        if snapshot is None or read is None:
            return
        collection, key = read
        collected, failure = snapshot.status(collection.name, key) if key else (False, None)
        if not collected:
            raise not_collected(NOT_COLLECTED)
        if failure is not None:
            number = project.number if project is not None else params.get("project", "0")
            raise replayed(failure, route.service, route.permission, _resource(rest), number)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method not in (None, method) or not fnmatch.fnmatchcase(path, fault.path):
                    continue
                if fault.times is not None and fault.times <= 0:
                    continue
                if fault.probability < 1 and self._fault_rng.random() >= fault.probability:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None


def _encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _broken(kind: str | None, payload: dict[str, Any]) -> Response:
    """The response, damaged as a fault of `kind` asks (None: intact)."""
    if kind == "CONNECTION_RESET":
        return Response(200, None)
    if kind == "ERROR_BODY":  # a 200 whose body is an error, as a broken proxy may send
        denied = ApiError(403, "PERMISSION_DENIED", "The caller does not have permission")
        return Response(200, _encode(denied.body()))
    data = _encode(payload)
    if kind == "MALFORMED_JSON":
        return Response(200, data[: max(1, len(data) // 2)])
    if kind == "WRONG_SHAPE":
        lists = {k: {"unexpected": "object"} for k, v in payload.items() if isinstance(v, list)}
        return Response(200, _encode({**payload, **lists} if lists else [payload]))
    if kind == "LOOPING_TOKEN":
        return Response(200, _encode({**payload, "nextPageToken": "gcplint-emulator-loop"}))
    return Response(200, data)


def _resource(path: str) -> str:
    """The resource part of a path after the API label: without the version."""
    parts = path.strip("/").split("/")
    if parts and parts[0][:1] == "v" and parts[0][1:2].isdigit():
        parts.pop(0)
    return "/".join(parts)


def _policy_version(body: bytes) -> int | None:
    """The policy version a getIamPolicy body asks for (`options.requestedPolicyVersion`)."""
    try:
        options = _json_body(body).get("options")
    except ApiError:
        return None
    version = options.get("requestedPolicyVersion") if isinstance(options, dict) else None
    return version if isinstance(version, int) else None


def _json_body(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        raise invalid_argument("Invalid JSON payload received.") from None
    return data if isinstance(data, dict) else {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a scan opens many connections at once; the default backlog is 5
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, reset) is expected in fault tests: stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        response = self._refusal()
        if response is None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            response = self.server.emulator.handle(
                self.command, self.path, body, self.headers.get("X-Goog-User-Project")
            )
        if response.body is None:  # an injected connection reset: drop the connection, send nothing
            self.close_connection = True
            return
        status, data, headers = response.status, response.body, response.headers
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _refusal(self) -> Response | None:
        """The answer to a request the emulator will not read: addressed to another host
        (DNS rebinding), or with a body it will not hold. Its body stays unread, so the
        connection is closed after the answer."""
        host = self.headers.get("Host")
        raw = self.headers.get("Content-Length") or "0"
        if not self.server.emulator.addressed(host):
            error = ApiError(
                421,
                "PERMISSION_DENIED",
                f"gcplint emulator: Host {host!r} is not this emulator; only loopback names"
                " with its port are served",
            )
        elif not raw.isdigit() or "Transfer-Encoding" in self.headers:
            error = ApiError(
                411, "INVALID_ARGUMENT", "gcplint emulator: a body needs a Content-Length"
            )
        elif int(raw) > MAX_REQUEST_BYTES:
            error = ApiError(
                413,
                "INVALID_ARGUMENT",
                f"gcplint emulator: request body larger than {size(MAX_REQUEST_BYTES)}; refused",
            )
        else:
            return None
        self.close_connection = True
        return Response(error.code, _encode(error.body()), {"Connection": "close"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""
