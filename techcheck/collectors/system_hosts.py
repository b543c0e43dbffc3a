"""The hosts file on Windows and macOS: fixed name-to-address lines that can send a web site elsewhere.

Windows\\System32\\drivers\\etc\\hosts and /private/etc/hosts (macOS). Linux's /etc/hosts is read
by the Linux collector (linux_hosts). Rules decide what matters (for example a monitoring service's
name pointed at a real address, rather than blocked with 0.0.0.0).
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.target.base import Target

HOSTS_FILES = {
    "macos": ("/private/etc/hosts", "/etc/hosts"),
    "windows": ("/Windows/System32/drivers/etc/hosts",),
}


def parse_hosts(text: str) -> list[tuple[str, str]]:
    """(address, host name) pairs: one line holds an address and one or more names; '#' starts a comment."""
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) < 2:
            continue
        address = parts[0]
        pairs.extend((address, name.lower().rstrip(".")) for name in parts[1:] if name.rstrip("."))
    return pairs


class HostsFile(Collector):
    name = "system.hosts"
    title = "Fixed web addresses (hosts file)"
    platforms = ("macos", "windows")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for path in HOSTS_FILES.get(target.os, ()):
            if not target.exists(path):
                continue
            text = read_text_noted(target, ctx, path, limit=16 * 1024 * 1024)
            if text is None:
                return
            for address, hostname in parse_hosts(text):
                yield make("hosts_entry", Location(path=path), hostname=hostname, address=address)
            return  # macOS: /etc is a link to /private/etc; read the file once
