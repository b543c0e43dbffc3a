"""What a frightened reader and an advocate see, in English and Spanish, in every output.

Real scans of disk copies built in tmp dirs (broken and planted files, as the Linux image tests
build them), rendered as text, HTML and JSON, plus `diff` and `verify`: no "clean"/"safe" verdict
in any of them, the safety note first and the support last, the seed's facts and no others, no
English fixed text in the Spanish report, notes grouped and capped with counts (the JSON keeps all).
"""

from __future__ import annotations

import html
import json
import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import EXIT_USAGE, cli
from techcheck.i18n import LANGUAGES, Message, as_message, catalog, text, texts_for
from techcheck.kinds import KINDS
from techcheck.report.text import MAX_NOTES_PER_CHECK
from techcheck.ruleset import CATEGORIES
from techcheck.texts import field_label
from tests.conftest import write

UNIT = "[Service]\nExecStart=/opt/.sysupd/sysupd --daemon\n[Install]\nWantedBy=multi-user.target\n"
BROKEN_DESKTOP_FILES = 12
HIDDEN_AUTOSTARTS = 10


def linux_tree(root: Path) -> Path:
    """A Linux disk copy with findings (x11vnc, a hidden autostart) and many files it cannot read."""
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n")
    write(root, "etc/hostname", "ana-laptop\n")
    (root / "usr/bin").mkdir(parents=True)
    write(root, "var/lib/dpkg/status", "Package: x11vnc\nStatus: install ok installed\nVersion: 0.9.16-9\n\n")
    write(root, "etc/systemd/system/sysupd.service", UNIT)
    autostart = root / "home/ana/.config/autostart"
    autostart.mkdir(parents=True)
    os.symlink("b.desktop", autostart / "a.desktop")  # a link loop: "could not read: too many symbolic links"
    os.symlink("a.desktop", autostart / "b.desktop")
    for i in range(HIDDEN_AUTOSTARTS):  # more evidence than the text report shows for one finding
        write(root, f"home/ana/.config/autostart/tool{i:02}.desktop",
              f"[Desktop Entry]\nType=Application\nName=Tool {i}\nExec=/home/ana/.cache/.x/tool{i}\n")
    for i in range(BROKEN_DESKTOP_FILES):
        write(root, f"etc/xdg/autostart/junk{i:02}.desktop", "no group here\n")
    return root


def empty_linux_tree(root: Path) -> Path:
    """Nothing any rule matches: the 'nothing found' wording shows."""
    write(root, "etc/passwd", "root:x:0:0:root:/root:/usr/sbin/nologin\n")
    (root / "usr/bin").mkdir(parents=True)
    return root


