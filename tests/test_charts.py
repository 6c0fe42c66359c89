"""XmR charts drawn by journeymap.render.charts."""

from __future__ import annotations

import matplotlib
import pytest

from journeymap.analysis.capability import xmr
from journeymap.render.charts import SIGNAL, duration_unit, xmr_svg

DAY = 86400.0


def _outlier_chart():
    values = [10, 11, 9, 10, 11, 9, 10, 50, 10, 11]
    return xmr([v * DAY for v in values], kind="duration", basis="case",
               labels=[f"C{i}" for i in range(10)], measure="end-to-end time")  # fmt: skip


def test_same_chart_gives_the_same_svg_bytes(tmp_path):
    first = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "a.svg")
    second = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "b.svg")
    assert first.read_bytes() == second.read_bytes()
    assert matplotlib.rcParams["svg.hashsalt"] is None  # settings do not leak


def test_signals_limits_and_statement_are_drawn(tmp_path):
    svg = xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "c.svg").read_text()
    assert SIGNAL in svg
    assert "UNPL 40" in svg and "Centre 14" in svg and "LNPL 0.0" in svg
    assert "the system is not predictable: 1 signal." in svg
    assert "End-to-end time (days)" in svg
    assert "<text" in svg and "Date" not in svg


def test_a_predictable_chart_has_no_signal_marks(tmp_path):
    chart = xmr([5 * DAY, 7 * DAY, 6 * DAY, 9 * DAY, 4 * DAY], kind="duration", basis="case")
    svg = xmr_svg(chart, title="Waits", path=tmp_path / "d.svg").read_text()
    assert SIGNAL not in svg
    assert "the system is predictable." in svg


def test_counts_have_thousands_separators_and_png_works(tmp_path):
    chart = xmr([1200, 1500, 1300, 1400], kind="count", basis="week", measure="new cases")
    svg = xmr_svg(chart, title="Demand", path=tmp_path / "e.svg").read_text()
    assert "1,882" in svg and "1,350" in svg
    png = xmr_svg(chart, title="Demand", path=tmp_path / "e.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_an_unknown_suffix_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="use .svg or .png"):
        xmr_svg(_outlier_chart(), title="Waits", path=tmp_path / "f.pdf")


def test_duration_unit_is_the_largest_the_scale_reaches_twice():
    assert duration_unit(41 * DAY) == ("days", DAY)
    assert duration_unit(1.5 * DAY) == ("hours", 3600.0)
    assert duration_unit(30.0) == ("minutes", 60.0)
