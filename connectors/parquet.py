"""Apache Parquet files, read by the engine.

Columns keep their Parquet types until the event log casts them to text (timestamps to
ISO 8601, which it parses back), so nothing is lost and nothing is guessed. Records are
numbered in file order.
"""

from __future__ import annotations

from journeymap.connectors.base import Connector, FileScan, RawSource
from journeymap.connectors.textfiles import existing_file
from journeymap.errors import SourceError
from journeymap.read_options import ReadOptions

__all__ = ["ParquetConnector", "unreadable"]


class ParquetConnector(Connector):
    """Read a Parquet file (``.parquet``, ``.pq``)."""

    name = "parquet"
    description = "Apache Parquet files"
    suffixes = (".parquet", ".pq")

    def read(self, source: str, *, options: ReadOptions) -> RawSource:
        path = existing_file(source)
        return RawSource(source=path.name, scan=FileScan("parquet", path))


def unreadable(label: str, why: str) -> SourceError:
    """The error for a Parquet file the engine cannot read."""
    return SourceError(
        f"{label}: cannot be read as Parquet ({why}); the file is damaged or truncated, "
        "or not Parquet: export it again"
    )
