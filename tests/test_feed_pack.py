"""The real feeds (../shared/feeds) import as published, and the shipped packs made from them find real tools.

- every real feed file imports without error, with the counts asserted;
- the shipped packs in rules/feeds/ are exactly what scripts/generate_feed_pack.py makes from them;
- 40 LOLRMM tools (fixed seed), each planted at one of its own Windows install paths in a disk copy,
  are found by the shipped rules (at least 36);
- a disk copy with ordinary programs (Dash, WinSCP, PuTTY, NVDA, browsers, installers in Downloads)
  gets no alert, and no finding at all from the packs;
- a portable AnyDesk.exe in Downloads is found.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
from pathlib import Path

import pytest
import yaml

from techcheck.feeds import import_feed
from techcheck.feeds.lolrmm import LEFT_OUT_ROLES, role_table
from techcheck.ruleset import load_rules, shipped_rules_dir
from techcheck.scan import ScanResult, run_scan
from techcheck.target import open_image
from tests.conftest import REPO

SHARED_FEEDS = next((p / "shared" / "feeds" for p in (REPO.parent, REPO.parent.parent)
                     if (p / "shared" / "feeds" / "README.md").exists()), REPO.parent / "shared" / "feeds")


@pytest.fixture
def feeds() -> Path:
    if not (SHARED_FEEDS / "README.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs with ../shared beside the repository; ../shared/feeds is missing")
        pytest.skip("../shared/feeds is not beside this clone")
    return SHARED_FEEDS


# (rules written, indicators used, entries left out by reason, indicators not usable by reason)
EXPECTED = {
    "lolrmm": (249, 1758, {
        "SSH, file-transfer and storage clients (not a way into this computer)": 29,
        "not remote access into this computer (for example a screen reader)": 6,
        "tools with no indicator a computer can show": 10,
        "viewers (they only look at other computers; not a way into this one)": 25}, {
        "file names that are not programs (.dll, .log, .xml ...)": 27, "generic program names without a folder": 12,
        "log and data files": 507, "program name patterns too broad": 2, "registry keys": 107,
        "viewer programs (they only look at other computers)": 13, "web addresses too general or unreadable": 57}),
    "ioc": (253, 1656, {"apps with nothing a computer can show (phone app ids and certificates only)": 20}, {
        "Android certificates": 472, "Android packages": 616,
        "app names of phone apps (the feed names no computer system)": 296, "unreadable web addresses": 2}),
    "watchware": (26, 115, {"apps with nothing a computer can show (phone app ids and certificates only)": 1}, {
        "Android certificates": 14, "Android packages": 30,
        "app names of phone apps (the feed names no computer system)": 28, "iOS app ids": 6}),
    "stix": (238, 4211, {}, {"Android app ids": 667}),
}


def test_every_real_feed_file_imports_with_its_counts(feeds: Path, tmp_path: Path) -> None:
    inputs = {
        "lolrmm": ("lolrmm", [feeds / "lolrmm" / "yaml"]),
        "ioc": ("assoechap-yaml", [feeds / "assoechap" / "ioc.yaml"]),
        "watchware": ("assoechap-yaml", [feeds / "assoechap" / "watchware.yaml"]),
        "stix": ("assoechap-stix", [feeds / "assoechap" / "generated" / "stalkerware.stix2"]),
    }
    got = {}
    for name, (fmt, files) in inputs.items():
        s = import_feed(fmt, files, tmp_path / name)
        got[name] = (s.rules, s.indicators_used, s.skipped, s.unusable)
        assert len(load_rules([tmp_path / name]).rules) == s.rules
    assert got == EXPECTED
    # Every one of LOLRMM's 319 tool files is a rule or is counted under a reason.
    assert len(list((feeds / "lolrmm" / "yaml").glob("*.y*ml"))) == 319
    assert EXPECTED["lolrmm"][0] + sum(EXPECTED["lolrmm"][2].values()) == 319


def test_every_lolrmm_tool_has_a_role_in_the_table(feeds: Path) -> None:
    table = role_table()
    for file in (feeds / "lolrmm" / "yaml").glob("*.y*ml"):
        name = yaml.safe_load(file.read_text(encoding="utf-8"))["Name"].strip().lower()
        assert name in table.roles, f"{file.name}: {name!r} has no role in techcheck/feeds/lolrmm_roles.yaml"


def test_shipped_packs_are_what_the_generator_makes(
        feeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("generate_feed_pack", REPO / "scripts" / "generate_feed_pack.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    monkeypatch.setattr(gen, "REPO", tmp_path)
    assert gen.main(["generate_feed_pack.py", str(feeds)]) == 0
    shipped = REPO / "rules" / "feeds"
    for pack in ("lolrmm", "assoechap"):
        made = {p.name: p.read_bytes() for p in (tmp_path / "rules" / "feeds" / pack).iterdir()}
        have = {p.name: p.read_bytes() for p in (shipped / pack).iterdir()}
        assert made.keys() == have.keys(), pack
        changed = [n for n in made if made[n] != have[n]]
        assert not changed, f"rules/feeds/{pack} differs from the generator's output: run scripts/generate_feed_pack.py"
    assert "Apache License" in (shipped / "lolrmm" / "LICENSE").read_text(encoding="utf-8")
    for path in shipped.rglob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# Generated by techcheck"), path


# --- planting real tools in a disk copy --------------------------------------------------------

_WINDOWS_VARS = {"programfiles": "C:\\Program Files", "programfiles(x86)": "C:\\Program Files (x86)",
                 "programdata": "C:\\ProgramData", "appdata": "C:\\Users\\ana\\AppData\\Roaming",
                 "localappdata": "C:\\Users\\ana\\AppData\\Local", "userprofile": "C:\\Users\\ana",
                 "systemroot": "C:\\Windows", "windir": "C:\\Windows", "temp": "C:\\Users\\ana\\AppData\\Local\\Temp"}


def concrete_path(raw: str, exe: str) -> str | None:
    """A real C:\\... file path for a LOLRMM install path, as a person's computer would have it."""
    p = re.sub(r"\\+", r"\\", raw.strip().strip("'\"").replace("/", "\\"))
    p = re.sub(r"%([^%]+)%", lambda m: _WINDOWS_VARS.get(m.group(1).lower(), "C:\\Tools"), p)
    if p.startswith("*"):
        p = "C:\\Program Files" + ("\\" if not p.startswith("*\\") else "") + p[1:]
    if not re.match(r"^[A-Za-z]:\\", p):
        return None
    p = re.sub(r"(?i)\\Users\\[^\\]+", r"\\Users\\ana", p)
    p = re.sub(r"<[^>]*>|\[[^\]]*\]", "1", p).rstrip("\\")
    if p.endswith("\\*") or not re.search(r"\.(exe|msi)$", p, re.IGNORECASE):
        p = p.removesuffix("\\*") + "\\" + exe
    p = p.replace("*", "1")
    return p


