"""Only this person gets in: token, Host, Origin and CSRF checks; 127.0.0.1 only; no caching;
Quick exit and the idle timer stop the server; many page loads at once give no error and steady
memory."""

from __future__ import annotations

import concurrent.futures
import socket
import threading
import time
from pathlib import Path

import psutil

from tests.app_support import AppClient, running_app


def test_no_token_wrong_token_and_no_cookie_are_refused(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        assert client.get("/start").status == 403
        assert client.get("/?token=guess").status == 403
        assert client.get("/static/app.css").status == 403
        client.sign_in()
        assert client.get("/start").status == 200
        stranger = AppClient(app, cookie="techcheck_session=made-up")
        assert stranger.get("/start").status == 403


def test_the_token_becomes_a_strict_http_only_cookie(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        token = app.url.split("token=", 1)[1]
        reply = client.get(f"/?token={token}")
        assert reply.status == 303 and reply.location == "/start"  # the token leaves the address bar
        cookie = reply.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie


def test_wrong_host_header_is_refused(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        client.sign_in()
        for host in ("evil.example", f"evil.example:{app.port}", "127.0.0.1", f"127.0.0.1:{app.port + 1}"):
            assert client.request("GET", "/start", headers={"Host": host}).status == 403, host
        assert client.request("GET", "/start", headers={"Host": f"localhost:{app.port}"}).status == 200


def test_cross_origin_and_token_less_posts_are_refused(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        client.sign_in()
        client.get("/choose")
        form = {"what": "this"}
        assert client.request("POST", "/scan", form, headers={"Origin": "http://evil.example"}).status == 403
        assert client.request("POST", "/scan", form, headers={"Origin": "null"}).status == 403
        no_origin = AppClient(app, cookie=client.cookie, csrf=client.csrf)
        no_origin.origin = ""
        assert no_origin.request("POST", "/exit", {}).status == 403
        assert client.request("POST", "/exit", {"csrf": "wrong"}).status == 403
        assert not app.state.jobs  # nothing was started by the refused requests


def test_listens_on_loopback_only_and_pages_are_not_cached(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        listening = [c for c in psutil.Process().net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == app.port]
        assert [c.laddr.ip for c in listening] == ["127.0.0.1"]
        with socket.socket() as other:  # another address of this machine does not answer
            other.settimeout(1)
            addresses = {a.address for addrs in psutil.net_if_addrs().values() for a in addrs
                         if a.family == socket.AF_INET and not a.address.startswith("127.")}
            for address in addresses:
                assert other.connect_ex((address, app.port)) != 0
        client = AppClient(app)
        page = client.sign_in()
        assert page.headers["cache-control"] == "no-store"
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "<title>Local page</title>" in page.body  # a neutral title


def test_quick_exit_stops_the_server(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        client.sign_in()
        reply = client.post("/exit", {})
        assert reply.status == 200 and "You can close this window." in reply.body
        assert "techcheck" not in reply.body.lower()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", app.port)) != 0:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("the server still answers after Quick exit")


def test_idle_server_stops_by_itself(tmp_path: Path) -> None:
    with running_app(tmp_path, idle_seconds=0.5) as app:
        time.sleep(1.5)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", app.port)) != 0


def test_fifty_concurrent_page_loads_for_ten_seconds(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        first = AppClient(app)
        first.sign_in()
        rss_before = psutil.Process().memory_info().rss
        stop_at = time.monotonic() + 10
        errors: list[str] = []
        counts = [0] * 50
        lock = threading.Lock()

        def load(i: int) -> None:
            client = AppClient(app, cookie=first.cookie)
            while time.monotonic() < stop_at:
                reply = client.get("/start" if i % 2 else "/choose")
                if reply.status != 200:
                    with lock:
                        errors.append(f"{reply.status}")
                counts[i] += 1

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            list(pool.map(load, range(50)))
        rss_after = psutil.Process().memory_info().rss
    assert errors == []
    assert sum(counts) > 200
    assert rss_after - rss_before < 64 * 1024 * 1024, (rss_before, rss_after)
