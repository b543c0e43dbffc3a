"""Masking likely secrets in evidence: reports go to lawyers and police, and must not carry anyone's
passwords or tokens.

Applied where evidence is made (Artifact.to_dict), so every report format gets it. What is masked:
- the value of command-line options named like a secret: `-passwd X`, `--password=X`,
  `--api-key X`, `-storepasswd X`, `--db_pass X` (the option name is kept);
- the password of `-u user:pass` / `--user user:pass` (curl, wget and the like; the user is kept);
- HTTP authorization headers: `Authorization: Bearer X`, `X-Api-Key: X`;
- environment assignments named like a secret: `VNC_PASSWORD=X`, `API_TOKEN=X`;
- web addresses keep only their scheme, host, port and path: user names and passwords, query
  strings and fragments (where tokens and session ids travel) are removed.
Masking is deterministic, so the same artifact looks the same in two reports of one computer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

MASK = "****"

_SECRET_WORD = r"(?:passwd|password|passphrase|pass|pwd|secret|token|apikey|api-key|api_key|accesskey|access-key)"
# An option whose last word is a secret word: -passwd, --password, --db-pass, --client_secret.
_OPTION = re.compile(
    rf"(?i)(?<![\w-])(--?(?:[a-z0-9]+[-_])*{_SECRET_WORD}|-storepasswd)(=|[ \t]+)(\"[^\"]*\"|'[^']*'|[^\s\"']+)")
_USER_PASS = re.compile(r"(?<![\w-])(-u|--user|--proxy-user)(=|[ \t]+)([\"']?)([^\s:\"']+):([^\s\"']+)")
_AUTH_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization\s*:\s*(?:(?:bearer|basic|digest|token|negotiate)\s+)?)([^\s\"']+)")
_KEY_HEADER = re.compile(r"(?i)\b((?:x-api-key|api-key|x-auth-token|x-access-token|private-token)\s*:\s*)([^\s\"']+)")
_ENV = re.compile(r"(?<![\w-])((?:[A-Za-z0-9]+_)*(?:PASSWD|PASSWORD|PASS|SECRET|TOKEN|APIKEY|API_KEY)=)"
                  r"(\"[^\"]*\"|'[^']*'|[^\s\"';]+)")
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>]+")


def _url(match: re.Match[str]) -> str:
    text = match.group(0)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return text
    if not (parts.username or parts.password or parts.query or parts.fragment or "?" in text or "#" in text):
        return text
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    return f"{parts.scheme}://{host}{port}{parts.path}"


def mask_text(text: str) -> str:
    """The text with likely secrets replaced by ****."""
    if not text:
        return text
    out = _URL.sub(_url, text)
    out = _OPTION.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", out)
    out = _USER_PASS.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(4)}:{MASK}", out)
    out = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", out)
    out = _KEY_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", out)
    return _ENV.sub(lambda m: f"{m.group(1)}{MASK}", out)


def mask_fields(fields: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The fields with likely secrets masked, and the names of the fields that changed."""
    out: dict[str, Any] = {}
    masked: list[str] = []
    for name, value in fields.items():
        if isinstance(value, str):
            new: Any = mask_text(value)
        elif isinstance(value, list):
            new = [mask_text(v) if isinstance(v, str) else v for v in value]
        else:
            new = value
        if new != value:
            masked.append(name)
        out[name] = new if new != value else value  # unchanged: the same object (i18n.Words keep their message)
    return out, masked
