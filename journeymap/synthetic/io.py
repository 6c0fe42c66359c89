"""Fast, deterministic CSV and XES 1.0 writers for event tables (see journeymap.synthetic).

No Python loop runs over events: each field is either a small table of encoded strings
(one row per distinct value, the last row empty for a missing value), a literal, or a
fixed-width byte matrix (timestamps). The fields of a batch of rows are laid side by side
in a padded byte matrix and the padding is dropped in one boolean selection.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["csv_bytes", "open_output", "write_frame_csv", "write_xes"]

Ints = npt.NDArray[np.int64]
Bytes2D = npt.NDArray[np.uint8]
_TEXT = np.dtypes.StringDType()
_ROWS = 1 << 16  # rows rendered per batch (bounds memory)
_XES_NS = "http://www.xes-standard.org/"


@dataclass(frozen=True)
class _Table:
    """Encoded strings as a padded byte matrix; code -1 selects the empty last row."""

    mat: Bytes2D
    length: Ints

    @classmethod
    def of(cls, texts: Any) -> _Table:
        enc = np.strings.encode(np.asarray(texts, dtype=_TEXT), "utf-8")
        width = enc.dtype.itemsize if enc.size else 0
        mat = np.zeros((enc.size + 1, width), dtype=np.uint8)
        if enc.size:
            mat[:-1] = np.ascontiguousarray(enc).view(np.uint8).reshape(enc.size, width)
        length = np.append(np.strings.str_len(enc), 0).astype(np.int64)
        return cls(mat, length)


@dataclass(frozen=True)
class _Times:
    """Epoch seconds, rendered as ``YYYY-MM-DDTHH:MM:SS+00:00``."""

    seconds: Ints


Field = tuple[_Table, Ints] | bytes | _Times


def iso_matrix(seconds: Ints) -> Bytes2D:
    """ISO 8601 UTC timestamps with offset as an ``(n, 25)`` byte matrix.

    Examples
    --------
    >>> iso_matrix(np.array([1709543700])).tobytes()
    b'2024-03-04T09:15:00+00:00'
    """
    days, sod = np.divmod(np.asarray(seconds, dtype=np.int64), 86_400)
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    out = np.empty((days.size, 25), dtype=np.uint8)
    out[:] = np.frombuffer(b"0000-00-00T00:00:00+00:00", dtype=np.uint8)
    for col, val, width in (
        (0, d.astype("datetime64[Y]").astype(np.int64) + 1970, 4),
        (5, month.astype(np.int64) % 12 + 1, 2),
        (8, (d - month).astype(np.int64) + 1, 2),
        (11, sod // 3600, 2),
        (14, sod // 60 % 60, 2),
        (17, sod % 60, 2),
    ):
        for i in range(width):
            out[:, col + i] = 48 + val // 10 ** (width - 1 - i) % 10
    return out


def _render(fields: Sequence[Field], start: int, stop: int) -> bytes:
    """Rows ``start:stop`` of the fields, concatenated."""
    parts: list[tuple[Bytes2D, Any]] = []
    for f in fields:
        if isinstance(f, bytes):
            parts.append((np.frombuffer(f, dtype=np.uint8)[None, :], None))
        elif isinstance(f, _Times):
            parts.append((iso_matrix(f.seconds[start:stop]), None))
        else:
            codes = f[1][start:stop]
            parts.append(
                (f[0].mat[codes], np.arange(f[0].mat.shape[1]) < f[0].length[codes][:, None])
            )
    n = stop - start
    width = sum(p[0].shape[1] for p in parts)
    buf = np.empty((n, width), dtype=np.uint8)
    keep = np.ones((n, width), dtype=bool)
    at = 0
    for mat, mask in parts:
        w = mat.shape[1]
        buf[:, at : at + w] = mat
        if mask is not None:
            keep[:, at : at + w] = mask
        at += w
    return buf[keep].tobytes()


def _write_rows(fields: Sequence[Field], n: int, out: IO[bytes]) -> None:
    for start in range(0, n, _ROWS):
        out.write(_render(fields, start, min(n, start + _ROWS)))


def _seconds(col: pd.Series) -> Ints:
    """Epoch seconds of a datetime column (naive = UTC) or of ISO 8601 text."""
    if not pd.api.types.is_datetime64_any_dtype(col):
        col = pd.to_datetime(col, utc=True, format="ISO8601")
    if getattr(col.dt, "tz", None) is not None:
        col = col.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray(col.to_numpy().astype("datetime64[s]").astype(np.int64))


def _codes(col: pd.Series) -> tuple[Ints, Any]:
    """Integer codes (-1 = missing) and the distinct values as text."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, values = col.cat.codes.to_numpy(), col.cat.categories
    else:
        codes, values = pd.factorize(col)
    return np.asarray(codes, dtype=np.int64), np.asarray(pd.Index(values).astype(str), _TEXT)


def _csv_escape(v: Any) -> Any:
    need = np.zeros(v.shape, dtype=bool)
    for ch in ',"\r\n':
        need |= np.strings.find(v, ch) >= 0
    v = v.copy()
    v[need] = np.strings.add(np.strings.add('"', np.strings.replace(v[need], '"', '""')), '"')
    return v


def _xml_escape(v: Any) -> Any:
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"),
                 ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;")):  # fmt: skip
        v = np.strings.replace(v, a, b)
    return v


