"""LOLRMM install paths as techcheck path patterns that match the C:\\... paths collectors report.

A LOLRMM path is written the way a person would: `C:\\Program Files\\AnyDesk\\*`, `*\\ManageEngine\\*`,
`%AppData%\\Tool\\tool.exe`, `C:\\Users\\USERNAME\\Downloads\\x.exe`, `~/Library/...`, `/opt/tool/`.
`translate` turns one into a `PathFact`: a folder pattern, or a program file name with (when the
path says enough) the pattern of the file's full path. A path whose only distinctive part is its
file name is "too broad" as a path, but its file name is still kept as an exact name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PureWindowsPath

from techcheck.feeds.model import GENERIC_PROGRAM_NAMES, PROGRAM_SUFFIXES, reason

# Windows environment variables as the folders collectors report (any user for per-user ones).
_ENV = {
    "programfiles": "C:/Program Files", "programw6432": "C:/Program Files",
    "programfiles(x86)": "C:/Program Files (x86)", "commonprogramfiles": "C:/Program Files/Common Files",
    "commonprogramfiles(x86)": "C:/Program Files (x86)/Common Files",
    "programdata": "C:/ProgramData", "allusersprofile": "C:/ProgramData",
    "appdata": "C:/Users/*/AppData/Roaming", "localappdata": "C:/Users/*/AppData/Local",
    "userprofile": "C:/Users/*", "homepath": "/Users/*", "public": "C:/Users/Public",
    "temp": "**/Temp", "tmp": "**/Temp", "systemroot": "C:/Windows", "windir": "C:/Windows",
    "systemdrive": "C:", "homedrive": "C:",
}
# Folder names every computer has: a path made only of these (and wildcards) names no product.
_COMMON_FOLDERS = {
    "c:", "program files", "program files (x86)", "programdata", "users", "appdata", "local", "roaming",
    "locallow", "temp", "tmp", "windows", "system32", "syswow64", "downloads", "desktop", "documents",
    "public", "programs", "applications", "library", "application support", "usr", "bin", "sbin",
    "opt", "etc", "var", "lib", "home", "private", "common files", "startup", "start menu", "microsoft",
}
# Endings of data and library files: a path to one is not a program or a folder.
_DATA_SUFFIXES = (".dll", ".sys", ".log", ".txt", ".xml", ".json", ".conf", ".config", ".cfg", ".ini", ".dat",
                  ".db", ".lnk", ".trace", ".tmp", ".plist", ".ico", ".png", ".html", ".js", ".yaml", ".yml",
                  ".reg", ".key", ".pem", ".crt", ".ocx", ".drv", ".mui", ".manifest", ".csv", ".sqlite")
_USER_PARENT = re.compile(r"(?i)(^|/)(users|home)/[^/*]+(?=/|$)")
_PLACEHOLDER = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*random[^)]*\)|\{(?![0-9A-Fa-f]{8}-)[^}]*\}")
_ENV_VAR = re.compile(r"%([A-Za-z0-9_()]+)%|\$\{?([A-Za-z_]+)\}?")


@dataclass(frozen=True)
class PathFact:
    """What one install path says: a folder pattern, or a program file name (with its path pattern)."""

    folder: str = ""  # pattern of an install folder (the folder itself; files below it match folder/**)
    file_name: str = ""  # lower-case program file name, or a glob of one
    file_path: str = ""  # pattern of the program file's full path; empty when the path is too broad
    problem: str = ""  # why nothing (or only the name) could be kept, as a summary reason


def _env(match: re.Match[str]) -> str:
    name = (match.group(1) or match.group(2) or "").lower()
    if name in ("username", "user"):
        return "*"
    return _ENV.get(name, "**")


def normalize(raw: str) -> str:
    """The path with / separators, variables and user names as wildcards, and a leading * as **."""
    p = raw.strip().strip("'\"").replace("\\", "/")
    p = _PLACEHOLDER.sub("*", p)
    p = _ENV_VAR.sub(_env, p)
    p = re.sub(r"/+", "/", p)
    p = re.sub(r"^~(?=/|$)", "/Users/*", p)  # a home folder; `**` below makes it match /home/* too
    p = _USER_PARENT.sub(lambda m: f"{m.group(1)}{m.group(2)}/*", p)  # USERNAME, IEUser, ana ... -> *
    p = re.sub(r"^[A-Za-z]:(?=/|$)", "**", p)  # a drive letter: any drive (and \\?\ prefixes)
    p = re.sub(r"^/(Users|home)/", "**/", p)
    if p.startswith("*") and not p.startswith("**"):
        p = "**/" + p[1:].lstrip("/") if p[1:2] in ("/", "") else "**/" + p[1:]
    elif p.startswith("/"):
        p = "**" + p
    p = p.rstrip("/")
    return p if p.startswith("**") else "**/" + p  # a relative path: below any folder


def _distinctive(parts: list[str]) -> bool:
    """A folder part that names something: not a wildcard, not a folder every computer has."""
    for part in parts:
        literal = part.replace("*", "").replace("?", "").strip()
        if len(literal) >= 3 and part.lower() not in _COMMON_FOLDERS and not part.startswith("*"):
            return True
    return False


def is_program_name(name: str) -> bool:
    low = name.lower()
    if low.endswith(PROGRAM_SUFFIXES):
        return True
    return "." not in low.lstrip(".")  # Linux and macOS programs have no ending


def name_fact(raw: str) -> PathFact:
    """A bare program name from a feed (`anydesk.exe`, `sunlogin*.exe`)."""
    name = PureWindowsPath(raw.strip().strip("'\"")).name.lower()
    if not name or not re.search(r"[a-z0-9]", name):
        return PathFact(problem=reason("rules_import_reason_wildcard_names"))
    if not is_program_name(name):
        return PathFact(problem=reason("rules_import_reason_not_programs"))
    if name in GENERIC_PROGRAM_NAMES:
        return PathFact(problem=reason("rules_import_reason_generic_names"))
    if any(c in name for c in "*?[") and len(re.sub(r"\.[a-z0-9]+$", "", re.sub(r"[*?\[\]]", "", name))) < 4:
        return PathFact(problem=reason("rules_import_reason_broad_names"))
    return PathFact(file_name=name)


def translate(raw: str) -> PathFact:
    """One LOLRMM install path as a folder or program-file fact (see the module docstring)."""
    p = normalize(raw)
    while p.endswith("/*") or p.endswith("/**"):
        p = p.rsplit("/", 1)[0]
    parts = [x for x in p.split("/") if x and x != "**"]
    if not parts:
        return PathFact(problem=reason("rules_import_reason_broad_paths"))
    last = parts[-1]
    low = last.lower()
    if low.endswith(_DATA_SUFFIXES):  # a data file: its folder may still name the product
        if _distinctive(parts[:-1]):
            return PathFact(folder=p.rsplit("/", 1)[0])
        return PathFact(problem=reason("rules_import_reason_not_programs"))
    is_file = low.endswith(PROGRAM_SUFFIXES) and not low.endswith(".app")
    if is_file:
        named = name_fact(last)
        folders_named = _distinctive(parts[:-1])
        if folders_named:
            return PathFact(file_name=last.lower(), file_path=p)
        if named.problem:
            return PathFact(problem=reason("rules_import_reason_generic_names") if "generic" in named.problem
                            else named.problem)
        return named  # the path says nothing more than the name: keep the exact name
    if not _distinctive(parts):
        return PathFact(problem=reason("rules_import_reason_broad_paths"))
    return PathFact(folder=p)
