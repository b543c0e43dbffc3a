"""The app's fixed texts: message ids ``app.<key>`` in the catalogs (techcheck/i18n.py). The safety
note, the support texts and every report text are the same messages the CLI uses."""

from __future__ import annotations

from techcheck import i18n
from techcheck.texts import DEFAULT_LANGUAGE, t


def has_app_text(key: str) -> bool:
    return i18n.lookup(f"app.{key}", DEFAULT_LANGUAGE) is not None


def at(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """An app text in this language (English when missing), else a shared report text."""
    if has_app_text(key):
        return i18n.text(f"app.{key}", lang, **params)
    return t(key, lang, **params)


def page_texts(lang: str) -> dict[str, str]:
    """Every report and app text for the page templates (T.key): the app's own words win."""
    return {**i18n.texts_for(lang), **i18n.texts_for(lang, "app.")}


def language_names() -> dict[str, str]:
    """Each language by its own name ("Español"), for the language links."""
    return {lang: i18n.text("language_name", lang) for lang in i18n.LANGUAGES}
