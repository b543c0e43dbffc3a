"""Windows services and drivers, from HKLM\\SYSTEM\\CurrentControlSet\\Services."""

from __future__ import annotations

from collections.abc import Iterator

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context
from techcheck.collectors.windows.registry import (
    command_exe,
    open_noted,
    open_registry,
    subkeys_noted,
    values_noted,
)
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.target.base import Target
from techcheck.target.registry import MACHINE_SYSTEM, RegValue

SERVICES = MACHINE_SYSTEM + "\\CurrentControlSet\\Services"
START_TYPES = {0: "boot", 1: "system", 2: "automatic", 3: "manual", 4: "disabled"}


def start_type_name(start: int | None) -> str:
    return START_TYPES.get(start, f"unknown ({start})") if start is not None else ""


class WindowsServices(StartCollector):
    name = "windows.services"
    title = "Background services"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        reg = open_registry(target)
        services = open_noted(reg, SERVICES, ctx)
        if services is None:
            return
        for svc in subkeys_noted(services, ctx):
            values: dict[str, RegValue] = {v.name.lower(): v for v in values_noted(svc, ctx)}
            image = values["imagepath"].text() if "imagepath" in values else ""
            if not image and "type" not in values:
                continue  # a bare key (event-log registration, leftovers), not a service
            kind = values["type"].number() if "type" in values else None
            # A driver without ImagePath is loaded from System32\drivers\<name>.sys (ntoskrnl's default).
            exe = command_exe(image) if image else (
                f"C:\\Windows\\System32\\drivers\\{svc.name}.sys" if kind in (1, 2, 8) else "")
            start = values["start"].number() if "start" in values else None
            start_name = start_type_name(start)
            if start == 2 and "delayedautostart" in values and values["delayedautostart"].number() == 1:
                start_name = "automatic (delayed)"
            service_dll = ""
            params = svc.subkey("Parameters")
            if params is not None:
                dll = {v.name.lower(): v for v in values_noted(params, ctx)}.get("servicedll")
                service_dll = command_exe(dll.text()) if dll is not None and dll.text() else ""
                if service_dll and "\\" not in service_dll:  # a bare name is loaded from System32
                    service_dll = "C:\\Windows\\System32\\" + service_dll
            yield make("service", Location(registry_key=svc.path), name=svc.name,
                       display_name=values["displayname"].text() if "displayname" in values else None,
                       exe=exe or None, command=image or None,
                       start_type=start_name or None, enabled=start in (0, 1, 2),
                       user=values["objectname"].text() if "objectname" in values else None,
                       service_dll=service_dll or None,
                       description=values["description"].text() if "description" in values else None)
