"""Feed importers: small feed files in the real formats -> rule folder -> scan of a disk image -> finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.artifacts import make
from techcheck.cli import EXIT_USAGE, cli
from techcheck.feeds import FeedError, import_feed
from techcheck.feeds.assoechap import parse_stix_pattern
from techcheck.feeds.lolrmm_paths import translate
from techcheck.lint import english_text
from techcheck.ruleset import load_rules, sample_problems
from tests.conftest import write

IOC_YAML = """\
- name: DemoSpy
  names:
  - DemoSpy
  - SpyDemo Pro
  type: stalkerware
  packages:
  - com.demospy.app
  - com.demospy.helper
  certificates:
  - 31A6ECECD97CF39BC4126B8745CD94A7C30BF81C
  websites:
  - demospy.com
  distribution:
  - dl.demospy.net
  c2:
    ips:
    - 198.51.100.20
    domains:
    - sync.demospy-cloud.com

- name: FamilyWatch
  type: watchware
  packages:
  - com.familywatch.kids
  websites:
  - familywatch.example
"""

LOLRMM_YAML = r"""Name: DemoDesk
Category: RMM
Description: 'DemoDesk is a remote monitoring and management (RMM) tool.'
Details:
    Website: https://demodesk.example/en
    PEMetadata:
        - Filename: demodesk.exe
          OriginalFileName: DemoDesk.exe
          Description: DemoDesk
          Product: DemoDesk
    InstallationPaths:
        - C:\Program Files (x86)\DemoDesk\*
        - demodesk-*.exe
        - /Applications/DemoDesk.app
Artifacts:
    Disk:
        - File: '%programdata%\DemoDesk\ad_svc.trace'
          Description: N/A
          OS: Windows
    EventLog:
        - EventID: 7045
          ProviderName: Service Control Manager
          ServiceName: DemoDesk Service
    Registry:
        - Path: HKLM\SYSTEM\CurrentControlSet\Services\DemoDesk
        - Path: HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\DemoDesk
        - Path: HKLM\SOFTWARE\Classes\DemoDesk\shell\open\command
    Network:
        - Description: N/A
          Domains:
              - '*.demodesk.example'
          Ports:
              - 443
              - 7070
"""

# The older LOLRMM shape: PEMetadata as a mapping, Network items with Domain/Port values.
LOLRMM_OLD_YAML = """\
Name: OldTool
Details:
  PEMetadata:
    Filename: oldtool.exe
    OriginalFileName: ''
  InstallationPaths: []
Artifacts:
  Network:
    - Domain: '*.oldtool.example'
      Port: N/A
