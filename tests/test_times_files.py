"""File times (issue 16 part 1): birth times where the scanned system's file system keeps them
(statx on Linux, read-only: the access time does not move), modification times labelled "changed"
otherwise; dpkg logs and the rpm database for install times; browsers' first and last visits.
Exact values and kinds on planted disk copies."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
import time
from pathlib import Path

import pytest

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Context
from techcheck.collectors.browsers.chromium import ChromiumBrowsers
from techcheck.collectors.browsers.firefox import FirefoxBrowser
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.linux.accounts import LinuxAccounts
from techcheck.collectors.linux.dpkglog import MAX_FILE_BYTES, parse_dpkg_log
from techcheck.collectors.linux.packages import LinuxPackages
from techcheck.collectors.linux.ssh import LinuxAuthorizedKeys
from techcheck.collectors.linux.systemd import LinuxSystemd
from techcheck.i18n import Message
from techcheck.target.birthtime import birth_time
from techcheck.target.image import ImageTarget, open_image
from techcheck.target.live import open_live
from tests.browser_fixtures import chrome_history, firefox_places, linux_image, run_collector, webkit
from tests.conftest import write

UTC = dt.timezone.utc
T1 = dt.datetime(2024, 3, 1, 21, 14, 5, tzinfo=UTC)
T2 = dt.datetime(2024, 3, 4, 8, 30, 0, tzinfo=UTC)
MADRID = "(local time, Europe/Madrid)"


def stamp(path: Path, when: dt.datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)
    return path


def kinds(art: Artifact) -> list[tuple[str, str, str]]:
    return [(t.to_dict()["time"], t.kind, str(t.source)) for t in art.get("times") or []]


def needs_birth_time(path: Path) -> float:
    born = birth_time(str(path))
    if born is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no birth time for {path} under CI=true: the test machine's file system keeps them (ext4)")
        pytest.skip(f"this file system keeps no birth time for {path} (statx without STATX_BTIME)")
    return born


# --- birth times ----------------------------------------------------------------------------------

def test_birth_time_of_a_new_file_and_the_access_time_stays(tmp_path: Path) -> None:
    before = time.time()
    path = tmp_path / "unit.service"
    path.write_text("[Service]\n")
    born = needs_birth_time(path)
    assert before - 2 <= born <= time.time() + 2
    old = dt.datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(path, (old, old))  # an old access and modification time
    atime = os.stat(path).st_atime_ns
    for _ in range(3):
        assert birth_time(str(path)) == born  # statx reads the inode only
    target = open_live()
    assert target.birth_time(str(path)) == born
    assert os.stat(path).st_atime_ns == atime


def test_live_file_times_created_and_changed(tmp_path: Path) -> None:
    path = stamp(write(tmp_path, "authorized_keys", "ssh-ed25519 AAAA x\n"), T1)
    born = needs_birth_time(path)
    found = file_times(open_live(), Context(), str(path))
    assert [(t.kind, str(t.source)) for t in found] == [("created", "file creation time (file system)"),
                                                  ("changed", "file modification time")]
    assert abs(found[0].when.timestamp() - born) < 1e-3 and found[1].when == T1


def test_a_link_has_its_own_birth_time(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("x")
    needs_birth_time(real)
    time.sleep(0.05)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert birth_time(str(link)) != birth_time(str(link), follow=True) == birth_time(str(real))


def test_copied_disk_folders_give_no_birth_times(tmp_path: Path) -> None:
    root = tmp_path / "img"
    stamp(write(root, "etc/systemd/system/agent.service", "[Service]\nExecStart=/opt/a\n"), T1)
    image = open_image(str(root))
    assert image.birth_times is False  # a folder the copy was made into: its birth times are the copying's
    assert [(t.when, t.kind) for t in file_times(image, Context(), "/etc/systemd/system/agent.service")] == [
        (T1, "changed")]
    # A mounted disk keeps its own: the image target reads them then.
    mounted = ImageTarget(mode="image", os="linux", root=str(root), birth_times=True)
    born = needs_birth_time(root / "etc/systemd/system/agent.service")
    found = file_times(mounted, Context(), "/etc/systemd/system/agent.service")
    assert [t.kind for t in found] == ["created", "changed"] and abs(found[0].when.timestamp() - born) < 1e-3


def test_implausible_file_times_are_left_out_with_a_note(tmp_path: Path) -> None:
    root = tmp_path / "img"
    stamp(write(root, "etc/a", "x"), dt.datetime(1980, 1, 1, tzinfo=UTC))  # a zip's "no date"
    stamp(write(root, "etc/b", "x"), dt.datetime(2099, 1, 1, tzinfo=UTC))
    ctx = Context()
    image = open_image(str(root))
    assert file_times(image, ctx, "/etc/a") == [] and file_times(image, ctx, "/etc/b") == []
    assert [n.message.rsplit(", ", 1)[1] for n in ctx.notes] == [
        "before 1995); it is not shown as a fact", "in the future); it is not shown as a fact"]


# --- a planted Linux disk copy --------------------------------------------------------------------

DPKG_STATUS = """Package: anydesk
Status: install ok installed
Version: 6.3.0
Maintainer: philandro Software GmbH <info@anydesk.com>

