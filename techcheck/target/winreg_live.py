"""The live Windows registry through the standard `winreg` module (read-only calls only).

The winreg module is passed in, so the tests run this backend on any system against a small
in-memory fake with the same calls (OpenKey, EnumKey, EnumValue, QueryInfoKey, CloseKey, HKEY_*).
"""

from __future__ import annotations

import datetime as dt
import ntpath
from dataclasses import dataclass, field
from typing import Any

from techcheck.i18n import Message
from techcheck.target.base import ReadProblem
from techcheck.target.registry import (
    MACHINE_SOFTWARE,
    MACHINE_SYSTEM,
    USERS_PREFIX,
    VALUE_TYPES,
    HiveRegistry,
    Registry,
    RegistryError,
    RegKey,
    RegValue,
    filetime_to_datetime,
)

PROFILE_LIST = "Microsoft\\Windows NT\\CurrentVersion\\ProfileList"


class LiveKey(RegKey):
    def __init__(self, reg: WinregRegistry, root: Any, subpath: str, path: str) -> None:
        self._reg = reg
        self._root = root
        self._subpath = subpath
        self.path = path
        self.name = ntpath.basename(path)
        self.warnings = []

    def _open(self) -> Any:
        try:
            return self._reg.winreg.OpenKey(self._root, self._subpath, 0, self._reg.access)
        except OSError as exc:
            raise RegistryError(Message.of("target.key_unopenable", key=self.path, detail=str(exc))) from exc

    @property
    def last_write(self) -> dt.datetime | None:
        try:
            handle = self._open()
        except RegistryError:
            return None
        try:
            return filetime_to_datetime(int(self._reg.winreg.QueryInfoKey(handle)[2]))
        except OSError:
            return None
        finally:
            self._reg.winreg.CloseKey(handle)

    def subkey_names(self) -> list[str]:
        handle = self._open()
        names: list[str] = []
        try:
            count = self._reg.winreg.QueryInfoKey(handle)[0]
            for i in range(count):
                try:
                    names.append(self._reg.winreg.EnumKey(handle, i))
                except OSError:  # the key changed while we read it
                    break
        except OSError as exc:
            raise RegistryError(Message.of("target.subkeys_unreadable", key=self.path, detail=str(exc))) from exc
        finally:
            self._reg.winreg.CloseKey(handle)
        return names

    def values(self) -> list[RegValue]:
        handle = self._open()
        out: list[RegValue] = []
        try:
            count = self._reg.winreg.QueryInfoKey(handle)[1]
            for i in range(count):
                try:
                    name, data, type_number = self._reg.winreg.EnumValue(handle, i)
                except OSError:
                    break
                out.append(RegValue(name, VALUE_TYPES.get(type_number, f"REG_{type_number}"), data))
        except OSError as exc:
            raise RegistryError(Message.of("target.values_unreadable", key=self.path, detail=str(exc))) from exc
        finally:
            self._reg.winreg.CloseKey(handle)
        return out

    def subkey(self, name: str) -> LiveKey | None:
        sub = f"{self._subpath}\\{name}" if self._subpath else name
        key = LiveKey(self._reg, self._root, sub, f"{self.path}\\{name}")
        try:
            self._reg.winreg.CloseKey(key._open())
        except RegistryError:
            return None
        return key


