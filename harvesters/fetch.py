"""Fetching a source: bytes over HTTP with a deadline, a size limit and an address guard.

Every hop of a redirect is checked: a county URL must not lead the harvester to the machine's own
services or the private network (SSRF) unless the configuration allows those addresses. The connection
goes to the address the guard checked, never to a second DNS answer (DNS rebinding). The timeout is a
deadline for the whole download: when it passes, the connection is shut, whatever the server is doing
(a body sent a byte at a time, headers that never end). Conditional GET (ETag / Last-Modified) lets an
unchanged source answer 304 without a body.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from ckanext_gkcatalog.problems import Location, Problem

USER_AGENT = "ckanext-gkcatalog harvester (+https://github.com/ckanext-gkcatalog)"


@dataclass
class FetchLimits:
    timeout: float = 30.0  # seconds for the whole download
    connect_timeout: float = 10.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    # networks a source may resolve to although they are private, e.g. ["127.0.0.1/32"] in tests
    allowed_networks: list = field(default_factory=list)


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    data: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message("en"))
        self.problem = problem


def _fail(url: str, code: str, **params) -> FetchError:
    return FetchError(Problem(code, Location(file=url), params))


def check_address(url: str, limits: FetchLimits) -> str:
    """Refuse URLs that are not http(s) or whose host resolves to a non-public address; returns the address
    to connect to (the first of those checked)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(url, "fetch_bad_url")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise _fail(url, "fetch_failed", reason=f"cannot resolve {parts.hostname} ({exc.strerror})")
    allowed = [ipaddress.ip_network(n, strict=False) for n in limits.allowed_networks]
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_global or any(address in net for net in allowed):
            continue
        raise _fail(url, "fetch_private_address", host=parts.hostname, address=str(address))
    return infos[0][4][0]


# --- connections to the checked address, shut at the deadline ---------------------------------------

_current = threading.local()  # this thread's download: the addresses its guard checked, and its deadline


class _Deadline:
    """Shuts the download's sockets when its time is up: a blocked read then returns at once."""

    def __init__(self, seconds: float):
        self.sockets: list = []
        self.expired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock) -> None:
        with self._lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


class _GuardedConnection(HTTPConnection):
    """Connects to the address fetch()'s guard checked for the host, and hands the socket to the deadline.
    A host the guard did not check is not connected to at all."""

    def _new_conn(self):
        checked = getattr(_current, "addresses", {}).get(self.host.strip("[]").lower())
        if checked is None:
            raise NewConnectionError(self, f"{self.host} was not checked by the address guard")
        try:
            sock = create_connection((checked, self.port), self.timeout, source_address=self.source_address,
                                     socket_options=self.socket_options)
        except socket.timeout as exc:
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"cannot connect to {self.host}: {exc}") from exc
        _current.deadline.watch(sock)
        return sock


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    """The same for https: TLS still checks the certificate against the host's name."""


class _WatchedPool:
    """A kept-alive connection taken again is watched by the deadline of the download that takes it."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        if getattr(conn, "sock", None) is not None:
            _current.deadline.watch(conn.sock)
        return conn


class _GuardedPool(_WatchedPool, HTTPConnectionPool):
    ConnectionCls = _GuardedConnection


class _GuardedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedPool, "https": _GuardedHTTPSPool}


def guarded_session() -> requests.Session:
    """A requests session whose connections go only to addresses fetch() checked."""
    session = requests.Session()
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def fetch(url: str, limits: FetchLimits | None = None, etag: str | None = None,
          last_modified: str | None = None, session: requests.Session | None = None,
          error_body: bool = False, deadline: float | None = None) -> Fetched:
    """GET url within the limits, by `deadline` (time.monotonic(); default: the limits' timeout from now).
    An HTTP error status raises FetchError, unless `error_body` asks for the error's body (an API explains
    its errors there). `session` must come from guarded_session()."""
    limits = limits or FetchLimits()
    deadline = time.monotonic() + limits.timeout if deadline is None else deadline
    if deadline <= time.monotonic():
        raise _fail(url, "fetch_timeout", seconds=limits.timeout)
    outer = getattr(_current, "deadline", None), getattr(_current, "addresses", None)
    watchdog = _current.deadline = _Deadline(deadline - time.monotonic())
    _current.addresses = {}
    try:
        return _follow(url, limits, etag, last_modified, session or guarded_session(), error_body, deadline)
    finally:
        watchdog.cancel()
        _current.deadline, _current.addresses = outer


def _follow(url: str, limits: FetchLimits, etag: str | None, last_modified: str | None, session,
            error_body: bool, deadline: float) -> Fetched:
    """The redirect hops, each one checked by the guard before it is connected to."""
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seen = []
    current = url
    for _ in range(limits.max_redirects + 1):
        address = check_address(current, limits)
        _current.addresses[urlsplit(current).hostname] = address
        seen.append(current)
        remaining = max(0.1, deadline - time.monotonic())
        try:
            response = session.get(current, headers=headers, stream=True, allow_redirects=False,
                                   timeout=(min(limits.connect_timeout, remaining), remaining))
        except requests.RequestException as exc:
            raise _timed_out(url, limits) if _expired(exc) else _fail(url, "fetch_failed", reason=type(exc).__name__)
        if response.is_redirect:
            target = urljoin(current, response.headers.get("Location", ""))
            response.close()
            if target in seen:
                raise _fail(url, "fetch_redirect_loop", target=target)
            current = target
            continue
        return _read_body(url, current, response, limits, error_body)
    raise _fail(url, "fetch_redirect_loop", target=current)


def _expired(exc: Exception | None = None) -> bool:
    """Whether the download's deadline passed (its sockets were shut), or requests timed out itself."""
    return _current.deadline.expired or isinstance(exc, requests.Timeout)


