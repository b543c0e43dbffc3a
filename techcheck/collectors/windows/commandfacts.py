"""What a Windows start-up command runs: the interpreter, the script or library it is told to run, and
behaviour tags (the shared vocabulary of CONTRACT-persistence: download_exec, encoded_code, inline_code,
hidden_window, script_from_web, temp_folder, downloads_folder, user_folder, system_name_elsewhere,
missing_program). Pure functions on text.

Sources: powershell.exe parameters (-EncodedCommand, -WindowStyle, -File, -Command, and that any
unambiguous prefix of a parameter works):
https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.core/about/about_powershell_exe ;
cmd /c and /k: https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/cmd ;
mshta, regsvr32 /i:URL scrobj.dll ("Squiblydoo"), rundll32 javascript: — MITRE ATT&CK T1218.005,
T1218.010, T1218.011 and the Sigma rules proc_creation_win_mshta_*, proc_creation_win_regsvr32_*,
proc_creation_win_powershell_download_* (https://github.com/SigmaHQ/sigma).
"""

from __future__ import annotations

import base64
import binascii
import ntpath
import re
import shlex
from dataclasses import dataclass

from techcheck.collectors.windows.registry import command_args, command_exe

INTERPRETERS = {
    "powershell.exe": "powershell", "pwsh.exe": "powershell", "cmd.exe": "cmd", "wscript.exe": "wscript",
    "cscript.exe": "cscript", "mshta.exe": "mshta", "rundll32.exe": "rundll32", "regsvr32.exe": "regsvr32",
    "python.exe": "python", "pythonw.exe": "python", "node.exe": "node", "bash.exe": "bash", "wsl.exe": "bash",
}
SCRIPT_HOSTS = {".ps1": "powershell", ".bat": "cmd", ".cmd": "cmd", ".vbs": "wscript", ".vbe": "wscript",
                ".js": "wscript", ".jse": "wscript", ".wsf": "wscript", ".hta": "mshta"}
SYSTEM_NAMES = {"svchost.exe", "lsass.exe", "csrss.exe", "winlogon.exe", "explorer.exe", "smss.exe", "services.exe",
                "wininit.exe", "lsm.exe", "spoolsv.exe", "taskhost.exe", "taskhostw.exe", "dwm.exe", "conhost.exe",
                "ctfmon.exe", "dllhost.exe", "rundll32.exe", "userinit.exe", "sihost.exe", "runtimebroker.exe"}
_DOWNLOAD = re.compile(r"downloadstring|downloadfile|downloaddata|net\.webclient|invoke-webrequest|\biwr\b|"
                       r"invoke-restmethod|\birm\b|start-bitstransfer|bitsadmin\s+/transfer|\bcurl(\.exe)?\s|"
                       r"\bwget(\.exe)?\s|certutil(\.exe)?\s.*-urlcache|xmlhttp|winhttprequest", re.IGNORECASE)
_RUN_IT = re.compile(r"\biex\b|invoke-expression|\|\s*(powershell|pwsh|cmd|sh|bash)\b|start-process|"
                     r"\.run\b|\.exec\b|\bstart\s+\S|&\s*\(|;\s*\.\\|-outfile", re.IGNORECASE)
_FROM_BASE64 = re.compile(r"frombase64string|\[convert\]::frombase64|-decode\b|certutil(\.exe)?\s+-decode",
                          re.IGNORECASE)
