"""Fixtures of source-system exports: the synthetic log written in the shape of each
system's export (see :mod:`journeymap.synthetic.exports` for how events become states)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from journeymap.synthetic import ticket_exports as tickets
from journeymap.synthetic.exports import (
    ExportFixture,
    _history,
    _sn_audit,
    _sn_list_csv,
    _sn_list_xlsx,
    _sn_snapshots,
    _sn_table_api,
)

__all__ = ["write_exports"]


def write_exports(
    folder: str | Path, *, cases: int = 24, seed: int = 11
) -> dict[str, ExportFixture]:
    """Write every export shape into ``folder`` (one sub-folder per system).

    Returns the fixtures by name: ``servicenow_list_csv``, ``servicenow_list_xlsx``,
    ``servicenow_table_api``, ``servicenow_sys_audit``, ``servicenow_snapshots``,
    ``jira_search``, ``zendesk_audits``, ``zendesk_ticket_events``,
    ``salesforce_case_history`` (with ``Case.csv`` beside it),
    ``salesforce_opportunity_history`` (cp1252) and ``field_changes``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     fixtures = write_exports(d, cases=5, seed=3)
    ...     names = sorted(fixtures)
    >>> len(names), names[0]
    (11, 'field_changes')
    """
    root = Path(folder)
    history = _history(cases, seed)
    writers: dict[str, Callable[[pd.DataFrame, Path], ExportFixture]] = {
        "servicenow_list_csv": _sn_list_csv, "servicenow_list_xlsx": _sn_list_xlsx,
        "servicenow_table_api": _sn_table_api, "servicenow_sys_audit": _sn_audit,
        "servicenow_snapshots": _sn_snapshots, "jira_search": tickets.jira_search,
        "zendesk_audits": tickets.zendesk_audits,
        "zendesk_ticket_events": tickets.zendesk_ticket_events,
        "salesforce_case_history": tickets.salesforce_case_history,
        "salesforce_opportunity_history": tickets.salesforce_opportunity_history,
        "field_changes": tickets.field_changes,
    }  # fmt: skip
    for system in ("servicenow", "jira", "zendesk", "salesforce", "fieldchanges"):
        (root / system).mkdir(parents=True, exist_ok=True)
    return {name: write(history, root) for name, write in writers.items()}
