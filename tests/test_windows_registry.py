"""The registry layer on real hives (regipy backend) and the live backend against a fake winreg."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techcheck.target.registry import HiveRegistry, RegistryError, filetime_to_datetime
from techcheck.target.winreg_live import WinregRegistry
from tests.winsupport import hive_bytes

RUN = "Software\\Microsoft\\Windows\\CurrentVersion\\Run"


def registry(**hives: str) -> HiveRegistry:
    reg = HiveRegistry()
    for name, real in hives.items():
        hive_name = {"software": "HKLM\\SOFTWARE", "system": "HKLM\\SYSTEM"}.get(name, f"HKU\\{name}")
        reg.add_hive(hive_name, hive_bytes(real), f"{real} (test)")
    return reg


@pytest.fixture(scope="module")
def users() -> HiveRegistry:
    return registry(nfury="nfury", vibranium="vibranium", bperry="bperry", default="default", tony="partial")


def run_values(reg: HiveRegistry, user: str, key: str = "Run") -> dict[str, tuple[str, Any]]:
    found = reg.open_key(f"HKU\\{user}\\{RUN[:-3]}{key}")
    assert found is not None, f"{user}: no {key} key"
    return {v.name: (v.type, v.data) for v in found.values()}


def test_run_values_of_real_user_hives(users: HiveRegistry) -> None:
    assert run_values(users, "nfury") == {
        "Google Update": ("REG_SZ", '"C:\\Users\\nfury\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe" /c'),
        "Skype": ("REG_SZ", '"C:\\Program Files (x86)\\Skype\\Phone\\Skype.exe" /nosplash /minimized'),
    }
    assert run_values(users, "vibranium") == {
        "Sidebar": ("REG_EXPAND_SZ", "%ProgramFiles%\\Windows Sidebar\\Sidebar.exe /autoRun")}
    assert run_values(users, "vibranium", "RunOnce") == {
        "mctadmin": ("REG_SZ", "C:\\Windows\\System32\\mctadmin.exe")}


def test_unusual_root_key_names(users: HiveRegistry) -> None:
    # bperry: root "CsiTool-CreateHive-{...}"; default: root "ROOT"; partial: root "Software" (a saved
    # HKCU\Software subtree whose paths lack the leading Software\ -- still reached as HKU\x\Software\...).
    assert set(run_values(users, "bperry")) == {"Spotify", "Spotify Web Helper"}
    assert run_values(users, "default")["OneDriveSetup"][1] == "C:\\Windows\\SysWOW64\\OneDriveSetup.exe /thfirstsetup"
    assert set(run_values(users, "tony")) == {"OneDrive"}
    assert len(run_values(users, "tony", "RunOnce")) == 4
    assert users.open_key("HKU\\tony\\Microsoft\\Windows\\CurrentVersion\\Run") is None  # needs Software\


def test_key_paths_case_and_last_write(users: HiveRegistry) -> None:
    key = users.open_key("hku\\NFURY\\software\\microsoft\\windows\\currentversion\\run")
    assert key is not None
    assert key.path == "HKU\\nfury\\software\\microsoft\\windows\\currentversion\\run"  # hive name canonical
    assert key.last_write == dt.datetime(2011, 8, 25, 21, 51, 37, 681928, tzinfo=dt.timezone.utc)
    parent = users.open_key("HKU\\nfury\\Software\\Microsoft\\Windows\\CurrentVersion")
    assert parent is not None and "Run" in parent.subkey_names()
    assert users.open_key("HKLM\\SOFTWARE\\Microsoft") is None  # that hive was not given
    assert users.user_hives() == ["HKU\\bperry", "HKU\\default", "HKU\\nfury", "HKU\\tony", "HKU\\vibranium"]


def test_system_hive_current_control_set() -> None:
    reg = registry(system="system7")
    assert reg.files["HKLM\\SYSTEM"].control_set == "ControlSet001"
    svc = reg.open_key("HKLM\\SYSTEM\\CurrentControlSet\\Services\\McShield")
    assert svc is not None and svc.value("ImagePath") is not None
    assert len(reg.open_key("HKLM\\SYSTEM\\CurrentControlSet\\Services").subkey_names()) == 467  # type: ignore[union-attr]


@pytest.mark.parametrize("damage", ["garbage", "empty"])
def test_unreadable_hive_is_a_problem_not_a_crash(damage: str) -> None:
    data = {"garbage": b"regf" + bytes(range(256)) * 40, "empty": b""}[damage]
    reg = HiveRegistry()
    reg.add_hive("HKU\\broken", data, "C:\\Users\\broken\\NTUSER.DAT")
    reg.add_hive("HKU\\nfury", hive_bytes("nfury"), "C:\\Users\\nfury\\NTUSER.DAT")
    assert reg.hives() == ["HKU\\nfury"]
    assert [p.path for p in reg.problems] == ["C:\\Users\\broken\\NTUSER.DAT"]
    assert "Google Update" in run_values(reg, "nfury")


@pytest.mark.parametrize("keep", [8192, 0.5])
def test_truncated_hive_fails_on_the_keys_it_lost(keep: float) -> None:
    good = hive_bytes("nfury")
    reg = HiveRegistry()
    reg.add_hive("HKU\\cut", good[: int(keep if keep > 1 else len(good) * keep)], "cut")
    assert reg.hives() == ["HKU\\cut"]  # the header and root key are still there
    with pytest.raises(RegistryError, match="could not read the subkeys"):
        reg.open_key(f"HKU\\cut\\{RUN}")


def test_filetime_conversion() -> None:
    assert filetime_to_datetime(0) is None
    assert filetime_to_datetime(132_935_493_400_000_000) == dt.datetime(2022, 4, 4, 12, 35, 40, tzinfo=dt.timezone.utc)


def test_image_registry_reads_hives_through_the_target(tmp_path: Path) -> None:
    from techcheck.target import open_image

    (tmp_path / "WINDOWS/system32/CONFIG").mkdir(parents=True)  # matched case-insensitively
    (tmp_path / "WINDOWS/system32/CONFIG/system").write_bytes(hive_bytes("system10"))
    (tmp_path / "Users/ana").mkdir(parents=True)
    (tmp_path / "Users/ana/ntuser.dat").write_bytes(hive_bytes("wsl"))
    (tmp_path / "Users/Public").mkdir()
    reg = open_image(str(tmp_path)).registry()
    assert reg.hives() == ["HKLM\\SYSTEM", "HKU\\ana"]
    assert [p.message for p in reg.problems] == ["registry hive file not found"]  # no SOFTWARE
    img = open_image(str(tmp_path))
    assert img.registry() is img.registry()  # read once per scan, shared by the collectors


# --- live backend against an in-memory stand-in for the winreg module -----------------------

class FakeWinreg:
    """The winreg calls techcheck uses, over a nested dict: {name: (values, subkeys)}."""

    HKEY_LOCAL_MACHINE = 0x80000002
    HKEY_USERS = 0x80000003
    KEY_READ = 0x20019
    KEY_WOW64_64KEY = 0x0100
    MTIME = 132_935_493_400_000_000

    def __init__(self, tree: dict[int, dict[str, Any]]) -> None:
        self.tree = tree
        self.opened: list[tuple[int, str, int]] = []
        self.open_handles = 0

    def _node(self, root: int, sub: str) -> dict[str, Any]:
        node: dict[str, Any] = {"keys": self.tree[root], "values": []}
        for part in [p for p in sub.split("\\") if p]:
            match = {k.lower(): k for k in node["keys"]}.get(part.lower())
            if match is None:
                raise FileNotFoundError(2, "The system cannot find the file specified")
            node = node["keys"][match]
        return node

    def OpenKey(self, root: int, sub: str, reserved: int = 0, access: int = 0) -> dict[str, Any]:  # noqa: N802
        self.opened.append((root, sub, access))
        node = self._node(root, sub)
        self.open_handles += 1
        return node

    def CloseKey(self, handle: dict[str, Any]) -> None:  # noqa: N802
        self.open_handles -= 1

    def QueryInfoKey(self, handle: dict[str, Any]) -> tuple[int, int, int]:  # noqa: N802
        return len(handle["keys"]), len(handle["values"]), self.MTIME

    def EnumKey(self, handle: dict[str, Any], index: int) -> str:  # noqa: N802
        names = list(handle["keys"])
        if index >= len(names):
            raise OSError(259, "No more data is available")
        return names[index]

    def EnumValue(self, handle: dict[str, Any], index: int) -> tuple[str, Any, int]:  # noqa: N802
        if index >= len(handle["values"]):
            raise OSError(259, "No more data is available")
        return handle["values"][index]


def key(values: list[tuple[str, Any, int]] | None = None, **subkeys: dict[str, Any]) -> dict[str, Any]:
    return {"values": values or [], "keys": dict(subkeys)}


SID = "S-1-5-21-1111-2222-3333-1001"


def fake_machine() -> FakeWinreg:
    run = key([("Backup", '"C:\\Program Files\\Backup\\bk.exe" /tray', 1)])
    profile = key([("ProfileImagePath", "C:\\Users\\ana", 2)])
    software = key(Microsoft=key(
        Windows=key(CurrentVersion=key(Run=run)),
        **{"Windows NT": key(CurrentVersion=key(ProfileList=key(**{SID: profile})))}))
    ts = key([("fDenyTSConnections", 0, 4)], WinStations=key(**{"RDP-Tcp": key([("PortNumber", 3390, 4),
                                                                              ("UserAuthentication", 1, 4)])}))
    system = key(ControlSet001=key(), CurrentControlSet=key(
        Control=key(**{"Terminal Server": ts}),
        Services=key(sshd=key([("ImagePath", "C:\\Windows\\System32\\OpenSSH\\sshd.exe", 2), ("Start", 2, 4),
                               ("ObjectName", "LocalSystem", 1), ("Type", 16, 4)]))))
    user_run = key([("Helper", "C:\\Users\\ana\\AppData\\Local\\Temp\\h.exe", 1)])
    user = key(Software=key(Microsoft=key(Windows=key(CurrentVersion=key(Run=user_run)))))
    return FakeWinreg({
        FakeWinreg.HKEY_LOCAL_MACHINE: {"SOFTWARE": software, "SYSTEM": system},
        FakeWinreg.HKEY_USERS: {".DEFAULT": key(), "S-1-5-18": key(), SID: user, SID + "_Classes": key()},
    })


def test_live_backend_reads_keys_values_and_user_hives() -> None:
    fake = fake_machine()
    reg = WinregRegistry(fake)
    assert reg.hives() == ["HKLM\\SOFTWARE", "HKLM\\SYSTEM", "HKU\\ana"]  # SID named from ProfileList
    run = reg.open_key("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run")
    assert run is not None and run.path == "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"
    assert [(v.name, v.type, v.text()) for v in run.values()] == [
        ("Backup", "REG_SZ", '"C:\\Program Files\\Backup\\bk.exe" /tray')]
    assert run.last_write == dt.datetime(2022, 4, 4, 12, 35, 40, tzinfo=dt.timezone.utc)
    user_run = reg.open_key(f"HKU\\ana\\{RUN}")
    assert user_run is not None and user_run.value("helper") is not None
    assert reg.open_key("HKLM\\SOFTWARE\\Nope") is None
    assert all(access & fake.KEY_WOW64_64KEY and access & fake.KEY_READ for _, _, access in fake.opened)
    assert fake.open_handles == 0  # every handle opened was closed


def test_collectors_run_on_the_live_backend() -> None:
    from techcheck.collectors.windows.autostart import WindowsRegistryAutostart
    from techcheck.collectors.windows.remote import WindowsRemoteAccess
    from techcheck.scan import run_check
    from techcheck.target.fake import FakeTarget

    class LiveLike(FakeTarget):
        def registry(self) -> WinregRegistry:  # type: ignore[override]
            return WinregRegistry(fake_machine())

    target = LiveLike(mode="fake", os="windows", root=None)
    check, arts = run_check(WindowsRegistryAutostart, target)
    assert check.status == "ok"
    assert {(a.fields["name"], a.fields["user"], a.fields["exe"]) for a in arts} == {
        ("Backup", "", "C:\\Program Files\\Backup\\bk.exe"),
        ("Helper", "ana", "C:\\Users\\ana\\AppData\\Local\\Temp\\h.exe"),
    }
    check, arts = run_check(WindowsRemoteAccess, target)
    settings = {a.fields["name"]: a.fields for a in arts}
    assert settings["remote_desktop"]["enabled"] is True
    assert settings["remote_desktop"]["detail"] == "port 3390; network-level sign-in required"
    assert settings["ssh_server"]["enabled"] is True


def test_group_policy_overrides_remote_desktop_switch() -> None:
    from techcheck.collectors.windows.remote import WindowsRemoteAccess
    from techcheck.scan import run_check
    from techcheck.target.fake import FakeTarget

    fake = fake_machine()
    software = fake.tree[FakeWinreg.HKEY_LOCAL_MACHINE]["SOFTWARE"]
    software["keys"]["Policies"] = key(Microsoft=key(**{"Windows NT": key(**{"Terminal Services": key(
        [("fDenyTSConnections", 1, 4), ("UserAuthentication", 0, 4)])})}))

    class LiveLike(FakeTarget):
        def registry(self) -> WinregRegistry:  # type: ignore[override]
            return WinregRegistry(fake)

    _, arts = run_check(WindowsRemoteAccess, LiveLike(mode="fake", os="windows", root=None))
    rdp = next(a for a in arts if a.fields["name"] == "remote_desktop")
    assert (rdp.fields["enabled"], rdp.fields["value"]) == (False, "no_nla")
    assert rdp.location.registry_key == "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"


def test_live_backend_reads_signed_out_users_hives_from_disk() -> None:
    """A user who is signed out has no hive under HKEY_USERS: their NTUSER.DAT is read from disk."""
    from techcheck.target.fake import FakeTarget
    from techcheck.target.winreg_live import open_live_registry

    fake = fake_machine()
    profiles = fake.tree[FakeWinreg.HKEY_LOCAL_MACHINE]["SOFTWARE"]["keys"]["Microsoft"]["keys"]["Windows NT"][
        "keys"]["CurrentVersion"]["keys"]["ProfileList"]["keys"]
    profiles["S-1-5-21-1111-2222-3333-1002"] = key([("ProfileImagePath", "C:\\Users\\nfury", 2)])
    profiles["S-1-5-21-1111-2222-3333-1003"] = key([("ProfileImagePath", "C:\\Users\\gone", 2)])  # no folder
    profiles["S-1-5-21-1111-2222-3333-1004"] = key([("ProfileImagePath", "C:\\Users\\cut", 2)])
    profiles["S-1-5-18"] = key([("ProfileImagePath", "%systemroot%\\system32\\config\\systemprofile", 2)])
    disk = FakeTarget(mode="fake", os="windows", root=None, files={
        "/Users/nfury/NTUSER.DAT": hive_bytes("nfury"),
        "/Users/cut/NTUSER.DAT": b"regf" + b"\x00" * 64,
    })
    reg = open_live_registry(fake, target=disk)
    assert reg.hives() == ["HKLM\\SOFTWARE", "HKLM\\SYSTEM", "HKU\\ana", "HKU\\nfury"]
    run = reg.open_key(f"HKU\\nfury\\{RUN}")
    assert run is not None and {v.name for v in run.values()} == {"Google Update", "Skype"}
    assert [p.path for p in reg.problems] == ["C:\\Users\\cut\\NTUSER.DAT"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=262_143), st.integers(0, 255)), min_size=1,
                max_size=40))
def test_damaged_bytes_give_registry_errors_only(changes: list[tuple[int, int]]) -> None:
    """Flip bytes of a real hive: reading it may fail, but only as a RegistryError (a note)."""
    data = bytearray(hive_bytes("vibranium"))
    for offset, value in changes:
        data[offset % len(data)] = value
    reg = HiveRegistry()
    reg.add_hive("HKU\\x", bytes(data), "x")
    if not reg.hives():
        assert len(reg.problems) == 1
        return
    try:
        for path in (RUN, RUN + "Once", "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"):
            found = reg.open_key(f"HKU\\x\\{path}")
            if found is not None:
                for sub in found.subkeys():
                    sub.values()
                found.values()
                assert isinstance(found.last_write, dt.datetime | None)
    except RegistryError:
        pass
