"""The message catalogs (techcheck/locale): complete, nothing unused, compiled, and enough by
themselves for a new language."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from techcheck import i18n
from techcheck.i18n import LANGUAGES, Message, text
from tests.conftest import REPO, write
from tests.test_cli import linux_image


def catalogs_script() -> ModuleType:
    if "techcheck_catalogs" not in sys.modules:
        spec = importlib.util.spec_from_file_location("techcheck_catalogs", REPO / "scripts" / "catalogs.py")
        assert spec and spec.loader
        sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules["techcheck_catalogs"]


def test_every_message_the_code_uses_is_translated_and_no_catalog_has_an_unused_one() -> None:
    """Missing or empty translations, fuzzy ones, ones made from older English, placeholders that
    differ, messages no code uses, and .mo files that are not the compiled .po."""
    assert catalogs_script().problems() == []


def test_the_check_finds_a_missing_a_stale_and_an_unused_message(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    script = catalogs_script()
    locale = tmp_path / "locale"
    shutil.copytree(script.LOCALE, locale)
    monkeypatch.setattr(script, "LOCALE", locale)
    es = script.read(script.po_path("es"))
    del es["saved"]  # a message the code uses (t("saved", ...) in cli.py)
    es.add("not.used.anywhere", "nada")
    es["limits"].auto_comments = ["en: older English words"]
    es["made_with"].string = "techcheck"  # lost its {version}
    script.write(script.po_path("es"), es)
    found = "\n".join(script.problems())
    assert "es: saved: no translation" in found
    assert "es: not.used.anywhere: no code uses this message" in found
    assert "es: limits: translated from other English" in found
    assert "es: made_with: placeholders" in found
    assert "techcheck.mo is not the compiled form" in found


def test_update_marks_fuzzy_only_what_was_translated_from_other_english(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A message whose English was still empty when it was translated (the first `update` of a new id)
    is not "translated from older English" once the English is written; one from other words is."""
    script = catalogs_script()
    locale = tmp_path / "locale"
    shutil.copytree(script.LOCALE, locale)
    monkeypatch.setattr(script, "LOCALE", locale)
    monkeypatch.setattr(script, "TEMPLATE", locale / "techcheck.pot")
    es = script.read(script.po_path("es"))
    es["saved"].auto_comments = ["en: "]  # translated before the English was written
    es["limits"].auto_comments = ["en: older English words"]
    script.write(script.po_path("es"), es)
    script.update(["es"])
    es = script.read(script.po_path("es"))
    assert not es["saved"].fuzzy and es["limits"].fuzzy
    en = script.read(script.po_path("en"))
    en["saved"].string = ""
    script.write(script.po_path("en"), en)
    found = script.problems()
    assert any(p.startswith(f"en: saved: write its English in {locale / 'en/LC_MESSAGES/techcheck.po'} (used at ")
               for p in found), found


def test_the_check_finds_a_time_source_with_no_words_and_a_stale_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Time sources are message ids the check sees like any other: a collector that writes a new
    source (a made-up "frob" check) with no catalog entry fails it, and so does an entry no code
    writes any more (none is hidden behind an f-string prefix)."""
    script = catalogs_script()
    package = tmp_path / "techcheck"
    shutil.copytree(script.PACKAGE, package, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    write(package, "collectors/linux/frob.py",
          'from techcheck.i18n import Message\n\nARMED = Message.of("time_source.frob_armed")\n')
    locale = tmp_path / "locale"
    shutil.copytree(script.LOCALE, locale)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    monkeypatch.setattr(script, "PACKAGE", package)
    monkeypatch.setattr(script, "LOCALE", locale)
    for lang in ("en", "es"):
        po = script.read(script.po_path(lang))
        po.add("time_source.gone_log", "a log no collector reads any more")
        script.write(script.po_path(lang), po)
    found = "\n".join(script.problems())
    assert "en: time_source.frob_armed: write its English in" in found
    assert "es: time_source.frob_armed: no translation" in found
    assert "es: time_source.gone_log: no code uses this message" in found


def test_the_template_is_up_to_date_and_has_no_source_locations(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed .pot is what extract writes today, and neither it nor any .po names source lines
    (#: file:line), which change with every edit and made parallel branches collide on the template."""
    script = catalogs_script()
    template = script.TEMPLATE
    committed = template.read_bytes()
    monkeypatch.setattr(script, "TEMPLATE", tmp_path / "techcheck.pot")
    usage = script.extract()
    assert (tmp_path / "techcheck.pot").read_bytes() == committed
    assert b'msgid "first_seen"' in committed and len(usage.ids) > 500
    for path in (template, *(script.po_path(lang) for lang in script.languages())):
        text_lines = path.read_text(encoding="utf-8").split("\n")
        assert [line for line in text_lines if line.startswith("#:")] == [], path


