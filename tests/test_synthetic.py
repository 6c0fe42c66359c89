"""Tests of the synthetic log generator and of the committed sample logs."""

from __future__ import annotations

import gzip
import importlib.util
import io
import itertools
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from journeymap.synthetic import COLUMNS, generate_log, truth_rates, write_csv, write_xes
from journeymap.synthetic.io import csv_bytes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
XES = "{http://www.xes-standard.org/}"
FAILURE = re.compile(
    r"chase|chaser|progress|status request|where is|complain|complaint|reopen|re-open|repeat"
    r"|follow up|follow-up|escalat",
    re.IGNORECASE,
)
DIRTY = {"Request information"}
ID_COLUMNS = ["case_id", "resource", "team", "channel", "customer_id", "service", "activity"]


def read_events(data: bytes) -> pd.DataFrame:
    """Read a written log the way a careful user would: identifiers as text."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])


def recompute(events: pd.DataFrame) -> pd.DataFrame:
    """MEASURES.md, computed plainly from the event table (handler = team)."""
    df = events.reset_index(drop=True).copy()
    df["row"] = np.arange(len(df))
    df["ts"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    df = df.sort_values(["case_id", "ts", "row"], kind="stable")
    rows = []
    for case, g in df.groupby("case_id", sort=True):
        acts = list(g["activity"])
        res = list(g["resource"])
        teams = [t for t in g["team"] if isinstance(t, str)]
        handoffs = sum(a != b for a, b in itertools.pairwise(teams))
        runs = [t for i, t in enumerate(teams) if i == 0 or t != teams[i - 1]]
        pingpongs = sum(runs[j] == runs[j + 2] for j in range(len(runs) - 2))
        seen: dict[str, object] = {}
        rework = redo = 0
        for a, r in zip(acts, res, strict=True):
            if a in seen:
                rework += 1
                redo += seen[a] != r
            seen[a] = r
        rows.append({
            "case_id": case, "customer_id": g["customer_id"].iloc[0],
            "start": g["ts"].iloc[0], "end": g["ts"].iloc[-1], "events": len(g),
            "failure_activity": any(FAILURE.search(a) for a in acts),
            "handoffs": handoffs, "pingpongs": pingpongs, "rework_events": rework,
            "redo_events": redo, "self_loops": sum(a == b for a, b in itertools.pairwise(acts)),
            "dirty": any(a in DIRTY for a in acts),
            "tie": bool(g["ts"].duplicated().any()),
        })  # fmt: skip
    out = pd.DataFrame(rows)
    # repeat contact: the case starts within 14 days after the end of an earlier case
    earlier = out[["customer_id", "start", "end"]].rename(
        columns={"start": "start_earlier", "end": "end_earlier"}
    )
    pairs = out[["case_id", "customer_id", "start"]].merge(earlier, on="customer_id")
    pairs = pairs[pairs["start_earlier"] < pairs["start"]]
    gap = pairs["start"] - pairs["end_earlier"]
    hits = pairs.loc[(gap >= timedelta(0)) & (gap <= timedelta(days=14)), "case_id"]
    out["repeat_contact"] = out["case_id"].isin(hits)
    out["demand_type"] = np.where(
        out["failure_activity"], "failure_activity",
        np.where(out["repeat_contact"], "repeat_contact", "value"),
    )  # fmt: skip
    value = out["demand_type"] == "value"
    out["single_handler"] = out["handoffs"] == 0
    out["one_stop"] = out["single_handler"] & (out["rework_events"] == 0) & value
    out["clean"] = (out["rework_events"] == 0) & (out["pingpongs"] == 0) & value & ~out["dirty"]
    return out


def load_make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def log():
    return generate_log(cases=2500, seed=11, with_truth=True)


def test_columns_and_global_order(log):
    assert list(log.events.columns) == list(COLUMNS)
    assert log.events["timestamp"].is_monotonic_increasing
    assert log.rates["events"] == len(log.events)
    assert log.rates["cases"] == len(log.cases) == log.events["case_id"].nunique()


@pytest.mark.parametrize("seed,cases", [(11, 2500), (3, 1200)])
def test_truth_matches_independent_recomputation(seed, cases, log):
    lg = log if seed == 11 else generate_log(cases=cases, seed=seed, with_truth=True)
    got = recompute(read_events(csv_bytes(lg.events)))
    truth = lg.cases.set_index("case_id").loc[got["case_id"]].reset_index()
    for col in ["customer_id", "events", "demand_type", "failure_activity", "repeat_contact",
                "handoffs", "pingpongs", "rework_events", "redo_events", "self_loops", "dirty",
                "tie", "single_handler", "one_stop", "clean"]:  # fmt: skip
        assert got[col].tolist() == truth[col].tolist(), col


def test_every_pattern_is_planted(log):
    r = log.rates
    for key in ["failure_activity_pct", "repeat_contact_pct", "pingpong_cases_pct",
                "rework_cases_pct", "self_loop_cases_pct", "dirty_cases_pct", "one_stop_pct",
                "clean_pct", "cases_with_handoff_pct", "single_handler_pct"]:  # fmt: skip
        assert 1 < r[key] < 99, key
    assert 0 < r["redo_events"] < r["rework_events"]
    assert 5 <= r["tie_cases"] <= 60  # about 1% of 2500
    assert r["failure_demand_pct"] == pytest.approx(
        r["failure_activity_pct"] + r["repeat_contact_pct"]
    )
    # value demand never matches a failure rule by accident; repeat contacts are clear-cut
    value = log.cases[log.cases["demand_type"] == "value"]
    assert not value["repeat_contact"].any() and not value["failure_activity"].any()


def test_ties_keep_process_order(log):
    """Rows are in timestamp order, ties in process order: a wrong tie-break shows here."""
    intake = {"Call received", "Online form submitted", "E-mail received", "Letter received",
              "Branch visit"}  # fmt: skip
    tied = set(log.cases.loc[log.cases["tie"], "case_id"])
    assert tied
    for case, acts in log.events.groupby("case_id", sort=False)["activity"]:
        acts = acts.tolist()
        assert acts[0] in intake, case
        assert "Acknowledgement sent" not in acts or acts.index("Acknowledgement sent") == 1
        assert "Log request" not in acts or acts.index("Log request") <= 2
        assert acts[-1] in {"Close request", "Complaint response sent"}, case


def test_working_hours_mostly(log):
    ts = log.events["timestamp"]
    staffed = log.events["team"].notna()
    hours = ts.dt.hour.between(8, 17) & (ts.dt.day_of_week < 5)
    assert hours[staffed].mean() > 0.97
    assert not hours[~staffed].all()  # web forms and automated events come at any time


def test_identifiers_survive_as_text(log, tmp_path):
    path = tmp_path / "log.csv"
    write_csv(path, cases=2500, seed=11)
    df = read_events(path.read_bytes())
    assert df["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert (df["customer_id"] == "C000042").any()
    assert df["case_id"].str.fullmatch(r"SR-\d{6}").all()
    assert df["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00").all()
    assert df["service"].str.contains(",").any()  # a quoted field
    assert df["resource"].str.contains("'").any() and df["resource"].str.contains("ë").any()
    pd.testing.assert_frame_equal(df[ID_COLUMNS], log.events[ID_COLUMNS].astype(object),
                                  check_dtype=False)  # fmt: skip


def test_deterministic_bytes_whatever_the_chunks(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv.gz"
    rates = write_csv(a, events=30_000, seed=5, chunk_cases=8192)
    write_csv(b, events=30_000, seed=5, chunk_cases=1)
    write_csv(c, events=30_000, seed=5)
    assert a.read_bytes() == b.read_bytes() == gzip.decompress(c.read_bytes())
    full = generate_log(events=30_000, seed=5, with_truth=True)
    assert csv_bytes(full.events) == a.read_bytes()
    assert full.rates == rates
    assert write_csv(b, events=30_000, seed=6) != rates


@pytest.mark.parametrize("target", [3_000, 20_000, 150_000])
def test_events_target(target):
    n = len(generate_log(events=target, seed=target % 97))
    assert abs(n - target) <= 0.05 * target


def test_wide_mode_has_that_many_activities():
    log = generate_log(cases=1500, seed=4, activities=600, with_truth=True)
    acts = log.events["activity"]
    assert acts.nunique() == 600
    assert log.rates["cases_with_handoff_pct"] > 30 and log.rates["pingpong_cases_pct"] > 1
    got = recompute(log.events.assign(timestamp=log.events["timestamp"].astype(str)))
    truth = log.cases.set_index("case_id").loc[got["case_id"]].reset_index()
    for col in ["demand_type", "handoffs", "pingpongs", "rework_events", "clean", "one_stop"]:
        assert got[col].tolist() == truth[col].tolist(), col


def test_xes_matches_csv(tmp_path, log):
    path = tmp_path / "log.xes"
    write_xes(log.events, path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(path), parser).getroot()
    traces = root.findall(f"{XES}trace")
    assert len(traces) == len(log.cases)
    assert len(root.findall(f"{XES}trace/{XES}event")) == len(log.events)
    first = log.events.sort_values(["case_id", "timestamp"], kind="stable")
    by_case = {c: g for c, g in first.groupby("case_id")}
    for trace in traces[:200]:
        attrs = {e.get("key"): e.get("value") for e in trace.findall(f"{XES}string")}
        g = by_case[attrs["concept:name"]]
        assert attrs["customer"] == g["customer_id"].iloc[0]
        assert attrs["service"] == g["service"].iloc[0]
        names = [e.find(f"{XES}string[@key='concept:name']").get("value")
                 for e in trace.findall(f"{XES}event")]  # fmt: skip
        assert names == g["activity"].tolist()


def test_committed_samples_are_reproducible(tmp_path):
    make = load_make_samples()
    table = make.make(tmp_path)
    for name in [
        "service_desk.csv",
        "service_desk.xes",
        "service_desk_truth.csv",
        "service_desk_templates.toml",
    ]:
        committed = (SAMPLES / name).read_bytes()
        assert committed == (tmp_path / name).read_bytes(), name
        assert len(committed) < 2_000_000, name
    assert table in (SAMPLES / "README.md").read_text(encoding="utf-8")
    events = read_events((SAMPLES / "service_desk.csv").read_bytes())
    assert 7_900 <= len(events) <= 12_000
    truth = pd.read_csv(
        SAMPLES / "service_desk_truth.csv", dtype={"case_id": str, "customer_id": str}
    )
    assert truth_rates(truth)["events"] == len(events)
    # the README figures hold on the committed CSV itself
    got = recompute(events)
    truth = truth.set_index("case_id").loc[got["case_id"]].reset_index()
    for col in ["demand_type", "handoffs", "pingpongs", "rework_events", "redo_events",
                "self_loops", "dirty", "tie", "one_stop", "clean"]:  # fmt: skip
        assert got[col].tolist() == truth[col].tolist(), col
