"""The app's answers are kept by what a finding is about (its identity), not by a rule id; the app
reads every report through load_report; its files are written through report/output.py; and a
"save this report" action says how to save in the app."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.app.compare import finding_keys, keyed, legacy_keys
from techcheck.app.sealing import WrongPassphrase
from techcheck.app.store import CaseStore, StoreError
from techcheck.cli import cli
from techcheck.report.loader import ReportError
from tests.app_support import AppClient, running_app
from tests.conftest import write
from tests.test_cli import linux_image

RULE = """\
- id: {id}
  severity: {severity}
  category: {category}
  platforms: [linux]
  text:
    en: {{title: "{title}", what: A test job., why: It is a test., actions: [{{save_report: Save this report.}}],
         normal: Tests use it.}}
    es: {{title: "{title} (es)", what: Una tarea., why: Es una prueba.,
         actions: [{{save_report: Guarde este informe.}}], normal: Las pruebas la usan.}}
  match: [{{kind: autostart, command: {{glob: "{glob}"}}}}]
  samples: {{positive: [{{kind: autostart, command: "{sample}"}}], negative: [{{kind: autostart, command: /opt/x}}]}}
  references: [https://example.org/clinic]
"""


def rule(rule_id: str, severity: str, glob: str, title: str) -> str:
    category = "persistence" if severity == "review" else "monitoring"
    return RULE.format(id=rule_id, severity=severity, category=category, glob=glob, title=title,
                       sample=glob.replace("*", ""))


# Visit 1: one rule about both jobs, a stronger one about job A: two findings that share a rule.
FIRST = [rule("clinic.marker", "review", "*clinic-marker*", "A marker job"),
         rule("clinic.marker-a", "alert", "*clinic-marker --a*", "Marker A")]
# Visit 2: the rule about A renamed, and a second (stronger) rule now matching B too.
SECOND = [rule("clinic.marker", "review", "*clinic-marker*", "A marker job"),
          rule("clinic.marker-a-renamed", "alert", "*clinic-marker --a*", "Marker A, renamed"),
          rule("clinic.marker-b-extra", "alert", "*clinic-marker --b*", "Marker B, a second rule")]


def disk_copy(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img")
    write(root, "etc/cron.d/ja", "* * * * * root /opt/clinic-marker --a\n")
    write(root, "etc/cron.d/jb", "* * * * * root /opt/clinic-marker --b\n")
    return root


def scan_report(tmp_path: Path, rules: list[str], root: Path) -> dict:  # type: ignore[type-arg]
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "clinic.yaml").write_text("".join(rules), encoding="utf-8")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--rules", str(folder), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def by_rule(report: dict, rule_id: str) -> str:  # type: ignore[type-arg]
    """The key of the finding led by `rule_id`."""
    return next(k for k, f in keyed(report).items() if f["rule_id"] == rule_id)


def test_keys_are_the_finding_identity(tmp_path: Path) -> None:
    root = disk_copy(tmp_path)
    first, second = scan_report(tmp_path, FIRST, root), scan_report(tmp_path, SECOND, root)
    a1, b1 = by_rule(first, "clinic.marker-a"), by_rule(first, "clinic.marker")
    a2, b2 = by_rule(second, "clinic.marker-a-renamed"), by_rule(second, "clinic.marker-b-extra")
    assert a1 != b1  # two findings that share the rule clinic.marker (A's finding lists it as a reason)
    assert "clinic.marker" in keyed(first)[a1]["rule_ids"] and keyed(first)[b1]["rule_id"] == "clinic.marker"
    assert (a1, b1) == (a2, b2)  # the same things, under a renamed rule and a second rule
    # Two findings of one report naming the same thing are still told apart (by their rule).
    twin = [{"rule_id": "r1", "identity": "same"}, {"rule_id": "r2", "identity": "same"}]
    assert len(set(finding_keys(twin))) == 2


def test_answers_survive_a_renamed_rule_and_a_second_rule_and_stay_apart(tmp_path: Path) -> None:
    root = disk_copy(tmp_path)
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "clinic.yaml").write_text("".join(FIRST), encoding="utf-8")
    with running_app(tmp_path, clinic=True) as app:
        app.state.config.rule_dirs = (str(folder),)
        client = AppClient(app)
        client.sign_in()
        assert client.post("/clinic/unlock", {"passphrase": ""}).status == 303
        case = client.post("/clinic/cases", {"client_code": "C-7", "advocate": "Sam"})
        visit1 = client.wait_for_scan(client.post(case.location + "/scan", {"what": "copy", "folder": str(root),
                                                                            "os": ""}).location)
        report1 = app.state.store.visit(int(visit1.rsplit("/", 1)[1])).report  # type: ignore[union-attr]
        a, b = by_rule(report1, "clinic.marker-a"), by_rule(report1, "clinic.marker")
        form = {f"answer-{a}": "no", f"note-{a}": "not mine (A)", f"answer-{b}": "yes", f"note-{b}": "my backup (B)"}
        assert client.post(visit1 + "/answers", form).status == 303
        page1 = client.get(visit1).body
        assert ("Save this report. To save it, use the “Save the report (one web page)” button under “Save the "
                f"results” at the end of this page. It saves to the folder named there (now {tmp_path})") \
            in " ".join(page1.split())
        assert f'id="answer-{a}-no" name="answer-{a}" value="no" checked' in page1 and "not mine (A)" in page1
        assert f'id="answer-{b}-yes" name="answer-{b}" value="yes" checked' in page1 and "my backup (B)" in page1
        (folder / "clinic.yaml").write_text("".join(SECOND), encoding="utf-8")
        visit2 = client.wait_for_scan(client.post(case.location + "/scan", {"what": "copy", "folder": str(root),
                                                                            "os": ""}).location)
        report2 = app.state.store.visit(int(visit2.rsplit("/", 1)[1])).report  # type: ignore[union-attr]
        assert by_rule(report2, "clinic.marker-a-renamed") == a and by_rule(report2, "clinic.marker-b-extra") == b
        page2 = client.get(visit2).body
        assert "Marker A, renamed" in page2 and "Marker B, a second rule" in page2
        assert f'id="answer-{a}-no" name="answer-{a}" value="no" checked' in page2 and "not mine (A)" in page2
        assert f'id="answer-{b}-yes" name="answer-{b}" value="yes" checked' in page2 and "my backup (B)" in page2
        compare = client.get(visit2 + "/compare").body
        same = compare.split("Still there (answers carried over)")[1]
        assert "Marker A, renamed" in same and "not mine (A)" in same and "my backup (B)" in same
        assert "New since the last visit (0)" in compare and "Gone since the last visit (0)" in compare


def v2_store(tmp_path: Path, passphrase: str | None) -> tuple[Path, dict, dict[str, str]]:  # type: ignore[type-arg]
    """A case store as version 2 kept it: answers under the old keys (all the evidence, or the rule id)."""
    report = scan_report(tmp_path, FIRST, disk_copy(tmp_path))
    path = tmp_path / "old.sqlite"
    store = CaseStore(path, passphrase)
    case = store.add_case("C-OLD", "Sam", "2026")
    visit = store.add_visit(case, "2026", "Linux", json.dumps(report))
    a, b = by_rule(report, "clinic.marker-a"), by_rule(report, "clinic.marker")
    old_a = legacy_keys(keyed(report)[a])[0]  # version 2: the hash of all the finding's evidence
    old_b = "clinic.marker"  # a bare rule id, as a store keyed on rules had it
    store.set_answer(visit, old_a, "no", "note A")
    store.set_answer(visit, old_b, "yes", "note B")
    store.set_answer(visit, "nothing-like-this", "unsure", "kept as it is")
    store.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    return path, report, {"a": a, "b": b}


@pytest.mark.parametrize("passphrase", [None, "a long clinic phrase"])
def test_a_version_two_store_moves_its_answers_to_the_finding_identity(tmp_path: Path,
                                                                       passphrase: str | None) -> None:
    path, _, keys = v2_store(tmp_path, passphrase)
    if passphrase:  # a wrong passphrase opens nothing and changes nothing, migration included
        before = path.read_bytes()
        with pytest.raises(WrongPassphrase):
            CaseStore(path, "wrong")
        assert path.read_bytes() == before
    store = CaseStore(path, passphrase)
    assert store.schema_version == 3
    answers = store.answers(store.visits(1)[0].id)
    assert (answers[keys["a"]].answer, answers[keys["a"]].note) == ("no", "note A")
    assert (answers[keys["b"]].answer, answers[keys["b"]].note) == ("yes", "note B")
    assert answers["nothing-like-this"].note == "kept as it is"
    assert len(answers) == 3
    store.close()
    again = CaseStore(path, passphrase)  # opened again: nothing moves twice
    assert again.answers(1) == answers
    again.close()


def test_the_app_reads_stored_reports_with_load_report(tmp_path: Path) -> None:
    """An older report in the store (no action ids, no identities) is brought to the current shape for
    the page; the bundle keeps it exactly as saved, so its digest still holds."""
    from techcheck.report.evidence import seal

    report = scan_report(tmp_path, FIRST, disk_copy(tmp_path))
    for finding in report["findings"]:
        del finding["action_ids"], finding["identity"]
    seal(report)
    store = CaseStore(tmp_path / "cases.sqlite")
    case = store.add_case("C-1", "Sam", "2026")
    visit = store.add_visit(case, "2026", "Linux", json.dumps(report))
    assert store.visit(visit).record == report  # type: ignore[union-attr]
    shown = store.visit(visit).report  # type: ignore[union-attr]
    assert all("action_ids" in f for f in shown["findings"])
    assert set(keyed(shown)) == set(keyed(report))  # the same keys with or without `identity`
    store.db.execute("UPDATE visits SET report = ? WHERE id = ?", (b'{"schema": "techcheck.report/1"}', visit))
    with pytest.raises(StoreError, match=f"visit {visit}: its report cannot be read"):
        store.visit(visit)
    with pytest.raises(ReportError, match="is missing"):  # a visit is only kept when its report loads
        store.add_visit(case, "2026", "Linux", '{"schema": "techcheck.report/1"}')
    store.close()
    store = CaseStore(tmp_path / "cases.sqlite")
    store.db.execute("UPDATE visits SET report = ? WHERE id = ?", (json.dumps(report).encode(), visit))
    store.close()
    with running_app(tmp_path, clinic=True) as app:
        client = AppClient(app)
        client.sign_in()
        assert client.post("/clinic/unlock", {"passphrase": ""}).status == 303
        page = client.get(f"/clinic/visit/{visit}").body
        assert "Save this report. To save it, use the" in " ".join(page.split())
        out = tmp_path / "out"
        out.mkdir()
        assert client.post(f"/clinic/case/{case}/export", {"folder": str(out)}).status == 200
        [bundle] = list(out.glob("*.zip"))
        with zipfile.ZipFile(bundle) as zf:
            assert json.loads(zf.read("visit-1/report.json")) == report  # exactly as saved
        assert CliRunner().invoke(cli, ["verify", str(bundle)]).exit_code == 0
        # A visit whose stored report cannot be read is a plain page, not a crash.
        app.state.store.db.execute("UPDATE visits SET report = ? WHERE id = ?", (b"not json", visit))  # type: ignore[union-attr]
        broken = client.get(f"/clinic/visit/{visit}")
        assert broken.status == 500 and f"visit {visit}: its report cannot be read" in broken.body


def test_app_files_go_through_the_report_writer(tmp_path: Path) -> None:
    root = disk_copy(tmp_path)
    with running_app(tmp_path, lang="es") as app:
        app.state.config.rule_dirs = ()
        client = AppClient(app)
        client.sign_in()
        results = client.wait_for_scan(client.post("/scan", {"what": "copy", "folder": str(root), "os": ""}).location)
        page = " ".join(client.get(results).body.split())
        # A "save this report" action says how to save, in the app: the button and the folder.
        assert ("Para guardarlo, use el botón «Guardar el informe (una página web)» en «Guardar los resultados», "
                f"al final de esta página. Se guarda en la carpeta que aparece ahí (ahora {tmp_path})") in page
        # Never inside the disk copy being checked (that would change the evidence).
        inside = client.post(results + "/save", {"kind": "html", "folder": str(root / "home/ana")})
        assert inside.status == 400 and "dentro de la copia del disco" in inside.body
        assert not list((root / "home/ana").iterdir())
        missing = client.post(results + "/save", {"kind": "bundle", "folder": str(tmp_path / "nowhere")})
        assert missing.status == 400 and "No se pudo guardar" in missing.body
        out = tmp_path / "out"
        out.mkdir()
        saved = client.post(results + "/save", {"kind": "html", "folder": str(out)})
        assert saved.status == 200
        [html] = list(out.iterdir())  # one file, owner-only, no temporary file left
        assert html.suffix == ".html" and (html.stat().st_mode & 0o777) == 0o600
        text = " ".join(html.read_text(encoding="utf-8").split())
        assert ("guarde este informe y hable con una persona de apoyo antes de cambiarla. Ya está guardado como "
                f"{html}, y solo su cuenta puede abrir ese archivo.") in text
        assert CliRunner().invoke(cli, ["verify", str(html)]).exit_code == 0


def test_writing_without_hard_links_still_never_replaces_a_file(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A FAT or exFAT USB stick has no hard links: the name is taken with an exclusive create first."""
    from techcheck.report.output import OutputError, write_report_atomically

    def no_links(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = write_report_atomically(str(tmp_path / "b.zip"), b"PK\x03\x04 data", replace=False)
    assert Path(path).read_bytes() == b"PK\x03\x04 data" and (Path(path).stat().st_mode & 0o777) == 0o600
    with pytest.raises(OutputError) as refused:
        write_report_atomically(str(tmp_path / "b.zip"), b"other", replace=False)
    assert refused.value.reason == "exists" and Path(path).read_bytes() == b"PK\x03\x04 data"
    os.symlink(tmp_path / "elsewhere", tmp_path / "l.zip")
    with pytest.raises(OutputError) as link:
        write_report_atomically(str(tmp_path / "l.zip"), b"x", replace=False)
    assert link.value.reason == "link" and not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "l.zip"]  # no temporary file left
