"""The live target: the computer techcheck runs on."""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass, field

import psutil

from techcheck.errors import NotAvailable
from techcheck.i18n import Message
from techcheck.target.base import OsName, ProcessInfo, SessionInfo, SocketInfo
from techcheck.target.filesystem import FilesystemTarget
from techcheck.target.registry import Registry


def current_os() -> OsName:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin":
        return "macos"
    if sys.platform in ("win32", "cygwin"):
        return "windows"
    return "unknown"


@dataclass
class LiveTarget(FilesystemTarget):
    """Files from the real root; processes, sockets and sessions from psutil (read-only calls)."""

    _registry: Registry | None = field(default=None, init=False, repr=False)

    def processes(self) -> list[ProcessInfo]:
        procs: dict[int, ProcessInfo] = {}
        attrs = ["pid", "name", "exe", "cmdline", "username", "ppid"]
        for proc in psutil.process_iter(attrs):
            info = proc.info
            procs[info["pid"]] = ProcessInfo(
                pid=info["pid"],
                name=info.get("name") or "",
                exe=info.get("exe") or "",
                cmdline=tuple(info.get("cmdline") or ()),
                user=info.get("username") or "",
                ppid=info.get("ppid"),
            )
        return [
            ProcessInfo(p.pid, p.name, p.exe, p.cmdline, p.user, p.ppid,
                        procs[p.ppid].name if p.ppid in procs else "")
            for p in sorted(procs.values(), key=lambda p: p.pid)
        ]

    def sockets(self) -> list[SocketInfo]:
        result = []
        try:
            conns = psutil.net_connections(kind="inet")
        except psutil.AccessDenied as exc:
            raise NotAvailable(Message.of("target.sockets_refused")) from exc
        for c in conns:
            family6 = c.family == socket.AF_INET6
            proto = ("tcp" if c.type == socket.SOCK_STREAM else "udp") + ("6" if family6 else "")
            local = c.laddr if c.laddr else None
            remote = c.raddr if c.raddr else None
            result.append(SocketInfo(
                protocol=proto,
                local_address=local.ip if local else "",
                local_port=local.port if local else 0,
                remote_address=remote.ip if remote else "",
                remote_port=remote.port if remote else 0,
                state=c.status,
                pid=c.pid,
            ))
        return sorted(result, key=lambda s: (s.protocol, s.local_port, s.local_address, s.pid or 0))

    def sessions(self) -> list[SessionInfo]:
        return [SessionInfo(u.name, u.terminal or "", u.host or "", u.started) for u in psutil.users()]

    def registry(self) -> Registry:
        if self.os != "windows":
            raise NotAvailable(Message.of("target.no_registry"))
        if self._registry is None:  # opened once per scan, shared by the collectors
            from techcheck.target.winreg_live import open_live_registry  # imported only on Windows

            self._registry = open_live_registry(target=self)  # signed-out users: NTUSER.DAT from disk
        return self._registry

    def hostname(self) -> str:
        return socket.gethostname()


def open_live() -> LiveTarget:
    os_name = current_os()
    root = "C:\\" if os_name == "windows" else "/"
    return LiveTarget(mode="live", os=os_name, root=root, case_insensitive=False, birth_times=True)
