"""Field-change logs: one row per change of one field of one record, turned into events.

This is the history shape of ServiceNow ``sys_audit``, Salesforce ``CaseHistory``, the
Jira changelog and Zendesk Change events (EXPORTS.md §5.2). :func:`events_from_changes`
is the one reduction they all share: each change of the activity field (status, state,
stage) becomes an event, and the fields that name the handler, team, customer or
channel are replayed onto every event as the value in force at the event's time. A
change of team in an update that changes no status is an event of its own, "Assigned to
group X" (EXPORTS.md §5.2, step 5): without it, work passed between teams and back
before the next status change would show no hand-off.

The generic CSV form of such a log is read by
:mod:`journeymap.connectors.presets.fieldchanges_csv`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journeymap.connectors.presets.files import (
    listing,
)
from journeymap.demand_rules import GROUP_CHANGE
from journeymap.read_options import DEFAULT_MISSING_VALUES

__all__ = [
    "GROUP_CHANGE",
    "REOPENED",
    "ChangeEvents",
    "change_count",
    "change_notes",
    "closing",
    "events_from_changes",
    "in_chain_order",
    "reopenings",
]

#: Columns of the change frame :func:`events_from_changes` takes.
CHANGE_COLUMNS = ("record", "at", "field", "old", "new", "actor", "seq")


@dataclass
class ChangeEvents:
    """Events made from a field-change log.

    Attributes
    ----------
    events : one row per event: ``case``, ``activity``, ``timestamp`` (UTC), ``actor``,
        then one column per replayed role; ordered by case (in order of first
        appearance), time, and source order.
    status_changes : events made from changes of the activity field.
    created : events made at the records' creation.
    group_changes : events made from changes of the team in updates without a change of
        the activity field ("Assigned to group X").
    reopened : "Reopened" events: changes of the activity field from a closed value
        back to an open one.
    replayed : role -> (field, change rows read for it).
    ignored : field -> rows of fields that were not read.
    without_events : records that have no status change and no creation event.
    """

    events: pd.DataFrame
    status_changes: int
    created: int
    group_changes: int = 0
    reopened: int = 0
    replayed: dict[str, tuple[str, int]] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)
    without_events: int = 0


def events_from_changes(
    changes: pd.DataFrame,
    *,
    activity_field: str,
    roles: dict[str, str],
    created: pd.DataFrame | None = None,
    current: pd.DataFrame | None = None,
    used_fields: tuple[str, ...] = (),
    closed: Callable[[pd.Series], pd.Series] | None = None,
) -> ChangeEvents:
    """Turn field changes into events: one per change of ``activity_field``.

    A change of the ``team`` role's field to another known value, at a time when the
    record's activity field does not change and it is not created, is an event too,
    named ``Assigned to group`` and the new value (:data:`GROUP_CHANGE`).

    A role's value at an event's time is the new value of the last change of its field
    at or before that time (changes at the same time count: they belong to the same
    update); before the field's first change, that change's old value; for a record
    whose field never changes, its value in ``current``.

    Parameters
    ----------
    changes : columns :data:`CHANGE_COLUMNS`: ``record`` and ``field`` (text), ``at``
        (UTC times, no NaT), ``old``/``new``/``actor`` (text or NA), ``seq`` (source
        order, breaking ties in time).
    activity_field : the field whose changes are the events.
    roles : role -> the field replayed onto the events as that role.
    created : optional ``record``, ``at`` and ``activity`` (may be NA): a creation event
        per record. Its activity, when NA, is the old value of the record's first
        activity change, else the current value, else ``Created``.
    current : optional frame indexed by record, with a column per field: the current
        values (for fields that never change).
    used_fields : other fields the caller reads itself (not counted as ignored).
    closed : which values of ``activity_field`` close a record (solved, closed), as a
        boolean Series of the values given. A change from such a value to an open one is
        a reopening: it gets an event ``Reopened`` (:data:`REOPENED`) just before the
        event of the value it went back to, so that the failure-demand rules, which read
        activities, see the customer come back (MEASURES.md: reopen is failure demand).

    Examples
    --------
    >>> t = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 09:00", "2024-01-02 10:00"], utc=True)
    >>> changes = pd.DataFrame({"record": "R1", "at": t, "field": ["status", "group", "status"],
    ...     "old": [None, None, "New"], "new": ["New", "Desk", "Done"], "actor": "ann",
    ...     "seq": [0, 1, 2]})
    >>> out = events_from_changes(changes, activity_field="status", roles={"team": "group"})
    >>> out.events[["case", "activity", "team"]].values.tolist()
    [['R1', 'New', 'Desk'], ['R1', 'Done', 'Desk']]
    """
    changes = in_chain_order(changes).sort_values(["at", "seq"], kind="stable")
    first_seen = [changes.sort_values("seq", kind="stable")["record"]]
    status = changes[changes["field"] == activity_field]
    events = status[["record", "at", "new", "actor", "seq"]].rename(columns={"new": "activity"})
    events = events.astype({"seq": "float64"})
    n_reopened = 0
    if closed is not None and len(status):
        back = reopenings(status["old"], status["new"], closed).to_numpy(bool)
        if back.any():
            again = events[back].assign(activity=REOPENED, seq=events["seq"][back] - 0.5)
            events = pd.concat([events, again], ignore_index=True)
            n_reopened = int(back.sum())
    n_created = 0
    if created is not None and len(created):
        first_old = status.drop_duplicates("record").set_index("record")["old"]
        made = created.loc[:, ["record", "at"]].copy()
        activity = created["activity"] if "activity" in created else pd.Series(pd.NA, made.index)
        activity = activity.fillna(made["record"].map(first_old))
        if current is not None and activity_field in current:
            activity = activity.fillna(made["record"].map(current[activity_field]))
        made["activity"] = activity.fillna("Created")
        made["actor"], made["seq"] = pd.NA, -1
        first_seen.insert(0, made["record"])
        events = pd.concat([made, events], ignore_index=True)
        n_created = len(made)
    events["at"] = events["at"].astype("datetime64[us, UTC]")
    moved = _group_changes(changes, roles.get("team"), events)
    if len(moved):
        events = pd.concat([events, moved], ignore_index=True)
    events = events.sort_values(["at", "seq"], kind="stable").reset_index(drop=True)
    result = events.loc[:, ["record", "activity", "at", "actor"]]
    replayed: dict[str, tuple[str, int]] = {}
    for role, name in roles.items():
        rows = changes[changes["field"] == name]
        now = current[name] if current is not None and name in current else None
        result[role] = _in_force(events, rows, now)
        replayed[role] = (name, len(rows))
    records = pd.Index(pd.unique(pd.concat(first_seen, ignore_index=True)))
    rank = records.get_indexer(pd.Index(result["record"]))
    result = result.assign(_rank=rank).sort_values(["_rank", "at"], kind="stable")
    result = result.drop(columns="_rank").rename(columns={"record": "case", "at": "timestamp"})
    read = {activity_field, *roles.values(), *used_fields}
    ignored = changes.loc[~changes["field"].isin(read), "field"].value_counts()
    return ChangeEvents(
        events=result.reset_index(drop=True),
        status_changes=len(status),
        created=n_created,
        group_changes=len(moved),
        reopened=n_reopened,
        replayed=replayed,
        ignored={str(k): int(v) for k, v in ignored.items()},
        without_events=len(records.difference(pd.Index(result["case"]))),
    )


#: The activity of the event a reopening gets (a status back from closed to open).
REOPENED = "Reopened"


def reopenings(
    old: pd.Series, new: pd.Series, closed: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    """Which changes of the activity field are reopenings: from a value that closes a
    record (``closed``) back to an open one.

    Examples
    --------
    >>> done = closing(r"resolved|closed")
    >>> old = pd.Series(["New", "Resolved", "Closed", None])
    >>> reopenings(old, pd.Series(["Active", "Active", "Resolved", "Active"]), done).tolist()
    [False, True, False, False]
    """
    old, new = old.astype("string"), new.astype("string")
    return closed(old.fillna("")) & new.notna() & ~closed(new.fillna(""))


def closing(pattern: str) -> Callable[[pd.Series], pd.Series]:
    """The ``closed`` test of :func:`events_from_changes` for a system whose closing
    values match ``pattern`` (a regular expression for the whole value, ignoring case
    and blanks at its ends).

    Examples
    --------
    >>> closing(r"solved|closed")(pd.Series(["Solved ", "open", "closed"])).tolist()
    [True, False, True]
    """
    return lambda values: values.str.strip().str.fullmatch(pattern, case=False).fillna(False)


def in_chain_order(changes: pd.DataFrame) -> pd.DataFrame:
    """``changes`` with the ``seq`` of changes to one field of one record at one time
    reordered so that each follows the change whose new value is its old value: New ->
    Working before Working -> Waiting in the same second, whatever order the file has
    them in (an export sorted newest first). Other changes keep their ``seq``.

    Examples
    --------
    >>> at = pd.Timestamp("2024-03-05 08:30", tz="UTC")
    >>> changes = pd.DataFrame({"record": "C1", "at": at, "field": "Status",
    ...     "old": ["Working", "New", "Waiting"], "new": ["Waiting", "Working", "Closed"],
    ...     "seq": [0, 1, 2]})
    >>> in_chain_order(changes).sort_values("seq")["new"].tolist()
    ['Working', 'Waiting', 'Closed']
    """
    key = ["record", "at", "field"]
    tied = changes.duplicated(key, keep=False)
    if not tied.any():
        return changes
    # By position: the frames callers join may repeat index labels.
    at = np.flatnonzero(tied.to_numpy())
    t = changes.iloc[at][[*key, "old", "new", "seq"]].reset_index(drop=True)
    t["row"] = range(len(t))
    # Each change's predecessor: a change of its tie whose new value is its old value.
    links = t[[*key, "old", "row"]].merge(
        t[[*key, "new", "row"]].rename(columns={"new": "old", "row": "pred"}),
        on=[*key, "old"],
        how="left",
    )
    links["pred"] = links["pred"].where(links["pred"] != links["row"])
    first = links.sort_values(["row", "pred"]).drop_duplicates("row").set_index("row")["pred"]
    pred = first.reindex(range(len(t))).to_numpy(dtype="float64")
    has = ~np.isnan(pred)
    before = pred[has].astype(np.int64)
    # A change's depth in its chain: its predecessor's and one (a cycle stops growing at
    # the tie's size, and then keeps the file's order).
    depth = np.zeros(len(t), dtype=np.int64)
    for _ in range(int(t.groupby(key).size().max()) - 1):
        deeper = np.zeros(len(t), dtype=np.int64)
        deeper[has] = depth[before] + 1
        depth = deeper
    ordered = t.assign(depth=depth).sort_values([*key, "depth", "seq"], kind="stable")
    seq = changes["seq"].to_numpy().copy()
    seq[at[ordered["row"].to_numpy()]] = t.sort_values([*key, "seq"], kind="stable")["seq"]
    return changes.assign(seq=seq)


def _group_changes(changes: pd.DataFrame, team: str | None, events: pd.DataFrame) -> pd.DataFrame:
    """Events (``record``, ``at``, ``activity``, ``actor``, ``seq``) for the changes of
    the ``team`` field to another known value (not empty, not a placeholder of
    :data:`~journeymap.read_options.DEFAULT_MISSING_VALUES`) than the last one known
    before it, at times when ``events`` (the status changes and creations) has none for
    the record."""
    empty = pd.DataFrame(columns=["record", "at", "activity", "actor", "seq"])
    if team is None:
        return empty
    rows = changes[changes["field"] == team]
    new = rows["new"].astype("string").str.strip()
    old = rows["old"].astype("string").str.strip()

    # A placeholder ("?", "N/A", "(empty)") says the group was not recorded: no group to
    # go to, and the group it goes back to afterwards is no move when it is the last one
    # recorded (SD -> "(empty)" -> SD, an integration clearing the field for a moment).
    def unknown(values: pd.Series) -> pd.Series:
        blank = values.isna() | values.eq("") | values.str.casefold().isin(DEFAULT_MISSING_VALUES)
        return blank.fillna(True).astype(bool)

    known = new.mask(unknown(new))
    # The last known value before each change, per record (vectorised: no function per
    # record, which an audit of a million records would call a million times).
    before = known.groupby(rows["record"]).ffill().groupby(rows["record"]).shift()
    before = before.fillna(old.mask(unknown(old)))
    rows = rows[~unknown(new) & new.ne(before).fillna(True)]
    if rows.empty:
        return empty
    at = rows["at"].astype("datetime64[us, UTC]")
    updates = pd.MultiIndex.from_arrays([events["record"], events["at"]])
    alone = ~pd.MultiIndex.from_arrays([rows["record"], at]).isin(updates)
    rows = rows[alone]
    return pd.DataFrame(
        {
            "record": rows["record"],
            "at": at[alone],
            "activity": GROUP_CHANGE + rows["new"].astype("string").str.strip(),
            "actor": rows["actor"],
            "seq": rows["seq"],
        }
    )


def _in_force(events: pd.DataFrame, rows: pd.DataFrame, current: pd.Series | None) -> pd.Series:
    """The value of one field in force at each event's time (see events_from_changes)."""
    left = events.loc[:, ["record", "at"]].reset_index()
    right = rows.loc[:, ["record", "at", "old", "new"]].assign(hit=True)
    right["at"] = right["at"].astype("datetime64[us, UTC]")
    before = pd.merge_asof(
        left, right[["record", "at", "new", "hit"]], on="at", by="record", direction="backward"
    ).set_index("index")
    after = pd.merge_asof(
        left,
        right[["record", "at", "old", "hit"]],
        on="at",
        by="record",
        direction="forward",
        allow_exact_matches=False,
    ).set_index("index")
    value = before["new"].where(before["hit"].eq(True), after["old"])
    unchanged = before["hit"].ne(True) & after["hit"].ne(True)
    if current is not None:
        value = value.where(~unchanged, events["record"].map(current))
    return value.astype("str").where(value.notna()).sort_index()


