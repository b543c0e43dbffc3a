"""Run techcheck on a real pseudo-terminal (Python's pty module), as a person at a keyboard would."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field


@dataclass
class Terminal:
    """A techcheck process whose stdin, stdout and stderr are one terminal of a given size."""

    args: list[str]
    env: dict[str, str]
    rows: int = 24
    cols: int = 80
    output: bytearray = field(default_factory=bytearray)

    def __post_init__(self) -> None:
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "techcheck", *self.args], stdin=follower,
                                     stdout=follower, stderr=follower, env=self.env, close_fds=True,
                                     start_new_session=True)
        os.close(follower)

    def _read_some(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.leader], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.leader, 65536)
        except OSError:  # the terminal closes when the program ends
            return False
        if not data:
            return False
        self.output.extend(data)
        return True

    def read_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and self._read_some(0.1):
            pass

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def wait_for(self, needle: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > end or not self._read_some(0.2) and needle not in self.text:
                raise AssertionError(f"{needle!r} never showed; the screen had:\n{self.text[-3000:]}")

    def send(self, keys: str) -> None:
        os.write(self.leader, keys.encode())

    def press(self, keys: str, until: str, timeout: float = 60) -> None:
        """Press keys until `until` shows. The program flushes keys typed before it asks (so an
        early Enter cannot start a scan unread); pressing again covers that moment."""
        end = time.monotonic() + timeout
        while until not in self.text:
            self.send(keys)
            stop = time.monotonic() + 1.0
            while until not in self.text and time.monotonic() < stop:
                if not self._read_some(0.1):
                    break
            if self.proc.poll() is not None and until not in self.text:
                self._read_some(0.2)
                break
            if time.monotonic() > end:
                break
        if until not in self.text:
            raise AssertionError(f"{until!r} never showed after pressing {keys!r}:\n{self.text[-3000:]}")

    def finish(self, timeout: float = 90) -> int:
        """Read everything until the program ends; return its exit status."""
        end = time.monotonic() + timeout
        while self._read_some(0.2):
            if self.proc.poll() is not None and not select.select([self.leader], [], [], 0.2)[0]:
                break
            if time.monotonic() > end:
                self.proc.kill()
                raise AssertionError(f"still running after {timeout} s:\n{self.text[-3000:]}")
        os.close(self.leader)
        return self.proc.wait(timeout=30)
