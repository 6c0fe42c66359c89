"""Jira issues: REST JSON with the changelog, and the CSV export (current state only).

- REST JSON (``/rest/api/2/search?expand=changelog`` results ``{"issues": [...]}`` or one
  issue from ``/rest/api/2/issue/{key}?expand=changelog``): a creation event at
  ``fields.created`` with the initial status, then one event per status item of the
  changelog. Times are converted from their ``±HHMM`` offset to UTC. The assignee and
  reporter are replayed from the changelog as in force at each event.
- CSV export (``Issue key``, ``Issue id``, ``Status``, ``Created``...): no history, so two
  events per issue: ``Created``, and the current status at ``Resolved`` (else ``Updated``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.presets import PresetTable
from journeymap.connectors.presets.fieldchanges import change_notes, events_from_changes
from journeymap.connectors.presets.files import (
    csv_header,
    head_text,
    iso_utc,
    json_document,
    listing,
    missing_columns,
    parse_utc,
    read_csv_text,
    rejects,
    text_table,
    with_unread,
)
from journeymap.errors import EmptyLogError, SourceError

__all__ = ["COMPONENT_NOTE", "JiraPreset"]

_SEARCH = re.compile(r'"issues"\s*:\s*\[')
_ISSUE_KEYS = ('"key"', '"fields"')
_CSV_KEYS = {"Issue key", "Issue id", "Status"}
# Jira's default CSV date format, e.g. 14/Jul/25 3:42 PM.
_CSV_TIME = re.compile(r"\d{1,2}/[A-Za-z]{3}/\d{2} \d{1,2}:\d{2} [AP]M")
_REPLAYED = ("status", "assignee", "reporter")
#: The usual names of Jira's closing statuses (its "Done" category): an issue whose last
#: status is another is still open. A workflow's own names are given with end_activities.
_CLOSING = r"done|closed|resolved|cancel+ed"


class JiraPreset:
    """Jira REST JSON with ``expand=changelog``, and the Jira CSV export."""

    name = "jira"
    description = "Jira issues: REST JSON with changelog (search or one issue), CSV export"

    def recognise(self, path: Path, head: bytes) -> str | None:
        """Why ``path`` is a Jira export (JSON keys or CSV header), or None."""
        header = csv_header(head)
        if header is not None:
            return (
                "a Jira CSV export (Issue key, Issue id, Status)"
                if set(header) >= _CSV_KEYS
                else None
            )
        text = head_text(head).lstrip()
        if not text.startswith("{") or not all(k in text for k in _ISSUE_KEYS):
            return None
        if _SEARCH.search(text):
            return "Jira REST search results (issues[] with key and fields)"
        if "/rest/api/" in text:
            return "a Jira REST issue (key, fields, self /rest/api/)"
        return None

    def read(self, path: Path, *, encoding: str | None = None) -> PresetTable:
        """Read the export: REST JSON with history, or CSV with the current state."""
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
        if csv_header(head) is not None:
            return _read_csv(path, encoding)
        return _read_rest(path, encoding)


#: The issue's first component, as the export gives it: its value now, not who did each
#: step. Kept as this attribute, not as the team: as the team, it is one per issue and
#: every hand-off would be between the same team (none), however often the issue passed
#: between people.
CURRENT_COMPONENT = "current_component"
COMPONENT_NOTE = (
    "the issue's first component is its value now, not who did each step: kept as "
    f"{CURRENT_COMPONENT!r}, not as the team, so hand-offs are counted between assignees "
    f"(--team {CURRENT_COMPONENT} counts them between components)"
)


def _user(value: Any) -> str | None:
    """A Jira user's id: ``name`` (Server/DC) or ``accountId`` (Cloud)."""
    if not isinstance(value, dict):
        return None
    found = value.get("name") or value.get("accountId") or value.get("key")
    return None if found is None else str(found)


