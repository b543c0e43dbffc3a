"""Helpers for the app tests: a running app server in this process, and a small HTTP client that
keeps the session cookie and sends the CSRF token and Origin as a browser would."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from techcheck.app.server import RunningApp, build_server
from techcheck.app.web import AppConfig


@dataclass
class Reply:
    status: int
    location: str
    body: str
    headers: dict[str, str]


@dataclass
class AppClient:
    app: RunningApp
    host: str = ""
    cookie: str = ""
    csrf: str = ""
    origin: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.host = self.host or f"127.0.0.1:{self.app.port}"
        self.origin = self.origin or f"http://127.0.0.1:{self.app.port}"

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.app.port, timeout=20)
        sent = {"Host": self.host, **self.extra}
        if self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            form = {"csrf": self.csrf, **form}
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.origin:
                sent["Origin"] = self.origin
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            got = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        if "set-cookie" in got:
            self.cookie = got["set-cookie"].split(";")[0]
        match = re.search(r'name="csrf" value="([^"]+)"', text)
        if match:
            self.csrf = match.group(1)
        return Reply(resp.status, got.get("location", ""), text, got)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.request("POST", path, form)

    def sign_in(self) -> Reply:
        token = self.app.url.split("token=", 1)[1]
        first = self.get(f"/?token={token}")
        assert first.status == 303 and first.location == "/start", first
        return self.get("/start")

    def wait_for_scan(self, progress_url: str, seconds: float = 90) -> str:
        """Follow a scan's progress page until it redirects to the results; return their address."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            reply = self.get(progress_url)
            if reply.status == 303:
                return reply.location
            assert reply.status == 200, reply
            time.sleep(0.3)
        raise AssertionError(f"the scan at {progress_url} did not finish in {seconds} s")


@contextmanager
def running_app(tmp_path: Path, clinic: bool = False, idle_seconds: float = 600, lang: str = "en",
                store: Path | None = None) -> Iterator[RunningApp]:
    config = AppConfig(clinic=clinic, store_path=store or tmp_path / "cases.sqlite", lang=lang,
                       default_folder=str(tmp_path))
    app = build_server(config, idle_seconds=idle_seconds)
    thread = threading.Thread(target=app.serve, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        app.stop()
        thread.join(10)
        assert not thread.is_alive(), "the app server did not stop"


def finding_keys(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="answer-([0-9a-f]+)"', page)))


def finding_titles(page: str) -> list[str]:
    return re.findall(r'<h3 id="title-[0-9a-f]+">([^<]+)</h3>', page)
