"""Zendesk tickets: Ticket Audits and Incremental Ticket Events (JSON).

- Ticket Audits: ``{"audits": [...]}`` (``/api/v2/tickets/{id}/audits`` or
  ``/api/v2/ticket_audits``), or a list of audit objects with ``ticket_id``, ``events``
  and ``via``.
- Incremental Ticket Events: ``{"ticket_events": [...]}`` whose ``child_events`` give a
  change either as ``field_name``/``value``/``previous_value`` or with the field as the
  key (``{"status": "solved", "previous_value": "open"}``).

Each Create or Change of ``status`` is an event at the audit's time. The assignee and
group in force after the audit are the resource and team, ``requester_id`` the
customer, and ``via.channel`` of the creating audit the channel (``rule``, a trigger or
automation, is not a channel; nor is ``closed_ticket``, a follow-up made when the
customer wrote again after a ticket closed: the notes count those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import (
    REOPENED,
    change_notes,
    closing,
    events_from_changes,
)
from journeymap.connectors.presets.files import (
    copies_before,
    head_text,
    iso_utc,
    json_document,
    rejects,
    text_table,
)
from journeymap.demand_rules import GROUP_CHANGE
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["FOLLOW_UP", "ZendeskPreset"]

#: Fields read from Create and Change events, and the role each plays.
ROLES = {"resource": "assignee_id", "team": "group_id", "customer": "requester_id"}
_TRACKED = ("status", *ROLES.values())
_SYSTEM = "-1"
# Channels that name a trigger or automation rather than how the customer came in.
_NOT_CHANNELS = frozenset({"rule", "automation", "trigger"})
#: A follow-up ticket, made when the customer wrote again after a ticket closed.
_FOLLOW_UP = "closed_ticket"
#: The event a follow-up ticket begins with: the customer came back about a closed
#: ticket, a repeat contact (failure demand by the default patterns of MEASURES.md).
FOLLOW_UP = "Repeat contact (follow-up of a closed ticket)"
_AUDITS = re.compile(r'^\{\s*"audits"\s*:\s*\[|^\{.*"audits"\s*:\s*\[', re.S)
_EVENTS = re.compile(r'"ticket_events"\s*:\s*\[')


#: The statuses that close a ticket (a reply to a solved ticket reopens it; to a
#: closed one, it makes a follow-up ticket).
#: Zendesk's closing statuses: a ticket whose last status is another is still open.
_CLOSING = r"solved|closed"
_SOLVED_OR_CLOSED = closing(_CLOSING)


class ZendeskPreset:
    """Zendesk Ticket Audits and Incremental Ticket Events."""

    name = "zendesk"
    description = "Zendesk tickets: Ticket Audits and Incremental Ticket Events (JSON)"

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is a Zendesk export (its JSON keys), or None."""
        text = head_text(head).lstrip()
        if text.startswith("{") and _EVENTS.search(text) and '"child_events"' in text:
            return "Zendesk Incremental Ticket Events (ticket_events[].child_events)"
        if text.startswith("{") and _AUDITS.search(text):
            return "Zendesk Ticket Audits (audits[])"
        if text.startswith("[") and all(f'"{k}"' in text for k in ("ticket_id", "events", "via")):
            return "a list of Zendesk ticket audits (ticket_id, events, via)"
        return None

    def read(self, path: Path, *, encoding: str | None = None) -> PresetTable:
        """Read the audits or ticket events: one event per status Create or Change."""
        document = json_document(path, encoding)
        if isinstance(document, dict) and isinstance(document.get("ticket_events"), list):
            audits, keys = document["ticket_events"], ("child_events", "updater_id", "event_type")
        elif isinstance(document, dict) and isinstance(document.get("audits"), list):
            audits, keys = document["audits"], ("events", "author_id", "type")
        elif isinstance(document, list) and all(
            isinstance(a, dict) and "ticket_id" in a for a in document
        ):
            audits, keys = document, ("events", "author_id", "type")
        else:
            raise SourceError(
                f'{path.name}: is JSON but not Zendesk audits or ticket events (no "audits" '
                'or "ticket_events" list); export /api/v2/ticket_audits or '
                "/api/v2/incremental/ticket_events"
            )
        if not audits:
            raise EmptyLogError(f"{path.name}: holds no audits; export a wider time range")
        table = _read_audits(audits, *keys, label=path.name)
        table.reason = (
            "Zendesk Incremental Ticket Events (ticket_events[].child_events)"
            if keys[0] == "child_events"
            else "Zendesk Ticket Audits (audits with ticket_id, events, via)"
        )
        return table


def _text(value: Any) -> str | None:
    """A Zendesk value as text: ids written as numbers become text, tags are joined."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _changes(event: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(field, new value, old value) of one Create or Change child event, in both forms."""
    if "field_name" in event:
        yield str(event["field_name"]), event.get("value"), event.get("previous_value")
        return
    for name in _TRACKED:
        if name in event:
            yield name, event[name], event.get("previous_value")


