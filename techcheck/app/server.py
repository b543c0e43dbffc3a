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
    stopped = threading.Event()
    closed = threading.Lock()
    closed_flag: list[bool] = []

    def close_all() -> None:
        # Every channel (listening socket, open connections, the trigger) is closed once, by
        # whoever gets here first: the serving thread when its loop ends, or stop() when the
        # loop never ran. Closing twice would close a file number another socket may reuse.
        with closed:
            if closed_flag:
                return
            closed_flag.append(True)
            for channel in list(server._map.values()):
                channel.handle_close()
            server.task_dispatcher.shutdown()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        state.stop_everything()
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        with closed:
            if not closed_flag:
                server.trigger.pull_trigger()  # wake the loop now

    state = AppState(config=config, guard=guard, shutdown=stop)
    app = create_app(state)
    server = create_server(app, host=HOST, port=0, threads=threads, ident="", clear_untrusted_proxy_headers=True)
    guard.port = int(server.effective_port)

    def watch_idle() -> None:
        while not stopped.wait(min(30.0, max(idle_seconds / 4, 0.05))):
            if time.monotonic() - state.last_request > idle_seconds:
                stop()

    def serve() -> None:
        threading.Thread(target=watch_idle, daemon=True).start()
        try:
            # waitress's own loop, one round at a time, so the same thread sees the stop request
            # and closes the channels (never another thread while the loop polls them).
            while not stopped.is_set():
                server.asyncore.loop(timeout=0.5, map=server._map, count=1)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            close_all()

    return RunningApp(guard.url(), guard.port, state, serve, stop)


def run_app(config: AppConfig, open_browser: bool = True, echo: Callable[[str], None] = print) -> None:
    os.umask(0o077)  # everything the app writes (saved reports, the case store) is owner-only
    running = build_server(config)
    if open_browser:
        echo(f"techcheck app: {running.url}")
        webbrowser.open(running.url)
    else:
        echo(running.url)
    running.serve()
