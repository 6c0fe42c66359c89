"""The engine's own floor: the work of `journeymap mine --no-report`, in plain DuckDB SQL.

Run by hand (not part of the tests):

    .venv/bin/python bench/engine_floor.py bench/data/service_1000000.csv -o /tmp/floor --steps
    .venv/bin/python bench/engine_floor.py LOG -o /tmp/floor --compare MINE_OUTDIR

No journeymap, no Ibis, no pandas, no numpy: one DuckDB connection reads a CSV made by
`journeymap.synthetic.write_csv` (columns case_id, activity, timestamp, resource, team,
channel, customer_id, service) with its column types declared (no sniffing, no
validation, no rejects, no placeholder clean-up: empty cells are NULL), and computes the
tables `mine` computes, as directly as DuckDB allows:

1. one typed read into a table (its rowid is the file order, for ties), and the
   activities, handlers and channels read from it as enumerations (as `mine` does;
   --text leaves them text);
2. one ordering pass: a window by case over (timestamp, file order) that gives each
   event its position, the next activity, the next event's team, the wait out of and
   into the event, and, per handler level (team and resource), the previous
   known-handler event's handler, timestamp (so the hand-off wait) and activity, with
   `lag(... IGNORE NULLS)`;
3. two narrower windows: by case and activity over the position, for rework (an
   occurrence after the first) and redo (the previous occurrence's resource differs);
   and over the run starts of both levels, for ping-pong (run[j] == run[j+2]);
4. aggregates: per activity (activities and rework tables, start and end edges, lanes
   by `histogram`, failure-activity match on the distinct names), DFG edges with
   events, cases, mean, median and p90 wait and hand-offs, hand-off matrices of both
   levels, reintegration candidates, ping-pong pairs, one row per case (events, start,
   end, e2e, activity sequence, hand-offs, handlers and hand-off wait of both levels,
   ping-pongs, rework, redo, self-loops, failure-activity flag, customer, channel),
   variants with ranks, demand (failure activity, then repeat contact within 14 days by
   a self-join on the customer), flow (single handler, one-stop, clean), customer
   journeys (a customer's cases linked within 14 days, with their channel paths over the
   events' known channels), the summaries
   (end-to-end, hand-offs with buckets and Spearman's rho, rework, demand, flow by
   demand type and channel) and the capability series (daily mean end-to-end time of
   the cases within the log's complete period, weekly volume, weekly failure demand)
   with their XmR limits and signals;
5. the tables written with DuckDB's COPY, as `mine` writes them (tables/*.csv, and
   summary.json): plain COPY, without `mine`'s spreadsheet-formula neutralising of text
   cells and fixed-decimal formatting.

It does not draw the journey map or the three XmR charts (bench_mine.py times `dot` on
its own) and writes no reintegration sentences. What it costs is a lower bound for any
tool that does `mine`'s work with DuckDB on the same machine; bench_mine.py runs it
beside `mine` and the pm4py script. --memory-limit sets DuckDB's own limit.

--compare MINE_OUTDIR checks the floor's tables against a `journeymap mine` output
folder of the same log: it prints the headline counts of both (events, cases, DFG
edges, variants, hand-offs and ping-pongs per level, rework totals, demand and flow)
and the rows of each table that differ (numbers rounded to 3 decimals).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from steps import StepClock  # bench/steps.py, beside this script

COLUMNS = {
    "case_id": "VARCHAR",
    "activity": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "resource": "VARCHAR",
    "team": "VARCHAR",
    "channel": "VARCHAR",
    "customer_id": "VARCHAR",
    "service": "VARCHAR",
}

# journeymap.analysis.demand_rules.DEFAULT_FAILURE_ACTIVITIES, copied: matched
# case-insensitively anywhere in an activity's name.
FAILURE_ACTIVITIES = (
    "chase", "chaser", "progress", "status request", "where is", "complain", "complaint",
    "reopen", "re-open", "repeat", "follow up", "follow-up", "escalat",
)  # fmt: skip
FAILURE_PATTERN = "(?i)" + "|".join(f"(?:{p})" for p in FAILURE_ACTIVITIES)
REPEAT_CONTACT_DAYS = 14
MAX_POINTS = 5000  # the end-to-end chart plots daily means over this many cases

READ = """
CREATE TABLE events_read AS
SELECT case_id, activity, timestamp, resource, team, channel, customer_id
FROM read_csv($path, header = true, columns = $columns)
"""

# The activities, handlers and channels read as enumerations of their values in text
# order, as `mine` reads them (journeymap/engine/duckdb_encode.py): the windows carry a
# one-byte code, not the text. The events are a view over the table as read, with its
# row number (the file order, for ties). --text reads them as text.
ENCODED = ("activity", "resource", "team", "channel")


def encode(con, text: bool) -> None:
    casts = []
    for column in () if text else ENCODED:
        con.execute(
            f"CREATE TYPE {column}_values AS ENUM (SELECT DISTINCT {column} FROM events_read "
            f"WHERE {column} IS NOT NULL ORDER BY {column})"
        )
        casts.append(f"CAST({column} AS {column}_values) AS {column}")
    replace = f" REPLACE ({', '.join(casts)})" if casts else ""
    con.execute(f"CREATE VIEW events AS SELECT *{replace}, rowid AS row FROM events_read")


# A case's customer and channel (the smallest), from the events as read: carrying the
# two columns through the ordering window costs more than this aggregate.
CASE_ATTRIBUTES = """
CREATE TABLE case_attributes AS
SELECT case_id, min(customer_id) AS customer, min(channel) AS channel,
       max(channel) AS highest_channel
