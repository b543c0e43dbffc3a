"""Running programs, network listeners and connections, and signed-in sessions (live scans only).

Shared by every platform: the facts come from the target's processes(), sockets() and sessions(),
which psutil fills on a live system and which a disk image does not have.
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, unix_noted
from techcheck.i18n import Message
from techcheck.target.base import ProcessInfo, Target
from techcheck.timeutil import iso_utc

ALL = ("linux", "windows", "macos")
LOOPBACK = ("127.", "::1", "localhost")


class LiveSystem(Collector):
    """A look at the running system: every platform, live scans only (it has no collect: never run)."""

    platforms = ALL
    live_only = True


class Processes(LiveSystem):
    name = "system.processes"
    title = "Programs running now"

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for p in target.processes():
            yield make("process", Location(path=p.exe, pid=p.pid), pid=p.pid, name=p.name, exe=p.exe,
                       cmdline=" ".join(p.cmdline), user=p.user, ppid=p.ppid, parent_name=p.parent_name)


class Network(LiveSystem):
    name = "system.network"
    title = "Programs using the network"

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        sockets = target.sockets()
        try:
            procs: dict[int, ProcessInfo] = {p.pid: p for p in target.processes()}
        except Exception:  # noqa: BLE001 - sockets are still worth listing without names
            procs = {}
        for s in sockets:
            proc = procs.get(s.pid) if s.pid is not None else None
            name, exe = (proc.name, proc.exe) if proc else ("", "")
            loc = Location(path=exe, pid=s.pid)
            listening = s.state == "LISTEN" or (s.protocol.startswith("udp") and not s.remote_address)
            if listening:
                yield make("listener", loc, protocol=s.protocol, address=s.local_address, port=s.local_port,
                           pid=s.pid, process_name=name, exe=exe,
                           exposed=not s.local_address.startswith(LOOPBACK))
            elif s.remote_address and s.state == "ESTABLISHED":
                yield make("connection", loc, protocol=s.protocol, local_address=s.local_address,
                           local_port=s.local_port, remote_address=s.remote_address,
                           remote_port=s.remote_port, state=s.state, pid=s.pid, process_name=name, exe=exe)


class Sessions(LiveSystem):
    name = "system.sessions"
    title = "People signed in right now"

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for s in target.sessions():
            started = iso_utc(s.started)
            # A display like ":0" or an empty host means someone at the computer itself.
            remote = bool(s.host) and not s.host.startswith(":") and s.host not in ("localhost",)
            began = unix_noted(ctx, s.terminal or s.user, s.started, "connected",
                               Message.of("time_source.signed_in_session_start")) if s.started else None
            yield make("session", Location(), user=s.user, terminal=s.terminal, host=s.host,
                       remote=remote, started=started, times=[began] if began else None)
