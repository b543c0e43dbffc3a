"""launchd jobs: the real plists from realdata, quirks, overrides, and image trees."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest

from techcheck.collectors.macos.launchd import MacLaunchd, parse_disabled_overrides, parse_launch_job
from techcheck.collectors.macos.plists import PlistError, load_plist
from tests.conftest import realdata, write
from tests.macos_tree import collect, mac_skeleton, only, put_real, realdata_mac, write_plist


def real(name: str) -> bytes:
    return realdata(f"macos/{name}").read_bytes()


def test_santa_agent_with_odd_indentation_and_old_dtd() -> None:
    data = real("LaunchAgents/com.google.santa.plist")
    assert b"-//Apple Computer//DTD PLIST 1.0//EN" in data and b"\t\t\t\t<key>Label" in data
    job = parse_launch_job(data)
    assert job.label == "com.google.santa"
    assert job.program == "/Applications/Santa.app/Contents/MacOS/Santa"
    assert job.arguments == ("/Applications/Santa.app/Contents/MacOS/Santa", "--syslog")
    assert job.command == "/Applications/Santa.app/Contents/MacOS/Santa --syslog"
    assert (job.run_at_load, job.keep_alive, job.disabled) == (True, True, False)
    assert job.trigger == "load, kept running"


def test_santa_daemon_runs_from_a_system_extension_bundle() -> None:
    job = parse_launch_job(real("LaunchDaemons/com.google.santad.plist"))
    assert job.label == "com.google.santad"
    assert job.program == ("/Applications/Santa.app/Contents/Library/SystemExtensions/"
                           "com.google.santa.daemon.systemextension/Contents/MacOS/com.google.santa.daemon")
    assert job.arguments[1:] == ("--syslog",)


def test_munki_jobs_interval_and_pathstate_keepalive() -> None:
    check = parse_launch_job(real("LaunchDaemons/com.googlecode.munki.managedsoftwareupdate-check.plist"))
    assert check.command == "/usr/local/munki/managedsoftwareupdate --auto --quiet"
    assert (check.run_at_load, check.keep_alive, check.interval, check.trigger) == (False, False, True, "schedule")
    msc = parse_launch_job(real("LaunchAgents/com.googlecode.munki.ManagedSoftwareCenter.plist"))
    assert msc.label == "com.googlecode.munki.ManagedSoftwareCenter"
    assert msc.program == "/usr/local/munki/libexec/launchapp"
    assert msc.keep_alive is True and msc.trigger == "kept running"  # KeepAlive is a PathState dictionary
    status = parse_launch_job(real("LaunchAgents/com.googlecode.munki.MunkiStatus.plist"))
    assert status.program.endswith("/MunkiStatus.app/Contents/MacOS/MunkiStatus")


def test_apple_mdnsresponder_job() -> None:
    job = parse_launch_job(real("LaunchDaemons/com.apple.mDNSResponder.plist"))
    assert (job.label, job.program, job.run_as, job.trigger) == (
        "com.apple.mDNSResponder.reloaded", "/usr/sbin/mDNSResponder", "_mdnsresponder", "on demand")


def test_blank_line_bom_and_binary_forms_decode_the_same() -> None:
    data = real("LaunchAgents/com.google.santa.plist")
    expected = parse_launch_job(data)
    assert parse_launch_job(b"\n\r\n" + data) == expected
    assert parse_launch_job(b"\xef\xbb\xbf" + data) == expected
    binary = plistlib.dumps(plistlib.loads(data), fmt=plistlib.FMT_BINARY)
    assert parse_launch_job(binary) == expected


@pytest.mark.parametrize("bad", [b"", b"hello", b"<?xml version='1.0'?><plist><dict><key>a</key>",
                                 b"bplist00\x00\x01garbage", b"<plist><array/></plist>"])
def test_broken_jobs_raise_plist_error(bad: bytes) -> None:
    with pytest.raises(PlistError):
        parse_launch_job(bad)


def test_program_key_and_disabled_key() -> None:
    job = parse_launch_job(plistlib.dumps({"Label": "x", "Program": "/bin/sh", "ProgramArguments": ["sh", "-c", "id"],
                                           "Disabled": True, "RunAtLoad": "YES"}))
    assert job.command == "/bin/sh sh -c id" and job.disabled and job.run_at_load


def test_disabled_overrides() -> None:
    data = plistlib.dumps({"com.apple.screensharing": False, "com.openssh.sshd": True, "odd": "text"})
    assert parse_disabled_overrides(data) == {"com.apple.screensharing": False, "com.openssh.sshd": True}
    with pytest.raises(PlistError):
        parse_disabled_overrides(plistlib.dumps(["not", "a", "dict"]))


def test_image_collects_every_folder_with_scope_user_and_overrides(tmp_path: Path) -> None:
    root = realdata_mac(tmp_path / "img")
    put_real(root, "macos/LaunchAgents/com.google.santa.plist", "Users/ana/Library/LaunchAgents/com.google.santa.plist")
    write_plist(root, "private/var/db/com.apple.xpc.launchd/disabled.plist", {"com.google.santad": True})
    write_plist(root, "private/var/db/com.apple.xpc.launchd/disabled.501.plist",
                {"com.googlecode.munki.MunkiStatus": True}, binary=True)
    arts, ctx = collect(MacLaunchd, root)
    assert ctx.notes == []
    by = {(a.get("name"), a.location.path): a for a in arts}
    assert len(arts) == 7
    santad = by[("com.google.santad", "/Library/LaunchDaemons/com.google.santad.plist")]
    assert santad.fields["mechanism"] == "launch_daemon" and santad.get("scope") == "system"
    assert santad.get("enabled") is False  # switched off by the system override
    assert santad.get("file") == "/Library/LaunchDaemons/com.google.santad.plist"
    assert by[("com.googlecode.munki.MunkiStatus", "/Library/LaunchAgents/com.googlecode.munki.MunkiStatus.plist")] \
        .get("enabled") is False
    apple = by[("com.apple.mDNSResponder.reloaded", "/System/Library/LaunchDaemons/com.apple.mDNSResponder.plist")]
    assert apple.get("scope") == "apple" and apple.get("run_as") == "_mdnsresponder"
    user = by[("com.google.santa", "/Users/ana/Library/LaunchAgents/com.google.santa.plist")]
    assert (user.get("scope"), user.get("user"), user.get("enabled"), user.get("exe_name")) == (
        "user", "ana", True, "santa")


def test_broken_job_and_broken_override_are_noted_and_the_rest_is_read(tmp_path: Path) -> None:
    root = mac_skeleton(tmp_path / "img")
    put_real(root, "macos/LaunchDaemons/com.google.santad.plist", "Library/LaunchDaemons/com.google.santad.plist")
    write(root, "Library/LaunchDaemons/com.evil.broken.plist", "<?xml version='1.0'?><plist><dict><key>Label")
    write(root, "private/var/db/com.apple.xpc.launchd/disabled.plist", b"bplist00garbage")
    write(root, "Library/LaunchDaemons/README.txt", "not a job")
    arts, ctx = collect(MacLaunchd, root)
    assert [a.get("name") for a in arts] == ["com.google.santad"]
    assert arts[0].get("enabled") is True
    paths = sorted(n.path for n in ctx.notes)
    assert paths == ["/Library/LaunchDaemons/com.evil.broken.plist",
                     "/private/var/db/com.apple.xpc.launchd/disabled.plist"]
    assert all("could not" in n.message for n in ctx.notes)


def test_load_plist_rejects_non_dict_job(tmp_path: Path) -> None:
    assert load_plist(plistlib.dumps([1, 2])) == [1, 2]
    root = mac_skeleton(tmp_path / "img")
    write_plist(root, "Library/LaunchAgents/list.plist", [1, 2])
    arts, ctx = collect(MacLaunchd, root)
    assert arts == [] and "dictionary" in only(ctx.notes, lambda n: True).message


def test_entity_expansion_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<plist><dict><key>Label</key><string>&b;</string></dict></plist>")
    with pytest.raises(PlistError, match="entity"):
        parse_launch_job(bomb)
