"""Computer accounts: Linux passwd/shadow/group, macOS dslocal binary plists, Windows user folders."""

from __future__ import annotations

import plistlib
import time
from pathlib import Path

from techcheck.artifacts import Artifact
from techcheck.collectors.base import Collector, Context
from techcheck.collectors.linux.accounts import LinuxAccounts, parse_sudoers
from techcheck.collectors.macos.accounts import MacAccounts, parse_user_plist, recently_created
from techcheck.collectors.windows.accounts import WindowsAccounts
from techcheck.target.fake import FakeTarget
from techcheck.target.image import open_image
from tests.conftest import write

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:110:65534::/run/sshd:/usr/sbin/nologin
ana:x:1000:1000:Ana,,,:/home/ana:/bin/bash
bo:x:1001:1001::/home/bo:/bin/bash
guest:x:1002:1002::/home/guest:/bin/bash
kiosk:x:1003:1003::/home/kiosk:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
broken line
"""
SHADOW = """root:!:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
ana:$y$j9T$abc$def:19000:0:99999:7:::
bo:$6$salt$hash:19000:0:99999:7:::
guest:!$6$salt$hash:19000:0:99999:7:::
kiosk::19000:0:99999:7:::
"""
GROUP = "root:x:0:\nsudo:x:27:ana\nwheel:x:10:\nbo:x:1001:\nadmin:x:1001:\n"


def _collect(collector: Collector, root: Path) -> tuple[dict[str, Artifact], Context]:
    ctx = Context()
    arts = list(collector.collect(open_image(str(root)), ctx))
    return {str(a.get("name")): a for a in arts}, ctx


def test_linux_accounts(tmp_path: Path) -> None:
    root = tmp_path / "img"
    write(root, "etc/passwd", PASSWD)
    write(root, "etc/shadow", SHADOW)
    write(root, "etc/group", GROUP)
    write(root, "etc/sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n"
                               "@includedir /etc/sudoers.d\n")
    write(root, "etc/sudoers.d/90-helper", "# added later\nkiosk ALL=(ALL) NOPASSWD: ALL\n%wheel ALL=(ALL) ALL\n")
    write(root, "etc/sudoers.d/README", "Files in this folder add sudo rules.\n")  # read; has no rule
    write(root, "etc/sudoers.d/old.bak", "guest ALL=(ALL) ALL\n")  # names with a dot are skipped by sudo
    (root / "usr").mkdir()
    accounts, ctx = _collect(LinuxAccounts(), root)
    assert ctx.notes == []
    assert set(accounts) == {"root", "daemon", "sshd", "ana", "bo", "guest", "kiosk", "nobody"}

    def facts(name: str) -> tuple[object, object, object]:
        a = accounts[name]
        return a.get("can_login"), a.get("admin"), a.get("system_account")

    assert facts("root") == (False, True, False)  # locked password; uid 0 is an administrator
    assert facts("daemon") == (False, False, True)
    assert facts("ana") == (True, True, False)  # in sudo
    assert facts("bo") == (True, True, False)  # primary group is "admin" (gid 1001)
    assert facts("guest") == (False, False, False)  # locked with "!"
    assert facts("kiosk") == (True, True, False)  # empty password; administrator through sudoers.d
    assert facts("nobody") == (False, False, True)
    assert accounts["ana"].get("created") is None  # Linux does not record it; not guessed
    assert accounts["ana"].get("uid") == "1000" and accounts["ana"].location.path == "/etc/passwd"


def test_linux_unreadable_shadow_falls_back_to_the_shell() -> None:
    # A live scan without administrator rights cannot read /etc/shadow.
    target = FakeTarget(mode="fake", os="linux", root=None, unreadable={"/etc/shadow"},
                        files={"/etc/passwd": PASSWD.encode(), "/etc/shadow": SHADOW.encode()})
    ctx = Context()
    accounts = {a.get("name"): a for a in LinuxAccounts().collect(target, ctx)}
    assert accounts["guest"].get("can_login") is True  # judged by its shell alone
    assert accounts["daemon"].get("can_login") is False
    assert [n.path for n in ctx.notes] == ["/etc/shadow"]


def _dslocal_user(name: str, uid: int, shell: str, created: float | None, password: bool = True) -> bytes:
    record: dict[str, object] = {"name": [name], "uid": [str(uid)], "shell": [shell], "realname": [name.title()],
                                 "home": [f"/Users/{name}"], "generateduid": ["5B3A-..."]}
    if created is not None:
        policy = plistlib.dumps({"creationTime": created, "failedLoginCount": 0, "passwordLastSetTime": created})
        record["accountPolicyData"] = [policy]
    if password:
        record["ShadowHashData"] = [b"bplist00..."]
    return plistlib.dumps(record, fmt=plistlib.FMT_BINARY)


def test_macos_accounts(tmp_path: Path) -> None:
    root = tmp_path / "mac"
    (root / "System").mkdir(parents=True)
    (root / "Library").mkdir()
    base = "private/var/db/dslocal/nodes/Default"
    now = time.time()
    write(root, f"{base}/users/ana.plist", _dslocal_user("ana", 501, "/bin/zsh", now - 400 * 86400))
    write(root, f"{base}/users/helper.plist", _dslocal_user("helper", 502, "/bin/zsh", now - 3 * 86400))
    write(root, f"{base}/users/_spotlight.plist", _dslocal_user("_spotlight", 89, "/usr/bin/false", None, False))
    write(root, f"{base}/users/root.plist", _dslocal_user("root", 0, "/bin/sh", None, password=False))
    write(root, f"{base}/users/broken.plist", b"bplist00 this is cut short")
    write(root, f"{base}/groups/admin.plist",
          plistlib.dumps({"name": ["admin"], "gid": ["80"], "users": ["root", "ana"]}, fmt=plistlib.FMT_BINARY))
    accounts, ctx = _collect(MacAccounts(), root)
    assert set(accounts) == {"ana", "helper", "_spotlight", "root"}
    ana, helper = accounts["ana"], accounts["helper"]
    assert (ana.get("admin"), ana.get("can_login"), ana.get("recently_created")) == (True, True, False)
    assert str(ana.get("created")).startswith(time.strftime("%Y", time.gmtime(now - 400 * 86400)))
    assert (helper.get("admin"), helper.get("recently_created"), helper.get("system_account")) == (False, True, False)
    assert accounts["_spotlight"].get("system_account") is True and accounts["_spotlight"].get("can_login") is False
    assert accounts["root"].get("can_login") is False  # no password set: root is switched off
    assert [n.path.rsplit("/", 1)[-1] for n in ctx.notes] == ["broken.plist"]


def test_macos_parsers() -> None:
    assert parse_user_plist(b"not a plist") is None
    assert parse_user_plist(plistlib.dumps({"uid": ["5"]})) is None  # no name
    user = parse_user_plist(_dslocal_user("ana", 501, "/bin/zsh", 1_600_000_000.0))
    assert user is not None and user.created == 1_600_000_000.0 and user.has_password
    assert recently_created(None, 0) is None
    assert recently_created(1000.0, 1000.0 + 29 * 86400) is True
    assert recently_created(1000.0, 1000.0 + 31 * 86400) is False


def test_windows_accounts_from_user_folders(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "Windows/System32").mkdir(parents=True)
    for name in ("ana", "Public", "Default", "bo"):
        (root / "Users" / name).mkdir(parents=True)
    accounts, ctx = _collect(WindowsAccounts(), root)
    assert set(accounts) == {"ana", "bo"}
    assert accounts["ana"].location.path == "C:\\Users\\ana"
    assert any("user folders only" in n.message for n in ctx.notes)


def test_macos_unlistable_accounts_folder_is_noted() -> None:
    users = "/private/var/db/dslocal/nodes/Default/users"
    target = FakeTarget(mode="fake", os="macos", root=None, unreadable={users},
                        files={f"{users}/ana.plist": _dslocal_user("ana", 501, "/bin/zsh", None)})
    ctx = Context()
    assert list(MacAccounts().collect(target, ctx)) == []
    assert [n.path for n in ctx.notes] == [users] and "could not list" in ctx.notes[0].message


def test_sudoers_parser() -> None:
    users, groups = parse_sudoers("Defaults env_reset\n# ana ALL=(ALL) ALL\nana,bo ALL=(ALL) ALL\n"
                                  "%admins ALL=(ALL) ALL\nUser_Alias X = carl\n#include /etc/x\nnonsense\n")
    assert users == {"ana", "bo"} and groups == {"admins"}
