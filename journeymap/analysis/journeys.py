"""Customer journeys: a customer's related cases as one journey, across channels.

Definitions (shared/MEASURES.md, "Time" and "Demand"; docs/measures.md):

- A case's customer is the smallest customer id on its events; cases without one
  belong to no journey.
- A customer journey is a customer's cases linked in order of start (ties by case id):
  a case continues the journey when it starts at most N days (``repeat_contact_days``,
  14 by default, inclusive) after the latest end of the journey's earlier cases, or
  before it (overlapping cases share a journey); otherwise it starts a new one. This is
  the window of the repeat-contact rule: a repeat contact continues a journey.
- A journey's events are its cases' events; its end-to-end time runs from its first
  event to its last.
- Channel switches: take the journey's events whose channel is known case by case (its
  cases in order of start, ties by case id; each case's events in time order, ties by
  source row), so that two cases open at once do not read as the customer going back
  and forth between their channels; a channel switch is a change of channel between
  two consecutive ones.
  channel_switches(journey) = number of such changes. Its channel path is that channel
  sequence with repeats collapsed (phone, phone, web -> phone > web); a journey is
  cross-channel when it has at least one channel switch.

Every per-event step runs on the engine; only per-path aggregates and totals come back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from journeymap.demand_rules import DemandRules
from journeymap.discovery.portable import median_where
from journeymap.discovery.times import case_times_expr, seconds_between
from journeymap.engine import EngineTable
from journeymap.errors import MappingError, option
from journeymap.eventlog import EventLog

__all__ = [
    "JOURNEY_COLUMNS",
    "PATH_SEPARATOR",
    "CustomerJourneys",
    "case_channel_expr",
    "case_contacts_expr",
    "case_customer",
    "customer_journey_log",
    "journey_cases_expr",
    "journey_summary",
    "journeys_expr",
]

#: How a channel path is written.
PATH_SEPARATOR = " > "
#: Columns of the per-journey table (``tables/journeys.csv``).
JOURNEY_COLUMNS = (
    "journey", "customer", "cases", "start", "end", "e2e_s", "channels", "channel_switches",
    "channel_path",
)  # fmt: skip
TOP_PATHS = 10


@dataclass
class CustomerJourneys:
    """What :func:`journey_summary` found.

    Attributes
    ----------
    table : one row per journey (:data:`JOURNEY_COLUMNS`), kept on the engine.
    customers : customers with at least one case.
    customers_several_cases : customers with more than one case (and its % of customers).
    journeys, journeys_several_cases : journeys, and those of more than one case.
    cases, cases_without_customer : cases in journeys, and cases with no customer.
    customer_ids : the distinct customer ids on the events, as the log's profile counts
        them (set by :func:`journeymap.mine`; None here): more than ``customers`` when an
        id is named only in cases that also name a customer whose id comes first
        (:func:`case_customer`; :func:`several_customer_cases` counts such cases).
    median_e2e_s : median end-to-end time of the journeys, seconds.
    channel : whether the channel role is mapped (else the channel figures are None).
    cross_channel, cross_channel_pct : journeys with at least one channel switch.
    channel_switches : channel switches in all journeys.
    cross_channel_median_e2e_s : median end-to-end time of the cross-channel journeys.
    paths : the commonest channel paths of cross-channel journeys: ``path`` (channels
        joined by " > "), ``journeys``, ``pct`` (of cross-channel journeys), ``cases``
        and ``median_e2e_s``; most journeys first, ties by path.
    """

    table: EngineTable
    customers: int
    customers_several_cases: int
    customers_several_cases_pct: float
    journeys: int
    journeys_several_cases: int
    cases: int
    cases_without_customer: int
    median_e2e_s: float | None
    channel: bool
    cross_channel: int | None = None
    cross_channel_pct: float | None = None
    channel_switches: int | None = None
    cross_channel_median_e2e_s: float | None = None
    paths: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    customer_ids: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The figures as ``summary.json`` holds them (without the table)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del data["table"]
        return data


def case_customer(events: Any) -> Any:
    """Ibis aggregate: a case's customer, the smallest customer id on its events (for a
    ``group_by("case")`` over the events)."""
    return events.customer.min()


def case_contacts_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``customer`` (:func:`case_customer`) and
    ``highest_customer`` (the largest id: another than ``customer`` when the case names
    two) when the customer role is mapped and, when the channel is, ``lowest_channel`` and
    ``highest_channel`` among its events' known channels (equal when the case kept to
    one channel; NULL without a known one). Computed once per log: journeys, demand and
    flow read it rather than grouping the events by case again. One of the two roles
    must be mapped."""

    def build() -> Any:
        t = log.table
        aggregates: dict[str, Any] = {}
        if log.has("customer"):
            aggregates.update(customer=case_customer(t), highest_customer=t.customer.max())
        if log.has("channel"):
            aggregates.update(lowest_channel=t.channel.min(), highest_channel=t.channel.max())
        return t.group_by("case").aggregate(**aggregates)

    return log.derived("case_contacts", build)


