"""Messages as ids with parameters; the words live in gettext catalogs, one per language.

Every fixed text techcheck shows (report texts, labels, collectors' notes and skip reasons, the
app's pages, the texts the feed importers write into rules) is a message id. The words are in
``techcheck/locale/<lang>/LC_MESSAGES/techcheck.po`` (compiled to ``techcheck.mo`` beside it);
English (``en``) is the source language and its catalog holds the English words. Rule texts stay
in the rule files (``text: {en: ..., es: ...}``).

Code says what to show, never how it reads:

    ctx.note(path, Message.of("note.could_not_read", detail=exc.message))
    text(Message.of("saved", path=shown), lang)      # or t("saved", lang, path=shown)

Parameters are filled with ``str.format`` names (``{path}``); a parameter may itself be a
``Message``, translated into the same language (an OS error, a parser's detail stays as it is).
A collector's note keeps its English text in the JSON report (``message``), with its ``id`` and
``params`` beside it, so a saved report can be shown in any language later.

Id families: plain ids (``safety_title``) for report texts; ``note.*`` notes and skip reasons;
``target.*`` why a file could not be read (``TargetError(Message)``); ``report_error.*`` (and
``report_type.*``) why a saved report cannot be read or verified (``ReportError``,
``Verification.detail``); ``fact.*`` fixed words in artifact fields (``Words(Message)``, English
in the field and the JSON); ``verbatim`` a text shown as it is (what ``as_message`` makes of a
plain string); ``check.<check name>`` check titles (English: the collector's ``title``, so not in
the English catalog); ``kind.*``, ``field.*``, ``category.*``, ``value.<field>.<value>`` labels;
``app.*`` the app's pages; ``feed.*`` texts the importers write into generated rules;
``safety_words.*`` the words the rule lint reads each language's rule texts with
(``techcheck/wordlists.py``).

How to add a message:
  1. Use its id in the code (``Message.of("note.new_thing", n=3)``, ``t("new_thing", lang)``).
  2. Add the English to ``techcheck/locale/en/LC_MESSAGES/techcheck.po`` (msgid = the id).
  3. ``python scripts/catalogs.py update`` (refreshes the template and adds the id, with the
     English beside it, to every other catalog); translate it there, then
     ``python scripts/catalogs.py compile``. ``tests/test_catalogs.py`` fails while any catalog
     lacks it, has a message no code uses, or was translated from older English.

How to add a language (no code; docs/architecture.md "How to add ..." has every step):
  1. ``python scripts/catalogs.py init pt`` (a new catalog from the template; it warns when Babel
     does not know the code: dates then read in English form), translate every message, the
     ``safety_words.*`` lists included, ``python scripts/catalogs.py compile``. The language is
     offered everywhere (``--lang``, the app, the locale) as soon as its compiled catalog exists:
     ``LANGUAGES`` is read from ``techcheck/locale/``.
  2. ``python scripts/generate_feed_pack.py`` (the generated rules' texts), then ``pt:`` texts in
     the hand-written rule files. A rule without them is shown in English, and the report says that
     some finding texts are in English (message ``rule_text_fallback``); ``rules lint`` warns.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Union

from babel.messages.mofile import read_mo

DOMAIN = "techcheck"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")

Param = Union[str, int, float, "Message"]


@dataclass(frozen=True)
class Message:
    """A message id and its parameters. ``str(message)`` is its English text."""

    id: str
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, id: str, **params: Param) -> Message:
        return cls(id, tuple(params.items()))

    @property
    def kwargs(self) -> dict[str, Param]:
        return dict(self.params)

    def text(self, lang: str = SOURCE_LANGUAGE) -> str:
        return text(self, lang)

    def __str__(self) -> str:
        return text(self, SOURCE_LANGUAGE)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: {"id": ..., "params": {...}}; a parameter that is a message nests the same way."""
        return {"id": self.id,
                "params": {k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message | None:
        """The message of a saved report's note, or None when it is not one techcheck can show."""
        mid, params = data.get("id"), data.get("params", {})
        if not isinstance(mid, str) or not isinstance(params, Mapping):
            return None
        out: list[tuple[str, Param]] = []
        for k, v in params.items():
            if isinstance(v, Mapping):
                inner = cls.from_dict(v)
                if inner is None:
                    return None
                out.append((str(k), inner))
            elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
                out.append((str(k), v))
            else:
                return None
        return cls(mid, tuple(out))


def as_message(value: Message | str) -> Message:
    """A message as it is; a plain text (an OS error, a parser's detail) shown as it is in every
    language (message ``verbatim``)."""
    return value if isinstance(value, Message) else Message("verbatim", (("text", value),))


class Words(str):
    """Fixed words a collector writes into an artifact field ("set to start: ssh.service"; several
    parts are joined with "; "): the field stays this English text (rules match it, the JSON keeps
    it), and the report shows `parts` in its language."""

    parts: tuple[Message, ...]

    def __new__(cls, *parts: Message | str) -> Words:
        messages = tuple(as_message(p) for p in parts)
        words = super().__new__(cls, "; ".join(str(m) for m in messages))
        words.parts = messages
        return words

    def text(self, lang: str) -> str:
        return "; ".join(text(m, lang) for m in self.parts)

    def to_json(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.parts]

    @classmethod
    def from_json(cls, parts: Any, english: str) -> Words | None:
        """The words of a saved report's field (its `words` entry), or None when they are not ones this
        version knows or do not say the field's English text."""
        if not isinstance(parts, list) or not all(isinstance(p, Mapping) for p in parts):
            return None
        messages = [Message.from_dict(p) for p in parts]
        if any(m is None for m in messages):
            return None
        try:
            words = cls(*[m for m in messages if m is not None])
        except (KeyError, IndexError, ValueError):
            return None
        return words if str(words) == english else None


def _read_catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as fh:
        catalog = read_mo(io.BytesIO(fh.read()))
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def _find_languages(folder: Path) -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    if SOURCE_LANGUAGE not in found:
        raise RuntimeError(f"the English catalog is missing from {folder}")
    return (SOURCE_LANGUAGE, *[lang for lang in found if lang != SOURCE_LANGUAGE])


LANGUAGES: tuple[str, ...] = _find_languages(LOCALE_DIR)


def use_locale_dir(folder: Path) -> None:
    """Read catalogs from another folder (a translator trying a catalog; the tests). Call it before
    importing the CLI, whose --lang choices are fixed when it is imported."""
    global LOCALE_DIR, LANGUAGES
    LOCALE_DIR = folder
    LANGUAGES = _find_languages(folder)
    catalog.cache_clear()


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """Every message of a language: id -> words with {placeholders}. Empty for an unknown language."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    return _read_catalog(path) if lang in LANGUAGES else {}


def lookup(id: str, lang: str) -> str | None:
    """The words of a message in a language, falling back to English; None when no catalog has it."""
    return catalog(lang).get(id) or catalog(SOURCE_LANGUAGE).get(id)


def text(message: Message | str, lang: str = SOURCE_LANGUAGE, **params: object) -> str:
    """A message in a language, its parameters filled in (messages among them translated too).

    An id no catalog has is a programming error: KeyError (the catalog test finds these first)."""
    if isinstance(message, Message):
        params = {**message.kwargs, **params}
        message = message.id
    words = lookup(message, lang)
    if words is None:
        raise KeyError(message)
    if not params:
        return words
    return words.format(**{k: text(v, lang) if isinstance(v, Message) else v for k, v in params.items()})


def best_language(code: str) -> str | None:
    """The catalog language for a locale code ("es_MX.UTF-8" -> "es"), or None."""
    lang = code.split(":")[0].split(".")[0].split("@")[0].replace("-", "_").lower()
    for candidate in (lang, lang.split("_")[0]):
        if candidate in LANGUAGES:
            return candidate
    return None


def N_(id: str) -> str:
    """Marks a message id the code uses later (gettext's "no-op"), so the catalog tools find it."""
    return id


def texts_for(lang: str, prefix: str = "") -> dict[str, str]:
    """Messages as a table for templates: ids starting with `prefix` (without it) -> words in `lang`
    (English where that catalog lacks one). With no prefix: the plain ids (no family prefix)."""
    ids = [i for i in catalog(SOURCE_LANGUAGE) if (i.startswith(prefix) if prefix else "." not in i)]
    return {i[len(prefix):]: lookup(i, lang) or "" for i in ids}


def err_detail(exc: BaseException) -> Message:
    """Why something failed, as a message: a techcheck error's own message, any other error's text
    as it is (a parser's or the OS's detail)."""
    msg = getattr(exc, "msg", None)
    return msg if isinstance(msg, Message) else as_message(str(exc))
