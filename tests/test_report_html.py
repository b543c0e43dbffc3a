"""The HTML report: self-contained, escapes hostile names, right order, both languages, real Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from techcheck.i18n import LANGUAGES
from techcheck.report.html import render_html
from techcheck.report.model import build_report
from tests.conftest import write
from tests.reportdata import BIDI, CONTROL, SCRIPT, SURROGATE, hostile_scan, save_scan
from tests.test_cli import linux_image


def html_report(lang: str = "en") -> str:
    return render_html(build_report(hostile_scan(), lang))


def test_html_is_self_contained_and_loads_nothing() -> None:
    html = html_report()
    csp = "default-src 'none'; style-src 'unsafe-inline'"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in html
    # Nothing that a browser would fetch: no src/href attributes, no CSS url() or @import, no script.
    assert not re.search(r"\b(src|href|srcset|action|poster|data)\s*=", html, re.I)
    assert "url(" not in html and "@import" not in html
    # No script either: the one <script> element is the evidence record, a JSON data block that a
    # browser never runs (its type is not a script type; the CSP allows no script anyway).
    blocks = re.findall(r"<script\b[^>]*>", html, re.I)
    assert blocks == ['<script type="application/json" id="techcheck-record">']
    assert "<link" not in html.lower() and "<iframe" not in html.lower()


def test_hostile_names_are_escaped_everywhere() -> None:
    html = html_report()
    html.encode("utf-8")  # no lone surrogates left: the file can be written
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "onmouseover=alert(1)" in html and "&#34;onmouseover" in html  # quote escaped, stays text
    assert '"onmouseover' not in html
    assert "\u202e" not in html and "\\u202e" in html  # bidi override shown, not obeyed
    assert "\x1b" not in html and "\x07" not in html and "\\x1b" in html
    assert "\\udcff" in html  # the undecodable byte is shown as an escape
    assert "L" * 300 in html and "L" * 1000 not in html  # very long names are cut, not dropped
    # No raw control characters at all except newline and tab.
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", html)
    for name in (SCRIPT, BIDI, CONTROL, SURROGATE):
        assert name not in html


def test_html_order_and_content() -> None:
    html = html_report()
    marks = ["Before you start: a safety note", "What was checked", "Needs attention (1)", "Worth checking (1)",
             "Good to know (1)", "What starts by itself on this computer", "Every check and its result",
             "Things the check could not read",
             "Evidence record (for advocates)", "The limits of this check", "800-799-SAFE"]
    positions = [html.index(m) for m in marks]
    assert positions == sorted(positions), list(zip(marks, positions, strict=True))
    assert html.count("<details>") == 4  # evidence of each finding, and the evidence record
    assert "What you can do" in html and "Save this report." in html and "Help desks use it." in html
    for status in ("done", "not checked", "could not finish"):
        assert f">{status}</td>" in html
    assert "only a live scan can see this" in html
    assert "73287d3462d718f038d2cc66f915fb3bd7c6d7364bb566aa8b8573ae718bc53f" in html  # flagged file hash
    assert "could not be read" in html  # the unreadable flagged file, said honestly


def test_html_in_spanish() -> None:
    html = html_report("es")
    assert '<html lang="es">' in html
    for text in ("Antes de empezar: una nota de seguridad", "Requiere atención (1)", "Vale la pena revisar (1)",
                 "Bueno saberlo (1)", "App espía encontrada", "Qué puede hacer", "Detalles para personas de apoyo",
                 "Todas las revisiones y su resultado", "no revisado", "Los límites de esta revisión",
                 "Hay apoyo para usted"):
        assert text in html, text
    assert "Needs attention" not in html and "What you can do" not in html


def test_scan_format_html_writes_owner_only_file(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/libsneaky.so\n")
    html = save_scan(tmp_path, root, "r.html", fmt="html").read_text(encoding="utf-8")
    assert "A library is forced into every program" in html and "/usr/lib/libsneaky.so" in html


def test_template_is_packaged_inside_techcheck() -> None:
    import techcheck.report

    assert (Path(techcheck.report.__file__).parent / "templates" / "report.html.j2").is_file()


# --- real headless Chromium --------------------------------------------------------------------------

def chromium_or_skip() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing; CI installs it from .ci/apt-packages")
    pytest.skip("chromium is not installed here (apt-get install chromium); CI runs this test")


def run_chromium(page: Path, work: Path, *action: str) -> list[dict]:
    """Open a page in headless Chromium and return the network requests it logged.

    All of the browser's own traffic is sent to a closed local port, so nothing leaves this machine
    even if Chromium tries to phone home; the net log still records every request it tried.
    """
    exe = chromium_or_skip()
    net_log = work / "net.json"
    subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={work / 'profile'}", f"--log-net-log={net_log}", *action, page.as_uri()],
        capture_output=True, timeout=90, check=False,
    )
    log = json.loads(net_log.read_text())
    event_names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [e["params"] for e in log["events"]
            if event_names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})]


def page_requests(requests: list[dict]) -> list[str]:
    """Requests made by the page itself (the browser's own background jobs have no origin)."""
    return [r["url"] for r in requests if r.get("initiator") != "not an origin" and not r["url"].startswith("file:")]


def test_network_check_catches_a_page_that_loads_something(tmp_path: Path) -> None:
    # The detector itself must be able to fail: a page without CSP that loads an image is caught.
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png">hello</body></html>')
    requests = run_chromium(page, tmp_path, f"--screenshot={tmp_path / 'leaky.png'}", "--window-size=400,300")
    assert page_requests(requests) == ["http://127.0.0.1:9/pixel.png"]


def test_chromium_renders_report_without_network(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html_report(), encoding="utf-8")
    png = tmp_path / "report.png"
    requests = run_chromium(page, tmp_path, f"--screenshot={png}", "--window-size=1000,3000")
    assert png.is_file() and png.stat().st_size > 50_000, "the screenshot is missing or blank"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page_requests(requests) == []


def test_printing_keeps_folded_evidence(tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing; CI installs poppler-utils from .ci/apt-packages")
        pytest.skip("pdftotext is not installed here (apt-get install poppler-utils)")
    page = tmp_path / "report.html"
    page.write_text(html_report(), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    requests = run_chromium(page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert page_requests(requests) == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    # Inside the closed <details>: evidence values, the rule id and the flagged file's hash.
    assert "test.alert.spy" in flat
    assert "/usr/bin/invoice" in flat
    assert "73287d3462d718f038d2cc66f915fb3bd7c6d7364bb566aa8b8573ae718bc53f" in flat.replace(" ", "")
    assert "800-799-SAFE" in flat


class TagBalance(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_tags_are_balanced(lang: str) -> None:
    parser = TagBalance()
    parser.feed(html_report(lang))
    assert parser.problems == [] and parser.stack == []


def test_end_to_end_hostile_library_names_from_a_disk_copy(tmp_path: Path) -> None:
    root = linux_image(tmp_path / "img")
    hostile = ["/lib/<script>alert(1)</script>.so", '/lib/"q\'.so', "/lib/inv\u202eos.exe",
               "/lib/" + "x" * 3000 + ".so"]
    write(root, "etc/ld.so.preload", ("\n".join(hostile) + "\n/lib/bad\x1b[2J\x07.so\n").encode() + b"/lib/\xff.so\n")
    html = save_scan(tmp_path, root, "r.html", fmt="html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.so" in html and "<script>" not in html
    assert "\u202e" not in html and "\x1b" not in html and "\x07" not in html
    assert "inv\\u202eos.exe" in html and "bad\\x1b[2J\\x07.so" in html
    text = CliRunner().invoke(cli, ["scan", "--root", str(root), "--lang", "en"]).stdout
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\u202e" not in text and "\x1b" not in text and "\x07" not in text
