"""The report's customer-journey section: how many customers needed more than one case,
how often their journeys crossed channels, and the commonest cross-channel paths."""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.render.captions import journey_sentences
from journeymap.render.report_html import Column, esc, sortable_table

__all__ = ["journeys_section"]


def journeys_section(journeys: Any) -> str:
    """The section ``<section id="journeys">`` for a
    :class:`~journeymap.analysis.journeys.CustomerJourneys`.

    Examples
    --------
    >>> html = journeys_section({"customers": 2, "customers_several_cases": 1,
    ...     "journeys": 2, "journeys_several_cases": 1, "cases": 3,
    ...     "cases_without_customer": 0, "median_e2e_s": 3600.0, "channel": True,
    ...     "cross_channel": 1, "channel_switches": 1, "cross_channel_median_e2e_s": 7200.0,
    ...     "paths": [{"path": "web > phone", "journeys": 1, "pct": 100.0, "cases": 2,
    ...                "median_e2e_s": 7200.0}]})
    >>> html.startswith('<section id="journeys"><h2>Customer journeys</h2>')
    True
    >>> "web &gt; phone" in html
    True
    """
    data = journeys if isinstance(journeys, dict) else journeys.to_dict()
    out = ['<section id="journeys"><h2>Customer journeys</h2>']
    out += [f'<p class="statement">{esc(s)}</p>' for s in journey_sentences(data)]
    if data.get("paths"):
        frame = pd.DataFrame(data["paths"])
        columns = [
            Column("path", "Channels in order"),
            Column("journeys", "Journeys", "count"),
            Column("pct", "Share of cross-channel journeys", "pct"),
            Column("cases", "Cases", "count"),
            Column("median_e2e_s", "Median end-to-end", "duration"),
        ]
        out.append(sortable_table(frame, columns, caption="The commonest cross-channel journeys"))
    out.append(
        '<p class="note">A journey is a customer\'s cases linked while each starts within '
        "the repeat-contact window of the journey so far; tables/journeys.csv has one row "
        "per journey.</p>"
    )
    return "".join(out) + "</section>"
