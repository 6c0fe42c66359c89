"""Salesforce history exports (Data Loader, Bulk API or weekly Data Export CSV).

- ``CaseHistory`` (``CaseId, Field, OldValue, NewValue, DataType, CreatedDate...``): one
  event per ``Status`` change, plus one at the case's creation (a ``created`` row, or
  ``CreatedDate`` in a ``Case.csv`` next to the file). A change of owner is written twice,
  by id and by name; the id row (``DataType`` ``EntityId``) is kept. An owner whose id
  starts with ``00G`` is a queue (the team, kept while a user works the case taken from
  it); ``005`` is a user (the resource). ``Case.csv`` in the same folder, when present,
  gives the channel (``Origin``) and the customer (``ContactId``, else ``AccountId``).
- ``CaseHistory2`` (``CaseId, OwnerId, Status, PreviousUpdate, LastModifiedDate``) and
  ``OpportunityHistory`` (``OpportunityId, StageName, CreatedDate``): snapshot rows, one
  event per row; repeated states are collapsed.

Data Export files are often Windows-1252 rather than UTF-8: that is detected and said.
Times without a zone are read as UTC (GMT, as Salesforce writes them).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import (
    REOPENED,
    change_notes,
    closing,
    events_from_changes,
    in_chain_order,
)
from journeymap.connectors.presets.files import (
    TIME_OFFSET,
    csv_header,
    csv_lines,
    iso_utc,
    listing,
    lower_names,
    missing_columns,
    parse_utc,
    read_csv_text,
    rejects,
    text_table,
    with_unread,
)
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["SalesforcePreset"]

#: Why a time is not read (after the value).
_NOT_A_TIME = (
    " is not an ISO 8601 date-time, as Salesforce's exports write them "
    "(2024-05-10T09:00:00.000+0000)"
)

QUEUE_PREFIX, USER_PREFIX = "00G", "005"
_SHAPES = {
    "CaseHistory": {"caseid", "field", "oldvalue", "newvalue"},
    "CaseHistory2": {"caseid", "ownerid", "status", "lastmodifieddate"},
    "OpportunityHistory": {"opportunityid", "stagename", "createddate"},
}
_OWNER_FIELDS = ("owner", "ownerassignment", "ownerid")
_TRUE = ("1", "true")
_SALESFORCE_ID = r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?"
_OWNER_NOTE = (
    "owners: queues (ids 00G...) are the team, kept while a user works the case "
    "taken from the queue; users (ids 005...) are the resource"
)


#: The statuses that close a case: "Closed", and the "Closed - ..." values orgs add
#: (a status's IsClosed flag is not in the history).
#: Salesforce's closing statuses and stages (Closed, Closed Won, Closed Lost).
_CLOSING = r"closed\b.*"
_CLOSED = closing(_CLOSING)


class SalesforcePreset:
    """Salesforce CaseHistory, CaseHistory2 and OpportunityHistory CSV exports."""

    name = "salesforce"
    description = "Salesforce CaseHistory, CaseHistory2 and OpportunityHistory CSV exports"

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is a Salesforce history export (its header), or None."""
        shape = _shape(csv_header(head) or [])
        if shape is None:
            return None
        return f"a Salesforce {shape} export ({', '.join(sorted(_SHAPES[shape]))})"

    def companions(self, path: Path) -> list[Path]:
        """``Case.csv`` beside a CaseHistory export: read with it, not a log of its own."""
        with path.open("rb") as stream:
            shape = _shape(csv_header(stream.read(1 << 16)) or [])
        sibling = _case_path(path) if shape == "CaseHistory" else None
        return [sibling] if sibling is not None else []

    def read(self, path: Path, *, encoding: str | None = None) -> PresetTable:
        """Read the export in whichever shape its header shows."""
        frame, notes, unread = read_csv_text(path, encoding, cp1252_fallback=True)
        names = lower_names(frame.columns)
        shape = _shape(list(frame.columns))
        if shape is None:
            raise SourceError(
                f"{path.name}: is not a Salesforce history export (CaseHistory needs CaseId, "
                "Field, OldValue, NewValue; CaseHistory2 CaseId, OwnerId, Status, "
                "LastModifiedDate; OpportunityHistory OpportunityId, StageName, CreatedDate); "
                "export one of them with Data Loader or Data Export"
            )
        deleted = (
            frame[names["isdeleted"]].str.lower().isin(_TRUE)
            if "isdeleted" in names
            else (pd.Series(False, frame.index))
        )
        if deleted.any():
            notes.append(f"rows marked IsDeleted, skipped: {int(deleted.sum())}")
        time_column = names["createddate" if shape != "CaseHistory2" else "lastmodifieddate"]
        at = parse_utc(frame[time_column])
        bad = at.isna() & ~deleted
        lines = csv_lines(frame)
        written = frame[time_column].map(repr, na_action="ignore").fillna("(empty)")
        why = f"unreadable {time_column}: " + written + _NOT_A_TIME
        if shape == "CaseHistory":
            # A Status change to nothing makes no event: rejected here, with its record's
            # number and line (rejected as an event, it took the event's number).
            field, new = (frame[names[c]].str.strip().str.lower() for c in ("field", "newvalue"))
            empty = ~(bad | deleted) & field.eq("status") & new.fillna("").eq("")
            bad |= empty
            why = why.mask(empty, "no activity: a Status change with no NewValue")
        dropped = rejects(
            frame.index[bad].to_series() + 1, why[bad], None if lines is None else lines[bad]
        )
        keep = ~(bad | deleted)
        if shape == "CaseHistory":
            table = _case_history(frame[keep], at[keep], names, path)
        else:
            table = _snapshots(frame[keep], at[keep], names, shape)
        table.records, table.rejects = len(frame), dropped
        table.notes[:0] = notes
        zoneless = ~frame.loc[keep, time_column].str.strip().str.contains(TIME_OFFSET, na=True)
        if zoneless.any():  # said only of times that have no offset of their own
            table.notes.append("times without a zone are read as UTC (Salesforce writes GMT)")
        table.reason = f"a Salesforce {shape} export"
        return with_unread(table, unread)


