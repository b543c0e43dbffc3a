"""Times the Windows collectors keep (issue 16 part 1): real hives' key last-write times, the real
ConsentStore's last-use times, the real task files' registration dates, and a planted remote-access
tool with its connection log. Exact values and kinds."""

from __future__ import annotations

import datetime as dt

import pytest

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Context
from techcheck.collectors.windows.remote_logs import Session, session_times
from techcheck.collectors.windows.tasks import dynamic_info_times, parse_task_xml, registration_time
from techcheck.scan import ScanResult
from techcheck.target.identity import LocalClock
from tests.test_windows_scan import base_image, scan
from tests.winsupport import MALICIOUS_TASKS, hivex_plant, put_hive, put_task, qword

KEY = "registry key last write"
STARTED = "ConsentStore LastUsedTimeStart (the last use began)"
ENDED = "ConsentStore LastUsedTimeStop (the last use ended)"
REGISTERED = "scheduled task registration date (RegistrationInfo Date) (local time, Eastern Standard Time)"
UTC = dt.timezone.utc


def times(art: Artifact) -> list[tuple[str, str, str]]:
    return [(t.to_dict()["time"], t.kind, str(t.source)) for t in art.get("times") or []]


def one(result: ScanResult, kind: str, **fields: object) -> Artifact:
    found = [a for a in result.artifacts if a.kind == kind and all(a.get(k) == v for k, v in fields.items())]
    assert len(found) == 1, (kind, fields, len(found))
    return found[0]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    root = base_image(tmp_path_factory.mktemp("real"))
    for task in MALICIOUS_TASKS:
        put_task(root, task)
    return scan(root)


def test_run_entries_carry_their_real_key_last_write(real: ScanResult) -> None:
    assert times(one(real, "autostart", mechanism="run_key", name="Skype", user="nfury")) == [
        ("2011-08-25T21:51:37+00:00", "changed", KEY)]
    assert times(one(real, "autostart", mechanism="run_key", name="Spotify", user="bperry")) == [
        ("2016-10-05T09:41:35+00:00", "changed", KEY)]
    assert times(one(real, "autostart", mechanism="run_key", name="Lync", user="tony")) == [
        ("2022-01-26T16:55:38+00:00", "changed", KEY)]
    assert times(one(real, "autostart", mechanism="run_key", name="OneDrive", user="admin")) == [
        ("2019-05-16T08:30:51+00:00", "changed", KEY)]


def test_settings_and_services_carry_their_key_last_write(real: ScanResult) -> None:
    assert times(one(real, "setting", name="remote_desktop")) == [("2012-04-04T11:47:51+00:00", "changed", KEY)]
    assert times(one(real, "setting", name="remote_assistance")) == [("2009-07-14T04:37:09+00:00", "changed", KEY)]
    services = [a for a in real.artifacts if a.kind == "service"]
    assert services and all(any(str(t.source) == KEY and t.kind == "changed" for t in a.get("times") or [])
                            for a in services)
    registry_based = [a for a in real.artifacts if a.location.registry_key and "times" in a.fields]
    assert all(t.kind in ("changed", "last_used", "created", "installed") for a in registry_based
               for t in a.get("times"))


def test_real_consent_store_last_use_times(real: ScanResult) -> None:
    zoom_cam = one(real, "permission", service="camera", user="tony",
                   app="C:\\Users\\tony\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe")
    assert times(zoom_cam) == [("2022-04-04T12:35:40+00:00", "last_used", STARTED),
                               ("2022-04-04T13:02:32+00:00", "last_used", ENDED),
                               ("2022-04-04T13:02:32+00:00", "changed", KEY)]
    assert zoom_cam.get("last_used") == "2022-04-04T12:35:40+00:00"
    vmware = one(real, "permission", service="microphone", user="tony",
                 app="C:\\Program Files (x86)\\VMware\\VMware Workstation\\x64\\vmware-vmx.exe")
    assert times(vmware) == [("2022-05-10T10:39:22+00:00", "last_used", STARTED),
                             ("2022-05-10T10:39:27+00:00", "last_used", ENDED),
                             ("2022-05-10T10:39:27+00:00", "changed", KEY)]
    overall = one(real, "permission", service="camera", user="tony", app="")
    assert times(overall) == [("2021-05-13T11:08:37+00:00", "changed", KEY)]


