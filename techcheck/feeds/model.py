"""What an indicator feed becomes before it is written as rules: products with typed conditions.

Importers (one module per feed format) turn feed files into `FeedProduct`s. `writer.py` turns
those into rule files. Conditions are kept as small typed values, so samples can be derived from
them and every importer builds rules the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from techcheck.errors import TechcheckError
from techcheck.i18n import Message, Param, Words
from techcheck.yamlsource import LoadedYaml, YamlProblem, load_yaml


def reason(mid: str, **params: Param) -> Words:
    """Why feed entries or indicators were left out (`rules import` counts them by reason): the
    English words, which the summary keys on, carrying the message shown in the chosen language."""
    return Words(Message.of(mid, **params))

# Addresses used by hosts-file block lists. A hosts entry that points a spying service's name at one
# of these blocks it: that protects the user and must not be reported as a sign of spying.
BLOCK_ADDRESSES = ("0.0.0.0", "127.0.0.1", "::1", "::", "0:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1")


class FeedError(TechcheckError):
    """A feed file cannot be imported. Names the file and, where known, the line and the entry."""

    def __init__(self, file: str, message: str, line: int | None = None, entry: str = "") -> None:
        self.file = file
        self.line = line
        self.entry = entry
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {entry + ': ' if entry else ''}{message}")


@dataclass(frozen=True)
class Test:
    """One field test: op (equals, glob, path, domain, not-equals) and the values any of which may match."""

    field: str
    op: str
    values: tuple[str | int, ...]

    def to_yaml(self) -> object:
        values = list(self.values)
        if self.op == "equals":
            return values
        if self.op == "not-equals":
            return {"not": values}
        return {self.op: values}


@dataclass(frozen=True)
class Cond:
    kind: str
    tests: tuple[Test, ...]


@dataclass
class FeedProduct:
    """One product (an app family or a tool) with the conditions its indicators became."""

    name: str
    feed: str  # assoechap, assoechap-stix or lolrmm: used in rule ids (two feeds never share an id)
    severity: str
    category: str
    references: list[str]
    conditions: list[Cond] = field(default_factory=list)
    used: Counter[str] = field(default_factory=Counter)  # indicators turned into conditions, by type
    unusable: Counter[str] = field(default_factory=Counter)  # indicators a computer cannot show, by type
    platforms: tuple[str, ...] = ("any",)
    template: str = ""  # which generic texts the rule gets (messages feed.<template>.*); empty = by severity
    slug: str = ""  # rule-id part; empty = from the name
    product_tag: str = ""  # product tag shared with a hand-made rule; empty = from the name


@dataclass
class FeedResult:
    products: list[FeedProduct]
    files: list[str]
    skipped: Counter[str] = field(default_factory=Counter)  # whole entries left out, by reason

    def used_count(self) -> int:
        return sum(sum(p.used.values()) for p in self.products)

    def unusable(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for p in self.products:
            total.update(p.unusable)
        return total


# Program file names that many unrelated products use. Alone they say nothing about which product is
# there, so a feed's file name from this list is kept only together with its folder.
GENERIC_PROGRAM_NAMES = frozenset({
    "agent.exe", "agent32.exe", "agent64.exe", "client.exe", "client32.exe", "client64.exe", "installer.exe",
    "install.exe", "setup.exe", "setup64.exe", "connect.exe", "service.exe", "server.exe", "update.exe",
    "updater.exe", "launcher.exe", "helper.exe", "host.exe", "run.exe", "start.exe", "main.exe", "app.exe",
    "support.exe", "remote.exe", "viewer.exe", "monitor.exe", "tray.exe", "svc.exe", "core.exe", "uninstall.exe",
    "uninst.exe", "unins000.exe", "vnc.exe", "cmd.exe", "powershell.exe", "rundll32.exe",
    "msiexec.exe", "svchost.exe", "dwm.exe", "explorer.exe", "python.exe", "java.exe", "javaw.exe", "node.exe",
    "electron.exe", "bash", "sh", "agent", "client", "server", "service", "daemon", "helper", "setup.msi",
    "installer.msi", "agent.msi", "client.msi", "setup.dmg", "install.pkg", "update", "updater",
    "level.exe", "sysdiag.exe", "level", "remote", "control.exe", "manager.exe", "console.exe",
})

# Endings of program files a computer runs or installs from; any other ending (.dll, .log, .xml ...) is a
# data or library file, not a program name.
PROGRAM_SUFFIXES = (".exe", ".msi", ".dmg", ".pkg", ".app", ".appimage", ".scr", ".com", ".bat", ".cmd",
                    ".ps1", ".vbs", ".jar", ".sh", ".deb", ".rpm", ".run", ".bin")


def clean_domain(raw: str) -> str | None:
    """A plain host name from a feed domain ('*.x.com', 'x.com:443', 'X.COM.'), or None if it is not one."""
    host = raw.strip().lower().rstrip(".")
    host = host.removeprefix("*.").removeprefix("*")
    if ":" in host and host.rsplit(":", 1)[1].isdigit():
        host = host.rsplit(":", 1)[0]
    if "." not in host or any(not (c.isalnum() or c in "-._") for c in host):
        return None
    return host


def domain_conditions(domains: list[str], visit_type: str | None = None) -> list[Cond]:
    """Browser visits or downloads, and hosts-file entries that do not block, for these domains."""
    if not domains:
        return []
    values = tuple(sorted(set(domains)))
    visit = [Test("domain", "domain", values)]
    if visit_type:
        visit.append(Test("visit_type", "equals", (visit_type,)))
    return [
        Cond("web_visit", tuple(visit)),
        Cond("hosts_entry", (Test("hostname", "domain", values), Test("address", "not-equals", BLOCK_ADDRESSES))),
    ]


def slugify(name: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in name.lower())
    slug = "-".join(part for part in out.split("-") if part)
    return slug[:60] or "unnamed"


def read_feed_text(path: Path) -> str:
    """A feed file's UTF-8 text; FeedError naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(str(path), f"cannot read the file: {exc}") from exc


def load_feed_yaml(path: Path) -> LoadedYaml:
    """A feed file parsed as YAML (with line numbers); FeedError with the line when it is not."""
    try:
        return load_yaml(read_feed_text(path))
    except YamlProblem as exc:
        raise FeedError(str(path), f"not valid YAML: {exc.message}", exc.line) from exc