@dataclass
class WinregRegistry(Registry):
    """HKLM\\SOFTWARE, HKLM\\SYSTEM and each loaded user hive (HKU\\<SID>, named by user).

    Windows loads a user's hive only while that person is signed in (or their programs run). The
    NTUSER.DAT of everyone else is read from disk through the target, as in a disk-copy scan, so a
    live scan also sees the start-up entries of accounts that are signed out.
    """

    winreg: Any
    problems: list[ReadProblem] = field(default_factory=list)
    _users: dict[str, str] = field(default_factory=dict)  # hive name -> SID
    offline: HiveRegistry = field(default_factory=HiveRegistry)

    def __post_init__(self) -> None:
        # KEY_WOW64_64KEY: a 32-bit Python would otherwise be shown the 32-bit view of SOFTWARE.
        self.access = self.winreg.KEY_READ | getattr(self.winreg, "KEY_WOW64_64KEY", 0)
        self._users = self._load_user_hives()

    def _load_user_hives(self) -> dict[str, str]:
        names: dict[str, str] = {}
        users_root = LiveKey(self, self.winreg.HKEY_USERS, "", "HKU")
        try:
            sids = users_root.subkey_names()
        except RegistryError as exc:
            self.problems.append(ReadProblem("HKU", exc.msg))
            return names
        profiles = self._open_in_hive(MACHINE_SOFTWARE, PROFILE_LIST)
        for sid in sids:
            # Only real accounts' hives: S-1-5-21-... (and not their "_Classes" companions).
            if not sid.upper().startswith("S-1-5-21-") or sid.lower().endswith("_classes"):
                continue
            user = sid
            profile = profiles.subkey(sid) if profiles else None
            image = profile.value("ProfileImagePath") if profile else None
            if image and image.text():
                user = ntpath.basename(image.text().rstrip("\\")) or sid
            names[USERS_PREFIX + user] = sid
        return names

    def hives(self) -> list[str]:
        return sorted({MACHINE_SOFTWARE, MACHINE_SYSTEM, *self._users, *self.offline.hives()})

    def signed_out_profiles(self) -> list[tuple[str, str]]:
        """(user, profile folder) of accounts whose hive is not loaded, from the ProfileList."""
        loaded = {sid.lower() for sid in self._users.values()}
        profiles = self._open_in_hive(MACHINE_SOFTWARE, PROFILE_LIST)
        found: list[tuple[str, str]] = []
        try:
            subkeys = list(profiles.subkeys()) if profiles else []
        except RegistryError as exc:
            self.problems.append(ReadProblem(f"{MACHINE_SOFTWARE}\\{PROFILE_LIST}", exc.msg))
            return found
        for profile in subkeys:
            if not profile.name.upper().startswith("S-1-5-21-") or profile.name.lower() in loaded:
                continue
            image = profile.value("ProfileImagePath")
            folder = image.text().rstrip("\\") if image else ""
            if folder:
                found.append((ntpath.basename(folder), folder))
        return found

    def add_signed_out_users(self, target: Any) -> None:
        """Read the NTUSER.DAT of signed-out accounts through the target (never changing it)."""
        for user, folder in self.signed_out_profiles():
            path = windows_path_to_target(folder)
            if path is None or USERS_PREFIX + user in self._users:
                continue
            hive_file = f"{path}/NTUSER.DAT"
            if not target.is_file(hive_file):
                continue
            self.offline.target = target  # read within the scan's read budget
            self.offline.add_hive_file(USERS_PREFIX + user, hive_file)
        self.problems.extend(self.offline.problems)
        self.offline.problems = []

    def _open_in_hive(self, hive: str, subpath: str) -> RegKey | None:
        if hive in self.offline.files:
            return self.offline._open_in_hive(hive, subpath)
        if hive == MACHINE_SOFTWARE:
            root, base = self.winreg.HKEY_LOCAL_MACHINE, "SOFTWARE"
        elif hive == MACHINE_SYSTEM:
            root, base = self.winreg.HKEY_LOCAL_MACHINE, "SYSTEM"
        elif hive in self._users:
            root, base = self.winreg.HKEY_USERS, self._users[hive]
        else:
            return None
        full = f"{base}\\{subpath}" if subpath else base
        key = LiveKey(self, root, full, f"{hive}\\{subpath}" if subpath else hive)
        try:
            self.winreg.CloseKey(key._open())
        except RegistryError:
            return None
        return key


def open_live_registry(winreg_module: Any = None, target: Any = None) -> WinregRegistry:
    if winreg_module is None:
        import winreg as winreg_module  # Windows only
    reg = WinregRegistry(winreg_module)
    if target is not None:
        reg.add_signed_out_users(target)
    return reg


def windows_path_to_target(path: str) -> str | None:
    """C:\\Users\\ana -> /Users/ana (None for other drives and network paths)."""
    p = path.strip().strip('"')
    if len(p) >= 2 and p[1] == ":" and p[0].lower() == "c":
        return "/" + p[2:].lstrip("\\/").replace("\\", "/")
    return None
