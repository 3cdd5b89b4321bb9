"""The HTML report, used as a person would: opened in a real headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by Selenium; .ci/run installs them), one browser for
the module.

Where no browser can be installed the browser tests skip, saying so; with
GCPLINT_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them instead.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run_cli

from gcplint.checks.plugins import load_checks
from gcplint.environment import Environment
from gcplint.gate.verdict import Gate
from gcplint.model import Area, Reason, Result, Severity, Status
from gcplint.report import RenderOptions, Report, ScannedProject, render
from gcplint.report.html import CSP, doc_html, script_json

SPECS = [c.spec for c in load_checks()]
EVIL = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\u2028<!--"


def result(i: int, resource: str, status: Status = Status.FAIL, message: str = "bad") -> Result:
    spec = SPECS[i % len(SPECS)]
    return Result(
        spec.id,
        list(Severity)[i % 5],
        status,
        "acme-prod",
        resource,
        None,
        message,
        Reason.PERMISSION_DENIED if status is Status.UNKNOWN else None,
        f"gcloud storage buckets update gs://b{i} --uniform-bucket-level-access",
    )


def report(results: list[Result], project: str = "acme-prod") -> Report:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Report(
        version="test",
        identity="me@example.com",
        started=now,
        finished=now,
        checks=SPECS,
        projects=[ScannedProject(project, Environment.PROD, "label env", None)],
        results=results,
        gate=Gate(),
    )


def html(r: Report) -> str:
    out = io.StringIO()
    render(r, "html", out, RenderOptions())
    return out.getvalue()


# -- without a browser ---------------------------------------------------------------------


def test_the_json_block_cannot_be_closed_by_cloud_text() -> None:
    encoded = script_json({"x": EVIL + "&\u2029é"})
    assert not re.search(r"[<>&\u2028\u2029]", encoded) and encoded.isascii()
    assert json.loads(encoded) == {"x": EVIL + "&\u2029é"}


def test_the_policy_allows_only_the_page_own_style_and_script() -> None:
    page = html(report([result(0, EVIL)]))
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert style and len(scripts) == 1
    for source in (style.group(1), scripts[0]):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in CSP
    assert CSP.startswith("default-src 'none';") and "unsafe" not in CSP
    assert page.count(f'content="{CSP}"') == 1
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # nothing to fetch


def test_check_docs_are_escaped_and_keep_only_their_structure() -> None:
    out = "\n".join(doc_html("A <b>x</b> & `<i>`.\n\n## Why it matters\n- one\n- https://e.x/a"))
    assert out == (
        "<p>A &lt;b&gt;x&lt;/b&gt; &amp; <code>&lt;i&gt;</code>.</p>\n<h4>Why it matters</h4>\n"
        '<ul>\n<li>one</li>\n<li><a href="https://e.x/a" rel="noreferrer">https://e.x/a</a></li>\n</ul>'
    )


def start_tags(page: str) -> list[str]:
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Tags().feed(page)
    return tags


def test_cloud_text_in_the_markup_creates_no_element() -> None:
    evil = start_tags(html(report([result(0, EVIL, message=EVIL)], project=EVIL)))
    assert evil == start_tags(html(report([result(0, "r", message="m")], project="p")))


# -- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = os.environ.get("GCPLINT_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("GCPLINT_CHROMEDRIVER") or shutil.which("chromedriver")
    missing = None
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing = "the selenium package (pip install -e '.[test]')"
    if not (chromium and driver):
        missing = "chromium and chromedriver (apt-get install chromium chromium-driver)"
    if missing:
        if os.environ.get("GCPLINT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GCPLINT_REQUIRE_BROWSER=1 but there is no {missing}")
        pytest.skip(f"browser tests skipped: no {missing}")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_window_size(1280, 1000)
    yield session
    session.quit()


def wait(browser: Any, script: str, timeout: float = 30.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = browser.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out: {script}")


def open_page(browser: Any, path: Path, page: str, fragment: str = "") -> None:
    path.write_text(page, encoding="utf-8")
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get_log("performance")
    browser.get(path.as_uri() + fragment)
    wait(browser, "return document.documentElement.dataset.complete")


def rows(browser: Any) -> list[list[str]]:
    """The cells of each row shown: severity, status, check, project, result."""
    return list(
        browser.execute_script(
            "return Array.from(document.querySelectorAll('#results tbody tr'), function(t){"
            " return Array.from(t.cells, function(c){return c.textContent})})"
        )
    )


def requests(browser: Any) -> list[str]:
    events = [json.loads(e["message"])["message"] for e in browser.get_log("performance")]
    return [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]


def test_the_demo_report_loads_quietly_and_fetches_nothing(browser: Any, tmp_path: Path) -> None:
    run = run_cli("scan", "--demo", "--format", "html", "--output", str(tmp_path / "demo.html"))
    assert run.code == 1, run.err
    page = (tmp_path / "demo.html").read_text(encoding="utf-8")
    open_page(browser, tmp_path / "demo.html", page)
    assert browser.get_log("browser") == []  # no error, no CSP violation, no warning
    assert requests(browser) == [(tmp_path / "demo.html").as_uri()]
    shown = rows(browser)
    assert shown and browser.title.startswith("gcplint report:")
    assert browser.find_element("id", "shown").text.startswith(f"{len(shown)} of ")
    assert len(browser.find_elements("css selector", "article.check")) == len(SPECS)


def test_filters_and_sorting_change_the_rows(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.select import Select

    results = [result(i, f"//r/{i}") for i in range(10)]
    results += [result(10, "//r/unknown", Status.UNKNOWN, "could not be read")]
    results += [result(11, "//r/passing", Status.PASS, "fine")]
    open_page(browser, tmp_path / "f.html", html(report(results)))
    assert len(rows(browser)) == 11  # fail and unknown; pass hidden until asked for
    browser.find_element("css selector", "input[name=status][value='2']").click()  # unknown
    assert len(rows(browser)) == 10 and {r[1] for r in rows(browser)} == {"Fail"}
    browser.find_element("css selector", "input[name=severity][value='0']").click()  # critical
    assert len(rows(browser)) == 8 and "critical" not in {r[0] for r in rows(browser)}
    search = browser.find_element("id", "f-q")
    search.send_keys(SPECS[3].id)
    assert [r[2] for r in rows(browser)] == [SPECS[3].id]
    search.send_keys(*["\b"] * len(SPECS[3].id))
    browser.find_element("css selector", "input[name=status][value='4']").click()  # pass
    assert len(rows(browser)) == 9 and any(r[4].startswith("fine") for r in rows(browser))
    assert browser.find_element("id", "shown").text == "9 of 12 results shown"
    Select(browser.find_element("id", "f-sort")).select_by_value("check")
    by_area = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results section'), function(s){"
        " return Array.from(s.querySelectorAll('tbody tr'), function(t){"
        " return t.cells[2].textContent})})"
    )
    assert all(checks == sorted(checks) for checks in by_area) and len(by_area) > 1
    first = [
        r.check for r in results if r.check in {s.id for s in SPECS if s.area is SPECS[0].area}
    ]
    area = [a.title for a in type(SPECS[0].area)].index(SPECS[0].area.title)
    Select(browser.find_element("id", "f-area")).select_by_value(str(area))
    assert {r[2] for r in rows(browser)} <= set(first) and rows(browser)


def test_a_hostile_resource_name_is_only_text(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    page = html(report([result(0, EVIL, message=EVIL)], project=EVIL))
    open_page(browser, tmp_path / "evil.html", page)
    assert browser.execute_script("return document.getElementsByTagName('img').length") == 0
    assert browser.execute_script("return document.scripts.length") == 2  # data and ours
    caption = browser.find_element("css selector", "#results caption")
    assert caption.get_attribute("textContent") == EVIL.replace("\u2028", "\\u2028")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.get_log("browser") == []
    assert requests(browser) == [(tmp_path / "evil.html").as_uri()]


def test_deep_links_and_the_copy_button(browser: Any, tmp_path: Path) -> None:
    check = SPECS[0].id
    open_page(browser, tmp_path / "d.html", html(report([result(0, "//r/0")])), f"#{check}")
    assert browser.execute_script("return document.querySelector(':target').id") == check
    link = browser.find_element("css selector", "#results td a")
    assert link.get_attribute("href").endswith(f"#{check}")
    button = browser.find_element("css selector", "button.copy")
    button.click()
    wait(browser, "return document.querySelector('button.copy').textContent !== 'Copy'", 5)


def test_keyboard_print_and_dark_mode(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    results = [result(i, f"//r/{i}") for i in range(4)]
    open_page(browser, tmp_path / "k.html", html(report(results)))
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.TAB)  # the skip link comes first
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    browser.switch_to.active_element.send_keys(Keys.TAB)  # to the first filter: Fail
    box = browser.switch_to.active_element
    assert box.get_attribute("name") == "status" and box.get_attribute("value") == "0"
    box.send_keys(Keys.SPACE)
    assert rows(browser) == []
    assert (
        browser.find_element("css selector", "#results p").text == "No result matches the filters."
    )
    box.send_keys(Keys.SPACE)
    assert len(rows(browser)) == 4
    assert_dark_mode_changes_the_background(browser)
    try:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert not browser.find_element("id", "filters").is_displayed()
        assert not browser.find_element("css selector", "button.copy").is_displayed()
        assert browser.find_element("css selector", "#results table").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_ten_thousand_findings_become_interactive(browser: Any, tmp_path: Path) -> None:
    """The figure itself is benchmarks/html_report.py's: here only that it gets there."""
    results = [result(i, f"//r/{i}", message=f"finding {i}") for i in range(10_000)]
    (tmp_path / "big.html").write_text(html(report(results)), encoding="utf-8")
    browser.get((tmp_path / "big.html").as_uri())
    wait(browser, "return window.gcplintReady", 60)
    search = browser.find_element("id", "f-q")
    search.send_keys("finding 9999")
    assert [r for r in rows(browser) if r[4].startswith("finding 9999")] == rows(browser)
    assert len(rows(browser)) == 1


