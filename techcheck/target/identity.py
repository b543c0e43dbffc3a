"""Which computer was scanned, and its time zone, read from the system's own files.

Every report names the computer (so `diff` can tell two computers apart, disk copies too) and
shows times in the scanned computer's time zone beside UTC. Sources:
- Windows: SYSTEM hive, Control\\ComputerName\\ComputerName (ComputerName), Services\\Tcpip\\Parameters
  (Hostname), Control\\TimeZoneInformation (TimeZoneKeyName), mapped to a tz database zone with
  CLDR's windowsZones table (shipped in Babel).
- macOS: /Library/Preferences/SystemConfiguration/preferences.plist, System > System > ComputerName
  and System > Network > HostNames > LocalHostName (what `scutil --get` prints); /etc/localtime.
- Linux: /etc/hostname, /etc/machine-id (else /var/lib/dbus/machine-id), /etc/timezone, /etc/localtime.
"""

from __future__ import annotations

import datetime as dt
import io
import plistlib
import weakref
import zoneinfo
from dataclasses import dataclass
from typing import Any, Literal

from techcheck.errors import NotAvailable, TargetError
from techcheck.i18n import Message
from techcheck.target.base import Target

SYSTEM = "HKLM\\SYSTEM\\CurrentControlSet"
MACOS_PREFERENCES = "/Library/Preferences/SystemConfiguration/preferences.plist"
ZoneSource = Literal["scanned", "checking"]


@dataclass(frozen=True)
class ComputerIdentity:
    name: str = ""  # the computer's name (Windows ComputerName, macOS ComputerName, Linux hostname)
    host_name: str = ""  # the network name when it differs (macOS LocalHostName, Windows Hostname)
    machine_id: str = ""  # Linux machine-id: stays the same when the name is changed
    time_zone: str = ""  # the zone's name, as the scanned system names it (IANA or Windows)
    time_zone_source: ZoneSource = "checking"  # "checking": the scanned computer's zone was not known
    zone: dt.tzinfo | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "host_name": self.host_name, "machine_id": self.machine_id,
                "time_zone": self.time_zone, "time_zone_source": self.time_zone_source}

    def local(self, iso_text: str | None) -> str | None:
        """An ISO time in this computer's zone (ISO 8601 with its offset); None when not a time."""
        if not iso_text or self.zone is None:
            return None
        try:
            when = dt.datetime.fromisoformat(iso_text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        try:
            return when.astimezone(self.zone).isoformat(timespec="seconds")
        except (OverflowError, ValueError):
            return None


def read_identity(target: Target) -> ComputerIdentity:
    """The scanned computer's names and time zone; blanks for what it does not say."""
    reader = {"windows": _windows, "macos": _macos, "linux": _linux}.get(target.os)
    names: tuple[str, str, str] = ("", "", "")
    zone_name, zone = "", None
    if reader:
        names, (zone_name, zone) = reader(target)
    name, host_name, machine_id = names
    if not name and target.mode == "live":
        name = target.hostname()
    source: ZoneSource = "scanned"
    if zone is None:  # on a live scan the checking computer is the scanned one
        zone_name, zone = _checking_zone()
        source = "scanned" if target.mode == "live" else "checking"
    return ComputerIdentity(name, host_name, machine_id, zone_name, source, zone)


def _checking_zone() -> tuple[str, dt.tzinfo | None]:
    """The time zone of the computer running the check (its name as the system gives it)."""
    here = dt.datetime.now().astimezone()
    return here.tzname() or "UTC", here.tzinfo


def _text(target: Target, path: str, limit: int = 4096) -> str:
    try:
        return target.read_text(path, limit=limit).strip()
    except TargetError:
        return ""


def _clean(value: object, limit: int = 255) -> str:
    return str(value).split("\x00", 1)[0].strip()[:limit] if value is not None else ""


def _linux(target: Target) -> tuple[tuple[str, str, str], tuple[str, dt.tzinfo | None]]:
    name = _text(target, "/etc/hostname").split("\n", 1)[0].strip()
    machine_id = _text(target, "/etc/machine-id") or _text(target, "/var/lib/dbus/machine-id")
    return (name, "", machine_id.split("\n", 1)[0][:64]), _unix_zone(target)


def _macos(target: Target) -> tuple[tuple[str, str, str], tuple[str, dt.tzinfo | None]]:
    name = host_name = ""
    try:
        prefs = plistlib.loads(target.read_bytes(MACOS_PREFERENCES, 4 * 1024 * 1024))
    except (TargetError, plistlib.InvalidFileException, ValueError, OverflowError):
        prefs = None
    system = prefs.get("System") if isinstance(prefs, dict) else None
    if isinstance(system, dict):
        sys_sys, network = system.get("System"), system.get("Network")
        if isinstance(sys_sys, dict):
            name = _clean(sys_sys.get("ComputerName") or sys_sys.get("HostName") or "")
        hosts = network.get("HostNames") if isinstance(network, dict) else None
        if isinstance(hosts, dict):
            host_name = _clean(hosts.get("LocalHostName") or "")
    return (name or host_name, host_name if host_name != name else "", ""), _unix_zone(target)


def _unix_zone(target: Target) -> tuple[str, dt.tzinfo | None]:
    """The zone named by /etc/localtime's link (or /etc/timezone), built from the system's own file."""
    link = target.read_link("/etc/localtime") or ""
    name = link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else ""
    name = name or _text(target, "/etc/timezone").split("\n", 1)[0].strip()
    try:
        data = target.read_bytes("/etc/localtime", 1024 * 1024)
        return name or "/etc/localtime", zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=name or None)
    except (TargetError, ValueError, OSError):
        pass
    return _named_zone(name)


