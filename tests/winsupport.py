"""Helpers for the Windows tests: real hives from tests/data/realdata, planted values written with
hivexsh (Debian libhivex-bin) into COPIES of real hives, and Windows disk-image trees."""

from __future__ import annotations

import lzma
import shutil
import struct
import subprocess
import uuid
from functools import cache
from pathlib import Path

from tests.conftest import needs_tool, realdata

HIVES = {
    "nfury": "windows/registry/NTUSER-WIN7-nfury.DAT",
    "vibranium": "windows/registry/NTUSER-RunTests-vibranium.DAT",
    "bperry": "windows/registry/NTUSER-bperry.DAT",
    "default": "windows/registry/NTUSER-Default-Win10.DAT",
    "tony": "windows/registry/NTUSER_BAGMRU.DAT.xz",
    "wsl": "windows/registry/NTUSER-WSL.DAT.xz",
    "partial": "windows/registry/ntuser_software_partial.xz",
    "system7": "windows/registry/SYSTEM-Win7.xz",
    "system10": "windows/registry/SYSTEM_WIN_10_1709.xz",
}
# More real hives kept in tests/data/windows/registry (provenance in tests/data/README.md).
MORE = Path(__file__).resolve().parent / "data" / "windows" / "registry"
MORE_HIVES = {"system8": "SYSTEM_2.xz", "system10b": "SYSTEM_B.xz", "usrclass": "UsrClass.dat.xz"}
TASKS = "windows/tasks"
BENIGN_TASKS = [
    "Win10/GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}",
    "Win10/MicrosoftEdgeUpdateTaskMachineCore",
    "Win10/OneDrive Reporting Task-S-1-5-21-2212929841-2730996645-2649195864-1000",
    "Win10/Microsoft/Windows/Defrag/ScheduledDefrag",
    "Win10/Microsoft/VisualStudio/VSIX Auto Update",
    "Win11/Microsoft/Windows/Ras/MobilityManager",
]
MALICIOUS_TASKS = ["Win10/GameOver", "Server2022/falshupdate22"]


@cache
def hive_bytes(name: str) -> bytes:
    """A real hive's bytes, decompressed once per test session."""
    if name in MORE_HIVES:
        return lzma.decompress((MORE / MORE_HIVES[name]).read_bytes())
    data = realdata(HIVES[name]).read_bytes()
    return lzma.decompress(data) if HIVES[name].endswith(".xz") else data


