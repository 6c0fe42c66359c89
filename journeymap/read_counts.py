"""What was read of a source and what was rejected, counted as the user counts them.

A plain source's rows are its records, one event each. A system's export read by its
preset is counted by its records (the export's rows, :attr:`records`), and a record
gives one event at most (a field-change log: one per status change) or several (a
list export's row gives its opening, resolution and closure; a Jira issue its
changelog). The reader rejects records it cannot read; the engine rejects events.
When each record gave one event at most, a rejected event is its record rejected and
everything is counted in records; when records gave more, the records the reader
rejected and the events the engine rejected are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReadCounts"]


@dataclass(frozen=True)
class ReadCounts:
    """The counts of a read (see the module's docstring).

    rows_read, rejected_rows : the engine's rows (the events made and the records the
        reader rejected), and those rejected (with a reason).
    records_read : the export's records, for a source read by a system's preset; else
        None (each row read is one record).
    records_rejected : of ``rejected_rows``, the records the preset's reader rejected.
    row_noun : what one row is, in the user's words: ``row``, or ``event`` for an XES log.

    Examples
    --------
    >>> ReadCounts(8035, 3).rejected_of()
    '3 of 8,035 rows'
    >>> ReadCounts(3, 1, records_read=4).rejected_of()  # one record gave no event
    '1 of 4 records'
    >>> zendesk = ReadCounts(9, 2, records_read=8, records_rejected=2)
    >>> zendesk.events_made, zendesk.rejected_of()
    (7, '2 of 8 records')
    >>> ReadCounts(160, 5, records_read=67, records_rejected=1).rejected_of()
    '1 of 67 records and 4 of 159 events'
    >>> ReadCounts(2351, 1, row_noun="event").rejected_of()  # an XES log's
    '1 of 2,351 events'
    """

    rows_read: int
    rejected_rows: int
    records_read: int | None = None
    records_rejected: int = 0
    row_noun: str = "row"

    @property
    def gave_more(self) -> bool:
        """Whether the records gave more events than there were records (then records
        and events are counted apart)."""
        return self.records_read is not None and self.rows_read > self.records_read

    @property
    def events_made(self) -> int:
        """The events made of the records the reader kept (the rows read, for a plain
        source)."""
        return self.rows_read - self.records_rejected

    @property
    def events_rejected(self) -> int:
        """The events the engine rejected."""
        return self.rejected_rows - self.records_rejected

    def parts(self) -> list[tuple[int, int, str]]:
        """``(rejected, read, noun)`` in the user's units: one part, or with records
        that gave more events, the records rejected and the events rejected (each when
        there are any; the records when there are none)."""
        if self.records_read is None:
            return [(self.rejected_rows, self.rows_read, self.row_noun)]
        if not self.gave_more:
            return [(self.rejected_rows, self.records_read, "record")]
        records = (self.records_rejected, self.records_read, "record")
        events = (self.events_rejected, self.events_made, "event")
        if not self.events_rejected:
            return [records]
        return [records, events] if self.records_rejected else [events]

    def rejected_of(self, *, share: bool = False) -> str:
        """How many of how many were rejected: "3 of 8,035 rows", or in records and
        events (see :meth:`parts`); with ``share``, each part's percentage after it
        ("3 of 8,035 rows (0%)")."""
        said = []
        for n, read, noun in self.parts():
            pct = f" ({100 * n / read:.0f}%)" if share and read else ""
            said.append(f"{n:,} of {read:,} {noun}{'' if read == 1 else 's'}{pct}")
        return " and ".join(said)

    def share_rejected(self) -> float:
        """The largest share rejected among :meth:`parts` (0 when nothing was read)."""
        return max((n / read for n, read, _ in self.parts() if read), default=0.0)
