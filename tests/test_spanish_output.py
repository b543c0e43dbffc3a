"""No English inside a Spanish report (issue 14, item 12): every test disk copy (Linux, Windows
from real hives and tasks, macOS from real files) is scanned in Spanish with the real CLI, and the
words a person reads are searched for fixed English words. What the scanned system itself says
(names, paths, commands, descriptions, rule ids) is taken out first: only techcheck's own words
are checked. Setting values and details are techcheck's words too ("set to start: ssh.service"), and so
are a start-up entry's trigger and description ("every program start"; a description the scanned
system wrote, such as a unit's Description=, is checked too, so the copies' own descriptions have no
common English words)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from tests.conftest import write
from tests.macos_tree import realdata_mac
from tests.test_report_review import empty_linux_tree, linux_tree
from tests.winsupport import BENIGN_TASKS, MALICIOUS_TASKS, put_hive, put_task

# Common English words that a Spanish sentence never needs (each checked as a whole word).
ENGLISH = {
    "the", "and", "could", "not", "set", "start", "port", "is", "are", "was", "with", "without", "from",
    "this", "that", "found", "read", "folder", "file", "unknown", "only", "may", "cannot", "which",
    "there", "been", "has", "have", "will", "your", "you", "when", "what", "done", "checked", "skipped",
    "enabled", "disabled", "installed", "switch", "recorded", "turned", "listed", "missing", "on", "off",
}
# Fields techcheck writes in words (i18n.Words).
TECHCHECK_WORDS = {("setting", "value"), ("setting", "detail"), ("autostart", "trigger"), ("autostart", "description")}


def linux_with_settings(root: Path) -> Path:
    root = linux_tree(root)
    write(root, "etc/ssh/sshd_config", "Port 2222\nPasswordAuthentication yes\n")
    write(root, "usr/sbin/sshd", "")
    write(root, "lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True, exist_ok=True)
    (root / "etc/systemd/system/multi-user.target.wants/ssh.service").symlink_to("/lib/systemd/system/ssh.service")
    write(root, "etc/xrdp/xrdp.ini", "[Globals]\nport=3389\n")
    write(root, "etc/ld.so.preload", "/usr/local/lib/libprocesshider.so\n")  # a finding whose trigger is our words
    write(root, "home/ana/.bashrc", "nohup /tmp/.x/agent &\n")  # and one whose description is
    return root


def windows_copy(root: Path) -> Path:
    put_hive(root / "Windows/System32/config/SYSTEM", "system7")
    put_hive(root / "Users/nfury/NTUSER.DAT", "nfury")
    put_hive(root / "Users/bperry/NTUSER.DAT", "bperry")
    for task in BENIGN_TASKS + MALICIOUS_TASKS:
        put_task(root, task)
    return root


COPIES = {
    "linux": linux_with_settings,
    "linux-empty": empty_linux_tree,
    "windows": windows_copy,
    "macos": realdata_mac,
}


def _as_shown(value: Any) -> Any:
    """A list item as the report shows it (report/format.field_value: a time without its source's ids).
    A time's dict is still shown raw, English source and all: a known leak, not yet worded."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in ("source_id", "source_params")}
    return value


def scanned_strings(report: dict[str, Any]) -> set[str]:
    """Everything in the report that the scanned system said, not techcheck."""
    found: set[str] = {report["target"].get("root") or "", report["target"].get("hostname") or ""}
    found.update(str(v) for v in (report.get("computer") or {}).values())

    def item(entry: dict[str, Any]) -> None:
        for name, value in (entry.get("fields") or {}).items():
            if (entry.get("kind"), name) in TECHCHECK_WORDS:
                continue
            found.update(str(_as_shown(v)) for v in (value if isinstance(value, list) else [value]))
        found.update(str(v) for v in (entry.get("location") or {}).values())

    for f in report["findings"]:
        found.update([f["rule_id"], *f.get("rule_ids", []), *f["references"]])
        for e in f["evidence"]:
            item(e)
    for e in (report.get("inventory") or {}).get("items", []):
        item(e)
    for e in (report.get("startup") or {}).get("items", []) if isinstance(report.get("startup"), dict) else []:
        item(e)
    for c in report["checks"]:
        found.add(c["name"])
        for n in c["notes"]:
            found.add(n["path"])
            found.update(re.findall(r"'[^']*'|\"[^\"]*\"", n["message"]))  # quoted scanned bits
    record = report.get("evidence_record") or {}
    found.update(str(record.get(k, "")) for k in ("run_by", "root", "hostname", "tool_version"))
    found.update(str(fh.get(k, "")) for fh in record.get("flagged_files", []) for k in ("path", "sha256", "reason"))
    return {s for s in found if s and s not in ("True", "False", "None")}


def page_words(page: str, scanned: set[str]) -> str:
    body = re.sub(r"<style.*?</style>", " ", page.split("<script", 1)[0], flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body)).split())
    for value in sorted(scanned, key=len, reverse=True):
        text = text.replace(" ".join(value.split()), " ")
    return text


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any]]]:
    out = {}
    for name, make in COPIES.items():
        tmp = tmp_path_factory.mktemp(name)
        root = make(tmp / "copy")
        pages = {}
        for fmt in ("html", "json"):
            path = tmp / f"report.{fmt}"
            res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "es", "--output", str(path)])
            assert res.exit_code == 0, res.output
            pages[fmt] = path.read_text(encoding="utf-8")
        out[name] = (pages["html"], json.loads(pages["json"]))
    return out


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_no_english_words_of_techcheck_in_a_spanish_report(spanish: dict[str, tuple[str, dict[str, Any]]],
                                                           copy: str) -> None:
    page, report = spanish[copy]
    text = page_words(page, scanned_strings(report))
    leaks = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})
    context = sorted({m.group(0) for w in leaks for m in re.finditer(rf".{{0,50}}\b{w}\b.{{0,50}}", text)})
    assert not leaks, context