def put_hive(dest: Path, name: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(hive_bytes(name))
    return dest


def put_task(root: Path, rel: str) -> Path:
    """Copy a real task file into root/Windows/System32/Tasks, keeping its folder below the OS name."""
    inside = rel.split("/", 1)[1]
    dest = root / "Windows/System32/Tasks" / inside
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(realdata(f"{TASKS}/{rel}"), dest)
    return dest


def _exists(hive: Path, parts: list[str]) -> bool:
    script = "cd \\" + "\\".join(parts) + "\n"
    hivexsh = needs_tool("hivexsh", "libhivex-bin")
    return subprocess.run([hivexsh, str(hive)], input=script, text=True, capture_output=True).returncode == 0


def hivex_plant(hive: Path, key: str, values: list[tuple[str, str]]) -> None:
    """Write values into a key of a real hive file with hivexsh, creating missing keys.

    `key` has no hive prefix (for an NTUSER.DAT: 'Software\\Microsoft\\...'). Values use hivexsh
    syntax: ('Name', 'string:...'), ('Name', 'dword:0x1'), ('Name', 'qword:0x...'). hivexsh's setval
    replaces every value of the key, so the planted key holds exactly these values.
    """
    parts = [p for p in key.split("\\") if p]
    depth = 0
    while depth < len(parts) and _exists(hive, parts[: depth + 1]):
        depth += 1
    lines = ["cd \\" + "\\".join(parts[:depth])] if depth else []
    for part in parts[depth:]:
        lines += [f"add {part}", f"cd {part}"]
    lines.append(f"setval {len(values)}")
    for name, value in values:
        lines += [name, value]
    lines.append("commit")
    result = subprocess.run([needs_tool("hivexsh", "libhivex-bin"), "-w", str(hive)], input="\n".join(lines) + "\n",
                            text=True, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"hivexsh failed: {result.stderr}")


def qword(value: int) -> str:
    """hivexsh value text for a REG_QWORD (its own 'qword:' form drops the upper bytes)."""
    return "hex:11:" + ",".join(f"{b:02x}" for b in value.to_bytes(8, "little"))


def filetime(iso_utc: str) -> int:
    """A Windows FILETIME for an ISO 8601 UTC time."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(iso_utc).replace(tzinfo=dt.timezone.utc)
    return int((moment - dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)).total_seconds()) * 10_000_000


def shell_link(target: str, arguments: str) -> bytes:
    """A minimal real shell link: header, LinkInfo with a local base path, and an Arguments string."""
    has_link_info, has_arguments, is_unicode = 0x02, 0x20, 0x80
    header = struct.pack("<I16sII", 0x4C, uuid.UUID("00021401-0000-0000-C000-000000000046").bytes_le,
                         has_link_info | has_arguments | is_unicode, 0x20)
    header += b"\x00" * 24 + struct.pack("<IiIHHII", 0, 0, 1, 0, 0, 0, 0)
    assert len(header) == 0x4C
    volume = struct.pack("<IIII", 0x11, 3, 0x1234, 0x10) + b"\x00"
    base = target.encode("ascii") + b"\x00"
    header_size = 0x1C
    volume_off = header_size
    base_off = volume_off + len(volume)
    suffix_off = base_off + len(base)
    body = volume + base + b"\x00"
    link_info = struct.pack("<IIIIIII", header_size + len(body), header_size, 1, volume_off, base_off, 0,
                            suffix_off) + body
    args = struct.pack("<H", len(arguments)) + arguments.encode("utf-16-le")
    return header + link_info + args


def multi_sz(items: list[str]) -> str:
    """hivexsh value text for a REG_MULTI_SZ."""
    data = "".join(f"{item}\x00" for item in items).encode("utf-16-le") + b"\x00\x00"
    return "hex:7:" + ",".join(f"{b:02x}" for b in data)


def binary(data: bytes) -> str:
    """hivexsh value text for a REG_BINARY."""
    return "hex:3:" + ",".join(f"{b:02x}" for b in data)


def task_actions(command: str, arguments: str, principal: str = "Author") -> bytes:
    """A TaskCache Actions value (version 3, one exec action), laid out as Windows writes it
    (https://github.com/GDATAAdvancedAnalytics/winreg-tasks, kaitai/actions.ksy)."""
    def bstr(text: str) -> bytes:
        raw = text.encode("utf-16-le")
        return struct.pack("<I", len(raw)) + raw

    return (struct.pack("<H", 3) + bstr(principal) + struct.pack("<H", 0x6666) + bstr("") + bstr(command)
            + bstr(arguments) + bstr("") + struct.pack("<H", 0))


def wmi_repository(consumers: list[tuple[str, str, str]], bindings: list[tuple[str, str, str]]) -> bytes:
    """Bytes shaped like the records of an OBJECTS.DATA (built here, not taken from a real repository):
    per consumer (class, name, command or script) its class name, NULs, a key hash, the name and the
    command as NUL-separated strings, as PyWMIPersistenceFinder expects them; per binding
    (consumer class, consumer name, filter name) the reference strings a binding record holds."""
    import hashlib

    out = bytearray(b"\x00" * 8192)
    for cls, name, text in consumers:
        key = hashlib.md5(name.encode()).hexdigest().upper().encode()
        out += cls.encode() + b"\x00\x00" + key + b"\x00\x7f\x01" + name.encode() + b"\x00\x00" + text.encode()
        if cls.startswith("ActiveScript"):
            out += b"\x00\x00VBScript"
        out += b"\x00" * 300
    for cls, name, filter_name in bindings:
        out += (b"__FilterToConsumerBinding\x00\x00" + f'{cls}.Name="{name}"'.encode() + b"\x00\x00"
                + f'__EventFilter.Name="{filter_name}"'.encode() + b"\x00" * 200)
    return bytes(out)
