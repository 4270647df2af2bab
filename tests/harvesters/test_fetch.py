"""The fetcher against a real HTTP server on 127.0.0.1 that misbehaves like county sites do."""
import socket
import time

import pytest

from ckanext_gkcatalog.harvesters.fetch import FetchError, FetchLimits, check_address, fetch

from servers import LocalServer

LOCAL = FetchLimits(timeout=5, connect_timeout=2, max_bytes=1024 * 1024, allowed_networks=["127.0.0.1/32"])


@pytest.fixture
def server(tmp_path):
    (tmp_path / "catalog.csv").write_text("序号,一级事项\n1,就业信息服务\n", encoding="utf-8")
    with LocalServer(str(tmp_path)) as srv:
        yield srv


def code_of(url, limits=LOCAL, **kwargs):
    with pytest.raises(FetchError) as exc:
        fetch(url, limits, **kwargs)
    return exc.value.problem


def test_fetch_and_conditional_get(server):
    first = fetch(server.url + "/catalog.csv", LOCAL)
    assert first.status == 200 and "就业信息服务".encode() in first.data and first.etag
    again = fetch(server.url + "/catalog.csv", LOCAL, etag=first.etag)
    assert again.not_modified and again.data == b""
    assert server.handler.requests_seen[-1][1]["If-None-Match"] == first.etag


def test_private_addresses_are_refused_unless_allowed(server):
    problem = code_of(server.url + "/catalog.csv", FetchLimits())
    assert problem.code == "fetch_private_address"
    assert "127.0.0.1" in problem.message("en") and "拒绝访问内网地址" in problem.message("zh")
    assert server.handler.requests_seen == []  # refused before any connection
    for url in ("http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://0.0.0.0/"):
        with pytest.raises(FetchError) as exc:
            check_address(url, FetchLimits())
        assert exc.value.problem.code == "fetch_private_address"
    assert code_of("file:///etc/passwd").code == "fetch_bad_url"


def test_a_redirect_to_a_private_address_is_refused(server):
    problem = code_of(server.url + "/fault/redirect-private")
    assert problem.code == "fetch_private_address" and problem.params["address"] == "10.255.255.1"


@pytest.mark.parametrize("path, code", [
    ("/fault/500", "fetch_http_error"), ("/missing.csv", "fetch_http_error"), ("/fault/loop", "fetch_redirect_loop"),
    ("/fault/truncated", "fetch_truncated"), ("/fault/huge", "fetch_too_large"),
])
def test_faults_give_clear_problems(server, path, code):
    problem = code_of(server.url + path)
    assert problem.code == code
    assert problem.location.file == server.url + path


def test_timeout(server):
    problem = code_of(server.url + "/fault/slow", FetchLimits(timeout=0.5, connect_timeout=0.5,
                                                              allowed_networks=["127.0.0.1/32"]))
    assert problem.code == "fetch_timeout" and "0.5" in problem.message("en")


def test_connection_refused_is_a_fetch_failure():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    assert code_of(f"http://127.0.0.1:{port}/x.csv").code == "fetch_failed"


@pytest.mark.parametrize("path", ["/fault/drip", "/fault/drip-headers"])
def test_the_timeout_is_a_deadline_for_the_whole_download(server, path):
    """A byte every 0.2 s: no read ever waits long, yet the download must end at the deadline."""
    limits = FetchLimits(timeout=1.0, connect_timeout=1.0, allowed_networks=["127.0.0.1/32"])
    started = time.monotonic()
    problem = code_of(server.url + path, limits)
    took = time.monotonic() - started
    assert problem.code == "fetch_timeout" and took < 1.6, took


def test_the_connection_goes_to_the_address_the_guard_checked(server, monkeypatch):
    """DNS rebinding: the name answers an allowed address to the guard, then another one. A server on
    127.0.0.2 (same port) stands for the address the attacker rebinds to; it must never be asked."""
    port = server.httpd.server_address[1]
    try:
        evil = LocalServer(str(server.handler.root), address=("127.0.0.2", port))
    except OSError:
        pytest.skip("cannot listen on 127.0.0.2")
    answers = iter(["127.0.0.1"] + ["127.0.0.2"] * 10)
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "county.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with evil:
        got = fetch(f"http://county.example:{port}/catalog.csv", LOCAL)
    assert "就业信息服务".encode() in got.data
    assert evil.handler.requests_seen == []
    assert server.handler.requests_seen[-1][1]["Host"] == f"county.example:{port}"


BYPASSES = [  # spellings of a private address that URL parsers and resolvers read differently
    "http://127.0.0.1/", "http://127.1/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://2130706433/",
    "http://0x7f000001/", "http://017700000001/", "http://0/", "http://0.0.0.0/", "http://[::1]/", "http://[::]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://localhost/", "http://LOCALHOST./", "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://[fd00::1]/", "http://[fe80::1]/",
    "http://user:pass@127.0.0.1/", "http://127.0.0.1:22/", "https://127.0.0.1:443/",
]


@pytest.mark.parametrize("url", BYPASSES)
def test_address_guard_bypass_forms_are_refused_before_connecting(url, monkeypatch):
    connected = []

    def connect(sock, address):
        connected.append(address)
        raise OSError("no connection in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    problem = code_of(url, FetchLimits(timeout=2, connect_timeout=1))
    # refused as private, or a name that does not resolve here: nothing is connected to either way
    assert problem.code in ("fetch_private_address", "fetch_bad_url") or "cannot resolve" in problem.message("en")
    assert connected == []
