"""Synthetic customer-service event logs with known ground truth.

The generator simulates the customer-service department of a council or utility:
customers contact the service about requests ("Missed bin collection", "Change of
address", ...) through channels (phone, web, e-mail, letter, branch); teams (Contact
Centre, Back Office, Field Team, Billing & Payments, Complaints) and their named staff
handle the cases. It plants, with per-case ground truth, every pattern that MEASURES.md
defines: value and failure demand (chasers, complaints, reopens, repeat contacts within
14 days), rework (repeats and redos), self-loops, hand-offs, ping-pong between teams,
"dirty" information requests, and ties between timestamps.

The truth is computed from the simulation's own slot matrices (see
:mod:`journeymap.synthetic.model`); the tests check it against an independent
recomputation of the MEASURES.md definitions on the written events. Everything is
deterministic for a seed: the same call writes the same bytes, whatever the chunk size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from journeymap.synthetic.io import open_output, write_frame_csv, write_xes
from journeymap.synthetic.model import (
    BLOCK,
    CHANNELS,
    DAY,
    DIRTY_ACTIVITIES,
    FAILURE_PATTERN,
    ROSTER,
    SERVICE_NAMES,
    TEAMS,
    Block,
    Catalogue,
    Ints,
    Plan,
    block_truth,
    simulate_block,
)

__all__ = [
    "COLUMNS",
    "DIRTY_ACTIVITIES",
    "FAILURE_PATTERN",
    "SyntheticLog",
    "generate_log",
    "truth_rates",
    "write_csv",
    "write_xes",
]

#: Columns of the generated event table, in order.
COLUMNS = ("case_id", "activity", "timestamp", "resource", "team", "channel", "customer_id",
           "service")  # fmt: skip
_EVENT_KEYS = ("ts", "case_no", "slot", "act", "res", "team", "channel", "customer_no", "service")


@dataclass(frozen=True)
class SyntheticLog:
    """A generated log and its planted truth.

    Attributes
    ----------
    events : the event table (columns :data:`COLUMNS`), rows sorted by timestamp.
    cases : one row per case: ``case_id``, ``customer_id``, ``service``, ``channel``,
        ``events``, ``demand_type`` (``failure_activity``, ``repeat_contact`` or
        ``value``), ``failure_activity``, ``repeat_contact`` (the rules that match),
        ``handoffs`` and ``pingpongs`` (team level), ``handoffs_resource``,
        ``rework_events``, ``redo_events``, ``self_loops``, ``dirty``, ``tie``,
        ``single_handler``, ``one_stop``, ``clean``; and, against the designed journey
        of its service (:func:`~journeymap.synthetic.journeys.designed_journeys`),
        ``follows_template``, ``skipped_step``, ``inserted_step``, ``repeated_step``.
    rates : log-level figures, see :func:`truth_rates`.

    Examples
    --------
    >>> log = generate_log(cases=200, seed=2, with_truth=True)
    >>> int(log.cases["events"].sum()) == len(log.events) == log.rates["events"]
    True
    """

    events: pd.DataFrame
    cases: pd.DataFrame
    rates: dict[str, float]


@lru_cache(maxsize=1)
def _mean_events_per_case() -> float:
    plan = Plan(seed=20240101, cases=2 * BLOCK, t0=0, block_seconds=90 * DAY,
                catalogue=Catalogue.build(None))  # fmt: skip
    return sum(int(simulate_block(plan, b).active.sum()) for b in range(2)) / plan.cases


def _plan(cases: int | None, events: int | None, seed: int, activities: int | None,
          start: str) -> Plan:  # fmt: skip
    if cases is not None and events is not None:
        raise ValueError("give cases or events, not both")
    if cases is None:
        cases = max(1, round((10_000 if events is None else events) / _mean_events_per_case()))
    if cases < 1 or seed < 0:
        raise ValueError("cases must be positive and seed non-negative")
    if activities is not None and cases < 1000:
        raise ValueError("the wide mode (activities=...) needs at least 1000 cases")
    t = pd.Timestamp(start)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    period = min(1461.0, max(182.0, cases / 8)) * DAY  # about 6 months to 4 years
    return Plan(seed=seed, cases=cases, t0=int(t.timestamp()),
                block_seconds=BLOCK * period / cases,
                catalogue=Catalogue.build(activities))  # fmt: skip


def _ids(prefix: str, numbers: Ints, width: int) -> np.ndarray:
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(str), width))


def _cat(codes: Ints, values: Sequence[str] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(values))


def _widths(plan: Plan) -> tuple[int, int]:
    return max(6, len(str(plan.cases))), max(6, len(str(plan.blocks * BLOCK)))


def _flatten(block: Block) -> dict[str, Ints]:
    r, s = np.nonzero(block.active)  # row-major: slot order within each case
    return {"ts": block.ts[r, s], "case_no": block.case_no[r], "slot": s, "act": block.act[r, s],
            "res": block.res[r, s], "team": block.team[r, s], "channel": block.channel[r],
            "customer_no": block.customer_no[r], "service": block.service[r]}  # fmt: skip


def _chunks(plan: Plan, blocks_per_chunk: int) -> Iterator[tuple[dict[str, Ints], list[Block]]]:
    """Events in global timestamp order (ties: case number, then case order), by chunk.

    Block ``b`` never has an event before its window start, so whatever precedes the
    next window is final; later events wait in ``carry`` for the next chunk.
    """
    carry: dict[str, Ints] | None = None
    for first in range(0, plan.blocks, blocks_per_chunk):
        stop = min(plan.blocks, first + blocks_per_chunk)
        blocks = [simulate_block(plan, b) for b in range(first, stop)]
        parts = ([carry] if carry else []) + [_flatten(b) for b in blocks]
        ev = {k: np.concatenate([p[k] for p in parts]) for k in _EVENT_KEYS}
        order = np.lexsort((ev["slot"], ev["case_no"], ev["ts"]))
        ev = {k: v[order] for k, v in ev.items()}
        cut = (
            len(order) if stop == plan.blocks else int(np.searchsorted(ev["ts"], plan.window(stop)))
        )
        yield {k: v[:cut] for k, v in ev.items()}, blocks
        carry = {k: v[cut:] for k, v in ev.items()}


def _frame(plan: Plan, ev: dict[str, Ints], categorical: bool) -> pd.DataFrame:
    case_w, cust_w = _widths(plan)
    cases, ci = np.unique(ev["case_no"], return_inverse=True)
    custs, ui = np.unique(ev["customer_no"], return_inverse=True)
    stamps = ev["ts"].astype("datetime64[s]").astype("datetime64[us]")
    cols = {
        "case_id": _cat(ci, _ids("SR-", cases, case_w)),
        "activity": _cat(ev["act"], plan.catalogue.names),
        "timestamp": pd.Series(stamps).dt.tz_localize("UTC"),
        "resource": _cat(ev["res"], ROSTER),
        "team": _cat(ev["team"], TEAMS),
        "channel": _cat(ev["channel"], CHANNELS),
        "customer_id": _cat(ui, _ids("C", custs, cust_w)),
        "service": _cat(ev["service"], SERVICE_NAMES),
    }
    df = pd.DataFrame(cols)
    if not categorical:
        df = df.astype({c: "str" for c in COLUMNS if c != "timestamp"})
    return df


def _truth_frame(plan: Plan, block: Block) -> pd.DataFrame:
    case_w, cust_w = _widths(plan)
    df = pd.DataFrame({
        "case_id": _ids("SR-", block.case_no, case_w),
        "customer_id": _ids("C", block.customer_no, cust_w),
        "service": np.asarray(SERVICE_NAMES)[block.service],
        "channel": np.asarray(CHANNELS)[block.channel],
        **block_truth(block, plan.catalogue),
    })  # fmt: skip
    return df.iloc[np.argsort(block.case_no)].reset_index(drop=True)


_SUMS = ("events", "handoffs", "handoffs_resource", "pingpongs", "rework_events", "redo_events",
         "failure", "failure_activity", "repeat_contact", "repeat_rule", "handoff_cases",
         "single_handler", "pingpong_cases", "rework_cases", "redo_cases", "self_loop_cases",
         "dirty", "one_stop", "clean", "tie", "follows_template", "skipped_step",
         "inserted_step", "repeated_step")  # fmt: skip


def _sums(cases: pd.DataFrame) -> dict[str, int]:
    d = cases["demand_type"]
    cols = {"failure": d != "value", "failure_activity": d == "failure_activity",
            "repeat_contact": d == "repeat_contact", "repeat_rule": cases["repeat_contact"],
            "handoff_cases": cases["handoffs"] > 0, "pingpong_cases": cases["pingpongs"] > 0,
            "rework_cases": cases["rework_events"] > 0, "redo_cases": cases["redo_events"] > 0,
            "self_loop_cases": cases["self_loops"] > 0}  # fmt: skip
    out = {k: int(cols[k].sum()) if k in cols else int(cases[k].sum()) for k in _SUMS}
    out["cases"] = len(cases)
    return out


def _rates(s: dict[str, int]) -> dict[str, float]:
    n = max(1, s["cases"])

    def pct(key: str) -> float:
        return 100.0 * s[key] / n

    return {
        "cases": s["cases"], "events": s["events"],
        "failure_demand_pct": pct("failure"), "failure_activity_pct": pct("failure_activity"),
        "repeat_contact_pct": pct("repeat_contact"), "repeat_contact_rule_pct": pct("repeat_rule"),
        "value_demand_pct": 100.0 - pct("failure"),
        "single_handler_pct": pct("single_handler"), "cases_with_handoff_pct": pct("handoff_cases"),
        "mean_handoffs": s["handoffs"] / n, "mean_handoffs_resource": s["handoffs_resource"] / n,
        "pingpong_cases_pct": pct("pingpong_cases"), "pingpongs": s["pingpongs"],
        "rework_cases_pct": pct("rework_cases"), "rework_events": s["rework_events"],
        "redo_events": s["redo_events"], "repeat_events": s["rework_events"] - s["redo_events"],
        "redo_cases_pct": pct("redo_cases"), "self_loop_cases_pct": pct("self_loop_cases"),
        "dirty_cases_pct": pct("dirty"), "one_stop_pct": pct("one_stop"), "clean_pct": pct("clean"),
        "tie_cases": s["tie"],
        "follows_template_pct": pct("follows_template"), "skipped_step_pct": pct("skipped_step"),
        "inserted_step_pct": pct("inserted_step"), "repeated_step_pct": pct("repeated_step"),
    }  # fmt: skip


def truth_rates(cases: pd.DataFrame) -> dict[str, float]:
    """Log-level rates from a per-case truth table (``SyntheticLog.cases``).

    Percentages (``*_pct``) are of all cases: ``failure_demand_pct`` (demand type not
    value) = ``failure_activity_pct`` + ``repeat_contact_pct`` (cases by demand type;
    ``repeat_contact_rule_pct`` counts every case the rule matches), ``value_demand_pct``,
    ``single_handler_pct``, ``cases_with_handoff_pct``, ``pingpong_cases_pct``,
    ``rework_cases_pct``, ``redo_cases_pct``, ``self_loop_cases_pct``, ``dirty_cases_pct``,
    ``one_stop_pct``, ``clean_pct``, and against the designed journeys
    ``follows_template_pct``, ``skipped_step_pct``, ``inserted_step_pct``,
    ``repeated_step_pct``. Means per case: ``mean_handoffs`` (team level),
    ``mean_handoffs_resource``. Counts: ``cases``, ``events``, ``pingpongs``,
    ``rework_events`` = ``redo_events`` + ``repeat_events``, ``tie_cases``.

    Examples
    --------
    >>> log = generate_log(cases=300, seed=3, with_truth=True)
    >>> truth_rates(log.cases) == log.rates
    True
    """
    return _rates(_sums(cases))


@overload
def generate_log(*, cases: int | None = ..., events: int | None = ..., seed: int = ...,
                 activities: int | None = ..., start: str = ...,
                 with_truth: Literal[False] = ...) -> pd.DataFrame: ...  # fmt: skip
@overload
def generate_log(*, cases: int | None = ..., events: int | None = ..., seed: int = ...,
                 activities: int | None = ..., start: str = ...,
                 with_truth: Literal[True]) -> SyntheticLog: ...  # fmt: skip
def generate_log(
    *,
    cases: int | None = None,
    events: int | None = None,
    seed: int = 7,
    activities: int | None = None,
    start: str = "2024-01-01",
    with_truth: bool = False,
) -> pd.DataFrame | SyntheticLog:
    """Generate a synthetic customer-service event log.

    Parameters
    ----------
    cases : number of cases; or
    events : approximate number of events (the number of cases is chosen from it; the
        result is within a few percent for logs over a few thousand events). Default:
        about 10,000 events.
    seed : random seed; the same arguments give the same log, byte for byte.
    activities : when given (at least 23, with at least 1000 cases), the log uses
        exactly that many distinct activity names: a wide, messy process in which the
        assessment and work steps are drawn from a long-tailed pool of names.
    start : first day (UTC) of the period in which cases arrive. The period runs about
        six months for small logs, longer for large ones (up to four years).
    with_truth : return a :class:`SyntheticLog` (events, per-case truth, rates) instead
        of the event table alone.

    Returns
    -------
    The event table with columns :data:`COLUMNS`, rows sorted by timestamp (ties by case
    number, then by order within the case). Identifiers are text (``SR-000123``,
    ``C000042``); ``timestamp`` is ``datetime64[us, UTC]``; ``resource`` and ``team`` are
    missing for automated events and web forms.

    Examples
    --------
    >>> log = generate_log(cases=500, seed=1, with_truth=True)
    >>> list(log.events.columns) == list(COLUMNS), len(log.cases)
    (True, 500)
    >>> bool(log.events["customer_id"].str.fullmatch(r"C\\d{6}").all())
    True
    >>> generate_log(cases=500, seed=1).equals(log.events)
    True
    """
    plan = _plan(cases, events, seed, activities, start)
    frames, truths = [], []
    for ev, blocks in _chunks(plan, 4):
        frames.append(_frame(plan, ev, categorical=False))
        truths += [_truth_frame(plan, b) for b in blocks] if with_truth else []
    df = pd.concat(frames, ignore_index=True)
    if activities is not None and df["activity"].nunique() != activities:
        raise RuntimeError("the log is too small for that many distinct activities")
    if not with_truth:
        return df
    truth = pd.concat(truths, ignore_index=True)
    return SyntheticLog(events=df, cases=truth, rates=truth_rates(truth))


def write_csv(
    path: str | Path,
    *,
    cases: int | None = None,
    events: int | None = None,
    seed: int = 7,
    activities: int | None = None,
    start: str = "2024-01-01",
    chunk_cases: int = 65_536,
    truth_path: str | Path | None = None,
) -> dict[str, float]:
    """Generate a log straight to a CSV file, in bounded memory (gzip if path ends .gz).

    Cases are simulated in chunks of about ``chunk_cases``; only the chunk and the
    events of cases still open at its end are held in memory. The bytes are those of
    ``generate_log`` with the same arguments, whatever ``chunk_cases``. Timestamps are
    written as ``2024-03-04T09:15:00+00:00``, missing values as empty fields.

    Parameters
    ----------
    path : CSV file to write (``.csv`` or ``.csv.gz``).
    cases, events, seed, activities, start : as for :func:`generate_log`.
    chunk_cases : cases simulated per chunk (memory use), rounded to blocks of 8192.
    truth_path : also write the per-case truth table there (CSV).

    Returns
    -------
    The log-level rates of the planted truth (see :func:`truth_rates`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     rates = write_csv(pathlib.Path(d) / "log.csv", events=2000, seed=5)
    ...     lines = (pathlib.Path(d) / "log.csv").read_text().splitlines()
    >>> lines[0]
    'case_id,activity,timestamp,resource,team,channel,customer_id,service'
    >>> len(lines) - 1 == rates["events"]
    True
    """
    plan = _plan(cases, events, seed, activities, start)
    totals = dict.fromkeys((*_SUMS, "cases"), 0)
    with ExitStack() as stack:
        out = stack.enter_context(open_output(path))
        truth_out = None
        if truth_path is not None:
            truth_out = stack.enter_context(open(truth_path, "w", encoding="utf-8", newline=""))
        out.write((",".join(COLUMNS) + "\n").encode())
        for ev, blocks in _chunks(plan, max(1, chunk_cases // BLOCK)):
            write_frame_csv(_frame(plan, ev, categorical=True), out, header=False)
            for b in blocks:
                truth = _truth_frame(plan, b)
                sums = _sums(truth)
                totals = {k: v + sums[k] for k, v in totals.items()}
                if truth_out is not None:
                    header = truth_out.tell() == 0
                    truth.to_csv(truth_out, index=False, header=header, lineterminator="\n")
    return _rates(totals)