def _read_audits(
    audits: list[Any], children: str, author_key: str, kind_key: str, *, label: str
) -> PresetTable:
    """Walk the audits once into change rows and per-audit facts, then reduce."""
    rows: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    for number, audit in enumerate(audits, 1):
        if not isinstance(audit, dict):
            audit = {}
        via = audit.get("via")
        fact: dict[str, Any] = {
            "number": number,
            "record": _text(audit.get("ticket_id")),
            "at": _text(audit.get("created_at")),
            "unix": audit.get("timestamp"),
            "author": _text(audit.get(author_key) or audit.get("author_id")),
            "channel": _text(via.get("channel") if isinstance(via, dict) else via),
            "status": False,
            "tracked": False,
            "creates": False,
        }
        for j, event in enumerate(audit.get(children) or []):
            kind = event.get(kind_key) or event.get("type") or event.get("event_type")
            if kind not in ("Create", "Change"):
                continue
            for name, new, old in _changes(event):
                is_status = name == "status"
                fact["status"] |= is_status
                fact["tracked"] |= name in _TRACKED
                fact["creates"] |= is_status and kind == "Create"
                rows.append(
                    {
                        "record": fact["record"],
                        "number": number,
                        "field": name,
                        "old": _text(old),
                        "new": _text(new),
                        "actor": fact["author"],
                        "seq": number * 10_000 + j,
                    }
                )
        facts.append(fact)
    audit_frame = pd.DataFrame(facts)
    at = pd.to_datetime(audit_frame["at"], format="ISO8601", utc=True, errors="coerce")
    unix = pd.to_numeric(audit_frame["unix"], errors="coerce")
    at = at.fillna(pd.to_datetime(unix, unit="s", utc=True)).astype("datetime64[us, UTC]")
    audit_frame["at"] = at
    bad = audit_frame["record"].isna() | audit_frame["at"].isna()
    dropped = rejects(
        audit_frame.loc[bad, "number"],
        pd.Series("the audit has no ticket_id or no valid created_at", audit_frame.index[bad]),
        None,
    )
    audit_frame = audit_frame[~bad]
    columns = ["record", "number", "field", "old", "new", "actor", "seq"]
    changes = pd.DataFrame(rows, columns=columns).astype({"record": "str", "field": "str"})
    changes = changes[changes["number"].isin(audit_frame["number"])]
    changes["at"] = changes["number"].map(audit_frame.set_index("number")["at"])
    system = audit_frame["author"].eq(_SYSTEM)
    skipped_system = system & ~audit_frame["tracked"]
    changes = changes[~changes["number"].isin(audit_frame.loc[skipped_system, "number"])]
    result = events_from_changes(
        changes, activity_field="status", roles=ROLES, closed=_SOLVED_OR_CLOSED
    )
    events = result.events
    if events.empty:
        raise EmptyLogError(
            f"{label}: has no status Create or Change events; export the tickets' audits "
            "with their events (/api/v2/ticket_audits)"
        )
    channel, rule, followed = _channels(audit_frame)
    events["channel"] = events["case"].map(channel)
    follow_ups = len(followed)
    first = ~events["case"].duplicated() & events["case"].isin(followed)
    events = copies_before(events, first, activity=FOLLOW_UP)
    notes = [*change_notes(result, activity_field="status", unit="child events")]
    notes.append("channel is via.channel of the audit that created the ticket")
    if rule:
        notes.append(f"tickets created by a rule (trigger or automation), with no channel: {rule}")
    if follow_ups:
        notes.append(
            "follow-up tickets (via closed_ticket: the customer wrote again after a ticket "
            f"closed), with no channel, each beginning with an event '{FOLLOW_UP}' so that "
            f"failure demand counts it: {follow_ups}"
        )
    if skipped_system.any():
        notes.append(
            "system audits (author -1) that change no status, assignee, group or "
            f"requester, skipped: {int(skipped_system.sum())}"
        )
    quiet = (~audit_frame["tracked"] & ~system).sum()
    if quiet:
        notes.append(
            f"audits that change no status, assignee, group or requester (comments, "
            f"other fields), no event: {int(quiet)}"
        )
    # An audit that moves the ticket to another group gave an event of its own
    # ("Assigned to group ..."), noted with the events made: not a replay only.
    moves = events[events["activity"].str.startswith(GROUP_CHANGE, na=False)]
    audit_keys = pd.MultiIndex.from_arrays([audit_frame["record"].astype("str"), audit_frame["at"]])
    moved = pd.Series(
        audit_keys.isin(pd.MultiIndex.from_arrays([moves["case"], moves["timestamp"]])),
        audit_frame.index,
    )
    replay_only = (audit_frame["tracked"] & ~audit_frame["status"] & ~moved).sum()
    if replay_only:
        notes.append(
            "audits that change the assignee, group or requester but not the status, "
            f"read for the roles in force only: {int(replay_only)}"
        )
    events["timestamp"] = iso_utc(events["timestamp"])
    roles = ["case", "activity", "timestamp", "resource", "team", "customer", "channel"]
    table = events[[*roles, "actor"]].rename(columns={"actor": "author_id"})
    return PresetTable(
        text_table(table),
        {r: r for r in roles},
        records=len(audits),
        rejects=dropped,
        notes=notes,
        closing=_CLOSING,
        added=(REOPENED, FOLLOW_UP),
    )


def _channels(audits: pd.DataFrame) -> tuple[pd.Series, int, list[str]]:
    """Each ticket's channel (its creating audit's, else its first audit's), how many
    tickets were created by a rule and which are follow-ups of closed tickets."""
    ordered = audits.sort_values(
        ["creates", "at", "number"], ascending=[False, True, True], kind="stable"
    )
    first = ordered.drop_duplicates("record").set_index("record")["channel"]
    kind = first.str.lower()
    by_rule, follow_up = kind.isin(_NOT_CHANNELS), kind.eq(_FOLLOW_UP)
    return first.mask(by_rule | follow_up), int(by_rule.sum()), list(first.index[follow_up])
