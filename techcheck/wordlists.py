"""Word lists that read rule texts for safety, one set per language, in the catalogs.

The rule lint (lint.py) and the save action (actions.py) look for words in a rule's own texts:
words that call software spyware, advice to remove something at once, and "save this report".
They are messages (ids ``safety_words.*``), so a new language brings its own in its catalog:

    safety_words.remove = "borr*, desinstal*, elimin*, quit*"

Words and phrases are separated by commas; a ``*`` at the end of a word lets it go on (``borr*``:
borre, borrar, bórrelo). Case and accents do not matter. A language's catalog must give its own
words (the English ones are not used for it): `lint` reports a rule whose texts are in a language
without them, so its texts are never passed unread.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from techcheck import i18n

SPYWARE = "safety_words.spyware"  # words that call software spyware
REMOVE = "safety_words.remove"  # verbs that say to remove, delete or uninstall it
AT_ONCE = "safety_words.at_once"  # words that say "now", "right away"
WAIT = "safety_words.wait"  # words that make advice careful: "do not", "before you"
PLEASE = "safety_words.please"  # a polite word that may open advice
SAVE_REPORT = "safety_words.save_report"  # phrases that tell the reader to save the report
WORD_LISTS = (SPYWARE, REMOVE, AT_ONCE, WAIT, PLEASE, SAVE_REPORT)


def fold(text: str) -> str:
    """Lower case, no accents: what the word lists are matched against."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def missing(lang: str) -> list[str]:
    """The word lists a language's own catalog lacks."""
    return [mid for mid in WORD_LISTS if not i18n.catalog(lang).get(mid)]


def words(mid: str, lang: str) -> str | None:
    """A word list as a regular-expression alternation over folded text, or None when the language's
    catalog has none."""
    listed = i18n.catalog(lang).get(mid)
    return _alternation(listed) if listed else None


@cache
def _alternation(listed: str) -> str:
    parts = []
    for word in (fold(w).strip() for w in listed.split(",")):
        if word:
            open_end = word.endswith("*")
            core = r"\s+".join(re.escape(w) for w in word.rstrip("*").split())
            parts.append(core + (r"\w*" if open_end else ""))
    return "|".join(parts) or r"(?!)"


def pattern(mid: str, lang: str) -> re.Pattern[str] | None:
    """The list as whole words: `pattern(SPYWARE, "es").search(fold(text))`."""
    alternation = words(mid, lang)
    return _compiled(rf"\b(?:{alternation})\b") if alternation is not None else None


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)
