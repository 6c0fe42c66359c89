"""Roles, the mapping of source columns onto them, and their detection.

A *role* is one of the canonical columns of shared/MEASURES.md (case, activity,
timestamp, ...). A :class:`Mapping` says which source column plays each role. Roles the
user does not name are detected from the column headers: XES standard keys first, then
common export headers ("Case ID", "SR Number", "Status", "Complete Timestamp",
"Assignment group", ...).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, fields
from typing import Any

from journeymap.errors import MappingError, option

__all__ = [
    "DEFAULT_MISSING_VALUES",
    "HEADER_CANDIDATES",
    "IDENTIFIER_ROLES",
    "OPTIONAL_ROLES",
    "PLACEHOLDER_ROLES",
    "REQUIRED_ROLES",
    "ROLES",
    "TIMESTAMP_ROLES",
    "Mapping",
    "ReadOptions",
    "add_header_candidates",
    "check_timezone",
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


def check_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise :class:`MappingError`.

    Examples
    --------
    >>> check_timezone("Europe/London")
    'Europe/London'
    """
    if name in ("UTC", "utc"):
        return "UTC"
    if name not in zoneinfo.available_timezones():
        raise MappingError(
            f"unknown time zone {name!r}; give an IANA name such as Europe/London, "
            "Europe/Amsterdam, America/New_York or UTC"
        )
    return name


