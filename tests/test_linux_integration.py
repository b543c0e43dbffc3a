"""Live Linux integration: install real Debian packages, set them to start, scan through the CLI.

Installs three kinds of software from Debian's own archive: x11vnc (remote desktop), motion
(webcam recording) and tmate (terminal sharing). Sets each to start the way people do it (an XDG
autostart entry, the systemd enable link, a cron @reboot line), starts motion in the background so
the running-programs check sees it, scans the live system with `techcheck scan --format json` in
a subprocess, and checks each is reported with the right rule and plain words. Everything set up
here is undone afterwards; the packages stay installed.

Needs root on Debian (apt-get). Elsewhere it is skipped with the reason, except under CI=true,
where a missing requirement is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PACKAGES = ("x11vnc", "motion", "tmate")
XDG_ENTRY = Path("/etc/xdg/autostart/techcheck-it-x11vnc.desktop")
CRON_ENTRY = Path("/etc/cron.d/techcheck-it-tmate")
MOTION_LINK = Path("/etc/systemd/system/multi-user.target.wants/motion.service")
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
APT_OPTS = ["-o", "DPkg::Lock::Timeout=120", "-q"]


def _missing_requirement() -> str:
    if not sys.platform.startswith("linux"):
        return "this test runs on Linux only"
    if not Path("/etc/debian_version").exists() or shutil.which("apt-get") is None:
        return "this test needs Debian (apt-get and /etc/debian_version)"
    if os.geteuid() != 0:
        return "this test installs packages with apt-get and must run as root"
    return ""


def _require() -> None:
    reason = _missing_requirement()
    if reason and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the live Linux integration test cannot run: {reason}")
    if reason:
        pytest.skip(reason)


def _apt(*args: str, timeout: int) -> None:
    proc = subprocess.run(["apt-get", *APT_OPTS, *args], env=APT_ENV, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"apt-get {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


@dataclass
class LiveSetup:
    motion_pid: int
    created: list[Path] = field(default_factory=list)


@pytest.fixture(scope="module")
def live_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSetup]:
    _require()
    _apt("update", timeout=120)
    _apt("install", "-y", "--no-install-recommends", *PACKAGES, timeout=240)
    created: list[Path] = []
    proc: subprocess.Popen[bytes] | None = None
    try:
        # x11vnc set to start at desktop sign-in, as its guides describe.
        XDG_ENTRY.write_text("[Desktop Entry]\nType=Application\nName=Screen access\n"
                             "Exec=x11vnc -forever -shared -nopw\nNoDisplay=true\n")
        created.append(XDG_ENTRY)
        # tmate started at every boot by cron.
        CRON_ENTRY.write_text("@reboot root tmate -S /tmp/techcheck-it.sock new-session -d\n")
        created.append(CRON_ENTRY)
        # motion switched on the way `systemctl enable` does it (the package may already have done so).
        if not MOTION_LINK.is_symlink():
            MOTION_LINK.parent.mkdir(parents=True, exist_ok=True)
            MOTION_LINK.symlink_to("/lib/systemd/system/motion.service")
            created.append(MOTION_LINK)
        # motion running now, with its files in a temporary folder. No camera is needed to run.
        work = tmp_path_factory.mktemp("motion")
        conf = work / "motion.conf"
        conf.write_text(f"daemon off\nlog_file {work}/motion.log\ntarget_dir {work}\n"
                        "webcontrol_localhost on\nstream_localhost on\n")
        proc = subprocess.Popen(["motion", "-n", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(1.0)
        assert proc.poll() is None, "motion did not keep running"
        yield LiveSetup(proc.pid, created)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for path in created:
            path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def report(live_setup: LiveSetup) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--format", "json", "--lang", "en",
                           "--no-progress"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _finding(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The finding a rule leads, with the evidence of every finding where that rule is a reason too
    (one problem, one finding: a stronger rule may lead the finding about the same artifact)."""
    from techcheck.report.inventory import artifact_key

    found = [f for f in report["findings"] if f["rule_id"] == rule_id]
    assert found, f"{rule_id} not reported; got {[f['rule_id'] for f in report['findings']]}"
    evidence = list(found[0]["evidence"])
    for f in report["findings"]:
        for other in f.get("also", []):
            if other["rule_id"] == rule_id:
                keys = set(other["evidence"])
                evidence += [e for e in f["evidence"] if artifact_key(e) in keys]
    return {**found[0], "evidence": evidence}


def test_live_report_is_a_live_linux_scan(report: dict[str, Any]) -> None:
    assert report["target"]["mode"] == "live" and report["target"]["os"] == "linux"
    checks = {c["name"]: c["status"] for c in report["checks"]}
    assert checks["system.processes"] == "ok"
    assert checks["linux.systemd"] == checks["linux.xdg_autostart"] == checks["linux.cron"] == "ok"


def test_x11vnc_found_with_its_autostart(report: dict[str, Any]) -> None:
    f = _finding(report, "linux.remote.x11vnc")
    assert f["severity"] == "review" and "x11vnc" in f["title"]
    assert "see your screen" in f["what"] and f["normal"]
    kinds = {(e["kind"], e["location"].get("path")) for e in f["evidence"]}
    assert ("app", "/var/lib/dpkg/status") in kinds
    assert ("autostart", str(XDG_ENTRY)) in kinds


def test_motion_found_enabled_and_running(report: dict[str, Any], live_setup: LiveSetup) -> None:
    f = _finding(report, "linux.webcam.motion")
    assert f["severity"] == "review" and "camera" in f["title"].lower()
    assert "webcam" in f["what"]
    # Other autostarts for motion may already exist on this machine: look for ours among them.
    units = [e for e in f["evidence"] if e["kind"] == "autostart" and e["fields"]["name"] == "motion.service"]
    assert units and any(u["fields"]["enabled"] is True and u["fields"]["run_as"] == "motion" for u in units)
    procs = [e for e in f["evidence"] if e["kind"] == "process"]
    assert live_setup.motion_pid in [e["fields"]["pid"] for e in procs]


def test_tmate_found_with_its_boot_job(report: dict[str, Any]) -> None:
    f = _finding(report, "linux.remote.terminal-sharing")
    assert f["severity"] == "review" and "tmate" in f["what"]
    jobs = [e for e in f["evidence"] if e["kind"] == "autostart"]
    # Ours among them: the machine may already start tmate another way (a root crontab, say).
    assert (str(CRON_ENTRY), "boot", "tmate") in [
        (e["location"]["path"], e["fields"]["trigger"], e["fields"]["exe"]) for e in jobs]


def test_no_alert_for_dual_use_software(report: dict[str, Any]) -> None:
    ours = {"linux.remote.x11vnc", "linux.webcam.motion", "linux.remote.terminal-sharing"}
    assert all(f["severity"] != "alert" for f in report["findings"] if f["rule_id"] in ours)


def test_missing_requirement_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        _require()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        _require()
