"""Who may use the camera, microphone and location (ConsentStore), location service, Find my device."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, filetime_noted
from techcheck.collectors.windows.registry import (
    open_noted,
    open_registry,
    subkeys_noted,
    value_noted,
)
from techcheck.collectors.windows.startfacts import with_key_times
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SOFTWARE, Registry, RegKey
from techcheck.timeutil import Time, iso_utc

CONSENT_STORE = "Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore"
DESKTOP_APPS = "desktop apps"  # the NonPackaged key's own switch
CAPABILITIES = {"webcam": "camera", "microphone": "microphone", "location": "location"}
FIND_MY_DEVICE = (
    (MACHINE_SOFTWARE + "\\Policies\\Microsoft\\FindMyDevice", "AllowFindMyDevice"),
    (MACHINE_SOFTWARE + "\\Microsoft\\Settings\\FindMyDevice", "LocationSyncEnabled"),
    (MACHINE_SOFTWARE + "\\Microsoft\\MdmCommon\\SettingValues", "LocationSyncEnabled"),
)


def decode_nonpackaged(name: str) -> str:
    """ConsentStore writes a desktop program's path with '#' for '\\': C:#Users#x.exe -> C:\\Users\\x.exe."""
    return name.replace("#", "\\")


# ConsentStore writes these FILETIMEs each time an app starts and stops using the camera, microphone
# or location (https://www.kaspersky.com/blog/windows-camera-microphone-access-history/ ; Windows
# Settings > Privacy "Recent activity" reads them). A Stop of 0 means the use had not ended.
USE_STARTED = Message.of("time_source.consent_use_started")
USE_ENDED = Message.of("time_source.consent_use_ended")


def _time(key: RegKey, name: str, source: Message, ctx: Context) -> Time | None:
    v = value_noted(key, name, ctx)
    number = v.number() if v is not None else None
    if number is None:
        return None
    return filetime_noted(ctx, f"{key.path}\\{name}", number, "last_used", source)


def _grant(key: RegKey, service: str, app: str, user: str, ctx: Context) -> Artifact | None:
    status = value_noted(key, "Value", ctx)
    start = _time(key, "LastUsedTimeStart", USE_STARTED, ctx)
    if status is None and start is None:
        return None
    stop = _time(key, "LastUsedTimeStop", USE_ENDED, ctx)
    text = status.text() if status is not None else ""
    times = [t for t in (start, stop) if t is not None]
    return make("permission", Location(registry_key=key.path), service=service, app=app,
                allowed=text.lower() == "allow" if text else None, status=text.lower() or None,
                last_used=iso_utc(start.when) if start else None,
                last_used_until=iso_utc(stop.when) if stop else None, source="consent_store",
                user=user, times=times or None)


def consent_store(reg: Registry, software: str, user: str, ctx: Context) -> Iterator[Artifact]:
    for capability, service in CAPABILITIES.items():
        key = open_noted(reg, f"{software}\\{CONSENT_STORE}\\{capability}", ctx)
        if key is None:
            continue
        overall = _grant(key, service, "", user, ctx)  # the switch for all apps
        if overall is not None:
            yield overall
        for sub in subkeys_noted(key, ctx):
            if sub.name.lower() == "nonpackaged":
                desktop = _grant(sub, service, DESKTOP_APPS, user, ctx)  # the switch for desktop programs
                if desktop is not None:
                    yield desktop
                for prog in subkeys_noted(sub, ctx):
                    art = _grant(prog, service, decode_nonpackaged(prog.name), user, ctx)
                    if art is not None:
                        yield art
            else:
                art = _grant(sub, service, sub.name, user, ctx)
                if art is not None:
                    yield art


class WindowsPrivacy(Collector):
    name = "windows.privacy"
    title = "Camera, microphone and location access"
    platforms = ("windows",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        return with_key_times(target, ctx, self._entries(target, ctx))

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        yield from consent_store(reg, MACHINE_SOFTWARE, "", ctx)
        for hive in reg.user_hives():
            yield from consent_store(reg, hive + "\\Software", reg.user_of(hive), ctx)
        yield from self._location_service(reg, ctx)
        yield from self._find_my_device(reg, ctx)

    def _location_service(self, reg: Registry, ctx: Context) -> Iterator[Artifact]:
        key = open_noted(reg, f"{MACHINE_SOFTWARE}\\{CONSENT_STORE}\\location", ctx)
        v = value_noted(key, "Value", ctx) if key else None
        if key is not None and v is not None:
            yield make("setting", Location(registry_key=key.path), name="location_services",
                       enabled=v.text().lower() == "allow", value=v.text(),
                       detail=Words(Message.of("fact.location_whole_computer")))

    def _find_my_device(self, reg: Registry, ctx: Context) -> Iterator[Artifact]:
        for path, value_name in FIND_MY_DEVICE:
            key = open_noted(reg, path, ctx)
            v = value_noted(key, value_name, ctx) if key else None
            if key is not None and v is not None and v.number() is not None:
                yield make("setting", Location(registry_key=key.path), name="find_my", enabled=v.number() == 1,
                           value=str(v.number()), detail=Words(Message.of("fact.find_my_device", name=value_name)))
                return  # the first found wins: policy, then the Settings switch