def several_customer_cases(log: EventLog) -> int:
    """How many cases name more than one customer on their events (each belongs to the
    customer :func:`case_customer` gives). The customer role must be mapped."""
    contacts = case_contacts_expr(log)
    several = contacts.filter(contacts.customer != contacts.highest_customer)
    return int(log.engine.scalar(several.count()))


def case_channel_expr(log: EventLog) -> Any:
    """Ibis table, one row per case: ``case`` and ``channel``, the case's channel: that
    of its first event with a known channel, in case order, the channel the demand
    arrived by (NULL without one). The channel role must be mapped."""
    times = case_times_expr(log)
    return times.select("case", "channel")


def _need_customer(log: EventLog) -> None:
    if not log.has("customer"):
        raise MappingError(
            f"{log.source}: customer journeys need the customer role, which is not "
            f"mapped; map it ({option('customer', 'COLUMN')})"
        )


def journey_cases_expr(log: EventLog, rules: DemandRules | None = None) -> Any:
    """Ibis table, one row per case with a customer: ``case``, ``customer``, ``journey``
    (the journey's id: the customer id for the customer's first journey, ``C7 #2`` for
    the second...), ``journey_no``, ``start`` and ``end`` of the case. Computed once per
    log and window.

    Raises
    ------
    MappingError
        No customer is mapped.
    """
    _need_customer(log)
    days = (rules or DemandRules()).repeat_days

    def build() -> Any:
        times = case_times_expr(log)
        c = times.join(case_contacts_expr(log), "case").select("case", "customer", "start", "end")
        c = c.filter(c.customer.notnull())
        before = ibis.window(group_by=c.customer, order_by=[c.start, c.case], rows=(None, -1))
        c = c.mutate(reach=c.end.max().over(before))
        gap = seconds_between(c.start, c.reach)
        new = c.reach.isnull() | (gap > days * 86400.0)
        c = c.mutate(new=new.ifelse(1, 0).cast("int64"))
        running = ibis.window(group_by=c.customer, order_by=[c.start, c.case], rows=(None, 0))
        c = c.mutate(journey_no=c.new.sum().over(running).cast("int64"))
        journey = ibis.ifelse(
            c.journey_no == 1, c.customer, c.customer.concat(" #", c.journey_no.cast("string"))
        )
        return c.select("case", "customer", "journey_no", "start", "end", journey=journey)

    return log.derived(f"journey_cases_{days}", build)


