"""The hosts file: fixed name-to-address lines that can send a web site somewhere else.

One file on every system: /etc/hosts (Linux; macOS keeps it in /private/etc) and
Windows\\System32\\drivers\\etc\\hosts. Standard lines (localhost, the IPv6 names, the computer's
own name) are left out. Rules decide what matters (for example a monitoring service's name pointed
at a real address, rather than blocked with 0.0.0.0).
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.errors import TargetError
from techcheck.target.base import Target
from techcheck.textlines import text_lines

HOSTS_FILES = {
    "linux": ("/etc/hosts",),
    "macos": ("/private/etc/hosts", "/etc/hosts"),
    "windows": ("/Windows/System32/drivers/etc/hosts",),
}
STANDARD_NAMES = frozenset({
    "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
    "localhost6.localdomain6", "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
    "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "broadcasthost",
})


def parse_hosts(text: str, own_names: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(address, host name) pairs, lower-case, without standard and own names. '#' starts a comment."""
    pairs: list[tuple[str, str]] = []
    for line in text_lines(text):
        words = line.split("#", 1)[0].split()
        if len(words) < 2:
            continue
        address = words[0]
        for name in words[1:]:
            name = name.lower().rstrip(".")
            if not name or name in STANDARD_NAMES or name in own_names or name.split(".", 1)[0] in own_names:
                continue
            pairs.append((address, name))
    return pairs


def own_host_names(target: Target) -> frozenset[str]:
    """The computer's own name (Linux /etc/hostname; the live host name), full and short."""
    names: list[str] = []
    if target.os == "linux":
        try:
            names = target.read_text("/etc/hostname", limit=4096).split()
        except TargetError:
            names = []
    if target.mode == "live":
        names.append(target.hostname())
    return frozenset(n.lower() for n in names if n) | frozenset(n.lower().split(".")[0] for n in names if n)


class HostsFile(Collector):
    name = "system.hosts"
    title = "Web site names sent to fixed addresses (hosts file)"
    platforms = ("linux", "macos", "windows")

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for path in HOSTS_FILES.get(target.os, ()):
            if not target.exists(path):
                continue
            text = read_text_noted(target, ctx, path, limit=16 * 1024 * 1024)
            if text is None:
                return
            for address, hostname in parse_hosts(text, own_host_names(target)):
                yield make("hosts_entry", Location(path=target.display_path(path)), hostname=hostname, address=address)
            return  # macOS: /etc is a link to /private/etc; read the file once
