"""Windows' own ways in from another computer: Remote Desktop, Remote Assistance, OpenSSH server."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.windows.registry import open_noted, open_registry, value_noted
from techcheck.collectors.windows.services import SERVICES, start_type_name
from techcheck.collectors.windows.startfacts import with_key_times
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, MACHINE_SYSTEM, Registry

TERMINAL_SERVER = MACHINE_SYSTEM + "\\CurrentControlSet\\Control\\Terminal Server"
RDP_TCP = TERMINAL_SERVER + "\\WinStations\\RDP-Tcp"
REMOTE_ASSISTANCE = MACHINE_SYSTEM + "\\CurrentControlSet\\Control\\Remote Assistance"
# Group Policy values here win over the ordinary settings above.
TS_POLICY = MACHINE_SOFTWARE + "\\Policies\\Microsoft\\Windows NT\\Terminal Services"


def _dword(reg: Registry, path: str, name: str, ctx: Context) -> tuple[int | None, str]:
    key = open_noted(reg, path, ctx)
    v = value_noted(key, name, ctx) if key else None
    return (v.number() if v else None), (key.path if key else path)


def _with_policy(reg: Registry, path: str, name: str, ctx: Context) -> tuple[int | None, str]:
    """A value, overridden by the same value under the Terminal Services policy key when set there."""
    policy, policy_where = _dword(reg, TS_POLICY, name, ctx)
    return (policy, policy_where) if policy is not None else _dword(reg, path, name, ctx)


class WindowsRemoteAccess(Collector):
    name = "windows.remote_access"
    title = "Remote Desktop, Remote Assistance and SSH server"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        return with_key_times(target, ctx, self._entries(target, ctx))

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        yield from self._remote_desktop(reg, ctx)
        yield from self._remote_assistance(reg, ctx)
        yield from self._ssh_server(reg, ctx)

    def _remote_desktop(self, reg: Registry, ctx: Context) -> Iterator[Artifact]:
        deny, where = _with_policy(reg, TERMINAL_SERVER, "fDenyTSConnections", ctx)
        if deny is None:
            return
        port, _ = _dword(reg, RDP_TCP, "PortNumber", ctx)
        nla, _ = _with_policy(reg, RDP_TCP, "UserAuthentication", ctx)
        detail = Words(Message.of("fact.port", port=port) if port is not None else Message.of("fact.port_unknown"),
                       (Message.of("fact.nla_required") if nla else Message.of("fact.nla_not_required")))
        yield make("setting", Location(registry_key=where), name="remote_desktop", enabled=deny == 0,
                   value="nla" if nla else "no_nla", detail=detail)

    def _remote_assistance(self, reg: Registry, ctx: Context) -> Iterator[Artifact]:
        allow, where = _with_policy(reg, REMOTE_ASSISTANCE, "fAllowToGetHelp", ctx)
        if allow is None:
            return
        full, _ = _dword(reg, REMOTE_ASSISTANCE, "fAllowFullControl", ctx)
        yield make("setting", Location(registry_key=where), name="remote_assistance", enabled=allow == 1,
                   value=str(allow), detail=Words(Message.of("fact.helper_may_control") if full
                                                  else Message.of("fact.view_only_or_unknown")))

    def _ssh_server(self, reg: Registry, ctx: Context) -> Iterator[Artifact]:
        start, where = _dword(reg, SERVICES + "\\sshd", "Start", ctx)
        if start is None:
            return
        yield make("setting", Location(registry_key=where), name="ssh_server", enabled=start in (0, 1, 2),
                   value=start_type_name(start), detail=Words(Message.of("fact.sshd_installed")))