def _shape(header: list[str]) -> str | None:
    """Which Salesforce history object a header belongs to, or None."""
    names = set(lower_names(header))
    if _SHAPES["CaseHistory"] <= names:
        return "CaseHistory"
    if {"caseid", "previousupdate"} <= names or _SHAPES["CaseHistory2"] <= names:
        return "CaseHistory2"
    if _SHAPES["OpportunityHistory"] <= names:
        return "OpportunityHistory"
    return None


def _owner_roles(owner: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(team, resource) of owners: a queue (id 00G...) is a team; a user (005...) is a
    resource, and so is an owner given by name (the export has no id row for it)."""
    queue = owner.str.startswith(QUEUE_PREFIX).fillna(False).astype(bool)
    return owner.where(queue), owner.where(~queue)


def _case_history(
    frame: pd.DataFrame, at: pd.Series, names: dict[str, str], path: Path
) -> PresetTable:
    """One event per Status change (and creation); owner replayed as team or resource."""
    if "createddate" not in names:
        raise missing_columns(path.name, ["CreatedDate"], "export CaseHistory with CreatedDate")
    column = {
        k: frame[names[k]] if k in names else pd.Series(pd.NA, frame.index, "str")
        for k in ("caseid", "field", "oldvalue", "newvalue", "datatype", "createdbyid")
    }
    rows = pd.DataFrame(
        {
            "record": column["caseid"],
            "at": at,
            "field": column["field"],
            "old": column["oldvalue"],
            "new": column["newvalue"],
            "actor": column["createdbyid"],
            "seq": range(len(frame)),
            "by_id": _id_rows(column["datatype"], column["newvalue"]),
        }
    )
    notes = []
    # A foreign-key change is written twice (ids and names): keep the id row, and show
    # each id by the name its twin gives (a queue's lane "Billing Queue", not its id).
    # Only a name row beside an id row is a twin: two changes of one field at one time
    # (two status changes in the same second) are both kept.
    rows = rows.sort_values(["by_id", "seq"], ascending=[False, True], kind="stable")
    keys = pd.MultiIndex.from_frame(rows[["record", "at", "field"]])
    pairs = pd.Series(
        ~rows["by_id"].to_numpy(bool) & keys.isin(keys[rows["by_id"].to_numpy(bool)]), rows.index
    )
    id_names = _names_of_ids(rows, pairs)
    if pairs.any():
        shown = f", their ids shown by the names given ({len(id_names)})" if len(id_names) else ""
        notes.append(
            f"changes written twice, by id and by name (owner and other lookups): "
            f"{int(pairs.sum())}; the id rows are kept{shown}"
        )
    # Changes of one field in one second in the order their values chain (a file sorted
    # newest first has them backwards), before the owners in force are worked out.
    rows = in_chain_order(rows[~pairs]).sort_values("seq", kind="stable")
    field = rows["field"].str.lower()
    owner = rows[field.isin(_OWNER_FIELDS)]
    old_team, old_user = (_shown(r, id_names) for r in _owner_roles(owner["old"]))
    new_team, new_user = (_shown(r, id_names) for r in _owner_roles(owner["new"]))
    # The team is the queue the case was last routed to; it stays while a user works it.
    # So a change's old team is the one in force before it: a case a user hands back to
    # the queue it came from has not changed team.
    team = owner.assign(field="team", old=old_team, new=new_team.fillna(old_team))
    in_force = team.groupby("record")["new"].ffill()
    team["old"] = in_force.groupby(team["record"]).shift(1).fillna(team["old"])
    user = owner.assign(field="resource", old=old_user, new=new_user)
    status = rows[field.eq("status")].assign(field="Status")
    changes = pd.concat(
        [status, team[team["new"].notna()], user, rows[~field.isin((*_OWNER_FIELDS, "status"))]]
    )
    made = rows[field.eq("created")].drop_duplicates("record")[["record", "at"]]
    owners = pd.concat([owner["old"], owner["new"]], ignore_index=True)
    case = _case_file(path, id_names, owners)
    if case is not None:
        case = _by_history_ids(case, rows["record"])
        notes.append(
            "Case.csv next to the file gives the channel (Origin) and customer "
            "(ContactId, else AccountId) of each case"
        )
        notes += _unmatched_cases(case, rows["record"])
        # A case deleted, or merged into another (its history then belongs to that
        # one's), is no demand of its own: counted as one, it read as a one-stop case.
        gone = case.index[case["gone"]].intersection(pd.Index(rows["record"].dropna()))
        if len(gone):
            rows, changes = (t[~t["record"].isin(gone)] for t in (rows, changes))
            made = made[~made["record"].isin(gone)]
            notes.append(
                f"cases marked deleted or merged into another in Case.csv (IsDeleted, "
                f"MasterRecordId), left out: {len(gone)} ({listing(gone)})"
            )
        missing = case.index.intersection(pd.Index(rows["record"])).difference(
            pd.Index(made["record"])
        )
        extra = case.loc[missing, ["created"]].dropna().reset_index()
        quiet, said = _cases_without_history(case, rows)
        notes += said
        made = pd.concat([made, extra.set_axis(["record", "at"], axis=1), quiet], ignore_index=True)
    result = events_from_changes(
        changes,
        activity_field="Status",
        roles={"resource": "resource", "team": "team"},
        created=made,
        used_fields=("created",),
        current=None if case is None else case[["Status", "resource", "team"]],
        closed=_CLOSED,
    )
    events = result.events
    notes += change_notes(result, activity_field="Status")
    if len(owner):
        given = owner["new"].dropna()
        named = int((~given.str.fullmatch(_SALESFORCE_ID)).sum())
        notes.append(
            _OWNER_NOTE + (f"; owners given by name, read as users: {named}" * bool(named))
        )
    if events.empty:
        raise EmptyLogError(
            f"{path.name}: has no Status changes and no created rows; track the Case Status "
            "field (Field History Tracking) and export CaseHistory again"
        )
    columns = ["case", "activity", "timestamp", "resource", "team"]
    if case is not None:
        events["customer"] = events["case"].map(case["customer"])
        events["channel"] = events["case"].map(case["Origin"])
        columns += ["customer", "channel"]
    events["timestamp"] = iso_utc(events["timestamp"])
    table = events[[*columns, "actor"]].rename(columns={"actor": "CreatedById"})
    return PresetTable(
        text_table(table),
        {c: c for c in columns},
        records=0,
        notes=notes,
        closing=_CLOSING,
        added=(REOPENED,),
    )


def _id_rows(data_type: pd.Series, new: pd.Series) -> pd.Series:
    """Rows that give ids (``DataType`` EntityId; without DataType, values shaped as ids)."""
    if data_type.notna().any():
        return data_type.str.lower().eq("entityid").fillna(False).astype(bool)
    return new.fillna("").str.fullmatch(_SALESFORCE_ID)


def _names_of_ids(rows: pd.DataFrame, twins: pd.Series) -> pd.Series:
    """Id -> name, from the changes written twice: each twin (a name row) beside the id
    row of the same record, time and field; of two changes of one field in the same
    second (to a queue, then on to a person), the first name row beside the first id
    row, in the file's order. An id given two names keeps the first."""
    keys = ["record", "at", "field"]
    ids, names = (
        part.assign(nth=part.groupby(keys, dropna=False).cumcount())
        for part in (rows[~twins].sort_values("seq"), rows[twins].sort_values("seq"))
    )
    both = ids.merge(names, on=[*keys, "nth"], suffixes=("", "_name"))
    pairs = pd.concat(
        [
            pd.DataFrame({"id": both["old"], "name": both["old_name"]}),
            pd.DataFrame({"id": both["new"], "name": both["new_name"]}),
        ],
        ignore_index=True,
    ).dropna()
    pairs = pairs[pairs["id"] != pairs["name"]].drop_duplicates("id")
    return pd.Series(pairs["name"].to_numpy(), index=pairs["id"].to_numpy(), dtype=object)


def _shown(ids: pd.Series, named: pd.Series) -> pd.Series:
    """Each id by its name, where the history gives one."""
    return ids.mask(ids.isin(named.index), ids.map(named))


def _id_key(ids: pd.Series) -> pd.Series:
    """Salesforce ids in their 15-character form, other values as they are: an
    18-character id is the 15-character one (which reports give) and three characters
    that encode the case of its letters (which the API gives).

    Examples
    --------
    >>> _id_key(pd.Series(["5005g00000AbCdEAAQ", "5005g00000AbCdE", "C-17"])).tolist()
    ['5005g00000AbCdE', '5005g00000AbCdE', 'C-17']
    """
    ids = ids.astype("string")
    looks = ids.str.fullmatch(_SALESFORCE_ID).fillna(False).astype(bool)
    return ids.mask(looks, ids.str[:15])


def _as_in_history(ids: pd.Series, known: pd.Series) -> pd.Series:
    """``ids`` as the history writes them: an id in the other length (15 or 18
    characters) is the history's id of the same 15 characters; others as they are."""
    history = pd.Series(pd.unique(known.dropna()), dtype="string")
    by_key = pd.Series(history.to_numpy(), index=_id_key(history).to_numpy())
    by_key = by_key[~by_key.index.duplicated()]
    given = ids.astype("string")
    return _id_key(given).map(by_key).fillna(given).astype(ids.dtype)


def _by_history_ids(case: pd.DataFrame, records: pd.Series) -> pd.DataFrame:
    """``case`` (Case.csv) indexed by the history's ids: a case Id in the other length
    (15 or 18 characters) is the history's case of the same 15 characters."""
    ids = _as_in_history(case.index.to_series(), records)
    case = case.set_axis(pd.Index(ids.to_numpy(), dtype=case.index.dtype))
    return case[~case.index.duplicated()]


def _unmatched_cases(case: pd.DataFrame, records: pd.Series) -> list[str]:
    """A warning when cases of the history have no row in Case.csv: their channel and
    customer are unknown (a Case export of other cases, or of other ids)."""
    history = pd.Index(pd.unique(records.dropna()))
    unmatched = history[~history.isin(case.index)]
    if not len(unmatched):
        return []
    return [
        f"warning: {len(unmatched):,} of {len(history):,} cases of the history have no row in "
        f"Case.csv (by Id; such as {listing(unmatched[:3])}): their channel and customer are "
        "unknown; export Case for the same cases, with Id"
    ]


def _cases_without_history(
    case: pd.DataFrame, rows: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """The creations (``record``, ``at``) of the cases in Case.csv that have no history row
    and were created since the history's first change, and notes on them: such a case
    was opened and has not changed since, and it is a demand. Cases created before that
    are left out (the history was exported for a later period), and said."""
    quiet = case[~case.index.isin(pd.Index(rows["record"].dropna())) & ~case["gone"]]
    quiet = quiet[quiet["created"].notna()]
    times = rows["at"].dropna()
    if times.empty:
        quiet = quiet.iloc[:0]
    first = times.min()
    kept = quiet[quiet["created"] >= first]
    before = quiet.index.difference(kept.index, sort=False)
    notes = []
    if len(kept):
        notes.append(
            "cases in Case.csv without a history row (opened and not changed since): an "
            f"event each at its creation, with its current status: {len(kept):,} "
            f"({listing(kept.index)})"
        )
    if len(before):
        notes.append(
            "cases in Case.csv without a history row, created before the history's first "
            f"change ({first:%Y-%m-%d %H:%M}), left out: {len(before):,} ({listing(before)})"
        )
    made = pd.DataFrame(
        {
            "record": pd.Series(kept.index, dtype=rows["record"].dtype),
            "at": pd.Series(kept["created"].to_numpy(), dtype=rows["at"].dtype),
        }
    )
    return made, notes


def _case_path(path: Path) -> Path | None:
    """``Case.csv`` next to a history file, if there is one (and it is not the file)."""
    sibling = next((p for p in path.parent.iterdir() if p.name.lower() == "case.csv"), None)
    if sibling is None or sibling.resolve() == path.resolve():
        return None
    return sibling


def _case_file(path: Path, named: pd.Series, owners: pd.Series) -> pd.DataFrame | None:
    """``Case.csv`` next to the history, indexed by case Id, if there is one; its owner
    ids written as the history's ``owners`` (15 or 18 characters) and shown by the names
    the history gives (``named``)."""
    sibling = _case_path(path)
    if sibling is None:
        return None
    frame = read_csv_text(sibling, None, cp1252_fallback=True).frame
    names = lower_names(frame.columns)
    if "id" not in names:
        raise SourceError(
            f"{sibling.name}: has no Id column; export Case with Id, Origin and "
            "ContactId, or move it out of the folder"
        )

    def column(name: str) -> pd.Series:
        """A column by its lower-case name; all missing when the file lacks it."""
        return frame[names[name]] if name in names else pd.Series(pd.NA, frame.index, "str")

    created = parse_utc(column("createddate"))
    owner = _as_in_history(column("ownerid"), owners)
    team, user = (_shown(r, named) for r in _owner_roles(owner))
    table = pd.DataFrame(
        {
            "Origin": column("origin"),
            "customer": column("contactid").fillna(column("accountid")),
            "created": created,
            "Status": column("status"),
            "team": team,
            "resource": user,
            "gone": column("isdeleted").str.strip().str.lower().isin(_TRUE).to_numpy(bool)
            | column("masterrecordid").fillna("").str.strip().ne("").to_numpy(bool),
        }
    ).set_index(column("id"))
    return table[~table.index.duplicated()]


def _snapshots(
    frame: pd.DataFrame, at: pd.Series, names: dict[str, str], shape: str
) -> PresetTable:
    """One event per snapshot row, ordered by time within each record."""
    if shape == "CaseHistory2":
        case, activity, actor = names["caseid"], names["status"], names.get("lastmodifiedbyid")
    else:
        case, activity, actor = names["opportunityid"], names["stagename"], names.get("createdbyid")
    rank = pd.factorize(frame[case])[0]
    order = pd.DataFrame({"rank": rank, "at": at.to_numpy()}, index=frame.index)
    frame = frame.loc[order.sort_values(["rank", "at"], kind="stable").index]
    out = pd.DataFrame(
        {
            "case": frame[case],
            "activity": frame[activity],
            "timestamp": iso_utc(at.loc[frame.index]),
        }
    )
    notes = [
        "rows are snapshots, one per change: ordered by time within each record; "
        "repeated states are collapsed"
    ]
    if shape == "CaseHistory2":
        team, user = _owner_roles(frame[names["ownerid"]])
        out["team"], out["resource"] = team.groupby(frame[case]).ffill(), user
        notes.append(_OWNER_NOTE + "; PreviousUpdate is not used")
    elif actor is not None:
        out["resource"] = frame[actor]
        notes.append(f"resource is who made the change ({actor!r})")
    extra = [c for c in frame.columns if c not in (case, activity)]
    if extra:
        notes.append(f"other columns kept as attributes (prefixed source_): {listing(extra)}")
    table = pd.concat([out, frame[extra].add_prefix("source_")], axis=1)
    return PresetTable(
        text_table(table.reset_index(drop=True)),
        {c: c for c in out.columns},
        records=0,
        options={"collapse_repeats": "auto"},
        notes=notes,
        closing=_CLOSING,
    )
