"""Fetching a source: bytes over HTTP with a timeout, a size limit and an address guard.

Every hop of a redirect is checked: a county URL must not lead the harvester to the machine's own
services or the private network (SSRF) unless the configuration allows those addresses. Conditional
GET (ETag / Last-Modified) lets an unchanged source answer 304 without a body.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

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


def check_address(url: str, limits: FetchLimits) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a non-public address."""
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


def fetch(url: str, limits: FetchLimits | None = None, etag: str | None = None,
          last_modified: str | None = None, session: requests.Session | None = None,
          error_body: bool = False) -> Fetched:
    """GET url within the limits. An HTTP error status raises FetchError, unless `error_body` asks for the
    error's body (an API explains its errors there)."""
    limits = limits or FetchLimits()
    session = session or requests.Session()
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + limits.timeout
    seen = []
    current = url
    for _ in range(limits.max_redirects + 1):
        check_address(current, limits)
        seen.append(current)
        try:
            response = session.get(current, headers=headers, stream=True, allow_redirects=False,
                                   timeout=(limits.connect_timeout, max(0.1, deadline - time.monotonic())))
        except requests.Timeout:
            raise _fail(url, "fetch_timeout", seconds=limits.timeout)
        except requests.RequestException as exc:
            raise _fail(url, "fetch_failed", reason=type(exc).__name__)
        if response.is_redirect:
            target = urljoin(current, response.headers.get("Location", ""))
            response.close()
            if target in seen:
                raise _fail(url, "fetch_redirect_loop", target=target)
            current = target
            continue
        return _read_body(url, current, response, limits, deadline, error_body)
    raise _fail(url, "fetch_redirect_loop", target=current)


def _read_body(url: str, final: str, response: requests.Response, limits: FetchLimits, deadline: float,
               error_body: bool) -> Fetched:
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
                if time.monotonic() > deadline:
                    raise _fail(url, "fetch_timeout", seconds=limits.timeout)
                chunks.append(chunk)
        except requests.RequestException as exc:  # connection dropped or timed out mid-body
            if isinstance(exc, (requests.Timeout, requests.exceptions.ConnectionError)) and time.monotonic() > deadline:
                raise _fail(url, "fetch_timeout", seconds=limits.timeout)
            raise _fail(url, "fetch_truncated", received=size, expected=declared or "?")
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
    the same address guard on every redirect hop, the same time and size limits."""

    def __init__(self, limits: FetchLimits):
        self.limits = limits
        self.session = requests.Session()

    def get(self, url, params=None, headers=None, **_ignored):
        full = requests.Request("GET", url, params=params).prepare().url
        got = fetch(full, self.limits, session=self.session, error_body=True)
        return _Answer(got.status, got.data.decode("utf-8", errors="replace"))

    def post(self, *args, **kwargs):  # a harvester only reads; ckanapi is told get_only=True
        raise NotImplementedError("the harvester does not POST")