Package: bash
Status: install ok installed
Version: 5.2.15-2
Maintainer: Matthias Klose <doko@debian.org>

Package: x11vnc
Status: install ok installed
Version: 0.9.16-9
Maintainer: Debian <x@debian.org>
"""


@pytest.fixture()
def linux_copy(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img", "ana")
    write(root, "etc/timezone", "Europe/Madrid\n")
    write(root, "var/lib/dpkg/status", DPKG_STATUS)
    # Oldest first: dpkg.log.2.gz (rotated, compressed), dpkg.log.1, dpkg.log. Local time (Madrid, UTC+1).
    (root / "var/log").mkdir(parents=True, exist_ok=True)
    (root / "var/log/dpkg.log.2.gz").write_bytes(gzip.compress(
        b"2023-01-10 10:00:00 install bash:amd64 <none> 5.2.15-1\n"
        b"2023-01-10 10:00:01 status installed bash:amd64 5.2.15-1\n"
        b"2023-05-02 12:00:00 install x11vnc:amd64 <none> 0.9.16-8\n"))
    write(root, "var/log/dpkg.log.1",
          "2023-06-01 09:00:00 remove x11vnc:amd64 0.9.16-8 <none>\n"
          "2024-02-30 25:61:00 install broken:amd64 <none> 1\n"
          "2024-03-01 22:14:05 install anydesk:amd64 <none> 6.3.0\n"
          "2024-03-01 22:14:06 status half-installed anydesk:amd64 6.3.0\n")
    write(root, "var/log/dpkg.log",
          "2024-03-04 09:30:00 upgrade bash:amd64 5.2.15-1 5.2.15-2\n"
          "2024-03-04 09:31:00 install x11vnc:amd64 <none> 0.9.16-9\n")
    stamp(write(root, "etc/systemd/system/agent.service",
                "[Service]\nExecStart=/opt/agent/agent\n[Install]\nWantedBy=multi-user.target\n"), T1)
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/systemd/system/multi-user.target.wants/agent.service").symlink_to(
        "/etc/systemd/system/agent.service")
    stamp(write(root, "home/ana/.ssh/authorized_keys",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample someone@laptop\n"), T2)
    stamp(root / "home/ana", T1)
    return root


def test_dpkg_log_install_and_upgrade_times(linux_copy: Path) -> None:
    arts, ctx = run_collector(LinuxPackages(), linux_copy)
    times = {a.get("package"): kinds(a) for a in arts}
    assert times["anydesk"] == [("2024-03-01T21:14:05+00:00", "installed", f"dpkg log: installed {MADRID}")]
    assert times["bash"] == [
        ("2023-01-10T09:00:00+00:00", "installed", f"dpkg log: installed {MADRID}"),
        ("2024-03-04T08:30:00+00:00", "changed", f"dpkg log: upgraded (the latest upgrade) {MADRID}")]
    # Removed in June 2023 and installed again in March 2024: the install that is there now.
    assert times["x11vnc"] == [("2024-03-04T08:31:00+00:00", "installed", f"dpkg log: installed {MADRID}")]
    assert [n.message for n in ctx.notes] == ["1 lines of this dpkg log have a date that is not a date"]
    assert ctx.notes[0].path == "/var/log/dpkg.log.1"


def test_dpkg_logs_are_read_within_bounds(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img", "ana")
    write(root, "var/lib/dpkg/status", DPKG_STATUS)
    (root / "var/log").mkdir(parents=True, exist_ok=True)
    line = b"2024-03-01 22:14:05 trigproc man-db:amd64 2.11.2-2 <none>\n"
    bomb = gzip.compress(line * (MAX_FILE_BYTES // len(line) + 1000), 9)  # a little over the limit unpacked
    (root / "var/log/dpkg.log.3.gz").write_bytes(bomb)
    (root / "var/log/dpkg.log.2.gz").write_bytes(b"\x1f\x8bnot gzip at all")
    write(root, "var/log/dpkg.log", "2024-03-05 10:00:00 install anydesk:amd64 <none> 6.3.0\n")
    arts, ctx = run_collector(LinuxPackages(), root)
    assert [a.get("package") for a in arts if a.get("times")] == ["anydesk"]
    notes = {n.path: n.message for n in ctx.notes}
    assert "only its start was read" in notes["/var/log/dpkg.log.3.gz"]
    assert notes["/var/log/dpkg.log.2.gz"].startswith("could not decompress this dpkg log")


def test_parse_dpkg_log_is_plain_text() -> None:
    found = parse_dpkg_log("garbage\n\x00\x00\n2024-13-01 00:00:00 install a:amd64 <none> 1\n"
                           "2024-03-01 00:00:00 install b:i386 <none> 1\n")
    assert found.installed == {"b": dt.datetime(2024, 3, 1)} and found.broken == 1


def test_rpm_install_time_is_installed(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img", "ana")
    (root / "var/lib/rpm").mkdir(parents=True)
    shutil.copyfile(Path(__file__).parent / "data/rpmdb.sqlite", root / "var/lib/rpm/rpmdb.sqlite")
    arts, _ = run_collector(LinuxPackages(), root)
    assert {a.get("package"): kinds(a) for a in arts} == {
        name: [("2026-11-23T20:44:57+00:00", "installed", "rpm database install time (INSTALLTIME)")]
        for name in ("x11vnc", "bash")}


def test_unit_keys_and_home_folder_times_on_a_copy(linux_copy: Path) -> None:
    units, _ = run_collector(LinuxSystemd(), linux_copy)
    agent = next(a for a in units if a.get("name") == "agent.service")
    assert kinds(agent) == [("2024-03-01T21:14:05+00:00", "changed", "file modification time")]
    keys, _ = run_collector(LinuxAuthorizedKeys(), linux_copy)
    key = next(a for a in keys if a.kind == "ssh_key")
    assert kinds(key) == [("2024-03-04T08:30:00+00:00", "changed", "file modification time")]
    accounts, _ = run_collector(LinuxAccounts(), linux_copy)
    ana = next(a for a in accounts if a.get("name") == "ana")
    # A copied folder's birth time is the copying's, and its modification time says nothing of the account.
    assert ana.get("times") is None and ana.get("created") is None


# --- browsers -------------------------------------------------------------------------------------

def test_first_and_last_visits_and_downloads(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img", "ana")
    history = chrome_history(root / "home/ana/.config/google-chrome/Default/History",
                             [("https://mspy.com/login", "mSpy", "2024-03-04T08:30:00+00:00")],
                             [("/home/ana/Downloads/setup.exe", "2024-03-01T21:14:05+00:00", ["https://mspy.com/get"])])
    import sqlite3

    conn = sqlite3.connect(history)  # an earlier visit to the same address
    conn.execute("INSERT INTO visits(url, visit_time) VALUES (1, ?)", (webkit("2024-02-20T19:00:00+00:00"),))
    conn.commit()
    conn.close()
    (root / "home/ana/.config/google-chrome/Default/Preferences").write_text("{}")
    arts, _ = run_collector(ChromiumBrowsers(), root)
    visit = next(a for a in arts if a.kind == "web_visit" and a.get("visit_type") == "history")
    assert kinds(visit) == [("2024-02-20T19:00:00+00:00", "last_used", "browser history: first visit"),
                            ("2024-03-04T08:30:00+00:00", "last_used", "browser history: last visit")]
    download = next(a for a in arts if a.kind == "web_visit" and a.get("visit_type") == "download")
    assert kinds(download) == [("2024-03-01T21:14:05+00:00", "created", "browser downloads: download started")]

    places = firefox_places(root / "home/ana/.mozilla/firefox/abc.default/places.sqlite",
                            [("https://flexispy.com/", "FlexiSPY", "2024-03-04T08:30:00+00:00")])
    (root / "home/ana/.mozilla/firefox/profiles.ini").write_text(
        "[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\n")
    del places
    arts, _ = run_collector(FirefoxBrowser(), root)
    visit = next(a for a in arts if a.kind == "web_visit")
    assert kinds(visit) == [("2024-03-04T08:30:00+00:00", "last_used", "browser history: first visit")]


_M = Message.of


@pytest.mark.parametrize(("source", "english", "spanish"), [
    (_M("time_source_local", source=_M("time_source.dpkg_installed"), zone="Europe/Madrid"),
     "dpkg log: installed (local time, Europe/Madrid)", "registro de dpkg: instalado (hora local, Europe/Madrid)"),
    (_M("time_source_local", source=_M("time_source.session_end"), zone="Pacific Standard Time"),
     "connection log: session end (local time, Pacific Standard Time)",
     "registro de conexiones: fin de la sesión (hora local, Pacific Standard Time)"),
    (_M("time_source_unknown_zone", source=_M("time_source.task_registered")),
     "scheduled task registration date (RegistrationInfo Date) (local time; the computer's time zone is not known, "
     "read as UTC)", "fecha de registro de la tarea programada (RegistrationInfo Date) (hora local; no se conoce la "
                     "zona horaria de la computadora, se lee como UTC)"),
    (_M("time_source.first_visit"), "browser history: first visit", "historial del navegador: primera visita"),
    (_M("time_source.download_started"), "browser downloads: download started",
     "descargas del navegador: comienzo de la descarga"),
    (_M("time_source.home_folder_created"), "home folder creation time (file system)",
     "fecha de creación de la carpeta personal (sistema de archivos)"),
])
def test_sources_built_at_run_time_read_in_spanish(source: Message, english: str, spanish: str) -> None:
    """A source read in local time is a message around the source's own: both are worded in the
    language, and the English (the JSON's `source`) is the text it always was."""
    assert source.text("es") == spanish
    assert str(source) == english


def test_shadow_password_change_day(tmp_path: Path) -> None:
    """shadow(5) field 3: the day the password was last set (useradd sets it when it makes the account)."""
    root = linux_image(tmp_path / "img", "ana", "bo", "cy")
    write(root, "etc/shadow", "ana:$y$j9T$x:19783:0:99999:7:::\nbo:!:0:0:99999:7:::\ncy:$y$x:999999:0::::\n"
                              "root:*:19000:0:99999:7:::\n")
    arts, ctx = run_collector(LinuxAccounts(), root)
    times = {a.get("name"): [t.to_dict() for t in a.get("times") or []] for a in arts}
    assert times["ana"] == [{"time": "2024-03-01", "kind": "changed", "precision": "day",
                             "source": "/etc/shadow: password last changed (a date without a time)",
                             "source_id": "time_source.shadow_password_changed"}]
    assert times["bo"] == []  # 0: "change it at the next sign-in", not a date
    assert times["cy"] == []  # year 4707: left out with a note
    assert any("in the future" in n.message for n in ctx.notes)
