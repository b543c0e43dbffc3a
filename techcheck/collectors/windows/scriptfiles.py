"""Script files Windows runs by itself: Group Policy start-up and sign-in scripts (scripts.ini,
psscripts.ini) and PowerShell profile scripts.

Group Policy scripts: [MS-GPSCR] (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gpscr/)
lists them in <GPO>/{Machine,User}/Scripts/{scripts,psscripts}.ini as "<n>CmdLine" and "<n>Parameters"
under [Startup], [Shutdown], [Logon], [Logoff]; a CmdLine without a folder lies in the Scripts/<section>
folder. The local policy is Windows/System32/GroupPolicy, per-user local policies are in
GroupPolicyUsers/<SID>. PowerShell profiles: about_Profiles
(https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/about_profiles).
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Context, entries_noted, read_bytes_noted
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.windows.registry import command_exe
from techcheck.collectors.windows.startfacts import StartCollector
from techcheck.i18n import N_, Message, Words
from techcheck.target.base import Target, decode_text
from techcheck.textlines import text_lines

GROUP_POLICY = "/Windows/System32/GroupPolicy"
GROUP_POLICY_USERS = "/Windows/System32/GroupPolicyUsers"
SCRIPT_SECTIONS = {"startup": N_("fact.trigger_windows_start"), "shutdown": N_("fact.trigger_windows_shut_down"),
                   "logon": N_("fact.trigger_sign_in"), "logoff": N_("fact.trigger_sign_out")}
INI_LIMIT = 1024 * 1024
MAX_SCRIPTS = 200
_ENTRY = re.compile(r"^(\d{1,4})(cmdline|parameters)$", re.IGNORECASE)

ALL_USERS_PROFILES = ("/Windows/System32/WindowsPowerShell/v1.0", "/Windows/SysWOW64/WindowsPowerShell/v1.0",
                      "/Program Files/PowerShell/7")
USER_PROFILE_FOLDERS = ("Documents/WindowsPowerShell", "Documents/PowerShell", "OneDrive/Documents/WindowsPowerShell",
                        "OneDrive/Documents/PowerShell")
PROFILE_NAMES = ("profile.ps1", "Microsoft.PowerShell_profile.ps1", "Microsoft.PowerShellISE_profile.ps1",
                 "Microsoft.VSCode_profile.ps1")


@dataclass(frozen=True)
class PolicyScript:
    section: str  # lower-case: startup, shutdown, logon, logoff
    number: int
    command: str
    parameters: str


def parse_scripts_ini(text: str) -> list[PolicyScript]:
    """The scripts a scripts.ini / psscripts.ini lists, in file order (at most MAX_SCRIPTS)."""
    section = ""
    found: dict[tuple[str, int], dict[str, str]] = {}
    for raw in itertools.islice(text_lines(text), 20_000):
        line = raw.strip().lstrip("\ufeff")
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if section not in SCRIPT_SECTIONS or "=" not in line:
            continue
        key, value = line.split("=", 1)
        m = _ENTRY.match(key.strip())
        if m and len(found) < MAX_SCRIPTS:
            found.setdefault((section, int(m.group(1))), {})[m.group(2).lower()] = value.strip()
    return [PolicyScript(sec, n, parts.get("cmdline", ""), parts.get("parameters", ""))
            for (sec, n), parts in found.items() if parts.get("cmdline")]


def policy_folders(target: Target, ctx: Context) -> Iterator[tuple[str, str]]:
    """(Scripts folder, scope) of the local Group Policy and each per-user local policy."""
    yield f"{GROUP_POLICY}/Machine/Scripts", "system"
    yield f"{GROUP_POLICY}/User/Scripts", "user"
    if target.is_dir(GROUP_POLICY_USERS):
        for entry in entries_noted(target, ctx, GROUP_POLICY_USERS):
            if entry.is_dir and not entry.is_symlink:
                yield f"{entry.path}/User/Scripts", "user"


def script_path(folder: str, script: PolicyScript, target: Target) -> str:
    """The script's full Windows path: a bare file name lies in Scripts/<Section>."""
    if "\\" in script.command or "/" in script.command or ":" in script.command:
        return command_exe(f'"{script.command.strip(chr(34))}"')
    section = {"startup": "Startup", "shutdown": "Shutdown", "logon": "Logon", "logoff": "Logoff"}[script.section]
    return target.display_path(f"{folder}/{section}/{script.command}")


class WindowsPolicyScripts(StartCollector):
    name = "windows.policy_scripts"
    title = "Group Policy start-up and sign-in scripts"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        for folder, scope in policy_folders(target, ctx):
            for ini in ("scripts.ini", "psscripts.ini"):
                path = f"{folder}/{ini}"
                if not target.exists(path):
                    continue
                shown = target.display_path(path)
                data = read_bytes_noted(target, ctx, path, INI_LIMIT)
                if data is None:
                    continue
                scripts = parse_scripts_ini(decode_text(data))
                for script in scripts:
                    exe = script_path(folder, script, target)
                    command = f'"{exe}"' if " " in exe else exe
                    command += f" {script.parameters}" if script.parameters else ""
                    if ini == "psscripts.ini":
                        command = f"powershell.exe -File {command}"
                    yield make("autostart", Location(path=shown), mechanism="policy_script",
                               name=f"{script.section.capitalize()} {script.number}", exe=exe, command=command,
                               scope=scope, enabled=True, file=shown,
                               trigger=Words(Message.of(SCRIPT_SECTIONS[script.section])),
                               description=Words(Message.of("fact.desc_policy_script", section=script.section,
                                                            file=ini)))


def profile_scripts(target: Target) -> Iterator[tuple[str, str]]:
    """(profile script path, user) of every PowerShell profile that exists."""
    folders = [(folder, "") for folder in ALL_USERS_PROFILES]
    folders += [(f"{home.home}/{sub}", home.user) for home in user_homes(target) for sub in USER_PROFILE_FOLDERS]
    for folder, user in folders:
        for name in PROFILE_NAMES:
            path = posixpath.join(folder, name)
            if target.is_file(path):
                yield path, user


class WindowsPowerShellProfiles(StartCollector):
    name = "windows.powershell_profiles"
    title = "PowerShell profile scripts"

    def _entries(self, target: Target, ctx: Context) -> Iterator[Artifact]:
        for path, user in profile_scripts(target):
            shown = target.display_path(path)
            yield make("autostart", Location(path=shown), mechanism="powershell_profile",
                       name=posixpath.basename(path), exe=shown, command=shown, user=user,
                       scope="user" if user else "system", enabled=True,
                       trigger=Words(Message.of("fact.trigger_powershell_opens")),
                       file=shown, description=Words(Message.of("fact.desc_powershell_profile")))
