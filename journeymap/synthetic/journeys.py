"""The designed journey of each request type of the synthetic service, as journey
templates (the TOML values of ``[[template]]`` tables).

A request starts with a contact (any of the five intakes), may be acknowledged, and is
then either resolved at first contact by its first-contact step (for the request types
that have one) or logged, assessed and worked in two steps; then it is closed. The
generator plants the deviations from it (:func:`~journeymap.synthetic.model.block_truth`
knows each case's): steps skipped (no assessment, or a letter that is never logged),
steps inserted (information requests, chasers, returned work, complaints, reopens) and
steps repeated (a second assessment, a second chaser, work done again after it was
returned or reopened).
"""

from __future__ import annotations

from typing import Any

from journeymap.synthetic.model import INTAKE, SERVICES

__all__ = ["DEMAND_COLUMN", "designed_journeys"]

#: The column of the generated log that says what each request is for.
DEMAND_COLUMN = "service"


def designed_journeys() -> list[dict[str, Any]]:
    """One template table per request type, in the catalogue's order.

    Examples
    --------
    >>> journeys = designed_journeys()
    >>> journeys[1]["name"], journeys[1]["steps"][2:]
    ('Report a leak', ['Log request', 'Assess request', 'Inspect leak', 'Repair leak', 'Close request'])
    """  # noqa: E501
    tables = []
    for name, _team, first_work, second_work, first_contact, *_ in SERVICES:
        routed = ["Log request", "Assess request", first_work, second_work]
        middle: list[Any] = (
            [{"one_of": [first_contact, routed]}] if first_contact is not None else routed
        )
        steps = [
            {"one_of": list(INTAKE)},
            {"optional": "Acknowledgement sent"},
            *middle,
            "Close request",
        ]
        tables.append({"name": name, "demand": name, "steps": steps})
    return tables
