"""An honest map (issue 15, point 6): on every public log with handlers, each purple,
double and dashed edge the journey map draws is checked against hand-offs counted here,
with pandas, from the events; and a 600-activity log is abstracted to a readable map."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import journeymap as jm
from journeymap.render import style
from journeymap.render.captions import map_caption
from journeymap.render.journey import journey_dot
from journeymap.render.overlays import HANDOFF_SHARE, pct_text
from journeymap.synthetic import generate_log
from shared_datasets import dataset

LOGS = [
    ("helpdesk/helpdesk.xes.gz", {"team": "workgroup"}),
    ("bpic2013_closed_problems/BPI_Challenge_2013_closed_problems.xes.gz",
     {"team": "organization involved"}),
    ("receipt/receipt_env_permit.xes.gz", {}),
    ("sepsis/Sepsis_Cases_Event_Log.xes.gz", {}),
    ("road_traffic_fines_sample/roadtraffic100traces.csv", {}),
]  # fmt: skip


def handoffs_per_path(events: pd.DataFrame, handler: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(transitions, transitions whose two handlers are known and differ) per pair of
    consecutive activities, counted in log order (case, time, source row)."""
    e = events.sort_values(["case", "timestamp", "source_row"], kind="stable")
    same_case = e["case"].to_numpy()[1:] == e["case"].to_numpy()[:-1]
    source = e["activity"].to_numpy()[:-1][same_case]
    target = e["activity"].to_numpy()[1:][same_case]
    who = e[handler].astype(object).where(e[handler].notna(), None).to_numpy()
    a, b = who[:-1][same_case], who[1:][same_case]
    changed = np.array(
        [x is not None and y is not None and x != y for x, y in zip(a, b, strict=True)]
    )
    counted = pd.DataFrame({"source": source, "target": target, "changed": changed})
    grouped = counted.groupby(["source", "target"])["changed"].agg(["size", "sum"])
    return {k: (int(n), int(h)) for k, (n, h) in grouped.iterrows()}


def drawn_edges(dot: str) -> dict[tuple[str, str], str]:
    """Each drawn edge between activities (names from the boxes' tooltips) -> its DOT
    attributes."""
    names = {
        m.group(1): m.group(2).replace('\\"', '"')
        for m in re.finditer(r'^\s*(n\d+) \[.*?tooltip="(.*?): [\d,]+ cases?', dot, re.M)
    }
    edges = {}
    for m in re.finditer(r"^\s*(n\d+) -> (n\d+) \[(.*)\];$", dot, re.M):
        edges[(names[m.group(1)], names[m.group(2)])] = m.group(3)
    return edges


@pytest.mark.datasets
@pytest.mark.parametrize(("name", "mapping"), LOGS, ids=[n.split("/")[0] for n, _ in LOGS])
def test_every_mark_on_the_map_holds_for_the_tables(name, mapping):
    with jm.read_log(str(dataset(name)), **mapping) as log:
        findings = jm.mine(log)
        picture = findings.map
        assert picture.scope.activities_shown == picture.scope.activities_total  # all drawn
        counted = handoffs_per_path(log.to_pandas(), findings.level)
    inner = picture.dfg[~picture.dfg["source"].str.startswith("__")]
    inner = inner[~inner["target"].str.startswith("__")]
    for row in inner.itertuples():  # the paths the map shows (it may leave rare ones out)
        assert (row.events, row.handoffs) == counted[(row.source, row.target)]

    dot = journey_dot(picture.dfg, picture.activities, lanes=findings.lanes)
    edges = drawn_edges(dot)
    assert edges, "the map draws edges between activities"
    purple = {k for k, (n, h) in counted.items() if h > 0 and h >= HANDOFF_SHARE * n}
    for (source, target), attributes in edges.items():
        n, h = counted[(source, target)]
        if source == target:  # a self-loop: dashed, and never a hand-off path's purple
            assert "style=dashed" in attributes and "↻" in attributes
            continue
        share = "all" if h == n else f"{pct_text(100 * h / n)}%"
        assert (f"{share} hand-offs" in attributes) == (h > 0), (source, target, attributes)
        assert (style.HANDOFF in attributes) == ((source, target) in purple), (source, target)
        # the double line marks a hand-off path whose reverse is drawn and purple too
        both_ways = {(source, target), (target, source)} <= purple & edges.keys()
        doubled = f'color="{style.HANDOFF}:white:{style.HANDOFF}"' in attributes
        assert doubled == both_ways and ("⇄" in attributes) == both_ways, (source, target)


def test_a_600_activity_log_is_abstracted_to_a_map_a_person_can_read():
    events = generate_log(cases=1500, seed=4, activities=600)
    with jm.EventLog.from_frame(events.assign(timestamp=events["timestamp"].astype(str))) as log:
        findings = jm.mine(log)
    scope = findings.map.scope
    assert scope.activities_total == 600
    assert scope.activities_shown == 25  # more than 50 activities: the 25 most frequent
    assert scope.paths_shown <= 1.5 * 25 + 10 + 25  # readable, plus the connecting paths
    assert "25 of 600 activities" in map_caption(scope)
