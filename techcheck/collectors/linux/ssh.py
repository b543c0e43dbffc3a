"""SSH: whether this computer accepts SSH sign-ins, and which keys may sign in without a password.

The SSH server (sshd) is reported as a `setting` named ssh_server: switched on when its systemd
unit is enabled, with the sshd_config options that matter (port, root sign-in, passwords). Every
user's ~/.ssh/authorized_keys lists keys that can sign in as that user: each is an `ssh_key`, with
the SHA256 fingerprint `ssh-keygen -lf` shows, so it can be compared with a known key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from techcheck.artifacts import Artifact, Location, make
from techcheck.collectors.base import Collector, Context, exists_noted, list_dir_noted, located, read_text_noted
from techcheck.collectors.common.filetimes import file_times
from techcheck.collectors.common.parsing import user_homes
from techcheck.collectors.linux.commandline import command_exe
from techcheck.collectors.linux.startfacts import entry_facts
from techcheck.collectors.linux.systemd import system_unit_state
from techcheck.i18n import Message, Words
from techcheck.target.base import Target
from techcheck.textlines import text_lines

SSHD_CONFIG = "/etc/ssh/sshd_config"
SSHD_BINARIES = ("/usr/sbin/sshd", "/usr/bin/sshd")
SSH_UNITS = ("ssh.service", "sshd.service", "ssh.socket", "sshd.socket")
KEY_FILES = (".ssh/authorized_keys", ".ssh/authorized_keys2")
KEY_TYPES = frozenset({
    "ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
})
CERT_SUFFIX = "-cert-v01@openssh.com"
WATCHED_OPTIONS = ("port", "permitrootlogin", "passwordauthentication", "listenaddress")
DEFAULTS = {"port": "22", "permitrootlogin": "prohibit-password", "passwordauthentication": "yes"}


@dataclass(frozen=True)
class AuthorizedKey:
    line: int
    key_type: str
    fingerprint: str
    comment: str
    options: str


@dataclass
class KeyFile:
    keys: list[AuthorizedKey] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)


def fingerprint(blob_b64: str) -> str:
    """'SHA256:...' as `ssh-keygen -lf` prints it: unpadded base64 of the SHA-256 of the key blob."""
    raw = base64.b64decode(blob_b64, validate=True)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def _blob_type(blob_b64: str) -> str:
    """The key type written inside the blob (a length-prefixed string); '' when malformed."""
    raw = base64.b64decode(blob_b64, validate=True)
    if len(raw) < 4:
        return ""
    (n,) = struct.unpack(">I", raw[:4])
    return raw[4:4 + n].decode("ascii", "replace") if 4 + n <= len(raw) else ""


def _split_options(line: str) -> tuple[str, str]:
    """Options come first, up to the first space outside double quotes."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c in " \t" and not quoted:
            return line[:i], line[i:].strip()
    return line, ""


def _is_key_type(word: str) -> bool:
    return word in KEY_TYPES or (word.endswith(CERT_SUFFIX) and word.startswith(("ssh-", "ecdsa-", "sk-")))


def parse_authorized_keys(text: str) -> KeyFile:
    out = KeyFile()
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        options = ""
        first = line.split(None, 1)[0]
        rest = line
        if not _is_key_type(first):
            options, rest = _split_options(line)
        parts = rest.split(None, 2)
        if len(parts) < 2 or not _is_key_type(parts[0]):
            out.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.not_key_line")))
            continue
        key_type, blob = parts[0], parts[1]
        try:
            inner = _blob_type(blob)
            fp = fingerprint(blob)
        except (binascii.Error, ValueError):
            out.problems.append(Message.of("note.line", n=lineno, problem=Message.of("note.key_not_base64")))
            continue
        if inner != key_type:
            mismatch = Message.of("note.key_type_mismatch", type=repr(key_type))
            out.problems.append(Message.of("note.line", n=lineno, problem=mismatch))
            continue
        out.keys.append(AuthorizedKey(lineno, key_type, fp, parts[2].strip() if len(parts) > 2 else "", options))
    return out