def journeys_expr(log: EventLog, rules: DemandRules | None = None) -> Any:
    """Ibis table, one row per journey: :data:`JOURNEY_COLUMNS` (``channel_path`` is
    the channels in order, runs of one channel once, joined by " > "; ``channels``,
    ``channel_switches`` and ``channel_path`` are NULL without a known channel).
    Computed once per log and window.

    Raises
    ------
    MappingError
        No customer is mapped.
    """
    jc = journey_cases_expr(log, rules)
    days = (rules or DemandRules()).repeat_days

    def build() -> Any:
        per = jc.group_by(["journey", "customer"]).aggregate(
            cases=jc.count(), start=jc.start.min(), end=jc.end.max()
        )
        per = per.mutate(e2e_s=seconds_between(per.end, per.start))
        if not log.has("channel"):
            return per.mutate(
                channels=ibis.null("int64"),
                channel_switches=ibis.null("int64"),
                channel_path=ibis.null("string"),
            ).select(*JOURNEY_COLUMNS)
        t = log.table
        known = t.filter(t.channel.notnull()).select("case", "channel", "timestamp", "source_row")
        cases = jc.select("case", "journey", case_start="start")
        # A journey of one case whose known channels are all one (most journeys: exports
        # repeat the case's contact channel on each of its rows) has that channel as its
        # path. Only the other journeys' events are put in order, channel runs found.
        contacts = case_contacts_expr(log)
        one_channel = contacts.filter(contacts.lowest_channel == contacts.highest_channel)
        alone = per.filter(per.cases == 1).select("journey")
        simple = cases.join(alone, "journey").join(
            one_channel.select("case", "lowest_channel"), "case"
        )
        simple_paths = simple.select(
            "journey",
            runs=ibis.literal(1, "int64"),
            channels=ibis.literal(1, "int64"),
            channel_path=simple.lowest_channel,
        )
        ev = known.join(cases.anti_join(simple, "journey"), "case")
        # Case by case: the journey's cases in order of start, each case's events in order.
        keys = ["case_start", "case", "timestamp", "source_row"]
        order = ibis.window(group_by=ev.journey, order_by=[ev[k] for k in keys])
        previous = ev.channel.lag().over(order)
        ev = ev.mutate(run_start=previous.isnull() | (ev.channel != previous))
        runs = ev.filter(ev.run_start)
        paths = runs.group_by("journey").aggregate(
            runs=runs.count(),
            channels=runs.channel.nunique(),
            channel_path=log.engine.collect_ordered(  # of known channels only
                runs.channel, [runs[k] for k in keys]
            ).join(PATH_SEPARATOR),
        )
        paths = paths.union(simple_paths)
        paths = paths.mutate(channel_switches=(paths.runs - 1).cast("int64"))
        joined = per.left_join(paths, "journey")
        return joined.select(*JOURNEY_COLUMNS)

    # Kept: the summary reads it twice and mine writes it to journeys.csv.
    return log.derived(f"journeys_{days}", build)


def journey_summary(
    log: EventLog, rules: DemandRules | None = None, *, top: int = TOP_PATHS
) -> CustomerJourneys:
    """Customers' cases as journeys: how many customers needed more than one case, how
    often journeys crossed channels, and the commonest cross-channel paths with their
    end-to-end time (see the module's definitions).

    Raises
    ------
    MappingError
        No customer is mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3", "4"], "activity": ["Form", "Call", "Call", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-03 09:00", "2024-03-01 09:00",
    ...                   "2024-01-05 09:00"],
    ...     "customer": ["C1", "C1", "C1", "C2"],
    ...     "channel": ["web", "phone", "phone", "phone"]}))
    >>> found = journey_summary(log)
    >>> found.customers, found.customers_several_cases, found.journeys, found.cross_channel
    (2, 1, 3, 1)
    >>> found.paths
    [{'path': 'web > phone', 'journeys': 1, 'pct': 100.0, 'cases': 2, 'median_e2e_s': 172800.0}]
    """
    jc = journey_cases_expr(log, rules)
    journeys = journeys_expr(log, rules)
    per_customer = jc.group_by("customer").aggregate(cases=jc.count())
    customers = log.engine.fetch(
        per_customer.aggregate(
            customers=per_customer.count(),
            several=(per_customer.cases > 1).sum(),
            cases=per_customer.cases.sum(),
        )
    ).iloc[0]
    cross = journeys.channel_switches > 0
    totals = log.engine.fetch(
        journeys.aggregate(
            journeys=journeys.count(),
            several=(journeys.cases > 1).sum(),
            median=journeys.e2e_s.median(),
            cross=cross.sum(),
            switches=journeys.channel_switches.sum(),
            cross_median=median_where(journeys.e2e_s, cross),
        )
    ).iloc[0]
    n_customers = _int(customers["customers"])
    n_journeys = _int(totals["journeys"])
    found = CustomerJourneys(
        table=EngineTable(log.engine, journeys, ("customer", "start", "journey")),
        customers=n_customers,
        customers_several_cases=_int(customers["several"]),
        customers_several_cases_pct=_pct(_int(customers["several"]), n_customers),
        journeys=n_journeys,
        journeys_several_cases=_int(totals["several"]),
        cases=_int(customers["cases"]),
        cases_without_customer=log.cases - _int(customers["cases"]),
        median_e2e_s=_float(totals["median"]),
        channel=log.has("channel"),
    )
    if not found.channel:
        return found
    found.cross_channel = _int(totals["cross"])
    found.cross_channel_pct = _pct(found.cross_channel, n_journeys)
    found.channel_switches = _int(totals["switches"])
    found.cross_channel_median_e2e_s = _float(totals["cross_median"])
    crossing = journeys.filter(cross)
    by_path = crossing.group_by("channel_path").aggregate(
        journeys=crossing.count(), cases=crossing.cases.sum(), median_e2e_s=crossing.e2e_s.median()
    )
    top_paths = log.engine.fetch(
        by_path.order_by([ibis.desc("journeys"), "channel_path"]).limit(top)
    )
    rows = [
        {
            "path": str(path),
            "journeys": int(n),
            "pct": _pct(int(n), found.cross_channel),
            "cases": int(cases),
            "median_e2e_s": _float(median),
        }
        for path, n, cases, median in zip(
            top_paths["channel_path"],
            top_paths["journeys"],
            top_paths["cases"],
            top_paths["median_e2e_s"],
            strict=True,
        )
    ]
    found.paths = sorted(rows, key=lambda r: (-r["journeys"], r["path"]))
    return found


