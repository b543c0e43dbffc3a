"""The words of a command line: split as the system would, and which interpreter the program is."""

from __future__ import annotations

import ntpath
import shlex

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh", "busybox", "ash"})
_INTERPRETER_NAMES = {
    **{s: s for s in SHELLS}, "python": "python", "pythonw": "python", "py": "python", "perl": "perl",
    "ruby": "ruby", "node": "node", "nodejs": "node", "php": "php", "lua": "lua", "tclsh": "tcl",
    "powershell": "powershell", "pwsh": "powershell", "powershell_ise": "powershell", "cmd": "cmd",
    "wscript": "wscript", "cscript": "cscript", "mshta": "mshta", "regsvr32": "regsvr32",
    "rundll32": "rundll32", "osascript": "osascript", "java": "java", "javaw": "java",
}
# Flags after which the next word is code written inline, per interpreter.
INLINE_FLAGS = {"sh": ("-c",), "python": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",),
                 "node": ("-e", "--eval", "-p", "--print"), "php": ("-r",), "lua": ("-e",),
                 "osascript": ("-e",), "cmd": ("/c", "/k", "/r")}
# Flags that take a value that is not the script (so the value is not taken for it).
VALUE_FLAGS = {"python": ("-W", "-X", "-m", "-Q"), "perl": ("-I", "-M", "-m"), "node": ("-r", "--require"),
                "osascript": ("-l", "-s"), "java": ("-cp", "-classpath", "-jar")}
WRAPPERS = frozenset({
    "env", "nohup", "exec", "setsid", "nice", "ionice", "chrt", "taskset", "sudo", "doas", "runuser",
    "stdbuf", "timeout", "flock", "xvfb-run", "dbus-launch", "start-stop-daemon", "daemonize", "caffeinate",
    "arch", "conhost", "start", "systemd-cat", "systemd-inhibit", "gtk-launch", "dex",
})
WRAPPER_VALUE_OPTS = frozenset({"-n", "-u", "-g", "-p", "-s", "-t", "-k", "--user", "--group", "-w"})


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


def split_command(command: str, os_name: str) -> list[str]:
    return split_windows(command) if os_name == "windows" else split_posix(command)


# --- tag detectors on text (commands and scripts) -------------------------------------------------