_URL = re.compile(r"https?://|\\\\[\w.-]+@?\d*\\", re.IGNORECASE)
_VBS_HIDDEN = re.compile(r"\.run\b[^\r\n]*,\s*0\b|\.shellexecute\b[^\r\n]*,\s*0\s*\)?\s*$",
                         re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class CommandFacts:
    interpreter: str = ""
    runs: str = ""
    tags: tuple[str, ...] = ()

    @property
    def inline(self) -> bool:
        return "inline_code" in self.tags


def _words(args: str) -> list[str]:
    try:
        return shlex.split(args, posix=False)
    except ValueError:
        return args.split()


def _is_param(word: str, name: str, shortest: int = 2) -> bool:
    """PowerShell takes any unambiguous prefix of a parameter name (-enc, -e, -EncodedCommand)."""
    w = word.lower().lstrip("-/")
    return word[:1] in "-/" and len(w) >= min(shortest, len(name)) and name.startswith(w)


def decode_powershell(text: str) -> str:
    """The text of a -EncodedCommand argument (base64 of UTF-16-LE); '' when it does not decode."""
    try:
        raw = base64.b64decode(text.strip().strip('"'), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-16-le", errors="replace") if len(raw) % 2 == 0 else raw.decode("latin-1")


def code_tags(code: str) -> set[str]:
    """Tags for code text (inline code, a decoded command, or a script file's content)."""
    tags: set[str] = set()
    if _DOWNLOAD.search(code) and (_RUN_IT.search(code) or _FROM_BASE64.search(code)):
        tags.add("download_exec")
    if _FROM_BASE64.search(code) or re.search(r"-e(nc(odedcommand)?)?\s+[A-Za-z0-9+/=]{40,}", code, re.IGNORECASE):
        tags.add("encoded_code")
    if re.search(r"-w(in(dowstyle)?)?\s+(h(idden)?|1)\b", code, re.IGNORECASE) or _VBS_HIDDEN.search(code):
        tags.add("hidden_window")
    if re.search(r"\b(mshta|regsvr32|rundll32)(\.exe)?\b[^\r\n]*(https?://|javascript:|vbscript:)", code,
                 re.IGNORECASE):
        tags.add("script_from_web")
    return tags


def _powershell(words: list[str]) -> tuple[str, set[str]]:
    tags: set[str] = set()
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if _is_param(w, "encodedcommand", 1) or _is_param(w, "ec"):
            decoded = decode_powershell(nxt)
            return "", tags | {"encoded_code", "inline_code"} | code_tags(decoded)
        if _is_param(w, "windowstyle", 1) and nxt.lower() in ("hidden", "h", "1"):
            tags.add("hidden_window")
            i += 2
            continue
        if _is_param(w, "file", 1):
            return command_exe(f'"{nxt.strip(chr(34))}"') if nxt else "", tags
        if _is_param(w, "command", 1) or not w.startswith(("-", "/")):
            code = " ".join(words[i + 1:] if w.startswith(("-", "/")) else words[i:])
            if not w.startswith(("-", "/")) and len(words) - i == 1 and w.strip('"').lower().endswith(".ps1"):
                return command_exe(w), tags  # a lone script path runs that script
            return "", tags | {"inline_code"} | code_tags(code)
        i += 2 if _is_param(w, "executionpolicy", 2) or _is_param(w, "configurationname", 2) else 1
    return "", tags


def _cmd(args: str) -> tuple[str, set[str]]:
    m = re.match(r'\s*(?:/[a-z](?::\S*)?\s+)*?/[ckr]\s+(.*)$', args, re.IGNORECASE | re.DOTALL)
    rest = m.group(1).strip() if m else ""
    if not rest:
        return "", set()
    inner = rest.strip('"') if rest.count('"') == 2 and rest.startswith('"') and rest.endswith('"') else rest
    # A one-time clean-up that only deletes a file or folder belongs to whoever owns that place.
    cleanup = re.fullmatch(r'(?:del|erase|rmdir|rd)(?:\s+/[a-z])*\s+("[^"&|<>]+"|[^\s"&|<>]+)', inner.strip(),
                           re.IGNORECASE)
    if cleanup:
        return cleanup.group(1).strip('"'), set()
    words = _words(inner)
    if len(words) <= 2 and words and re.search(r"\.(bat|cmd|exe|ps1|vbs|js)\"?$", words[0], re.IGNORECASE):
        return command_exe(words[0]), code_tags(inner)
    return "", {"inline_code"} | code_tags(inner)


def _script_host(args: str) -> tuple[str, set[str]]:
    words = [w for w in _words(args) if not w.startswith("//")]
    if not words:
        return "", set()
    return command_exe(f'"{words[0].strip(chr(34))}"'), set()


def _mshta(args: str) -> tuple[str, set[str]]:
    low = args.strip().strip('"').lower()
    if _URL.match(low):
        return "", {"script_from_web"}
    if low.startswith(("vbscript:", "javascript:", "about:")):
        return "", {"inline_code"} | code_tags(args) | ({"script_from_web"} if _URL.search(low) else set())
    return command_exe(f'"{args.strip().strip(chr(34))}"') if low else "", set()


def _dll_host(interpreter: str, args: str) -> tuple[str, set[str]]:
    low = args.lower()
    if interpreter == "regsvr32" and ("/i:" in low or "-i:" in low) and (_URL.search(low) or "scrobj" in low):
        return "", {"script_from_web"}
    if interpreter == "rundll32" and ("javascript:" in low or "vbscript:" in low):
        return "", {"inline_code"} | ({"script_from_web"} if _URL.search(low) else set())
    words = [w for w in _words(args) if not w.startswith(("/", "-"))]
    if not words:
        return "", set()
    dll = words[0].split(",")[0].strip('"') if interpreter == "rundll32" else words[-1].strip('"')
    if "\\" not in dll and "/" not in dll:
        dll = "C:\\Windows\\System32\\" + dll
    return command_exe(f'"{dll}"'), set()


def analyse_windows_command(command: str, exe: str = "", user: str = "") -> CommandFacts:
    """Interpreter, what it runs and behaviour tags of a Windows command line."""
    program = exe or command_exe(command, user)
    base = ntpath.basename(program).lower()
    interpreter = INTERPRETERS.get(base, "")
    args = command_args(command)
    runs, tags = "", set[str]()
    if interpreter == "powershell":
        runs, tags = _powershell(_words(args))
    elif interpreter == "cmd":
        runs, tags = _cmd(args)
    elif interpreter in ("wscript", "cscript", "python", "node"):
        runs, tags = _script_host(args)
        if interpreter == "python" and re.match(r"\s*-c\b", args):
            runs, tags = "", {"inline_code"} | code_tags(args)
    elif interpreter == "mshta":
        runs, tags = _mshta(args)
    elif interpreter in ("rundll32", "regsvr32"):
        runs, tags = _dll_host(interpreter, args)
    else:
        ext = ntpath.splitext(base)[1]
        if ext in SCRIPT_HOSTS:
            interpreter, runs = SCRIPT_HOSTS[ext], program
        tags = code_tags(command) if interpreter else set()
    tags |= folder_tags(runs or program)
    if base in SYSTEM_NAMES and not is_system_place(program) and "\\" in program:
        tags.add("system_name_elsewhere")
    return CommandFacts(interpreter, runs, tuple(sorted(tags)))


def is_system_place(path: str) -> bool:
    low = path.lower()
    return bool(re.match(r"^[a-z]:\\windows\\(system32|syswow64)\\[^\\]+$", low)) or low in (
        "c:\\windows\\explorer.exe",)


def folder_tags(path: str) -> set[str]:
    low = path.lower()
    tags: set[str] = set()
    if re.search(r"^[a-z]:\\users\\[^\\]+\\appdata\\local\\temp\\|^[a-z]:\\windows\\temp\\|^[a-z]:\\te?mp\\", low):
        tags.add("temp_folder")
    if re.search(r"^[a-z]:\\users\\[^\\]+\\downloads\\", low):
        tags.add("downloads_folder")
    if re.match(r"^[a-z]:\\users\\[^\\]+\\", low):
        tags.add("user_folder")  # C:\Users\Public too: every account can write there
    if re.search(r"\\\.[^\\.][^\\]*\\|^[a-z]:\\\$recycle\.bin\\|^[a-z]:\\recycler\\", low):
        tags.add("hidden_folder")
    return tags


def analyse_windows_script(text: str, kind: str) -> tuple[str, ...]:
    """Behaviour tags of a script file's text (kind: powershell, cmd, wscript, mshta)."""
    return tuple(sorted(code_tags(text[:1024 * 1024])))