def _named_zone(name: str) -> tuple[str, dt.tzinfo | None]:
    if not name:
        return "", None
    try:
        return name, zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return name, None


def _windows(target: Target) -> tuple[tuple[str, str, str], tuple[str, dt.tzinfo | None]]:
    try:
        reg = target.registry()
    except (NotAvailable, TargetError):
        return ("", "", ""), ("", None)

    def value(key_path: str, name: str) -> str:
        try:
            key = reg.open_key(key_path)
            found = key.value(name) if key is not None else None
            return _clean(found.text()) if found is not None else ""
        except (TargetError, ValueError, UnicodeError):
            return ""

    name = value(SYSTEM + "\\Control\\ComputerName\\ComputerName", "ComputerName")
    host = value(SYSTEM + "\\Services\\Tcpip\\Parameters", "Hostname")
    zone_name = value(SYSTEM + "\\Control\\TimeZoneInformation", "TimeZoneKeyName")
    names = (name or host, host if host and host.casefold() != name.casefold() else "", "")
    return names, (zone_name, windows_zone(zone_name)) if zone_name else ("", None)


def windows_zone(windows_name: str) -> dt.tzinfo | None:
    """A Windows time zone name ("Romance Standard Time") as a tz database zone, via CLDR."""
    try:
        from babel.core import get_global
    except ImportError:
        return None
    iana = get_global("windows_zone_mapping").get(windows_name)
    return _named_zone(iana)[1] if iana else None


@dataclass(frozen=True)
class LocalClock:
    """The scanned computer's own time zone, for times its files write in local clock time (task
    registration dates, remote-desktop logs, dpkg.log). zone=None: not known; such times are read as UTC
    and their source says so."""

    zone: dt.tzinfo | None
    name: str

    def to_utc(self, naive: dt.datetime) -> dt.datetime | None:
        """A local clock time in UTC (an aware one is only converted); None when it does not convert."""
        try:
            aware = naive if naive.tzinfo else naive.replace(tzinfo=self.zone or dt.timezone.utc)
            return aware.astimezone(dt.timezone.utc)
        except (OverflowError, ValueError):
            return None

    def label(self, source: Message) -> Message:
        """The source of a local-time value, saying which zone it was read in."""
        if self.zone is None:
            return Message.of("time_source_unknown_zone", source=source)
        return Message.of("time_source_local", source=source, zone=self.name)


_CLOCKS: dict[int, tuple[weakref.ref[Target], LocalClock]] = {}


def local_clock(target: Target) -> LocalClock:
    """The scanned computer's zone, read once per target. On a live scan it is this computer's zone;
    a disk copy that does not name its zone gives LocalClock(None, "")."""
    cached = _CLOCKS.get(id(target))
    if cached is not None and cached[0]() is target:
        return cached[1]
    identity = read_identity(target)
    known = identity.time_zone_source == "scanned" and identity.zone is not None
    clock = LocalClock(identity.zone if known else None, identity.time_zone if known else "")
    _CLOCKS.clear()  # one scan at a time; never keep an old target alive
    _CLOCKS[id(target)] = (weakref.ref(target), clock)
    return clock