"""


def stix_bundle() -> dict:
    def indicator(n: int, pattern: str) -> dict:
        return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{n}", "pattern": pattern,
                "pattern_type": "stix", "indicator_types": ["malicious-activity"]}

    def link(n: int, target: str) -> dict:
        return {"type": "relationship", "id": f"relationship--{n}", "relationship_type": "indicates",
                "source_ref": f"indicator--{n}", "target_ref": target}

    return {"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "malware", "spec_version": "2.1", "id": "malware--a", "name": "stixspy",
         "description": "Stalkerware applications", "is_family": False},
        indicator(1, "[domain-name:value = 'panel.stixspy.com']"), link(1, "malware--a"),
        indicator(2, "[domain-name:value='stixspy.com']"), link(2, "malware--a"),
        indicator(3, "[app:id = 'com.stixspy.android']"), link(3, "malware--a"),
        indicator(4, "[file:hashes.'SHA-256' = '" + "ab" * 32 + "']"), link(4, "malware--a"),
        indicator(5, "[file:hashes.sha256='" + "cd" * 32 + "']"), link(5, "malware--a"),
    ]}


def windows_image(root: Path, hosts: str) -> Path:
    write(root, "Windows/System32/drivers/etc/hosts", hosts)
    (root / "Users/ana").mkdir(parents=True)
    return root


def scan_json(root: Path, rules: Path) -> dict:
    res = CliRunner().invoke(cli, ["scan", "--root", str(root), "--rules", str(rules), "--format", "json",
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("fmt, name, content", [
    ("assoechap-yaml", "ioc.yaml", IOC_YAML),
    ("assoechap-stix", "stalkerware.stix2", json.dumps(stix_bundle())),
    ("lolrmm", "demodesk.yaml", LOLRMM_YAML),
])
def test_import_then_scan_finds_planted_hosts_entry(tmp_path: Path, fmt: str, name: str, content: str) -> None:
    feed = write(tmp_path, name, content)
    out = tmp_path / "rules"
    res = CliRunner().invoke(cli, ["rules", "import", "--format", fmt, str(feed), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "not usable on a computer" in res.output
    host = {"assoechap-yaml": "sync.demospy-cloud.com", "assoechap-stix": "panel.stixspy.com",
            "lolrmm": "relay.demodesk.example"}[fmt]
    root = windows_image(tmp_path / "img", f"127.0.0.1 localhost\n203.0.113.9 {host}\n")
    report = scan_json(root, out)
    hits = [f for f in report["findings"] if f["rule_id"].startswith("import.")]
    assert len(hits) == 1, report["findings"]
    assert hits[0]["evidence"][0]["fields"]["hostname"] == host
    assert hits[0]["severity"] == ("review" if fmt == "lolrmm" else "alert")


@pytest.mark.parametrize("fmt, name, content", [
    ("assoechap-yaml", "ioc.yaml", IOC_YAML),
    ("assoechap-stix", "stalkerware.stix2", json.dumps(stix_bundle())),
    ("lolrmm", "demodesk.yaml", LOLRMM_YAML),
])
def test_import_summary_speaks_the_chosen_language(tmp_path: Path, fmt: str, name: str, content: str) -> None:
    """The importer's reasons (what was left out and why) are messages: English words in the summary,
    shown in the language of `rules import --lang`."""
    from techcheck.i18n import Words

    feed = write(tmp_path, name, content)
    summary = import_feed(fmt, [feed], tmp_path / "first")
    reasons = [*summary.unusable, *summary.skipped]
    assert reasons and all(isinstance(r, Words) for r in reasons)
    outputs = {}
    for lang in ("en", "es"):
        res = CliRunner().invoke(cli, ["rules", "import", "--format", fmt, str(feed), "--output",
                                       str(tmp_path / lang), "--lang", lang])
        assert res.exit_code == 0, res.output
        outputs[lang] = res.output
    for r in reasons:
        assert str(r) in outputs["en"] and str(r) not in outputs["es"], r
        assert r.text("es") in outputs["es"]
    assert "not usable on a computer" in outputs["en"] and "que no sirven en una computadora" in outputs["es"]
    assert "Wrote" not in outputs["es"] and "Use them with" not in outputs["es"]


def test_blocked_names_in_hosts_file_are_not_findings(tmp_path: Path) -> None:
    """People add stalkerware block lists to their hosts file: 0.0.0.0 entries protect, they do not spy."""
    out = tmp_path / "rules"
    import_feed("assoechap-yaml", [write(tmp_path, "ioc.yaml", IOC_YAML)], out)
    root = windows_image(tmp_path / "img", "0.0.0.0 demospy.com\n127.0.0.1 dl.demospy.net\n::1 demospy.com\n")
    report = scan_json(root, out)
    assert not [f for f in report["findings"] if f["rule_id"].startswith("import.")]


def test_ioc_yaml_rules_match_desktop_facts_and_not_android_ids(tmp_path: Path) -> None:
    out = tmp_path / "rules"
    summary = import_feed("assoechap-yaml", [write(tmp_path, "ioc.yaml", IOC_YAML)], out)
    assert summary.rules == 3  # DemoSpy (downloads, hosts, servers), DemoSpy visits, FamilyWatch
    assert summary.unusable == {"Android certificates": 1, "Android packages": 3,
                                "app names of phone apps (the feed names no computer system)": 3}
    rules = load_rules([out])
    assert not sample_problems(rules)
    demo = rules.by_id("import.assoechap.demospy")
    visits = rules.by_id("import.assoechap.demospy-visits")
    watch = rules.by_id("import.assoechap.familywatch")
    assert (demo.severity, demo.category) == ("alert", "stalkerware")
    assert (visits.severity, visits.category) == ("review", "stalkerware")
    assert (watch.severity, watch.category) == ("review", "monitoring")
    # Phone app titles are not computer program names (a Mac app may share the name).
    assert not demo.matches(make("app", name="SpyDemo Pro"))
    assert demo.matches(make("web_visit", url="https://www.demospy.com/setup.exe", visit_type="download"))
    assert not demo.matches(make("web_visit", url="https://www.demospy.com/pricing", visit_type="history"))
    assert visits.matches(make("web_visit", url="https://www.demospy.com/pricing", visit_type="history"))
    assert demo.matches(make("connection", remote_address="198.51.100.20"))
    assert demo.matches(make("hosts_entry", hostname="sync.demospy-cloud.com", address="198.51.100.9"))
    assert not demo.matches(make("web_visit", url="https://notdemospy.com/", visit_type="download"))
    # Android app ids are not matched on a computer, whatever field they could land in.
    assert not demo.matches(make("app", package="com.demospy.app"))
    assert not demo.matches(make("app", bundle_id="com.demospy.app"))
    assert "spyware" not in english_text(watch).lower()  # watchware is visible monitoring: review wording
    assert "spyware" not in english_text(visits).lower()


def test_ioc_names_match_programs_when_the_feed_names_a_computer_system(tmp_path: Path) -> None:
    feed = write(tmp_path, "ioc.yaml", "- name: DeskSpy\n  type: stalkerware\n  platforms: [windows]\n"
                                       "  websites: [deskspy.example]\n")
    import_feed("assoechap-yaml", [feed], tmp_path / "out")
    rule = load_rules([tmp_path / "out"]).by_id("import.assoechap.deskspy")
    assert rule.platforms == ("windows",)
    assert rule.matches(make("app", name="DeskSpy"))


def test_lolrmm_rules_match_install_facts(tmp_path: Path) -> None:
    out = tmp_path / "rules"
    feeds = [write(tmp_path, "demodesk.yaml", LOLRMM_YAML), write(tmp_path, "old.yml", LOLRMM_OLD_YAML)]
    summary = import_feed("lolrmm", feeds, out)
    assert summary.rules == 2
    rules = load_rules([out])
    demo = rules.by_id("import.lolrmm.demodesk")
    assert demo.severity == "review" and demo.category == "remote_access"
    assert demo.matches(make("service", name="DemoDesk Service"))
    assert demo.matches(make("service", name="demodesk"))
    assert demo.matches(make("app", package="DemoDesk"))
    assert demo.matches(make("app", install_path="C:\\Program Files (x86)\\DemoDesk"))
    assert demo.matches(make("autostart", exe="C:\\Program Files (x86)\\DemoDesk\\DemoDesk.exe"))
    assert demo.matches(make("process", exe="C:\\Users\\ana\\Downloads\\demodesk-1234.exe"))
    assert demo.matches(make("program_file", exe="C:\\Users\\ana\\Downloads\\DemoDesk.exe"))
    assert demo.matches(make("app", install_path="/Applications/DemoDesk.app"))
    assert demo.matches(make("listener", port=7070, exe="C:\\x\\demodesk.exe"))
    assert not demo.matches(make("listener", port=7070, exe="C:\\x\\other.exe"))  # never a port alone
    assert not demo.matches(make("listener", port=443, exe="C:\\x\\demodesk.exe"))  # 443 says nothing
    assert demo.matches(make("web_visit", url="https://get.demodesk.example/x.exe", visit_type="download"))
    assert not demo.matches(make("web_visit", url="https://get.demodesk.example/", visit_type="history"))
    assert not demo.matches(make("app", install_path="C:\\Program Files (x86)\\DemoDesktop"))
    old = rules.by_id("import.lolrmm.old")  # ids come from the file name (stable when names repeat)
    assert old.matches(make("process", exe="C:\\oldtool.exe"))


def test_stix_patterns_and_grouping(tmp_path: Path) -> None:
    assert parse_stix_pattern("[domain-name:value = 'a.com']") == ("domain-name", "value", "a.com")
    assert parse_stix_pattern("[file:hashes.'SHA-256' = 'ab']") == ("file", "hashes.sha-256", "ab")
    assert parse_stix_pattern("[a:b = 'x'] AND [c:d = 'y']") is None
    out = tmp_path / "rules"
    summary = import_feed("assoechap-stix", [write(tmp_path, "s.stix2", json.dumps(stix_bundle()))], out)
    assert summary.unusable == {"Android app ids": 1}
    assert summary.indicators_used == 4
    rules = load_rules([out])
    rule = rules.by_id("import.assoechap-stix.stixspy")
    assert rule.matches(make("file", sha256="ab" * 32))
    assert rule.matches(make("web_visit", url="http://stixspy.com/x.apk", visit_type="download"))
    assert not rule.matches(make("web_visit", url="http://stixspy.com/", visit_type="history"))
    assert rules.by_id("import.assoechap-stix.stixspy-visits").severity == "review"


@pytest.mark.parametrize("fmt, name, content, expected", [
    ("assoechap-yaml", "ioc.yaml", "- name: A\n  websites: [a.com]\n- name: B\n  websites: b.com\n",
     "ioc.yaml:4: entry 2 (B): 'websites' must be a list"),
    ("assoechap-yaml", "ioc.yaml", "- name: A\n  websites: [a.com\n", "ioc.yaml:3: not valid YAML"),
    ("assoechap-yaml", "ioc.yaml", "- websites: [a.com]\n", "ioc.yaml:1: entry 1: missing 'name'"),
    ("assoechap-stix", "s.json", '{"type": "bundle",\n "objects": [\n', "s.json:3: not valid JSON"),
    ("assoechap-stix", "s.json", "[" * 100_000, "not valid JSON: nested too deeply"),
    ("assoechap-stix", "s.json", '{"type": "bundle", "objects": [{"type": "indicator", "id": "i--1"}]}',
     "object 1 (i--1): an indicator needs a text 'pattern'"),
    ("lolrmm", "t.yaml", "Name: T\nDetails:\n\t- x\n", "t.yaml:3: not valid YAML"),
    ("lolrmm", "t.yaml", "Category: RMM\n", "t.yaml:1: expected a LOLRMM tool"),
])
def test_malformed_feed_files_give_clear_errors_and_write_nothing(
        tmp_path: Path, fmt: str, name: str, content: str, expected: str) -> None:
    good = write(tmp_path, "good/ok.yaml", LOLRMM_YAML if fmt == "lolrmm" else IOC_YAML)
    bad = write(tmp_path, name, content)
    out = tmp_path / "out"
    inputs = [str(good), str(bad)] if fmt != "assoechap-stix" else [str(bad)]
    res = CliRunner().invoke(cli, ["rules", "import", "--format", fmt, *inputs, "--output", str(out)])
    assert res.exit_code == EXIT_USAGE
    assert "nothing was imported" in res.stderr and expected in res.stderr, res.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_existing_output_is_kept_unless_replace(tmp_path: Path) -> None:
    feed = write(tmp_path, "ioc.yaml", IOC_YAML)
    out = tmp_path / "rules"
    write(out, "mine.yaml", "# a clinic's own rules\n")
    with pytest.raises(FeedError, match="already exists"):
        import_feed("assoechap-yaml", [feed], out)
    assert (out / "mine.yaml").exists()
    # A folder techcheck did not write is never replaced, even with --replace (issue 13).
    with pytest.raises(FeedError, match="not written by `techcheck rules import`"):
        import_feed("assoechap-yaml", [feed], out, replace=True)
    assert (out / "mine.yaml").exists()
    imported = tmp_path / "imported"
    import_feed("assoechap-yaml", [feed], imported)
    (imported / "stale.yaml").write_text("# left from an older import\n")
    import_feed("assoechap-yaml", [feed], imported, replace=True)
    assert not (imported / "stale.yaml").exists() and len(list(imported.glob("*.yaml"))) == 3


def test_folder_input_reads_only_feed_files(tmp_path: Path) -> None:
    write(tmp_path, "lolrmm/yaml/demodesk.yaml", LOLRMM_YAML)
    write(tmp_path, "lolrmm/yaml/correct_dates.py", "print('not a feed file')\n")
    summary = import_feed("lolrmm", [tmp_path / "lolrmm"], tmp_path / "out")
    assert summary.rules == 1


@pytest.mark.parametrize("raw, folder, name, file_path, problem", [
    ("C:\\Program Files (x86)\\AnyDesk\\*", "**/Program Files (x86)/AnyDesk", "", "", ""),
    ("C:\\Program Files (x86)\\ScreenConnect Client (<string ID>)\\*",
     "**/Program Files (x86)/ScreenConnect Client (*)", "", "", ""),
    ("*\\ManageEngine\\*", "**/ManageEngine", "", "", ""),  # a leading * is any folder, not one
    ("%programdata%\\Tool\\agent.exe", "", "agent.exe", "**/ProgramData/Tool/agent.exe", ""),
    ("%AppData%\\Mikogo\\", "**/Users/*/AppData/Roaming/Mikogo", "", "", ""),
    ("C:\\Users\\USERNAME\\AppData\\Roaming\\Insync\\App\\Insync.exe", "", "insync.exe",
     "**/Users/*/AppData/Roaming/Insync/App/Insync.exe", ""),
    ("C:\\Users\\IEUser\\Downloads\\WinSCP-5.21.6-Portable\\*", "**/Users/*/Downloads/WinSCP-5.21.6-Portable",
     "", "", ""),
    ("*\\putty.exe", "", "putty.exe", "", ""),  # too broad as a path: the exact name is kept
    ("C:\\*\\kitty.exe", "", "kitty.exe", "", ""),
    ("*\\setup.exe", "", "", "", "generic program names without a folder"),
    ("C:\\*", "", "", "", "install paths too broad"),
    ("C:\\Program Files\\Remotely\\etag.txt", "**/Program Files/Remotely", "", "", ""),
    ("C:\\Windows\\Lunixar.dll", "", "", "", "file names that are not programs (.dll, .log, .xml ...)"),
])
def test_install_path_translation(raw: str, folder: str, name: str, file_path: str, problem: str) -> None:
    fact = translate(raw)
    assert (fact.folder, fact.file_name, fact.file_path, fact.problem) == (folder, name, file_path, problem)


@pytest.mark.parametrize("raw, path", [
    ("*\\ManageEngine\\*", "C:\\Program Files\\ManageEngine\\UEMS_Agent\\bin\\dcagentservice.exe"),
    ("%AppData%\\Mikogo\\", "C:\\Users\\ana\\AppData\\Roaming\\Mikogo\\mikogo.exe"),
    ("C:\\Users\\USERNAME\\AppData\\Roaming\\Insync\\App\\Insync.exe",
     "C:\\Users\\ana\\AppData\\Roaming\\Insync\\App\\Insync.exe"),
    ("%ProgramFiles%\\Tool\\", "C:\\Program Files\\Tool\\tool.exe"),
])
def test_translated_paths_match_real_windows_paths(tmp_path: Path, raw: str, path: str) -> None:
    feed = write(tmp_path, "t.yaml", f"Name: T\nDetails:\n  InstallationPaths:\n    - '{raw}'\n")
    import_feed("lolrmm", [feed], tmp_path / "out")
    rule = load_rules([tmp_path / "out"]).by_id("import.lolrmm.t")
    assert rule.matches(make("program_file", exe=path))
    assert not rule.matches(make("program_file", exe=path.replace("\\Users\\ana", "\\Other").replace("Tool", "Toolx")
                                 .replace("ManageEngine", "Manage").replace("Mikogo", "Mik").replace("Insync", "Ins")))


def test_imported_rules_pass_the_lint(tmp_path: Path, grade) -> None:  # type: ignore[no-untyped-def]
    """Generic imported texts are plain, safe and dual-use aware, like the shipped rules."""
    from techcheck.lint import lint_rules

    out_ioc, out_rmm, out_stix = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    import_feed("assoechap-yaml", [write(tmp_path, "ioc.yaml", IOC_YAML)], out_ioc)
    import_feed("lolrmm", [write(tmp_path, "t.yaml", LOLRMM_YAML)], out_rmm)
    import_feed("assoechap-stix", [write(tmp_path, "s.json", json.dumps(stix_bundle()))], out_stix)
    rules = load_rules([out_ioc, out_rmm, out_stix]).rules  # three imports load together: ids never clash
    assert len(rules) == 6
    issues = lint_rules(rules, grade)
    assert not issues, "\n".join(str(i) for i in issues)
