"""The engine's own floor: part of what `journeymap mine` computes, in plain DuckDB SQL.

Run by hand (not part of the tests):

    .venv/bin/python bench/engine_floor.py bench/data/service_1000000.csv --steps

No journeymap, no Ibis, no pandas: one DuckDB connection reads a CSV made by
`journeymap.synthetic.write_csv` with its column types declared (no sniffing, no
validation, no rejects, no record numbers), then computes a subset of `mine`'s
measures, each as one SQL statement whose result is fetched:

- the events in case order, ties in file order (kept as a table, as `mine` keeps it);
- the directly-follows graph with events, cases, mean, median and p90 wait per edge;
- the variants with their case counts;
- the end-to-end time of every case;
- the hand-offs between teams, with their cases.

It writes no files and draws nothing. What it costs is a lower bound for any tool that
does this work with DuckDB on the same machine; bench_mine.py runs it beside `mine` and
the pm4py script. --memory-limit sets DuckDB's own limit (for example 300MB).
"""

from __future__ import annotations

import argparse
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

ORDER = """
CREATE TABLE ordered AS
SELECT case_id, activity, timestamp, team,
       row_number() OVER (PARTITION BY case_id ORDER BY timestamp, rowid) AS pos
FROM events
"""

DFG = """
SELECT previous, activity, count(*) AS events, count(DISTINCT case_id) AS cases,
       avg(wait) AS mean_wait, median(wait) AS median_wait,
       quantile_cont(wait, 0.9) AS p90_wait
FROM (
    SELECT case_id, activity, lag(activity) OVER w AS previous,
           epoch(timestamp) - epoch(lag(timestamp) OVER w) AS wait
    FROM ordered WINDOW w AS (PARTITION BY case_id ORDER BY pos)
)
WHERE previous IS NOT NULL
GROUP BY ALL
"""

VARIANTS = """
SELECT variant, count(*) AS cases
FROM (SELECT string_agg(activity, ' > ' ORDER BY pos) AS variant FROM ordered GROUP BY case_id)
GROUP BY variant
"""

DURATIONS = """
SELECT case_id, epoch(max(timestamp)) - epoch(min(timestamp)) AS e2e_s
FROM ordered GROUP BY case_id
"""

HANDOFFS = """
SELECT previous, team, count(*) AS handoffs, count(DISTINCT case_id) AS cases
FROM (
    SELECT case_id, team, lag(team) OVER (PARTITION BY case_id ORDER BY pos) AS previous
    FROM ordered WHERE team IS NOT NULL
)
WHERE previous <> team
GROUP BY ALL
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="CSV log from journeymap.synthetic.write_csv")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, for example 300MB")
    parser.add_argument("--steps", action="store_true", help="print each step's seconds")
    args = parser.parse_args()
    step = StepClock(args.steps, width=24)

    import duckdb

    config = {"memory_limit": args.memory_limit} if args.memory_limit else {}
    con = duckdb.connect(config=config)
    step("import duckdb")
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_csv(?, header = true, columns = ?)",
        [str(args.log), COLUMNS],
    )
    step("read CSV (typed)")
    con.execute(ORDER)
    step("events in case order")
    counts = {}
    for name, sql in [
        ("dfg", DFG),
        ("variants", VARIANTS),
        ("durations", DURATIONS),
        ("handoffs", HANDOFFS),
    ]:
        counts[name] = len(con.execute(sql).fetchall())
        step(name)
    events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    print(
        f"{events:,} events, {counts['durations']:,} cases, {counts['dfg']:,} edges, "
        f"{counts['variants']:,} variants, {counts['handoffs']:,} team hand-off pairs"
    )


if __name__ == "__main__":
    main()