def _normalise(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", header.lower())


def _read_option(
    default: Any,
    help: str,
    *,
    section: str = "read",
    metavar: str = "",
    choices: tuple[str, ...] = (),
) -> Any:
    """A field of :class:`ReadOptions`, with what the config file and the command line
    need to offer it: its ``[section]``, its help text, and its choices if any. A tuple
    field is given on the command line as a comma-separated list."""
    return field(
        default=default,
        metadata={"section": section, "help": help, "metavar": metavar, "choices": choices},
    )


#: Values that mean "not recorded" in the optional roles, compared after trimming and
#: ignoring case; an empty value is missing too. MEASURES.md's list, and "empty" and
#: "blank" (with or without brackets), which public exports write too (the receipt
#: log's org:group "EMPTY").
DEFAULT_MISSING_VALUES = (
    "?", "-", "--", "n/a", "na", "#n/a", "null", "nil", "none", "nan", "unknown",
    "undefined", "missing", "unassigned", "not assigned",
    "empty", "(empty)", "blank", "(blank)",
)  # fmt: skip
#: The roles whose placeholder values are missing (identifiers of handlers and people).
PLACEHOLDER_ROLES = ("resource", "team", "channel", "customer")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source, independent of the roles.

    Each field is offered once and everywhere from here: as a keyword of
    :func:`~journeymap.eventlog.read_log`, a key of the config file's ``[read]`` (or
    ``[mapping]``) section, and a command-line option.

    Attributes
    ----------
    connector : the reader to use by name; ``None`` chooses by file suffix or URL scheme.
    sep : CSV delimiter; ``None`` lets the reader detect it.
    encoding : text encoding of CSV files (``utf-8`` by default).
    sheet : Excel sheet name or 1-based number; ``None`` reads the first sheet.
    table, query : what to read from a SQL database (exactly one of them).
    timestamp_format : strptime format of the timestamp columns; ``None`` detects it.
    timezone : IANA zone assumed for timestamps that carry no UTC offset.
    strict : turn any rejected row into a :class:`~journeymap.errors.RejectedRowsError`.
    missing_values : the values that mean "not recorded" in the optional roles (resource,
        team, channel, customer), replacing :data:`DEFAULT_MISSING_VALUES`;
        ``extra_missing_values`` adds to them. Compared after trimming, ignoring case.
    collapse_repeats : "yes" collapses consecutive events of a case with the same
        activity and handler into the first (snapshot and audit exports write a row on
        every update); "no" keeps them; "auto" (the default) collapses when the log looks
        like such an export, and says so.
    activity_sep : what joins the columns of a composite activity (``Status,Sub Status``).
    object_type : the object type whose objects are the cases of an OCEL 2.0 log (the
        others become attributes); ``None`` lets the reader choose and say why.
    """

    connector: str | None = _read_option(None, "Reader to use (see `connectors`).", metavar="NAME")
    sep: str | None = _read_option(None, "CSV delimiter, e.g. ';' or '\\t'.", metavar="CHAR")
    encoding: str | None = _read_option(None, "Text encoding (default utf-8).", metavar="NAME")
    sheet: str | None = _read_option(None, "Excel sheet name or number.", metavar="NAME")
    table: str | None = _read_option(None, "Database table to read (SQL URLs).", metavar="NAME")
    query: str | None = _read_option(None, "Query to read (SQL URLs).", metavar="SQL")
    timestamp_format: str | None = _read_option(
        None,
        "strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M' (detected if not given).",
        section="mapping",
        metavar="FORMAT",
    )
    timezone: str = _read_option(
        "UTC",
        "IANA zone for timestamps with no UTC offset (default UTC), e.g. Europe/London.",
        section="mapping",
        metavar="ZONE",
    )
    strict: bool = _read_option(False, "Fail if any row is rejected.")
    missing_values: tuple[str, ...] | None = _read_option(
        None,
        "Values meaning 'not recorded' in resource, team, channel and customer, comma-"
        "separated (default: ?, -, n/a, null, none, unknown, undefined, missing, ...).",
        metavar="LIST",
    )
    extra_missing_values: tuple[str, ...] = _read_option(
        (), "More values meaning 'not recorded', comma-separated.", metavar="LIST"
    )
    collapse_repeats: str | bool = _read_option(
        "auto",
        "Collapse consecutive events of a case with the same activity and handler into "
        "the first: yes, no, or auto (when the log looks like a snapshot export).",
        choices=("auto", "yes", "no"),
    )
    activity_sep: str = _read_option(
        " - ",
        "What joins the columns of a composite activity such as --activity 'Status,Sub "
        "Status' (default ' - ').",
        section="mapping",
        metavar="TEXT",
    )
    object_type: str | None = _read_option(
        None,
        "OCEL 2.0 logs: the object type whose objects are the cases, e.g. Customer "
        "(default: chosen and said by inspect).",
        metavar="TYPE",
    )

    def __post_init__(self) -> None:
        for name in ("missing_values", "extra_missing_values"):
            value = getattr(self, name)
            if isinstance(value, str):  # "?,n/a" given as one text
                object.__setattr__(self, name, tuple(v for v in value.split(",") if v.strip()))
        repeats = self.collapse_repeats
        if isinstance(repeats, bool):  # a config file may say true / false
            object.__setattr__(self, "collapse_repeats", "yes" if repeats else "no")
        elif repeats not in ("auto", "yes", "no"):
            raise MappingError(f"collapse_repeats must be auto, yes or no, not {repeats!r}")

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The missing-value tokens in force, lower case."""
        base = DEFAULT_MISSING_VALUES if self.missing_values is None else self.missing_values
        return tuple(dict.fromkeys(v.strip().lower() for v in (*base, *self.extra_missing_values)))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, in field order."""
        return tuple(f.name for f in fields(cls))


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
    given : roles named by the user, ``{role: column}``; ``None`` values are ignored.
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
    """
    columns = list(columns)
    given_roles: dict[str, str] = {r: c for r, c in (given or {}).items() if c is not None}
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
                f"the columns are: {_list(columns)}"
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
        if role in chosen:
            continue
        for candidate in HEADER_CANDIDATES[role]:
            found = by_norm.get(_normalise(candidate))
            if found is not None and found not in chosen.values() and found not in parts:
                chosen[role] = found
                detected.add(role)
                break
    missing = [r for r in REQUIRED_ROLES if r not in chosen]
    if missing:
        options = " ".join(option(r, "COLUMN") for r in missing)
        raise MappingError(
            f"{source}: cannot tell which column is the {', '.join(missing)}; "
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
                f"exist; the columns are: {_list(columns)}"
            )
    return parts


def _list(columns: list[str]) -> str:
    """Every column, quoted: the user needs the one they meant, wherever it is."""
    return ", ".join(repr(c) for c in columns)
