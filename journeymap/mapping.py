"""Roles, the mapping of source columns onto them, and their detection.

A *role* is one of the canonical columns of shared/MEASURES.md (case, activity,
timestamp, ...). A :class:`Mapping` says which source column plays each role. Roles the
user does not name are detected from the column headers: XES standard keys first, then
common export headers ("Case ID", "SR Number", "Status", "Complete Timestamp",
"Assignment group", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field

from journeymap.errors import MappingError, ocel1_advice, option

__all__ = [
    "HEADER_CANDIDATES",
    "IDENTIFIER_ROLES",
    "OPTIONAL_ROLES",
    "REQUIRED_ROLES",
    "ROLES",
    "TIMESTAMP_ROLES",
    "Mapping",
    "add_header_candidates",
    "detect_mapping",
]

REQUIRED_ROLES = ("case", "activity", "timestamp")
OPTIONAL_ROLES = ("start_timestamp", "resource", "team", "channel", "customer")
ROLES = REQUIRED_ROLES + OPTIONAL_ROLES
TIMESTAMP_ROLES = ("timestamp", "start_timestamp")
#: Roles whose values are identifiers: always text, never parsed as numbers or dates.
IDENTIFIER_ROLES = ("case", "resource", "team", "customer")

#: Header candidates per role, most specific first, compared after normalising (case,
#: spaces and punctuation ignored). The headers of the service systems' own exports
#: (ServiceNow, Jira, Zendesk, Salesforce: EXPORTS.md) come after the generic ones, so
#: that they only fill roles the generic headers leave open. Connectors of other
#: systems add theirs with :func:`add_header_candidates`.
HEADER_CANDIDATES: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case id",
        "case",
        "case number",
        "sr number",
        "sr id",
        "service request",
        "service request id",
        "ticket",
        "ticket id",
        "ticket number",
        "incident",
        "incident id",
        "incident number",
        "request id",
        "request number",
        "application id",
        "claim id",
        "claim number",
        "complaint id",
        "trace id",
        "number",
        "issue key",
        "issue id",
        "documentkey",
        "record id",
        "opportunity id",
    ),
    "activity": (
        "concept:name",
        "activity",
        "activity name",
        "status",
        "event",
        "event name",
        "task",
        "task name",
        "action",
        "step",
        "state",
        "incident state",
        "stage",
        "stage name",
    ),
    "timestamp": (
        "time:timestamp",
        "complete timestamp",
        "timestamp",
        "end timestamp",
        "change date+time",
        "change date time",
        "complete time",
        "completion time",
        "end time",
        "event time",
        "datetime",
        "date time",
        "date",
        "time",
        "sys_updated_on",
        "sys_updated_at",
        "sys_created_on",
        "created date",
        "created at",
        "changed at",
        "updated at",
        "last modified date",
        "updated",
        "created",
    ),
    "start_timestamp": (
        "start_timestamp",
        "start timestamp",
        "start time",
        "start date+time",
        "start",
    ),
    "resource": (
        "org:resource",
        "resource",
        "owner",
        "user",
        "user id",
        "agent",
        "assignee",
        "assigned to",
        "performer",
        "employee",
        "staff",
        "operator",
        "assignee id",
        "responder id",
        "owner id",
        # a service organisation's words for who handles a case
        "handler",
        "handled by",
        "case officer",
        "officer",
        "advisor",
        "adviser",
        "caseworker",
        "case worker",
    ),
    "team": (
        "team",
        "assignment group",
        "org:group",
        "group",
        "support group",
        "queue",
        "workgroup",
        "department",
        "org:role",
        "role",
        "assignment group id",
        "group id",
        "component",
        "components",
    ),
    "channel": (
        "channel",
        "case:channel",
        "contact channel",
        "contact type",
        "medium",
        "origin",
        "via channel",
        "request channel type",
        "channel type",
    ),
    "customer": (
        "customer",
        "customer id",
        "case:customer",
        "customer number",
        "client",
        "client id",
        "account",
        "account id",
        "account number",
        "caller",
        "caller id",
        "requester",
        "requester id",
        "reporter",
        "contact",
        "contact id",
    ),
}


def add_header_candidates(role: str, *headers: str) -> None:
    """Recognise more headers as ``role`` in every later detection, after the ones
    already known (for connectors of other systems, registered by entry point)."""
    if role not in HEADER_CANDIDATES:
        raise ValueError(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
    known = HEADER_CANDIDATES[role]
    HEADER_CANDIDATES[role] = known + tuple(h for h in headers if h not in known)


def _normalise(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", header.lower())


@dataclass(frozen=True)
class Mapping:
    """Which source column plays each role; ``None`` when the role is not mapped.

    ``detected`` names the roles that were found from the headers rather than given.
    """

    case: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    resource: str | None = None
    team: str | None = None
    channel: str | None = None
    customer: str | None = None
    detected: frozenset[str] = field(default=frozenset(), compare=False)
    #: The source columns a composite activity joins (``"Status,Sub Status"``), in order;
    #: empty when the activity is one column.
    activity_parts: tuple[str, ...] = ()

    @property
    def handler_role(self) -> str | None:
        """The role that says who handles an event (MEASURES.md): ``"team"`` when the team
        is mapped, otherwise ``"resource"``, or None when neither is."""
        return "team" if self.team is not None else "resource" if self.resource else None

    def sources(self, role: str) -> tuple[str, ...]:
        """The source columns a mapped role reads (several for a composite activity)."""
        if role == "activity" and self.activity_parts:
            return self.activity_parts
        column = getattr(self, role)
        return () if column is None else (column,)

    def columns(self) -> dict[str, str]:
        """The mapped roles, in role order, as ``{role: source column}``."""
        return {r: c for r in ROLES if (c := getattr(self, r)) is not None}

    def column_named(self, name: str, columns: Sequence[str]) -> str | None:
        """The column of the log (among ``columns``: its roles and attributes) that a
        user's ``name`` means: itself, or the role read from the source column so named
        (``"case_id"`` -> ``"case"``); None when neither.

        Examples
        --------
        >>> m = Mapping(case="case_id", activity="activity", timestamp="time")
        >>> [m.column_named(n, ["case", "activity", "timestamp", "service"])
        ...  for n in ("service", "case_id", "case", "nosuch")]
        ['service', 'case', 'case', None]
        """
        if name in columns:
            return name
        return next((r for r, c in self.columns().items() if c == name and r in columns), None)

    def columns_text(self, columns: Sequence[str]) -> str:
        """The log's ``columns`` as the user knows them, for a message: a role by the
        source column it was read from, with the role after it when the names differ.

        Examples
        --------
        >>> m = Mapping(case="case_id", activity="activity", timestamp="time")
        >>> m.columns_text(["case", "activity", "timestamp", "service"])
        'case_id (case), activity, time (timestamp), service'
        """
        sources = self.columns()
        return ", ".join(
            c if sources.get(c, c) == c else f"{sources[c]} ({c})"
            for c in columns
            if c != "source_row"
        )

    def describe(self) -> str:
        """One line saying which column plays which role, and which were detected.

        Examples
        --------
        >>> Mapping(case="Case ID", activity="Activity", timestamp="Time",
        ...         detected=frozenset({"case"})).describe()
        "case='Case ID' (detected), activity='Activity', timestamp='Time'"
        """
        return ", ".join(
            f"{role}={column!r}" + (" (detected)" if role in self.detected else "")
            for role, column in self.columns().items()
        )


def _taken(missing: list[str], given: dict[str, str], by_norm: dict[str, str]) -> str:
    """Why a role was not detected when the column its name points to was given for
    another role (``--timestamp activity``): the mistake is more likely there.

    Examples
    --------
    >>> _taken(["activity"], {"timestamp": "activity"}, {"activity": "activity"})
    "'activity', the column it would be, is given for the timestamp; "
    """
    said = []
    for role in missing:
        for candidate in HEADER_CANDIDATES[role]:
            found = by_norm.get(_normalise(candidate))
            taken = [r for r, c in given.items() if c == found]
            if found is not None and taken:
                said.append(f"{found!r}, the column it would be, is given for the {taken[0]}; ")
                break
    return "".join(said)


def detect_mapping(
    columns: Iterable[str],
    given: MappingABC[str, str | None] | None = None,
    *,
    source: str = "the source",
) -> Mapping:
    """Complete the roles the user gave with roles detected from the headers.

    Parameters
    ----------
    columns : the source's column names, in order.
    given : roles named by the user, ``{role: column}``; ``None`` values are ignored, and
        an empty name leaves an optional role unmapped (not detected).
    source : how to name the source in error messages.

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        When a given column does not exist, a role name is unknown, one column is given
        two roles, or a required role can be neither found nor detected.

    Examples
    --------
    >>> m = detect_mapping(["Case ID", "Activity", "Complete Timestamp", "Resource"])
    >>> (m.case, m.activity, m.timestamp, m.resource)
    ('Case ID', 'Activity', 'Complete Timestamp', 'Resource')
    >>> detect_mapping(["Case ID", "Activity", "Complete Timestamp", "Resource"],
    ...                {"resource": ""}).resource is None  # left unmapped
    True
    """
    columns = list(columns)
    off = {r for r, c in (given or {}).items() if c is not None and not c.strip()}
    if required := [r for r in REQUIRED_ROLES if r in off]:
        raise MappingError(
            f"{source}: the {required[0]} is required and cannot be left unmapped; name its "
            f"column with {option(required[0], 'COLUMN')}"
        )
    given_roles: dict[str, str] = {
        r: c for r, c in (given or {}).items() if c is not None and r not in off
    }
    unknown = sorted(set(given_roles) - set(ROLES))
    if unknown:
        raise MappingError(f"unknown role {unknown[0]!r}; the roles are: {', '.join(ROLES)}")
    parts = _composite(given_roles.get("activity"), columns, source)
    for role, column in given_roles.items():
        if role == "activity" and parts:
            continue
        if column not in columns:
            raise MappingError(
                f"{source}: column {column!r} (given for {role}) does not exist; "
                f"{_did_you_mean(column, columns)}the columns are: {_list(columns)}",
                role=role,
            )
    used = [c for r, c in given_roles.items() if not (r == "activity" and parts)] + list(parts)
    duplicated = {c for c in used if used.count(c) > 1}
    if duplicated:
        raise MappingError(f"column {sorted(duplicated)[0]!r} is given for two roles")
    chosen: dict[str, str] = dict(given_roles)
    detected: set[str] = set()
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_normalise(column), column)
    for role in ROLES:
        if role in chosen or role in off:
            continue
        for candidate in HEADER_CANDIDATES[role]:
            found = by_norm.get(_normalise(candidate))
            if found is not None and found not in chosen.values() and found not in parts:
                chosen[role] = found
                detected.add(role)
                break
    missing = [r for r in REQUIRED_ROLES if r not in chosen]
    if missing and {"ocel:activity", "ocel:timestamp"} <= set(columns):
        objects = [c for c in columns if c.startswith("ocel:type:")]
        raise MappingError(
            f"{source}: looks like an OCEL 1.0 table (columns 'ocel:activity', "
            f"'ocel:timestamp' and the object columns {_list(objects)}, which hold lists of "
            f"object ids, so no column is a case); {ocel1_advice()}"
        )
    if missing:
        options = " ".join(option(r, "COLUMN") for r in missing)
        raise MappingError(
            f"{source}: cannot tell which column is the {', '.join(missing)}; "
            f"{_taken(missing, given_roles, by_norm)}"
            f"the columns are: {_list(columns)}. Name it with {options}"
        )
    return Mapping(
        case=chosen["case"],
        activity=chosen["activity"],
        timestamp=chosen["timestamp"],
        **{r: chosen.get(r) for r in OPTIONAL_ROLES},
        detected=frozenset(detected),
        activity_parts=parts,
    )


def _composite(activity: str | None, columns: list[str], source: str) -> tuple[str, ...]:
    """The columns of a composite activity: ``"Status,Sub Status"`` names two columns
    (when no column is called that whole). Empty for a one-column activity."""
    if activity is None or activity in columns or "," not in activity:
        return ()
    parts = tuple(p.strip() for p in activity.split(","))
    for part in parts:
        if part not in columns:
            raise MappingError(
                f"{source}: column {part!r} (given for activity, in {activity!r}) does not "
                f"exist; {_did_you_mean(part, columns)}the columns are: {_list(columns)}",
                role="activity",
            )
    return parts


def _list(columns: list[str]) -> str:
    """Every column, quoted: the user needs the one they meant, wherever it is."""
    return ", ".join(repr(c) for c in columns)


def _did_you_mean(column: str, columns: list[str]) -> str:
    """ "did you mean 'workgroup'? " when a column differs from the one given only in
    case or in the blanks around it; else nothing.

    Examples
    --------
    >>> _did_you_mean("Workgroup", ["Case ID", "workgroup"])
    "did you mean 'workgroup'? "
    >>> _did_you_mean("team", ["Case ID", "workgroup"])
    ''
    """
    key = column.strip().casefold()
    near = [c for c in columns if c.strip().casefold() == key]
    return f"did you mean {near[0]!r}? " if len(near) == 1 else ""
