"""A scan run for the app in a child process, so that Cancel and Quick exit really stop it.

A Python thread cannot be killed; a process can. The child runs the same scan and report model as
the CLI and sends back progress (check by check) and, at the end, the JSON evidence record.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

JobState = Literal["running", "done", "failed", "cancelled"]
# A scan that has not finished by then is stopped (a disk copy built to hang a reader, say).
MAX_SCAN_SECONDS = 30 * 60


@dataclass(frozen=True)
class ScanRequest:
    root: str | None  # None = this computer
    os_name: str | None
    lang: str
    rule_dirs: tuple[str, ...] = ()


def _child(conn: Connection, request: ScanRequest) -> None:
    """Runs in the child process: scan, then send the JSON report (or a plain error)."""
    from techcheck.app.texts import at
    from techcheck.collectors.base import collectors_for
    from techcheck.errors import RuleError, TechcheckError
    from techcheck.report.json_report import render_json
    from techcheck.report.model import build_report
    from techcheck.ruleset import load_rules, shipped_rules_dir
    from techcheck.scan import run_scan
    from techcheck.target import open_image, open_live
    from techcheck.texts import check_title, t

    lang = request.lang
    try:
        ruleset = load_rules([str(shipped_rules_dir()), *request.rule_dirs])
        target = open_image(request.root, request.os_name) if request.root else open_live()  # type: ignore[arg-type]
        if target.os == "unknown":
            conn.send(("error", at("app_unknown_os", lang)))
            return
        titles = {c.title: check_title(c.name, c.title, lang) for c in collectors_for(target.os)}

        def progress(title: str, done: int, total: int) -> None:
            shown = t("progress_matching", lang) if done == total else titles.get(title, title)
            conn.send(("progress", shown, done, total))

        result = run_scan(target, ruleset, progress)
        conn.send(("done", render_json(build_report(result, lang))))
    except RuleError as exc:
        conn.send(("error", "; ".join(str(p) for p in exc.problems[:5])))
    except TechcheckError as exc:
        conn.send(("error", str(exc)))
    finally:
        conn.close()


@dataclass
class ScanJob:
    request: ScanRequest
    state: JobState = "running"
    current: str = ""
    done: int = 0
    total: int = 0
    steps: list[str] = field(default_factory=list)
    report_json: str = ""
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    _process: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork: the server has threads
        parent, child = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(child, self.request), daemon=True)
        self._process.start()
        child.close()
        threading.Thread(target=self._follow, args=(parent,), daemon=True).start()

    def _follow(self, conn: Connection) -> None:
        try:
            while True:
                remaining = MAX_SCAN_SECONDS - (time.monotonic() - self.started)
                if remaining <= 0 or not conn.poll(min(remaining, 1.0)):
                    if remaining <= 0:
                        self.cancel("timeout")
                        return
                    if not self._process.is_alive() and not conn.poll(0):
                        self._finish("failed", error="the check stopped unexpectedly")
                        return
                    continue
                message = conn.recv()
                self._handle(message)
                if message[0] in ("done", "error"):
                    return
        except (EOFError, OSError):
            if self.state == "running":
                self._finish("failed", error="the check stopped unexpectedly")
        finally:
            conn.close()

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        with self._lock:
            if self.state != "running":
                return
            if kind == "progress":
                _, shown, done, total = message
                if self.current and self.current not in self.steps:
                    self.steps.append(self.current)
                self.current, self.done, self.total = str(shown), int(done), int(total)
                return
        if kind == "done":
            self._finish("done", report_json=str(message[1]))
        elif kind == "error":
            self._finish("failed", error=str(message[1]))

    def _finish(self, state: JobState, report_json: str = "", error: str = "") -> None:
        with self._lock:
            if self.state != "running":
                return
            if self.current and self.current not in self.steps:
                self.steps.append(self.current)
            self.state, self.report_json, self.error = state, report_json, error
        if self._process is not None:
            self._process.join(timeout=5)

    def cancel(self, why: str = "cancelled") -> None:
        """Stop the child process now; nothing it found is kept."""
        with self._lock:
            if self.state != "running":
                return
            self.state = "cancelled"
            self.error = why
        proc = self._process
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)

    @property
    def alive(self) -> bool:
        return bool(self._process is not None and self._process.is_alive())
