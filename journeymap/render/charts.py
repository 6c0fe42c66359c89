"""Capability (XmR) charts as SVG or PNG, drawn with matplotlib.

Drawing is deterministic: the same chart gives the same bytes (a fixed SVG hash salt, no
date in the metadata, a fixed figure size and resolution). matplotlib is imported only
when a chart is drawn, with the non-interactive Agg backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeymap.analysis.capability import XmRChart, capability_statement

__all__ = ["duration_unit", "xmr_svg"]

SIGNAL = "#c0392b"
LINE = "#34495e"
LIMIT = "#7f8c8d"
CENTRE = "#2c7a4b"
# Rule numbers are written next to each signal while they stay readable; beyond this
# many signals the red points and the legend say it.
MAX_ANNOTATIONS = 40
_UNITS = (("weeks", 604800.0), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0))


def duration_unit(seconds: float) -> tuple[str, float]:
    """The unit to show a duration scale in: the largest one that ``seconds`` reaches
    twice (so the axis has at least two steps), up to days.

    Examples
    --------
    >>> duration_unit(41 * 86400), duration_unit(5 * 3600), duration_unit(30)
    (('days', 86400.0), ('hours', 3600.0), ('minutes', 60.0))
    """
    for name, size in _UNITS[1:]:
        if seconds >= 2 * size:
            return name, size
    return "minutes", 60.0


def _rules(row: Any) -> str:
    return ",".join(str(n) for n in (1, 2, 3) if row[f"rule{n}"])


def _nice_step(k: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most about 8 ticks."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if -(-k // (factor * magnitude)) <= 8:
                return factor * magnitude
        magnitude *= 10


def _x_axis(chart: XmRChart) -> tuple[str, list[int], list[str]]:
    """The x-axis label, and a few tick positions with their labels (dates when known)."""
    p = chart.points
    step = _nice_step(len(p))
    if chart.basis == "case":
        # Case n sits at position n - 1; ticks at case 1 and at multiples of the step.
        ticks = [0, *range(step - 1, len(p), step)] if step > 1 else list(range(len(p)))
        if "time" in p.columns:
            labels = [f"{i + 1:,}\n{_date(p['time'].iloc[i])}" for i in ticks]
            return "Cases, in order of completion (case number, date completed)", ticks, labels
        return "Cases, in order of completion", ticks, [f"{i + 1:,}" for i in ticks]
    ticks = list(range(0, len(p), step))
    if "label" in p.columns:
        names = {"week": "Week starting", "daily mean": "Day (cases ending that day)"}
        return names.get(chart.basis, "Point"), ticks, [str(p["label"].iloc[i]) for i in ticks]
    return "Point", ticks, [f"{i + 1:,}" for i in ticks]


def _date(value: Any) -> str:
    """The date of a UTC timestamp as YYYY-MM-DD."""
    return str(value)[:10]


def xmr_svg(
    chart: XmRChart,
    *,
    title: str,
    y_label: str | None = None,
    path: str | Path,
    unit: str | None = None,
) -> Path:
    """Draw an XmR chart: the points joined by a line, the centre line, the natural
    process limits dashed, signals in red with their rule numbers, and the capability
    statement under the title.

    Durations are shown in days, hours or minutes (``unit``, or chosen from UNPL), counts
    with thousands separators, shares as percentages. The file format follows the
    suffix of ``path``: ``.svg`` (default) or ``.png``.

    Parameters
    ----------
    chart : XmRChart
    title : str
    y_label : str, optional
        The measure, without unit (the unit is added); default the chart's measure.
    path : str or Path
        Where to write; folders are created.
    unit : str, optional
        Duration unit: "minutes", "hours", "days" or "weeks".

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        A suffix other than .svg or .png.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    target = Path(path)
    fmt = target.suffix.lower().lstrip(".") or "svg"
    if fmt not in ("svg", "png"):
        raise ValueError(f"cannot draw a chart as {target.suffix!r}; use .svg or .png")

    scale, unit_name = 1.0, ""
    if chart.kind == "duration":
        unit_name, scale = (
            (unit, {"minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}[unit])
            if unit
            else duration_unit(chart.unpl)
        )
    elif chart.kind == "share":
        scale, unit_name = 0.01, "%"
    statement = capability_statement(chart, unit=unit_name if chart.kind == "duration" else "days")
    measure = y_label or chart.measure.capitalize()
    y_text = f"{measure} ({unit_name})" if unit_name else measure
    if chart.basis == "daily mean":
        y_text = f"Daily mean {measure.lower()} ({unit_name})"

    p = chart.points
    xs = list(range(len(p)))
    ys = (p["x"] / scale).tolist()
    signal = (p["rule1"] | p["rule2"] | p["rule3"]).to_numpy()

    rc: Any = {
        "svg.hashsalt": "journeymap",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 11,
        "path.simplify": False,
    }
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(10, 5.2), dpi=100)
        try:
            marker = "o" if len(p) <= 400 else None
            ax.plot(xs, ys, color=LINE, linewidth=1, marker=marker, markersize=3, zorder=2)
            limits = (
                (chart.unpl, "UNPL", LIMIT, "--"),
                (chart.centre, "Centre", CENTRE, "-"),
                (chart.lnpl, "LNPL", LIMIT, "--"),
            )
            for value, name, colour, style in limits:
                ax.axhline(value / scale, color=colour, linestyle=style, linewidth=1.2, zorder=1)
                ax.annotate(
                    f"{name} {_value_text(value / scale)}",
                    xy=(1.0, value / scale),
                    xycoords=("axes fraction", "data"),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=10,
                    color=colour,
                )
            if signal.any():
                sx = [x for x, s in zip(xs, signal, strict=True) if s]
                sy = [y for y, s in zip(ys, signal, strict=True) if s]
                ax.scatter(sx, sy, color=SIGNAL, s=22, zorder=3)
                if signal.sum() <= MAX_ANNOTATIONS:
                    for i in sx:
                        ax.annotate(
                            _rules(p.iloc[i]),
                            xy=(i, ys[i]),
                            xytext=(0, 6),
                            textcoords="offset points",
                            ha="center",
                            fontsize=10,
                            color=SIGNAL,
                        )
            label, ticks, tick_labels = _x_axis(chart)
            ax.set_xticks(ticks, tick_labels)
            ax.set_xlabel(label, fontsize=11)
            ax.set_ylabel(y_text, fontsize=11)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _value_text(v)))
            ax.set_ylim(bottom=min(0.0, min(ys), chart.lnpl / scale))
            ax.set_xlim(-0.5, len(p) - 0.5)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
            ax.set_title(statement + _rules_note(chart), loc="left", fontsize=10, color="#333")
            fig.tight_layout()
            target.parent.mkdir(parents=True, exist_ok=True)
            metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(target, format=fmt, metadata=metadata)
        finally:
            plt.close(fig)
    return target


def _rules_note(chart: XmRChart) -> str:
    if chart.predictable:
        return ""
    return (
        "\nRed: signals (numbered by rule when few). Rule 1: outside the limits;"
        "\n2: eight or more in a row on one side of the centre; 3: three of four beyond"
        " halfway to a limit."
    )


def _value_text(v: float) -> str:
    """Axis and limit numbers: thousands separators, one decimal below 10."""
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.1f}"