def _issues(document: Any, label: str) -> list[Any]:
    """The issues of a search response or the one issue of an issue response."""
    if isinstance(document, dict) and isinstance(document.get("issues"), list):
        return list(document["issues"])
    if isinstance(document, dict) and "fields" in document and "key" in document:
        return [document]
    raise SourceError(
        f'{label}: is JSON but not Jira issues (no "issues" list and no issue with key and '
        "fields); export /rest/api/2/search?expand=changelog"
    )


def _read_rest(path: Path, encoding: str | None) -> PresetTable:
    """Events from REST issues: created, then one per status item."""
    issues = _issues(json_document(path, encoding), path.name)
    if not issues:
        raise EmptyLogError(f"{path.name}: the search returned no issues; widen the JQL query")
    made: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    truncated: list[str] = []
    bad: list[tuple[int, str]] = []
    with_changelog, repeated, seen = 0, 0, set()
    for number, issue in enumerate(issues, 1):
        fields = issue.get("fields") if isinstance(issue, dict) else None
        key = issue.get("key") if isinstance(issue, dict) else None
        if not isinstance(fields, dict) or not key or not fields.get("created"):
            lacks = [n for n, v in (("key", key), ("fields", fields)) if not v]
            if not lacks:
                lacks = ["fields.created"] if isinstance(fields, dict) else ["fields"]
            named = f"issue {key}" if key and isinstance(key, str) else "the issue"
            bad.append((number, f"{named} has no {' or '.join(lacks)}"))
            continue
        if key in seen:  # pages fetched twice: the issue is read once
            repeated += 1
            continue
        seen.add(key)
        status = fields.get("status") or {}
        components = fields.get("components") or [{}]
        made.append({"record": key, "at": fields["created"], "activity": pd.NA})
        current.append(
            {
                "record": key,
                "status": status.get("name"),
                "assignee": _user(fields.get("assignee")),
                "reporter": _user(fields.get("reporter")),
                "team": components[0].get("name"),
            }
        )
        changelog = issue.get("changelog")
        if not isinstance(changelog, dict):
            continue
        with_changelog += 1
        histories = changelog.get("histories") or []
        if int(changelog.get("total") or 0) > len(histories):
            truncated.append(f"{key} ({len(histories)} of {changelog['total']} histories)")
        for h, history in enumerate(histories):
            for i, item in enumerate(history.get("items") or []):
                name = str(item.get("fieldId") or item.get("field") or "")
                name = name.lower() if name.lower() in _REPLAYED else name
                old, new = ("fromString", "toString") if name == "status" else ("from", "to")
                rows.append(
                    {
                        "record": key,
                        "at": history.get("created"),
                        "field": name,
                        "old": item.get(old),
                        "new": item.get(new),
                        "actor": _user(history.get("author")),
                        "seq": (number * 10_000 + h) * 1_000 + i,
                    }
                )
    if not made:
        raise SourceError(
            f"{path.name}: no issue has a key, fields and fields.created; export the issues "
            "from /rest/api/2/search?expand=changelog"
        )
    if with_changelog == 0:
        raise SourceError(
            f"{path.name}: the issues have no changelog; export them with expand=changelog "
            "(/rest/api/2/search?jql=...&expand=changelog)"
        )
    columns = ["record", "at", "field", "old", "new", "actor", "seq"]
    changes = pd.DataFrame(rows, columns=columns).astype({"record": "str", "field": "str"})
    changes["at"] = parse_utc(changes["at"].astype("str"))
    created = pd.DataFrame(made, columns=["record", "at", "activity"])
    created["at"] = parse_utc(created["at"].astype("str"))
    for frame, what in ((created, "fields.created"), (changes, "a history's created")):
        if frame["at"].isna().any():
            keys = listing(frame.loc[frame["at"].isna(), "record"].unique())
            raise SourceError(
                f"{path.name}: {what} is not an ISO 8601 time in {keys}; export "
                "the issues again from the REST API"
            )
    now = pd.DataFrame(current, columns=["record", "status", "assignee", "reporter", "team"])
    now = now.set_index("record")
    result = events_from_changes(
        changes,
        activity_field="status",
        roles={"resource": "assignee", "customer": "reporter"},
        created=created,
        current=now,
    )
    events = result.events
    events[CURRENT_COMPONENT] = events["case"].map(now["team"])
    notes = [
        "the first event of each issue is its creation (fields.created) with the initial status",
        *change_notes(result, activity_field="status", unit="changelog items"),
        "times are converted from their UTC offset to UTC",
    ]
    if events[CURRENT_COMPONENT].notna().any():  # said only when an issue has one
        notes.append(COMPONENT_NOTE)
    if truncated:
        notes.append(
            f"warning: {len(truncated)} "
            f"{'changelog is' if len(truncated) == 1 else 'changelogs are'} truncated "
            f"(total > histories given): {listing(truncated)}; page "
            "/rest/api/2/issue/{key}/changelog for their full history"
        )
    if repeated:
        notes.append(f"issues given more than once, read once: {repeated}")
    if bad:
        notes.append(
            f"{len(bad)} {'issue' if len(bad) == 1 else 'issues'} could not be read (see rejects)"
        )
    events["timestamp"] = iso_utc(events["timestamp"])
    columns = ["case", "activity", "timestamp", "resource", CURRENT_COMPONENT, "customer", "actor"]
    table = events[columns]
    return PresetTable(
        text_table(table.rename(columns={"actor": "author"})),
        {r: r for r in ("case", "activity", "timestamp", "resource", "customer")},
        records=len(issues),
        rejects=rejects(pd.Series([n for n, _ in bad]), pd.Series([w for _, w in bad]), None),
        notes=notes,
        reason="Jira REST issues with changelog",
        closing=_CLOSING,
    )


