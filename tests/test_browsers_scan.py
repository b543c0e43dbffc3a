"""End to end: an image with several users and browser profiles, scanned through the CLI (JSON report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from techcheck.cli import cli
from techcheck.report.permissions import describe_permissions
from tests.browser_fixtures import chrome_history, firefox_addon, firefox_places, write_json
from tests.conftest import realdata, write

CHROME = "home/ana/.config/google-chrome"


def build_image(root: Path) -> Path:
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                              "ana:x:1000:1000::/home/ana:/bin/bash\nbo:x:1001:1001::/home/bo:/bin/bash\n")
    write(root, "etc/shadow", "root:!:1::::::\nana:$6$a$b:1::::::\nbo:$6$c$d:1::::::\n")
    write(root, "etc/group", "sudo:x:27:ana\n")
    write(root, "etc/hostname", "family-pc\n")
    (root / "usr/bin").mkdir(parents=True)
    # ana, Chrome "Default": the real Chrome Preferences file, and a History with a visit to a vendor site.
    write(root, f"{CHROME}/Default/Preferences", realdata("browsers/chrome/Default/Preferences").read_bytes())
    chrome_history(root / CHROME / "Default/History", visits=[
        ("https://www.mspy.com/how-it-works.html", "How mSpy works", "2024-02-10T20:00:00+00:00"),
        ("https://www.wikipedia.org/", "Wikipedia", "2024-02-11T08:00:00+00:00")])
    # ana, Chrome "Profile 1": signed in to another account, with an unpacked add-on that sees everything.
    write_json(root / CHROME / "Profile 1/Preferences", {
        "account_info": [{"email": "watcher@example.net", "full_name": "W", "gaia": "1"}],
        "extensions": {"settings": {"ppppoooonnnnmmmmllllkkkkjjjjiiii": {
            "location": 4, "path": "/opt/helper", "manifest": {
                "name": "Helper", "version": "0.1", "permissions": ["<all_urls>", "cookies", "history"]}}}}})
    write_json(root / CHROME / "Default/Secure Preferences", {})
    write_json(root / "home/ana/.config/microsoft-edge/Default/Preferences",
               {"account_info": [{"email": "ana@example.com", "full_name": "Ana", "gaia": "2"}]})
    # bo, Firefox: an ordinary store add-on and a history entry.
    ff = root / "home/bo/.mozilla/firefox/b1.default-release"
    write(root, "home/bo/.mozilla/firefox/profiles.ini", "[Profile0]\nPath=b1.default-release\nIsRelative=1\n")
    write_json(ff / "extensions.json", {"addons": [firefox_addon("uBlock0@raymondhill.net", "uBlock Origin")]})
    write_json(ff / "signedInUser.json", {"version": 1, "accountData": {"email": "bo@example.org"}})
    firefox_places(ff / "places.sqlite", visits=[("https://example.org/", "Example", "2024-01-01T00:00:00+00:00")])
    return root


def _findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """By rule id; a rule merged into another finding (same artifacts) maps to that finding, with
    the evidence it matched."""
    from techcheck.report.inventory import artifact_key

    out: dict[str, dict[str, Any]] = {}

    def add(rule_id: str, finding: dict[str, Any], evidence: list[dict[str, Any]], severity: str) -> None:
        if rule_id in out:
            out[rule_id]["evidence"] = sorted(out[rule_id]["evidence"] + evidence, key=artifact_key)
        else:
            out[rule_id] = {**finding, "severity": severity, "evidence": evidence}

    for f in report["findings"]:
        add(f["rule_id"], f, f["evidence"], f["severity"])
        for other in f.get("also", []):
            keys = set(other["evidence"])
            add(other["rule_id"], f, [e for e in f["evidence"] if artifact_key(e) in keys], other["severity"])
    return out


def test_image_scan_json(tmp_path: Path) -> None:
    root = build_image(tmp_path / "img")
    out = tmp_path / "report.json"
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--output", str(out),
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text(encoding="utf-8"))
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("browsers.chromium", "browsers.firefox", "browsers.accounts", "browsers.policy", "linux.accounts"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["browsers.chromium"]["notes"] == []
    found = _findings(report)

    visit = found["browsers.visit.monitoring-vendor"]
    assert visit["severity"] == "review" and "not proof" in visit["why"]
    assert [(e["fields"]["url"], e["fields"]["user"], e["fields"]["profile"]) for e in visit["evidence"]] == [
        ("https://www.mspy.com/how-it-works.html", "ana", "Default")]

    signed = found["browsers.account.signed-in"]["evidence"]
    assert sorted((e["fields"]["user"], e["fields"]["browser"], e["fields"]["email"]) for e in signed) == [
        ("ana", "chrome", "watcher@example.net"), ("ana", "edge", "ana@example.com"),
        ("bo", "firefox", "bo@example.org")]
    mixed = found["browsers.account.mixed"]["evidence"]
    assert [(e["fields"]["user"], e["fields"]["name"]) for e in mixed] == [
        ("ana", "ana@example.com, watcher@example.net")]

    sideloaded = found["browsers.extension.sideloaded"]["evidence"]
    assert [(e["fields"]["name"], e["fields"]["user"], e["fields"]["profile"]) for e in sideloaded] == [
        ("Helper", "ana", "Profile 1")]
    broad = found["browsers.extension.broad-access"]["evidence"]
    assert [e["fields"]["name"] for e in broad] == ["Helper"]
    assert broad[0]["can"][0] == "read and change everything on every web site you visit"
    assert "read your browsing history" in broad[0]["can"]

    mic = found["browsers.permission.camera-mic-location"]["evidence"]
    assert [(e["fields"]["service"], e["fields"]["site"]) for e in mic] == [("microphone", "https://rawgit.com:443")]

    logins = found["accounts.os.login-user"]["evidence"]
    assert sorted(e["fields"]["name"] for e in logins) == ["ana", "bo"]  # root is locked
    assert [e["fields"]["name"] for e in found["accounts.os.admin"]["evidence"]] == ["ana"]
    # Built-in (component) and store add-ons of the real profile are collected, not reported.
    assert "browsers.extension.policy-forced" not in found and "browsers.extension.monitoring-addon" not in found


def test_text_report_shows_what_an_addon_can_do(tmp_path: Path) -> None:
    root = build_image(tmp_path / "img")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "es"])
    assert res.exit_code == 0, res.output
    assert "Puede: leer y cambiar todo en cada sitio web que visita" in res.stdout
    assert all(len(line) <= 80 for line in res.stdout.splitlines())


def test_permission_phrases() -> None:
    assert describe_permissions(["tabs", "clipboardRead", "storage"], False) == [
        "see which pages you have open", "read what you copy"]
    assert describe_permissions(["storage", "alarms"], False) == []
    assert describe_permissions([], True, "es") == ["leer y cambiar todo en cada sitio web que visita"]