def parse_sshd_config(text: str) -> list[tuple[str, str]]:
    """Global (keyword, value) pairs in file order, keywords lower-case, up to the first Match block."""
    items: list[tuple[str, str]] = []
    for raw in text_lines(text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.replace("=", " ", 1).partition(" ")
        if key.lower() == "match":
            break  # options below apply only to some connections
        items.append((key.lower(), value.strip()))
    return items


def sshd_options(target: Target, ctx: Context) -> dict[str, str]:
    """Effective global options: sshd keeps the first value it reads, reading Include files in place."""
    effective: dict[str, str] = {}
    ports: list[str] = []
    read: set[str] = set()

    def read_file(path: str) -> None:
        if path in read or len(read) >= 64 or not target.exists(path):
            return
        read.add(path)
        text = read_text_noted(target, ctx, path, 1024 * 1024)
        for key, value in parse_sshd_config(text or ""):
            if key == "include":
                for pattern in value.split():
                    pattern = pattern if pattern.startswith("/") else posixpath.join("/etc/ssh", pattern)
                    for found in target.glob(pattern) if any(c in pattern for c in "*?[") else [pattern]:
                        read_file(found)
            elif key == "port":
                ports.append(value)  # several Port lines all apply
            else:
                effective.setdefault(key, value)

    read_file(SSHD_CONFIG)
    if ports:
        effective["port"] = ",".join(dict.fromkeys(ports))
    return {k: effective.get(k) or DEFAULTS[k] for k in WATCHED_OPTIONS if effective.get(k) or k in DEFAULTS}


SSHD_CONFIG_D = "/etc/ssh/sshd_config.d"
DEFAULT_KEY_FILES = {".ssh/authorized_keys", ".ssh/authorized_keys2", "%h/.ssh/authorized_keys",
                     "%h/.ssh/authorized_keys2"}
_OPTION_COMMAND = re.compile(r'(?:^|,)command="((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def sshd_command_lines(text: str) -> list[tuple[int, str, str]]:
    """(line, keyword, value) of ForceCommand, AuthorizedKeysCommand and AuthorizedKeysFile lines,
    inside Match blocks too (there they apply to some sign-ins only)."""
    out = []
    for lineno, raw in enumerate(text_lines(text), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.replace("=", " ", 1).partition(" ")
        if key.lower() in ("forcecommand", "authorizedkeyscommand", "authorizedkeysfile") and value.strip():
            out.append((lineno, key, value.strip()))
    return out


def forced_command(options: str) -> str:
    """The command= option of an authorized_keys line: it runs at every sign-in with that key."""
    match = _OPTION_COMMAND.search(options)
    return match.group(1).replace('\\"', '"') if match else ""


def sshd_command_artifacts(target: Target, ctx: Context) -> Iterable[Artifact]:
    files = [SSHD_CONFIG] + [p for p in list_dir_noted(target, ctx, SSHD_CONFIG_D) if p.endswith(".conf")]
    for path in files:
        if not target.is_file(path):
            continue
        for lineno, key, value in sshd_command_lines(read_text_noted(target, ctx, path, 1024 * 1024) or ""):
            if key.lower() == "authorizedkeysfile":
                extra = [f for f in value.split() if f not in DEFAULT_KEY_FILES and f.lower() != "none"]
                if not extra:
                    continue
                value = " ".join(extra)
                command, trigger = "", Words(Message.of("fact.trigger_ssh_more_key_files"))
            else:
                forced = key.lower() == "forcecommand"
                command, trigger = value, Words(Message.of("fact.trigger_every_ssh_sign_in") if forced
                                                else Message.of("fact.trigger_ssh_key_lookup"))
            yield make("autostart", Location(path=path), mechanism="sshd_command", name=f"{key} ({lineno})",
                       command=value, exe=command_exe(command) or None, user="", scope="system", enabled=True,
                       trigger=trigger, **entry_facts(target, ctx, command, path))


class LinuxSshServer(Collector):
    name = "linux.ssh_server"
    title = "Sign-in over the network (SSH server)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        installed = any(target.exists(p) for p in SSHD_BINARIES) or target.exists(SSHD_CONFIG)
        if not installed:
            return
        state = system_unit_state(target)
        units = [u for u in SSH_UNITS if u in state.enabled and u not in state.masked]
        options = sshd_options(target, ctx)
        parts = [Message.of("fact.port", port=v) if k == "port" else f"{k} {v}" for k, v in options.items()]
        detail = Words(*parts) if parts else ""  # "port 22" in the report's language
        yield make("setting", Location(path=SSHD_CONFIG), name="ssh_server", enabled=bool(units),
                   value=Words(Message.of("fact.set_to_start_units", units=", ".join(units))) if units
                   else Words(Message.of("fact.installed_not_set_to_start")),
                   detail=detail)
        yield from sshd_command_artifacts(target, ctx)


class LinuxAuthorizedKeys(Collector):
    name = "linux.ssh_keys"
    title = "Keys that can sign in over SSH (authorized_keys)"
    platforms = ("linux",)

    def collect(self, target: Target, ctx: Context) -> Iterable[Artifact]:
        for home in user_homes(target):
            for rel in KEY_FILES:
                path = posixpath.join(home.home, rel)
                if not exists_noted(target, ctx, path):  # notes a folder it may not open
                    continue
                text = read_text_noted(target, ctx, path, 4 * 1024 * 1024)
                if text is None:
                    continue
                parsed = parse_authorized_keys(text)
                for problem in parsed.problems[:20]:
                    ctx.note(path, located(problem, "note.authorized_keys_line", "note.authorized_keys"))
                # The file's times, not the key's: a key added later changes the file.
                times = file_times(target, ctx, path) or None
                for key in parsed.keys:
                    yield make("ssh_key", Location(path=path), user=home.user, key_type=key.key_type,
                               fingerprint=key.fingerprint, comment=key.comment, options=key.options, times=times)
                    command = forced_command(key.options)
                    if command:
                        yield make("autostart", Location(path=path), mechanism="ssh_forced_command",
                                   name=f"{posixpath.basename(path)}:{key.line}", command=command,
                                   exe=command_exe(command) or None, user=home.user, scope="user", enabled=True,
                                   run_as=home.user,
                                   trigger=Words(Message.of("fact.trigger_ssh_key", fingerprint=key.fingerprint)),
                                   **entry_facts(target, ctx, command, path, personal=True, home=home.home))
