"""Before and after: did the change work?

:func:`compare` puts the findings of two periods (two logs, or one log split by the date
its cases start, :func:`split_log`) side by side: every directly-follows path with its
cases and median wait in each and the change, the paths that are new or have vanished,
and every headline measure before, after and the change. Its notes say when the two
logs' mappings or activities differ, so that a change is not an artefact of naming.
:func:`write_comparison` writes it (:mod:`journeymap.pipeline.compare_outputs`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from journeymap.analysis.demand import ACCOUNTS_DOUBT
from journeymap.analysis.period import complete_period
from journeymap.discovery.times import case_times_expr
from journeymap.errors import ConfigError, expect, option
from journeymap.eventlog import EventLog
from journeymap.findings import Comparison, Findings
from journeymap.interrupts import steps
from journeymap.jsonout import iso_day, iso_utc
from journeymap.options import Options
from journeymap.pipeline.mine import mine
from journeymap.render.change_words import (
    HEADLINE_MEASURES,
    LEVEL_MEASURES,
    RATE_WEEKS,
    comparison_notes,
    level_note,
    side_notes,
    split_labels,
)
from journeymap.render.doubts import doubts
from journeymap.render.summary import summary

__all__ = ["arrivals", "compare", "compare_split", "headline_values", "split_log"]


#: The dates and times a split is given in: ISO 8601, the year first (a zone optional).
_ISO_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def split_log(log: EventLog, at: Any) -> tuple[EventLog, EventLog]:
    """The cases of ``log`` that start before the instant ``at`` (a date or timestamp;
    without a time zone, UTC), and those that start at or after it, as two logs on the
    log's engine. A case's start is its first timestamp (its first start timestamp
    when mapped), as for end-to-end time; a case belongs wholly to one side.

    Raises
    ------
    ConfigError
        ``at`` is not a date, or no case starts on one side of it.

    Examples
    --------
    >>> log = EventLog.from_frame(pd.DataFrame({"case": ["1", "1", "2"],
    ...     "activity": ["a", "b", "a"],
    ...     "timestamp": ["2024-01-01", "2024-03-01", "2024-02-01"]}))
    >>> before, after = split_log(log, "2024-01-15")
    >>> before.cases, after.cases, before.source
    (1, 1, 'data frame (cases starting before 2024-01-15)')
    """
    halves, _ = _split(log, at)
    return halves


def _split(log: EventLog, at: Any) -> tuple[tuple[EventLog, EventLog], tuple[str, str]]:
    import ibis

    expect(log, EventLog, "the log to split", "read the file with jm.read_log(path)")
    if isinstance(at, (int, float)):  # not an instant: 20240901 is no date
        raise TypeError(
            f"the split's date must be a date or timestamp such as '2024-09-01', not {at!r}"
        )
    log.check_open()
    if isinstance(at, str) and not _ISO_INSTANT.fullmatch(at.strip()):
        # 01/06/2012 is June in one country and January in another: never guessed
        raise ConfigError(
            f"{option('split_at', at)}: not an ISO 8601 date; give the year first, such as "
            "2024-03-01 or 2024-03-01T12:00"
        )
    try:
        instant = pd.Timestamp(at.strip() if isinstance(at, str) else at)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{option('split_at', str(at))}: not a date; give one such as 2024-03-01"
        ) from exc
    instant = instant.tz_localize("UTC") if instant.tzinfo is None else instant.tz_convert("UTC")
    shown = iso_utc(instant) or ""
    day = shown[:10] if shown.endswith("T00:00:00Z") else shown
    times = case_times_expr(log)
    cut = ibis.literal(instant.to_pydatetime(), type="timestamp('UTC')")
    labels = split_labels(day)
    halves = []
    for label, cases in zip(
        labels, (times.filter(times.start < cut), times.filter(times.start >= cut)), strict=True
    ):
        half = log.only_cases(cases.select("case"), label=label)
        if half.events == 0:
            span = log.engine.fetch(
                times.aggregate(first=times.start.min(), last=times.start.max())
            )
            first, last = (iso_day(span[c].iloc[0]) for c in ("first", "last"))
            raise ConfigError(
                f"no {label.replace('cases starting', 'case starts')}: cases start from "
                f"{first} to {last}; give a date between them with {option('split_at', 'DATE')}"
            )
        halves.append(half)
    return (halves[0], halves[1]), labels


def arrivals(findings: Findings) -> tuple[pd.Timestamp | None, pd.Timestamp | None, int]:
    """When demand arrived: the first and the last case's start, and the cases.

    A rate of demand counts cases over the weeks they arrived in: measured to the last
    event instead, a side split off at a date ran on into the other side's weeks with
    its cases' tails, and its rate read low (the receipt log split at 2011-06-01: 15.4 a
    week before and 19.7 after, when 22.3 arrived a week before)."""
    if findings.check is None:  # no per-case table: the log's own span
        return pd.Timestamp(findings.start), pd.Timestamp(findings.end), findings.case_count
    d = findings.check.demand.expr
    starts = findings.log.engine.fetch(d.aggregate(first=d.start.min(), last=d.start.max()))
    first, last = (starts[c].iloc[0] for c in ("first", "last"))
    if pd.isna(first):
        return None, None, 0
    return pd.Timestamp(first), pd.Timestamp(last), findings.case_count


def headline_values(
    findings: Findings, arrived: tuple[Any, Any, int] | None = None
) -> dict[str, float | None]:
    """The headline measures of :data:`~journeymap.render.change_words.HEADLINE_MEASURES`
    as numbers, from the findings' summary (``arrived``: :func:`arrivals`, when the
    caller has it)."""
    s = summary(findings)
    cases = s["cases"] or 0
    e2e = s.get("end_to_end") or {}
    capability = s.get("capability") or {}
    handoffs = s.get("handoffs") or {}
    rework = s.get("rework") or {}
    first, last, _ = arrived or arrivals(findings)
    weeks = 0.0
    if first is not None and last is not None:
        weeks = (last - first).total_seconds() / (7 * 86400)
    # A rate needs a week of arrivals (RATE_WEEKS): five cases in a day are not 35 a week.
    weeks = weeks if weeks >= RATE_WEEKS else 0.0
    values: dict[str, Any] = {
        "cases": s["cases"],
        "cases_per_week": cases / weeks if weeks > 0 else None,
        "events": s["events"],
        "failure_demand_pct": s.get("failure_demand_pct"),
        "one_stop_pct": s.get("one_stop_pct"),
        "clean_pct": s.get("clean_pct"),
        "single_handler_pct": s.get("single_handler_pct"),
        "e2e_median_s": e2e.get("median_s"),
        "e2e_p90_s": e2e.get("p90_s"),
        "capability_centre_s": capability.get("centre"),
        "capability_unpl_s": capability.get("unpl"),
        "handoffs_per_case": handoffs["per_case"] if handoffs else None,
        "rework_cases_pct": 100 * rework["cases"] / cases if rework and cases else None,
        "activities": s["activities"],
        "variants": s["variants"],
    }
    return {k: None if values[k] is None else float(values[k]) for k in HEADLINE_MEASURES}


def _paths(before: pd.DataFrame, after: pd.DataFrame, totals: tuple[int, int]) -> pd.DataFrame:
    keys = ["source", "target"]
    columns = [*keys, "cases", "median_wait_s"]
    both = before[columns].merge(
        after[columns], on=keys, how="outer", suffixes=("_before", "_after"), indicator=True
    )
    status = both.pop("_merge").astype(str)
    out = pd.DataFrame(
        {
            "source": both["source"],
            "target": both["target"],
            "cases_before": both["cases_before"].fillna(0).astype("int64"),
            "cases_after": both["cases_after"].fillna(0).astype("int64"),
        }
    )
    out["cases_change"] = out["cases_after"] - out["cases_before"]
    for side, n in (("before", totals[0]), ("after", totals[1])):
        out[f"pct_{side}"] = 100 * out[f"cases_{side}"] / n if n else float("nan")
    out["median_wait_before_s"] = both["median_wait_s_before"].astype("float64")
    out["median_wait_after_s"] = both["median_wait_s_after"].astype("float64")
    out["median_wait_change_s"] = out["median_wait_after_s"] - out["median_wait_before_s"]
    out["status"] = status.map({"both": "both", "left_only": "vanished", "right_only": "new"})
    busiest = out[["cases_before", "cases_after"]].max(axis=1)
    order = out.assign(_busiest=-busiest).sort_values(["_busiest", "source", "target"])
    return order.drop(columns="_busiest").reset_index(drop=True)


def rejects_file(side: str) -> str:
    """Where a comparison's folder holds one side's rejected rows (``before`` or
    ``after``): ``tables/rejects_before.csv``."""
    return f"tables/rejects_{side}.csv"


def compare(
    before: Findings, after: Findings, *, labels: tuple[str, str] = ("before", "after")
) -> Comparison:
    """Compare the findings of two periods (or logs): paths, headline measures, notes.

    Paths are those of the whole directly-follows graphs (start and end edges
    included): a path is ``new`` when only ``after`` has it, ``vanished`` when only
    ``before`` has it. Changes are after minus before; a median wait change is missing
    when one side has no wait on that path. ``pct_before`` and ``pct_after`` are the
    path's cases as a share of the period's cases, so that periods of different volume
    compare.

    Examples
    --------
    >>> import pandas as pd
    >>> import journeymap as jm
    >>> frame = pd.DataFrame({"case": ["1", "1", "2", "2"], "activity": ["a", "b", "a", "c"],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-02-01", "2024-02-03"]})
    >>> log = jm.EventLog.from_frame(frame)
    >>> first, second = split_log(log, "2024-01-15")
    >>> result = compare(jm.mine(first), jm.mine(second))
    >>> result.paths[["source", "target", "status"]].values.tolist()[:2]
    [['__start__', 'a', 'both'], ['a', 'b', 'vanished']]
    """
    for side, found in (("before", before), ("after", after)):
        expect(found, Findings, f"compare()'s {side}", "mine each log with jm.mine(log)")
        found.log.check_open()
    spans = (arrivals(before), arrivals(after))
    values = [headline_values(before, spans[0]), headline_values(after, spans[1])]
    measures = pd.DataFrame(
        [
            {
                "key": key,
                "measure": words,
                "kind": kind,
                "before": values[0][key],
                "after": values[1][key],
                "change": (
                    None
                    if values[0][key] is None or values[1][key] is None
                    else values[1][key] - values[0][key]  # type: ignore[operator]
                ),
            }
            for key, (words, kind) in HEADLINE_MEASURES.items()
        ]
    )
    templates = _template_measures(before, after)
    if not templates.empty:
        measures = pd.concat([measures, templates], ignore_index=True)
    # Hand-offs between teams on one side and between people on the other: not compared.
    levels = level_note((before.level, after.level), labels)
    if levels:
        measures["change"] = measures["change"].astype(object)
        measures.loc[measures["key"].isin(LEVEL_MEASURES), "change"] = None
    named = [set(f.activities["activity"].astype(str)) for f in (before, after)]
    notes = ([levels] if levels else []) + comparison_notes(
        before.log.mapping.columns(),
        after.log.mapping.columns(),
        sorted(named[0] - named[1]),
        sorted(named[1] - named[0]),
        (before.log.end_activities, after.log.end_activities),
        labels,
    )
    notes += side_notes(
        labels,
        spans,
        (
            doubts(before, rejects_file=rejects_file("before")),
            doubts(after, rejects_file=rejects_file("after")),
        ),
    )
    notes += _shared_account_doubt(before, after, labels)
    return Comparison(
        before=before,
        after=after,
        labels=labels,
        paths=_paths(before.dfg, after.dfg, (before.case_count, after.case_count)),
        measures=measures,
        notes=notes,
    )


#: What a comparison gives of each journey template: key -> words.
TEMPLATE_MEASURES = {"conforming_pct": "as designed", "straightforward_pct": "could have been"}


def _template_measures(before: Findings, after: Findings) -> pd.DataFrame:
    """Per journey template of either side, in the templates' order: the share of its
    cases that went through as designed, and of those that could have (value demand
    that deviated), before and after: did more journeys go as designed after the
    change? Keys ``template:NAME:conforming_pct`` and ``...:straightforward_pct``."""
    sides = [{} if f.templates is None else f.templates.summary for f in (before, after)]
    rows = []
    for name in dict.fromkeys([*sides[0], *sides[1]]):
        for key, words in TEMPLATE_MEASURES.items():
            was, now = (side.get(name, {}).get(key) for side in sides)
            rows.append(
                {
                    "key": f"template:{name}:{key}",
                    "measure": f"Template '{name}': {words}",
                    "kind": "pct",
                    "before": was,
                    "after": now,
                    "change": None if was is None or now is None else now - was,
                }
            )
    return pd.DataFrame(rows, columns=["key", "measure", "kind", "before", "after", "change"])


def _shared_account_doubt(before: Findings, after: Findings, labels: tuple[str, str]) -> list[str]:
    """When one side's customer column is doubted as naming accounts and the other side
    maps the same column, the other side's repeat contacts share the doubt: it fell
    under the threshold of cases per customer, not out of the question (a log split in
    two: 4.8 cases per customer before, 9.9 after)."""
    flagged = [
        any(d.startswith(ACCOUNTS_DOUBT) for d in f.check.doubts) if f.check else False
        for f in (before, after)
    ]
    column = before.log.mapping.customer
    if flagged[0] == flagged[1] or column is None or column != after.log.mapping.customer:
        return []
    said, other = (labels[0], labels[1]) if flagged[0] else (labels[1], labels[0])
    return [
        f"{other.capitalize()}: its customer column, {column!r}, is the one doubted for "
        f"{said} (it may name accounts, not people): its repeat contacts share that doubt, "
        "with fewer cases per customer."
    ]


def compare_split(
    log: EventLog,
    at: Any,
    options: Options | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Split ``log`` at ``at`` (:func:`split_log`), mine each half with ``options`` and
    compare them; the labels name the split ("cases starting before 2024-03-01").

    Raises
    ------
    As :func:`split_log` and :func:`journeymap.mine`.
    """
    say = steps(progress)  # raises a noted interrupt at each step
    (first, second), labels = _split(log, at)
    options = options or Options()
    charted = ""
    if options.check.period is None:
        # The whole log's complete period, for both sides: detected on one side, it would
        # end at the split and leave out the cases still open there, the long ones.
        whole = complete_period(log)
        period = f"{whole.start.isoformat()}..{whole.end.isoformat()}"
        options = dataclasses.replace(
            options, check=dataclasses.replace(options.check, period=period)
        )
        charted = (
            f" Both capability charts cover the cases that started and ended from "
            f"{iso_day(whole.start)} to {iso_day(whole.end - pd.Timedelta(microseconds=1))}, "
            "the whole log's complete period, each side with the cases that started on it: "
            "a case still open at the split stays in the chart of the side it started on."
        )
    found = []
    for half, label in ((first, labels[0]), (second, labels[1])):
        say(f"mining the {label}")
        found.append(mine(half, options, progress=say))
    comparison = compare(found[0], found[1], labels=labels)
    if charted:  # the period was the split's choice, not the user's: say so
        asked = ": the period asked for, "
        comparison.notes = [
            note.split(asked)[0] + ": no case of this side started and ended within the "
            "whole log's complete period, so it has no capability chart"
            if asked in note
            else note
            for note in comparison.notes
        ]
    comparison.notes.insert(
        0,
        f"One log split by the date each case starts (its first event, UTC): "
        f"{labels[0]} and {labels[1]}. Each period was mined on its own, so repeat "
        f"contacts and the capability limits look only within it.{charted}",
    )
    return comparison
