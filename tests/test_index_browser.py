"""The batch's index.html in a real browser (headless Chromium, as the report's browser
tests): its links open each log's report, nothing runs from hostile file names or log
values, no console errors, headers sort."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner
from test_report_browser import ARTIFACTS, browser, open_page  # noqa: F401 (a fixture)

from journeymap.cli import cli

EVIL_FILE = "<img src=x onerror=window.__pwned=1>.csv"
EVIL_BROKEN = '<b onmouseover="window.__pwned=2">broken.csv'
EVIL_ACTIVITY = "<script>window.__pwned = 3</script>"
LOG = (
    "case,activity,timestamp,team\n"
    f'1,"{EVIL_ACTIVITY}",2024-01-01 09:00,Front\n'
    "1,Close,2024-01-01 10:00,Back\n"
    "2,Log,2024-01-02 09:00,Front\n"
    "2,Close,2024-01-02 11:00,Back\n"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    logs = folder / "in"
    logs.mkdir()
    (logs / EVIL_FILE).write_text(LOG)
    (logs / "plain.csv").write_text(LOG.replace("2024-01", "2024-02"))
    (logs / EVIL_BROKEN).write_text("no log here\n")
    out = folder / "out"
    result = CliRunner().invoke(cli, ["batch", str(logs), "-o", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    return out / "index.html"


def test_links_open_each_report_and_nothing_runs(browser, index):  # noqa: F811
    page, problems = open_page(browser, index)
    assert page.evaluate("window.__pwned") is None
    text = page.inner_text("body")
    assert EVIL_FILE in text and EVIL_BROKEN in text  # shown as text, not markup
    assert "3 logs: 2 mined, 1 failed" in text
    hrefs = page.eval_on_selector_all("table a", "links => links.map(a => a.href)")
    assert len(hrefs) == 2
    for href in hrefs:
        assert Path(unquote(urlparse(href).path)).is_file()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "batch-index.png"), full_page=True)
    page.click("table a >> nth=0")
    page.wait_for_load_state()
    assert page.url.endswith("/report.html")
    assert page.evaluate("window.__pwned") is None
    assert EVIL_ACTIVITY in page.inner_text("body")
    assert problems == []


def test_headers_sort_the_logs(browser, index):  # noqa: F811
    page, problems = open_page(browser, index)
    page.click("thead th:nth-child(4) button")  # Cases
    assert page.get_attribute("thead th:nth-child(4)", "aria-sort") == "ascending"
    page.click("thead th:nth-child(4) button")
    assert page.get_attribute("thead th:nth-child(4)", "aria-sort") == "descending"
    assert page.locator("table tbody tr").count() == 3
    assert problems == []
