"""The app in a real headless Chromium (Debian's chromium and chromium-driver, through Selenium):
safety note -> start -> scan a disk copy -> answer two findings and write a note -> save the
bundle -> `techcheck verify` passes; the same in Spanish; clinic mode with two visits. Chromium's
own traffic goes to a closed local proxy, and its network log must show no request to anything
but this app on 127.0.0.1. axe-core (from npm, installed by .ci/run) checks each page.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from techcheck.cli import cli
from tests.app_support import running_app
from tests.conftest import write
from tests.test_cli import linux_image

AXE_CANDIDATES = [os.environ.get("TECHCHECK_AXE", ""),
                  str(Path.home() / ".cache/techcheck-axe/node_modules/axe-core/axe.min.js")]
SHOTS = os.environ.get("TECHCHECK_SCREENSHOTS", "")  # a folder: save a screenshot of each page there


def _need(what: str, found: Any) -> Any:
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is not installed here; CI runs this test")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    webdriver = _need("selenium (pip install -e '.[test]')", pytest.importorskip("selenium.webdriver")
                      if shutil.which("chromedriver") else None)
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = _need("chromium", shutil.which("chromium"))
    driver_path = _need("chromedriver (Debian chromium-driver)", shutil.which("chromedriver"))
    options = Options()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--no-default-browser-check", "--disable-sync", "--disable-default-apps", "--no-pings",
                 "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                 "--disable-features=Translate,MediaRouter,NetworkTimeServiceQuerying,OptimizationHints,"
                 "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
                 # Everything goes to a closed local port, except this machine's own loopback addresses.
                 "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost",
                 f"--user-data-dir={tmp_path / 'profile'}", f"--log-net-log={tmp_path / 'net.json'}",
                 "--window-size=1000,1400"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"signin.allowed": False, "browser.signin.allowed": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
    log = read_net_log(tmp_path / "net.json")
    # Nothing left this machine: every connection Chromium opened went to a loopback address — this
    # app, or the closed proxy port that takes the browser's own background requests.
    connects = connection_addresses(log)
    assert connects and all(a.startswith(("127.0.0.1:", "[::1]:")) for a in connects), connects
    # And every request a page of the app made was to the app itself.
    pages = page_requests(log)
    assert pages and all(u.startswith("http://127.0.0.1:") for u in pages), pages


def read_net_log(net_log: Path) -> dict[str, Any]:
    text = net_log.read_text().rstrip()
    if not text.endswith("}"):  # the log of a browser that just quit can lack its closing brackets
        text = text.rstrip(",") + "]}"
    return json.loads(text)  # type: ignore[no-any-return]


def _events(log: dict[str, Any], *names: str) -> list[dict[str, Any]]:
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [e for e in log["events"] if types.get(e["type"]) in names]


def connection_addresses(log: dict[str, Any]) -> list[str]:
    return [str(e["params"]["address"]) for e in _events(log, "TCP_CONNECT_ATTEMPT")
            if "address" in e.get("params", {})]


def page_requests(log: dict[str, Any]) -> list[str]:
    """Requests a page made (the browser's own background jobs have the initiator 'not an origin')."""
    return [e["params"]["url"] for e in _events(log, "URL_REQUEST_START_JOB")
            if "url" in e.get("params", {}) and e["params"].get("initiator", "") != "not an origin"
            and not e["params"]["url"].startswith(("about:", "data:", "chrome:"))]


def axe_check(driver: Any) -> None:
    script = _need("axe-core (npm install axe-core)", next((p for p in AXE_CANDIDATES if p and Path(p).is_file()), ""))
    # The page's CSP forbids inline scripts, but WebDriver's injected script runs outside it.
    driver.execute_script(Path(script).read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations)).catch(e => done(String(e)));")
    assert isinstance(result, list), result
    serious = [(v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]][:3])
               for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def shot(driver: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))


def submit(driver: Any, by: str, selector: str) -> None:
    """Click a button or link that loads a new page, and wait until the new page is there."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, selector).click()
    WebDriverWait(driver, 60).until(_replaced(old))


def _replaced(old: Any) -> Any:
    """The old page's root is gone. Chromium reports an element of a document that was just replaced
    either as stale or, in a race while the new page comes in, as 'Node with given id does not belong
    to the document': both mean the page was replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check


