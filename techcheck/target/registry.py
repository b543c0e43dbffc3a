"""The Windows registry from offline hive files (regipy), behind the interface in regkeys.py.

The interface's names are re-exported here: collectors import them from this module.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from techcheck.errors import TargetError
from techcheck.i18n import Message
from techcheck.target.base import ReadProblem
from techcheck.target.budget import BudgetExceeded, Reservation
from techcheck.target.regkeys import (
    MACHINE_SOFTWARE,
    MACHINE_SYSTEM,
    USERS_PREFIX,
    VALUE_TYPES,
    Registry,
    RegistryError,
    RegKey,
    RegValue,
    ValueData,
    decode_registry_string,
)
from techcheck.timeutil import filetime_to_datetime as filetime_to_datetime  # re-exported (winreg_live)

__all__ = ["HIVE_READ_LIMIT", "MACHINE_SOFTWARE", "MACHINE_SYSTEM", "USERS_PREFIX", "VALUE_TYPES", "HiveKey",
           "HiveRegistry", "RegKey", "RegValue", "Registry", "RegistryError", "ValueData",
           "decode_registry_string", "filetime_to_datetime", "open_hive_registry", "parse_hive"]

HIVE_READ_LIMIT = 512 * 1024 * 1024  # real SOFTWARE hives reach a few hundred MiB


# regipy logs what it cannot decode or parse; techcheck reports damage itself (RegKey.warnings).
logging.getLogger("regipy").setLevel(logging.CRITICAL)


class _HiveStream(io.BytesIO):
    """The hive's bytes. A value stored inside its own record has a size with the top bit set;
    regipy still asks to read that many bytes, which copied the rest of the hive for every such
    value (seconds per SYSTEM hive). Such reads get 4 bytes: the data itself is taken from the record."""

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size >= 0x80000000:
            size = 4
        return super().read(size)


def parse_hive(data: bytes) -> Any:
    """Open a hive from its bytes (regipy's own constructor wants a file path on the host)."""
    from regipy.registry import NKRecord, RegistryHive
    from regipy.structs import REGF_HEADER
    from regipy.utils import boomerang_stream

    if data[:4] != b"regf":
        raise RegistryError(Message.of("target.not_hive"))
    hive = RegistryHive.__new__(RegistryHive)
    hive.partial_hive_path = None
    hive.hive_type = None
    hive._stream = _HiveStream(data)
    try:
        with boomerang_stream(hive._stream) as s:  # type: ignore[arg-type]  # regipy wants a file; ours acts as one
            hive.header = REGF_HEADER.parse_stream(s)
            root_cell = next(hive.get_hbin_at_offset().iter_cells(s))  # type: ignore[no-untyped-call]
            hive.root = NKRecord(root_cell, s)  # type: ignore[no-untyped-call]
    except Exception as exc:  # noqa: BLE001 - any parse error in a damaged hive is reported, not raised
        raise RegistryError(Message.of("target.damaged_hive", detail=f"{type(exc).__name__}: {exc}")) from exc
    hive.name = getattr(hive.header, "file_name", "")
    return hive


def _reg_type_name(raw: Any) -> str:
    name = str(raw)
    return {"REG_EXPAND": "REG_EXPAND_SZ"}.get(name, name)


class HiveKey(RegKey):
    def __init__(self, nk: Any, path: str) -> None:
        self._nk = nk
        self.path = path
        self.name = nk.name
        self.warnings = []

    @property
    def last_write(self) -> dt.datetime | None:
        try:
            return filetime_to_datetime(int(self._nk.header.last_modified))
        except Exception:  # noqa: BLE001
            return None

    def _children(self) -> list[Any]:
        try:
            return list(self._nk.iter_subkeys() or [])
        except Exception as exc:  # noqa: BLE001 - damaged hive
            raise RegistryError(Message.of("target.subkeys_unreadable", key=self.path, detail=str(exc))) from exc

    def subkey_names(self) -> list[str]:
        return [c.name for c in self._children()]

    def subkey(self, name: str) -> HiveKey | None:
        wanted = name.lower()
        for child in self._children():
            if child.name.lower() == wanted:
                return HiveKey(child, f"{self.path}\\{child.name}")
        return None

    def subkeys(self) -> Iterator[RegKey]:
        for child in self._children():
            yield HiveKey(child, f"{self.path}\\{child.name}")

    def values(self) -> list[RegValue]:
        out: list[RegValue] = []
        try:
            for v in self._nk.iter_values(as_json=False, trim_values=False) or []:
                name = "" if v.name == "(default)" else v.name
                data = v.value
                if isinstance(data, dt.datetime):
                    data = data.isoformat()
                elif data is not None and not isinstance(data, (str, int, bytes, list)):
                    data = str(data)
                out.append(RegValue(name, _reg_type_name(v.value_type), data))
        except Exception as exc:  # noqa: BLE001 - damaged hive
            raise RegistryError(Message.of("target.values_unreadable", key=self.path, detail=str(exc))) from exc
        declared = int(getattr(self._nk, "values_count", 0) or 0)
        if len(out) < declared:  # regipy stops quietly at a damaged value record
            self.warnings.append(Message.of("target.values_partly_read", n=len(out), declared=declared))
        return out


@dataclass
class HiveFile:
    name: str  # HKLM\SOFTWARE ...
    path: str  # where the file is, as shown to people
    hive: Any  # the parsed hive; None while it is not held (it is read again when needed)
    prefix_to_drop: str = ""  # "software\\" for a saved HKCU\Software subtree
    control_set: str = ""  # for SYSTEM: "ControlSet001" ...
    source: str = ""  # its path in the target, to read it again
    reservation: Reservation | None = None


@dataclass
class HiveRegistry(Registry):
    """A registry made of hive files (from a disk image). Hives that could not be read are problems.

    With a target, hives are read through the scan's read budget: a user's hive that does not fit
    is read when a check asks for it, after the least recently used user hives are let go.
    """

    files: dict[str, HiveFile] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)
    target: Any = None
    _recent: list[str] = field(default_factory=list, repr=False)  # loaded user hives, oldest first

    def add_hive(self, name: str, data: bytes, shown_path: str) -> None:
        entry = self._parsed(name, data, shown_path)
        if entry is not None:
            self.files[name] = entry

    def _parsed(self, name: str, data: bytes, shown_path: str) -> HiveFile | None:
        try:
            hive = parse_hive(data)
            root_name = str(hive.root.name)
        except RegistryError as exc:
            self.problems.append(ReadProblem(shown_path, exc.msg))
            return None
        entry = HiveFile(name, shown_path, hive)
        # A saved HKCU\Software subtree has root "Software": its paths lack the leading Software\.
        if name.startswith(USERS_PREFIX) and root_name.lower() == "software":
            entry.prefix_to_drop = "software\\"
        if name == MACHINE_SYSTEM:
            entry.control_set = self._current_control_set(entry, shown_path)
        return entry

    def add_hive_file(self, name: str, path: str) -> None:
        """Read a hive file of the target within the read budget; a user hive that does not fit now
        is listed and read later, when asked for."""
        shown = self.target.display_path(path)
        try:
            if self.target.read_prefix(path, 4) != b"regf":
                raise RegistryError(Message.of("target.not_hive"))
            entry = self._read_hive(name, path, shown, evict=False)
        except BudgetExceeded as exc:
            if not name.startswith(USERS_PREFIX):
                self.problems.append(ReadProblem(shown, Message.of("note.could_not_read", detail=exc.msg)))
                return
            entry = HiveFile(name, shown, None, source=path)  # read when a check asks for it
        except TargetError as exc:
            self.problems.append(ReadProblem(shown, exc.msg if isinstance(exc, RegistryError)
                                             else Message.of("note.could_not_read", detail=exc.msg)))
            return
        if entry is not None:
            self.files[name] = entry

    def _read_hive(self, name: str, path: str, shown: str, evict: bool) -> HiveFile | None:
        st = self.target.stat_follow(path)
        size = st.size if st is not None else 0
        reservation = self.target.budget.try_reserve(size)
        while reservation is None and evict and self._evict_one(keep=name):
            reservation = self.target.budget.try_reserve(size)
        if reservation is None:
            reservation = self.target.budget.reserve(size)  # raises BudgetExceeded with the reason
        try:
            entry = self._parsed(name, self.target.read_bytes(path, HIVE_READ_LIMIT), shown)
        except BaseException:
            reservation.release()
            raise
        if entry is None:
            reservation.release()
            return None
        entry.source, entry.reservation = path, reservation
        if name.startswith(USERS_PREFIX):
            self._recent.append(name)
        return entry

    def _evict_one(self, keep: str) -> bool:
        """Let go of the least recently used user hive other than `keep`; False when there is none."""
        for name in self._recent:
            entry = self.files.get(name)
            if name != keep and entry is not None and entry.hive is not None and entry.reservation is not None:
                self._recent.remove(name)
                _let_go(entry)
                return True
        return False

    def close(self) -> None:
        """Let go of every hive held (and its share of the read budget)."""
        for entry in self.files.values():
            _let_go(entry)
        self._recent.clear()

    def _held(self, hive: str) -> HiveFile:
        entry = self.files[hive]
        if entry.hive is None and self.target is not None:
            loaded = self._read_hive(hive, entry.source, entry.path, evict=True)
            if loaded is None:
                del self.files[hive]
                raise RegistryError(Message.of("target.at_path", path=entry.path, detail=self.problems[-1].msg))
            self.files[hive] = entry = loaded
        elif hive in self._recent:
            self._recent.remove(hive)
            self._recent.append(hive)
        return entry

    def _current_control_set(self, entry: HiveFile, shown_path: str) -> str:
        root = HiveKey(entry.hive.root, entry.name)
        try:
            select = root.subkey("Select")
            current = select.value("Current") if select else None
            number = current.number() if current else None
        except RegistryError as exc:
            self.problems.append(ReadProblem(shown_path, exc.msg))
            number = None
        if number:
            return f"ControlSet{number:03d}"
        self.problems.append(ReadProblem(shown_path, Message.of("target.no_current_control_set")))
        return "ControlSet001"

    def hives(self) -> list[str]:
        return sorted(self.files)

    def _open_in_hive(self, hive: str, subpath: str) -> RegKey | None:
        try:
            entry = self._held(hive)
        except TargetError as exc:
            raise RegistryError(exc.msg) from exc
        parts = [p for p in subpath.split("\\") if p]
        if entry.prefix_to_drop and parts:
            if parts[0].lower() != "software":
                return None
            parts = parts[1:]
        if entry.control_set and parts and parts[0].lower() == "currentcontrolset":
            parts[0] = entry.control_set
        key: RegKey | None = HiveKey(entry.hive.root, hive)
        for part in parts:
            assert key is not None
            key = key.subkey(part)
            if key is None:
                return None
        if key is not None:  # shown with the path asked for (CurrentControlSet, Software\ kept)
            key.path = "\\".join([hive, *[p for p in subpath.split("\\") if p]])
        return key


