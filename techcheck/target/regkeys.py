"""The Windows registry interface. Backends: offline hive files (regipy) and live winreg.

Keys are named by full paths with a hive prefix, as people see them in reports:

    HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run
    HKLM\\SYSTEM\\CurrentControlSet\\Services\\sshd      (CurrentControlSet = the control set in use)
    HKU\\ana\\Software\\Microsoft\\Windows\\CurrentVersion\\Run   (ana's NTUSER.DAT)

Lookups are case-insensitive, as on Windows. Every backend reads only; nothing is ever written.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from techcheck.errors import TargetError
from techcheck.i18n import Message
from techcheck.target.base import ReadProblem

ValueData = str | int | bytes | list[str] | None

MACHINE_SOFTWARE = "HKLM\\SOFTWARE"
MACHINE_SYSTEM = "HKLM\\SYSTEM"
USERS_PREFIX = "HKU\\"

# Registry value type numbers (winnt.h) and their names.
VALUE_TYPES = {
    0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY", 4: "REG_DWORD",
    5: "REG_DWORD_BIG_ENDIAN", 6: "REG_LINK", 7: "REG_MULTI_SZ", 8: "REG_RESOURCE_LIST",
    11: "REG_QWORD",
}


class RegistryError(TargetError):
    """A key or value could not be read (a damaged hive, access denied)."""


@dataclass(frozen=True)
class RegValue:
    name: str  # "" for the default value
    type: str  # REG_SZ, REG_DWORD, ...
    data: ValueData

    def text(self) -> str:
        """The value as text: strings as-is, numbers in decimal, lists joined by spaces."""
        if self.data is None:
            return ""
        if isinstance(self.data, str):
            return self.data.rstrip("\x00")
        if isinstance(self.data, list):
            return " ".join(self.data)
        if isinstance(self.data, bytes):
            return decode_registry_string(self.data)
        return str(self.data)

    def number(self) -> int | None:
        if isinstance(self.data, int):
            return self.data
        if isinstance(self.data, str) and self.data.strip().lstrip("-").isdigit():
            return int(self.data.strip())
        return None


class RegKey(ABC):
    """One registry key: its name, full path, last-write time, values and subkeys."""

    path: str  # full path with hive prefix
    name: str
    warnings: list[Message]  # damage found while reading, that did not stop the read (values skipped)

    @property
    @abstractmethod
    def last_write(self) -> dt.datetime | None:
        """When the key was last changed (UTC), when known."""

    @abstractmethod
    def subkey_names(self) -> list[str]:
        """Names of the subkeys. Raises RegistryError when they cannot be read."""

    @abstractmethod
    def values(self) -> list[RegValue]:
        """All values. Raises RegistryError when they cannot be read."""

    @abstractmethod
    def subkey(self, name: str) -> RegKey | None:
        """A direct subkey by name (case-insensitive), or None."""

    def value(self, name: str) -> RegValue | None:
        wanted = name.lower()
        for v in self.values():
            if v.name.lower() == wanted:
                return v
        return None

    def subkeys(self) -> Iterator[RegKey]:
        for name in self.subkey_names():
            key = self.subkey(name)
            if key is not None:
                yield key


class Registry(ABC):
    """Read-only access to a Windows registry. The Windows collectors build on this."""

    problems: list[ReadProblem]

    @abstractmethod
    def hives(self) -> list[str]:
        """Hive names that could be opened: HKLM\\SOFTWARE, HKLM\\SYSTEM, HKU\\<user> ..."""

    @abstractmethod
    def _open_in_hive(self, hive: str, subpath: str) -> RegKey | None:
        """A key inside one hive; subpath has no leading backslash ('' = the hive's root)."""

    def user_hives(self) -> list[str]:
        """Each person's own hive (HKU\\<user>); a classes hive mounted below one is not counted."""
        return [h for h in self.hives() if h.startswith(USERS_PREFIX) and "\\" not in h[len(USERS_PREFIX):]]

    @staticmethod
    def user_of(hive: str) -> str:
        return hive[len(USERS_PREFIX):] if hive.startswith(USERS_PREFIX) else ""

    def open_key(self, path: str) -> RegKey | None:
        """The key at a full path (see the module doc), or None when it does not exist."""
        norm = path.strip("\\")  # only backslashes separate keys: "/" is legal inside key names
        low = norm.lower()
        for hive in sorted(self.hives(), key=len, reverse=True):
            h = hive.lower()
            if low == h or low.startswith(h + "\\"):
                return self._open_in_hive(hive, norm[len(hive):].strip("\\"))
        return None

    def close(self) -> None:  # noqa: B027 - optional hook; hive bytes need no closing
        """Release any open hive files."""


def decode_registry_string(data: bytes) -> str:
    """A REG_SZ stored as raw bytes: UTF-16-LE up to the first NUL (ASCII as a fallback)."""
    if len(data) >= 2 and data[1:2] == b"\x00":
        text = data.decode("utf-16-le", errors="replace")
    else:
        text = data.decode("latin-1")
    return text.split("\x00", 1)[0]