def test_one_list_of_languages_read_from_the_catalogs() -> None:
    from techcheck import ruleset, texts
    from techcheck.app import texts as app_texts

    assert LANGUAGES[0] == "en" and "es" in LANGUAGES
    compiled = sorted(p.name for p in i18n.LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "techcheck.mo").exists())
    expected = ("en", *[lang for lang in compiled if lang != "en"])
    assert expected == LANGUAGES
    assert ruleset.LANGUAGES is LANGUAGES and texts.LANGUAGES is LANGUAGES
    assert set(app_texts.language_names()) == set(LANGUAGES)


def test_messages_with_parameters_and_nested_messages() -> None:
    inner = Message.of("file_not_found")
    outer = Message.of("saved", path=inner)
    assert str(outer) == "Report saved to not found (only your account can open it)."
    assert text(outer, "es") == "Informe guardado en no encontrado (solo su cuenta puede abrirlo)."
    assert Message.from_dict(json.loads(json.dumps(outer.to_dict()))) == outer
    assert Message.from_dict({"id": "saved", "params": {"path": [1]}}) is None
    with pytest.raises(KeyError):
        text("no.such.message", "es")


MADE_UP = "qaa"  # ISO 639 keeps qaa-qtz for local use: no real catalog, and Babel does not know it
MARK = f"⟦{MADE_UP}⟧ "


