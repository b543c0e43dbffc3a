"""The terminal report and the fixed texts: 80 columns, no colour needed, every text in every language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from techcheck.report.format import cell_width
from techcheck.report.model import build_report
from techcheck.report.text import render_text
from techcheck.texts import LANGUAGES, detect_language, t
from tests.conftest import write
from tests.reportdata import LONG, WIDE, hostile_scan
from tests.terminal import Terminal
from tests.test_cli import linux_image

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def test_language_from_flag_or_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    assert detect_language() == "es"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert detect_language() == "en"  # English stays the default
    assert t("severity_alert", "es") == "Requiere atención"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_report_fits_80_columns_with_hostile_names(lang: str) -> None:
    text = render_text(build_report(hostile_scan(), lang))
    lines = text.splitlines()
    too_wide = [line for line in lines if sum(cell_width(ch) for ch in line) > 80]
    assert not too_wide, too_wide[:3]
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", text)
    assert LONG not in text and "監視監視" in text
    assert len(WIDE) * 2 > 80
    assert t("severity_alert", lang) in text and t("severity_info", lang) in text
    assert text.index(t("safety_title", lang)) < text.index(t("checks_title", lang)) < text.index("800-799")


def test_text_report_can_leave_out_the_safety_note() -> None:
    model = build_report(hostile_scan(), "en")
    assert "safety note" in render_text(model)
    without = render_text(model, include_safety_note=False)
    assert "safety note" not in without and "800-799-SAFE" in without


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run techcheck on a real pseudo-terminal, press Enter at the safety note; return what it showed."""
    term = Terminal(args, env)
    term.wait_for("Ctrl-C")
    term.press("\r", until="What was checked")
    assert term.finish() == 0
    return term.text


@pytest.fixture
def image(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/" + "x" * 150 + ".so\n")
    return root


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LANG", "LC_ALL", "LANGUAGE")}
    return {**env, "LANG": "C.UTF-8", "PAGER": "cat"}  # the pager itself is tested in test_first_scan


def test_on_a_terminal_the_safety_note_shows_once_with_progress_and_colour(image: Path) -> None:
    shown = run_in_terminal(["scan", "--root", str(image), "--lang", "en"], base_env())
    assert shown.count("Before you start: a safety note") == 1
    assert shown.index("Before you start") < shown.index("What was checked")
    assert re.search(r"\[\d+/\d+\] ", shown), "no progress line on the terminal"
    assert "\x1b[1m" in shown or "\x1b[33m" in shown  # colour when allowed
    # Everything on the screen fits 80 columns: the note, the progress line and the report.
    # (a progress line is rewritten in place after each carriage return: every version must fit)
    screen = [seg for line in ANSI.sub("", shown).split("\n") for seg in line.rstrip("\r").split("\r")]
    too_wide = [line for line in screen if len(line) > 80]
    assert not too_wide, too_wide[:3]


def test_no_color_is_respected(image: Path) -> None:
    shown = run_in_terminal(["scan", "--root", str(image), "--lang", "en"], {**base_env(), "NO_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*m", shown), "colour codes despite NO_COLOR"
    assert "Worth checking" in shown


def test_no_progress_when_stderr_is_not_a_terminal(image: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "techcheck", "scan", "--root", str(image), "--lang", "es"],
                          capture_output=True, text=True, timeout=60, env=base_env())
    assert proc.returncode == 0
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr
    # Not a terminal: the report keeps its own safety note (it may be read later, elsewhere).
    assert "Antes de empezar: una nota de seguridad" in proc.stdout
    assert proc.stderr.count("Antes de empezar") == 1


def test_check_titles_and_live_only_reason_follow_the_language(image: Path) -> None:
    from click.testing import CliRunner

    from techcheck.cli import cli

    res = CliRunner().invoke(cli, ["scan", "--root", str(image), "--lang", "es"])
    assert res.exit_code == 0
    assert "Programas abiertos ahora" in res.stdout
    assert "solo una revisión en vivo puede ver esto" in " ".join(res.stdout.split())
    assert "Programs running now" not in res.stdout
