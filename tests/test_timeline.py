"""The timeline (issue 16 parts 2-5): the findings' times in order, in the scanned computer's local
time, in plain words; first-seen times; `scan --since`; times that cannot be right left out.

Disk copies from tests/timeline_copies.py: a Windows copy of real hives and real task files with
AnyDesk planted (programs list + connection log), and a macOS copy of the real files with a planted
hidden keyboard-watching app. Every run goes through the real CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from regipy.registry import RegistryHive

from techcheck.artifacts import Location, make
from techcheck.cli import cli
from techcheck.i18n import LANGUAGES, Message, as_message, catalog
from techcheck.report.loader import load_report
from techcheck.report.timeline import field_time, implausible, parse_since
from techcheck.timeutil import FILE_MODIFIED, Time
from tests.macos_tree import realdata_mac
from tests.timeline_copies import (
    AGENT_MTIME,
    FILE_MTIME,
    KEYS_GRANTED,
    mac_copy,
    set_mtime,
    windows_remote_copy,
)
from tests.winsupport import hivex_plant

UTC = dt.timezone.utc
# The real Windows 7 user hive's Run key: hivexsh adds the planted "helper" value and keeps the key's own
# last-write time, the one the real Windows wrote. (The real SYSTEM hive's ThinPrint print monitor was used
# before; it now comes from ThinPrint's printer driver package and raises no finding.)
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def scan(root: Path, *args: str) -> dict[str, Any]:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--yes", *args])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def text_scan(root: Path, *args: str) -> str:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "text", "--yes", *args])
    assert res.exit_code == 0, res.output
    return " ".join(res.stdout.split())  # the words, whatever the wrapping


def rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(e["time"], e["kind"], e["source"], e["artifact"]["name"]) for e in report["timeline"]]


def key_last_write(hive: Path, key: str) -> str:
    """A key's last-write time read straight from the hive with regipy (FILETIME -> ISO UTC)."""
    filetime = RegistryHive(str(hive)).get_key("\\" + key).header.last_modified
    return (dt.datetime(1601, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=filetime // 10)).isoformat(
        timespec="seconds")


@pytest.fixture(scope="module")
def windows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return windows_remote_copy(tmp_path_factory.mktemp("win") / "copy")


@pytest.fixture(scope="module")
def windows_report(windows: Path) -> dict[str, Any]:
    return scan(windows)


@pytest.fixture(scope="module")
def mac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mac_copy(tmp_path_factory.mktemp("mac") / "copy")


def test_windows_timeline_has_the_install_and_the_connection_in_order(windows_report: dict[str, Any],
                                                                      windows: Path) -> None:
    got = rows(windows_report)
    install = ("2026-03-03", "installed", "programs list install date", "AnyDesk")
    # The log writes 2026-03-04 22:30 without a zone: the computer's local time (Eastern, UTC-5 then).
    # The collector reads it in the zone the copy's SYSTEM hive names, and its source says so.
    connect = ("2026-03-05T03:30:00+00:00", "connected",
               "connection log: session start (local time, Eastern Standard Time)",
               "AnyDesk\\connection_trace.txt")
    assert install in got and connect in got
    assert got.index(install) < got.index(connect)
    # In order; a calendar date counts from the start of its day in the computer's zone (Eastern: 05:00 UTC).
    moments = [e["time"] if "T" in e["time"] else e["time"] + "T05:00:00+00:00" for e in windows_report["timeline"]]
    assert moments == sorted(moments)
    entry = windows_report["timeline"][got.index(connect)]
    assert entry["local"] == "2026-03-04T22:30:00-05:00"
    assert entry["when"] == "4 March 2026, 22:30 (UTC-05:00)"
    assert entry["finding"]["rule_ids"] == ["windows.remote.incoming-session-record"]
    # The timeline keys on the finding's identity: the same one the finding carries.
    identities = {f["identity"] for f in windows_report["findings"]}
    assert all(e["finding"]["identity"] in identities for e in windows_report["timeline"])
    assert windows_report["timeline_info"]["zone"] == "Eastern Standard Time"


def test_real_hive_key_last_write_times_are_on_the_timeline(windows_report: dict[str, Any], windows: Path) -> None:
    """The real Windows 7 user hive's Run key: its own last-write time, kept when the value was planted."""
    real = key_last_write(windows / "Users/ana/NTUSER.DAT", RUN_KEY)
    assert real == "2011-08-25T21:51:37+00:00"
    assert (real, "changed", "registry key last write", "helper") in rows(windows_report)
    entry = next(e for e in windows_report["timeline"] if e["time"] == real)
    assert entry["when"] == "25 August 2011, 17:51 (UTC-04:00)"  # summer time in the computer's zone
    assert entry["text"] == "the start-up entry “helper” was last changed"


def test_real_task_files_carry_their_file_times_as_changes_not_installs(windows_report: dict[str, Any]) -> None:
    tasks = {e["artifact"]["name"]: (e["time"], e["kind"], e["source"]) for e in windows_report["timeline"]
             if e["source"] == "file modification time"}
    assert tasks["\\GameOver"] == (FILE_MTIME.isoformat(), "changed", "file modification time")
    assert tasks["\\falshupdate22"] == (FILE_MTIME.isoformat(), "changed", "file modification time")
    assert not any(e["kind"] == "installed" and e["artifact"]["kind"] == "autostart"
                   for e in windows_report["timeline"])


def test_first_seen_prefers_the_install_to_earlier_change_times(windows_report: dict[str, Any],
                                                                 windows: Path) -> None:
    """AnyDesk's finding has three times: its programs-list key's last write (2011: hivexsh kept the real
    hive's time stamp), its program file's modification time (10 February 2026: a packaged file keeps
    the vendor's build time) and its install date (3 March 2026). First seen is the install."""
    findings = {f["rule_id"]: f for f in windows_report["findings"]}
    uninstall = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\AnyDesk"
    key_write = key_last_write(windows / "Users/ana/NTUSER.DAT", uninstall)
    assert key_write == "2011-08-15T14:19:37+00:00"
    identity = findings["product.remote.anydesk"]["identity"]
    anydesk = [(e["time"], e["kind"], e["source"]) for e in windows_report["timeline"]
               if e["finding"]["identity"] == identity]
    assert sorted(anydesk) == sorted({(key_write, "changed", "registry key last write"),
                       (FILE_MTIME.isoformat(), "changed", "file modification time"),
                       ("2026-03-03", "installed", "programs list install date")})
    first = findings["product.remote.anydesk"]["first_seen"]
    assert (first["time"], first["kind"], first["source"], first["precision"]) == (
        "2026-03-03", "installed", "programs list install date", "day")
    assert first["text"] == "First seen on this computer: 3 March 2026 — installed, from: programs list install date"
    # A creation (the task's registration date, 2023) comes before a key's earlier last write (2011).
    hidden = findings["windows.startup.hidden-or-downloaded-code"]["first_seen"]
    assert (hidden["time"], hidden["kind"]) == ("2023-10-18T03:07:23+00:00", "created")
    # Settings have only their keys' last writes: those are shown, as changes.
    rdp = findings["windows.remote.rdp-enabled"]["first_seen"]
    assert rdp["text"] == ("First seen on this computer: 4 April 2012, 07:47 (UTC-04:00) — last changed, from: "
                           "registry key last write")
    text = text_scan(windows)
    assert ("First seen on this computer: 4 March 2026, 22:30 (UTC-05:00) — connected, from: connection "
            "log: session start (local time, Eastern Standard Time)") in text
    assert "First seen on this computer: 3 March 2026 — installed, from: programs list install date" in text
    undated = [f for f in windows_report["findings"] if "first_seen" not in f]
    assert {f["title"] for f in undated} == set(windows_report["timeline_info"]["undated"])


def test_a_file_change_alone_is_called_what_it_is(windows_report: dict[str, Any], windows: Path) -> None:
    """The OneDrive task of unknown origin has only its task file's modification time: first seen says
    that no install or creation time is known and what a file's change time is."""
    finding = next(f for f in windows_report["findings"] if f["rule_id"] == "windows.startup.unknown-origin")
    assert [e["fields"]["name"] for e in finding["evidence"]] == [
        "\\OneDrive Reporting Task-S-1-5-21-2212929841-2730996645-2649195864-1000"]
    first = finding["first_seen"]
    assert (first["time"], first["kind"], first["source"]) == (FILE_MTIME.isoformat(), "changed",
                                                              "file modification time")
    assert first["text"] == ("First seen on this computer: not known. Its file was last changed on 10 February "
                             "2026, 04:00 (UTC-05:00) (from: file modification time); copying or installing a file "
                             "sets this time too, so it may be from before the file came here.")
    es = text_scan(windows, "--lang", "es")
    assert ("Visto por primera vez en esta computadora: no se sabe. Su archivo se cambió por última vez el 10 de "
            "febrero de 2026, 04:00 (UTC-05:00) (según: fecha de modificación del archivo); copiar o instalar un "
            "archivo también pone esta fecha, así que puede ser de antes de que el archivo llegara aquí.") in es


def test_first_time_ranks_kinds_before_dates() -> None:
    from techcheck.report.timeline import first_time

    zone = dt.timezone(dt.timedelta(hours=-5))
    build = Time(dt.datetime(2023, 1, 5, tzinfo=UTC), "changed", FILE_MODIFIED)
    key = Time(dt.datetime(2024, 6, 1, tzinfo=UTC), "changed", Message.of("time_source.key_last_write"))
    used = Time(dt.datetime(2026, 3, 4, tzinfo=UTC), "last_used", Message.of("time_source.permission_used"))
    installed = Time(dt.datetime(2026, 3, 3, tzinfo=UTC), "installed", Message.of("time_source.install_date"),
                     precision="day")
    assert first_time([build, key, used, installed], zone) is installed
    assert first_time([build, key], zone) is key
    # A source whose English happens to end in "modification time" is not a file's modification time.
    worded = Time(dt.datetime(2024, 1, 1, tzinfo=UTC), "changed", as_message("home folder modification time"))
    assert first_time([build, worded], zone) is worded


def test_plain_words_and_caution_in_english_and_spanish(windows: Path) -> None:
    en = text_scan(windows)
    assert "3 March 2026 — AnyDesk was installed" in en
    assert ("4 March 2026, 22:30 (UTC-05:00) — a connection to this computer from elsewhere (as logged in "
            "AnyDesk\\connection_trace.txt)") in en
    assert "Times are in the scanned computer's own time zone, Eastern Standard Time" in en
    assert "They are clues, not proof" in en and "is not the time a program was installed" in en
    es = text_scan(windows, "--lang", "es")
    assert "3 de marzo de 2026 — se instaló AnyDesk" in es
    assert ("4 de marzo de 2026, 22:30 (UTC-05:00) — una conexión a esta computadora desde otro lugar "
            "(según el registro AnyDesk\\connection_trace.txt)") in es
    assert "25 de agosto de 2011, 17:51 (UTC-04:00) — última vez que se cambió la entrada de inicio «helper»" in es
    assert "Son pistas, no pruebas" in es and "no es la fecha en que se instaló un programa" in es
    assert "según: fecha de instalación de la lista de programas" in es
    for english in ("was installed", "last changed", "from:", "connection log", "March"):
        assert english not in es.split("Cuándo pasó cada cosa")[1].split("Lo que arranca solo")[0], english


def test_html_has_the_timeline_and_first_seen(windows: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["scan", "--root", str(windows), "--yes", "--lang", "es", "--output", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    section = page.split('<section id="timeline">')[1].split("</section>")[0]
    assert '<time datetime="2026-03-04T22:30:00-05:00">4 de marzo de 2026, 22:30 (UTC-05:00)</time>' in section
    assert section.index("se instaló AnyDesk") < section.index("una conexión a esta computadora")
    assert "Visto por primera vez en esta computadora" in page


def test_real_tcc_times_on_the_mac_timeline(mac: Path, tmp_path: Path) -> None:
    """The real TCC.db's own last_modified times, through a clinic's own rule that flags camera grants."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "camera.yaml").write_text(CAMERA_RULE, encoding="utf-8")
    report = scan(mac, "--rules", str(rules))
    cams = [r for r in rows(report) if r[3] == "com.google.Chrome"]
    # kTCCServiceCamera, com.google.Chrome, last_modified 1591801053 in the real database.
    tcc = "TCC last_modified (when the permission was granted or last changed)"  # the collector's own source
    assert cams == [("2020-06-10T14:57:33+00:00", "changed", tcc, "com.google.Chrome")]
    entry = next(e for e in report["timeline"] if e["artifact"]["name"] == "com.google.Chrome")
    assert entry["when"] == "10 June 2020, 07:57 (UTC-07:00)"  # America/Los_Angeles, summer time
    assert entry["text"] == "the camera permission of com.google.Chrome was last changed"
    got = rows(report)
    keys = (KEYS_GRANTED.isoformat(), "changed", tcc, "com.example.keys")
    agent = (AGENT_MTIME.isoformat(), "changed", "file modification time", "com.apple.sysupdate")
    assert got.index(cams[0]) < got.index(keys) < got.index(agent)
    assert report["timeline_info"]["zone"] == "America/Los_Angeles"


CAMERA_RULE = """
id: clinic.camera-grants
severity: info
category: privacy
platforms: [macos]
text:
  en:
    title: An app can use the camera
    what: An app has the right to use the camera.
    why: It is good to know which apps can see you.
    actions: [Look at the app name below.]
    normal: Video call apps need the camera.
  es:
    title: Una app puede usar la cámara
    what: Una app tiene permiso para usar la cámara.
    why: Conviene saber qué apps pueden verle.
    actions: [Mire el nombre de la app abajo.]
    normal: Las apps de videollamadas necesitan la cámara.
match:
  - kind: permission
    service: camera
    allowed: true
samples:
  positive: [{kind: permission, service: camera, allowed: true}]
  negative: [{kind: permission, service: microphone, allowed: true}]
references: [https://support.apple.com/guide/mac-help/control-access-to-the-camera-mchlf6d108da/mac]
"""


def test_times_that_cannot_be_right_are_left_out_with_a_note(tmp_path: Path) -> None:
    root = windows_remote_copy(tmp_path / "copy")
    user = root / "Users/ana/NTUSER.DAT"
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Uninstall\TeamViewer",
                [("DisplayName", "string:TeamViewer"), ("InstallDate", "string:19900101")])
    hivex_plant(user, r"Software\Microsoft\Windows\CurrentVersion\Uninstall\RustDesk",
                [("DisplayName", "string:RustDesk"), ("InstallDate", "string:20990101")])
    set_mtime(root / "Windows/System32/Tasks/GameOver", dt.datetime(2099, 5, 1, tzinfo=UTC))
    report = scan(root)
    left = {(x["value"], x["kind"], x["reason"]) for x in report["timeline_info"]["left_out"]}
    assert {("1990-01-01", "installed", "early"), ("2099-01-01", "installed", "future")} <= left
    # The file time is left out where it is read, by the same rule (timeutil.implausible): a note of its check.
    tasks = next(c for c in report["checks"] if c["name"] == "windows.tasks")
    assert any("file modification time: 2099-05-01T00:00:00+00:00, in the future" in str(n) for n in tasks["notes"])
    shown = {e["time"] for e in report["timeline"]}
    assert not shown & {"1990-01-01", "2099-01-01", "2099-05-01T00:00:00+00:00"}
    text = text_scan(root)
    assert "Left out: " in text and "times that cannot be right (before 1995, or later than this check)" in text
    assert "2099-01-01 (later than this check)" in text
    es = text_scan(root, "--lang", "es")
    assert "1990-01-01 (anterior a 1995)" in es


def test_time_values_one_by_one() -> None:
    zone = dt.timezone(dt.timedelta(hours=-5))
    end = dt.datetime(2026, 3, 10, tzinfo=UTC)
    x = FILE_MODIFIED
    assert field_time("garbage", "changed", x, zone) is None
    day = field_time("2026-03-03", "installed", Message.of("time_source.install_date"), zone)
    assert day is not None and (day.precision, day.when.date().isoformat()) == ("day", "2026-03-03")
    log = Message.of("time_source.connection_log")
    naive = field_time("2026-03-04T22:30:00", "connected", log, zone)
    assert naive is not None and naive.when.isoformat() == "2026-03-05T03:30:00+00:00"
    assert naive.source == Message.of("time_source_no_zone", source=log)
    assert str(naive.source) == "connection log (no time zone in the log: read as the computer's local time)"
    zero_filetime = Time(dt.datetime(1601, 1, 1, tzinfo=UTC), "changed", Message.of("time_source.key_last_write"))
    assert implausible(zero_filetime, end, zone) == "early"
    assert implausible(Time(end + dt.timedelta(minutes=5), "changed", x), end, zone) is None  # clock slack
    assert implausible(Time(end + dt.timedelta(hours=2), "changed", x), end, zone) == "future"
    assert implausible(Time(dt.datetime(1995, 1, 1, tzinfo=UTC), "changed", x), end, zone) is None


def test_since_marks_findings_and_startup_entries(windows: Path, tmp_path: Path) -> None:
    report = scan(windows, "--since", "2026-03-01")
    since = report["since"]
    assert (since["given"], since["time"], since["local"]) == (
        "2026-03-01", "2026-03-01T05:00:00+00:00", "2026-03-01T00:00:00-05:00")  # local midnight, Eastern
    marked = {f["rule_id"] for f in report["findings"] if f.get("after_since")}
    assert marked == {"product.remote.anydesk", "windows.remote.incoming-session-record"}
    assert since["findings"] == 2 and since["undated_findings"] == len(report["timeline_info"]["undated"])
    assert [e["time"] for e in report["timeline"] if e.get("after_since")] == ["2026-03-03",
                                                                               "2026-03-05T03:30:00+00:00"]
    text = text_scan(windows, "--since", "2026-03-01")
    head = text.split("Needs attention (")[0]
    assert ("Marked “on or after 1 March 2026”: what has a time on or after 1 March 2026, 00:00 (UTC-05:00). "
            "Marked: 2 of 7 findings and 0 start-up entries.") in head
    assert "cannot be judged this way" in head
    assert "* [on or after 1 March 2026] AnyDesk (remote access) is set up here" in text
    # A start-up entry is marked when one of its times falls on or after the moment.
    later = scan(windows, "--since", "2026-02-10T03:59-05:00")
    entries = [e for p in later["startup"]["places"] for e in p["entries"]]
    tasks = {e["name"]: e.get("after_since") for e in entries if e["name"] in ("\\GameOver", "\\falshupdate22")}
    assert tasks == {"\\GameOver": True, "\\falshupdate22": True}
    assert later["since"]["startup"] >= 2
    none = scan(windows, "--since", "2026-02-10T09:00:01Z")
    assert not any(e.get("after_since") for p in none["startup"]["places"] for e in p["entries"]
                   if e["name"] == "\\GameOver")


def test_since_in_spanish_and_html(windows: Path, tmp_path: Path) -> None:
    es = text_scan(windows, "--since", "2026-03-01", "--lang", "es")
    assert "Marcado «desde el 1 de marzo de 2026»: lo que tiene una fecha igual o posterior al 1 de marzo de 2026" in es
    assert "[desde el 1 de marzo de 2026] AnyDesk" in es
    out = tmp_path / "since.html"
    res = CliRunner().invoke(cli, ["scan", "--root", str(windows), "--yes", "--since", "2026-03-01", "--output",
                                   str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert '<p class="since-line" id="since">Marked “on or after 1 March 2026”' in page
    assert page.count('<span class="since-badge">on or after 1 March 2026</span>') == 2 + 2  # findings + timeline


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "03/01/2026", "2026-03-01T25:00", ""])
def test_a_bad_since_date_exits_2_before_scanning(bad: str, tmp_path: Path) -> None:
    root = realdata_mac(tmp_path / "mac")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--yes", "--since", bad])
    assert res.exit_code == 2
    assert f"--since {bad}: not a date. Give a date such as 2026-03-01" in " ".join(res.output.split())
    assert "Before you start" not in res.output  # refused before the safety note and the scan


def test_since_forms() -> None:
    assert parse_since("2026-03-01").date_only
    assert parse_since("2026-03-01T21:00").when == dt.datetime(2026, 3, 1, 21, 0)
    assert parse_since("2026-03-01 21:00:30").when == dt.datetime(2026, 3, 1, 21, 0, 30)
    assert parse_since("2026-03-01T21:00Z").resolve(None).isoformat() == "2026-03-01T21:00:00+00:00"
    zone = dt.timezone(dt.timedelta(hours=1))
    assert parse_since("2026-03-01T21:00+01:00").resolve(None).isoformat() == "2026-03-01T20:00:00+00:00"
    assert parse_since("2026-03-01").resolve(zone).isoformat() == "2026-02-28T23:00:00+00:00"


def test_reports_before_source_ids_still_load_and_read_the_same(windows_report: dict[str, Any],
                                                                tmp_path: Path) -> None:
    """The JSON keeps each time's English `source` as before and adds `source_id` (and
    `source_params`); a saved report without them loads and shows the same text and HTML."""
    from techcheck.report.html import render_html
    from techcheck.report.text import render_text

    entries = windows_report["timeline"]
    assert entries and all(e["source_id"].startswith("time_source") for e in entries)
    local = next(e for e in entries if e["source_id"] == "time_source_local")
    zone = local["source_params"]["zone"]
    assert zone and local["source"].endswith(f" (local time, {zone})")
    assert local["source_params"]["source"]["id"].startswith("time_source.")

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("source_id", "source_params", "digest")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    new, old = tmp_path / "new.json", tmp_path / "old.json"
    new.write_text(json.dumps({k: v for k, v in windows_report.items() if k != "digest"}))
    old.write_text(json.dumps(strip(windows_report)))
    with_ids, without = load_report(str(new)).report, load_report(str(old)).report
    assert "source_id" not in json.dumps(without)
    assert render_text(without) == render_text(with_ids)
    def html(report: Any) -> str:  # apart from the embedded copy of the JSON itself
        return re.sub(r'(id="techcheck-record">)"[A-Za-z0-9+/=]+"', r"\1", render_html(report))

    assert html(without) == html(with_ids)


def test_reports_before_the_timeline_still_load(windows_report: dict[str, Any], tmp_path: Path) -> None:
    assert windows_report["schema"] == "techcheck.report/2"
    saved = tmp_path / "new.json"
    saved.write_text(json.dumps(windows_report))
    assert load_report(str(saved)).report["timeline"] == windows_report["timeline"]
    old = {k: v for k, v in windows_report.items() if k not in ("timeline", "timeline_info", "digest")}
    old["schema"] = "techcheck.report/1"
    for f in old["findings"]:
        f.pop("first_seen", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    loaded = load_report(str(path)).report
    assert "timeline" not in loaded
    from techcheck.report.html import render_html
    from techcheck.report.text import render_text

    assert "When things happened" not in render_text(loaded) and 'id="timeline"' not in render_html(loaded)
    broken = dict(windows_report, timeline=[{"time": 5}])
    path.write_text(json.dumps(broken))
    with pytest.raises(Exception, match=r"timeline\[0\]"):
        load_report(str(path))


def test_every_time_source_is_a_message_the_catalog_check_sees() -> None:
    """A time's source is a message id, never words: a Time made with words is refused, and every
    time_source.* id is one the catalog check finds in the code (none is built from an f-string
    prefix, which would hide a missing or stale one); the check's own test of that is in
    tests/test_catalogs.py."""
    with pytest.raises(TypeError):
        Time(dt.datetime(2024, 1, 1, tzinfo=UTC), "changed", "file modification time")  # type: ignore[arg-type]
    from tests.test_catalogs import catalogs_script

    usage = catalogs_script().used_ids()
    sources = {mid: where for mid, where in usage.ids.items() if mid.startswith("time_source")}
    assert "time_source.file_modified" in sources and "time_source_local" in sources
    built = {mid for mid, where in sources.items() if all("f-string" in w for w in where)}
    assert built == set()
    for lang in LANGUAGES:
        assert sorted(mid for mid in sources if mid not in catalog(lang)) == [], lang


def test_reworded_english_does_not_change_first_seen_or_the_spanish(tmp_path: Path) -> None:
    """The English of a source is only its words: reworded in en.po ("mtime ..."), a file's
    modification time is still ranked last for "first seen" and read as one, and the Spanish stays."""
    import shutil

    from techcheck import i18n
    from techcheck.report.timeline import _first_seen, first_time
    from tests.test_catalogs import catalogs_script

    script = catalogs_script()
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    po_file = locale / "en" / "LC_MESSAGES" / "techcheck.po"
    en = script.read(po_file)
    en["time_source.file_modified"].string = "mtime as the disk keeps it"
    po_file.with_suffix(".mo").write_bytes(script.compiled(en))
    zone = dt.timezone(dt.timedelta(hours=-5))
    build = Time(dt.datetime(2023, 1, 5, tzinfo=UTC), "changed", FILE_MODIFIED)
    key = Time(dt.datetime(2024, 6, 1, tzinfo=UTC), "changed", Message.of("time_source.key_last_write"))
    before = {lang: _first_seen(build, zone, lang)["text"] for lang in ("en", "es")}
    original = i18n.LOCALE_DIR
    i18n.use_locale_dir(locale)
    try:
        assert str(build.source) == "mtime as the disk keeps it"
        assert build.is_file_change and first_time([build, key], zone) is key
        after = {lang: _first_seen(build, zone, lang) for lang in ("en", "es")}
    finally:
        i18n.use_locale_dir(original)
    assert after["es"]["text"] == before["es"]
    assert "fecha de modificación del archivo" in after["es"]["text"]
    assert after["en"]["text"] == before["en"].replace("file modification time", "mtime as the disk keeps it")
    assert after["en"]["text"].startswith("First seen on this computer: not known. Its file was last changed")
    assert after["es"]["source_id"] == "time_source.file_modified"


def test_a_timeline_entry_names_things_in_words() -> None:
    from techcheck.report.timeline import event_text

    perm = make("permission", Location(), service="screen_recording", app="com.example.rec")
    assert event_text(perm, "last_used", "es") == (
        "última vez que se usó el permiso de grabación de pantalla de com.example.rec")
    app = make("app", Location(), name="AnyDesk")
    assert event_text(app, "installed", "en") == "AnyDesk was installed"
    acct = make("account", Location(), name="helper")
    assert event_text(acct, "created", "es") == "se creó la cuenta «helper»"


def test_diff_shows_times_in_the_scanned_computers_zone(windows: Path, tmp_path: Path) -> None:
    before_copy = tmp_path / "before"
    import shutil

    shutil.copytree(windows, before_copy, symlinks=True)
    (before_copy / "ProgramData/AnyDesk/connection_trace.txt").unlink()
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    for root, out in ((before_copy, before), (windows, after)):
        res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--yes", "--output", str(out)])
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["diff", str(before), str(after)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    # The report's own finish time, in UTC and in the copy's zone; the local date is shown only when it
    # differs from the UTC date (a scan between 00:00 and 05:00 UTC is still "yesterday" in New York).
    finished = dt.datetime.fromisoformat(json.loads(before.read_text(encoding="utf-8"))["finished"])
    utc, local = finished.astimezone(dt.timezone.utc), finished.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    clock = local.strftime("%H:%M") if local.date() == utc.date() else local.strftime("%Y-%m-%d %H:%M")
    assert f"Before: {utc:%Y-%m-%d %H:%M} UTC ({clock} Eastern Standard Time)" in text, text[:400]
    assert ("Someone connected to this computer from far away [windows.remote.incoming-session-record] First seen on "
            "this computer: 4 March 2026, 22:30 (UTC-05:00) — connected") in text


def test_diff_items_get_local_times_from_the_report_zone() -> None:
    from techcheck.report.diff import ReportDiff, ReportInfo, render_diff_text

    info = ReportInfo("a.json", "2026-03-05T10:00:00+00:00", "PC", "windows", "image", "/x", True,
                      local_finished="2026-03-05T05:00:00-05:00", zone="Eastern Standard Time")
    d = ReportDiff(info, info)
    d.inventory_new = [{"kind": "permission", "fields": {"service": "camera", "app": "cam.exe",
                                                         "last_used": "2024-03-01T21:14:05+00:00"}}]
    out = " ".join(render_diff_text(d).split())
    assert "last used: 2024-03-01 21:14 UTC (16:14 UTC-05:00)" in out
    assert "2026-03-05 10:00 UTC (05:00 Eastern Standard Time)" in out


def test_summary_screen_and_zone_name(windows: Path) -> None:
    from techcheck.report.summary import render_summary

    report = scan(windows, "--since", "2026-03-01")
    screen = " ".join(render_summary(report, rows=40).split())  # type: ignore[arg-type]
    assert "Marked “on or after 1 March 2026”" in screen
    assert "- [on or after 1 March 2026] AnyDesk (remote access) is set up here" in screen
    assert report["timeline_info"]["zone_label"] == "Eastern Standard Time (America/New_York)"
    assert "own time zone, Eastern Standard Time (America/New_York), with" in text_scan(windows)


def test_a_setting_reads_with_its_findings_title(windows_report: dict[str, Any], windows: Path) -> None:
    """A setting's name is an id (remote_desktop): its timeline line reads with its finding's title, in the
    report's language. The times are the real SYSTEM hive's own key last writes (Terminal Server, Remote
    Assistance)."""
    settings = {(e["time"], e["artifact"]["name"], e["text"]) for e in windows_report["timeline"]
                if e["artifact"]["kind"] == "setting"}
    assert settings == {
        ("2009-07-14T04:37:09+00:00", "remote_assistance", "Remote Assistance is allowed (its setting: last changed)"),
        ("2012-04-04T11:47:51+00:00", "remote_desktop", "Remote Desktop is turned on (its setting: last changed)")}
    assert key_last_write(windows / "Windows/System32/config/SYSTEM",
                          r"ControlSet001\Control\Terminal Server") == "2012-04-04T11:47:51+00:00"
    es = text_scan(windows, "--lang", "es")
    assert ("4 de abril de 2012, 07:47 (UTC-04:00) — El Escritorio remoto está activado (su ajuste: último "
            "cambio)") in es
    timeline = es.split("Cuándo pasó cada cosa")[1].split("Lo que arranca solo")[0]
    assert "remote_desktop" not in timeline and "remote_assistance" not in timeline
    from techcheck.report.timeline import event_text

    bare = make("setting", Location(), name="remote_desktop", enabled=True)
    assert event_text(bare, "changed", "es") == "última vez que se cambió el ajuste «remote desktop»"


def test_each_timeline_words_message_names_a_kind() -> None:
    """timeline_what_<kind> gives a kind's timeline events their words, with no code (the catalogs
    decide); one named after no kind would never be used."""
    from techcheck.i18n import catalog
    from techcheck.kinds import KINDS

    named = {mid.removeprefix("timeline_what_") for mid in catalog("en") if mid.startswith("timeline_what_")}
    assert {"app", "autostart", "service"} <= named
    assert named - {"other"} <= set(KINDS)


def test_evidence_times_read_as_words_in_each_language(windows: Path) -> None:
    """The times kept on an evidence item (its `times` field) read as words in the HTML report, in the
    report's language, not as the JSON's raw {'time': ..., 'kind': ...} records."""
    pages = {}
    for lang in ("en", "es"):
        res = CliRunner().invoke(cli, ["scan", "--root", str(windows), "--format", "html", "--yes", "--lang", lang])
        assert res.exit_code == 0, res.output
        pages[lang] = res.stdout
        assert "&#39;kind&#39;" not in res.stdout and "{&#39;time&#39;" not in res.stdout
    # The planted AnyDesk's programs-list install day, and its program file's modification time.
    assert "installed 2026-03-03 00:00 UTC (programs list install date)" in pages["en"]
    assert "last changed 2026-02-10 09:00 UTC (file modification time)" in pages["en"]
    assert "último cambio: 2026-02-10 09:00 UTC (fecha de modificación del archivo)" in pages["es"]
    # What an entry does reads as words too (its behaviour tags, labelled as in "What starts by itself").
    assert "qué hace</td><td class=\"mono\">programa en una carpeta temporal" in pages["es"]
    assert "program in a temporary folder" in pages["en"] and ">temp_folder<" not in pages["en"]
