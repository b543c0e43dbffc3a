"""The CLI end to end: CliRunner for the commands, and a real subprocess for the installed script."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from techcheck.cli import EXIT_FINDINGS, EXIT_USAGE, cli
from tests.conftest import write


def linux_image(root: Path) -> Path:
    write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n")
    write(root, "etc/hostname", "ana-laptop\n")
    (root / "usr/bin").mkdir(parents=True)
    (root / "home/ana").mkdir(parents=True)
    (root / "var").mkdir()
    return root


def test_scan_image_json_contract(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "# comment\n/usr/lib/x86_64-linux-gnu/libsneaky.so\n")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", "json", "--output", str(out),
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    report = json.loads(out.read_text())
    assert report["schema"].startswith("techcheck.report/")
    assert report["target"] == {"mode": "image", "os": "linux", "root": str(root), "hostname": "ana-laptop"}
    f = next(f for f in report["findings"] if f["rule_id"] == "linux.preload.ld-so-preload")
    assert f["severity"] == "review" and f["what"] and f["why"] and f["actions"] and f["normal"]
    assert f["evidence"][0]["fields"]["command"] == "/usr/lib/x86_64-linux-gnu/libsneaky.so"
    assert f["evidence"][0]["location"] == {"path": "/etc/ld.so.preload"}
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["system.processes"]["status"] == "skipped"
    assert "disk" in checks["system.processes"]["reason"]
    assert all(c["status"] in ("ok", "partial", "skipped", "failed") for c in report["checks"])


def test_text_report_order_and_no_clean_verdict(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    # No account that can sign in, so no rule matches and the "nothing found" wording shows.
    write(root, "etc/passwd", "root:x:0:0:root:/root:/usr/sbin/nologin\n")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en"])
    assert res.exit_code == 0
    out = res.stdout
    assert out.index("safety note") < out.index("What was checked") < out.index("Every check and its result")
    assert out.index("Every check and its result") < out.index("800-799-SAFE")
    assert "does not prove" in out
    lowered = out.lower()
    assert "is clean" not in lowered and "no threats" not in lowered
    assert all(len(line) <= 80 for line in out.splitlines())


def test_fail_on_exit_code(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/lib/x.so\n")
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--fail-on", "review", "--format", "json"])
    assert res.exit_code == EXIT_FINDINGS
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--fail-on", "alert", "--format", "json"])
    assert res.exit_code == 0


def test_bad_rules_folder_is_exit_2_with_file_line_field(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    write(rules, "bad.yaml", "id: x.y\nseverity: high\n")
    res = CliRunner().invoke(cli, ["rules", "validate", str(rules)])
    assert res.exit_code == EXIT_USAGE
    assert f"{rules / 'bad.yaml'}:2: severity:" in res.stderr
    res = CliRunner().invoke(cli, ["scan", "--root", str(linux_image(tmp_path / "img")), "--rules", str(rules)])
    assert res.exit_code == EXIT_USAGE


def test_unknown_image_layout_needs_os(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(cli, ["scan", "--root", str(tmp_path / "empty")])
    assert res.exit_code == EXIT_USAGE and "--os" in res.stderr


def test_rules_list_and_kinds() -> None:
    res = CliRunner().invoke(cli, ["rules", "list"])
    assert res.exit_code == 0 and "linux.preload.ld-so-preload" in res.output
    res = CliRunner().invoke(cli, ["kinds"])
    assert res.exit_code == 0 and "autostart:" in res.output and "exe_name (str)" in res.output


def test_installed_script_live_scan_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "techcheck"
    out = tmp_path / "live.json"
    proc = subprocess.run([str(exe), "scan", "--format", "json", "--output", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "LANG": "C"})
    assert proc.returncode == 0, proc.stderr
    # The safety note is the first thing shown, before the scan; the saved-report line comes last.
    assert proc.stderr.startswith("Before you start: a safety note"), proc.stderr[:200]
    assert proc.stderr.rstrip().endswith(f"Report saved to {out} (only your account can open it).")
    report = json.loads(out.read_text())
    assert report["target"]["mode"] == "live"
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["system.processes"] == "ok"
    assert not [f for f in report["findings"] if f["severity"] == "alert"], "a plain test machine raised an alert"