def test_setting_words_and_ports_are_in_spanish(spanish: dict[str, tuple[str, dict[str, Any]]]) -> None:
    page, _ = spanish["linux"]
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())
    assert "configurado para arrancar: ssh.service" in text and "set to start" not in text
    assert "puerto 3389" in text and "port 3389" not in text


def test_spanish_speaks_to_anyone() -> None:
    """Neutral wording: no feminine-only (or masculine-only) words addressed to the reader."""
    from techcheck.i18n import catalog
    from techcheck.ruleset import shipped_rules_dir

    texts = [*catalog("es").values()]  # every fixed text: report, labels, notes, app pages
    for path in Path(shipped_rules_dir()).rglob("*.yaml"):
        texts.append(path.read_text(encoding="utf-8"))
    joined = "\n".join(texts)
    for gendered in ("está segura", "está seguro", "No está sola", "está sola ni solo", "preocupada",
                     "asustada", "sola o solo"):
        assert gendered not in joined, gendered


def test_start_up_words_are_in_spanish(spanish: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """A start-up entry's trigger and description in a finding: techcheck's words, in Spanish on the page, in
    English in the JSON (rules match them) with their messages beside them."""
    page, report = spanish["linux"]
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())
    assert "cada vez que se inicia un programa" in text and "every program start" not in text
    assert "inicia un programa que sigue funcionando en segundo plano" in text
    items = [e for f in report["findings"] for e in f["evidence"] if e["kind"] == "autostart"]
    preload = next(e for e in items if e["fields"].get("mechanism") == "ld_preload")
    assert preload["fields"]["trigger"] == "every program start"
    assert preload["words"]["trigger"] == [{"id": "fact.trigger_every_program_start", "params": {}}]


def test_setting_values_on_off_and_nla_read_in_spanish() -> None:
    """A setting's value "on"/"off" (macOS sharing, Find My) and "nla"/"no_nla" (Windows remote desktop)
    are techcheck's words: labelled in Spanish (value.value.*), unchanged in English and in the JSON."""
    from techcheck.report.format import field_value

    assert [field_value(v, "es", "value") for v in ("on", "off")] == ["activado", "desactivado"]
    assert field_value("no_nla", "es", "value").startswith("sin NLA")
    assert [field_value(v, "en", "value") for v in ("on", "off", "nla", "no_nla")] == ["on", "off", "nla", "no_nla"]
