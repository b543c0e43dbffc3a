"""Windows details on top of the shared command facts (techcheck.facts.behaviour):

- what an interpreter runs is given as Windows resolves it (%SystemRoot% and the other variables for
  the entry's user; a bare library name such as shell32.dll is loaded from System32), so its origin
  can be looked up;
- a start-up entry that is itself a script (logon.bat, update.vbs, profile.ps1) is run by the script
  host Windows picks for its file type, and runs that script;
- `cmd /c del|rmdir <path>` (installers' one-time clean-ups, as OneDrive writes them into RunOnce) and
  `cmd /c start "" <program>` run nothing but that path: the path is what it runs, not inline code.

cmd's built-in commands: https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/cmd ;
file types and their hosts: https://learn.microsoft.com/en-us/windows/win32/shell/fa-file-types .
"""

from __future__ import annotations

import ntpath
import re
from dataclasses import replace

from techcheck.collectors.windows.registry import command_exe
from techcheck.facts.behaviour import Behaviour, analyse_command, folder_tags

SCRIPT_HOSTS = {".ps1": "powershell", ".bat": "cmd", ".cmd": "cmd", ".vbs": "wscript", ".vbe": "wscript",
                ".js": "wscript", ".jse": "wscript", ".wsf": "wscript", ".hta": "mshta"}
SCRIPT_KINDS = {".ps1": "powershell", ".bat": "bat", ".cmd": "bat", ".vbs": "vbs", ".vbe": "vbs", ".js": "js",
                ".jse": "js", ".wsf": "vbs"}
_CMD_ONLY_PATH = re.compile(r'/[ckr]\s+"?(?:(?:del|erase|rmdir|rd)(?:\s+/[a-z])*|start(?:\s+"[^"]*")?(?:\s+/[a-z]+)*)'
                            r'\s+("[^"&|<>]+"|[^\s"&|<>]+)[^&|<>]*"?\s*$', re.IGNORECASE)


def resolved_runs(runs: str, user: str) -> str:
    """What an interpreter runs, as a full Windows path when it is one."""
    if not runs or re.match(r"^[a-z][a-z0-9+.-]*:", runs, re.IGNORECASE) and not re.match(r"^[a-z]:", runs,
                                                                                          re.IGNORECASE):
        return runs  # a web address or a scriptlet moniker stays as written
    path = command_exe(f'"{runs.strip(chr(34))}"', user)
    if "\\" not in path and path.lower().endswith((".dll", ".ocx", ".cpl")):
        path = "C:\\Windows\\System32\\" + path
    return path


def windows_behaviour(command: str, exe: str = "", user: str = "") -> Behaviour:
    """The shared command facts of a Windows command line, with the Windows details above."""
    facts = analyse_command(command, "windows")
    base = ntpath.basename(exe).lower()
    ext = ntpath.splitext(base)[1]
    if not facts.interpreter and ext in SCRIPT_HOSTS:
        facts = replace(facts, interpreter=SCRIPT_HOSTS[ext], runs=exe)
    if facts.interpreter == "cmd" and "inline_code" in facts.tags:
        only = _CMD_ONLY_PATH.search(command)
        if only:
            path = command_exe(only.group(1), user)
            tags = tuple(t for t in facts.tags if t != "inline_code")
            facts = replace(facts, runs=path, tags=tags).with_tags(*folder_tags(path))
    if facts.runs:
        facts = replace(facts, runs=resolved_runs(facts.runs, user))
    return facts