def run(*args: str) -> str:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every output a person can see, by name: scans (3 formats x 2 languages x 2 trees), diff, verify."""
    tmp = tmp_path_factory.mktemp("outputs")
    trees = {"found": linux_tree(tmp / "found"), "empty": empty_linux_tree(tmp / "empty")}
    out: dict[str, str] = {}
    for tree, root in trees.items():
        for lang in LANGUAGES:
            out[f"{tree}.text.{lang}"] = run("scan", "--root", str(root), "--lang", lang)
            for fmt in ("json", "html"):
                path = tmp / f"{tree}.{lang}.{fmt}"
                run("scan", "--root", str(root), "--lang", lang, "--format", fmt, "--output", str(path))
                assert stat.S_IMODE(path.stat().st_mode) == 0o600
                out[f"{tree}.{fmt}.{lang}"] = path.read_text(encoding="utf-8")
    for lang in LANGUAGES:
        out[f"diff.{lang}"] = run("diff", str(tmp / "empty.en.json"), str(tmp / "found.en.json"), "--lang", lang)
        out[f"verify.{lang}"] = run("verify", str(tmp / "found.en.json"), "--lang", lang)
    return out


# A verdict that the computer is fine, in either language. No scan can prove that (DESIGN.md rule 3).
VERDICTS = re.compile(
    r"\b(is|looks|appears|seems) (clean|safe|secure)\b|\bno (threats?|spyware|malware|stalkerware)\b"
    r"|\ball clear\b|\byou are safe\b|\bnothing to worry\b|\bclean\b"
    r"|\b(está|parece) (limpi[ao]|a salvo)\b|\bes segur[ao]\b|\blimpi[ao]\b|\bsin amenazas\b"
    r"|\bno hay (amenazas|programas espía)\b|\btodo (está )?bien\b|\bestá a salvo\b",
    re.IGNORECASE,
)


def reader_text(output: str) -> str:
    """What a person reads: rule references, file fingerprints and file paths are not words to a
    reader (the save sentence names this run's folder, which may be called anything: 'clean-clone')."""
    return re.sub(r"https?://\S+|[0-9a-f]{64}|(?<![\w.])/[^\s<>\"']+", " ", output)


def test_no_output_says_the_computer_is_clean_or_safe(outputs: dict[str, str]) -> None:
    assert len(outputs) == 16
    for name, output in outputs.items():
        hits = VERDICTS.findall(reader_text(output))
        assert hits == [], (name, hits)
    # The 'nothing found' wording still says that no scan can prove absence.
    assert "no scan can prove" in outputs["empty.text.en"]
    assert "ninguna revisión puede probarlo" in outputs["empty.text.es"]


def test_the_verdict_check_would_catch_a_verdict() -> None:
    for phrase in ("Your computer is clean.", "No threats found", "Su computadora está limpia",
                   "No hay amenazas", "Todo está bien", "This computer looks safe"):
        assert VERDICTS.search(reader_text(phrase)), phrase
    # A folder named 'clean' in a path is not a verdict; the word in a sentence still is.
    assert not VERDICTS.search(reader_text("run: techcheck scan --output /tmp/clean-clone/r.html"))
    assert VERDICTS.search(reader_text("saved in /tmp/x/r.html. Your computer is clean."))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("fmt", ["text", "html"])
def test_safety_note_first_support_last(outputs: dict[str, str], lang: str, fmt: str) -> None:
    out = outputs[f"found.{fmt}.{lang}"]
    safety = out.index(texts_for(lang)["safety_title"])
    support = out.index(texts_for(lang)["support_title"])
    first_finding = out.index(texts_for(lang)["severity_review"])
    checks = out.index(texts_for(lang)["checks_title"])
    assert safety < first_finding < checks < support
    assert out.rindex("800-656-HOPE (4673)") > support  # the resources come after everything else


def test_resources_rest_on_the_seed_facts() -> None:
    seed = (Path(__file__).resolve().parent / "data" / "seed" / "stalking-resources.txt").read_text()
    assert "Interpreter services available in 170 languages" in seed and "videophone" in seed
    for lang in LANGUAGES:
        m = texts_for(lang)
        support = " ".join([m["support_body"], m["resource_ndvh"], m["resource_rainn"], m["resource_sparc"],
                            m["resource_steps"]])
        assert "800-799-SAFE (7233)" in m["resource_ndvh"] and "800-656-HOPE (4673)" in m["resource_rainn"]
        assert "SPARC" in m["resource_sparc"]
        assert "170" in m["resource_ndvh"]
        # Not in the seed: a larger number of languages, an emergency number, safety planning by the
        # domestic-violence hotline (the seed says SPARC trains the helpers; it does not give advice).
        assert "911" not in support and "more than 170" not in support and "más de 170" not in support
        assert "safety planning" not in m["resource_ndvh"] and "plan de seguridad" not in m["resource_ndvh"]
    assert "not your fault" in texts_for("en")["support_body"]
    assert "no es su culpa" in texts_for("es")["support_body"]
    # A Spanish reader can find the services by their English names too.
    for name in ("National Domestic Violence Hotline", "National Sexual Assault Hotline",
                 "Stalking Prevention, Awareness, and Resource Center"):
        assert name in " ".join(texts_for("es")[k] for k in ("resource_ndvh", "resource_rainn", "resource_sparc"))


# Fixed English texts that must not show in a Spanish report.
ENGLISH_LEAKS = [
    "found at", "Details for advocates", "not checked", "could not read", "could not list", "Needs attention",
    "Worth checking", "Good to know", "only a live scan", "Installed program", "Starts by itself", "name=",
    "command=", "enabled=", ": yes", "rules used", "Every check", "permission denied",
    "too many symbolic links", "Category", "Found at", "What it can", "remote_access", "(linux",
]


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_no_english_fixed_text_in_the_spanish_report(outputs: dict[str, str], fmt: str) -> None:
    out = outputs[f"found.{fmt}.es"]
    if fmt == "html":
        out = html.unescape(re.sub(r"<[^>]*>", " ", out))  # the words shown, not the markup
    out = " ".join(out.split())  # words, whatever the line breaks
    leaks = [s for s in ENGLISH_LEAKS if s in out]
    assert leaks == []
    assert "no tiene el grupo [Desktop Entry]" in out and "no es una línea 'Clave=valor'" in out
    if fmt == "html":  # the HTML shows more notes per check: the link loop's too
        assert "no se pudo leer: demasiados enlaces simbólicos (un enlace en bucle)" in out
    assert "solo una revisión en vivo puede ver esto" in out  # the skip reason, in Spanish
    assert "Programa instalado" in out and "Se abre solo" in out
    if fmt == "text":
        assert "activado: no" in out and "(Linux)" in out


def test_the_english_report_uses_plain_labels_too(outputs: dict[str, str]) -> None:
    out = outputs["found.text.en"]
    assert "name=" not in out and "Installed program" in out and "package: x11vnc" in out
    assert "A copy of a computer's disk (Linux). Rules used:" in " ".join(out.split())
    # date (in UTC, with the local time beside it) and tool version
    made = r"Report made: \d{4}-\d\d-\d\d \d\d:\d\d UTC \((?:\d{4}-\d\d-\d\d )?\d\d:\d\d [^)]+\)"
    assert re.search(made + r" · techcheck \d", out)


def test_every_kind_field_and_category_has_a_label_in_both_languages() -> None:
    for lang in LANGUAGES:
        assert {f"kind.{k}" for k in KINDS} <= set(catalog(lang))
        assert {f"category.{c}" for c in CATEGORIES} <= set(catalog(lang))
    fields = {name for spec in KINDS.values() for name in spec.fields}
    assert {f"field.{f}" for f in fields} - set(catalog("es")) == set()
    assert field_label("start_type", "en") == "starts" and field_label("exe_name", "es") == "programa"


def test_collector_messages_are_translated_and_unknown_details_kept() -> None:
    loop = Message.of("note.could_not_read", detail=Message.of("target.link_loop"))
    assert str(loop) == "could not read: too many symbolic links (a link loop)"
    assert text(loop, "es") == "no se pudo leer: demasiados enlaces simbólicos (un enlace en bucle)"
    listed = Message.of("note.could_not_list", detail=Message.of(
        "target.cannot_list", detail=Message.of("target.os_permission_denied")))
    assert text(listed, "es") == "no se pudo listar: no se puede listar la carpeta: permiso denegado"
    cron = Message.of("note.crontab_line", n=3, problem=Message.of("note.not_cron_line"))
    assert str(cron) == "crontab line 3: not a cron line (expected five time fields)"
    assert text(cron, "es") == "línea 3 del crontab: no es una línea de cron (se esperaban cinco campos de hora)"
    # A detail techcheck did not write stays as it is (it is technical and may matter to an advocate).
    magic = Message.of("note.could_not_read", detail=as_message("bad magic 0x1234"))
    assert text(magic, "es") == "no se pudo leer: bad magic 0x1234"
    assert text(Message.of("fact.port", port=22), "es") == "puerto 22"

def test_notes_are_grouped_capped_and_counted_and_the_json_keeps_them_all(outputs: dict[str, str]) -> None:
    report = json.loads(outputs["found.json.en"])
    xdg = next(c for c in report["checks"] if c["name"] == "linux.xdg_autostart")
    total = len(xdg["notes"])
    assert total >= BROKEN_DESKTOP_FILES + 2  # every junk file and both links of the loop
    assert all(n["message"] for n in xdg["notes"])
    text = outputs["found.text.en"]
    notes_part = text[text.index(texts_for("en")["notes_title"]):text.index(texts_for("en")["limits"][:30])]
    assert f"{xdg['title']}: {total}" in notes_part
    shown = [line for line in notes_part.splitlines() if line.startswith("    - /etc/xdg/autostart/")
             or line.startswith("    - /home/ana/.config/autostart/")]
    assert len(shown) == MAX_NOTES_PER_CHECK
    more = f"{total - MAX_NOTES_PER_CHECK} more for this check not shown here; the JSON report lists them all"
    assert more in " ".join(notes_part.split())
    assert "They are not findings" in notes_part
    es = outputs["found.text.es"]
    assert f"{total - MAX_NOTES_PER_CHECK} más de esta revisión que no se muestran aquí" in " ".join(es.split())


def test_diff_lists_the_most_serious_first_with_readable_times(outputs: dict[str, str]) -> None:
    out = outputs["diff.en"]
    assert re.search(r"Before: \d{4}-\d\d-\d\d \d\d:\d\d UTC", out)
    severities = re.findall(r"^  \* (Needs attention|Worth checking|Good to know):", out, flags=re.M)
    order = {"Needs attention": 0, "Worth checking": 1, "Good to know": 2}
    assert severities and [order[s] for s in severities] == sorted(order[s] for s in severities)
    assert "Hallazgos nuevos" in outputs["diff.es"] and "Antes:" in outputs["diff.es"]
    assert "intacto" in outputs["verify.es"]


def test_a_bad_root_is_explained_in_the_report_language(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "missing"), "--lang", "es"])
    assert res.exit_code == EXIT_USAGE
    assert "no es una carpeta" in res.stderr and "copia del disco" in res.stderr
    assert not (tmp_path / "missing").exists()  # nothing written


