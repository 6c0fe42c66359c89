"""The rules that tell failure demand from value demand (set by the ``[demand]`` section
of the config file, see :mod:`journeymap.options`).

See :mod:`journeymap.analysis.demand` for the definitions (shared/MEASURES.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journeymap.errors import ConfigError

__all__ = [
    "ACCOUNT_CASES",
    "DEFAULT_FAILURE_ACTIVITIES",
    "DEFAULT_REPEAT_CONTACT_DAYS",
    "GROUP_CHANGE",
    "SUSPICIOUS_SHARE",
    "AttributeRule",
    "DemandRules",
    "check_pattern",
    "rules_from_config",
]

#: The activity a system's reader makes of a change of team alone, before the team's
#: name ("Assigned to group Complaints"): a failure pattern that matches it matched the
#: group's name, not a contact of the customer's.
GROUP_CHANGE = "Assigned to group "

#: The words and phrases that name failure demand in an activity (MEASURES.md). Words
#: that also name ordinary steps ("In Progress", "Escalate", "Follow up") are not among
#: them: a user who knows they are failure demand in their service adds them.
DEFAULT_FAILURE_ACTIVITIES = (
    "chase", "chaser", "chasing", "progress chase", "progress call", "progress check",
    "progress enquiry", "progress request", "status request", "status enquiry", "where is",
    "complain", "complaint", "complaints", "reopen", "reopened", "re-open", "re-opened",
    "repeat contact", "repeat call",
)  # fmt: skip
#: When one rule matches more than this share of the cases, it is more likely a naming
#: accident than a finding, and journeymap warns (MEASURES.md).
SUSPICIOUS_SHARE = 0.5
#: Customers with this many cases each, on average, are more likely accounts or
#: organisations than people: repeat contact is then noted as doubtful.
ACCOUNT_CASES = 5
DEFAULT_REPEAT_CONTACT_DAYS = 14
_BUILT_IN = ("failure_activity", "repeat_contact", "value")
_RULE_KEYS = ("name", "column", "equals", "matches")


@dataclass(frozen=True)
class AttributeRule:
    """A failure rule on an event column: the case has an event whose ``column``
    equals ``equals`` exactly, or matches the regular expression ``matches``
    (case-insensitive search)."""

    name: str
    column: str
    equals: str | None = None
    matches: str | None = None


@dataclass(frozen=True)
class DemandRules:
    """The failure-demand rules, defaults of MEASURES.md unless changed::

        [demand]
        failure_activities = ["chase", "complain"]  # replaces the default patterns
        extra_failure_activities = ["missed"]       # extends them
        repeat_contact_days = 14                    # 0 switches the rule off
        [[demand.rule]]                             # attribute rules, in order
        name = "complaint_channel"
        column = "channel"
        equals = "complaint"                        # or: matches = "^compl"

    Patterns match whole words and phrases of the activity's name, ignoring case: "chase"
    matches "Chase customer" and "Customer chase" but not "Purchase". A pattern may be a
    regular expression (RE2 on DuckDB, PostgreSQL's on postgres, Java's on Spark; Python
    checks its syntax); it must then match whole words too (``chas(e|er)``).
    :meth:`whole_word` gives the expression that is searched.
    ``repeat_contact_days=None`` means the default (14 days) and skips the rule, with a
    note, when no customer is mapped; a number asked for explicitly requires a customer.
    0 switches the rule off. ``source`` names where the rules came from (the config
    file) in error messages.

    Raises
    ------
    ConfigError
        A pattern is not a valid regular expression, the days are negative, or an
        attribute rule is malformed. The message names the key and the file.

    Examples
    --------
    >>> DemandRules().repeat_days
    14
    >>> DemandRules(failure_activities=("chase(",))
    Traceback (most recent call last):
    ...
    journeymap.errors.ConfigError: demand rules: demand.failure_activities: 'chase(' is ...
    """

    failure_activities: tuple[str, ...] = DEFAULT_FAILURE_ACTIVITIES
    repeat_contact_days: int | None = None
    attribute_rules: tuple[AttributeRule, ...] = ()
    source: str = "demand rules"

    def __post_init__(self) -> None:
        for pattern in self.failure_activities:
            check_pattern(pattern, "demand.failure_activities", self.source)
        if self.repeat_contact_days is not None and self.repeat_contact_days < 0:
            raise ConfigError(
                f"{self.source}: demand.repeat_contact_days must be 0 (off) or more, "
                f"not {self.repeat_contact_days}"
            )
        names = set(_BUILT_IN)
        for i, rule in enumerate(self.attribute_rules, 1):
            where = f"{self.source}: demand.rule[{i}]"
            if rule.name in names:
                raise ConfigError(f"{where}.name: {rule.name!r} is already a rule name")
            names.add(rule.name)
            if (rule.equals is None) == (rule.matches is None):
                raise ConfigError(f"{where}: give exactly one of 'equals' or 'matches'")
            if rule.matches is not None:
                check_pattern(rule.matches, f"demand.rule[{i}].matches", self.source)

    @property
    def repeat_days(self) -> int:
        """The repeat-contact window in days (0: rule off)."""
        days = self.repeat_contact_days
        return DEFAULT_REPEAT_CONTACT_DAYS if days is None else days

    @staticmethod
    def whole_word(pattern: str) -> str:
        """The regular expression searched for a failure-activity pattern: the pattern as
        a whole word or phrase (word boundaries around it), case-insensitive flags left
        to the engine.

        Examples
        --------
        >>> print(DemandRules.whole_word("re-open"))
        \\b(?:re-open)\\b
        """
        return rf"\b(?:{pattern})\b"

    @property
    def names(self) -> tuple[str, ...]:
        """Rule names in evaluation order (all that can apply), then ``value``."""
        custom = tuple(r.name for r in self.attribute_rules)
        return ("failure_activity", "repeat_contact", *custom, "value")


def check_pattern(pattern: str, key: str, source: str) -> None:
    """Raise :class:`ConfigError` naming ``key`` and ``source`` when ``pattern`` is not a
    valid regular expression."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"{source}: {key}: {pattern!r} is not a valid regular expression ({exc})"
        ) from exc


def rules_from_config(section: dict[str, Any], source: str = "configuration") -> DemandRules:
    """The failure-demand rules of a config file's ``[demand]`` section (defaults for
    what it omits).

    Examples
    --------
    >>> rules_from_config({"extra_failure_activities": ("missed",)}).failure_activities[-2:]
    ('repeat call', 'missed')
    """
    patterns = tuple(section.get("failure_activities", DEFAULT_FAILURE_ACTIVITIES))
    extra = tuple(section.get("extra_failure_activities", ()))
    for key, given in (("failure_activities", patterns), ("extra_failure_activities", extra)):
        for pattern in given:
            check_pattern(pattern, f"demand.{key}", source)  # name the key given
    rules = []
    for i, table in enumerate(section.get("rule", []), 1):
        where = f"{source}: demand.rule[{i}]"
        for key, value in table.items():
            if key not in _RULE_KEYS:
                takes = ", ".join(_RULE_KEYS)
                raise ConfigError(f"{where}: unknown key {key!r}; it takes: {takes}")
            if not isinstance(value, str):
                raise ConfigError(f"{where}.{key} must be a string, not {value!r}")
        if "name" not in table or "column" not in table:
            raise ConfigError(f"{where} needs a 'name' and a 'column'")
        rules.append(AttributeRule(**table))
    days = section.get("repeat_contact_days")
    return DemandRules(patterns + extra, days, tuple(rules), source)
