"""Compiled rule folders (rulepack.py): the compiled form stands for exactly the rules of its YAML."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from techcheck.prefilter import literal_for
from techcheck.rulepack import COMPILED_NAME, CompiledRules, compile_folder
from techcheck.ruleset import Rule, load_rules, shipped_rules_dir
from tests.test_feed_pack import SHARED_FEEDS


def _same(a: Rule, b: Rule) -> None:
    assert (a.id, a.severity, a.category, a.platforms, a.texts, a.references, a.tags, a.line) == \
        (b.id, b.severity, b.category, b.platforms, b.texts, b.references, b.tags, b.line)
    assert [(c.kind, [(n, t.op, t.values) for n, t in c.tests], [(n, t.op, t.values) for n, t in c.exclude])
            for c in a.conditions] == \
        [(c.kind, [(n, t.op, t.values) for n, t in c.tests], [(n, t.op, t.values) for n, t in c.exclude])
         for c in b.conditions]
    assert [x.to_dict() for x in a.positive_samples] == [x.to_dict() for x in b.positive_samples]
    assert [x.to_dict() for x in a.negative_samples] == [x.to_dict() for x in b.negative_samples]
    for art in a.positive_samples:  # the compiled rule matches what the YAML rule matches
        assert b.matches(art)
    for art in a.negative_samples:
        assert not b.matches(art)


def test_compiled_shipped_rules_equal_their_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), folder, ignore=shutil.ignore_patterns(COMPILED_NAME))
    from_yaml = {r.id: r for r in load_rules([folder]).rules}
    count = compile_folder(folder)
    assert count == len(from_yaml) > 150
    compiled = CompiledRules.read(folder.resolve())
    assert compiled is not None and len(compiled.entries) == len(list(folder.rglob("*.yaml")))
    from_compiled = {r.id: r for r in load_rules([folder]).rules}
    assert all(r.details._details is None for r in from_compiled.values())  # came from the compiled form
    assert from_compiled.keys() == from_yaml.keys()
    for rule_id, rule in from_yaml.items():
        _same(rule, from_compiled[rule_id])


def test_a_changed_yaml_file_is_read_again_and_a_damaged_compiled_form_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir() / "linux", folder)
    compile_folder(folder)
    target = folder / "xrdp.yaml"
    original = {r.id: r for r in load_rules([folder]).rules}
    text = target.read_text().replace("severity: review", "severity: info", 1)
    target.write_text(text)  # edited after compiling: the YAML wins
    edited = {r.id: r for r in load_rules([folder]).rules}
    changed = [i for i in edited if edited[i].severity != original[i].severity]
    assert changed and all(edited[i].source_file == str(target) for i in changed)
    # A compiled form changed in any way after it was written, one that is not what this program
    # writes (an older format, entries of the wrong shape), or a damaged file: the YAML is read.
    compiled = folder / COMPILED_NAME
    good = compiled.read_bytes()
    head, index, details = good.split(b"\n", 2)
    assert json.loads(head)["format"] == "techcheck.compiled-rules/3"

    def loads_from_yaml(blob: bytes) -> None:
        compiled.write_bytes(blob)
        rules = load_rules([folder]).rules
        assert {r.id for r in rules} == set(edited)
        assert all(r.details._details is not None for r in rules)  # read from the YAML, not compiled

    loads_from_yaml(good.replace(b'"severity":"review"', b'"severity":"info"', 1))  # edited: checksum differs
    loads_from_yaml(good[:-100])  # cut short
    data = json.loads(index)
    for entry in data["files"]:
        for rule in entry["rules"]:
            rule["conditions"] = "not a list of conditions"
    body = json.dumps(data).encode() + b"\n" + details
    loads_from_yaml(json.dumps({"format": "techcheck.compiled-rules/3",
                                "sha256": hashlib.sha256(body).hexdigest()}).encode() + b"\n" + body)
    loads_from_yaml(json.dumps({"format": "techcheck.compiled-rules/1", "files": []}).encode())
    loads_from_yaml(b"{not json")


def test_a_compiled_folder_decodes_only_the_details_of_rules_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir() / "linux", folder)
    compile_folder(folder)
    rules = load_rules([folder]).rules
    assert all(r.details._details is None for r in rules)
    first = rules[0]
    assert first.text("en").title and first.references
    assert first.details._details is not None and all(r.details._details is None for r in rules[1:])
    # The prefilter literals came from the file, and are the ones the engine would work out.
    tests = [t for r in rules for c in r.conditions for _, t in c.tests if t.op in ("glob", "path", "regex")]
    assert tests and all(t.literal_pieces is not None for t in tests)
    assert [t.literal_pieces for t in tests] == [tuple(literal_for(t.op, v) for v in t.values) for t in tests]


def test_the_wheel_hook_compiles_the_shipped_rules(tmp_path: Path) -> None:
    import hatch_build  # noqa: F401 - the hook module imports (hatchling is a test dependency)

    out = tmp_path / COMPILED_NAME
    compile_folder(Path(__file__).resolve().parent.parent / "rules", out)
    head, index, _details = out.read_bytes().split(b"\n", 2)
    assert json.loads(head)["format"] == "techcheck.compiled-rules/3"
    data = json.loads(index)
    assert sum(len(f["rules"]) for f in data["files"]) == len(load_rules([shipped_rules_dir()]).rules)


def test_an_installed_pack_is_stored_compiled_and_scans_read_it(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest
    from click.testing import CliRunner

    from techcheck.cli import cli
    from techcheck.packs import rule_paths

    if not (SHARED_FEEDS / "README.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs with ../shared beside the repository; ../shared/feeds is missing")
        pytest.skip("../shared/feeds is not beside this clone")
    user = tmp_path / "user-rules"
    monkeypatch.setenv("TECHCHECK_USER_RULES", str(user))
    feed = SHARED_FEEDS / "lolrmm" / "yaml"
    res = CliRunner().invoke(cli, ["rules", "import", "--format", "lolrmm", "--install", str(feed)])
    assert res.exit_code == 0, res.output
    [compiled] = list(user.rglob(COMPILED_NAME))
    rules = load_rules(rule_paths(shipped_rules_dir(), [], user)).rules
    installed = [r for r in rules if str(user) in r.source_file]
    assert len(installed) > 200
    assert all(r.details._details is None for r in installed)  # built from the compiled form
    assert compiled.parent.name == "lolrmm"
