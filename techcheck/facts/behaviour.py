"""What a start-up command or a small script does: the interpreter, what it is told to run, and tags.

Collectors on every platform call `analyse_command` on the command line of a start-up entry, and
`analyse_script` on the text of a small script file that an entry runs. The result is a fact
(`Behaviour`), never a verdict: rule files decide what a tag means. Pure functions on text, bounded
in time: commands and scripts are cut to a fixed size first and every pattern is linear.

Tags (add to this list, never rename; other platforms' collectors and rules use them):
  download_exec          code fetched from the web is run at once (curl | sh, IEX DownloadString ...)
  encoded_code           code is decoded before it runs (base64 -d | sh, -EncodedCommand, b64decode+exec)
  inline_code            code written into the command itself (sh -c, python -c, powershell -Command ...)
  hidden_window          the window is hidden (-WindowStyle Hidden, WScript Run ...,0, conhost --headless)
  script_from_web        mshta / regsvr32 / rundll32 told to run a script from a web address or a scriptlet
  temp_folder            the program or script is in a temporary folder
  hidden_folder          ... in a folder whose name starts with a dot
  downloads_folder       ... in a Downloads folder
  user_folder            ... under a person's home folder
  system_name_elsewhere  a system program's name (svchost.exe, launchd, sshd ...) outside its system folder
  missing_program        the program file does not exist (set by collectors: it needs the file system)
"""

from __future__ import annotations

import ntpath
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from techcheck.facts.codetags import SCRIPTLET, WEB_ADDRESS, code_tags, decode_b64, decoded_literals
from techcheck.facts.commandline import (
    INLINE_FLAGS,
    SHELLS,
    VALUE_FLAGS,
    WRAPPER_VALUE_OPTS,
    WRAPPERS,
    interpreter_name,
    split_command,
    split_posix,
    split_windows,
)
from techcheck.facts.places import folder_tags, posing_as_system

__all__ = ["MAX_COMMAND", "MAX_SCRIPT", "SCRIPT_KINDS", "SCRIPT_SUFFIXES", "SHELLS", "TAGS", "Behaviour",
           "analyse_command", "analyse_script", "folder_tags", "interpreter_name", "posing_as_system",
           "program_missing", "script_kind", "split_posix", "split_windows"]

TAGS = ("download_exec", "encoded_code", "inline_code", "hidden_window", "script_from_web", "temp_folder",
        "hidden_folder", "downloads_folder", "user_folder", "system_name_elsewhere", "missing_program")
SCRIPT_KINDS = ("sh", "bash", "python", "perl", "powershell", "bat", "vbs", "js", "applescript")
# File name endings of small scripts that collectors read and judge (size-limited).
SCRIPT_SUFFIXES = {".sh": "sh", ".bash": "bash", ".py": "python", ".pl": "perl", ".ps1": "powershell",
                   ".bat": "bat", ".cmd": "bat", ".vbs": "vbs", ".vbe": "vbs", ".js": "js", ".jse": "js",
                   ".applescript": "applescript", ".scpt": "applescript"}
MAX_COMMAND = 16 * 1024  # a real start-up command is short; a hostile one must not cost time
MAX_SCRIPT = 256 * 1024


@dataclass(frozen=True)
class Behaviour:
    """Facts about what an entry runs. `runs` is the script or library the interpreter is told to
    run ("" for inline code or when there is no interpreter)."""

    interpreter: str = ""
    runs: str = ""
    tags: tuple[str, ...] = ()

    def with_tags(self, *tags: str) -> Behaviour:
        return replace(self, tags=_ordered(self.tags + tags))

    def merged(self, other: Behaviour) -> Behaviour:
        """Tags of both (for a command and the script file it runs)."""
        return replace(self, tags=_ordered(self.tags + other.tags))


def _ordered(tags: Iterable[str]) -> tuple[str, ...]:
    found = set(tags)
    return tuple(t for t in TAGS if t in found) + tuple(sorted(found - set(TAGS)))


