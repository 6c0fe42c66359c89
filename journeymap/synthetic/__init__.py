"""The project's own synthetic logs: a council/utility customer-service log of any size
with its planted truth (:mod:`journeymap.synthetic.generator`), and fixtures of service
systems' exports written from it (:mod:`journeymap.synthetic.fixtures`)."""

from journeymap.synthetic.generator import (
    COLUMNS,
    DIRTY_ACTIVITIES,
    FAILURE_PATTERN,
    SyntheticLog,
    generate_log,
    truth_rates,
    write_csv,
    write_xes,
)

__all__ = [
    "COLUMNS",
    "DIRTY_ACTIVITIES",
    "FAILURE_PATTERN",
    "SyntheticLog",
    "generate_log",
    "truth_rates",
    "write_csv",
    "write_xes",
]
