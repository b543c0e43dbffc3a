"""Tags that the text of code earns (shell, Python, Perl, PowerShell and batch, VBScript and JScript),
with code hidden in base64 literals decoded and judged too. Every pattern is linear; lines are cut."""

from __future__ import annotations

import base64
import binascii
import re

from techcheck.facts.commandline import interpreter_name
from techcheck.textlines import text_lines

DECODE_DEPTH = 2

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
WEB_ADDRESS = re.compile(r"\b(?:https?|ftp)://|\\\\[A-Za-z0-9.-]+@?(?:SSL)?\\|\\\\\d+\.\d+\.\d+\.\d+\\", re.IGNORECASE)
SCRIPTLET = re.compile(r"scrobj(?:\.dll)?|\.sct\b|javascript:|vbscript:|RunHTMLApplication|/i:\s*https?:",
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


def code_tags(text: str, kind: str) -> set[str]:
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
            WEB_ADDRESS.search(text) or SCRIPTLET.search(text)):
        tags.add("script_from_web")
    return tags


def _earned(**hits: object) -> set[str]:
    """The tags whose test found something: _earned(download_exec=match, encoded_code=None) -> {"download_exec"}."""
    return {tag for tag, hit in hits.items() if hit}


def _python_tags(text: str) -> set[str]:
    """Python that runs code it builds (exec, eval ...): downloaded or decoded first?"""
    return _earned(download_exec=_PY_DOWNLOADER.search(text), encoded_code=_PY_DECODER.search(text))


def _perl_tags(text: str) -> set[str]:
    """Perl that evaluates code: decoded or fetched first?"""
    return _earned(encoded_code=_PERL_DECODER.search(text), download_exec=re.search(r"LWP|HTTP::Tiny|IO::Socket", text))


def _windows_script_tags(text: str, kind: str) -> set[str]:
    """PowerShell, batch and Windows Script Host code: downloads, decoding, hidden windows."""
    return _earned(
        download_exec=(_PS_DOWNLOADER.search(text) and _PS_EXEC.search(text)) or _LOLBIN_DOWNLOAD.search(text),
        encoded_code=_PS_DECODER.search(text) and kind in ("powershell", "bat", "cmd"),
        hidden_window=(_PS_HIDDEN.search(text) and re.search(r"powershell|pwsh|Start-Process", text, re.IGNORECASE))
        or _HEADLESS.search(text))


def _vbs_js_tags(text: str) -> set[str]:
    """VBScript and JScript: hidden windows, decoded code that runs, downloads that run or are saved."""
    return _earned(
        hidden_window=_VBS_HIDDEN.search(text),
        encoded_code=(_JS_DECODER.search(text) or _VBS_DECODER.search(text)) and _CODE_EXEC.search(text),
        download_exec=re.search(r"XMLHTTP|WinHttp|ServerXMLHTTP", text, re.IGNORECASE) and (
            _CODE_EXEC.search(text) or re.search(r"\.Run\b|ShellExecute|SaveToFile", text, re.IGNORECASE)))


def decoded_literals(text: str, depth: int) -> set[str]:
    """Tags of code hidden in base64 literals (echo <b64> | base64 -d | sh, -enc <b64>)."""
    if depth >= DECODE_DEPTH:
        return set()
    tags: set[str] = set()
    for literal in _B64_LITERAL.findall(text)[:8]:
        decoded = decode_b64(literal)
        if decoded:
            for kind in ("sh", "powershell", "python"):
                tags |= code_tags(decoded, kind)
            tags |= decoded_literals(decoded, depth + 1)
    return tags


def decode_b64(literal: str) -> str:
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