def change_notes(result: ChangeEvents, *, activity_field: str, unit: str = "rows") -> list[str]:
    """Notes saying what :func:`events_from_changes` did, in the user's words."""
    notes = [f"events from changes of {activity_field!r}: {result.status_changes}"]
    if result.created:
        notes.append(f"events at the records' creation: {result.created}")
    if result.group_changes:
        notes.append(
            f"events from changes of team without a change of {activity_field!r} "
            f"('{GROUP_CHANGE}...'): {result.group_changes}"
        )
    if result.reopened:
        notes.append(
            f"reopenings ({activity_field!r} back from a closed value to an open one) are "
            f"events '{REOPENED}' too, just before the value they went back to, so that "
            f"failure demand counts them: {result.reopened}"
        )
    for role, (name, count) in result.replayed.items():
        notes.append(
            f"{role} is {name!r} as in force at each event's time ({change_count(count)} replayed)"
        )
    if result.ignored:
        shown = listing(f"{k} ({v})" for k, v in result.ignored.items())
        notes.append(f"{unit} of other fields were not read: {shown}")
    if result.without_events:
        notes.append(
            f"records with no {activity_field!r} change (no events): {result.without_events}"
        )
    return notes


def change_count(n: int) -> str:
    """``"1 change"``, ``"3 changes"``."""
    return f"{n} change" + ("" if n == 1 else "s")