def test_real_task_files_registration_dates_and_authors(real: ScanResult) -> None:
    # Both files say their date without an offset: the computer's local time (this copy's SYSTEM hive
    # names Eastern Standard Time: UTC-5 in March 2022, UTC-4 in October 2023).
    game = one(real, "autostart", mechanism="scheduled_task", name="\\GameOver")
    assert game.get("author") == "DESKTOP-TMKU40H\\TestUser"
    assert times(game)[0] == ("2022-03-10T20:59:03+00:00", "created", REGISTERED)
    falsh = one(real, "autostart", mechanism="scheduled_task", name="\\falshupdate22")
    assert falsh.get("author") == "Test"
    assert times(falsh)[0] == ("2023-10-18T03:07:23+00:00", "created", REGISTERED)
    onedrive = one(real, "autostart", mechanism="scheduled_task",
                   name="\\OneDrive Reporting Task-S-1-5-21-2212929841-2730996645-2649195864-1000")
    assert onedrive.get("author") == "Microsoft Corporation"
    # No registration date in that file: only the copy's own file time, a "changed" time, never "created".
    assert [kind for _, kind, _ in times(onedrive)] == ["changed"]


def test_registration_dates_with_offsets_unknown_zones_and_damage() -> None:
    ctx = Context()
    eastern = LocalClock(None, "")
    task = parse_task_xml('<Task><RegistrationInfo><Date>2024-03-01T21:14:05Z</Date></RegistrationInfo></Task>')
    found = registration_time(task, eastern, ctx, "t")
    assert found is not None and found.when == dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC)
    task = parse_task_xml('<Task><RegistrationInfo><Date>2024-03-01T21:14:05-08:00</Date></RegistrationInfo></Task>')
    found = registration_time(task, eastern, ctx, "t")
    assert found is not None and found.when == dt.datetime(2024, 3, 2, 5, 14, 5, tzinfo=UTC)
    task = parse_task_xml('<Task><RegistrationInfo><Date>2024-03-01T21:14:05</Date></RegistrationInfo></Task>')
    found = registration_time(task, eastern, ctx, "t")
    assert found is not None and "time zone is not known" in str(found.source)
    assert ctx.notes == []
    for bad in ("yesterday", "1601-01-01T00:00:00", "2999-01-01T00:00:00"):
        task = parse_task_xml(f'<Task><RegistrationInfo><Date>{bad}</Date></RegistrationInfo></Task>')
        assert registration_time(task, eastern, ctx, "t") is None
    assert len(ctx.notes) == 3 and "not a date" in ctx.notes[0].message
    assert "before 1995" in ctx.notes[1].message and "in the future" in ctx.notes[2].message


def test_task_registry_dynamic_info() -> None:
    ctx = Context()
    registered = (dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC) - dt.datetime(1601, 1, 1, tzinfo=UTC))
    ran = registered + dt.timedelta(hours=1)
    blob = (b"\x03\x00\x00\x00" + (int(registered.total_seconds()) * 10_000_000).to_bytes(8, "little")
            + (int(ran.total_seconds()) * 10_000_000).to_bytes(8, "little") + b"\x00" * 8)
    found = dynamic_info_times(blob, "k", ctx)
    assert [(t.to_dict()["time"], t.kind) for t in found] == [
        ("2024-03-01T21:14:05+00:00", "changed"), ("2024-03-01T22:14:05+00:00", "last_used")]
    never_ran = blob[:12] + b"\x00" * 8 + blob[20:]
    assert [t.kind for t in dynamic_info_times(never_ran, "k", ctx)] == ["changed"]
    assert dynamic_info_times(b"\x03\x00", "k", ctx) == [] and "too short" in ctx.notes[-1].message


def test_session_times_in_the_computer_zone() -> None:
    import zoneinfo

    ctx = Context()
    madrid = LocalClock(zoneinfo.ZoneInfo("Europe/Madrid"), "Romance Standard Time")
    session = Session("2024-03-01T21:14:05", "x", dt.datetime(2024, 3, 1, 21, 14, 5),
                      dt.datetime(2024, 3, 1, 21, 44, 10))
    found = session_times(session, madrid, ctx, "p")
    assert [(t.to_dict()["time"], t.kind, str(t.source)) for t in found] == [
        ("2024-03-01T20:14:05+00:00", "connected",
         "connection log: session start (local time, Romance Standard Time)"),
        ("2024-03-01T20:44:10+00:00", "connected",
         "connection log: session end (local time, Romance Standard Time)")]
    ancient = Session("1990-01-01T00:00:00", "x", dt.datetime(1990, 1, 1))
    assert session_times(ancient, madrid, ctx, "p") == []
    assert "before 1995" in ctx.notes[-1].message


