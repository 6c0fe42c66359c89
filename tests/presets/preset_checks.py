"""Helpers of the preset tests: the presets, and a preset's events as plain rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeymap.connectors.presets import Preset, PresetTable
from journeymap.connectors.presets.fieldchanges_csv import FieldChangesPreset
from journeymap.connectors.presets.jira import JiraPreset
from journeymap.connectors.presets.salesforce import SalesforcePreset
from journeymap.connectors.presets.servicenow import ServiceNowPreset
from journeymap.connectors.presets.zendesk import ZendeskPreset
from journeymap.errors import SourceError

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        ServiceNowPreset(),
        JiraPreset(),
        ZendeskPreset(),
        SalesforcePreset(),
        FieldChangesPreset(),
    )
}


def head(path: Path) -> bytes:
    """The first 64 KiB of a file, as a registry would hand them to recognise()."""
    with open(path, "rb") as stream:
        return stream.read(1 << 16)


def recognisers(path: Path) -> set[str]:
    """The names of the presets that recognise ``path``."""
    data = head(path)
    return {name for name, preset in PRESETS.items() if preset.recognise(path, data)}


def events(table: PresetTable) -> pd.DataFrame:
    """The mapped roles of a preset's table, one column per role, in table order."""
    frame = table.table.to_pandas()
    out = pd.DataFrame({role: frame[column] for role, column in table.mapping.items()})
    return out.astype(object).where(out.notna(), None)


def rows(table: PresetTable, *roles: str) -> list[tuple[object, ...]]:
    """The events as tuples of the given roles (None for missing values)."""
    return [tuple(r) for r in events(table)[list(roles)].itertuples(index=False)]


def by_case(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by case, keeping their order within each case."""
    out = frame.sort_values("case", kind="stable").reset_index(drop=True)
    return out.astype(object).where(out.notna(), None)


def one_line_error(error: pytest.ExceptionInfo[SourceError], path: Path, hint: str) -> None:
    """The error is one line that names the file and says what to do (``hint``)."""
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(path.name), message
    assert hint in message, message
