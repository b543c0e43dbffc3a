"""The app end to end over HTTP: start, scan a disk copy in a child process, answer, save, verify;
clinic visits with answers carried over. (The same in a real browser: test_app_browser.py.)"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

from click.testing import CliRunner

from techcheck.cli import cli
from tests.app_support import AppClient, finding_keys, finding_titles, running_app
from tests.conftest import write
from tests.test_cli import linux_image

PRELOAD = "/usr/lib/x86_64-linux-gnu/libsneaky.so\n"
PRELOAD_RULE = "linux.preload.ld-so-preload"


def rule_title(rule_id: str, lang: str = "en") -> str:
    from techcheck.ruleset import load_rules, shipped_rules_dir

    return next(r.text(lang).title for r in load_rules([shipped_rules_dir()]).rules if r.id == rule_id)


def planted_copy(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", PRELOAD)
    return root


def test_scan_answer_save_bundle_and_verify(tmp_path: Path) -> None:
    root = planted_copy(tmp_path)
    with running_app(tmp_path) as app:
        client = AppClient(app)
        start = client.sign_in()
        assert start.status == 200 and "Before you start: a safety note" in start.body
        assert client.get("/choose").status == 200
        scan = client.post("/scan", {"what": "copy", "folder": str(root), "os": ""})
        assert scan.status == 303 and scan.location.startswith("/scan/")
        results_url = client.wait_for_scan(scan.location)
        page = client.get(results_url)
        assert page.status == 200
        assert rule_title(PRELOAD_RULE) in finding_titles(page.body)
        # The same "What starts by itself" section as the reports, with the planted entry in it.
        startup = page.body.split('<section id="startup">')[1].split("</section>")[0]
        assert "What starts by itself on this computer" in startup
        assert "/usr/lib/x86_64-linux-gnu/libsneaky.so" in startup
        keys = finding_keys(page.body)
        assert keys
        saved = client.post(results_url + "/answers", {f"answer-{keys[0]}": "no", f"note-{keys[0]}": "Not me. <b>"})
        assert saved.status == 303
        again = client.get(results_url)
        assert 'value="no" checked' in again.body and "Not me. &lt;b&gt;" in again.body
        out = tmp_path / "saved"
        out.mkdir()
        bundle_reply = client.post(results_url + "/save", {"kind": "bundle", "folder": str(out)})
        assert bundle_reply.status == 200, bundle_reply.body
        html_reply = client.post(results_url + "/save", {"kind": "html", "folder": str(out)})
        assert html_reply.status == 200
    bundles = list(out.glob("*.zip"))
    pages = list(out.glob("*.html"))
    assert len(bundles) == 1 and len(pages) == 1
    for path in bundles + pages:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(bundles[0]) as zf:
        assert sorted(zf.namelist()) == ["answers.json", "manifest.json", "report.html", "report.json"]
        answers = json.loads(zf.read("answers.json"))
        report = json.loads(zf.read("report.json"))
    assert {a["finding_key"]: (a["answer"], a["note"]) for a in answers["findings"]}[keys[0]] == ("no", "Not me. <b>")
    assert "linux.preload.ld-so-preload" in [f["rule_id"] for f in report["findings"]]
    res = CliRunner().invoke(cli, ["verify", str(bundles[0]), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "intact" in res.output


def test_verify_finds_a_changed_bundle(tmp_path: Path) -> None:
    from techcheck.app.bundle import make_bundle

    original = make_bundle({"answers.json": b'{"a": 1}\n', "notes.txt": b"x"}, "2026-12-01T00:00:00Z")
    good = tmp_path / "good.zip"
    good.write_bytes(original)
    assert CliRunner().invoke(cli, ["verify", str(good)]).exit_code == 0
    with zipfile.ZipFile(good) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["notes.txt"] = b"y"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("extra.txt", b"added")
    res = CliRunner().invoke(cli, ["verify", str(bad), "--lang", "en"])
    assert res.exit_code == 4, res.output
    assert "notes.txt: changed" in res.output and "extra.txt: not listed" in res.output
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert CliRunner().invoke(cli, ["verify", str(junk)]).exit_code == 5


def test_cancel_stops_the_child_process(tmp_path: Path) -> None:
    root = planted_copy(tmp_path)
    with running_app(tmp_path) as app:
        client = AppClient(app)
        client.sign_in()
        scan = client.post("/scan", {"what": "copy", "folder": str(root), "os": ""})
        job = next(iter(app.state.jobs.values()))
        cancel = client.post(scan.location + "/cancel", {})
        assert cancel.status == 303
        assert job.state in ("cancelled", "done")
        if job.state == "cancelled":
            assert not job.alive
            assert "The check was stopped" in client.get(scan.location).body


def test_a_missing_folder_is_a_plain_message(tmp_path: Path) -> None:
    with running_app(tmp_path) as app:
        client = AppClient(app)
        client.sign_in()
        reply = client.post("/scan", {"what": "copy", "folder": str(tmp_path / "nowhere"), "os": ""})
        assert reply.status == 400 and "does not exist or cannot be opened" in reply.body
        assert not app.state.jobs


def test_clinic_two_visits_compare_and_carry_answers_over(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    with running_app(tmp_path, clinic=True) as app:
        client = AppClient(app)
        client.sign_in()
        assert "Choose a passphrase" in client.get("/clinic").body
        assert client.post("/clinic/unlock", {"passphrase": "a long clinic phrase"}).status == 303
        case = client.post("/clinic/cases", {"client_code": "C-0042", "advocate": "Sam"})
        assert case.status == 303
        first = client.post(case.location + "/scan", {"what": "copy", "folder": str(root), "os": ""})
        visit1 = client.wait_for_scan(first.location)
        page1 = client.get(visit1).body
        keys1 = finding_keys(page1)
        form = {f"answer-{k}": "yes" for k in keys1} | {f"note-{k}": f"known {i}" for i, k in enumerate(keys1)}
        assert client.post(visit1 + "/answers", form).status == 303
        write(root, "etc/ld.so.preload", PRELOAD)  # planted between the two visits
        second = client.post(case.location + "/scan", {"what": "copy", "folder": str(root), "os": ""})
        visit2 = client.wait_for_scan(second.location)
        page2 = client.get(visit2).body
        for k in keys1:  # answers carried over to the unchanged findings
            assert f'id="answer-{k}-yes" name="answer-{k}" value="yes" checked' in page2
        compare = client.get(visit2 + "/compare").body
        new_part = compare.split("New since the last visit")[1].split("Gone since the last visit")[0]
        assert new_part.startswith(" (1)</h2>") and rule_title(PRELOAD_RULE) in new_part
        same_part = compare.split("Still there (answers carried over)")[1]
        assert f"({len(keys1)})" in same_part
        out = tmp_path / "export"
        out.mkdir()
        assert client.post(case.location + "/export", {"folder": str(out)}).status == 200
        [bundle] = list(out.glob("*.zip"))
        assert CliRunner().invoke(cli, ["verify", str(bundle)]).exit_code == 0
        with zipfile.ZipFile(bundle) as zf:
            assert {"visit-1/report.json", "visit-2/report.json", "visit-2/answers.json"} <= set(zf.namelist())
    store_bytes = (tmp_path / "cases.sqlite").read_bytes()
    assert b"C-0042" not in store_bytes and b"known 0" not in store_bytes  # sealed with the passphrase
