"""Start and stop the app's server: waitress on 127.0.0.1 only, on a free port.

The server stops on Quick exit, on Finish, after 30 idle minutes and on Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from waitress.server import create_server

from techcheck.app.guard import Guard
from techcheck.app.web import AppConfig, AppState, create_app

IDLE_SECONDS = 30 * 60
HOST = "127.0.0.1"  # never another address: the app is for the person at this computer


@dataclass
class RunningApp:
    url: str
    port: int
    state: AppState
    serve: Callable[[], None]  # blocks until the server stops
    stop: Callable[[], None]


def build_server(config: AppConfig, idle_seconds: float = IDLE_SECONDS, threads: int = 8) -> RunningApp:
    guard = Guard()
    loop = _ServerLoop(idle_seconds)
    state = AppState(config=config, guard=guard, shutdown=loop.stop)
    loop.state = state
    loop.server = create_server(create_app(state), host=HOST, port=0, threads=threads, ident="",
                                clear_untrusted_proxy_headers=True)
    guard.port = int(loop.server.effective_port)
    return RunningApp(guard.url(), guard.port, state, loop.serve, loop.stop)


class _ServerLoop:
    """waitress's loop run round by round on the serving thread, an idle watch, and one way to stop."""

    state: AppState
    server: Any

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.stopped = threading.Event()
        self.closed = threading.Lock()
        self.closed_flag: list[bool] = []

    def close_all(self) -> None:
        # Every channel (listening socket, open connections, the trigger) is closed once, by
        # whoever gets here first: the serving thread when its loop ends, or stop() when the
        # loop never ran. Closing twice would close a file number another socket may reuse.
        with self.closed:
            if self.closed_flag:
                return
            self.closed_flag.append(True)
            for channel in list(self.server._map.values()):
                channel.handle_close()
            self.server.task_dispatcher.shutdown()

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        self.state.stop_everything()
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        with self.closed:
            if not self.closed_flag:
                self.server.trigger.pull_trigger()  # wake the loop now

    def watch_idle(self) -> None:
        while not self.stopped.wait(min(30.0, max(self.idle_seconds / 4, 0.05))):
            if time.monotonic() - self.state.last_request > self.idle_seconds:
                self.stop()

    def serve(self) -> None:
        threading.Thread(target=self.watch_idle, daemon=True).start()
        try:
            # waitress's own loop, one round at a time, so the same thread sees the stop request
            # and closes the channels (never another thread while the loop polls them).
            while not self.stopped.is_set():
                self.server.asyncore.loop(timeout=0.5, map=self.server._map, count=1)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
            self.close_all()


def run_app(config: AppConfig, open_browser: bool = True, echo: Callable[[str], None] = print) -> None:
    os.umask(0o077)  # everything the app writes (saved reports, the case store) is owner-only
    running = build_server(config)
    if open_browser:
        echo(f"techcheck app: {running.url}")
        webbrowser.open(running.url)
    else:
        echo(running.url)
    running.serve()
