"""The contract log: four cases small enough to check every measure by hand.

====  ================  ========  =====  ========  =======  ========
case  time (2024)       activity  team   resource  channel  customer
====  ================  ========  =====  ========  =======  ========
A     01-01 09:00       Log       Front  ann       phone    K1
A     01-01 10:00       Assess    Back   bob       phone    K1
A     01-01 12:00       Assess    Back   cy        phone    K1
A     01-02 09:00       Chase     Front  ann       phone    K1
A     01-02 10:00       Resolve   Back   bob       phone    K1
B     01-10 09:00       Log       Front  ann       web      K1
B     01-10 11:00       Resolve   Front  ann       web      K1
C     01-03 09:00       Log       Front  dan       web      K2
C     01-03 09:30       Assess    –      –         web      K2
C     01-03 13:30       Resolve   Back   bob       web      K2
D     01-15 08:00       Log       Front  ann       phone    K3
====  ================  ========  =====  ========  =======  ========

End-to-end: A 25 h (90,000 s), B 2 h (7,200 s), C 4.5 h (16,200 s), D 0. Team hand-offs:
A Front->Back (1 h), Back->Front (21 h), Front->Back (1 h), a ping-pong each way; C
Front->Back across C's unrecorded step (4.5 h). A's second Assess is rework, done by
other hands (a redo), after a self-loop of 2 h. Demand: A has a chaser (failure), B
starts 7 days 23 h after A ends for the same customer (a repeat contact); C and D are
value demand. The rows are given out of order (D first) to show ordering is by time.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CONTRACT_FRAME", "H"]

H = 3600.0

_ROWS = [
    ("D", "2024-01-15 08:00", "Log", "Front", "ann", "phone", "K3"),
    ("A", "2024-01-01 09:00", "Log", "Front", "ann", "phone", "K1"),
    ("A", "2024-01-01 10:00", "Assess", "Back", "bob", "phone", "K1"),
    ("A", "2024-01-01 12:00", "Assess", "Back", "cy", "phone", "K1"),
    ("A", "2024-01-02 09:00", "Chase", "Front", "ann", "phone", "K1"),
    ("A", "2024-01-02 10:00", "Resolve", "Back", "bob", "phone", "K1"),
    ("B", "2024-01-10 09:00", "Log", "Front", "ann", "web", "K1"),
    ("B", "2024-01-10 11:00", "Resolve", "Front", "ann", "web", "K1"),
    ("C", "2024-01-03 09:00", "Log", "Front", "dan", "web", "K2"),
    ("C", "2024-01-03 09:30", "Assess", None, None, "web", "K2"),
    ("C", "2024-01-03 13:30", "Resolve", "Back", "bob", "web", "K2"),
]
CONTRACT_FRAME = pd.DataFrame(
    _ROWS, columns=["case", "timestamp", "activity", "team", "resource", "channel", "customer"]
)
