"""Value and failure demand (Vanguard): what customers ask for, and what they ask for
again because something was not done, or not done right.

Definitions (shared/MEASURES.md, "Demand"):

- Each case is one demand. It is failure demand when any failure rule matches,
  otherwise value demand. Its ``demand_type`` is the name of the first matching rule,
  or ``value``.
- Rules, in this order: ``failure_activity``: the case contains an activity whose name
  matches (case-insensitive) one of the failure patterns; ``repeat_contact`` (only with
  a customer mapped): the case starts within 14 days after the end of an earlier case
  of the same customer; then the user's attribute rules, in the order of the file.
- failure_demand_pct = failure-demand cases / cases * 100.

A case starts at its first timestamp and ends at its last; its customer is the smallest
customer id on its events. An earlier case is another case of the customer that ends at
or before this one starts (a case ending at the very instant another starts counts);
"within N days" includes exactly N days. Overlapping cases are not repeat contacts.

Failure demand found in a log is a hypothesis to check by listening to real demand,
never a verdict. The rules come from the ``[demand]`` section (see :class:`DemandRules`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from journeymap.analysis.journeys import case_contacts_expr, case_customer
from journeymap.demand_rules import (
    ACCOUNT_CASES,
    DEFAULT_FAILURE_ACTIVITIES,
    DEFAULT_REPEAT_CONTACT_DAYS,
    SUSPICIOUS_SHARE,
    AttributeRule,
    DemandRules,
)
from journeymap.discovery.activities import activity_names_expr
from journeymap.discovery.portable import count_where
from journeymap.discovery.times import case_times_expr, seconds_between
from journeymap.errors import ConfigError, MappingError, option
from journeymap.eventlog import EventLog

__all__ = [
    "ACCOUNTS_DOUBT",
    "DEFAULT_FAILURE_ACTIVITIES",
    "DEFAULT_REPEAT_CONTACT_DAYS",
    "DOUBTS",
    "NONE_FOUND",
    "AttributeRule",
    "DemandRules",
    "case_customer",
    "customer_guessed_as_accounts",
    "demand",
    "demand_expr",
    "demand_notes",
    "demand_summary",
    "matching_activities",
]


#: How the notes of :func:`demand_summary` that put the failure-demand figure in doubt
#: begin: a rule that fires on most cases, a customer column that names accounts
#: (:data:`ACCOUNTS_DOUBT`), rules that find no failure demand at all (:data:`NONE_FOUND`).
ACCOUNTS_DOUBT = "repeat contact:"
NONE_FOUND = "no failure demand found by the rules:"
DOUBTS = ("rule ", ACCOUNTS_DOUBT, NONE_FOUND)


def _active(log: EventLog, rules: DemandRules) -> tuple[bool, list[str]]:
    """Whether the repeat-contact rule applies, and notes on skipped rules."""
    if rules.repeat_days == 0:
        return False, []
    if log.has("customer"):
        spread = customer_guessed_as_accounts(log, rules)
        if spread is not None:
            # Found by its name, and naming accounts more likely than people: a repeat
            # contact it gives would be a headline on a guess. Asked for, it is counted.
            known, customers = spread
            column = log.mapping.columns()["customer"]
            return False, [
                f"repeat_contact rule skipped: the customer column {column!r} was detected "
                f"by its name, not mapped, and gives {known / customers:.1f} cases per "
                f"customer ({known:,} cases, {customers:,} customers), more like accounts "
                "than people, so neither repeat contacts nor customer journeys are drawn "
                f"from it; map it ({option('customer', column)}) or set [demand] "
                "repeat_contact_days to count them"
            ]
        return True, []
    if rules.repeat_contact_days is not None:
        raise MappingError(
            f"{rules.source}: demand.repeat_contact_days asks for repeat contacts, which "
            f"need the customer role; map it ({option('customer', 'COLUMN')}), or set "
            "repeat_contact_days = 0"
        )
    return False, ["repeat_contact rule skipped: no customer role is mapped (--customer)"]


def demand_notes(log: EventLog, rules: DemandRules | None = None) -> list[str]:
    """Notes on default rules skipped for this log (repeat contact without a customer).

    Raises
    ------
    MappingError
        ``repeat_contact_days`` was set explicitly but no customer is mapped.
    """
    return _active(log, rules or DemandRules())[1]


def _case_customers(log: EventLog) -> Any:
    times = case_times_expr(log)
    contacts = case_contacts_expr(log)
    return times.join(contacts, "case").select("case", "customer", "start", "end")


def demand_expr(log: EventLog, rules: DemandRules | None = None) -> Any:
    """Ibis table, one row per case: ``case``, ``demand_type``, ``failure``, ``start``,
    ``end``, and ``matches_<rule>`` for each rule that can apply (whether the rule
    matches the case, also where an earlier rule named it); computed once per log and
    rules (the tables, summaries and flow measures all read it). See :func:`demand`.

    Raises
    ------
    ConfigError
        An attribute rule names a column the log does not have, or a pattern the
        engine cannot run.
    MappingError
        ``repeat_contact_days`` was set explicitly but no customer is mapped.
    """
    rules = rules or DemandRules()
    # DemandRules is frozen and hashable: one derived table per set of rules.
    return log.derived(f"demand_{abs(hash(rules)):x}", lambda: _demand_expr(log, rules))


def _demand_expr(log: EventLog, rules: DemandRules) -> Any:
    """The per-case demand expression (see :func:`demand_expr`)."""
    import ibis

    repeat, _ = _active(log, rules)
    t = log.table
    patterns = (*rules.failure_activities, *(r.matches for r in rules.attribute_rules))
    _check_on_engine(log, [p for p in patterns if p is not None], rules.source)
    # Per event, whether it fires each rule (None: a rule no event can fire).
    fires: dict[str, Any] = {}
    if rules.failure_activities:
        matching = matching_activities(log, rules.failure_activities)
        fires["failure_activity"] = t.activity.isin(matching) if matching else None
    for i, rule in enumerate(rules.attribute_rules, 1):
        named = log.mapping.column_named(rule.column, t.columns)
        if named is None:
            raise ConfigError(
                f"{rules.source}: demand.rule[{i}].column: the log has no column "
                f"{rule.column!r}; its columns are: {log.mapping.columns_text(t.columns)}"
            )
        column = t[named].cast("string")
        if rule.matches is None:
            hit = column == rule.equals
        else:
            hit = column.re_search(log.engine.case_insensitive(rule.matches))
        fires[rule.name] = hit.fill_null(False)
    times = case_times_expr(log).select("case", "start", "end")
    per_case = times
    # The cases an event fires a rule in: the events that fire one, then grouped by case
    # (a few in a hundred, where grouping every event by case took four times as long).
    firing = {name: fire for name, fire in fires.items() if fire is not None}
    if firing:
        fired = t.filter(ibis.or_(*firing.values()))
        found = fired.group_by("case").aggregate(**{n: f.any() for n, f in firing.items()})
        per_case = per_case.left_join(found, "case").drop("case_right")
    per_case = per_case.mutate(
        **{name: ibis.literal(False) for name, fire in fires.items() if fire is None}
    )
    flags = set(fires)  # the rules that can name a case's demand type
    if repeat:
        # The cases, with their customer (the log's per-case contacts), in pairs of one
        # customer's cases where one starts within the window after the other ended.
        c = times.join(case_contacts_expr(log).select("case", "customer"), "case")
        prev = c.select(prev_case=c.case, prev_customer=c.customer, prev_end=c.end)
        pairs = c.join(
            prev,
            [
                c.customer == prev.prev_customer,
                c.case != prev.prev_case,
                prev.prev_end <= c.start,
                seconds_between(c.start, prev.prev_end) <= rules.repeat_days * 86400.0,
            ],
        )
        hits = pairs.select("case").distinct().mutate(repeat_contact=ibis.literal(True))
        per_case = per_case.left_join(hits, "case").drop("case_right")
        flags.add("repeat_contact")
    order = [name for name in rules.names if name in flags]
    branches = [(per_case[name].fill_null(False), name) for name in order]
    demand_type = ibis.cases(*branches, else_="value") if branches else ibis.literal("value")
    return per_case.select(
        "case",
        demand_type=demand_type,
        failure=demand_type != "value",
        start=per_case.start,
        end=per_case.end,
        **{f"matches_{name}": per_case[name].fill_null(False) for name in order},
    )


def matching_activities(log: EventLog, patterns: tuple[str, ...]) -> list[str]:
    """The log's activities whose name holds one of ``patterns`` as a whole word or
    phrase, ignoring case (:meth:`DemandRules.whole_word`; the engine's regular
    expressions), matched on the engine over the distinct names rather than on every
    event; sorted by code point.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2"], "activity": ["Call", "Chaser call", "Purchase"],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]}))
    >>> matching_activities(log, ("chaser", "chase"))
    ['Chaser call']
    """
    if not patterns:
        return []
    joined = "|".join(DemandRules.whole_word(p) for p in patterns)
    # Kept: each rule's patterns are matched against the same names.
    names = activity_names_expr(log)
    pattern = log.engine.case_insensitive(joined)
    found = log.engine.fetch(names.filter(names.activity.re_search(pattern)))
    return sorted(str(a) for a in found["activity"])


def _check_on_engine(log: EventLog, patterns: list[str], source: str) -> None:
    """Raise :class:`ConfigError` for the first of ``patterns`` the engine cannot run.
    Python's ``re`` checked their syntax; an engine's own (RE2, Java) lacks some of it
    (look-arounds). All are tried in one query; one by one only when that fails."""
    import ibis

    def tried(group: list[str]) -> Any:
        checks = {f"p{i}": ibis.literal("").re_search(p) for i, p in enumerate(group)}
        return log.engine.scalar(ibis.struct(checks))

    if not patterns:
        return
    try:
        tried(patterns)
        return
    except Exception:  # each engine raises its own error types; find the pattern
        pass
    for pattern in patterns:
        try:
            tried([pattern])
        except Exception as exc:
            raise ConfigError(
                f"{source}: {pattern!r} is not a regular expression the engine can run ({exc})"
            ) from exc


def demand(log: EventLog, rules: DemandRules | None = None) -> pd.DataFrame:
    """Demand per case: ``case``, ``demand_type``, ``failure`` (bool), ``start``,
    ``end`` (UTC) and ``matches_<rule>`` (see :func:`demand_expr`), sorted by case id.
    Notes on skipped rules are in ``.attrs["notes"]``.

    Raises
    ------
    ConfigError, MappingError
        See :func:`demand_expr`.

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2", "2", "3"],
    ...     "activity": ["Call", "Progress CHASE", "Call", "Fix", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-10 09:00",
    ...                   "2024-01-11 09:00", "2024-02-01 09:00"],
    ...     "customer": ["C1", "C1", "C1", "C1", "C1"]}))
    >>> demand(log)[["case", "demand_type", "failure"]]
      case     demand_type  failure
    0    1  failure_activity     True
    1    2    repeat_contact     True
    2    3           value    False
    """
    rules = rules or DemandRules()
    _, notes = _active(log, rules)
    frame = log.engine.fetch(demand_expr(log, rules))
    frame = frame.sort_values("case", kind="stable", ignore_index=True)
    frame["case"] = frame["case"].astype(str)
    frame["failure"] = frame["failure"].astype(bool)
    frame.attrs["notes"] = notes
    return frame


def demand_summary(log: EventLog, rules: DemandRules | None = None) -> dict[str, Any]:
    """Demand over the whole log: ``cases``, ``failure_cases``, ``failure_demand_pct``
    (failure-demand cases / cases * 100), ``by_type`` ({demand_type: cases}, every rule
    that can apply, in rule order, then ``value``), ``rule_cases`` ({rule: the cases it
    matches}, also where an earlier rule named the case) and ``notes`` (a rule skipped; a
    rule matching more than half of the cases, :data:`SUSPICIOUS_SHARE`).

    Examples
    --------
    >>> from journeymap import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case": ["1", "1", "2"], "activity": ["Call", "Complaint", "Call"],
    ...     "timestamp": ["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-03 09:00"]}))
    >>> demand_summary(log)  # doctest: +NORMALIZE_WHITESPACE
    {'cases': 2, 'failure_cases': 1, 'failure_demand_pct': 50.0,
     'by_type': {'failure_activity': 1, 'value': 1}, 'rule_cases': {'failure_activity': 1},
     'notes': ['repeat_contact rule skipped: no customer role is mapped (--customer)']}
    """
    rules = rules or DemandRules()
    repeat, notes = _active(log, rules)
    d = demand_expr(log, rules)
    counts = log.engine.fetch(d.group_by("demand_type").aggregate(cases=d.count()))
    found = {str(k): int(v) for k, v in zip(counts["demand_type"], counts["cases"], strict=True)}
    names = [n for n in rules.names if (n != "repeat_contact" or repeat)]
    if not rules.failure_activities:
        names.remove("failure_activity")
    flags = [c.removeprefix("matches_") for c in d.columns if c.startswith("matches_")]
    matched = {name: 0 for name in flags}
    if flags:
        row = log.engine.fetch(
            d.aggregate(**{name: count_where(d, d[f"matches_{name}"]) for name in flags})
        ).iloc[0]
        matched = {name: int(row[name] or 0) for name in flags}
    cases = sum(found.values())
    failure = cases - found.get("value", 0)
    for name, n in matched.items():
        if cases and n > SUSPICIOUS_SHARE * cases:
            notes.append(
                f"rule {name!r} matches {n:,} of {cases:,} cases ({100 * n / cases:.1f}%): "
                "a rule that fires on most demand is more likely a naming accident than a "
                "finding; check which activities it matched and change the [demand] rules"
            )
    notes += _unmatched_patterns(log, rules)
    if repeat and matched.get("repeat_contact"):
        notes += _account_note(log, rules, matched["repeat_contact"], cases)
    if cases and not failure:
        notes.append(_none_found(rules, repeat, accounts=not repeat and log.has("customer")))
    return {
        "cases": cases,
        "failure_cases": failure,
        "failure_demand_pct": 100 * failure / cases if cases else 0.0,
        "by_type": {name: found.get(name, 0) for name in names},
        "rule_cases": matched,
        "notes": notes,
    }


def _unmatched_patterns(log: EventLog, rules: DemandRules) -> list[str]:
    """A note (a doubt: it starts ``rule ``) for each failure pattern the user gave, not
    one of the defaults, that matches no activity of the log (a misspelt step, or
    another service's name): it marks no case, and the failure-demand share leaves out
    what the user meant it to count."""
    given = [p for p in rules.failure_activities if p not in DEFAULT_FAILURE_ACTIVITIES]
    return [
        f"rule 'failure_activity': the pattern {p!r}, given in the config, matches no "
        "activity of this log (as a whole word, ignoring case), so it marks no case as "
        "failure demand; check it in [demand] failure_activities or extra_failure_activities"
        for p in given
        if not matching_activities(log, (p,))
    ]


def _none_found(rules: DemandRules, repeat: bool, *, accounts: bool = False) -> str:
    """The note for rules that find no failure demand: 0% is what the rules saw, not a
    finding that the service has none (activity names seldom say "chaser"). ``accounts``:
    the repeat-contact rule was skipped for a detected customer column of accounts.

    Examples
    --------
    >>> _none_found(DemandRules(), repeat=False)  # doctest: +NORMALIZE_WHITESPACE
    "no failure demand found by the rules: no activity's name has a failure word (chase,
    chaser, chasing, progress chase, ...) and no customer is mapped for repeat contacts.
    That is what the rules saw, not a finding that there is none: name this service's
    failure activities in the config ([demand] extra_failure_activities), and check by
    listening to demand"
    """
    seen = []
    if rules.failure_activities:
        words = ", ".join(rules.failure_activities[:4])
        more = ", ..." if len(rules.failure_activities) > 4 else ""
        seen.append(f"no activity's name has a failure word ({words}{more})")
    if rules.attribute_rules:
        seen.append("no attribute rule matches")
    if repeat:
        seen.append(f"no customer came back within {rules.repeat_days} days")
    elif rules.repeat_days and accounts:  # a customer column detected, of accounts
        seen.append("repeat contacts were not counted (see the note on them)")
    elif rules.repeat_days:
        seen.append("no customer is mapped for repeat contacts")
    return (
        f"{NONE_FOUND} {_and(seen) or 'no rule applies'}. "
        "That is what the rules saw, not a finding that there is none: name this service's "
        "failure activities in the config ([demand] extra_failure_activities), and check "
        "by listening to demand"
    )


def _and(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def customer_guessed_as_accounts(log: EventLog, rules: DemandRules) -> tuple[int, int] | None:
    """The cases with a known customer and the customers (see :func:`_accounts`) when
    the customer column was only detected by its name, the rules do not ask for repeat
    contacts (``repeat_contact_days`` unset), and it gives so many cases per customer
    that it more likely names accounts than people: then neither repeat contacts nor
    customer journeys are drawn from it. None otherwise."""
    if "customer" not in log.mapping.detected or rules.repeat_contact_days is not None:
        return None
    return _accounts(log)


def _accounts(log: EventLog) -> tuple[int, int] | None:
    """The cases with a known customer and the customers, when there are
    :data:`~journeymap.demand_rules.ACCOUNT_CASES` cases or more per customer: a
    customer column of accounts or organisations more likely than people. None
    otherwise. Counted once per log."""

    def spread() -> Any:
        per_case = _case_customers(log)
        return per_case.aggregate(
            customers=per_case.customer.nunique(), known=per_case.customer.count()
        )

    counts = log.derived("customer_spread", spread)
    row = log.engine.fetch(counts).iloc[0]
    customers, known = int(row["customers"] or 0), int(row["known"] or 0)
    if not customers or known < ACCOUNT_CASES * customers:
        return None
    return known, customers


def _account_note(log: EventLog, rules: DemandRules, repeats: int, cases: int) -> list[str]:
    """A note when the customer column looks like accounts rather than people: so many
    cases per customer that a new case within the window is likely a new request."""
    spread = _accounts(log)
    if spread is None:
        return []
    known, customers = spread
    column = log.mapping.columns().get("customer", "customer")
    # A column taken for the customer from its name alone, its rule asked for all the same.
    how = " (detected by its name, not mapped)" if "customer" in log.mapping.detected else ""
    return [
        f"{ACCOUNTS_DOUBT} {repeats:,} of {cases:,} cases are counted as repeat contacts, but "
        f"the customer column {column!r}{how} gives {known / customers:.1f} cases per "
        f"customer ({known:,} cases, {customers:,} customers): if it names accounts or "
        "organisations rather than people, a new case within the window is a new request, "
        "not failure demand, and the one-stop and clean shares, which leave failure demand "
        "out, are too low; then set [demand] repeat_contact_days = 0"
    ]