def test_the_benchmark_runs(browser: Any) -> None:
    """benchmarks/html_report.py must not rot: it prints its figures (never asserted here)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "html_report.py"), "--findings", "200"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["findings"] == 200 and figures["filter_rows"] == 0
    assert {"interactive_ms", "complete_ms", "filter_ms", "bytes"} <= figures.keys()


def finding(check: str, resource: str, status: Status = Status.FAIL) -> Result:
    return Result(
        check, Severity.HIGH, status, "acme-prod", resource, None, f"{check} is bad", None, None
    )


def groups_shown(browser: Any) -> list[list[Any]]:
    """Each group of results shown: its id, its heading, the checks of its rows."""
    return list(
        browser.execute_script(
            "return Array.from(document.querySelectorAll('#results section'), function(s){"
            " return [s.id, s.querySelector('h3').textContent,"
            " Array.from(s.querySelectorAll('tbody tr'), function(t){"
            " return t.cells[2].textContent})]})"
        )
    )


def test_a_framework_scan_groups_the_results_by_control(browser: Any, tmp_path: Path) -> None:
    from gcplint.checks.frameworks import CIS_RECOMMENDATIONS, PILLARS

    scanned = report(
        [
            finding("budget.missing", "//b/1"),  # evidences no selected control
            finding("sql.unsupported-version", "//sql/1"),
            finding("sql.backups-disabled", EVIL),  # CIS 6.7 and the reliability pillar
            finding("storage.public-bucket", "//s/1"),
            finding("iam.sa-user-managed-key", "//iam/1"),
        ]
    )
    scanned.frameworks = ("cis", "waf-reliability")
    page = html(scanned)
    assert "<dt>Framework</dt><dd>cis, waf-reliability (results by control)</dd>" in page
    open_page(browser, tmp_path / "cis.html", page, "#sql.backups-disabled")
    assert browser.get_log("browser") == []
    shown = groups_shown(browser)
    cis = "CIS Google Cloud Platform Foundation Benchmark v3.0.0"
    assert [(s[0], s[1]) for s in shown] == [
        ("control-CIS-GCP-3.0.0-1.4", f"{cis} 1.4: {CIS_RECOMMENDATIONS['1.4']} (1 resource)"),
        ("control-CIS-GCP-3.0.0-5.1", f"{cis} 5.1: {CIS_RECOMMENDATIONS['5.1']} (1 resource)"),
        ("control-CIS-GCP-3.0.0-6.7", f"{cis} 6.7: {CIS_RECOMMENDATIONS['6.7']} (1 resource)"),
        (
            "control-waf-reliability",
            f"Google Cloud Architecture Framework: {PILLARS['reliability']} (2 resources)",
        ),
        ("", "Other checks (1 resource)"),
    ]
    assert [s[2] for s in shown] == [
        ["iam.sa-user-managed-key"],
        ["storage.public-bucket"],
        ["sql.backups-disabled"],
        ["sql.backups-disabled", "sql.unsupported-version"],  # by check, within a group
        ["budget.missing"],
    ]
    assert browser.find_element("id", "shown").text == "5 of 5 results shown"
    # the hostile name, in both groups of its check, is text
    captions = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results caption'), function(c){"
        " return c.textContent})"
    )
    assert captions.count(EVIL.replace("\u2028", "\\u2028")) == 2
    assert browser.execute_script("return document.getElementsByTagName('img').length") == 0
    # every id is unique; the check's deep link goes to its documentation
    ids = browser.execute_script(
        "return Array.from(document.querySelectorAll('[id]'), function(e){return e.id})"
    )
    assert len(ids) == len(set(ids))
    target = "return document.querySelector(':target')"
    assert browser.execute_script(target + ".id") == "sql.backups-disabled"
    assert browser.execute_script(target + ".tagName") == "ARTICLE"
    # the filters work on the groups: rows hidden, groups left empty not shown
    browser.find_element("id", "f-q").send_keys("sql.")
    shown = groups_shown(browser)
    assert [s[0] for s in shown] == ["control-CIS-GCP-3.0.0-6.7", "control-waf-reliability"]
    assert {c for s in shown for c in s[2]} == {"sql.backups-disabled", "sql.unsupported-version"}
    assert browser.find_element("id", "shown").text == "2 of 5 results shown"
    browser.find_element("css selector", "input[name=status][value='0']").click()  # no Fail
    assert groups_shown(browser) == []
    assert browser.get_log("browser") == []


def test_without_a_framework_the_results_stay_by_area(browser: Any, tmp_path: Path) -> None:
    page = html(report([finding("sql.backups-disabled", "//sql/1")]))
    assert "<dt>Framework</dt>" not in page
    open_page(browser, tmp_path / "area.html", page)
    title = f"{Area.DATABASE.title} (1 resource)"
    assert groups_shown(browser) == [["", title, ["sql.backups-disabled"]]]


def test_the_diff_page_loads_quietly_and_shows_cloud_text_as_text(
    browser: Any, tmp_path: Path
) -> None:
    from test_diff import result as diff_result
    from test_diff import write as write_report

    evil = "<img src=x onerror=alert(1)></script>"
    old = write_report(tmp_path / "old.json", [diff_result(resource="//r/fixed")])
    new = write_report(tmp_path / "new.json", [diff_result(resource=evil)])
    out = tmp_path / "diff.html"
    run = run_cli("report", "diff", str(old), str(new), "--format", "html", "-o", str(out))
    assert run.code == 1, run.err
    open_page_plain(browser, out)
    assert browser.get_log("browser") == []  # no error, no CSP violation
    assert requests(browser) == [out.as_uri()]
    assert browser.title == "gcplint report diff: 1 new active finding"
    assert browser.execute_script("return document.getElementsByTagName('img').length") == 0
    assert browser.execute_script("return document.scripts.length") == 0
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('#diff-new tbody td'), function(c){"
        " return c.textContent})"
    )
    assert evil in cells
    assert browser.find_element("css selector", "#diff-fixed tbody td:nth-of-type(3)").text == (
        "//r/fixed"
    )
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert_dark_mode_changes_the_background(browser)


def assert_dark_mode_changes_the_background(browser: Any) -> None:
    """`prefers-color-scheme: dark` gives the page another background (then media is reset)."""
    background = "return getComputedStyle(document.body).backgroundColor"
    light = browser.execute_script(background)
    try:
        dark = {"name": "prefers-color-scheme", "value": "dark"}
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [dark]})
        assert browser.execute_script(background) != light
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def open_page_plain(browser: Any, path: Path) -> None:
    """A page with no script: loaded when the browser says so."""
    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(path.as_uri())
    wait(browser, "return document.readyState === 'complete'")
