"""A scan result with findings of every severity and hostile names everywhere, for report tests.

The rules are real rule YAML run through the real loader and matcher; the artifacts are what
collectors would yield for files planted in a test system (names chosen to attack the output).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from click.testing import CliRunner

from techcheck.artifacts import Artifact, Location, make
from techcheck.cli import cli
from techcheck.collectors.base import Collector, Note
from techcheck.engine import Matcher
from techcheck.i18n import Message
from techcheck.ruleset import parse_rule_file
from techcheck.scan import CheckResult, ScanResult
from techcheck.scanrecord import record_system
from techcheck.target import FakeTarget

SCRIPT = "<script>alert('x')</script>"
QUOTES = "\"onmouseover=alert(1) x='y"
CONTROL = "ctrl\x1b[31mred\x07bell"
BIDI = "invoice\u202egpj.exe"
LONG = "L" * 5000
SURROGATE = os.fsdecode(b"bad\xffname")  # a non-UTF-8 file name, as Python hands it over
WIDE = "監視" * 60  # wide characters take two terminal columns each
HOSTILE = (SCRIPT, QUOTES, CONTROL, BIDI, LONG, SURROGATE, WIDE)

RULES = """\
- id: test.alert.spy
  severity: alert
  category: stalkerware
  platforms: [any]
  text:
    en: {title: Spy app found, what: It is a spy app., why: It can read your messages.,
         actions: [Save this report.]}
    es: {title: App espía encontrada, what: Es una app espía., why: Puede leer sus mensajes.,
         actions: [Guarde este informe.]}
  match: [{kind: autostart, mechanism: cron}]
  samples: {positive: [{kind: autostart, mechanism: cron}], negative: [{kind: autostart, mechanism: systemd}]}
  references: [https://example.org/spy]
- id: test.review.remote
  severity: review
  category: remote_access
  platforms: [any]
  text:
    en: {title: Remote access tool, what: It lets someone use this computer from far away.,
         why: It can be used to watch you., actions: [Ask an advocate.], normal: Help desks use it.}
    es: {title: Herramienta de acceso remoto, what: Permite usar esta computadora desde lejos.,
         why: Se puede usar para vigilarle., actions: [Hable con una persona de apoyo.],
         normal: Los servicios de ayuda la usan.}
  match: [{kind: app, package: x11vnc}]
  samples: {positive: [{kind: app, package: x11vnc}], negative: [{kind: app, package: vim}]}
  references: [https://example.org/vnc]
- id: test.info.account
  severity: info
  category: account
  platforms: [any]
  text:
    en: {title: An account is signed in, what: A browser account is signed in., why: It may share your data.,
         actions: [Check who owns it.], normal: Most people sign in.}
    es: {title: Hay una cuenta abierta, what: Hay una cuenta del navegador abierta., why: Puede compartir sus datos.,
         actions: [Vea de quién es.], normal: Casi todos inician sesión.}
  match: [{kind: account, account_type: browser_sync}]
  samples: {positive: [{kind: account, account_type: browser_sync}], negative: [{kind: account, account_type: os_user}]}
  references: [https://example.org/account]
"""


def hostile_scan(extra_files: dict[str, bytes] | None = None, extra_artifacts: list[Artifact] | None = None,
                 vim_version: str = "9.0") -> ScanResult:
    """A scan of a test Linux system: one finding per severity, hostile names in every field."""
    rules, problems = parse_rule_file("test-rules.yaml", RULES)
    assert problems == []
    cron_path = f"/etc/cron.d/{SCRIPT}"
    files = {cron_path: b"* * * * * root /usr/bin/spy\n", "/etc/hostname": b"ana-laptop\n",
             "/etc/cron.d/locked": b"secret\n"}
    files.update(extra_files or {})
    target = FakeTarget(mode="fake", os="linux", root=None, files=files, unreadable={"/etc/cron.d/locked"})
    artifacts = [make("autostart", Location(path=cron_path), mechanism="cron", name=name,
                      command=f"/usr/bin/{name}", user="root", enabled=True) for name in HOSTILE]
    artifacts.append(make("autostart", Location(path="/etc/cron.d/locked"), mechanism="cron", name="locked"))
    artifacts.append(make("app", Location(path="/var/lib/dpkg/status"), package="x11vnc", name=QUOTES,
                          version="0.9.16"))
    artifacts.append(make("account", Location(path=f"/home/{BIDI}/.config/chrome/Local State"),
                          account_type="browser_sync", email=f"{SCRIPT}@example.org", browser="chrome"))
    artifacts.append(make("app", Location(path="/var/lib/dpkg/status"), package="vim", name="vim",
                          version=vim_version))
    artifacts.extend(extra_artifacts or [])
    findings = Matcher.build(rules).match(artifacts)
    checks = [
        CheckResult("linux.cron", "Scheduled jobs (cron)", "ok", artifact_count=7,
                    notes=[Note(f"/etc/cron.d/{CONTROL}", Message.of("note.could_not_read", detail=SCRIPT)),
                           Note(f"/etc/cron.d/{SURROGATE}", "not valid text")]),
        CheckResult("system.processes", "Programs running now", "skipped", reason=str(Collector.live_only_reason),
                    reason_msg=Collector.live_only_reason),
        CheckResult("linux.broken", "A check that broke", "failed", reason=f"ValueError: {BIDI}"),
    ]
    now = time.time()
    system = record_system(target, [a.location.path for f in findings for a in f.artifacts])
    return ScanResult(target=target, findings=findings, checks=checks, artifacts=artifacts, rule_count=len(rules),
                      rule_sources=[], started=now - 2, finished=now, system=system)


def save_scan(tmp_path: Path, root: Path, name: str, *extra: str, fmt: str = "json") -> Path:
    """Scan a disk copy with the real CLI and save the report; saved reports are owner-only."""
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--format", fmt, "--output", str(out),
                                   "--lang", "en", *extra])
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    return out