def wait_for(driver: Any, condition: Any, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out on {driver.current_url}: {driver.page_source[:1500]}")


def start_and_scan(driver: Any, url: str, root: Path, lang_link: str | None, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    assert driver.title in ("Local page", "Página local")
    if lang_link:
        submit(driver, By.LINK_TEXT, lang_link)
    shot(driver, f"{name}-1-safety")
    axe_check(driver)
    submit(driver, By.CSS_SELECTOR, "form[action='/choose'] button, form[action='/clinic'] button")
    _choose_copy(driver, root, name)


def _choose_copy(driver: Any, root: Path, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "what-copy").click()
    folder = driver.find_element(By.ID, "folder")
    folder.clear()
    folder.send_keys(str(root))
    axe_check(driver)
    shot(driver, f"{name}-2-choose")
    submit(driver, By.CSS_SELECTOR, "button.primary")
    wait_for(driver, lambda: "/results/" in driver.current_url or "/clinic/visit/" in driver.current_url)
    shot(driver, f"{name}-3-results")
    axe_check(driver)


def answer_two(driver: Any, notes: tuple[str, str]) -> list[str]:
    from selenium.webdriver.common.by import By

    articles = driver.find_elements(By.CSS_SELECTOR, "article.finding")
    assert len(articles) >= 2
    keys = []
    for article, (value, note) in zip(articles[:2], (("no", notes[0]), ("unsure", notes[1])), strict=True):
        key = article.get_attribute("aria-labelledby").removeprefix("title-")
        driver.find_element(By.ID, f"answer-{key}-{value}").click()
        driver.find_element(By.ID, f"note-{key}").send_keys(note)
        keys.append(key)
    submit(driver, By.XPATH, "//form[@id='answers']//button[contains(@class,'primary')]")
    return keys


def save_bundle_and_verify(driver: Any, out: Path) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    folder = driver.find_element(By.ID, "save-folder")
    folder.clear()
    folder.send_keys(str(out))
    submit(driver, By.CSS_SELECTOR, "button[value='bundle']")
    wait_for(driver, lambda: bool(list(out.glob("*.zip"))))
    [bundle] = list(out.glob("*.zip"))
    res = CliRunner().invoke(cli, ["verify", str(bundle), "--lang", "en"])
    assert res.exit_code == 0, res.output
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        return json.loads(zf.read("answers.json"))


def planted(tmp_path: Path) -> Path:
    root = linux_image(tmp_path / "img")
    write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libsneaky.so\n")
    return root


@pytest.mark.parametrize(("lang", "link", "notes"), [
    ("en", None, ("I did not install this", "Maybe my brother")),
    ("es", "Español", ("No lo instalé", "Quizás mi hermano")),
])
def test_survivor_flow_in_chromium(browser: Any, tmp_path: Path, lang: str, link: str | None,
                                   notes: tuple[str, str]) -> None:
    from selenium.webdriver.common.by import By

    root = planted(tmp_path)
    out = tmp_path / "saved"
    out.mkdir()
    with running_app(tmp_path) as app:
        start_and_scan(browser, app.url, root, link, f"survivor-{lang}")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        keys = answer_two(browser, notes)
        wait_for(browser, lambda: "answers_saved" in browser.current_url)
        shot(browser, f"survivor-{lang}-4-answered")
        answers = save_bundle_and_verify(browser, out)
        shot(browser, f"survivor-{lang}-5-saved")
        given = {a["finding_key"]: (a["answer"], a["note"]) for a in answers["findings"]}
        assert given[keys[0]] == ("no", notes[0]) and given[keys[1]] == ("unsure", notes[1])
        # Quick exit by the Escape key: the page is replaced and the server stops.
        browser.back()
        browser.find_element(By.TAG_NAME, "body").send_keys("\ue00c")
        wait_for(browser, lambda: browser.current_url == "about:blank", 10)
        wait_for(browser, lambda: not app.state.jobs or all(not j.alive for j in app.state.jobs.values()), 10)


def test_clinic_two_visits_in_chromium(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = linux_image(tmp_path / "img")
    write(root, "etc/cron.d/placeholder", "# nothing\n")
    with running_app(tmp_path, clinic=True) as app:
        browser.get(app.url)
        submit(browser, By.CSS_SELECTOR, "form[action='/clinic'] button")
        browser.find_element(By.ID, "passphrase").send_keys("clinic laptop phrase")
        submit(browser, By.CSS_SELECTOR, "button.primary")
        wait_for(browser, lambda: "client_code" in browser.page_source, 20)
        browser.find_element(By.ID, "client_code").send_keys("C-0042")
        browser.find_element(By.ID, "advocate").send_keys("Sam")
        submit(browser, By.CSS_SELECTOR, "form[action='/clinic/cases'] button")
        axe_check(browser)
        case_url = browser.current_url
        submit(browser, By.CSS_SELECTOR, "button.primary")
        _choose_copy(browser, root, "clinic-visit1")
        keys = answer_two(browser, ("Mine: the work laptop admin", "Set up by my sister"))
        wait_for(browser, lambda: "answers_saved" in browser.current_url)
        write(root, "etc/ld.so.preload", "/usr/lib/x86_64-linux-gnu/libsneaky.so\n")  # planted before visit 2
        browser.get(case_url)
        submit(browser, By.CSS_SELECTOR, "button.primary")
        _choose_copy(browser, root, "clinic-visit2")
        submit(browser, By.PARTIAL_LINK_TEXT, "Compare with the visit before")
        shot(browser, "clinic-compare")
        axe_check(browser)
        sections = {s.find_element(By.TAG_NAME, "h2").text: s.text
                    for s in browser.find_elements(By.TAG_NAME, "section")}
        new = next(v for k, v in sections.items() if k.startswith("New since the last visit"))
        same = next(v for k, v in sections.items() if k.startswith("Still there"))
        assert "(1)" in new.splitlines()[0] and len(new.splitlines()) == 2
        assert "Mine: the work laptop admin" in same and "Set up by my sister" in same
        assert keys