def _timed_out(url: str, limits: FetchLimits) -> FetchError:
    return _fail(url, "fetch_timeout", seconds=limits.timeout)


def _read_body(url: str, final: str, response: requests.Response, limits: FetchLimits, error_body: bool) -> Fetched:
    with response:
        meta = dict(url=final, status=response.status_code, content_type=response.headers.get("Content-Type"),
                    etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"))
        if response.status_code == 304:
            return Fetched(**meta)
        if response.status_code >= 400 and not error_body:
            raise _fail(url, "fetch_http_error", status=response.status_code, reason=response.reason or "")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise _fail(url, "fetch_too_large", limit=limits.max_bytes, size=int(declared))
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise _fail(url, "fetch_too_large", limit=limits.max_bytes, size=f">{limits.max_bytes}")
                chunks.append(chunk)
        except requests.RequestException as exc:  # connection dropped, or shut at the deadline, mid-body
            raise _timed_out(url, limits) if _expired(exc) else \
                _fail(url, "fetch_truncated", received=size, expected=declared or "?")
        if _expired():  # the shut socket ended the body early: that is the deadline, not a short file
            raise _timed_out(url, limits)
        data = b"".join(chunks)
        if declared and declared.isdigit() and len(data) < int(declared) and \
                not response.headers.get("Content-Encoding"):
            raise _fail(url, "fetch_truncated", received=len(data), expected=declared)
        return Fetched(data=data, **meta)


class _Answer:
    """The part of a requests.Response that ckanapi reads."""

    def __init__(self, status_code: int, text: str):
        self.status_code, self.text = status_code, text


class GuardedSession:
    """A stand-in for requests.Session handed to ckanapi, so that its API calls go through fetch():
    the same address guard on every redirect hop, the same size limit, and one deadline for them all."""

    def __init__(self, limits: FetchLimits):
        self.limits = limits
        self.session = guarded_session()
        self.deadline = time.monotonic() + limits.timeout  # one deadline for all the calls of a gather

    def get(self, url, params=None, headers=None, **_ignored):
        full = requests.Request("GET", url, params=params).prepare().url
        got = fetch(full, self.limits, session=self.session, error_body=True, deadline=self.deadline)
        return _Answer(got.status, got.data.decode("utf-8", errors="replace"))

    def post(self, *args, **kwargs):  # a harvester only reads; ckanapi is told get_only=True
        raise NotImplementedError("the harvester does not POST")


class ApiSession:
    """A requests-like session for ckanapi calls that write (POST): each call goes only to an address the
    guard checked, must finish within the limits' timeout in total, and its answer within max_bytes."""

    def __init__(self, limits: FetchLimits):
        self.limits = limits
        self.session = guarded_session()

    def post(self, url, **kwargs):
        return self._call("POST", url, **kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, **kwargs)

    def _call(self, method: str, url: str, **kwargs) -> _Answer:
        kwargs.pop("timeout", None)
        kwargs.pop("allow_redirects", None)
        address = check_address(url, self.limits)
        outer = getattr(_current, "deadline", None), getattr(_current, "addresses", None)
        watchdog = _current.deadline = _Deadline(self.limits.timeout)
        _current.addresses = {urlsplit(url).hostname.lower(): address}
        try:
            response = self.session.request(method, url, timeout=self.limits.timeout, allow_redirects=False,
                                            stream=True, **kwargs)
            got = _read_body(url, url, response, self.limits, error_body=True)
        except requests.RequestException as exc:
            raise _timed_out(url, self.limits) if _expired(exc) else \
                _fail(url, "fetch_failed", reason=str(exc).splitlines()[0][:300])
        finally:
            watchdog.cancel()
            _current.deadline, _current.addresses = outer
        return _Answer(got.status, got.data.decode("utf-8", errors="replace"))
