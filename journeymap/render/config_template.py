"""The commented configuration template that ``journeymap config init`` writes.

Made from the options' own definitions (:func:`journeymap.options_file.config_keys`: every
key of every section, its default and its one-line help), so that it cannot drift from
what the config file accepts. Keys whose default is a value are written with it, so the
template as written gives the defaults; keys that are not set by default are commented
out. ``[[files]]`` is shown as a commented example.
"""

from __future__ import annotations

import json
import re
from typing import Any

from journeymap.options import SECTIONS
from journeymap.options_file import config_keys

__all__ = ["config_template"]

_HEAD = """\
# journeymap configuration: everything a run can be told, in one place.
# Use it with `journeymap mine LOG --config FILE` or `journeymap batch ... --config FILE`;
# options given on the command line win over it. Check it with `journeymap config check`.
# Each key shows its default; keys commented out are not set unless you set them.
"""
_WIDTH = 60  # lists longer than this are written one item a line
_SECTION_HELP = {
    "read": "How to read the files.",
    "mapping": "Which column plays each role (detected from the headers when not given).",
    "engine": "Where the work runs; a batch divides threads and memory between its jobs.",
    "demand": "Failure-demand rules (a hypothesis to check by listening to real demand).",
    "flow": "What makes a case's flow unclean.",
    "check": "The period the capability and weekly charts cover.",
    "map": "What the journey map shows.",
    "output": "What is written besides the tables and summary.json.",
    "report": "The report's heading.",
    "reintegration": "How the reintegration plan groups handlers.",
    "templates": "How cases are checked against their journey templates.",
}
_EXAMPLES = {
    "rule": '# [[demand.rule]]\n# name = "complaint_channel"\n# column = "channel"\n'
    '# equals = "complaint"            # or: matches = "^compl"',
}
_TEMPLATE = """\
# -- [[template]]: the journey a type of demand is designed to take, one table each ----
# (`journeymap template suggest LOG -o FILE` proposes them from a log)
# [[template]]
# name = "Bulky collection"
# demand = "Bulky waste collection"          # the demand_column's value; omit for all
# steps = ["Receive request", {optional = "Check address"}, "Book slot", "Collect"]
# or: bpmn = "designed.bpmn"                 # relative to this file's folder"""
_FILES = """\
# -- [[files]]: settings for some files only, first matching pattern wins ------------
# A glob (* any characters, ? one) matched against the file's path relative to this
# file's folder, or against its file name; its [files.read], [files.mapping] and
# [files.demand] keys go over the ones above. Repeat [[files]] for each kind of export.
# [[files]]
# pattern = "exports/servicedesk-*.csv"
# [files.read]
# sep = ";"
# [files.mapping]
# case = "SR Number"
# team = "Assignment group"
# [files.demand]
# repeat_contact_days = 0                   # its customer column names accounts
"""


def _toml(value: Any) -> str:
    """A default as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        items = [_toml(v) for v in value]
        if sum(len(i) + 2 for i in items) <= _WIDTH:
            return "[" + ", ".join(items) + "]"
        return "[\n" + "".join(f"    {i},\n" for i in items) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _in_toml(help: str) -> str:
    """A key's help in the file's words: a list where the command line takes values
    comma-separated.

    Examples
    --------
    >>> _in_toml("Activities that finish a case, comma-separated, e.g. 'Closed,Resolved'.")
    'Activities that finish a case, a list, e.g. ["Closed", "Resolved"].'
    """

    def example(found: re.Match[str]) -> str:
        items = ", ".join(json.dumps(v.strip()) for v in found.group(1).split(","))
        return f"a list, e.g. [{items}]"

    help = re.sub(r"comma-separated, e\.g\. '([^']*)'", example, help)
    return help.replace("comma-separated", "a list of strings")


def config_template() -> str:
    """The commented TOML template listing every key of every section.

    Examples
    --------
    >>> text = config_template()
    >>> '[map]' in text and 'lanes = "auto"' in text and '# team =' in text
    True
    """
    keys = config_keys()
    parts = [_HEAD]
    for section in SECTIONS:
        if section == "template":  # tables of their own, shown as a commented example
            parts.append("\n" + _TEMPLATE)
            continue
        parts.append(f"\n# {_SECTION_HELP[section]}\n[{section}]")
        for key in (k for k in keys if k.section == section):
            parts.append(f"# {_in_toml(key.help)}")
            if key.name in _EXAMPLES:
                parts.append(_EXAMPLES[key.name])
            elif key.default is None:
                parts.append(f"# {key.name} =")
            else:
                parts.append(f"{key.name} = {_toml(key.default)}")
    parts.append("\n" + _FILES)
    return "\n".join(parts)