FROM events GROUP BY case_id
"""

# The events' known channels, for the channel paths of customer journeys (the ordering
# window does not carry the channel).
CHANNEL_EVENTS = """
CREATE TABLE channel_events AS
SELECT case_id, timestamp, row, channel FROM events WHERE channel IS NOT NULL
"""

# The one ordering pass: one window by case gives every per-event column the flow
# measures need, both hand-off levels included.
ORDER = """
CREATE TABLE ordered AS
SELECT *,
       team IS NOT NULL AND prev_team IS NOT NULL AND team <> prev_team AS team_handoff,
       team IS NOT NULL AND (prev_team IS NULL OR team <> prev_team) AS team_run_start,
       resource IS NOT NULL AND prev_resource IS NOT NULL
           AND resource <> prev_resource AS resource_handoff,
       resource IS NOT NULL AND (prev_resource IS NULL OR resource <> prev_resource)
           AS resource_run_start,
       coalesce(activity = next_activity, false) AS self_loop
FROM (
    SELECT case_id, activity, timestamp, team, resource,
           row_number() OVER w - 1 AS pos,
           lead(activity) OVER w AS next_activity,
           lead(team) OVER w AS next_team,
           epoch(lead(timestamp) OVER w) - epoch(timestamp) AS wait_out,
           epoch(timestamp) - epoch(lag(timestamp) OVER w) AS wait_in,
           lag(team IGNORE NULLS) OVER w AS prev_team,
           epoch(timestamp) - epoch(lag(CASE WHEN team IS NOT NULL THEN timestamp END
                                        IGNORE NULLS) OVER w) AS team_wait,
           lag(CASE WHEN team IS NOT NULL THEN activity END IGNORE NULLS) OVER w
               AS prev_team_activity,
           lag(resource IGNORE NULLS) OVER w AS prev_resource,
           epoch(timestamp) - epoch(lag(CASE WHEN resource IS NOT NULL THEN timestamp END
                                        IGNORE NULLS) OVER w) AS resource_wait
    FROM events
    WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, row)
)
"""

# Rework and redo: a window by case and activity over the integer position, on the few
# columns it needs. (The same window in the ordering statement made that statement
# 1.8 s of CPU dearer at 1M events, nearly twice what this one costs.)
REWORK = """
CREATE TABLE flags AS
SELECT case_id, activity, wait_in, rework,
       rework AND resource IS NOT NULL AND previous IS NOT NULL
           AND resource <> previous AS redo
FROM (
    SELECT case_id, activity, wait_in, resource, row_number() OVER a > 1 AS rework,
           lag(resource) OVER a AS previous
    FROM ordered WINDOW a AS (PARTITION BY case_id, activity ORDER BY pos)
)
"""

# Collapse each level's known-handler sequence into runs; run[j] == run[j+2] is one
# ping-pong between run[j] and run[j+1].
PINGPONG_EVENTS = """
CREATE TABLE pingpong_events AS
SELECT level, case_id, a, b
FROM (
    SELECT level, case_id, handler AS a, lead(handler) OVER r AS b,
           lead(handler, 2) OVER r AS back
    FROM (
        SELECT 'team' AS level, case_id, pos, team AS handler
        FROM ordered WHERE team_run_start
        UNION ALL
        SELECT 'resource', case_id, pos, resource FROM ordered WHERE resource_run_start
    )
    WINDOW r AS (PARTITION BY level, case_id ORDER BY pos)
)
WHERE back = a
"""

ACTIVITIES = """
CREATE TABLE activity_stats AS
WITH e AS (
    SELECT activity, count(*) AS events, count(DISTINCT case_id) AS cases,
           count(*) FILTER (pos = 0) AS first_in_cases,
           count(*) FILTER (next_activity IS NULL) AS last_in_cases,
           histogram(team) AS lanes, count(*) FILTER (self_loop) AS self_loops,
           regexp_matches(activity, $pattern) AS failure_activity
    FROM ordered GROUP BY activity
), r AS (
    SELECT activity, count(*) FILTER (rework) AS repeat_events,
           count(DISTINCT case_id) FILTER (rework) AS rework_cases,
           count(*) FILTER (redo) AS redo_events,
           coalesce(sum(wait_in) FILTER (rework), 0) AS rework_wait_s
    FROM flags GROUP BY activity
)
SELECT * FROM e JOIN r USING (activity)
"""

DFG = """
CREATE TABLE dfg AS
SELECT activity AS source, next_activity AS target, count(*) AS events,
       count(DISTINCT case_id) AS cases, avg(wait_out) AS mean_wait_s,
       median(wait_out) AS median_wait_s, quantile_cont(wait_out, 0.9) AS p90_wait_s,
       count(*) FILTER (team <> next_team) AS handoffs
