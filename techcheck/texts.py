"""Fixed texts in the report language: thin wrappers over techcheck.i18n (the catalogs).

The words are in techcheck/locale/<lang>/LC_MESSAGES/techcheck.po; see techcheck/i18n.py for how to
add a message or a language. The safety note, the advice and the resources rest on
../shared/seed/stalking-resources.txt and the safety rules in DESIGN.md.
"""

from __future__ import annotations

import locale
import os

from techcheck import i18n
from techcheck.i18n import LANGUAGES, SOURCE_LANGUAGE, Words, lookup

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "category_label", "check_title", "detect_language", "field_label",
           "kind_label", "os_name", "t", "value_label"]

DEFAULT_LANGUAGE = SOURCE_LANGUAGE


def check_title(name: str, english: str, lang: str) -> str:
    """A check's title in the report language; the collector's English title when there is none."""
    return i18n.catalog(lang).get(f"check.{name}") or english


def detect_language() -> str:
    """The language from the environment's locale, when techcheck speaks it; English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return i18n.best_language(value) or DEFAULT_LANGUAGE
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return i18n.best_language(code) or DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kwargs: object) -> str:
    """A report text (message id `key`) in `lang`, English when that catalog lacks it."""
    return i18n.text(key, lang, **kwargs)


# Operating-system names as people write them (the report model keeps the lower-case ids).
OS_NAMES = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def os_name(os_id: str) -> str:
    return OS_NAMES.get(os_id, os_id)


def kind_label(kind: str, lang: str) -> str:
    """A kind of evidence as a label (the JSON keeps the kind ids)."""
    return lookup(f"kind.{kind}", lang) or kind


def field_label(name: str, lang: str) -> str:
    """An evidence field's name as a label (the JSON keeps the field names); its name with spaces
    when it has none."""
    return lookup(f"field.{name}", lang) or name.replace("_", " ")


def category_label(category: str, lang: str) -> str:
    """A rule category as a label (the JSON keeps the category ids)."""
    return lookup(f"category.{category}", lang) or category


def value_label(field: str, value: object, lang: str) -> str | None:
    """A common field value in words, or None when it has no label (show it as it is).

    Fixed words a collector wrote into a field ("set to start: ssh.service", i18n.Words) are shown
    in the report's language (in English the text as it is)."""
    if isinstance(value, Words):
        return value.text(lang) if lang != DEFAULT_LANGUAGE else None
    if not isinstance(value, str):
        return None
    return lookup(f"value.{field}.{value}", lang)
