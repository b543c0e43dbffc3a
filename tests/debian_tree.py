"""A known-good Linux disk copy built from real Debian packages.

`apt-get download` fetches the packages in PACKAGES (cached in ~/.cache/techcheck-test-debs/<key>,
keyed by the list, so a second run needs no network); `dpkg-deb` extracts each into the copy and
gives its control files, from which the real dpkg status stanza (with Conffiles sums), info/<pkg>.list
and info/<pkg>.md5sums are written. Units are enabled as the packages' install scripts do
(deb-systemd-helper enable lines in postinst: the [Install] WantedBy/RequiredBy/Alias/Also links),
SysV scripts get their rc?.d links (update-rc.d defaults), /bin, /sbin, /lib are merged into /usr as
on Debian 12, and a person (ana) has the start-up files ordinary desktop apps write.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

PACKAGES = (
    "base-files", "bash", "systemd", "udev", "dbus", "dbus-user-session", "cron", "anacron", "at", "logrotate",
    "rsyslog", "apt", "man-db", "e2fsprogs", "kmod", "login", "passwd", "libpam-runtime", "libpam-modules",
    "cups-daemon", "cups-browsed", "avahi-daemon", "bluez", "network-manager", "modemmanager", "wpasupplicant",
    "openssh-server", "unattended-upgrades", "sysstat", "apparmor", "docker.io", "containerd", "flatpak", "fwupd",
    "pipewire", "pipewire-pulse", "wireplumber", "udisks2", "upower", "accountsservice", "smartmontools", "chrony",
    "gdm3", "x11-common", "xdg-desktop-portal", "gpg-agent", "fuse3", "polkitd", "power-profiles-daemon",
    "switcheroo-control", "thermald", "rtkit", "colord", "geoclue-2.0", "packagekit",
)
CACHE = Path(os.environ.get("TECHCHECK_DEB_CACHE", Path.home() / ".cache" / "techcheck-test-debs"))
_ENABLE = re.compile(r"deb-systemd-helper (--user )?(?:--quiet )?(?:enable|update-state) '?([^'\s;]+)'?")
_UPDATE_RC = re.compile(r"update-rc\.d (\S+) (?:defaults|enable)")


class Unavailable(Exception):
    """apt-get or dpkg-deb cannot give the packages here (no network, not Debian)."""


def cache_key() -> str:
    return hashlib.sha256("\n".join(PACKAGES).encode()).hexdigest()[:16]


def download() -> list[Path]:
    folder = CACHE / cache_key()
    done = folder / ".complete"
    if not done.exists():
        if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
            raise Unavailable("apt-get and dpkg-deb are needed to fetch and unpack real Debian packages")
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["apt-get", "download", "-q", *PACKAGES], cwd=folder, capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            raise Unavailable(f"apt-get download failed: {proc.stderr.strip()[-500:]}")
        done.write_text("\n".join(PACKAGES) + "\n")
    return sorted(folder.glob("*.deb"))


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def unpack(deb: Path, root: Path, control: Path) -> None:
    """Files into root, control files (md5sums, conffiles, postinst) into control."""
    control.parent.mkdir(parents=True, exist_ok=True)
    _run("dpkg-deb", "-x", str(deb), str(root))
    _run("dpkg-deb", "-e", str(deb), str(control))


def record(deb: Path, root: Path, control: Path, status: list[str]) -> tuple[str, str]:
    """Write info/<pkg>.list and .md5sums and a status stanza, as dpkg does after installing."""
    fields = _run("dpkg-deb", "-f", str(deb), "Package", "Version", "Architecture", "Priority", "Essential",
                  "Maintainer", "Multi-Arch")
    values = dict(line.split(": ", 1) for line in fields.splitlines() if ": " in line)
    package = values["Package"]
    info = root / "var/lib/dpkg/info"
    info.mkdir(parents=True, exist_ok=True)
    name = f"{package}:{values['Architecture']}" if values.get("Multi-Arch") == "same" else package
    paths = _tar_paths(deb)
    (info / f"{name}.list").write_text("\n".join(paths) + "\n")
    if (control / "md5sums").exists():
        shutil.copyfile(control / "md5sums", info / f"{name}.md5sums")
    stanza = [f"Package: {package}", "Status: install ok installed"]
    stanza += [f"{k}: {values[k]}" for k in ("Priority", "Essential", "Architecture", "Multi-Arch", "Version",
                                              "Maintainer") if values.get(k)]
    conffiles = (control / "conffiles").read_text().split() if (control / "conffiles").exists() else []
    sums = [f" {c} {hashlib.md5((root / c.lstrip('/')).read_bytes()).hexdigest()}" for c in conffiles
            if (root / c.lstrip("/")).is_file()]
    if sums:
        stanza += ["Conffiles:", *sums]
    status.append("\n".join(stanza + ["Description: from the real package"]) + "\n")
    postinst = control / "postinst"
    return package, postinst.read_text(errors="replace") if postinst.exists() else ""


def _tar_paths(deb: Path) -> list[str]:
    out = []
    for line in _run("dpkg-deb", "-c", str(deb)).splitlines():
        path = line.split(None, 5)[-1].split(" -> ", 1)[0]
        path = "/" + path.lstrip("./").rstrip("/") if path not in ("./", ".") else "/."
        out.append(path)
    return out


def merge_usr(root: Path) -> None:
    """Debian 12 layout: /bin, /sbin, /lib, /lib64 are links into /usr."""
    for name in ("bin", "sbin", "lib", "lib64"):
        top = root / name
        if top.is_dir() and not top.is_symlink():
            dest = root / "usr" / name
            for item in top.rglob("*"):
                target = dest / item.relative_to(top)
                if item.is_dir() and not item.is_symlink():
                    target.mkdir(parents=True, exist_ok=True)
                elif not target.exists() and not target.is_symlink():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(item, target)
            shutil.rmtree(top)
        if not top.exists():
            (root / "usr" / name).mkdir(parents=True, exist_ok=True)
            os.symlink(f"usr/{name}", top)


def unit_file(root: Path, unit: str, user: bool) -> Path | None:
    kind = "user" if user else "system"
    for folder in (f"etc/systemd/{kind}", f"usr/lib/systemd/{kind}"):
        path = root / folder / unit
        if path.is_file():
            return path
    return None


def enable(root: Path, unit: str, user: bool, seen: set[str]) -> None:
    """What `deb-systemd-helper enable` does: links from [Install] WantedBy/RequiredBy/Alias, then Also."""
    if unit in seen:
        return
    seen.add(unit)
    path = unit_file(root, unit, user)
    if path is None:
        return
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(errors="replace"))
    except configparser.Error:
        return
    if not parser.has_section("Install"):
        return
    install = parser["Install"]
    base = root / ("etc/systemd/user" if user else "etc/systemd/system")
    link_to = f"/usr/lib/systemd/{'user' if user else 'system'}/{unit}"
    links = [base / f"{target}{suffix}" / unit for key, suffix in (("WantedBy", ".wants"), ("RequiredBy", ".requires"))
             for target in install.get(key, "").split()]
    for link in links + [base / alias for alias in install.get("Alias", "").split()]:
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            os.symlink(link_to, link)
    for also in install.get("Also", "").split():
        enable(root, also, user, seen)


def sysv_defaults(root: Path, script: str) -> None:
    for level in "2345":
        link = root / f"etc/rc{level}.d/S01{script}"
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink() and (root / "etc/init.d" / script).exists():
            os.symlink(f"../init.d/{script}", link)


PASSWD = ("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "messagebus:x:100:107::/nonexistent:/usr/sbin/nologin\navahi:x:101:110:Avahi:/run/avahi-daemon:"
          "/usr/sbin/nologin\nsshd:x:102:65534::/run/sshd:/usr/sbin/nologin\n"
          "ana:x:1000:1000:Ana,,,:/home/ana:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
# What ordinary desktop apps write in a person's ~/.config/autostart: GNOME Tweaks' "off at sign-in"
# copy of a system entry, and the Background portal's entry for a Flatpak app that starts in the tray
# (xdg-desktop-portal writes Exec=flatpak run --command=... <app-id>).
USER_AUTOSTART = {
    "org.signal.Signal.desktop": "[Desktop Entry]\nType=Application\nName=org.signal.Signal\n"
                                 "Exec=flatpak run --command=signal-desktop org.signal.Signal --start-in-tray\n"
                                 "X-Flatpak=org.signal.Signal\n",
    "com.discordapp.Discord.desktop": "[Desktop Entry]\nType=Application\nName=com.discordapp.Discord\n"
                                      "Exec=flatpak run --command=discord com.discordapp.Discord --start-minimized\n"
                                      "X-Flatpak=com.discordapp.Discord\n",
}


def person(root: Path) -> None:
    home = root / "home/ana"
    for rel in (".bashrc", ".profile", ".bash_logout"):
        src = root / "etc/skel" / rel
        if src.exists():
            (home / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, home / rel)
    autostart = home / ".config/autostart"
    autostart.mkdir(parents=True, exist_ok=True)
    for name, text in USER_AUTOSTART.items():
        (autostart / name).write_text(text)
    for entry in sorted((root / "etc/xdg/autostart").glob("*.desktop"))[:2]:
        (autostart / entry.name).write_text(entry.read_text() + "X-GNOME-Autostart-enabled=false\n")
    user_wants = home / ".config/systemd/user/default.target.wants"
    user_wants.mkdir(parents=True, exist_ok=True)


def build(root: Path) -> dict[str, int]:
    """Build the copy at root from the cached packages; returns counts for the report."""
    debs = download()
    status: list[str] = []
    work = root.parent / (root.name + "-control")
    enabled: list[tuple[str, bool]] = []
    sysv: list[str] = []
    for deb in debs:
        control = work / deb.stem
        unpack(deb, root, control)
        _, postinst = record(deb, root, control, status)
        enabled += [(unit, bool(user)) for user, unit in _ENABLE.findall(postinst)]
        sysv += _UPDATE_RC.findall(postinst)
    shutil.rmtree(work, ignore_errors=True)
    merge_usr(root)
    (root / "var/lib/dpkg/status").write_text("\n".join(status))
    seen: set[str] = set()
    for unit, user in enabled:
        enable(root, unit, user, seen)
    for script in sysv:
        sysv_defaults(root, script)
    (root / "etc/passwd").write_text(PASSWD)
    (root / "etc/hostname").write_text("ana-desktop\n")
    (root / "root").mkdir(exist_ok=True)
    person(root)
    return {"packages": len(debs), "units_enabled": len(seen), "sysv_scripts": len(set(sysv))}


def cached_tree() -> tuple[Path, dict[str, int]]:
    """The built copy, made once per package list and kept in the cache (scans never write into it)."""
    folder = CACHE / cache_key()
    tree, done = folder / "tree", folder / "tree.complete"
    if not done.exists():
        building = folder / f"tree-building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        counts = build(building / "root")
        shutil.rmtree(tree, ignore_errors=True)
        os.replace(building, tree)
        done.write_text(" ".join(f"{k}={v}" for k, v in counts.items()) + "\n")
    counts = dict((k, int(v)) for k, v in (w.split("=") for w in done.read_text().split()))
    return tree / "root", counts