FROM ordered WHERE next_activity IS NOT NULL GROUP BY ALL
UNION ALL
SELECT '__start__', activity, first_in_cases, first_in_cases, NULL, NULL, NULL, 0
FROM activity_stats WHERE first_in_cases > 0
UNION ALL
SELECT activity, '__end__', last_in_cases, last_in_cases, NULL, NULL, NULL, 0
FROM activity_stats WHERE last_in_cases > 0
"""

HANDOFFS = """
CREATE TABLE handoffs AS
SELECT 'team' AS level, prev_team AS "from", team AS "to", count(*) AS count,
       count(DISTINCT case_id) AS cases, median(team_wait) AS median_wait_s,
       sum(team_wait) AS total_wait_s
FROM ordered WHERE team_handoff GROUP BY ALL
UNION ALL
SELECT 'resource', prev_resource, resource, count(*), count(DISTINCT case_id),
       median(resource_wait), sum(resource_wait)
FROM ordered WHERE resource_handoff GROUP BY ALL
"""

REINTEGRATION = """
CREATE TABLE reintegration AS
SELECT 'team' AS level, prev_team_activity AS from_activity, activity AS to_activity,
       prev_team AS from_handler, team AS to_handler, count(*) AS handoffs,
       count(DISTINCT case_id) AS cases, median(team_wait) AS median_wait_s,
       sum(team_wait) AS total_wait_s
FROM ordered WHERE team_handoff GROUP BY ALL
"""

PINGPONG = """
CREATE TABLE pingpong AS
SELECT level, a, b, count(*) AS count, count(DISTINCT case_id) AS cases
FROM pingpong_events GROUP BY ALL
"""

PER_CASE = """
CREATE TABLE per_case AS
WITH pings AS (
    SELECT case_id, count(*) AS pingpongs_team
    FROM pingpong_events WHERE level = 'team' GROUP BY case_id
), rw AS (
    SELECT case_id, count(*) FILTER (rework) AS rework_events FROM flags GROUP BY case_id
), per AS (
    SELECT case_id, count(*) AS events, min(timestamp) AS start, max(timestamp) AS "end",
           epoch(max(timestamp)) - epoch(min(timestamp)) AS e2e_s,
           list(activity ORDER BY pos) AS sequence,
           count(*) FILTER (team_handoff) AS handoffs_team,
           count(DISTINCT team) AS handlers_team,
           coalesce(sum(team_wait) FILTER (team_handoff), 0) AS handoff_wait_team,
           bool_or(activity IN (SELECT activity FROM activity_stats WHERE failure_activity))
               AS failure_activity
    FROM ordered GROUP BY case_id
)
SELECT per.*, rework_events, coalesce(pingpongs_team, 0) AS pingpongs_team, customer, channel
FROM per JOIN rw USING (case_id) JOIN case_attributes USING (case_id)
LEFT JOIN pings USING (case_id)
"""

VARIANTS = """
CREATE TABLE variants AS
SELECT row_number() OVER (ORDER BY count(*) DESC, sequence) AS rank, sequence,
       count(*) AS cases, median(e2e_s) AS median_e2e_s
FROM per_case GROUP BY sequence
"""

DEMAND = f"""
CREATE TABLE demand AS
WITH repeat AS (
    SELECT DISTINCT c.case_id
    FROM per_case c JOIN per_case p
      ON c.customer = p.customer AND c.case_id <> p.case_id AND p."end" <= c.start
     AND epoch(c.start) - epoch(p."end") <= {REPEAT_CONTACT_DAYS} * 86400.0
)
SELECT c.case_id AS "case",
       CASE WHEN c.failure_activity THEN 'failure_activity'
            WHEN r.case_id IS NOT NULL THEN 'repeat_contact' ELSE 'value' END AS demand_type,
       c.failure_activity OR r.case_id IS NOT NULL AS failure, c.start, c."end"
FROM per_case c LEFT JOIN repeat r USING (case_id)
"""

FLOW = """
CREATE TABLE flow AS
SELECT c.case_id AS "case", d.demand_type, c.handoffs_team AS handoffs,
       c.pingpongs_team AS pingpongs, c.rework_events, false AS dirty,
       c.handoffs_team = 0 AS single_handler,
       c.handoffs_team = 0 AND c.rework_events = 0 AND NOT d.failure AS one_stop,
       c.rework_events = 0 AND c.pingpongs_team = 0 AND NOT d.failure AS clean,
       c.channel
FROM per_case c JOIN demand d ON d."case" = c.case_id
"""

# Customer journeys: a customer's cases in order of start (ties by case id); a case
# starts a new journey when it starts more than {REPEAT_CONTACT_DAYS} days after the latest end
# of the customer's earlier cases.
JOURNEY_CASES = f"""
CREATE TABLE journey_cases AS
SELECT case_id, customer, start, "end",
       CASE WHEN journey_no = 1 THEN customer ELSE customer || ' #' || journey_no END
           AS journey