def test_html_evidence_shows_filled_fields_best_first(outputs: dict[str, str]) -> None:
    page = outputs["found.html.en"]
    findings = page[page.index('id="findings-review"'):page.index('id="checks"')]
    assert '<td class="mono"></td>' not in findings  # empty fields say nothing; the JSON keeps them
    table = findings[findings.index("<th colspan=\"2\">Installed program</th>"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<td class="name">([^<]+)</td>', table)
    assert rows[:3] == ["name", "package", "version"]  # what identifies it first, not alphabetical
    report = json.loads(outputs["found.json.en"])
    app = next(e for f in report["findings"] for e in f["evidence"] if e["kind"] == "app")
    assert "install_path" in app["fields"]  # kept in the record even when empty


def test_diff_in_spanish_of_english_reports_shows_spanish_titles(outputs: dict[str, str]) -> None:
    from techcheck.ruleset import load_rules, shipped_rules_dir

    rule = next(r for r in load_rules([str(shipped_rules_dir())]).rules if r.id == "linux.remote.x11vnc")
    out = " ".join(outputs["diff.es"].split())
    assert "[linux.remote.x11vnc]" in out
    assert rule.text("es").title in out and rule.text("en").title not in out


def test_a_failed_check_says_in_plain_words_what_it_means() -> None:
    from techcheck.report.model import build_report
    from techcheck.report.text import render_text
    from tests.reportdata import hostile_scan

    for lang, plain in (("en", "stopped this check, so it was not fully checked"),
                        ("es", "paró esta revisión, así que no se revisó del todo")):
        model = build_report(hostile_scan(), lang)
        broken = next(c for c in model["checks"] if c["status"] == "failed")
        assert plain in broken["reason"] and "ValueError" in broken["reason"]  # the detail is kept
        assert plain in " ".join(render_text(model).split())


def test_evidence_beyond_the_text_cap_is_counted_and_kept_in_the_json(outputs: dict[str, str]) -> None:
    from techcheck.report.text import MAX_EVIDENCE

    report = json.loads(outputs["found.json.en"])
    hidden = next(f for f in report["findings"] if f["rule_id"] == "linux.autostart.hidden-folder")
    count = len(hidden["evidence"])
    assert count >= HIDDEN_AUTOSTARTS > MAX_EVIDENCE
    assert f"({count - MAX_EVIDENCE} more not shown here; the JSON report lists them all)" in outputs["found.text.en"]
    assert f"({count - MAX_EVIDENCE} más que no se muestran aquí; el informe JSON los tiene todos)" in " ".join(
        outputs["found.text.es"].split())
