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

import base64
import binascii
import ntpath
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from techcheck.textlines import text_lines

TAGS = ("download_exec", "encoded_code", "inline_code", "hidden_window", "script_from_web", "temp_folder",
        "hidden_folder", "downloads_folder", "user_folder", "system_name_elsewhere", "missing_program")
SCRIPT_KINDS = ("sh", "bash", "python", "perl", "powershell", "bat", "vbs", "js", "applescript")
# File name endings of small scripts that collectors read and judge (size-limited).
SCRIPT_SUFFIXES = {".sh": "sh", ".bash": "bash", ".py": "python", ".pl": "perl", ".ps1": "powershell",
                   ".bat": "bat", ".cmd": "bat", ".vbs": "vbs", ".vbe": "vbs", ".js": "js", ".jse": "js",
                   ".applescript": "applescript", ".scpt": "applescript"}
MAX_COMMAND = 16 * 1024  # a real start-up command is short; a hostile one must not cost time
MAX_SCRIPT = 256 * 1024
_DECODE_DEPTH = 2


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


# --- interpreters --------------------------------------------------------------------------------

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh", "busybox", "ash"})
_INTERPRETER_NAMES = {
    **{s: s for s in SHELLS}, "python": "python", "pythonw": "python", "py": "python", "perl": "perl",
    "ruby": "ruby", "node": "node", "nodejs": "node", "php": "php", "lua": "lua", "tclsh": "tcl",
    "powershell": "powershell", "pwsh": "powershell", "powershell_ise": "powershell", "cmd": "cmd",
    "wscript": "wscript", "cscript": "cscript", "mshta": "mshta", "regsvr32": "regsvr32",
    "rundll32": "rundll32", "osascript": "osascript", "java": "java", "javaw": "java",
}
# Flags after which the next word is code written inline, per interpreter.
_INLINE_FLAGS = {"sh": ("-c",), "python": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",),
                 "node": ("-e", "--eval", "-p", "--print"), "php": ("-r",), "lua": ("-e",),
                 "osascript": ("-e",), "cmd": ("/c", "/k", "/r")}
# Flags that take a value that is not the script (so the value is not taken for it).
_VALUE_FLAGS = {"python": ("-W", "-X", "-m", "-Q"), "perl": ("-I", "-M", "-m"), "node": ("-r", "--require"),
                "osascript": ("-l", "-s"), "java": ("-cp", "-classpath", "-jar")}
WRAPPERS = frozenset({
    "env", "nohup", "exec", "setsid", "nice", "ionice", "chrt", "taskset", "sudo", "doas", "runuser",
    "stdbuf", "timeout", "flock", "xvfb-run", "dbus-launch", "start-stop-daemon", "daemonize", "caffeinate",
    "arch", "conhost", "start", "systemd-cat", "systemd-inhibit", "gtk-launch", "dex",
})
_WRAPPER_VALUE_OPTS = frozenset({"-n", "-u", "-g", "-p", "-s", "-t", "-k", "--user", "--group", "-w"})


