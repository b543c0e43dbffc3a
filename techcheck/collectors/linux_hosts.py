"""/etc/hosts: names sent to a fixed address (used to block or to redirect web sites).

Standard lines (localhost, the IPv6 names, the computer's own name) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, read_text_noted
from techcheck.errors import TargetError
from techcheck.target.base import Target

HOSTS = "/etc/hosts"
STANDARD_NAMES = frozenset({
    "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
    "localhost6.localdomain6", "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
    "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "broadcasthost",
})


def parse_hosts(text: str, own_names: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(address, host name) pairs, lower-case, without standard and own names."""
    pairs = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2:
            continue
        address = words[0]
        for name in words[1:]:
            name = name.lower().rstrip(".")
            short = name.split(".", 1)[0]
            if name in STANDARD_NAMES or name in own_names or short in own_names:
                continue
            pairs.append((address, name))
    return pairs


class LinuxHosts(Collector):
    name = "linux.hosts"
    title = "Web site names sent to fixed addresses (hosts file)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        if not target.exists(HOSTS):
            return
        text = read_text_noted(target, ctx, HOSTS, 16 * 1024 * 1024)
        if text is None:
            return
        try:
            own = target.read_text("/etc/hostname", limit=4096).split()
        except TargetError:
            own = []
        own_names = frozenset(n.lower() for n in own) | frozenset(n.lower().split(".")[0] for n in own)
        if target.mode == "live":
            own_names |= frozenset({target.hostname().lower()})
        for address, name in parse_hosts(text, own_names):
            yield make("hosts_entry", Location(path=HOSTS), hostname=name, address=address)