FROM (
    SELECT *, sum(new::INTEGER) OVER (PARTITION BY customer ORDER BY start, case_id
                                      ROWS UNBOUNDED PRECEDING) AS journey_no
    FROM (
        SELECT case_id, customer, start, "end",
               coalesce(epoch(start) - epoch(max("end") OVER (
                   PARTITION BY customer ORDER BY start, case_id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
                   > {REPEAT_CONTACT_DAYS} * 86400.0, true) AS new
        FROM per_case WHERE customer IS NOT NULL
    )
)
"""

# One row per journey; its channel path is its events' known channels in time order,
# runs of one channel once. A journey of one case with one channel has that channel as
# its path; only the other journeys' events are put in order.
JOURNEYS = """
CREATE TABLE journeys AS
WITH per AS (
    SELECT journey, customer, count(*) AS cases, min(start) AS start, max("end") AS "end",
           epoch(max("end")) - epoch(min(start)) AS e2e_s
    FROM journey_cases GROUP BY journey, customer
), simple AS (
    SELECT j.journey, c.channel AS channel_path
    FROM journey_cases j JOIN per USING (journey) JOIN case_attributes c USING (case_id)
    WHERE per.cases = 1 AND c.channel = c.highest_channel
), runs AS (
    SELECT journey, channel, timestamp, row
    FROM (
        SELECT j.journey, e.channel, e.timestamp, e.row,
               lag(e.channel) OVER (PARTITION BY j.journey ORDER BY e.timestamp, e.row)
                   AS previous
        FROM channel_events e JOIN journey_cases j USING (case_id)
        WHERE j.journey NOT IN (SELECT journey FROM simple)
    )
    WHERE previous IS NULL OR channel <> previous
), paths AS (
    SELECT journey, count(*) AS runs, count(DISTINCT channel) AS channels,
           string_agg(channel, ' > ' ORDER BY timestamp, row) AS channel_path
    FROM runs GROUP BY journey
    UNION ALL
    SELECT journey, 1, 1, channel_path FROM simple
)
SELECT per.*, channels, runs - 1 AS channel_switches, channel_path
FROM per LEFT JOIN paths USING (journey)
"""

# The files `mine` writes, with the order of their rows.
TABLES = {
    "dfg": """SELECT source, target, events, cases, mean_wait_s, median_wait_s, p90_wait_s,
                     handoffs FROM dfg
              ORDER BY source = '__start__' DESC, target = '__end__', source, target""",
    "activities": """SELECT activity, events, cases, 100.0 * events / sum(events) OVER ()
                            AS pct_events, first_in_cases, last_in_cases,
                            NULL::DOUBLE AS median_processing_s, lane, lane_share,
                            100.0 * repeat_events / events AS rework_pct, failure_activity
                     FROM activity_lanes ORDER BY events DESC, activity""",
    "variants": """SELECT rank, array_to_string(sequence, ' > ') AS variant, cases,
                          100.0 * cases / sum(cases) OVER () AS pct,
                          100.0 * sum(cases) OVER (ORDER BY rank) / sum(cases) OVER ()
                              AS cum_pct, median_e2e_s
                   FROM variants ORDER BY rank""",
    "handoffs": """SELECT * FROM handoffs
                   ORDER BY level = 'resource', count DESC, "from", "to" """,
    "pingpong": "SELECT * FROM pingpong ORDER BY level = 'resource', count DESC, a, b",
    "reintegration": """SELECT * FROM reintegration ORDER BY total_wait_s DESC,
                               from_activity, to_activity, from_handler, to_handler""",
    "rework": """SELECT activity, repeat_events, rework_cases AS cases, redo_events,
                        self_loops, rework_wait_s
                 FROM activity_stats ORDER BY repeat_events DESC, activity""",
    "cases": """SELECT c.case_id, c.events, c.start, c."end", c.e2e_s,
                       c.handoffs_team AS handoffs, c.pingpongs_team AS pingpongs,
                       c.rework_events, c.handlers_team AS handlers, v.rank AS variant_rank
                FROM per_case c JOIN variants v USING (sequence) ORDER BY c.case_id""",
    "demand": 'SELECT * FROM demand ORDER BY "case"',
    # every week from the first to the last, those in which no case starts with 0
    "demand_by_week": """WITH w AS (SELECT date_trunc('week', start)::DATE AS week,
                                         count(*) FILTER (NOT failure) AS value,
                                         count(*) FILTER (failure) AS failure
                                  FROM demand GROUP BY week)
                         SELECT s.week::DATE AS week, coalesce(w.value, 0) AS value,
                                coalesce(w.failure, 0) AS failure,
                                100.0 * w.failure / (w.value + w.failure) AS failure_pct
                         FROM (SELECT unnest(generate_series(min(week), max(week),
                                                             INTERVAL 7 DAY)) AS week
                               FROM w) s
                         LEFT JOIN w ON w.week = s.week::DATE ORDER BY week""",
    "failure_pareto": """SELECT demand_type, count(*) AS cases,
                                100.0 * count(*) / sum(count(*)) OVER () AS pct,
                                100.0 * sum(count(*)) OVER (ORDER BY count(*) DESC,
                                    demand_type) / sum(count(*)) OVER () AS cum_pct
                         FROM demand WHERE failure GROUP BY demand_type
                         ORDER BY cases DESC, demand_type""",
    "flow": 'SELECT * FROM flow ORDER BY "case"',
    "journeys": "SELECT * FROM journeys ORDER BY customer, start, journey",
}


def _rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def xmr(values: list[float], lower_bound_zero: bool = True) -> dict:
    """XmR limits and signal count of values in time order (MEASURES.md), in Python."""
    mr = [abs(b - a) for a, b in itertools.pairwise(values)]
    mrbar, centre = sum(mr) / len(mr), sum(values) / len(values)
    unpl, computed_lnpl = centre + 2.66 * mrbar, centre - 2.66 * mrbar
    lnpl = max(0.0, computed_lnpl) if lower_bound_zero else computed_lnpl
    rule1 = [x > unpl or x < lnpl for x in values]
    side = [(x > centre) - (x < centre) for x in values]
    rule2, start = [False] * len(values), 0
    for i in range(1, len(values) + 1):
        if i == len(values) or side[i] != side[start]:
            if side[start] != 0 and i - start >= 8:
                rule2[start:i] = [True] * (i - start)
            start = i
    rule3 = [False] * len(values)
    for beyond in ([x > (centre + unpl) / 2 for x in values],
                   [x < (centre + computed_lnpl) / 2 for x in values]):  # fmt: skip
        for i in range(len(values) - 3):
            if sum(beyond[i : i + 4]) >= 3:
                for j in range(i, i + 4):
                    rule3[j] = rule3[j] or beyond[j]
    return {
        "centre": centre, "mrbar": mrbar, "unpl": unpl, "lnpl": lnpl, "url": 3.268 * mrbar,
        "mr": [None, *mr], "rules": list(zip(rule1, rule2, rule3, strict=True)),
        "signals": sum(any(r) for r in zip(rule1, rule2, rule3, strict=True)),
    }  # fmt: skip


def capability(con) -> dict:
    """The three capability series and their XmR charts (limits, signals); the
    end-to-end one is written as tables/capability_e2e.csv."""
    # The end-to-end chart covers the cases that start and end within the complete
    # period: the weeks from the first to the last whose arrivals reach half the 75th
    # percentile of the weekly arrivals (the whole log with fewer than 3 weeks).
    con.execute(
        """CREATE TABLE period AS
           WITH w AS (SELECT date_trunc('week', start) AS week, count(*) AS n
                      FROM per_case GROUP BY week),
                busy AS (SELECT quantile_cont(n, 0.75) AS q, count(*) AS weeks FROM w)
           SELECT CASE WHEN weeks < 3 THEN (SELECT min(start) FROM per_case)
                       ELSE min(week) FILTER (n >= 0.5 * q) END AS p_start,
                  CASE WHEN weeks < 3
                       THEN (SELECT max("end") FROM per_case) + INTERVAL 1 MICROSECOND
                       ELSE max(week) FILTER (n >= 0.5 * q) + INTERVAL 7 DAY END AS p_end
           FROM w, busy GROUP BY weeks, q"""
    )  # fmt: skip
    con.execute(
        """CREATE VIEW charted AS SELECT p.* FROM per_case AS p, period
           WHERE p.start >= p_start AND p."end" < p_end"""
    )
    n = _rows(con, "SELECT count(*) FROM charted")[0][0]
    if n <= MAX_POINTS:
        points = _rows(con, 'SELECT case_id, "end", e2e_s FROM charted ORDER BY "end", case_id')
        basis = "case"
    else:
        points = _rows(
            con,
            """SELECT date_trunc('day', "end")::DATE, date_trunc('day', "end"), avg(e2e_s)
               FROM charted GROUP BY ALL ORDER BY 2""",
        )
        basis = "daily mean"
    e2e = xmr([p[2] for p in points])
    # One statement from Python lists (executemany inserts row by row: 1 s for 1,350).
    rules = list(zip(*e2e["rules"], strict=True))
    con.execute(
        """CREATE TABLE capability_e2e AS
           SELECT unnest($label) AS label, unnest($time)::TIMESTAMPTZ AS time,
                  unnest($x) AS x, unnest($mr)::DOUBLE AS mr, $centre AS centre,
                  $unpl AS unpl, $lnpl AS lnpl, $url AS url, unnest($r1) AS rule1,
                  unnest($r2) AS rule2, unnest($r3) AS rule3""",
        {"label": [str(p[0]) for p in points], "time": [p[1] for p in points],
         "x": [float(p[2]) for p in points], "mr": e2e["mr"], "centre": e2e["centre"],
         "unpl": e2e["unpl"], "lnpl": e2e["lnpl"], "url": e2e["url"],
         "r1": list(rules[0]), "r2": list(rules[1]), "r3": list(rules[2])},
    )  # fmt: skip
    weeks = _rows(
        con,
        """WITH w AS (SELECT date_trunc('week', start) AS week, count(*) AS cases,
                             count(*) FILTER (failure) AS failure FROM demand GROUP BY week),
                all_weeks AS (SELECT unnest(generate_series(min(week), max(week),
                                     INTERVAL 7 DAY)) AS week FROM w)
           SELECT a.week, coalesce(cases, 0), coalesce(failure, 0)
           FROM all_weeks a LEFT JOIN w USING (week) ORDER BY a.week""",
    )
    volume = xmr([float(c) for _, c, _ in weeks])
    share = xmr([f / c for _, c, f in weeks if c > 0])
    return {"capability_e2e": (basis, e2e), "weekly_volume": ("week", volume),
            "weekly_failure_demand": ("week", share)}  # fmt: skip


def summaries(con) -> dict:
    """The figures of summary.json, computed from the per-case and aggregate tables."""
    (events, cases, median, mean, p90, start, end, rw_cases) = _rows(
        con,
        """SELECT sum(events), count(*), median(e2e_s), avg(e2e_s), quantile_cont(e2e_s, 0.9),
                  min(start), max("end"), count(*) FILTER (rework_events > 0)
           FROM per_case""",
    )[0]
    handoff = _rows(
        con,
        """SELECT sum(handoffs_team), count(*) FILTER (handoffs_team > 0), sum(pingpongs_team),
                  count(*) FILTER (pingpongs_team > 0),
                  sum(handoff_wait_team) / nullif(sum(e2e_s) FILTER (handlers_team > 0), 0)
           FROM per_case""",
    )[0]
    # A case with no known team is unknown: in no bucket and not in the correlation.
    buckets = _rows(
        con,
        """SELECT CASE WHEN handoffs_team >= 4 THEN '4+' ELSE handoffs_team::VARCHAR END AS b,
                  count(*), median(e2e_s) FROM per_case WHERE handlers_team > 0
           GROUP BY b ORDER BY b""",
    )
    # Spearman's rho: Pearson correlation of average ranks (ties share their mean rank).
    rho = _rows(
        con,
        """SELECT corr(rx, ry) FROM (
               SELECT rank() OVER (ORDER BY handoffs_team)
                          + (count(*) OVER (PARTITION BY handoffs_team) - 1) / 2 AS rx,
                      rank() OVER (ORDER BY e2e_s)
                          + (count(*) OVER (PARTITION BY e2e_s) - 1) / 2 AS ry
               FROM per_case WHERE handlers_team > 0)""",
    )[0][0]
    rework = _rows(
        con,
        """SELECT sum(repeat_events), sum(redo_events), sum(self_loops), sum(rework_wait_s),
                  sum(events) FROM activity_stats""",
    )[0]
    by_type = dict(_rows(con, "SELECT demand_type, count(*) FROM demand GROUP BY ALL"))
    customers = _rows(
        con,
        """SELECT count(*), count(*) FILTER (n > 1), sum(n)
           FROM (SELECT customer, count(*) AS n FROM journey_cases GROUP BY customer)""",
    )[0]
    journeys = _rows(
        con,
        """SELECT count(*), count(*) FILTER (cases > 1), median(e2e_s),
                  count(*) FILTER (channel_switches > 0), sum(channel_switches),
                  median(e2e_s) FILTER (channel_switches > 0)
           FROM journeys""",
    )[0]
    paths = _rows(
        con,
        """SELECT channel_path, count(*) AS n, sum(cases), median(e2e_s) FROM journeys
           WHERE channel_switches > 0 GROUP BY channel_path
           ORDER BY n DESC, channel_path LIMIT 10""",
    )
    flow = _rows(
        con,
        """SELECT demand_type, channel, count(*),
                  100.0 * count(*) FILTER (single_handler) / count(*),
                  100.0 * count(*) FILTER (one_stop) / count(*),
                  100.0 * count(*) FILTER (clean) / count(*)
           FROM flow GROUP BY GROUPING SETS ((), (demand_type), (channel))""",
    )
    return {
        "events": int(events), "cases": int(cases), "start": str(start), "end": str(end),
        "end_to_end": {"median_s": median, "mean_s": mean, "p90_s": p90},
        "handoffs": {
            "level": "team", "total": int(handoff[0]), "cases_with_handoff": handoff[1],
            "pingpong_total": int(handoff[2]), "pingpong_cases": handoff[3],
            "wait_share": handoff[4],
            "e2e_by_handoffs": [{"handoffs": b, "cases": n, "median_e2e_s": m}
                                for b, n, m in buckets],
            "spearman": rho,
        },
        "rework": {"events": int(rework[0]), "cases": rw_cases, "redo_events": int(rework[1]),
                   "self_loops": int(rework[2]), "rework_wait_s": rework[3],
                   "rework_pct": 100.0 * rework[0] / rework[4]},
        "failure_demand_pct": 100.0 * (cases - by_type.get("value", 0)) / cases,
        "demand_by_type": by_type,
        "flow": [
            {"demand_type": t, "channel": c, "cases": n, "single_handler_pct": s,
             "one_stop_pct": o, "clean_pct": k}
            for t, c, n, s, o, k in flow
        ],
        "journeys": {
            "customers": customers[0], "customers_several_cases": customers[1],
            "cases": int(customers[2]), "journeys": journeys[0],
            "journeys_several_cases": journeys[1], "median_e2e_s": journeys[2],
            "cross_channel": journeys[3], "channel_switches": int(journeys[4]),
            "cross_channel_median_e2e_s": journeys[5],
            "paths": [{"path": p, "journeys": n, "cases": int(c), "median_e2e_s": m}
                      for p, n, c, m in paths],
        },
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="CSV log from journeymap.synthetic.write_csv")
    parser.add_argument("-o", "--output", type=Path, help="folder for tables/ and summary.json")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, for example 300MB")
    parser.add_argument("--steps", action="store_true", help="print each step's seconds")
    parser.add_argument("--text", action="store_true",
                        help="read activities, handlers, channels as text")  # fmt: skip
    parser.add_argument("--compare", type=Path, metavar="MINE_OUTDIR",
                        help="check the tables against mine's output folder")  # fmt: skip
    args = parser.parse_args()
    step = StepClock(args.steps, width=28)
    out = args.output or Path(f"{args.log.name.removesuffix('.csv')}-floor")

    import duckdb

    config = {"memory_limit": args.memory_limit} if args.memory_limit else {}
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    step("import duckdb")
    con.execute(READ, {"path": str(args.log), "columns": COLUMNS})
    step("read CSV (typed)")
    encode(con, args.text)
    step("activities, handlers, channels coded" if not args.text else "(read as text)")
    con.execute(CASE_ATTRIBUTES)
    step("customer, channel per case")
    con.execute(CHANNEL_EVENTS)
    con.execute(ORDER)
    con.execute("DROP VIEW events")
    con.execute("DROP TABLE events_read")
    step("ordering pass (window)")
    con.execute(REWORK)
    step("rework flags (window)")
    con.execute(PINGPONG_EVENTS)
    step("ping-pong runs (window)")
    con.execute(ACTIVITIES, {"pattern": FAILURE_PATTERN})
    step("activities and rework")
    for name, sql in [("DFG", DFG), ("hand-off matrices", HANDOFFS),
                      ("reintegration", REINTEGRATION), ("ping-pong pairs", PINGPONG),
                      ("per case", PER_CASE)]:  # fmt: skip
        con.execute(sql)
        step(name)
    con.execute("DROP TABLE ordered")
    con.execute("DROP TABLE flags")
    for name, sqls in [("variants", [VARIANTS]), ("demand", [DEMAND]), ("flow", [FLOW]),
                       ("customer journeys", [JOURNEY_CASES, JOURNEYS])]:  # fmt: skip
        for sql in sqls:
            con.execute(sql)
        step(name)
    # Lane of each activity: its most frequent team, ties to the first name.
    lanes = {
        activity: max(sorted(h.items()), key=lambda kv: kv[1]) if h else (None, 0)
        for activity, h in _rows(con, "SELECT activity, lanes FROM activity_stats")
    }
    con.execute("CREATE TABLE lane_of (activity VARCHAR, lane VARCHAR, lane_share DOUBLE)")
    totals = dict(_rows(con, "SELECT activity, list_sum(map_values(lanes)) FROM activity_stats"))
    con.executemany(
        "INSERT INTO lane_of VALUES (?, ?, ?)",
        [(a, lane, 100.0 * n / totals[a] if totals[a] else None)
         for a, (lane, n) in lanes.items()],
    )  # fmt: skip
    con.execute(
        "CREATE TABLE activity_lanes AS SELECT * FROM activity_stats JOIN lane_of USING (activity)"
    )
    step("lanes")
    summary = summaries(con)
    step("summaries")
    charts = capability(con)
    summary["capability"] = {
        name: {"basis": basis, **{k: chart[k] for k in ("centre", "unpl", "lnpl", "signals")}}
        for name, (basis, chart) in charts.items()
    }
    step("capability (XmR)")
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    for name, sql in {**TABLES, "capability_e2e": "SELECT * FROM capability_e2e"}.items():
        con.execute(f"COPY ({sql}) TO '{tables / (name + '.csv')}' (HEADER)")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    step("write tables (COPY)")
    h = summary["handoffs"]
    print(
        f"{summary['events']:,} events, {summary['cases']:,} cases, "
        f"{_rows(con, 'SELECT count(*) FROM dfg')[0][0]:,} DFG edges, "
        f"{_rows(con, 'SELECT count(*) FROM variants')[0][0]:,} variants, "
        f"{h['total']:,} team hand-offs, {summary['rework']['events']:,} rework events"
    )
    if args.compare:
        sys.exit(compare(con, args.compare))


# Per table: key columns, compared columns (floats rounded to 3 decimals).
COMPARED = {
    "dfg": (["source", "target"], ["events", "cases", "mean_wait_s", "median_wait_s",
                                   "p90_wait_s", "handoffs"]),
    "activities": (["activity"], ["events", "cases", "first_in_cases", "last_in_cases",
                                  "lane", "lane_share", "rework_pct", "failure_activity"]),
    "variants": (["variant"], ["rank", "cases", "pct", "cum_pct", "median_e2e_s"]),
    "handoffs": (["level", '"from"', '"to"'], ["count", "cases", "median_wait_s",
                                              "total_wait_s"]),
    "pingpong": (["level", "a", "b"], ["count", "cases"]),
    "reintegration": (["from_activity", "to_activity", "from_handler", "to_handler"],
                      ["handoffs", "cases", "median_wait_s", "total_wait_s"]),
    "rework": (["activity"], ["repeat_events", "cases", "redo_events", "self_loops",
                              "rework_wait_s"]),
    "cases": (["case_id"], ["events", "start", '"end"', "e2e_s", "handoffs", "pingpongs",
                            "rework_events", "handlers", "variant_rank"]),
    "demand": (['"case"'], ["demand_type", "failure", "start", '"end"']),
    "demand_by_week": (["week"], ["value", "failure", "failure_pct"]),
    "failure_pareto": (["demand_type"], ["cases", "pct", "cum_pct"]),
    "flow": (['"case"'], ["demand_type", "handoffs", "pingpongs", "rework_events", "dirty",
                          "single_handler", "one_stop", "clean", "channel"]),
    "capability_e2e": (["label"], ["x", "mr", "centre", "unpl", "lnpl", "url", "rule1",
                                   "rule2", "rule3"]),
    "journeys": (["journey"], ["customer", "cases", "start", '"end"', "e2e_s", "channels",
                               "channel_switches", "channel_path"]),
}  # fmt: skip

HEADLINE = {
    "events": "SELECT sum(events) FROM {t}activities",
    "cases": "SELECT count(*) FROM {t}cases",
    "DFG edges (with start and end)": "SELECT count(*) FROM {t}dfg",
    "variants": "SELECT count(*) FROM {t}variants",
    "team hand-offs": "SELECT sum(count) FROM {t}handoffs WHERE level = 'team'",
    "resource hand-offs": "SELECT sum(count) FROM {t}handoffs WHERE level = 'resource'",
    "team hand-off pairs": "SELECT count(*) FROM {t}handoffs WHERE level = 'team'",
    "resource hand-off pairs": "SELECT count(*) FROM {t}handoffs WHERE level = 'resource'",
    "team ping-pongs": "SELECT sum(count) FROM {t}pingpong WHERE level = 'team'",
    "resource ping-pongs": "SELECT sum(count) FROM {t}pingpong WHERE level = 'resource'",
    "rework events": "SELECT sum(repeat_events) FROM {t}rework",
    "redo events": "SELECT sum(redo_events) FROM {t}rework",
    "self-loops": "SELECT sum(self_loops) FROM {t}rework",
    "cases with rework": "SELECT count(*) FROM {t}cases WHERE rework_events > 0",
    "failure-demand cases": "SELECT count(*) FROM {t}demand WHERE failure",
    "single-handler cases": "SELECT count(*) FROM {t}flow WHERE single_handler",
    "one-stop cases": "SELECT count(*) FROM {t}flow WHERE one_stop",
    "clean cases": "SELECT count(*) FROM {t}flow WHERE clean",
    "reintegration rows": "SELECT count(*) FROM {t}reintegration",
    "customer journeys": "SELECT count(*) FROM {t}journeys",
    "cross-channel journeys": "SELECT count(*) FROM {t}journeys WHERE channel_switches > 0",
}


def compare(con, mine: Path) -> int:
    """Print the headline counts of the floor and of `mine`'s tables, and how many rows
    of each table differ; return 1 if anything differs."""
    bad = 0
    for name in COMPARED:
        path = str(mine / "tables" / f"{name}.csv").replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW mine_{name} AS "
            f"SELECT * FROM read_csv('{path}', header = true)"
        )
        keys, values = COMPARED[name]
        floor_sql = TABLES.get(name, "SELECT * FROM capability_e2e")
        con.execute(f"CREATE OR REPLACE TEMP VIEW floor_{name} AS {floor_sql}")

        def norm(view: str, keys=keys, values=values) -> str:
            types = {n: t for n, t, *_ in con.execute(f"DESCRIBE {view}").fetchall()}
            cells = []
            for c in keys + values:
                kind = types[c.strip('"')]
                if kind.startswith("TIMESTAMP"):
                    cells.append(f"strftime({c}::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%S')")
                elif kind in ("VARCHAR", "BOOLEAN", "DATE") or kind.startswith("ENUM"):
                    cells.append(f"ltrim({c}::VARCHAR, chr(39))")  # mine's ' before =+-@
                else:
                    cells.append(f"printf('%.3f', {c}::DOUBLE)")
            return f"SELECT {', '.join(cells)} FROM {view}"

        only_floor = con.execute(
            f"SELECT count(*) FROM ({norm(f'floor_{name}')} EXCEPT ALL {norm(f'mine_{name}')})"
        ).fetchall()[0][0]
        only_mine = con.execute(
            f"SELECT count(*) FROM ({norm(f'mine_{name}')} EXCEPT ALL {norm(f'floor_{name}')})"
        ).fetchall()[0][0]
        rows = con.execute(f"SELECT count(*) FROM floor_{name}").fetchall()[0][0]
        status = "same" if only_floor == only_mine == 0 else "DIFFERENT"
        bad += status != "same"
        print(
            f"table {name:<15} {rows:>9,} rows: {status} "
            f"({only_floor:,} rows only in the floor's, {only_mine:,} only in mine's)"
        )
    print("| count | floor | journeymap mine |")
    print("|---|---:|---:|")
    for label, sql in HEADLINE.items():
        floor_n = con.execute(sql.format(t="floor_")).fetchall()[0][0]
        mine_n = con.execute(sql.format(t="mine_")).fetchall()[0][0]
        bad += floor_n != mine_n
        mark = "" if floor_n == mine_n else " (DIFFERENT)"
        print(f"| {label} | {floor_n:,} | {mine_n:,}{mark} |")
    return 1 if bad else 0


if __name__ == "__main__":
    main()