def _csv_fields(df: pd.DataFrame) -> list[Field]:
    fields: list[Field] = []
    for i, name in enumerate(df.columns):
        col = df[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            fields.append(_Times(_seconds(col)))
        else:
            codes, values = _codes(col)
            fields.append((_Table.of(_csv_escape(values)), codes))
        fields.append(b"\n" if i == len(df.columns) - 1 else b",")
    return fields


def _csv_header(columns: Sequence[str]) -> bytes:
    names = _csv_escape(np.asarray([str(c) for c in columns], dtype=_TEXT))
    return (",".join(str(x) for x in names) + "\n").encode()


def write_frame_csv(df: pd.DataFrame, out: IO[bytes], *, header: bool = True) -> None:
    """Write ``df`` as UTF-8 CSV (RFC 4180 quoting when needed, ``\\n`` line ends).

    Datetime columns are written as ``YYYY-MM-DDTHH:MM:SS+00:00`` (UTC, whole seconds);
    missing values as empty fields.

    Examples
    --------
    >>> import io
    >>> out = io.BytesIO()
    >>> when = pd.to_datetime(["2024-03-04 09:15"]).tz_localize("UTC")
    >>> write_frame_csv(pd.DataFrame({"id": ["C000042"], "at": when}), out)
    >>> print(out.getvalue().decode(), end="")
    id,at
    C000042,2024-03-04T09:15:00+00:00
    """
    if header:
        out.write(_csv_header(list(df.columns)))
    _write_rows(_csv_fields(df), len(df), out)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The CSV text that :func:`write_frame_csv` writes, as bytes.

    Examples
    --------
    >>> df = pd.DataFrame({"case_id": ["T01", "T1"], "team": ["Billing, north", None]})
    >>> print(csv_bytes(df).decode(), end="")
    case_id,team
    T01,"Billing, north"
    T1,
    """
    header = _csv_header(list(df.columns))
    rows = [_render(_csv_fields(df), s, min(len(df), s + _ROWS)) for s in range(0, len(df), _ROWS)]
    return header + b"".join(rows)


@contextmanager
def open_output(path: str | Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for binary writing; gzip (deterministic: no name, no mtime) for .gz."""
    path = Path(path)
    with open(path, "wb") as raw:
        if path.name.endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
                yield cast(IO[bytes], gz)
        else:
            yield raw


_XES_HEAD = f"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="" xmlns="{_XES_NS}">
<extension name="Concept" prefix="concept" uri="{_XES_NS}concept.xesext"/>
<extension name="Time" prefix="time" uri="{_XES_NS}time.xesext"/>
<extension name="Organizational" prefix="org" uri="{_XES_NS}org.xesext"/>
<global scope="trace">
<string key="concept:name" value="UNKNOWN"/>
</global>
<global scope="event">
<string key="concept:name" value="UNKNOWN"/>
<date key="time:timestamp" value="1970-01-01T00:00:00+00:00"/>
</global>
<classifier name="Activity" keys="concept:name"/>
""".encode()


def write_xes(df: pd.DataFrame, path: str | Path) -> None:
    """Write an event table as an XES 1.0 file (gzipped when ``path`` ends in .gz).

    One trace per ``case_id``, traces in order of first appearance, events of a trace
    ordered by ``timestamp`` with ties kept in row order. Trace attributes
    ``concept:name`` (case id) and, from the trace's first event, ``service``, ``channel``
    and ``customer``; event attributes ``concept:name`` (activity), ``time:timestamp``,
    ``org:resource`` and ``org:group`` (team), each left out where missing. Values are
    XML-escaped; timestamps are written in UTC with whole seconds.

    Parameters
    ----------
    df : events with ``case_id``, ``activity``, ``timestamp`` and optionally
        ``resource``, ``team``, ``channel``, ``customer_id``, ``service``.
    path : file to write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> df = pd.DataFrame({"case_id": ["SR-1", "SR-1"], "activity": ["Call & log", "Close"],
    ...                    "timestamp": pd.to_datetime(["2024-01-02T10:00:00Z"] * 2)})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_xes(df, pathlib.Path(d) / "log.xes")
    ...     text = (pathlib.Path(d) / "log.xes").read_text()
    >>> text.count("<event>"), "Call &amp; log" in text
    (2, True)
    """
    for name in ("case_id", "activity", "timestamp"):
        if df[name].isna().any():
            raise ValueError(f"column {name!r} has missing values")
    seconds = _seconds(df["timestamp"])
    order = np.argsort(seconds, kind="stable")
    case = _codes(df["case_id"])[0]
    order = order[np.argsort(case[order], kind="stable")]
    case = case[order]
    first = np.r_[True, case[1:] != case[:-1]]
    last = np.r_[case[1:] != case[:-1], True]

    def attr(column: str, key: str, only_first: bool = False, prefix: str = "") -> Field:
        if column not in df.columns:
            return b""
        codes, values = _codes(df[column])
        texts = np.strings.add(f'{prefix}<string key="{key}" value="', _xml_escape(values))
        codes = codes[order]
        where = np.where(first, codes, -1) if only_first else codes
        return (_Table.of(np.strings.add(texts, '"/>')), where)

    fields: list[Field] = [
        attr("case_id", "concept:name", True, prefix="<trace>"),
        attr("service", "service", True),
        attr("channel", "channel", True),
        attr("customer_id", "customer", True),
        (_Table.of(["\n"]), np.where(first, 0, -1)),
        b"<event>",
        attr("activity", "concept:name"),
        b'<date key="time:timestamp" value="',
        _Times(seconds[order]),
        b'"/>',
        attr("resource", "org:resource"),
        attr("team", "org:group"),
        (_Table.of(["</event>\n", "</event>\n</trace>\n"]), last.astype(np.int64)),
    ]
    with open_output(path) as out:
        out.write(_XES_HEAD)
        _write_rows(fields, len(df), out)
        out.write(b"</log>\n")
