"""Whether a note means "this place could not be read" (its check is then "partial") is decided by
message id (collectors/base.py UNREADABLE_IDS), never by the English words: rewording or translating
a message changes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from techcheck import i18n
from techcheck.collectors.base import UNREADABLE_IDS, Context, Note, list_dir_noted, read_json_noted, read_text_noted
from techcheck.i18n import LANGUAGES, Message, catalog
from techcheck.target.fake import FakeTarget
from tests.test_catalogs import catalogs_script

# Notes as collectors and the target layer make them, and whether each says a place was left unread.
NOTES = [
    (Message.of("note.could_not_read", detail=Message.of("target.permission_denied")), True),
    (Message.of("note.could_not_read", detail=Message.of("target.too_large", size="8 MiB")), True),
    (Message.of("note.could_not_list", detail="[Errno 5] Input/output error"), True),
    (Message.of("target.cannot_list", detail=Message.of("target.fake_permission_denied")), True),
    (Message.of("target.cannot_list", detail=Message.of("target.folder_not_found")), False),
    (Message.of("target.key_unopenable", key="HKLM\\SAM", detail="[WinError 5] Access is denied"), True),
    (Message.of("target.key_unopenable", key="HKLM\\X", detail="[WinError 2] The system cannot find the file"), False),
    (Message.of("note.not_json", detail="Expecting value: line 1 column 1 (char 0)"), False),
    # A scanned name that happens to read like a refusal is not one: only an error's detail counts.
    (Message.of("note.not_json", detail="Expecting value"), False),
]


def test_every_unreadable_id_is_a_message_the_code_writes_and_every_catalog_has() -> None:
    """Each id in the set is written somewhere else in techcheck/ (a stale id would keep an unused
    message alive in the catalogs) and has words in every language."""
    package = Path(__file__).resolve().parent.parent / "techcheck"
    code = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py")
                     if p != package / "collectors" / "base.py")
    assert sorted(mid for mid in UNREADABLE_IDS if f'"{mid}"' not in code) == []
    for lang in LANGUAGES:
        assert sorted(mid for mid in UNREADABLE_IDS if mid not in catalog(lang)) == [], lang


@pytest.mark.parametrize(("message", "unreadable"), NOTES)
def test_notes_that_say_a_place_was_not_read(message: Message, unreadable: bool) -> None:
    assert Note("/x", message).unreadable is unreadable


@pytest.fixture
def reworded_english(tmp_path: Path) -> Iterator[None]:
    """The catalogs with English reworded: refusals in other words, and ordinary notes that now
    contain words the old text match looked for ("cannot read:", "too large")."""
    script = catalogs_script()
    locale = tmp_path / "locale"
    shutil.copytree(script.LOCALE, locale)
    en = script.read(locale / "en" / "LC_MESSAGES" / "techcheck.po")
    en["note.could_not_read"].string = "skipped this one: {detail}"
    en["target.permission_denied"].string = "the system said no"
    en["target.too_large"].string = "over {size}, left alone"
    en["target.folder_not_found"].string = "permission denied"  # nonsense on purpose
    en["note.not_json"].string = "cannot read: too large a mess of JSON ({detail})"
    (locale / "en" / "LC_MESSAGES" / "techcheck.mo").write_bytes(script.compiled(en))
    original = i18n.LOCALE_DIR
    i18n.use_locale_dir(locale)
    try:
        yield
    finally:
        i18n.use_locale_dir(original)


def test_rewording_the_english_changes_nothing(reworded_english: None) -> None:
    assert str(Message.of("target.permission_denied")) == "the system said no"  # the new words are in use
    for message, unreadable in NOTES:
        assert Note("/x", message).unreadable is unreadable, str(message)


def test_a_check_on_a_fake_target_reads_the_same_in_other_words(reworded_english: None) -> None:
    """The target layer's own notes, through the collectors' readers: a denied file and a denied
    folder are places left unread; a JSON file that does not parse is not."""
    target = FakeTarget(mode="fake", os="linux", root=None, unreadable={"/etc/a", "/etc/dir"},
                        files={"/etc/a": b"x", "/etc/dir/b": b"y", "/etc/c.json": b"{"})
    ctx = Context()
    assert read_text_noted(target, ctx, "/etc/a") is None
    assert list_dir_noted(target, ctx, "/etc/dir") == []
    assert read_json_noted(target, ctx, "/etc/c.json") is None
    assert [(n.path, n.unreadable) for n in ctx.notes] == [("/etc/a", True), ("/etc/dir", True),
                                                           ("/etc/c.json", False)]
    assert ctx.notes[0].message == "skipped this one: the system said no"  # the reworded English