def _skip_wrappers(words: list[str], os_name: str) -> tuple[list[str], set[str]]:
    """Words from the real program on, past nohup/env/sudo/conhost ...; tags the wrappers earn."""
    tags: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        base = (ntpath.basename(word) if os_name == "windows" else posixpath.basename(word)).lower()
        base = base[:-4] if base.endswith(".exe") else base
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            i += 1  # "FOO=bar prog"
            continue
        if base not in WRAPPERS:
            break
        i += 1
        while i < len(words) and (words[i].startswith("-") or (base == "start" and words[i].startswith("/"))):
            if words[i] == "--headless" or words[i].lower() in ("/min", "/b"):
                tags.add("hidden_window")
            i += 2 if words[i] in WRAPPER_VALUE_OPTS else 1
        if base == "start" and i < len(words) and words[i] == "":
            i += 1  # start "" prog: the empty window title
        if base == "timeout" and i < len(words) and words[i][:1].isdigit():
            i += 1
    return words[i:], tags


def _ps_option(opt: str) -> str:
    """What a powershell option (any unambiguous prefix, as PowerShell accepts) is."""
    def is_prefix(name: str, shortest: int = 2) -> bool:
        return len(opt) >= shortest and name.startswith(opt)

    if opt in ("e", "ec") or is_prefix("encodedcommand"):
        return "encoded"
    if opt in ("ep", "ex") or is_prefix("executionpolicy", 3):
        return "value"
    if opt == "c" or is_prefix("command"):
        return "command"
    if opt == "f" or is_prefix("file"):
        return "file"
    if opt == "w" or is_prefix("windowstyle"):
        return "window"
    if any(is_prefix(n) for n in ("version", "inputformat", "outputformat", "configurationname",
                                  "psconsolefile", "workingdirectory", "settingsfile", "wd")):
        return "value"
    return "flag"


def _powershell(args: list[str]) -> tuple[str, str, set[str]]:
    """runs, inline code, tags for powershell/pwsh arguments."""
    tags: set[str] = set()
    i = 0
    while i < len(args):
        low = args[i].lower()
        if not low.startswith(("-", "/")):
            return "", " ".join(args[i:]), tags  # code given without -Command
        kind = _ps_option(low[1:].split(":", 1)[0])
        value = args[i + 1] if i + 1 < len(args) else ""
        if kind == "encoded":
            tags.add("encoded_code")
            return "", decode_b64(value) or value, tags
        if kind == "file":
            return value, "", tags
        if kind == "command":
            return "", " ".join(args[i + 1:]), tags
        if kind == "window" and (value.lower().startswith("h") or value == "1"):
            tags.add("hidden_window")
        i += 2 if kind in ("window", "value") else 1
    return "", "", tags


def _windows_script_host(args: list[str]) -> str:
    scripts = [a for a in args if not a.startswith("//") and not a.startswith("/")]
    return scripts[0] if scripts else ""


def _special_hosts(interp: str, args: list[str]) -> tuple[str, str, set[str]]:
    """mshta, regsvr32 and rundll32: what they load, and whether it is a script from the web."""
    joined = " ".join(args)
    tags = {"script_from_web"} if (WEB_ADDRESS.search(joined) or SCRIPTLET.search(joined)) else set()
    if interp == "rundll32":
        target = args[0].split(",", 1)[0] if args else ""
        if target.lower().startswith(("javascript:", "vbscript:")):
            return "", joined, tags | {"inline_code"}
        return target, "", tags
    if interp == "regsvr32":
        scriptlet = [a.split(":", 1)[1] for a in args if a.lower().startswith(("/i:", "-i:"))]
        if scriptlet and (WEB_ADDRESS.search(scriptlet[0]) or SCRIPTLET.search(scriptlet[0])):
            return scriptlet[0], "", tags  # regsvr32 /i:http://.../x.sct scrobj.dll runs the scriptlet
        dlls = [a for a in args if not a.startswith(("/", "-"))]
        return (dlls[0] if dlls else ""), "", tags
    # mshta: an .hta file, a web address, or inline vbscript:/javascript:
    first = args[0] if args else ""
    if first.lower().startswith(("javascript:", "vbscript:", "about:")):
        return "", joined, tags | {"inline_code"}
    return first, "", tags