def _let_go(entry: HiveFile) -> None:
    """Free a hive's bytes now, even while a key of it is still referenced somewhere (such a key then
    reads as damaged), and give back its share of the read budget."""
    stream = getattr(entry.hive, "_stream", None)
    if stream is not None:
        stream.close()
    entry.hive = None
    if entry.reservation is not None:
        entry.reservation.release()
        entry.reservation = None
    gc.collect()  # the parsed hive holds reference cycles


def open_hive_registry(target: Any) -> HiveRegistry:
    """The registry of a Windows disk image, read through the Target API (never from the host).

    HKLM\\SOFTWARE and HKLM\\SYSTEM from Windows/System32/config; HKU\\<user> from each
    Users/<user>/NTUSER.DAT. Unreadable or damaged hives are listed in `problems`.
    """
    reg = HiveRegistry(target=target)
    for name, path in ((MACHINE_SOFTWARE, "/Windows/System32/config/SOFTWARE"),
                       (MACHINE_SYSTEM, "/Windows/System32/config/SYSTEM")):
        if not target.exists(path):
            reg.problems.append(ReadProblem(target.display_path(path), Message.of("target.hive_not_found")))
            continue
        reg.add_hive_file(name, path)
    try:
        users = target.list_dir("/Users") if target.exists("/Users") else []
    except TargetError as exc:  # people's settings (their NTUSER.DAT) cannot be found: say so
        reg.problems.append(ReadProblem(target.display_path("/Users"),
                                        Message.of("note.could_not_list", detail=exc.msg)))
        users = []
    for entry in users:
        if not entry.is_dir or entry.is_symlink:
            continue
        found = target.glob(f"/Users/{_glob_escape(entry.name)}/NTUSER.DAT")
        if found:
            reg.add_hive_file(USERS_PREFIX + entry.name, found[0])
            _add_classes_hive(reg, target, entry.name)
    return reg


USER_CLASSES = "AppData/Local/Microsoft/Windows/UsrClass.dat"


def _add_classes_hive(reg: HiveRegistry, target: Any, user: str) -> None:
    """A person's UsrClass.dat is what Windows shows as HKU\\<user>\\Software\\Classes (per-user COM
    classes and file types): mounted there, it hides the NTUSER.DAT key of the same name, as on Windows."""
    found = target.glob(f"/Users/{_glob_escape(user)}/{USER_CLASSES}")
    if found:
        reg.add_hive_file(f"{USERS_PREFIX}{user}\\Software\\Classes", found[0])


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
