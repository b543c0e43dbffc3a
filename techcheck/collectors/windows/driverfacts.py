"""Driver facts for the origin of Windows start-up entries: third-party INF files in Windows/INF, and
what the SYSTEM hive records about driver packages (DriverDatabase, service Owners, printer drivers).
Used by origin.py; the sources of each fact are listed in origin.py's docstring."""

from __future__ import annotations

import ntpath
import posixpath
import re
from dataclasses import dataclass

from techcheck.collectors.base import Context, read_bytes_noted
from techcheck.collectors.windows.registry import open_noted, subkeys_noted, value_list, values_noted
from techcheck.errors import TargetError
from techcheck.target.base import Target, decode_text
from techcheck.target.registry import MACHINE_SYSTEM, Registry, RegKey


@dataclass(frozen=True)
class PrintDriver:
    """A printer driver of another maker than Microsoft, as the SYSTEM hive registers it."""

    name: str
    provider: str
    manufacturer: str
    inf: str  # file name of the INF it was installed from ("" when not recorded)
    files: frozenset[str]  # lower-case file names: driver, configuration, data, help, dependent files
    monitor: str  # lower-case name of its language monitor ("" when none)

    @property
    def label(self) -> str:
        maker = self.provider or self.manufacturer
        return f"{maker} printer driver ({self.inf or self.name})"

    def names_monitor(self, monitor: str, dll: str) -> bool:
        """The package names this monitor: its DLL among the files, as its language monitor, or the
        monitor is named after the package's maker (a whole word of four letters or more)."""
        if dll.lower() in self.files or (self.monitor and self.monitor == monitor.lower()):
            return True
        return any(len(maker) >= 4 and re.search(rf"(?<![\w]){re.escape(maker.lower())}(?![\w])", monitor.lower())
                   for maker in (self.provider, self.manufacturer))


INF_FOLDER = "/Windows/INF"
MAX_INF = 1000
_PROVIDER = re.compile(r"^\s*provider\s*=\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_FILE_NAMES = re.compile(r"([\w\-.]+\.(?:sys|dll|exe))\b", re.IGNORECASE)


def inf_provider(text: str) -> str:
    m = _PROVIDER.search(text)
    if not m:
        return ""
    value = m.group(1).split(";")[0].strip().strip('"')
    if value.startswith("%") and value.endswith("%"):
        s = re.search(rf"^\s*{re.escape(value[1:-1])}\s*=\s*\"?([^\"\r\n;]+)", text, re.IGNORECASE | re.MULTILINE)
        value = s.group(1).strip() if s else value.strip("%")
    return value


def inbox_infs(target: Target) -> set[str]:
    """Names of the INF files Windows ships: third-party ones are renamed oem<N>.inf when installed
    (https://learn.microsoft.com/en-us/windows-hardware/drivers/install/driver-store)."""
    try:
        names = [posixpath.basename(p).lower() for p in target.glob(f"{INF_FOLDER}/*.inf")]
    except TargetError:
        return set()
    return {n for n in names if not n.startswith("oem")}


def driver_files(target: Target, ctx: Context) -> dict[str, str]:
    """File names named in third-party INF files (oem*.inf) -> "<provider> driver package (<inf>)"."""
    found: dict[str, str] = {}
    try:
        infs = [p for p in target.glob(f"{INF_FOLDER}/oem*.inf")][:MAX_INF]
    except TargetError:
        return found
    for path in infs:
        data = read_bytes_noted(target, ctx, path, 2 * 1024 * 1024)
        if data is None:
            continue
        text = decode_text(data)
        label = f"{inf_provider(text) or 'unknown provider'} driver package ({ntpath.basename(path)})"
        for name in _FILE_NAMES.findall(text):
            found.setdefault(name.lower(), label)
    return found


SERVICES = MACHINE_SYSTEM + "\\CurrentControlSet\\Services"
DRIVER_DATABASE = MACHINE_SYSTEM + "\\DriverDatabase"
PRINT_ENVIRONMENTS = MACHINE_SYSTEM + "\\CurrentControlSet\\Control\\Print\\Environments"
PRINT_DRIVER_FILES = ("Driver", "Configuration File", "Data File", "Help File")


def _text(key: RegKey, name: str) -> str:
    try:
        v = key.value(name)
    except TargetError:
        return ""
    return v.text().strip() if v is not None else ""


def _texts(key: RegKey, name: str) -> list[str]:
    try:
        v = key.value(name)
    except TargetError:
        return []
    return [t.strip() for t in (value_list(v) if v is not None else []) if t.strip()]


def driver_store(reg: Registry, ctx: Context) -> dict[str, str]:
    """Driver packages the SYSTEM hive's driver database lists (Windows 8 and later): lower-case
    DriverStore folder name (vmci.inf_amd64_5e38a278d114b813) and installed INF name (oem2.inf) ->
    (original INF name, Provider)."""
    found: dict[str, str] = {}
    packages = open_noted(reg, f"{DRIVER_DATABASE}\\DriverPackages", ctx)
    for pkg in subkeys_noted(packages, ctx) if packages else []:
        values = {v.name.lower(): v.text().strip() for v in values_noted(pkg, ctx)}
        entry = f"{values.get('infname') or pkg.name.split('_')[0]}\t{values.get('provider', '')}"
        found[pkg.name.lower()] = entry
        if re.fullmatch(r"oem\d+\.inf", values.get("", "").lower()):
            found[values[""].lower()] = entry
    return found


def package_label(entry: str) -> tuple[bool, str]:
    """(made by Microsoft, label) of a driver_store() entry."""
    inf, provider = entry.split("\t", 1)
    return "microsoft" in provider.lower(), f"{provider or 'unknown provider'} driver package ({inf})"


def service_packages(reg: Registry, store: dict[str, str], ctx: Context) -> dict[str, str]:
    """Services whose Owners are only third-party INF files still in the driver database -> the driver
    package that installed them. Owners naming a package that is gone (replaced or removed) tell nothing."""
    found: dict[str, str] = {}
    services = open_noted(reg, SERVICES, ctx)
    for svc in subkeys_noted(services, ctx) if services else []:
        owners = [o.lower() for o in _texts(svc, "Owners") if not o.startswith("!")]
        if not owners or not all(re.fullmatch(r"oem\d+\.inf", o) for o in owners):
            continue
        labels = [package_label(store[o]) for o in owners if o in store]
        if labels and not any(by_microsoft for by_microsoft, _ in labels):
            found[svc.name.lower()] = labels[0][1]
    return found


def print_drivers(reg: Registry, ctx: Context) -> list[PrintDriver]:
    """Printer drivers of other makers than Microsoft, with their files and language monitor."""
    drivers: list[PrintDriver] = []
    environments = open_noted(reg, PRINT_ENVIRONMENTS, ctx)
    for env in subkeys_noted(environments, ctx) if environments else []:
        folder = env.subkey("Drivers")
        for version in subkeys_noted(folder, ctx) if folder else []:
            for drv in subkeys_noted(version, ctx):
                provider, manufacturer = _text(drv, "Provider"), _text(drv, "Manufacturer")
                if not (provider or manufacturer) or "microsoft" in f"{provider} {manufacturer}".lower():
                    continue
                files = [_text(drv, n) for n in PRINT_DRIVER_FILES] + _texts(drv, "Dependent Files")
                drivers.append(PrintDriver(drv.name, provider, manufacturer, ntpath.basename(_text(drv, "InfPath")),
                                           frozenset(ntpath.basename(f).lower() for f in files if f),
                                           _text(drv, "Monitor").lower()))
    return drivers
