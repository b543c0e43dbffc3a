"""scripts/convert_save_actions.py on a temporary copy of a shipped rule file, written as it was before
the save actions were marked: the script gives back the shipped file, character for character."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from techcheck.ruleset import parse_rule_file
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "convert_save_actions.py"
SHIPPED = REPO / "rules" / "windows" / "remote-access.yaml"


def run(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_a_shipped_rule_file_before_the_conversion_comes_back_as_shipped(tmp_path: Path) -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    assert shipped.count("- save_report: ") == 10
    old = tmp_path / "remote-access.yaml"
    old.write_text(shipped.replace("- save_report: ", "- "), encoding="utf-8")
    rules, problems = parse_rule_file(str(old), old.read_text(encoding="utf-8"))
    assert problems == [] and not any("save_report" in r.text(lang).action_ids for r in rules for lang in r.texts)
    done = run(old)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "1 changed", "")
    assert old.read_text(encoding="utf-8") == shipped
    again = run(old)  # converting a converted file changes nothing
    assert (again.returncode, again.stdout.strip()) == (0, "1 unchanged")


def test_a_flow_list_and_a_file_that_does_not_load(tmp_path: Path) -> None:
    parts = SHIPPED.read_text(encoding="utf-8").split("\n- id:")
    first = f"{parts[0]}\n- id:{parts[1]}\n"  # the file's first rule
    block = ("      actions:\n"
             "        - Think about whether you or someone you trust turned this on, for work or for help.\n"
             "        - save_report: Save this report before you change anything, so you keep a record.\n"
             "        - Talk with an advocate or a trusted helper about turning it off and changing your passwords.\n")
    assert first.count(block) == 1
    flow = tmp_path / "flow.yaml"
    flow.write_text(first.replace(block, "      actions: [Ask who turned it on., Save this report first.]\n"),
                    encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nseverity: loud\n", encoding="utf-8")
    done = run(flow, broken)
    assert done.returncode == 1
    assert f"{broken}: left alone: it does not load" in done.stderr
    assert "      actions: [Ask who turned it on., {save_report: Save this report first.}]\n" in flow.read_text(
        encoding="utf-8")
    assert done.stdout.strip() == "1 changed, 1 left alone"