def _generic(interp: str, args: list[str]) -> tuple[str, str]:
    """runs or inline code for shells and script languages: the inline flag, else the first script."""
    family = "sh" if interp in SHELLS else interp
    inline = INLINE_FLAGS.get(family, ())
    value_flags = VALUE_FLAGS.get(family, ())
    i = 0
    while i < len(args):
        word = args[i]
        if (word.lower() if family == "cmd" else word) in inline:
            rest = args[i + 1:]
            if family != "cmd":
                return "", rest[0] if rest else ""
            code = " ".join(rest)
            if len(rest) == 1 and rest[0].lower().endswith((".bat", ".cmd")):
                return rest[0], ""  # cmd /c x.bat runs a script file
            return "", code
        if family == "sh" and re.match(r"^-[a-z]*c[a-z]*$", word):
            return "", args[i + 1] if i + 1 < len(args) else ""  # bash -lc '...'
        if family == "python" and word == "-m":
            return "", ""  # python -m module: a module, not a file
        if word in value_flags:
            i += 2
            continue
        if word.startswith("/" if family == "cmd" else "-"):
            i += 1
            continue
        if word.startswith(("<", "$(", "`", "|")):
            return "", ""  # bash <(curl ...): no file
        return word, ""
    return "", ""


def analyse_command(command: str, os_name: str) -> Behaviour:
    """What a start-up command runs: its interpreter, the script/DLL it is told to run, and tags."""
    return _analyse(command[:MAX_COMMAND], os_name, 0)


def _analyse(command: str, os_name: str, depth: int) -> Behaviour:
    words, tags = _skip_wrappers(split_command(command, os_name), os_name)
    if not words:
        return Behaviour(tags=_ordered(tags))
    program, args = words[0], words[1:]
    interp = interpreter_name(program)
    runs, code = "", ""
    if interp == "powershell":
        runs, code, more = _powershell(args)
        tags |= more
    elif interp in ("wscript", "cscript"):
        runs = _windows_script_host(args)
    elif interp in ("mshta", "regsvr32", "rundll32"):
        runs, code, more = _special_hosts(interp, args)
        tags |= more
    elif interp and interp != "java":
        runs, code = _generic(interp, args)
    family = "sh" if interp in SHELLS else interp
    if code:
        tags.add("inline_code")
        tags |= code_tags(code, family if family in ("python", "perl", "powershell", "cmd") else "sh")
        if family in ("sh", "cmd") and depth < 2:
            inner = _analyse(code, os_name, depth + 1)  # sh -c 'nohup /tmp/x &': the program inside
            tags |= set(inner.tags) - {"inline_code"}
    tags |= code_tags(command, "powershell" if os_name == "windows" else "sh")
    if "encoded_code" in tags:
        tags |= decoded_literals(code or command, 0)
    tags |= folder_tags(program) | folder_tags(runs)
    if posing_as_system(program, os_name):
        tags.add("system_name_elsewhere")
    return Behaviour(interp, runs, _ordered(tags))


def analyse_script(text: str, kind: str) -> Behaviour:
    """Tags earned by the text of a script file (kind: sh, bash, python, perl, powershell, bat, vbs,
    js, applescript). Folders the script mentions are not judged: scripts use /tmp all the time."""
    text = text[:MAX_SCRIPT]
    family = {"bash": "sh", "applescript": "applescript"}.get(kind, kind)
    tags = code_tags(text, family)
    if kind == "applescript":
        tags |= code_tags(text, "sh")  # do shell script "curl ... | sh"
    if "encoded_code" in tags:
        tags |= decoded_literals(text, 0)
    interpreter = {"bat": "cmd", "vbs": "wscript", "js": "wscript", "applescript": "osascript"}.get(kind, kind)
    return Behaviour(interpreter, "", _ordered(tags))


def script_kind(path: str, first_line: str = "") -> str:
    """The language of a script file from its name ending or its #! line; '' when not a script."""
    low = path.lower()
    for suffix, kind in SCRIPT_SUFFIXES.items():
        if low.endswith(suffix):
            return kind
    if first_line.startswith("#!"):
        words = first_line[2:].split()
        program = words[1] if words and posixpath.basename(words[0]) == "env" and len(words) > 1 else (
            words[0] if words else "")
        interp = interpreter_name(program)
        if interp in SHELLS:
            return "sh"
        if interp in ("python", "perl", "powershell", "osascript"):
            return "applescript" if interp == "osascript" else interp
    return ""


def program_missing(program: str, exists: Callable[[str], bool], folder_exists: Callable[[str], bool]) -> bool:
    """The program file is not there although the folder that should hold it is (so a copy that
    lacks that folder raises nothing)."""
    if not program or not program.startswith("/"):
        return False
    return not exists(program) and folder_exists(posixpath.dirname(program))
