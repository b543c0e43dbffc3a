"""Command facts for macOS start-up entries (interpreter, what it runs, behaviour tags), in the
contract's shape (CONTRACT-persistence). Replaced by the shared facts/behaviour.py once it lands."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

INTERPRETERS = {"sh", "bash", "zsh", "dash", "ksh", "tcsh", "csh", "python", "python2", "python3", "perl",
                "ruby", "osascript", "node", "php", "tclsh", "swift"}
_INLINE_FLAGS = {"-c", "-e", "-exec"}
_DOWNLOAD = re.compile(r"\b(?:curl|wget)\b[^|;]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b"
                       r"|\b(?:curl|wget)\b.*&&.*\b(?:sh|bash|chmod)\b")
_ENCODED = re.compile(r"base64\s+(?:-d|-D|--decode)[^|]*\|\s*(?:ba|z)?sh|b64decode|FromBase64String")


@dataclass(frozen=True)
class Behaviour:
    interpreter: str = ""
    runs: str = ""
    tags: tuple[str, ...] = ()


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def folder_tags(path: str) -> list[str]:
    low = path.lower()
    tags = []
    if re.match(r"^/(?:private/)?(?:tmp|var/tmp|var/folders)/|^/dev/shm/", low):
        tags.append("temp_folder")
    if re.search(r"/\.[^/.][^/]*/", low):
        tags.append("hidden_folder")
    if "/downloads/" in low:
        tags.append("downloads_folder")
    if re.match(r"^/(?:users|home)/[^/]+/", low) or low.startswith("/users/shared/"):
        tags.append("user_folder")
    return tags


def analyse_command(command: str, os_name: str) -> Behaviour:
    words = _words(command)
    if not words:
        return Behaviour()
    name = words[0].rsplit("/", 1)[-1].lower()
    base = re.sub(r"[\d.]+$", "", name) or name
    tags: list[str] = []
    if _DOWNLOAD.search(command):
        tags.append("download_exec")
    if _ENCODED.search(command):
        tags.append("encoded_code")
    if base in INTERPRETERS or name in INTERPRETERS:
        rest = [w for w in words[1:] if w not in ("-l", "-i", "-u", "-b")]
        if rest and rest[0] in _INLINE_FLAGS:
            tags.append("inline_code")
            return Behaviour(base, "", tuple(dict.fromkeys(tags)))
        script = next((w for w in rest if not w.startswith("-")), "")
        tags += folder_tags(script)
        return Behaviour(base, script, tuple(dict.fromkeys(tags)))
    tags += folder_tags(words[0])
    return Behaviour("", "", tuple(dict.fromkeys(tags)))


def analyse_script(text: str, kind: str) -> Behaviour:
    tags = []
    if _DOWNLOAD.search(text):
        tags.append("download_exec")
    if _ENCODED.search(text):
        tags.append("encoded_code")
    return Behaviour(kind, "", tuple(tags))
