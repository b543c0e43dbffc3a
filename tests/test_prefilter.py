"""The literal prefilter: what it extracts, and that the engine with it finds exactly what checking
every rule against every artifact finds, on random rules and artifacts (hostile letters included)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techcheck.artifacts import make
from techcheck.engine import Matcher
from techcheck.prefilter import glob_literal, path_literal, regex_literal
from techcheck.ruleset import parse_rule_file


def test_literals() -> None:
    assert path_literal("**/AnyDesk/AnyDesk.exe") == "/anydesk/anydesk.exe"
    assert path_literal("C:\\Program Files\\*\\agent.exe") == "c:/program files/"
    assert glob_literal("*teamviewer*.exe") == "teamviewer"
    assert glob_literal("a[bc]d*") == ""  # pieces shorter than three letters are no help
    assert regex_literal(r"tool(svc)?\.exe\s+--connect") == "--connect"
    assert regex_literal(r"--password=\S+") == "--password="
    assert regex_literal(r"^(a+)+$") == ""
    assert regex_literal(r"evil|good") == ""  # no piece is required by both branches
    assert regex_literal(r"(?i)InvokeWebRequest") == "invokewebrequest"
    assert regex_literal(r"x{[") == ""  # unsure: no literal (RE2 decides whether it is valid)
    assert path_literal("**/straße/*") == ""  # not ASCII: the test stays on the plain list


# Letters chosen to attack the prefilter: case, the long s and the Kelvin sign (RE2 folds them to
# s and k), a dotted capital I, path separators and wildcard characters.
LETTERS = "abkKsS\u017f\u212aI\u0130/\\.-_ x"
pieces = st.text(alphabet=LETTERS, min_size=0, max_size=6)


@st.composite
def random_rule(draw, i: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    op = draw(st.sampled_from(["glob", "path", "regex", "contains"]))
    parts = draw(st.lists(pieces, min_size=1, max_size=3))
    if op == "glob":
        value = "*".join(parts)
    elif op == "path":
        value = draw(st.sampled_from(["**", "*", "?"])).join(parts)
    elif op == "regex":
        value = ".*".join("".join("\\" + c if c in ".\\" else c for c in p) for p in parts)
    else:
        value = "".join(parts) or "x"
    field = draw(st.sampled_from(["command", "exe", "name"]))
    return {"id": f"r.rule-{i}", "severity": "review", "category": "persistence", "platforms": ["any"],
            "text": {"en": {"title": "T", "what": "w", "why": "w", "actions": ["a"], "normal": "n"}},
            "match": [{"kind": "autostart", field: {op: value}}]}


# Look-alikes that a case-insensitive match treats as the same letter, and Windows separators.
SWAPS = {"s": ["S", "\u017f"], "k": ["K", "\u212a"], "/": ["\\"], "i": ["I"], "a": ["A"], "x": ["X"]}


@st.composite
def near_text(draw, value: str) -> str:  # type: ignore[no-untyped-def]
    """A text made from a rule's value: wildcards filled in, some letters swapped for look-alikes."""
    out = []
    for c in value.replace(".*", "*"):
        if c in "*?":
            out.append(draw(pieces) if c == "*" else draw(st.sampled_from("abs")))
        elif c == "\\" and out and out[-1] != "\\":
            continue  # a regex escape
        elif c in SWAPS and draw(st.booleans()):
            out.append(draw(st.sampled_from(SWAPS[c])))
        else:
            out.append(c)
    return draw(pieces) + "".join(out) + draw(pieces)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_engine_with_prefilter_agrees_with_brute_force(data) -> None:  # type: ignore[no-untyped-def]
    rules_raw = [data.draw(random_rule(i)) for i in range(data.draw(st.integers(1, 8)))]
    rules, problems = parse_rule_file("random.yaml", yaml.safe_dump(rules_raw, allow_unicode=True))
    assert problems == [], problems
    values = [next(iter(next(v for k, v in r["match"][0].items() if k != "kind").values())) for r in rules_raw]
    texts = st.one_of(st.text(alphabet=LETTERS, max_size=24), st.sampled_from(values).flatmap(near_text))
    arts = [make("autostart", command=data.draw(texts), exe=data.draw(texts), name=data.draw(texts))
            for _ in range(data.draw(st.integers(0, 10)))]
    found = {(f.rule.id, id(a)) for f in Matcher.build(rules).match(arts) for a in f.artifacts}
    brute = {(r.id, id(a)) for r in rules for a in arts if r.matches(a)}
    assert found == brute


def test_windows_paths_and_look_alike_letters_are_found_through_the_prefilter() -> None:
    text = {"en": {"title": "T", "what": "w", "why": "w", "actions": ["a"], "normal": "n"}}
    raw = [{"id": "r.path", "severity": "review", "category": "remote_access", "platforms": ["any"], "text": text,
            "match": [{"kind": "autostart", "exe": {"path": "**/Vendor/Tool/tool.exe"}}]},
           {"id": "r.regex", "severity": "review", "category": "remote_access", "platforms": ["any"], "text": text,
            "match": [{"kind": "autostart", "command": {"regex": "sshd --listen"}}]}]
    rules, problems = parse_rule_file("r.yaml", yaml.safe_dump(raw))
    assert problems == []
    windows = make("autostart", exe="C:\\Program Files\\VENDOR\\Tool\\TOOL.EXE")
    long_s = make("autostart", command="/opt/\u017f\u017fhd --LISTEN")  # RE2 folds the long s to s
    found = {(f.rule.id, a.get("exe") or a.get("command")) for f in Matcher.build(rules).match([windows, long_s])
             for a in f.artifacts}
    assert found == {("r.path", windows.get("exe")), ("r.regex", long_s.get("command"))}
    assert all(r.matches(a) for r, a in zip(rules, (windows, long_s), strict=True))  # the brute-force answer