def made_up_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the locale folder with a new language made by the translator's own steps
    (`catalogs.py init`, fill in every message, `compile`): each message is its English marked ⟦qaa⟧."""
    script = catalogs_script()
    locale = tmp_path / "locale"
    shutil.copytree(script.LOCALE, locale)
    monkeypatch.setattr(script, "LOCALE", locale)
    monkeypatch.setattr(script, "TEMPLATE", locale / "techcheck.pot")
    script.init(MADE_UP)
    usage = script.used_ids()
    catalog = script.read(script.po_path(MADE_UP))
    for message in catalog:
        if message.id:  # the safety word lists (techcheck/wordlists.py): this language's words are English ones
            english = usage.english[str(message.id)]
            message.string = english if str(message.id).startswith("safety_words.") else MARK + english
    script.write(script.po_path(MADE_UP), catalog)
    script.compile_all()
    return locale


def run_with_locale(locale: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    code = ("import sys; from pathlib import Path; from techcheck import i18n; "
            "i18n.use_locale_dir(Path(sys.argv.pop(1))); from techcheck.cli import main; main()")
    return subprocess.run([sys.executable, "-c", code, str(locale), *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def test_a_third_language_needs_only_its_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No code: the catalog check passes, the CLI offers the new language, the report uses its words
    (check titles, notes, the timeline) with English dates (Babel does not know the code), and rules
    without its texts are shown in English with a warning that says so."""
    import os

    locale = made_up_language(tmp_path, monkeypatch)
    assert catalogs_script().problems() == []  # what tests/test_catalogs.py asks of a landed language
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libsneaky.so\n")
    write(root, "etc/xdg/autostart/broken.desktop", "not a desktop file\n")
    key = write(root, "home/ana/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ana@phone\n")
    os.utime(key, (1_772_568_000, 1_772_568_000))  # changed 3 March 2026, 20:00 UTC: the finding has a time
    helped = run_with_locale(locale, "scan", "--help")
    assert MADE_UP in helped.stdout, helped.stdout + helped.stderr
    out = tmp_path / "r.json"
    done = run_with_locale(locale, "scan", "--root", str(root), "--lang", MADE_UP, "--format", "json",
                           "--output", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["language"] == MADE_UP
    assert report["safety_note"]["title"].startswith(MARK)
    assert all(c["title"].startswith(MARK) for c in report["checks"])
    finding = next(f for f in report["findings"] if f["rule_id"] == "linux.preload.ld-so-preload")
    assert finding["severity_label"].startswith(MARK)
    assert not finding["title"].startswith(MARK)  # the rule has no qaa texts: its English ones
    assert any(w.startswith(MARK) and "English" in w for w in report["warnings"])
    english_date = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October"
                              r"|November|December) \d{4}\b")
    assert report["timeline"], [f["rule_id"] for f in report["findings"]]  # findings with times (file changes)
    assert all(e["text"].startswith(MARK) and english_date.search(e["when"]) for e in report["timeline"])
    assert "3 March 2026" in report["timeline"][0]["when"]
    # The language comes from the locale too; the text report writes the dates out.
    env = {**os.environ, "LANG": "qaa_YY.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    shown = run_with_locale(locale, "scan", "--root", str(root), "--format", "text", env=env)
    assert shown.returncode == 0, shown.stderr
    assert MARK in shown.stdout and MARK in shown.stderr  # the report, and the safety note before it
    assert english_date.search(shown.stdout)
    # Rules in English and Spanish are not shown with the warning.
    plain = run_with_locale(locale, "scan", "--root", str(root), "--lang", "es", "--format", "json")
    assert json.loads(plain.stdout)["warnings"] == []


def test_a_saved_report_shows_its_notes_and_fixed_words_in_another_language(tmp_path: Path) -> None:
    """The JSON keeps each note's English and its message id and params, and each field of fixed words
    (i18n.Words) its messages: a report saved in English reads in Spanish after loading."""
    from techcheck.report.loader import load_report
    from techcheck.report.text import render_text

    root = linux_image(tmp_path / "img")
    write(root, "etc/ssh/sshd_config", "Port 2222\nPermitRootLogin yes\n")
    write(root, "usr/sbin/sshd", "binary")
    write(root, "etc/systemd/system/multi-user.target.wants/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd\n")
    write(root, "etc/cron.d/broken", "this is not a cron line\n")
    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(root), "--format", "json",
                           "--output", str(out), "--lang", "en"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    raw = json.loads(out.read_text())
    notes = [n for c in raw["checks"] for n in c["notes"]]
    cron = next(n for n in notes if n["path"] == "/etc/cron.d/broken")
    assert cron["message"] == "crontab line 1: not a cron line (expected five time fields)"
    assert cron["id"] == "note.crontab_line" and cron["params"]["n"] == 1
    assert any("words" in e for f in raw["findings"] for e in f["evidence"])
    report = load_report(out.read_bytes()).report
    report["language"] = "es"
    shown = " ".join(render_text(report).split())
    assert "puerto 2222" in shown and "port 2222" not in shown
    assert "línea 1 del crontab: no es una línea de cron" in shown
    # A report made before the catalogs (no id, no words) still reads, in its English words.
    for n in (n for c in raw["checks"] for n in c["notes"]):
        n.pop("id"), n.pop("params")
    for f in raw["findings"]:
        for e in f["evidence"]:
            e.pop("words", None)
    old = load_report(json.dumps(raw).encode()).report
    old["language"] = "es"
    assert "crontab line 1: not a cron line" in " ".join(render_text(old).split())


def test_a_third_language_gets_the_safety_lints_from_its_catalog(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule lint reads a new language's texts with the word lists of its catalog (safety_words.*):
    advice to uninstall at once and "spyware" in a review rule are caught in it as in English and Spanish.
    A rule without its texts is a warning; texts in it while its catalog has no word lists, an error."""
    from tests.test_rule_lint import GOOD, GOOD_EN

    locale = made_up_language(tmp_path, monkeypatch)
    rules = tmp_path / "rules"
    with_qaa = GOOD.replace("  es:", GOOD_EN.replace("  en:", f"  {MADE_UP}:") + "  es:")
    qaa_block = with_qaa.index(f"  {MADE_UP}:")
    for name, rule_text in {
        "good": with_qaa,
        "hurry": with_qaa[:qaa_block] + with_qaa[qaa_block:].replace(
            "Check if you or someone you trust set it up.", "Uninstall it now.", 1),
        "spy": with_qaa[:qaa_block] + with_qaa[qaa_block:].replace("from family or work.", "It is spyware.", 1),
        "untranslated": GOOD,
    }.items():
        write(rules, f"{name}.yaml", rule_text.replace("test.lint.demo", f"test.lint.{name}"))
    done = run_with_locale(locale, "rules", "lint", str(rules), "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert [line for line in lines if "good.yaml" in line] == []
    assert any("hurry.yaml:1" in line and f"[unsafe-advice] {MADE_UP}: " in line for line in lines), lines
    assert any("spy.yaml:1" in line and f"[dual-use-wording] {MADE_UP}: " in line for line in lines), lines
    assert [line for line in lines if "untranslated.yaml" in line] == [
        f"{rules / 'untranslated.yaml'}:1: test.lint.untranslated: warning [language] missing the "
        f"'{MADE_UP}' texts (a {MADE_UP} report shows this rule in English)"]
    # The same language with its word lists left empty: its texts cannot pass unread.
    script = catalogs_script()
    catalog = script.read(script.po_path(MADE_UP))
    for message in catalog:
        if str(message.id).startswith("safety_words."):
            message.string = ""
    script.write(script.po_path(MADE_UP), catalog)
    script.compile_all()
    assert any(p.startswith(f"{MADE_UP}: safety_words.remove: no translation") for p in script.problems())
    for name in ("hurry", "spy"):
        (rules / f"{name}.yaml").unlink()
    done = run_with_locale(locale, "rules", "lint", str(rules), "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"test.lint.good: [safety-words] {MADE_UP}: no safety word list for this language" in done.stderr
    assert "untranslated.yaml:1: test.lint.untranslated: warning [language]" in done.stderr
