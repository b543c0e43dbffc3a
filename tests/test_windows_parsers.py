"""Pure parsers behind the Windows collectors: commands, task XML, shortcuts, remote-session logs."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.cli import cli
from techcheck.collectors.windows.autostart import parse_lnk
from techcheck.collectors.windows.registry import command_args, command_exe, expand_vars
from techcheck.collectors.windows.remote_logs import (
    parse_anydesk_connection_trace,
    parse_anydesk_trace,
    parse_teamviewer_incoming,
)
from techcheck.collectors.windows.tasks import parse_task_xml
from techcheck.target.winreg_live import windows_path_to_target
from techcheck.textlines import text_lines
from tests.conftest import realdata, write
from tests.winsupport import shell_link


@pytest.mark.parametrize(("command", "user", "exe", "args"), [
    ('"C:\\Program Files\\App\\app.exe" /tray', "", "C:\\Program Files\\App\\app.exe", "/tray"),
    ("C:\\Program Files\\Some App\\x.exe -a b", "", "C:\\Program Files\\Some App\\x.exe", "-a b"),
    ("%ProgramFiles%\\Windows Sidebar\\Sidebar.exe /autoRun", "", "C:\\Program Files\\Windows Sidebar\\Sidebar.exe",
     "/autoRun"),
    ("%LOCALAPPDATA%\\Temp\\a.exe", "ana", "C:\\Users\\ana\\AppData\\Local\\Temp\\a.exe", ""),
    ("\\SystemRoot\\System32\\drivers\\x.sys", "", "C:\\Windows\\System32\\drivers\\x.sys", ""),
    ("system32\\svchost.exe -k netsvcs", "", "C:\\Windows\\system32\\svchost.exe", "-k netsvcs"),
    ("\\??\\C:\\Windows\\system32\\drivers\\y.sys", "", "C:\\Windows\\system32\\drivers\\y.sys", ""),
    ("rundll32.exe shell32.dll,Control_RunDLL", "", "rundll32.exe", "shell32.dll,Control_RunDLL"),
    ('"unterminated', "", "unterminated", ""),
])
def test_command_exe_and_args(command: str, user: str, exe: str, args: str) -> None:
    assert command_exe(command, user) == exe
    assert command_args(expand_vars(command, user)) == args


def test_unknown_variables_stay_and_paths_map_into_the_image() -> None:
    assert expand_vars("%NOPE%\\x.exe %AppData%", "") == "%NOPE%\\x.exe %AppData%"  # no user: no AppData
    assert windows_path_to_target("C:\\Users\\ana\\x.lnk") == "/Users/ana/x.lnk"
    assert windows_path_to_target("D:\\x.exe") is None
    assert windows_path_to_target("\\\\server\\share\\x.exe") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_command_exe_never_crashes(command: str) -> None:
    assert isinstance(command_exe(command, "ana"), str)
    assert isinstance(command_args(command), str)


# --- task XML ---------------------------------------------------------------------------------

def test_real_task_files_parse() -> None:
    game_over = parse_task_xml(realdata("windows/tasks/Win10/GameOver").read_bytes())
    assert (game_over.uri, game_over.author, game_over.run_as) == (
        "\\GameOver", "DESKTOP-TMKU40H\\TestUser", "DESKTOP-TMKU40H\\TestUser")
    assert [(a.command, a.arguments) for a in game_over.actions] == [
        ("C:\\TMP\\mim.exe", "sekurlsa::LogonPasswords > C:\\TMP\\o.txt")]
    assert game_over.triggers == ["time"] and game_over.hidden is False
    flash = parse_task_xml(realdata("windows/tasks/Server2022/falshupdate22").read_bytes())
    assert [(a.command, a.arguments) for a in flash.actions] == [("powershell.exe", '-WindowStyle Hidden -nop -c ""')]
    mobility = parse_task_xml(realdata("windows/tasks/Win11/Microsoft/Windows/Ras/MobilityManager").read_bytes())
    assert [(a.kind, a.class_id) for a in mobility.actions] == [("com", "{C463A0FC-794F-4FDF-9201-01938CEACAFA}")]
    assert mobility.uri == "Microsoft\\Windows\\Ras\\MobilityManager" and mobility.triggers == ["event"]
    vsix = parse_task_xml(realdata("windows/tasks/Win10/Microsoft/VisualStudio/VSIX Auto Update").read_bytes())
    assert vsix.hidden is True and vsix.run_as == "S-1-5-18"


def test_utf8_task_and_disabled_trigger() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-8"?><Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
           "<Triggers><LogonTrigger><Enabled>false</Enabled></LogonTrigger><BootTrigger/></Triggers>"
           "<Settings><Enabled>false</Enabled></Settings>"
           "<Actions><Exec><Command>a.exe</Command></Exec></Actions></Task>")
    task = parse_task_xml(xml.encode())
    assert task.triggers == ["boot"] and task.enabled is False and task.actions[0].command == "a.exe"


@pytest.mark.parametrize("data", [
    b"", b"\xff\xfe", b"not xml", b"<Other/>",
    b'<!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Task>&b;</Task>',  # entity expansion
    b'<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><Task>&x;</Task>',  # external entity
])
def test_bad_task_files_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_task_xml(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_task_parser_only_raises_value_error(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_task_xml(data)


# --- shortcuts (.lnk), built to the MS-SHLLINK layout -----------------------------------------

def test_shortcut_target_and_arguments() -> None:
    data = shell_link("C:\\Users\\ana\\AppData\\Roaming\\tool\\agent.exe", "--hidden --start")
    assert parse_lnk(data) == ("C:\\Users\\ana\\AppData\\Roaming\\tool\\agent.exe", "--hidden --start")


@pytest.mark.parametrize("data", [b"", b"L\x00\x00\x00junk", b"\x00" * 100])
def test_broken_shortcut_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_lnk(data)


# --- remote-session logs ----------------------------------------------------------------------

def test_teamviewer_incoming_lines() -> None:
    text = ("987654321\tMaria\t15-01-2024 09:00:01\t15-01-2024 09:30:00\tana\tRemoteControl\t{A-B}\r\n"
            "garbage line\r\n\r\n111\tx\tnot a date\tx\r\n")
    log = parse_teamviewer_incoming(text)
    assert [(s.time, str(s.detail)) for s in log.sessions] == [
        ("2024-01-15T09:00:01",
         "from TeamViewer ID 987654321 (Maria) until 2024-01-15T09:30:00, signed-in user ana, RemoteControl")]
    assert log.broken_lines == [2, 4]  # the blank line 3 is no record, and no problem


def test_anydesk_connection_trace_and_trace_lines() -> None:
    trace = ("Incoming     2014-11-26, 03:46 User                  user1@ad 654321\n"
             "Outgoing     2014-11-27, 10:00 User                  user2@ad 111111\n"
             "Incoming 2014-13-40, 99:99 X y\nsomething else\n")
    log = parse_anydesk_connection_trace(trace)
    assert [(s.time, str(s.detail)) for s in log.sessions] == [
        ("2014-11-26T03:46:00", "from AnyDesk user1@ad 654321, accepted by: User")]
    assert log.broken_lines == [3, 4]  # an outgoing connection is not broken, only not looked for
    trace_log = ("   info 2023-05-18 00:19:49.222       gsvc   4416   5204   33   anynet.relay_conn - "
                 "Logged in from 203.0.113.9:50001 on relay 1a2b3c4d.\n"
                 "   info 2023-05-18 00:19:50.001       gsvc   4416   5204   33   other - nothing here\n"
                 "   info 2023-99-18 00:19:51.001       gsvc   4416   5204   33   Accepting from 198.51.100.7\n")
    parsed = parse_anydesk_trace(trace_log)
    assert [s.time for s in parsed.sessions] == ["2023-05-18T00:19:49"]
    assert parsed.broken_lines == [3]  # other lines of the busy log are not records


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_log_parsers_never_crash(text: str) -> None:
    for parser in (parse_teamviewer_incoming, parse_anydesk_connection_trace, parse_anydesk_trace):
        log = parser(text)
        assert len(log.sessions) + len(log.broken_lines) <= len(list(text_lines(text)))


def test_broken_lines_of_a_connection_log_are_a_note_in_both_languages(tmp_path: Path) -> None:
    """A log cut or changed by hand keeps its good records, and the report says how many lines were
    left out and where the first is: never a silent skip."""
    win = tmp_path / "win"
    (win / "Windows/System32/config").mkdir(parents=True)
    (win / "Users/ana").mkdir(parents=True)
    write(win, "Program Files/TeamViewer/Connections_incoming.txt",
          "123456789\tJohn\t02-03-2024 21:14:05\t02-03-2024 21:44:10\tana\tRemoteControl\t{8E5F}\r\n"
          "123456789\tJohn\t0X-03-2024 2\r\n"
          "cut here\r\n")
    res = CliRunner().invoke(cli, ["scan", "--root", str(win), "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    check = next(c for c in report["checks"] if c["name"] == "windows.remote_session_logs")
    notes = [n for n in check["notes"] if n.get("id") == "note.log_lines_broken"]
    assert [(n["params"]["n"], n["params"]["line"], n["params"]["product"]) for n in notes] == [(2, 2, "TeamViewer")]
    assert ("lines of this TeamViewer record that are not in the form TeamViewer writes: 2 (the first is line 2)"
            in notes[0]["message"])
    assert "TeamViewer ID 123456789 (John)" in json.dumps(report["findings"]), "the good record is still reported"
    es = CliRunner().invoke(cli, ["scan", "--root", str(win), "--lang", "es"])
    flat = " ".join(es.stdout.split())
    assert "líneas de este registro de TeamViewer que no tienen la forma en que TeamViewer las escribe: 2" in flat