@pytest.fixture(scope="module")
def remote_tool(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """A disk copy with TeamViewer installed (programs list) and its log of incoming sessions."""
    root = tmp_path_factory.mktemp("teamviewer")
    software = put_hive(root / "Windows/System32/config/SOFTWARE", "default")
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\Uninstall\TeamViewer",
                [("DisplayName", "string:TeamViewer"), ("DisplayVersion", "string:15.51.6"),
                 ("Publisher", "string:TeamViewer"), ("InstallDate", "string:20240301"),
                 ("InstallLocation", r"string:C:\Program Files\TeamViewer")])
    hivex_plant(software, r"Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\webcam"
                          r"\NonPackaged\C:#Program Files#TeamViewer#TeamViewer.exe",
                [("Value", "string:Allow"), ("LastUsedTimeStart", qword(0)),
                 ("LastUsedTimeStop", qword(0))])
    put_hive(root / "Windows/System32/config/SYSTEM", "system10")
    (root / "Users/ana").mkdir(parents=True)
    tv = root / "Program Files/TeamViewer"
    tv.mkdir(parents=True)
    (tv / "TeamViewer.exe").write_bytes(b"MZ" + b"\x00" * 64)
    (tv / "Connections_incoming.txt").write_text(
        "123456789\tJohn\t02-03-2024 21:14:05\t02-03-2024 21:44:10\tana\tRemoteControl\t{8E5F2C1A-0000}\r\n"
        "123456789\tJohn\t03-03-2024 09:00:00\tnot a date\tana\tRemoteControl\t{8E5F2C1A-0001}\r\n")
    return scan(root)


def test_planted_remote_tool_install_and_connection_times(remote_tool: ScanResult) -> None:
    app = one(remote_tool, "app", source="uninstall_key", name="TeamViewer")
    installed = [t for t in app.get("times") if t.kind == "installed"]
    assert [t.to_dict()["time"][:10] for t in installed] == ["2024-03-01"]
    assert [str(t.source) for t in app.get("times") if t.kind == "changed"] == [KEY]
    sessions = sorted((t for a in remote_tool.artifacts if a.kind == "file" for t in a.get("times")),
                      key=lambda t: t.when)
    # The log writes local time; this copy's SYSTEM hive says Pacific Standard Time (UTC-8 in March).
    log = "connection log"
    assert [(t.to_dict()["time"], t.kind, str(t.source)) for t in sessions] == [
        ("2024-03-03T05:14:05+00:00", "connected", f"{log}: session start (local time, Pacific Standard Time)"),
        ("2024-03-03T05:44:10+00:00", "connected", f"{log}: session end (local time, Pacific Standard Time)"),
        ("2024-03-03T17:00:00+00:00", "connected", f"{log}: session start (local time, Pacific Standard Time)")]
    assert installed[0].when < sessions[0].when  # installed first, then the connections, in order
    # Zero use times on the planted permission are left out, with a note, not shown as 1601.
    cam = one(remote_tool, "permission", app="C:\\Program Files\\TeamViewer\\TeamViewer.exe")
    assert [t.kind for t in cam.get("times")] == ["changed"]
    privacy = next(c for c in remote_tool.checks if c.name == "windows.privacy")
    assert any("zero FILETIME" in n.message for n in privacy.notes)


def test_live_registry_last_write_from_query_info_key() -> None:
    """The live backend (winreg): QueryInfoKey's last write reaches every registry-based entry."""
    from techcheck.collectors.windows.autostart import WindowsRegistryAutostart
    from techcheck.collectors.windows.remote import WindowsRemoteAccess
    from techcheck.scan import run_check
    from techcheck.target.fake import FakeTarget
    from techcheck.target.winreg_live import WinregRegistry
    from tests.test_windows_registry import fake_machine

    class LiveLike(FakeTarget):
        def registry(self) -> WinregRegistry:  # type: ignore[override]
            return WinregRegistry(fake_machine())

    target = LiveLike(mode="fake", os="windows", root=None)
    for collector in (WindowsRegistryAutostart, WindowsRemoteAccess):
        _, found = run_check(collector, target)
        assert found and all(times(a) == [("2022-04-04T12:35:40+00:00", "changed", KEY)] for a in found), collector
