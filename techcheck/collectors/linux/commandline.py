"""Helpers shared by the Linux collectors: which program a command line really runs.

Start-up entries (systemd ExecStart, XDG Exec, cron lines, shell lines) hold shell-like command
lines. Rules match the program that runs (`exe`, `exe_name`), so these helpers find it: past
wrappers such as `nohup` or `env`, into `sh -c '...'`, and past builtins such as `cd /`.
Pure functions on text; no file is touched.
"""

from __future__ import annotations

import posixpath
import re
import shlex

# Programs that only start another program: the program they start is the interesting one.
WRAPPERS = frozenset({
    "env", "nohup", "exec", "setsid", "nice", "ionice", "chrt", "taskset", "sudo", "doas", "su",
    "runuser", "start-stop-daemon", "daemonize", "stdbuf", "timeout", "flock", "xvfb-run", "dbus-launch",
})
# Shell words that run nothing by themselves.
BUILTINS = frozenset({
    "cd", "test", "[", "[[", "true", "false", ":", "export", "umask", "sleep", "if", "then", "elif", "else", "fi",
    "do", "done", "while", "until", "for", "case", "esac", "in", ".", "source", "eval", "alias", "unalias",
    "shopt", "set", "unset", "return", "local", "readonly", "declare", "typeset", "complete", "bind", "trap",
    "echo", "printf", "exit", "function", "let", "shift", "hash", "type", "command", "builtin", "ulimit",
})
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "busybox"})
INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua"})
_SHELL_OPERATORS = re.compile(r"&&|\|\||[;|&]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Options of wrappers that take a value (so the value is not taken for the program).
_WRAPPER_VALUE_OPTS = frozenset({"-n", "-c", "-p", "-u", "-g", "-s", "-t", "-k", "--user", "--group"})


# shlex builds each word one character at a time (quadratic in the word's length), so a hostile
# 100 KB "command" took seconds. The program a line runs is at its start; real lines are short.
MAX_COMMAND_CHARS = 8192


def split_words(command: str) -> list[str]:
    """Split like a shell would; fall back to white space when quotes do not match."""
    command = command[:MAX_COMMAND_CHARS]
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


def _segments(command: str) -> list[list[str]]:
    """Words of each simple command, split at ; & && || | ( ) outside quotes."""
    command = command[:MAX_COMMAND_CHARS]
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: a rough split is better than nothing
        tokens = [w.strip("'\"") for part in _SHELL_OPERATORS.split(command) for w in part.split() + [";"]]
    segments: list[list[str]] = [[]]
    for tok in tokens:
        if tok and all(c in ";&|()" for c in tok):
            segments.append([])
        else:
            segments[-1].append(tok)
    return [s for s in segments if s]


def _program_in(words: list[str], depth: int) -> str:
    i = 0
    while i < len(words):
        word = re.split(r"\d*[<>]", words[i], maxsplit=1)[0]  # "prog>/dev/null": drop the redirection
        if not word or _ASSIGNMENT.match(word) or word in ("!", "{", "}"):
            i += 1  # "FOO=bar prog": the assignment is not the program
            continue
        if word in BUILTINS:
            return ""  # this segment runs nothing; the next one may
        base = posixpath.basename(word)
        if base in ("su", "runuser") and "-c" in words[i + 1:] and depth < 3:
            # "su ana -c 'x11vnc -forever'": the command is the value of -c.
            return command_exe(_value_of_c(words[i + 1:]), depth + 1)
        if base in WRAPPERS:
            i = _after_wrapper(words, i, base)
            continue
        if base in SHELLS or base.rstrip("0123456789.") in INTERPRETERS:
            return _interpreted(base, words[i + 1:], depth) or word
        return word
    return ""


def _value_of_c(rest: list[str]) -> str:
    return rest[rest.index("-c") + 1] if rest.index("-c") + 1 < len(rest) else ""


def _after_wrapper(words: list[str], i: int, base: str) -> int:
    """Where the wrapped command starts: "sudo -u ana prog" skips the options and their values."""
    i += 1
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in _WRAPPER_VALUE_OPTS else 1
    if base == "timeout" and i < len(words) and words[i][:1].isdigit():
        i += 1
    return i


def _interpreted(base: str, rest: list[str], depth: int) -> str:
    """What a shell or interpreter runs: the program of `sh -c '...'`, else a script path; '' when neither."""
    if base in SHELLS and "-c" in rest and depth < 3:
        inner = _value_of_c(rest)
        found = command_exe(inner, depth + 1) if inner else ""
        if found:
            return found
    scripts = [w for w in rest if not w.startswith("-")]
    if scripts and "/" in scripts[0]:
        return scripts[0]  # "python3 /home/x/.hid/spy.py": the script is what runs
    return ""


def command_exe(command: str, depth: int = 0) -> str:
    """The program a command line runs: the first segment that runs something real."""
    for words in _segments(command):
        found = _program_in(words, depth)
        if found:
            return found
    return ""


def expand_home(path: str, home: str) -> str:
    """Replace ~ and $HOME at the start of a path with the user's home folder (when known)."""
    if not home:
        return path
    for prefix in ("~/", "$HOME/", "${HOME}/"):
        if path.startswith(prefix):
            return posixpath.join(home, path[len(prefix):])
    return path
