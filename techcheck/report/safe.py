"""Make scanned text safe to show: scanned names are hostile input."""

from __future__ import annotations

import unicodedata

# Characters that could rewrite a terminal or reorder text on screen (bidi overrides).
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
         "\u200e", "\u200f", "\u061c"}

# Control, format, surrogate and private-use characters, and the line and paragraph separators
# (U+2028, U+2029), which break lines in browsers and editors as a newline does.
_ESCAPED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def safe_text(value: object, max_len: int = 2000) -> str:
    """Printable form of a scanned value: control and bidi characters shown as escapes, length capped."""
    text = str(value)
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) in _ESCAPED_CATEGORIES:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    result = "".join(out)
    return result if len(result) <= max_len else result[: max_len - 1] + "…"