def customer_journey_log(log: EventLog, rules: DemandRules | None = None) -> EventLog:
    """The log with customer journeys as its cases: each event's case is its journey
    (see :func:`journey_cases_expr`), its own case kept in a column named after the case
    column, and events of cases without a customer left out. On the same engine.

    Raises
    ------
    MappingError
        No customer is mapped.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "2", "3"], "activity": ["Form", "Call", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-03 09:00", "2024-03-01 09:00"],
    ...     "customer": ["C1", "C1", "C1"]}), source="calls")
    >>> journeys = customer_journey_log(log)
    >>> journeys.cases, journeys.to_pandas()[["case", "source_case"]].values.tolist()
    (2, [['C1', '1'], ['C1', '2'], ['C1 #2', '3']])
    """
    _need_customer(log)
    jc = journey_cases_expr(log, rules).select("case", "journey")
    t = log.table
    kept = t.join(jc, "case")
    column = _free_name(log.mapping.case, set(t.columns))
    expr = kept.select(
        *[kept.journey.name("case") if c == "case" else kept[c] for c in t.columns],
        kept.case.name(column),
    )
    name = log.engine.materialize(expr, "journey_events")
    events = int(log.engine.scalar(log.engine.table(name).count()))
    dropped = log.events - events
    cases = log.cases
    days = (rules or DemandRules()).repeat_days
    note = (
        f"customer journeys: the {cases:,} cases are linked into journeys of one customer "
        f"(a case continues a journey when it starts within {days} days of the journey's "
        f"latest end); each event keeps its case in column {column!r}"
    )
    if dropped:
        note += f"; {dropped:,} events of cases without a customer are left out"
    mapping = dataclasses.replace(log.mapping, case=f"{log.mapping.customer} (customer journeys)")
    return dataclasses.replace(
        log,
        table_name=name,
        mapping=mapping,
        source=f"{log.source} (customer journeys)",
        rows_read=log.rows_read - dropped,
        attributes={**log.attributes, column: log.mapping.case},
        notes=[*log.notes, note],
        owns_engine=False,
        _derived={},
    )


def _free_name(case_column: str, taken: set[str]) -> str:
    """The column that keeps each event's own case: named after the source's case
    column, unless that is one of the events table's own names."""
    name = case_column if case_column not in taken else "source_case"
    n = 1
    while name in taken:
        name, n = f"source_case_{n}", n + 1
    return name


def _int(value: Any) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _pct(part: int, whole: int | None) -> float:
    return 100.0 * part / whole if whole else 0.0