def interpreter_name(program: str) -> str:
    """'/usr/bin/python3.11' -> 'python'; 'C:\\...\\PowerShell.EXE' -> 'powershell'; others ''."""
    base = ntpath.basename(program).lower()
    for suffix in (".exe", ".com"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    if base in _INTERPRETER_NAMES:
        return _INTERPRETER_NAMES[base]
    return _INTERPRETER_NAMES.get(base.rstrip("0123456789.-"), "")  # python3.11, perl5.36, php8.2


# --- splitting command lines ---------------------------------------------------------------------

def split_posix(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


def split_windows(command: str) -> list[str]:
    """Split as Windows programs do (CommandLineToArgvW): "..." groups, \\" is a quote, \\ stays."""
    words: list[str] = []
    current: list[str] = []
    quoted = False
    started = False
    i = 0
    while i < len(command):
        ch = command[i]
        if ch == "\\":
            n = len(command[i:]) - len(command[i:].lstrip("\\"))
            if i + n < len(command) and command[i + n] == '"':
                current.append("\\" * (n // 2))
                if n % 2:
                    current.append('"')
                    i += n + 1
                else:
                    i += n
                started = True
                continue
            current.append("\\" * n)
            i += n
            started = True
            continue
        if ch == '"':
            quoted = not quoted
            started = True
        elif ch in " \t" and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
            started = True
        i += 1
    if started:
        words.append("".join(current))
    return words


def _split(command: str, os_name: str) -> list[str]:
    return split_windows(command) if os_name == "windows" else split_posix(command)


# --- tag detectors on text (commands and scripts) -------------------------------------------------

_SINK = (r"(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:\S*/)?(?:ba|da|z|k|mk|fi|c|tc)?sh|"
         r"python[\d.]*|perl|ruby|node|php|osascript|source")
_PIPE = r"(?<!\|)\|(?!\|)\s*"
_DOWNLOADER = r"\b(?:curl|wget|fetch|aria2c)\b"
_DOWNLOADER_RX = re.compile(_DOWNLOADER, re.IGNORECASE)
_SINK_START = re.compile(rf"^\s*(?:{_SINK})(?=[\s\"';)|&]|$)", re.IGNORECASE)
_PIPE_SPLIT = re.compile(r"(?<!\|)\|(?!\|)")
_LIST_SPLIT = re.compile(r"&&|\|\||;")
# sh -c "$(curl ...)", eval "$(wget ...)", bash <(curl ...), . <(curl ...)
_SH_DOWNLOAD_SUBST = re.compile(
    rf"(?:\b(?:eval|source|exec|(?:ba|da|z|k)?sh|python[\d.]*|perl|ruby)\s+(?:-\w+\s+){{0,3}}|(?:^|[\s;&|])\.\s+)"
    rf"[\"']?(?:\$\(|<\(|`)\s*{_DOWNLOADER}", re.IGNORECASE)
MAX_LINE = 4096  # longer lines are judged on their start: bounded time on hostile files
_PS_DOWNLOADER = re.compile(
    r"DownloadString|DownloadData|DownloadFile|Invoke-WebRequest|Invoke-RestMethod|\biwr\b|\birm\b|"
    r"Net\.WebClient|Start-BitsTransfer|XMLHTTP|WinHttpRequest|\bwget\b|\bcurl\b", re.IGNORECASE)
_PS_EXEC = re.compile(r"\bIEX\b|Invoke-Expression|\bStart-Process\b|\.Invoke\(|&\s*\(|\|\s*&", re.IGNORECASE)
_PY_DOWNLOADER = re.compile(r"urlopen|urllib|requests\.get|http\.client|urlretrieve|socket\.socket", re.IGNORECASE)
_CODE_EXEC = re.compile(r"\b(?:exec|eval|execfile|compile|Execute|ExecuteGlobal|Function)\s*\(", re.IGNORECASE)
_LOLBIN_DOWNLOAD = re.compile(r"\bcertutil(?:\.exe)?\b[^\n]{0,300}?-urlcache|"
                              r"\bbitsadmin(?:\.exe)?\b[^\n]{0,300}?/transfer", re.IGNORECASE)
_B64_DECODE_SH = re.compile(r"\bbase64\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b|\bopenssl\s+(?:enc\s+)?-?base64\s+"
                            r"(?:-\w+\s+)*-d\b|\bxxd\s+(?:-\w+\s+)*-r\b", re.IGNORECASE)
_SUBST_START = re.compile(r"\$\(|`")
_EVAL_LIKE = re.compile(r"\b(?:eval|exec|source|(?:ba|da|z|k)?sh\s+-c|python[\d.]*\s+-c|perl\s+-e)\b|^\s*\.\s",
                        re.IGNORECASE)
_PY_DECODER = re.compile(r"b64decode|b32decode|decodebytes|decodestring|base64|codecs\.decode|zlib\.decompress|"
                         r"marshal\.loads|bytes\.fromhex|\.decode\(\s*['\"](?:hex|base64|rot13)", re.IGNORECASE)
_PERL_DECODER = re.compile(r"decode_base64|unpack\s*\(?\s*['\"]m|MIME::Base64", re.IGNORECASE)
_PS_DECODER = re.compile(r"FromBase64String|\[Convert\]::FromBase64|-EncodedCommand|GZipStream|DeflateStream",
                         re.IGNORECASE)
_JS_DECODER = re.compile(r"\batob\s*\(|fromCharCode|unescape\s*\(|bin\.base64|Buffer\.from\([^)]*base64", re.IGNORECASE)
_VBS_DECODER = re.compile(r"bin\.base64|\bChrW?\s*\(\s*\d+\s*\)\s*&\s*ChrW?\s*\(", re.IGNORECASE)
_PS_HIDDEN = re.compile(r"(?:^|\s)[-/]w(?:i(?:n(?:d(?:o(?:w(?:s(?:t(?:y(?:l(?:e)?)?)?)?)?)?)?)?)?)?\s*[:\s]\s*[\"']?"
                        r"(?:h(?:i(?:d(?:d(?:e(?:n)?)?)?)?)?|1)\b", re.IGNORECASE)
_VBS_HIDDEN = re.compile(r"\.Run\b[^,\n]{0,400},\s*0\s*(?:,|\)|$)|\.ShellExecute\b[^\n]{0,400},\s*0\s*\)?\s*$",
                         re.IGNORECASE | re.MULTILINE)
_HEADLESS = re.compile(r"\bconhost(?:\.exe)?\s+--headless\b|\bstart\s+/min\b|-WindowStyle\s+Hidden", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"\b(?:https?|ftp)://|\\\\[A-Za-z0-9.-]+@?(?:SSL)?\\|\\\\\d+\.\d+\.\d+\.\d+\\", re.IGNORECASE)
_SCRIPTLET = re.compile(r"scrobj(?:\.dll)?|\.sct\b|javascript:|vbscript:|RunHTMLApplication|/i:\s*https?:",
                        re.IGNORECASE)
_B64_LITERAL = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")


def _pipes_into_interpreter(line: str, source: re.Pattern[str]) -> bool:
    """A part of a pipeline matches `source` and a later part is a shell or interpreter."""
    seen = False
    for part in _PIPE_SPLIT.split(line):
        if seen and _SINK_START.match(part):
            return True
        seen = seen or bool(source.search(part))
    return False


def _downloads_then_runs(line: str) -> bool:
    """curl -o /tmp/x http://... && chmod +x /tmp/x && /tmp/x (or sh /tmp/x): fetch a file, run it."""
    if "://" not in line or not _DOWNLOADER_RX.search(line):
        return False
    saved: set[str] = set()
    for part in _LIST_SPLIT.split(line):
        words = [w.strip("'\"") for w in part.split()]
        if not saved:
            if _DOWNLOADER_RX.search(part):
                saved = {w for w in words if "/" in w and "://" not in w} or {"\0"}
            continue
        if words and words[0] == "sudo":
            words = words[1:]
        if not words or words[0] == "chmod":
            continue
        if words[0] in saved or (interpreter_name(words[0]) and len(words) > 1 and words[1] in saved):
            return True
    return False


def _sh_tags(text: str) -> set[str]:
    tags: set[str] = set()
    for raw in text_lines(text):
        line = raw[:MAX_LINE]
        if _pipes_into_interpreter(line, _DOWNLOADER_RX) or _SH_DOWNLOAD_SUBST.search(line) or (
                _downloads_then_runs(line)):
            tags.add("download_exec")
        decodes = _B64_DECODE_SH.search(line)
        if decodes and (_pipes_into_interpreter(line, _B64_DECODE_SH) or (
                _SUBST_START.search(line) and _EVAL_LIKE.search(line))):
            tags.add("encoded_code")
    return tags


def _code_tags(text: str, kind: str) -> set[str]:
    """Tags that the text of code (inline or a script) earns, for one language family."""
    tags: set[str] = set()
    if kind in ("sh", "bash", "applescript", "bat", "cmd"):
        tags |= _sh_tags(text)
    if kind == "python" and _CODE_EXEC.search(text):
        tags |= _python_tags(text)
    if kind == "perl" and re.search(r"\beval\b", text):
        tags |= _perl_tags(text)
    if kind in ("powershell", "bat", "cmd", "vbs", "js"):
        tags |= _windows_script_tags(text, kind)
    if kind in ("vbs", "js"):
        tags |= _vbs_js_tags(text)
    if re.search(r"\b(?:mshta|regsvr32|rundll32)(?:\.exe)?\b", text, re.IGNORECASE) and (
            _WEB_ADDRESS.search(text) or _SCRIPTLET.search(text)):
        tags.add("script_from_web")
    return tags


def _python_tags(text: str) -> set[str]:
    """Python that runs code it builds (exec, eval ...): downloaded or decoded first?"""
    tags: set[str] = set()
    if _PY_DOWNLOADER.search(text):
        tags.add("download_exec")
    if _PY_DECODER.search(text):
        tags.add("encoded_code")
    return tags


def _perl_tags(text: str) -> set[str]:
    """Perl that evaluates code: decoded or fetched first?"""
    tags: set[str] = set()
    if _PERL_DECODER.search(text):
        tags.add("encoded_code")
    if re.search(r"LWP|HTTP::Tiny|IO::Socket", text):
        tags.add("download_exec")
    return tags


def _windows_script_tags(text: str, kind: str) -> set[str]:
    """PowerShell, batch and Windows Script Host code: downloads, decoding, hidden windows."""
    tags: set[str] = set()
    if (_PS_DOWNLOADER.search(text) and _PS_EXEC.search(text)) or _LOLBIN_DOWNLOAD.search(text):
        tags.add("download_exec")
    if _PS_DECODER.search(text) and kind in ("powershell", "bat", "cmd"):
        tags.add("encoded_code")
    if (_PS_HIDDEN.search(text) and re.search(r"powershell|pwsh|Start-Process", text, re.IGNORECASE)) \
            or _HEADLESS.search(text):
        tags.add("hidden_window")
    return tags


def _vbs_js_tags(text: str) -> set[str]:
    """VBScript and JScript: hidden windows, decoded code that runs, downloads that run or are saved."""
    tags: set[str] = set()
    if _VBS_HIDDEN.search(text):
        tags.add("hidden_window")
    if (_JS_DECODER.search(text) or _VBS_DECODER.search(text)) and _CODE_EXEC.search(text):
        tags.add("encoded_code")
    if re.search(r"XMLHTTP|WinHttp|ServerXMLHTTP", text, re.IGNORECASE) and (
            _CODE_EXEC.search(text) or re.search(r"\.Run\b|ShellExecute|SaveToFile", text, re.IGNORECASE)):
        tags.add("download_exec")
    return tags


def _decoded_literals(text: str, depth: int) -> set[str]:
    """Tags of code hidden in base64 literals (echo <b64> | base64 -d | sh, -enc <b64>)."""
    if depth >= _DECODE_DEPTH:
        return set()
    tags: set[str] = set()
    for literal in _B64_LITERAL.findall(text)[:8]:
        decoded = _decode_b64(literal)
        if decoded:
            for kind in ("sh", "powershell", "python"):
                tags |= _code_tags(decoded, kind)
            tags |= _decoded_literals(decoded, depth + 1)
    return tags


def _decode_b64(literal: str) -> str:
    """Printable text in a base64 literal (UTF-16LE as PowerShell uses, or UTF-8); '' if none."""
    try:
        raw = base64.b64decode(literal + "=" * (-len(literal) % 4), validate=True)
    except (binascii.Error, ValueError):
        return ""
    for encoding in ("utf-16-le", "utf-8"):
        if encoding == "utf-16-le" and (len(raw) % 2 or raw[1:2] != b"\x00"):
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
            return text
    return ""


# --- folders and names ---------------------------------------------------------------------------

_TEMP_PARTS = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm|/private/tmp|/private/var/tmp|/private/var/folders)/|"
                         r"[\\/]AppData[\\/]Local[\\/]Temp[\\/]|^[A-Za-z]:[\\/](?:Windows[\\/])?te?mp[\\/]|"
                         r"^%(?:temp|tmp)%", re.IGNORECASE)
_DOWNLOADS = re.compile(r"[\\/](?:downloads|descargas|t[ée]l[ée]chargements)[\\/]", re.IGNORECASE)
_USER_DIRS = re.compile(r"^(?:/home/[^/]+/|/var/home/[^/]+/|/root/|/Users/(?!Shared/)[^/]+/|~/|\$HOME/|\$\{HOME\}/|"
                        r"[A-Za-z]:[\\/]Users[\\/](?!Public[\\/])[^\\/]+[\\/]|"
                        r"%(?:appdata|localappdata|userprofile|homepath)%)", re.IGNORECASE)
_HIDDEN_PART = re.compile(r"[\\/]\.[^\\/.][^\\/]*[\\/]")
# The standard folders for a person's own programs and app data (XDG base directories, Flatpak's
# per-user data) start with a dot but hide nothing.
_STANDARD_DOT_FOLDERS = re.compile(r"^(?:/home/[^/]+|/var/home/[^/]+|/root|/Users/[^/]+|~|\$HOME|\$\{HOME\})"
                                   r"/(?:\.local/(?:bin|share|lib)|\.config|\.var/app)/")
# System programs' names and the folders they belong in (a copy elsewhere poses as them).
SYSTEM_NAMES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "linux": (frozenset({"systemd", "init", "sshd", "cron", "crond", "dbus-daemon", "udevd", "systemd-udevd",
                         "rsyslogd", "journald", "systemd-journald", "networkmanager", "polkitd", "agetty",
                         "kworker", "kthreadd", "ksoftirqd", "atd", "login", "gdm", "gdm3", "lightdm",
                         "gnome-shell", "pulseaudio", "pipewire", "xorg", "avahi-daemon", "cupsd", "accounts-daemon"}),
              ("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/lib/", "/usr/libexec/",
               "/usr/local/bin/", "/usr/local/sbin/", "/snap/")),
    "macos": (frozenset({"launchd", "kernel_task", "windowserver", "loginwindow", "mds", "mdworker", "syslogd",
                         "sshd", "cfprefsd", "trustd", "softwareupdated", "finder", "dock", "systemuiserver",
                         "coreaudiod", "opendirectoryd", "securityd", "airportd", "bluetoothd", "diskarbitrationd"}),
              ("/sbin/", "/usr/sbin/", "/usr/libexec/", "/usr/bin/", "/system/", "/bin/", "/library/apple/")),
    "windows": (frozenset({"svchost.exe", "lsass.exe", "csrss.exe", "winlogon.exe", "services.exe", "explorer.exe",
                           "smss.exe", "wininit.exe", "spoolsv.exe", "taskhostw.exe", "taskhost.exe", "dllhost.exe",
                           "conhost.exe", "rundll32.exe", "lsm.exe", "ctfmon.exe", "userinit.exe", "dwm.exe",
                           "sihost.exe", "runtimebroker.exe", "searchindexer.exe", "wmiprvse.exe", "audiodg.exe",
                           "fontdrvhost.exe", "regsvr32.exe", "msiexec.exe", "powershell.exe", "cmd.exe"}),
                ("%systemroot%", "%windir%", "/systemroot", "systemroot", "system32")),
}


def folder_tags(path: str) -> set[str]:
    """Where a program or script file lives, as tags."""
    tags: set[str] = set()
    if not path:
        return tags
    if _TEMP_PARTS.search(path):
        tags.add("temp_folder")
    if _HIDDEN_PART.search(_STANDARD_DOT_FOLDERS.sub("/", path, count=1)):
        tags.add("hidden_folder")
    if _DOWNLOADS.search(path):
        tags.add("downloads_folder")
    if _USER_DIRS.match(path):
        tags.add("user_folder")
    return tags


def _is_path(word: str) -> bool:
    return "/" in word or "\\" in word or word.startswith("%")


def posing_as_system(program: str, os_name: str) -> bool:
    """A system program's name on a file outside the system folders (only for full paths)."""
    spec = SYSTEM_NAMES.get(os_name)
    if not spec or not _is_path(program):
        return False
    names, folders = spec
    if os_name == "windows":
        if ntpath.basename(program).lower() not in names:
            return False
        folder = re.sub(r"^(?:/\?\?/|//\?/|\?\?/)", "", ntpath.dirname(program).replace("\\", "/").lower())
        in_windows = re.match(r"^(?:[a-z]:)?/windows(?:/|$)", folder) and "/temp" not in folder
        return bool(folder) and not in_windows and not folder.startswith(folders)
    base = posixpath.basename(program).lower()
    if base not in names:
        return False
    return not (program.lower() if os_name == "macos" else program).startswith(folders)


# --- analysing a command -------------------------------------------------------------------------

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
            i += 2 if words[i] in _WRAPPER_VALUE_OPTS else 1
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
            return "", _decode_b64(value) or value, tags
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
    tags = {"script_from_web"} if (_WEB_ADDRESS.search(joined) or _SCRIPTLET.search(joined)) else set()
    if interp == "rundll32":
        target = args[0].split(",", 1)[0] if args else ""
        if target.lower().startswith(("javascript:", "vbscript:")):
            return "", joined, tags | {"inline_code"}
        return target, "", tags
    if interp == "regsvr32":
        scriptlet = [a.split(":", 1)[1] for a in args if a.lower().startswith(("/i:", "-i:"))]
        if scriptlet and (_WEB_ADDRESS.search(scriptlet[0]) or _SCRIPTLET.search(scriptlet[0])):
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
    inline = _INLINE_FLAGS.get(family, ())
    value_flags = _VALUE_FLAGS.get(family, ())
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
    words, tags = _skip_wrappers(_split(command, os_name), os_name)
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
        tags |= _code_tags(code, family if family in ("python", "perl", "powershell", "cmd") else "sh")
        if family in ("sh", "cmd") and depth < 2:
            inner = _analyse(code, os_name, depth + 1)  # sh -c 'nohup /tmp/x &': the program inside
            tags |= set(inner.tags) - {"inline_code"}
    tags |= _code_tags(command, "powershell" if os_name == "windows" else "sh")
    if "encoded_code" in tags:
        tags |= _decoded_literals(code or command, 0)
    tags |= folder_tags(program) | folder_tags(runs)
    if posing_as_system(program, os_name):
        tags.add("system_name_elsewhere")
    return Behaviour(interp, runs, _ordered(tags))


def analyse_script(text: str, kind: str) -> Behaviour:
    """Tags earned by the text of a script file (kind: sh, bash, python, perl, powershell, bat, vbs,
    js, applescript). Folders the script mentions are not judged: scripts use /tmp all the time."""
    text = text[:MAX_SCRIPT]
    family = {"bash": "sh", "applescript": "applescript"}.get(kind, kind)
    tags = _code_tags(text, family)
    if kind == "applescript":
        tags |= _code_tags(text, "sh")  # do shell script "curl ... | sh"
    if "encoded_code" in tags:
        tags |= _decoded_literals(text, 0)
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