def _read_csv(path: Path, encoding: str | None) -> PresetTable:
    """Two events per issue from the CSV export: Created, and the current status."""
    frame, notes, unread = read_csv_text(path, encoding)
    need = [c for c in ("Issue key", "Status", "Created") if c not in frame.columns]
    if need:
        raise missing_columns(
            path.name,
            need,
            "export the issues with the Status and Created columns (Export > CSV (all fields))",
        )

    def column(name: str) -> pd.Series:
        """A column of the export; all missing when the export lacks it."""
        return frame[name] if name in frame.columns else pd.Series(pd.NA, frame.index, "str")

    resolved = column("Resolved")
    when = resolved.fillna(column("Updated"))
    common = {
        "case": frame["Issue key"],
        CURRENT_COMPONENT: column("Component/s"),
        "customer": column("Reporter"),
    }
    first = pd.DataFrame(
        {
            **common,
            "activity": "Created",
            "timestamp": frame["Created"],
            "resource": pd.NA,
            "order": 0,
        }
    )
    last = pd.DataFrame(
        {
            **common,
            "activity": frame["Status"],
            "timestamp": when,
            "resource": column("Assignee"),
            "order": 1,
        }
    )
    events = pd.concat([first, last]).sort_index(kind="stable")
    events = events[["case", "activity", "timestamp", "resource", CURRENT_COMPONENT, "customer"]]
    times = events["timestamp"].dropna()
    options = {}
    # Jira writes its own shape; a row resaved by a spreadsheet in another shape is
    # rejected with its reason rather than leaving the whole file unread.
    if len(times) and times.str.fullmatch(_CSV_TIME).mean() > 0.5:
        options["timestamp_format"] = "%d/%b/%y %I:%M %p"
    notes += [
        "the CSV export holds no history: each issue gives a Created event and an event with "
        "its current Status at Resolved (else Updated)",
        "times are in the exporting user's time zone, which the file does not give",
    ]
    if column("Component/s").notna().any():
        notes.append(COMPONENT_NOTE)
    read = PresetTable(
        text_table(events.reset_index(drop=True)),
        {c: c for c in events.columns if c != CURRENT_COMPONENT},
        records=len(frame),
        options=options,
        notes=notes,
        reason="a Jira CSV export (Issue key, Issue id, Status)",
        closing=_CLOSING,
    )
    return with_unread(read, unread)
