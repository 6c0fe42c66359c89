"""The report in a real browser: headless Chromium driven by Playwright.

Chromium comes from the system (Debian's `chromium`, installed by `make test` as root);
Playwright drives it and never downloads a browser of its own. Without Chromium these
tests skip, except in CI (`CI=true`) where they must run. Screenshots are saved under
`test-artifacts/` for a person to look at.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from journeymap.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE = ROOT / "sample_logs" / "service_desk.csv"
CONFIG = ROOT / "sample_logs" / "service_desk.toml"
EVIL = "<script>window.__pwned = 1</script>"
EVIL_IMG = '<img src=x onerror="window.__pwned = 2">'


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        message = (
            "headless Chromium and Playwright are needed for the browser tests: "
            "apt-get install chromium; pip install 'journeymap[test]'"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(cli, ["mine", str(SAMPLE), "--config", str(CONFIG), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.resolve().as_uri())
    return page, problems


def test_key_numbers_are_shown(browser, sample_report):
    summary = json.loads((sample_report / "summary.json").read_text())
    page, problems = open_page(browser, sample_report / "report.html")
    text = page.inner_text("body")
    assert f"{summary['cases']:,}" in text
    assert f"{summary['failure_demand_pct']:.1f}%" in text
    assert f"{summary['one_stop_pct']:.1f}%" in text
    assert f"{summary['clean_pct']:.1f}%" in text
    assert summary["capability"]["statement"] in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-sample.png"), full_page=False)
    assert problems == []


def test_view_switching_works_without_reloading(browser, sample_report):
    page, problems = open_page(browser, sample_report / "report.html")
    frequency = page.locator('.view[data-view="frequency"]')
    performance = page.locator('.view[data-view="performance"]')
    assert frequency.is_visible() and not performance.is_visible()
    page.click('button[data-view="performance"]')
    assert performance.is_visible() and not frequency.is_visible()
    assert page.get_attribute('button[data-view="performance"]', "aria-pressed") == "true"
    assert page.get_attribute('button[data-view="frequency"]', "aria-pressed") == "false"
    page.screenshot(path=str(ARTIFACTS / "report-performance-view.png"))
    assert problems == []


def test_malicious_names_run_no_script(browser, tmp_path):
    log = tmp_path / "evil.csv"
    log.write_text(
        "case,activity,timestamp,team\n"
        f'1,"{EVIL}",2024-01-01 09:00,"{EVIL_IMG}"\n'
        "1,Close,2024-01-01 10:00,Back\n"
        f'2,"{EVIL}",2024-01-02 09:00,Back\n'
        "2,Close,2024-01-02 11:00,Back\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out / "report.html")
    assert page.evaluate("window.__pwned") is None
    assert EVIL in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "report-escaping.png"))
    assert problems == []


def test_every_view_of_the_sample_report_switches(browser, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["mine", str(SAMPLE), "--config", str(CONFIG), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out / "report.html")
    assert "Resolve residents' requests" in page.inner_text("header")
    for view in ("performance", "failure demand", "hand-offs", "frequency"):
        page.click(f'button[data-view="{view}"]')
        assert page.locator(f'.view[data-view="{view}"]').is_visible()
    page.locator("#variants").scroll_into_view_if_needed()
    assert page.locator("figure.coverage svg").is_visible()
    page.screenshot(path=str(ARTIFACTS / "report-variants.png"))
    assert problems == []


def test_hostile_strings_in_every_role_and_the_title_are_inert(browser, tmp_path):
    formula = '=HYPERLINK("http://evil.example","click")'
    rtl = "Pay\u202egnp.exe"
    long_name = "Very long activity " * 900  # 17,100 characters
    rows = [
        ("c1", EVIL, "2024-01-01 09:00", EVIL_IMG, formula, "web", "+cust"),
        ("c1", rtl, "2024-01-01 10:00", "Ann", "Back", EVIL, "-cust"),
        ("c1", long_name, "2024-01-02 10:00", "Bo", "@Front", "phone", "cust"),
        (formula, "Close", "2024-01-03 10:00", "Bo", "Back", "phone", "cust"),
        (formula, EVIL, "2024-01-03 11:00", "Ann", EVIL_IMG, "web", "cust"),
    ]
    quoted = "\n".join(",".join('"' + v.replace('"', '""') + '"' for v in row) for row in rows)
    log = tmp_path / "hostile.csv"
    log.write_text("case,activity,timestamp,resource,team,channel,customer\n" + quoted + "\n")
    config = tmp_path / "j.toml"
    config.write_text(f"[report]\ntitle = '''{EVIL} {EVIL_IMG}'''\npurpose = '''{EVIL_IMG}'''\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["mine", str(log), "--config", str(config), "-o", str(out), "--format", "svg"]
    )
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out / "report.html")
    assert page.evaluate("window.__pwned") is None
    body = page.inner_text("body")
    assert EVIL in body and "\u202e" not in body
    assert page.locator("script").count() == 1  # the report's own, nothing injected
    assert page.locator("img[onerror]").count() == 0
    assert problems == []
    # The pictures: no script, no event handler, the long name cut, the override shown.
    for svg in [out / "journey.svg", *sorted((out / "charts").glob("*.svg"))]:
        root = ElementTree.fromstring(svg.read_bytes())
        for element in root.iter():
            assert element.tag.rsplit("}", 1)[-1].lower() != "script", svg
            assert not [a for a in element.attrib if a.lower().startswith("on")], svg
        assert "\u202e" not in svg.read_text(), svg
    journey = (out / "journey.svg").read_text()
    assert long_name.strip() not in journey and "…" in journey
    # The tables: no cell a spreadsheet would run as a formula.
    for table in sorted((out / "tables").glob("*.csv")):
        with table.open(newline="") as fh:
            for row in list(csv.reader(fh))[1:]:
                for cell in row:
                    runs = cell[:1] in ("=", "+", "@", "\t", "\r") or (
                        cell[:1] == "-" and not cell[1:2].isdigit()
                    )
                    assert not runs, (table.name, cell)


_MAP_BOX = """() => {
  const port = document.querySelector('.viewport'), r = port.getBoundingClientRect();
  const g = port.querySelector('.view.active svg g.graph').getBoundingClientRect();
  const left = g.left - r.left - port.clientLeft, top = g.top - r.top - port.clientTop;
  return [left, top, left + g.width, top + g.height, port.clientWidth, port.clientHeight];
}"""


def _lane_log(tmp_path: Path) -> Path:
    """A few cases through four steps in three teams named by 32-character ids (as a
    ServiceNow export's sys_ids): a small map, wide for its lanes' names."""
    teams = ["8a4dde73c6112278017a6a4baf547aa7", "287ebd7da9fe198100f92cc8d1d2154e",
             "d625dccec0a8016700a222a0f7900d06"]  # fmt: skip
    rows = [["case", "activity", "timestamp", "team"]]
    for case in range(12):
        steps = ["New", "In Progress", "On Hold", "Closed"][: 2 + case % 3]
        for hour, step in enumerate(steps):
            rows.append([f"INC{case:03d}", step, f"2024-02-{case + 1:02d} {9 + hour:02d}:00",
                         teams[(case + hour) % 3]])  # fmt: skip
    path = tmp_path / "incidents.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize("which", ["sample", "lanes"])
def test_the_map_opens_without_an_empty_side_and_0_shows_it_whole(
    browser, sample_report, tmp_path, which
):
    """The map opens whole if its text is readable so, otherwise at a readable size, its
    top left (the title) or its start in sight, and never cut off on one side while the
    other side of the frame is empty; a note in the frame says when part of the map is
    outside it; 0 fits the whole map in the frame."""
    if which == "sample":
        report = sample_report / "report.html"
    else:
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["mine", str(_lane_log(tmp_path)), "-o", str(out)])
        assert result.exit_code == 0, result.output
        report = out / "report.html"
    page, problems = open_page(browser, report)
    left, top, right, bottom, width, height = page.evaluate(_MAP_BOX)
    whole = left >= -1 and top >= -1 and right <= width + 1 and bottom <= height + 1
    if not whole:
        assert left <= 1 and top <= 1  # no empty band at the left or the top
        assert right >= min(width, right - left) - 1  # cut on the right only if wider
        assert bottom >= min(height, bottom - top) - 1
    assert page.locator(".viewport .more").is_visible() is not whole
    page.focus(".viewport")
    page.keyboard.press("0")
    left, top, right, bottom, width, height = page.evaluate(_MAP_BOX)
    assert left >= -1 and top >= -1 and right <= width + 1 and bottom <= height + 1
    assert not page.locator(".viewport .more").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"report-map-whole-{which}.png"))
    assert problems == []
