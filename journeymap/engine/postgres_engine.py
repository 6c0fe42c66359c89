"""The analyses inside PostgreSQL: ``--engine postgres``, through Ibis's PostgreSQL backend.

For a log that lives in PostgreSQL (``postgresql://...`` with ``--table`` or
``--query``), the events are typed and validated into a temporary table on the server
itself, by one ``CREATE TEMP TABLE ... AS SELECT`` over the table or query: no event is
copied out. Every analysis then runs there as SQL compiled by Ibis; only the small
results come back. Other sources (files, frames) are copied in first, batch by batch.

What differs from DuckDB, by design of the first version:

- timestamps must be PostgreSQL ``timestamp``/``timestamptz``/``date`` columns or ISO
  8601 text (other formats: use ``--engine duckdb``, which detects them);
- identifiers and values are trimmed of spaces, tabs, line breaks and non-breaking
  spaces (DuckDB trims every Unicode blank);
- temporary tables live in the engine's own session and go with it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from journeymap.connectors.base import BLANKS, RawSource, first_line
from journeymap.engine.base import Engine, EngineSettings, Ingested
from journeymap.engine.classifier import implied_activity
from journeymap.engine.timestamps import ISO_8601, SAMPLE_VALUES, TimestampFormat, local_dates_note
from journeymap.errors import (
    EmptyLogError,
    MissingDependencyError,
    RejectedRowsError,
    SourceError,
    option,
)
from journeymap.mapping import ROLES, TIMESTAMP_ROLES, detect_mapping
from journeymap.read_options import PLACEHOLDER_ROLES, ReadOptions

__all__ = ["PostgresEngine"]

_CANONICAL = ("source_row", *ROLES)
_ISO = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
#: A UTC offset at the end of an ISO 8601 value.
_OFFSET = r"\s*(Z|[+-]\d{2}(:?\d{2})?)$"
_TIME_TYPES = ("timestamp with time zone", "timestamp without time zone", "date")


def _quote(name: str) -> str:
    """A PostgreSQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A PostgreSQL string literal (standard_conforming_strings is on by default)."""
    return "'" + text.replace("'", "''") + "'"


class PostgresEngine(Engine):
    """A session on a PostgreSQL server and the Ibis backend over it."""

    name = "postgres"

    def __init__(self, url: str, settings: EngineSettings | None = None) -> None:
        super().__init__(settings)
        try:
            import ibis
            from sqlalchemy.engine import make_url
        except ImportError as exc:  # pragma: no cover - both come with journeymap[sql]
            raise MissingDependencyError(
                "the postgres engine needs SQLAlchemy and psycopg: pip install 'journeymap[sql]'"
            ) from exc
        from journeymap.connectors.sql import PASSWORD_VARIABLE, safe_label

        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise SourceError(
                f"the postgres engine runs the analyses inside PostgreSQL; "
                f"{safe_label(parsed)} is not a PostgreSQL database: read it with "
                f"{option('engine', 'duckdb')}"
            )
        self.label = safe_label(parsed)
        password = parsed.password or os.environ.get(PASSWORD_VARIABLE)
        try:
            self._backend = ibis.postgres.connect(
                host=parsed.host or "localhost",
                port=parsed.port or 5432,
                user=parsed.username,
                password=password,
                database=parsed.database,
                connect_timeout=30,
            )
        except Exception as exc:
            said = first_line(exc)
            if password:
                said = said.replace(str(password), "***")
            raise SourceError(f"{self.label}: the database refused: {said}") from exc
        self._sql("SET TimeZone = 'UTC'")
        from journeymap.engine.microseconds import teach

        teach("postgres")

    def _close(self) -> None:
        self._backend.disconnect()

    @property
    def ibis(self) -> Any:
        return self._backend

    def _sql(self, statement: str) -> None:
        with self._backend.begin() as cursor:
            cursor.execute(statement)

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self._backend.begin() as cursor:
            cursor.execute(query)
            return list(cursor.fetchall())

    def _compiled(self, expr: Any) -> str:
        """The expression's SQL for PostgreSQL. The analyses write regular expressions
        in RE2's syntax, DuckDB's; PostgreSQL's own writes a word boundary ``\\b`` as
        ``\\y`` (its ``\\b`` is a backspace), so it is translated here."""
        import ibis

        return str(ibis.to_sql(expr, dialect="postgres")).replace("\\b", "\\y")

    def materialize(self, expr: Any, prefix: str = "derived", *, view: bool = False) -> str:
        name = self.new_name(prefix)
        kind = "VIEW" if view else "TABLE"
        self._sql(f"CREATE TEMP {kind} {name} AS {self._compiled(expr)}")
        return name

    def upload(self, frame: pd.DataFrame, prefix: str = "upload") -> str:
        name = self.new_name(prefix)
        self._backend.create_table(name, frame, temp=True)
        return name

    def _drop(self, name: str) -> None:
        kind = self._rows(
            f"SELECT relkind FROM pg_class WHERE relname = {_literal(name)} "
            "AND relpersistence = 't'"
        )
        if kind:
            self._sql(f"DROP {'VIEW' if kind[0][0] == 'v' else 'TABLE'} IF EXISTS {name}")

    def fetch(self, expr: Any) -> pd.DataFrame:
        """The result through Ibis's own pandas conversion, which gives each column the
        type the expression has (PostgreSQL's numeric averages become floats)."""
        if not hasattr(expr, "schema"):  # a column or scalar: as a one-column table
            expr = expr.as_table()
        schema = expr.schema()
        query = self._backend.sql(self._compiled(expr), schema=schema)
        result = self._backend.execute(query)
        frame = result if isinstance(result, pd.DataFrame) else result.to_frame()
        for name, dtype in schema.items():
            # Every instant of the events is a timestamptz; Ibis types some results of
            # them (date_trunc) without their zone and brings them back naive. They are
            # in the session's zone, UTC: aware, as DuckDB gives them.
            if dtype.is_timestamp() and frame[name].dt.tz is None:
                frame[name] = frame[name].dt.tz_localize("UTC")
            # PostgreSQL sums integers as numeric (and a table made of such sums keeps
            # numeric columns): whole numbers are integers again, as DuckDB gives them
            # (float where some are missing), other numerics floats.
            elif (dtype.is_integer() or dtype.is_decimal()) and frame[name].dtype.kind not in "iu":
                values = pd.to_numeric(frame[name]).astype("float64")
                whole = bool(values.notna().all() and (values % 1 == 0).all())
                frame[name] = values.astype("int64") if whole else values
        return frame

    def write_csv(
        self,
        data: Any,
        path: str | Path,
        *,
        order_by: Sequence[str] = (),
        decimals: int = 3,
    ) -> Path:
        """As DuckDB writes it: the result is brought back (it is a result table, small
        by design) and written by an in-memory DuckDB, so every engine writes the same
        bytes."""
        import duckdb

        from journeymap.engine.duckdb_csv import write_frame

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = self.table(data)
        frame = data if isinstance(data, pd.DataFrame) else self.fetch(data)
        if order_by and not isinstance(data, pd.DataFrame):
            frame = frame.sort_values(list(order_by), kind="stable", ignore_index=True)
        with duckdb.connect(":memory:") as con:
            con.execute("SET TimeZone = 'UTC'")
            return write_frame(con, frame, target, decimals=decimals)

    # -- reading ---------------------------------------------------------------------------
    def ingest(
        self, raw: RawSource, mapping: dict[str, str | None], options: ReadOptions
    ) -> Ingested:
        raw_table = self.new_name("raw")
        notes = list(raw.notes)
        if raw.source == self.label and (options.table or options.query):
            self._server_relation(raw_table, options)
            notes.append("typed and analysed inside PostgreSQL (--engine postgres)")
        else:
            self._copy_in(raw, raw_table)
        try:
            return self._type(raw, raw_table, mapping, options, notes)
        finally:
            self._sql("SET TimeZone = 'UTC'")
            self._sql(f"DROP TABLE IF EXISTS {raw_table}")

    def _server_relation(self, raw_table: str, options: ReadOptions) -> None:
        """The table or query's rows numbered into a temporary table, on the server."""
        if options.query is not None:
            relation = f"({options.query.strip().rstrip(';')})"
        else:
            relation = self._table_relation(str(options.table))
        try:
            self._sql(
                f"CREATE TEMP TABLE {raw_table} AS SELECT row_number() OVER () AS __row, q.* "
                f"FROM {relation} AS q"
            )
        except Exception as exc:
            raise SourceError(
                f"{self.label}: the database refused: {first_line(exc)}; check the table "
                "name or the query"
            ) from exc

    def _table_relation(self, wanted: str) -> str:
        schema, dot, name = wanted.partition(".")
        rows = self._rows(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        exact = [(s, n) for s, n in rows if n == wanted or (dot and (s, n) == (schema, name))]
        folded = [(s, n) for s, n in rows if n.lower() == wanted.lower()]
        found = exact[:1] or (folded if len(folded) == 1 else [])
        if not found:
            names = ", ".join(repr(n) for n in sorted({n for s, n in rows if s == "public"}))
            raise SourceError(
                f"{self.label}: has no table {wanted!r}; the tables are: {names or 'none'}"
            )
        return f"{_quote(found[0][0])}.{_quote(found[0][1])}"

    def _copy_in(self, raw: RawSource, raw_table: str) -> None:
        """A source that is not on this server, copied in batch by batch (as text)."""
        written = 0
        for batch in raw.batches or ():
            frame = batch if isinstance(batch, pd.DataFrame) else batch.to_pandas()
            if not len(frame):
                continue
            frame = frame.copy()
            frame.insert(0, "__row", range(written + 1, written + len(frame) + 1))
            if written == 0:
                self._backend.create_table(raw_table, frame, temp=True)
            else:
                self._backend.insert(raw_table, frame)
            written += len(frame)
        if written == 0:
            raise EmptyLogError(f"{raw.source}: holds no rows; export it again")

    def _type(
        self,
        raw: RawSource,
        raw_table: str,
        mapping: dict[str, str | None],
        options: ReadOptions,
        notes: list[str],
    ) -> Ingested:
        kinds = dict(
            self._rows(
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_name = {_literal(raw_table)} ORDER BY ordinal_position"
            )
        )
        columns = [c for c in kinds if c != "__row"]
        user = {r: c for r, c in mapping.items() if c is not None}

        def distinct(parts: list[str]) -> tuple[int, ...]:
            counts = ", ".join(f"count(DISTINCT {_quote(p)})" for p in parts)
            return tuple(self._rows(f"SELECT {counts} FROM {raw_table}")[0])

        implied = implied_activity(raw.mapping, user, columns, distinct, notes)
        resolved = detect_mapping(columns, {**implied, **user}, source=raw.name)
        roles = resolved.columns()
        typed: dict[str, str] = {}
        formats: dict[str, TimestampFormat] = {}
        for role, column in roles.items():
            if role in TIMESTAMP_ROLES:
                typed[role] = self._timestamp_sql(column, kinds[column], raw_table, options, notes)
                formats[role] = TimestampFormat(column, ISO_8601, detected=True)
            elif role == "activity" and resolved.activity_parts:
                parts = ", ".join(_text(c) for c in resolved.activity_parts)
                typed[role] = f"NULLIF(concat_ws({_literal(options.activity_sep)}, {parts}), '')"
            else:
                typed[role] = _text(column)
        placeholders = "ARRAY[" + ", ".join(_literal(p) for p in options.placeholders) + "]"
        flags = []
        for role in (r for r in PLACEHOLDER_ROLES if r in roles):
            hit = f"(lower({typed[role]}) = ANY({placeholders}))"
            flags.append(f"{hit} AS __placeholder_{role}")
            typed[role] = f"CASE WHEN {hit} THEN NULL ELSE {typed[role]} END"
        mapped = set(roles.values())  # a composite activity's parts stay attributes
        attributes = {
            (f"attribute:{c}" if c in _CANONICAL else c): c for c in columns if c not in mapped
        }
        reason = _reason_sql(roles, typed)
        select = ", ".join(
            [
                "__row AS source_row",
                *(f"{typed[r]} AS {_quote(r)}" for r in roles),
                *(f"{_quote(c)}::text AS {_quote(n)}" for n, c in attributes.items()),
                f"{reason} AS __reason",
                *flags,
            ]
        )
        staged, events, rejects = (self.new_name(p) for p in ("staged", "events", "rejects"))
        self._sql(f"SET TimeZone = {_literal(options.timezone)}")
        try:
            self._sql(f"CREATE TEMP TABLE {staged} AS SELECT {select} FROM {raw_table}")
        except Exception as exc:
            raise SourceError(f"{raw.source}: cannot be typed: {first_line(exc)}") from exc
        self._sql("SET TimeZone = 'UTC'")
        values = ", ".join(
            f"{_as_text('r.' + _quote(c), kinds[c])} AS {_quote(c)}" for c in columns
        )
        self._sql(
            f"CREATE TEMP TABLE {rejects} AS SELECT s.source_row, NULL::bigint AS line, "
            f"s.__reason AS reason, {values} FROM {staged} s JOIN {raw_table} r "
            "ON r.__row = s.source_row WHERE s.__reason IS NOT NULL"
        )
        kept = ", ".join(
            ["source_row", *(_quote(r) for r in roles), *(_quote(n) for n in attributes)]
        )
        self._sql(
            f"CREATE TEMP TABLE {events} AS SELECT {kept} FROM {staged} WHERE __reason IS NULL"
        )
        counts = ", ".join(
            f"count(*) FILTER (WHERE __reason IS NULL AND __placeholder_{r})"
            for r in PLACEHOLDER_ROLES
            if r in roles
        )
        (accepted,) = self._rows(f"SELECT count(*) FROM {events}")[0]
        (rejected,) = self._rows(f"SELECT count(*) FROM {rejects}")[0]
        found = self._rows(f"SELECT {counts} FROM {staged}")[0] if counts else ()
        self._sql(f"DROP TABLE {staged}")
        if accepted + rejected == 0:
            raise EmptyLogError(f"{raw.source}: has no data rows")
        if options.strict and rejected:
            raise RejectedRowsError(
                f"{raw.source}: {rejected:,} row(s) rejected and {option('strict', True)} was given"
            )
        return Ingested(
            events=events,
            rejects=rejects,
            mapping=resolved,
            attributes=attributes,
            formats=formats,
            rows_read=int(accepted) + int(rejected),
            rejected_rows=int(rejected),
            notes=notes,
            placeholders={
                r: int(n or 0)
                for r, n in zip([r for r in PLACEHOLDER_ROLES if r in roles], found, strict=True)
            },
        )

    def _timestamp_sql(
        self, column: str, kind: str, raw_table: str, options: ReadOptions, notes: list[str]
    ) -> str:
        """A timestamp column typed as timestamptz: native types as they are (naive ones
        in the read time zone), ISO 8601 text parsed (dates at midnight in their own
        offset as the dates they show, as on DuckDB: ``local_dates_note`` says so in
        ``notes``); any other text is a clear error."""
        quoted = _quote(column)
        if kind in _TIME_TYPES:
            return f"{quoted}::timestamptz"
        if options.timestamp_format is not None:
            raise SourceError(
                f"the postgres engine reads ISO 8601 text and timestamp columns only, not "
                f"{option('timestamp_format', options.timestamp_format)}; use "
                f"{option('engine', 'duckdb')}"
            )
        sample = self._rows(
            f"SELECT btrim({quoted}::text) FROM {raw_table} WHERE {quoted} IS NOT NULL "
            f"AND btrim({quoted}::text) !~ {_literal(_ISO)} LIMIT 1"
        )
        if sample:
            raise SourceError(
                f"column {column!r} holds {sample[0][0]!r}: the postgres engine reads ISO "
                f"8601 text and timestamp columns only; use {option('engine', 'duckdb')}, "
                "which detects other formats"
            )
        text = _text(column)
        values = self._rows(
            f"SELECT DISTINCT {text} FROM {raw_table} WHERE {text} IS NOT NULL "
            f"LIMIT {SAMPLE_VALUES}"
        )
        dates = local_dates_note(column, [v for (v,) in values])
        parsed = f"({text})::timestamptz"
        if dates:
            notes.append(dates)
            clock = f"regexp_replace({text}, {_literal(_OFFSET)}, '')"
            parsed = f"({clock})::timestamp AT TIME ZONE 'UTC'"
        return f"CASE WHEN {text} ~ {_literal(_ISO)} THEN {parsed} END"


def _text(column: str) -> str:
    """A column as trimmed text, empty as NULL."""
    return f"NULLIF(btrim({_quote(column)}::text, {_literal(BLANKS)}), '')"


def _reason_sql(roles: dict[str, str], typed: dict[str, str]) -> str:
    """Why a row is rejected, in DuckDB's words."""

    def named(role: str) -> str:
        return _literal(repr(roles[role]))

    branches = [
        f"WHEN {typed['case']} IS NULL THEN 'no case id: column ' || {named('case')} "
        "|| ' is empty'",
        f"WHEN {typed['activity']} IS NULL THEN 'no activity: column ' || "
        f"{named('activity')} || ' is empty'",
        f"WHEN {typed['timestamp']} IS NULL THEN 'no timestamp: column ' || "
        f"{named('timestamp')} || ' is empty'",
    ]
    return "CASE " + " ".join(branches) + " END"


def _as_text(value: str, kind: str) -> str:
    """A raw value as text, as DuckDB shows it: a time with a zone in UTC with ``+00:00``
    (PostgreSQL's own text form ends in ``+00``), so rejects read the same on both."""
    if kind == "timestamp with time zone":
        utc = f"({value} AT TIME ZONE 'UTC')"
        fraction = f"CASE WHEN extract(microseconds FROM {utc})::bigint % 1000000 <> 0 THEN to_char({utc}, '.US') ELSE '' END"  # noqa: E501
        return f"to_char({utc}, 'YYYY-MM-DD HH24:MI:SS') || {fraction} || '+00:00'"
    return f"{value}::text"
