"""XmR charts drawn by journeymap.render.charts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from journeymap.analysis.capability import xmr
from journeymap.render.chart_parts import CENTRE, LIMIT, MAX_ANNOTATIONS, SIGNAL, duration_unit
from journeymap.render.charts import xmr_svg
from journeymap.render.report_svg import inline_svg

DAY = 86400.0
NS = {"s": "http://www.w3.org/2000/svg"}


def _outlier_chart():
    values = [10, 11, 9, 10, 11, 9, 10, 50, 10, 11]
    return xmr([v * DAY for v in values], kind="duration", basis="case",
               labels=[f"C{i}" for i in range(10)], measure="end-to-end time")  # fmt: skip


def _parse(path):
    return etree.fromstring(path.read_bytes())


def _y_ticks(root) -> list[float]:
    # The y tick labels are the only right-aligned texts.
    texts = root.xpath("//s:text[@text-anchor='end']", namespaces=NS)
    return [float(t.text.replace(",", "")) for t in texts]


def test_same_chart_gives_the_same_svg_bytes(tmp_path):
    first = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "a.svg")
    second = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "b.svg")
    assert first.read_bytes() == second.read_bytes()


def test_signals_limits_and_statement_are_drawn(tmp_path):
    svg = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "c.svg").read_text()
    assert SIGNAL in svg
    assert "UNPL 40" in svg and "Centre 14" in svg and "LNPL 0.0" in svg
    # The statement wraps to the chart's width, the signals first.
    assert "are not predictable: 1 signal, of a longer wait. The limits these data" in svg
    assert '0 to 40 days,<tspan x="12.00" dy="16.00">predict nothing until the causes' in svg
    assert "End-to-end time (days)" in svg
    assert "<text" in svg and "Date" not in svg


def test_a_standalone_svg_document(tmp_path):
    root = _parse(xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "c.svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 1000 520"
    assert (root.get("width"), root.get("height")) == ("1000", "520")
    assert root.get("font-family") == "DejaVu Sans, Arial, sans-serif"
    title = root.xpath("//s:text", namespaces=NS)[0]
    assert (title.text, title.get("font-weight")) == ("Waits", "bold")


def test_limits_dashed_grey_and_the_centre_solid_green(tmp_path):
    root = _parse(xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "c.svg"))
    limits = root.xpath(f"//s:line[@stroke='{LIMIT}']", namespaces=NS)
    centre = root.xpath(f"//s:line[@stroke='{CENTRE}']", namespaces=NS)
    assert len(limits) == 2 and all(line.get("stroke-dasharray") for line in limits)
    assert len(centre) == 1 and centre[0].get("stroke-dasharray") is None
    # Each limit line is level, at the height of its label.
    (unpl,) = root.xpath("//s:text[starts-with(., 'UNPL')]", namespaces=NS)
    upper = min(limits, key=lambda line: float(line.get("y1")))
    assert upper.get("y1") == upper.get("y2")
    assert float(unpl.get("y")) == pytest.approx(float(upper.get("y1")) + 4)


def test_one_marker_per_point_and_signals_in_red(tmp_path):
    chart = _outlier_chart()
    root = _parse(xmr_svg(chart, title="Waits", path=tmp_path / "c.svg"))
    circles = root.xpath("//s:circle", namespaces=NS)
    assert len(circles) == len(chart.points) == 10
    red = root.xpath(f"//s:g[@fill='{SIGNAL}']/s:circle", namespaces=NS)
    assert len(red) == chart.signals == 1
    # The signal is case 8, the highest point: the smallest y on the page.
    assert float(red[0].get("cy")) == min(float(c.get("cy")) for c in circles)
    # One line joins the points, through every marker.
    (line,) = root.xpath("//s:polyline", namespaces=NS)
    vertices = line.get("points").split()
    assert vertices == [f"{c.get('cx')},{c.get('cy')}" for c in sorted(
        circles, key=lambda c: float(c.get("cx")))]  # fmt: skip
    # Its rule number above it, in red.
    (rule,) = root.xpath(f"//s:text[@fill='{SIGNAL}']", namespaces=NS)
    assert rule.text == "1" and float(rule.get("y")) < float(red[0].get("cy"))


def test_a_predictable_chart_has_no_signal_marks(tmp_path):
    chart = xmr([5 * DAY, 7 * DAY, 6 * DAY, 9 * DAY, 4 * DAY], kind="duration", basis="case")
    svg = xmr_svg(chart, title="Waits", path=tmp_path / "d.svg").read_text()
    assert SIGNAL not in svg
    assert "the system is predictable." in svg
    assert svg.count("<circle") == 5


def test_rule_numbers_only_while_few(tmp_path):
    # Three long steps: every point is beyond a limit.
    values = [10.0] * 30 + [30.0] * 30 + [10.0] * 30
    chart = xmr(values)
    assert chart.signals > MAX_ANNOTATIONS
    root = _parse(xmr_svg(chart, title="Steps", path=tmp_path / "r.svg"))
    assert root.xpath(f"//s:text[@fill='{SIGNAL}']", namespaces=NS) == []
    assert len(root.xpath(f"//s:g[@fill='{SIGNAL}']/s:circle", namespaces=NS)) == chart.signals


def test_neighbouring_signals_of_one_rule_share_a_label(tmp_path):
    """Points 50 and 51 of 150 are outliers side by side (a few pixels apart) and 120 is
    one on its own: "1" above 50 and 120; 51's would overlap 50's."""
    values = [10.0, 12.0] * 75
    values[50] = values[51] = values[120] = 40.0
    chart = xmr(values)
    assert chart.points.index[chart.points["rule1"]].tolist() == [50, 51, 120]
    root = _parse(xmr_svg(chart, title="Outliers", path=tmp_path / "n.svg"))
    labels = root.xpath(f"//s:text[@fill='{SIGNAL}']", namespaces=NS)
    assert [t.text for t in labels] == ["1", "1"]
    assert len(root.xpath(f"//s:g[@fill='{SIGNAL}']/s:circle", namespaces=NS)) == 3


def test_counts_have_thousands_separators_and_png_is_refused(tmp_path):
    chart = xmr([1200, 1500, 1300, 1400], kind="count", basis="week", measure="new cases")
    svg = xmr_svg(chart, title="Demand", path=tmp_path / "e.svg").read_text()
    assert "1,882" in svg and "1,350" in svg
    with pytest.raises(ValueError, match="use .svg"):
        xmr_svg(chart, title="Demand", path=tmp_path / "e.png")
    assert not (tmp_path / "e.png").exists()


def test_an_unknown_suffix_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="use .svg"):
        xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "f.pdf")


def test_an_unknown_unit_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown unit 'fortnights'"):
        xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "u.svg", unit="fortnights")
    # Centre 14.1 days, mRbar 89 / 9 days: UNPL 40.4 days, 970 hours.
    svg = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "u.svg", unit="hours")
    text = svg.read_text()
    assert "End-to-end time (hours)" in text and "UNPL 970" in text and "Centre 338" in text


def test_text_from_the_log_is_escaped(tmp_path):
    evil = "<script>alert(\"x\") & 'y'</script>"
    chart = xmr([3.0, 4.0, 5.0], labels=[evil, "b&b", "c"], basis="week", kind="count",
                measure="new cases")  # fmt: skip
    path = xmr_svg(chart, title=f"Demand {evil}\x00", path=tmp_path / "g.svg")
    raw = path.read_text()
    assert "<script>" not in raw
    texts = ["".join(t.itertext()) for t in _parse(path).xpath("//s:text", namespaces=NS)]
    assert f"Demand {evil}\ufffd" in texts  # the NUL, which XML cannot hold, is shown as U+FFFD
    assert evil in texts and "b&b" in texts
    assert "<script" not in inline_svg(raw, prefix="c", label="A chart")


def test_y_ticks_are_nice_and_cover_the_data_and_limits(tmp_path):
    # The outlier chart, in days: 9 to 50 with UNPL 40, so 0 to 60 in steps of 10.
    root = _parse(xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "t.svg"))
    labels = root.xpath("//s:text[@text-anchor='end']/text()", namespaces=NS)
    assert labels == ["0", "10", "20", "30", "40", "50", "60"]

    rng = np.random.default_rng(7)
    charts = [
        xmr([1200, 1500, 1300, 1400], kind="count", basis="week"),
        xmr(rng.normal(-2.0, 3.0, 50), lower_bound_zero=False),
        xmr(rng.lognormal(0.0, 1.0, 200) * 3600, kind="duration", basis="case"),
        xmr([0.02, 0.05, 0.03, 0.04], kind="share", basis="week"),
        xmr([0.0, 0.0, 0.0]),
    ]
    for i, chart in enumerate(charts):
        ticks = _y_ticks(_parse(xmr_svg(chart, title="T", path=tmp_path / f"t{i}.svg")))
        steps = np.diff(ticks)
        assert 2 <= len(ticks) <= 8 and np.allclose(steps, steps[0])
        mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
        assert any(np.isclose(mantissa, m) for m in (1, 2, 5, 10)), (i, ticks)
        scale = {"duration": 3600.0, "share": 0.01}.get(chart.kind, 1.0)
        x = chart.points["x"] / scale
        assert ticks[0] <= min(0.0, x.min(), chart.lnpl / scale)
        assert ticks[-1] >= max(x.max(), chart.unpl / scale)


def test_dates_under_case_numbers(tmp_path):
    times = pd.date_range("2024-03-01", periods=20, freq="D", tz="UTC")
    chart = xmr(np.arange(20.0) % 5 + 1, times=times, basis="case", kind="count")
    root = _parse(xmr_svg(chart, title="Cases", path=tmp_path / "h.svg"))
    middle = root.xpath("//s:text[@text-anchor='middle' and s:tspan]", namespaces=NS)
    assert [(t.text, t[0].text) for t in middle][:2] == [("1", "2024-03-01"), ("5", "2024-03-05")]
    assert "Cases, in order of completion (case number, date completed)" in etree.tostring(
        root, encoding="unicode"
    )


def test_a_long_series_is_one_reduced_line(tmp_path):
    rng = np.random.default_rng(1)
    values = rng.normal(100.0, 5.0, 50_000)
    values[30_000] = 400.0  # one spike: a rule 1 signal
    chart = xmr(values, basis="case", kind="count")
    path = xmr_svg(chart, title="Long", path=tmp_path / "l.svg")
    root = _parse(path)
    (line,) = root.xpath("//s:polyline", namespaces=NS)
    heights = [float(p.split(",")[1]) for p in line.get("points").split()]
    assert len(heights) <= 4 * 1000  # first, lowest, highest and last of each px column
    red = root.xpath(f"//s:g[@fill='{SIGNAL}']/s:circle", namespaces=NS)
    assert 1 <= len(red) <= chart.signals
    # The spike is in the line and has its marker (on whole px).
    assert min(heights) == pytest.approx(min(float(c.get("cy")) for c in red), abs=0.5)
    assert len(root.xpath("//s:circle", namespaces=NS)) == len(red)  # no markers otherwise
    assert path.stat().st_size < 400_000


def test_duration_unit_is_the_largest_the_scale_reaches_twice():
    assert duration_unit(41 * DAY) == ("days", DAY)
    assert duration_unit(1.5 * DAY) == ("hours", 3600.0)
    assert duration_unit(30.0) == ("minutes", 60.0)


def test_the_module_no_longer_needs_matplotlib():
    import journeymap.render.charts as charts

    source = Path(charts.__file__).read_text(encoding="utf-8")
    assert not re.search(r"\bmatplotlib\b", source)
