"""How to read a source, apart from its roles: :class:`ReadOptions`, the values that
mean "not recorded" (:data:`DEFAULT_MISSING_VALUES`) and the time zone check.

Each option is defined once here and offered everywhere from its definition: as a
keyword of :func:`~journeymap.reader.read_log`, a key of the config file's ``[read]``
(or ``[mapping]``) section, and a command-line option.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass, field, fields
from typing import Any

from journeymap.errors import ConfigError, MappingError, option

__all__ = ["DEFAULT_MISSING_VALUES", "PLACEHOLDER_ROLES", "ReadOptions", "check_timezone"]


@functools.cache
def _zones() -> frozenset[str]:
    """The IANA zone names (read from the system once: a run checks its zone thrice)."""
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise :class:`MappingError`.

    Examples
    --------
    >>> check_timezone("Europe/London")
    'Europe/London'
    """
    if name in ("UTC", "utc"):
        return "UTC"
    if name not in _zones():
        raise MappingError(
            f"unknown time zone {name!r}; give an IANA name such as Europe/London, "
            "Europe/Amsterdam, America/New_York or UTC"
        )
    return name


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
#: log's org:group "EMPTY"), and Salesforce's empty picklist value "--None--".
DEFAULT_MISSING_VALUES = (
    "?", "-", "--", "n/a", "na", "#n/a", "null", "nil", "none", "nan", "unknown",
    "undefined", "missing", "unassigned", "not assigned",
    "empty", "(empty)", "blank", "(blank)", "--none--",
)  # fmt: skip
#: The roles whose placeholder values are missing (identifiers of handlers and people).
PLACEHOLDER_ROLES = ("resource", "team", "channel", "customer")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source, independent of the roles.

    Each field is offered once and everywhere from here: as a keyword of
    :func:`~journeymap.reader.read_log`, a key of the config file's ``[read]`` (or
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
    end_activities : the activities that finish a case (``Closed``, ``Resolved``): a case
        whose last event is none of them was still open when the log was exported, and
        its time so far is no end-to-end time. ``None`` (the default) takes every case as
        finished; a system's export names its own (its closing statuses).
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
    end_activities: tuple[str, ...] | None = _read_option(
        None,
        "Activities that finish a case, comma-separated, e.g. 'Closed,Resolved': cases "
        "whose last event is none of them are still open and left out of end-to-end "
        "times (a system's export names its own).",
        section="mapping",
        metavar="LIST",
    )

    def __post_init__(self) -> None:
        for name in ("missing_values", "extra_missing_values", "end_activities"):
            value = getattr(self, name)
            if isinstance(value, str):  # "?,n/a" given as one text
                object.__setattr__(self, name, tuple(v for v in value.split(",") if v.strip()))
            elif isinstance(value, list):  # as the library's callers write lists
                object.__setattr__(self, name, tuple(value))
        if self.sep is not None and self.sep not in ("\\t", "tab") and len(self.sep) != 1:
            raise ConfigError(
                f"{option('sep', self.sep)}: the delimiter must be one character, such as "
                "',', ';', '|' or tab"
            )
        if self.timezone not in ("UTC", "utc"):  # said when the file is checked, not later
            try:
                check_timezone(self.timezone)
            except MappingError as exc:
                raise ConfigError(str(exc)) from exc
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