def lolrmm_plantings(feeds: Path) -> list[tuple[str, str]]:
    """(tool, C:\\ path) for every kept tool with a Windows install path: one path per tool, fixed seed."""
    table = role_table()
    rng = random.Random(17)
    out = []
    for file in sorted((feeds / "lolrmm" / "yaml").glob("*.y*ml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if table.roles.get(data["Name"].strip().lower(), "agent") in LEFT_OUT_ROLES:
            continue
        metas = (data.get("Details") or {}).get("PEMetadata") or []
        metas = metas if isinstance(metas, list) else [metas]
        names = [m.get("Filename") for m in metas if isinstance(m, dict) and m.get("Filename")]
        exe = str(names[0]) if names else "program.exe"
        paths = [c for raw in (data.get("Details") or {}).get("InstallationPaths") or []
                 if ("\\" in str(raw)) and (c := concrete_path(str(raw), exe))]
        if paths:
            out.append((data["Name"], rng.choice(paths)))
    return out


def plant(root: Path, windows_path: str, content: bytes = b"MZ\x90\x00 planted for a test") -> None:
    dest = root / windows_path[3:].replace("\\", "/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(content)


def scan_image(root: Path, os_name: str) -> ScanResult:
    return run_scan(open_image(str(root), os_name), load_rules([shipped_rules_dir()]))  # type: ignore[arg-type]


def found_paths(result: ScanResult, feed_only: bool = False) -> set[str]:
    return {a.location.path.lower() for f in result.findings for a in f.artifacts
            if not feed_only or any(t.startswith("feed:") for t in f.rule.tags)}


def test_forty_planted_lolrmm_tools_are_found(feeds: Path, tmp_path: Path) -> None:
    candidates = lolrmm_plantings(feeds)
    assert len(candidates) == 85
    chosen = random.Random(2026).sample(candidates, 40)
    for _tool, path in chosen:
        plant(tmp_path, path)
    found = found_paths(scan_image(tmp_path, "windows"))
    missed = [(tool, path) for tool, path in chosen if path.lower() not in found]
    print(f"planted 40, found {40 - len(missed)}; missed: {missed}")
    assert len(missed) <= 4, missed


def test_portable_anydesk_in_downloads_is_found(tmp_path: Path) -> None:
    plant(tmp_path, "C:\\Users\\ana\\Downloads\\AnyDesk.exe")
    plant(tmp_path, "C:\\Users\\ana\\Desktop\\notes.txt", b"hello")
    result = scan_image(tmp_path, "windows")
    hits = [f for f in result.findings
            if any(a.location.path == "C:\\Users\\ana\\Downloads\\AnyDesk.exe" for a in f.artifacts)]
    assert [(f.severity, f.rule.category) for f in hits] == [("review", "remote_access")]
    art = next(a for a in hits[0].artifacts if a.kind == "program_file")
    assert (art.get("exe_name"), art.get("place"), art.get("user")) == ("anydesk.exe", "downloads", "ana")


# Ordinary programs at their real install paths (vendor installers' defaults) and installers in Downloads.
ORDINARY_WINDOWS = [
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    "C:\\Program Files\\Mozilla Firefox\\firefox.exe",
    "C:\\Program Files\\7-Zip\\7z.exe", "C:\\Program Files\\7-Zip\\7zFM.exe",
    "C:\\Program Files\\Notepad++\\notepad++.exe",
    "C:\\Program Files\\VideoLAN\\VLC\\vlc.exe",
    "C:\\Program Files (x86)\\WinSCP\\WinSCP.exe",
    "C:\\Program Files\\PuTTY\\putty.exe", "C:\\Program Files\\PuTTY\\pscp.exe",
    "C:\\Program Files\\PuTTY\\psftp.exe", "C:\\Program Files\\PuTTY\\pageant.exe",
    "C:\\Program Files (x86)\\NVDA\\nvda.exe", "C:\\Program Files (x86)\\NVDA\\nvda_slave.exe",
    "C:\\Users\\ana\\AppData\\Roaming\\nvda\\addons\\readme.exe",
    "C:\\Users\\ana\\AppData\\Local\\Temp\\nvda_update_2024.4.1\\nvda_2024.4.1.exe",
    "C:\\Users\\ana\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
    "C:\\Users\\ana\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe",
    "C:\\Users\\ana\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
    "C:\\Program Files\\LibreOffice\\program\\soffice.exe",
    "C:\\Program Files\\Git\\bin\\git.exe",
    "C:\\Users\\ana\\Downloads\\ChromeSetup.exe",
    "C:\\Users\\ana\\Downloads\\Firefox Installer.exe",
    "C:\\Users\\ana\\Downloads\\WinSCP-6.3.5-Setup.exe",
    "C:\\Users\\ana\\Downloads\\putty-64bit-0.81-installer.msi",
    "C:\\Users\\ana\\Downloads\\putty.exe",
    "C:\\Users\\ana\\Downloads\\nvda_2024.4.1.exe",
    "C:\\Users\\ana\\Downloads\\vlc-3.0.21-win64.exe",
    "C:\\Users\\ana\\Downloads\\npp.8.6.9.Installer.x64.exe",
    "C:\\Users\\ana\\Downloads\\python-3.12.4-amd64.exe",
    "C:\\Users\\ana\\Desktop\\setup.exe",
    "C:\\Windows\\explorer.exe", "C:\\Windows\\notepad.exe", "C:\\Windows\\HelpPane.exe",
    "C:\\Windows\\splwow64.exe", "C:\\Windows\\bfsvc.exe",
]
ORDINARY_MAC = ["Applications/Dash.app/Contents/MacOS/Dash", "Applications/Firefox.app/Contents/MacOS/firefox",
                "Applications/VLC.app/Contents/MacOS/VLC", "Applications/Zoom.us.app/Contents/MacOS/zoom.us",
                "Users/ana/Downloads/Dash.dmg", "Users/ana/Downloads/Firefox 128.0.dmg",
                "Users/ana/Applications/Dash.app/Contents/MacOS/Dash"]


def test_ordinary_programs_get_nothing_from_the_packs(tmp_path: Path) -> None:
    win, mac = tmp_path / "win", tmp_path / "mac"
    for path in ORDINARY_WINDOWS:
        plant(win, path)
    for rel in ORDINARY_MAC:
        (mac / rel).parent.mkdir(parents=True, exist_ok=True)
        (mac / rel).write_bytes(b"\xcf\xfa\xed\xfe ordinary")
    for root, os_name, count in ((win, "windows", len(ORDINARY_WINDOWS)), (mac, "macos", 7)):
        result = scan_image(root, os_name)
        files = [a for a in result.artifacts if a.kind == "program_file"]
        assert len(files) == count, [a.get("exe") for a in files]
        assert [f.rule.id for f in result.findings if f.severity == "alert"] == []
        pack = [f.rule.id for f in result.findings if any(t.startswith("feed:") for t in f.rule.tags)]
        assert pack == [], pack
