"""Compiled rule folders (rulepack.py): the compiled form stands for exactly the rules of its YAML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    assert all(r.samples._built is None for r in from_compiled.values())  # came from the compiled form
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
    # A compiled entry that is not what this program writes, or a damaged file, falls back to the YAML.
    data = json.loads((folder / COMPILED_NAME).read_text())
    for entry in data["files"]:
        for rule in entry["rules"]:
            rule["conditions"] = "not a list of conditions"
    (folder / COMPILED_NAME).write_text(json.dumps(data))
    assert {r.id for r in load_rules([folder]).rules} == set(edited)
    (folder / COMPILED_NAME).write_text("{not json")
    assert {r.id for r in load_rules([folder]).rules} == set(edited)


def test_the_wheel_hook_compiles_the_shipped_rules(tmp_path: Path) -> None:
    import hatch_build  # noqa: F401 - the hook module imports (hatchling is a test dependency)

    out = tmp_path / COMPILED_NAME
    compile_folder(Path(__file__).resolve().parent.parent / "rules", out)
    data = json.loads(out.read_text())
    assert data["format"] == "techcheck.compiled-rules/1"
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
    assert all(r.samples._built is None for r in installed)  # built from the compiled form
    assert compiled.parent.name == "lolrmm"
