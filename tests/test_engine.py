"""The indexed matcher gives the same answers as checking every rule against every artifact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from techcheck.artifacts import make
from techcheck.engine import Matcher
from techcheck.ruleset import parse_rule_file

RULES = """\
- id: t.exact
  severity: alert
  category: rat
  platforms: [any]
  text: {en: {title: A, what: a, why: a, actions: [a]}}
  match:
    - {kind: app, package: [evil, Spy-Agent]}
    - {kind: process, exe_name: evil.exe}
- id: t.glob
  severity: review
  category: persistence
  platforms: [any]
  text: {en: {title: B, what: b, why: b, actions: [b], normal: b}}
  match:
    - {kind: autostart, command: {path: "**/tmp/**"}, enabled: true}
- id: t.domain
  severity: review
  category: indicator
  platforms: [any]
  text: {en: {title: C, what: c, why: c, actions: [c], normal: c}}
  match:
    - {kind: web_visit, domain: {domain: spy.example}}
"""


def rules():  # type: ignore[no-untyped-def]
    rs, probs = parse_rule_file("r.yaml", RULES)
    assert probs == []
    return rs


words = st.sampled_from(["evil", "EVIL", "spy-agent", "vim", "good", "/tmp/x", "/usr/bin/x", "C:\\tmp\\y"])
hosts = st.sampled_from(["spy.example", "www.spy.example", "notspy.example", "example", "a.b.spy.example"])


@st.composite
def artifacts(draw):  # type: ignore[no-untyped-def]
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return make("app", package=draw(words))
    if choice == 1:
        return make("process", exe=draw(words) + draw(st.sampled_from([".exe", ""])))
    if choice == 2:
        return make("autostart", command=draw(words), enabled=draw(st.booleans()))
    return make("web_visit", url=f"https://{draw(hosts)}/page")


@settings(max_examples=200, deadline=None)
@given(st.lists(artifacts(), max_size=12))
def test_index_agrees_with_brute_force(arts) -> None:  # type: ignore[no-untyped-def]
    rs = rules()
    found = {(f.rule.id, id(a)) for f in Matcher.build(rs).match(arts) for a in f.artifacts}
    brute = {(r.id, id(a)) for r in rs for a in arts if r.matches(a)}
    assert found == brute


def test_findings_group_artifacts_per_rule_and_sort_by_severity() -> None:
    rs = rules()
    arts = [make("autostart", command="/tmp/a", enabled=True), make("app", package="EVIL"),
            make("process", exe="C:\\x\\Evil.exe"), make("web_visit", url="http://www.spy.example/")]
    findings = Matcher.build(rs).match(arts)
    assert [f.rule.id for f in findings] == ["t.exact", "t.domain", "t.glob"]  # severity, category, id
    assert len(findings[0].artifacts) == 2


def test_shipped_packs_match_through_the_index_as_by_trying_every_rule() -> None:
    """The shipped packs' install-folder patterns and name globs go through the literal prefilter: the
    indexed matcher must find exactly what trying every shipped rule on every artifact finds."""
    from techcheck.ruleset import load_rules, shipped_rules_dir

    rules = [r for r in load_rules([shipped_rules_dir()]).rules if r.applies_to("windows")]
    paths = ["C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", "C:\\Users\\ana\\Downloads\\SunloginClient_15.exe",
             "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe", "c:\\program files\\anydesk\\x.exe",
             "C:\\ProgramData\\ngrok\\ngrok.exe", "C:\\Program Files (x86)\\ScreenConnect Client (ab12)\\x.exe",
             "C:\\Program Files\\Mozilla Firefox\\firefox.exe", "C:\\Users\\ana\\AppData\\Roaming\\Mikogo\\m.exe",
             "C:\\Program Files\\TightVNC\\tvnserver.exe", "C:\\Program Files\\TightVNC\\tvnviewer.exe"]
    arts = [make(kind, exe=p) for p in paths for kind in ("program_file", "process", "autostart")]
    arts += [make("app", install_path=p.rsplit("\\", 1)[0]) for p in paths]
    found = {(f.rule.id, id(a)) for f in Matcher.build(rules).match(arts) for a in f.artifacts}
    brute = {(r.id, id(a)) for r in rules for a in arts if r.matches(a)}
    assert found == brute and len(brute) > 20
