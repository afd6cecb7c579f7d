"""Bulk inserts that keep the data rules: the large demo's only way of writing.

Rows are queued per table and written with SQLAlchemy Core ``insert(...)`` executemany, in
batches of 20,000 rows, in transactions of up to 50,000 synced rows (a few dozen for the
large demo; see ``COMMIT_AFTER_OUTBOX_ROWS`` for why not one). Each flush also writes what a
service would have written in the same transaction:

* an outbox row per synced row (``uow.changes.outbox_row``, payload = every column as
  ``dmdesk.db.changes.to_json_value`` renders it), so sync sees the demo like any change;
* one hash-linked audit entry per table and batch (``uow.audit("demo_bulk_insert", ...)``);
* document numbers from the site's own counters, saved to ``number_sequence`` so the next
  number a user gets follows the demo's last;
* whatever the caller's ``before_commit`` hooks add (the demo upserts the balance rows its
  moves changed).

Commits happen only between flushes, when everything queued has been written, and each one
saves the counters and runs the hooks: every committed transaction leaves a consistent
database (cache equal to the ledger, numbers that do not collide), so a build that fails or
is cancelled part-way leaves a smaller demo, not a broken one.

Speed: the model's TypeDecorators cost several microseconds per value, which is most of the
time at a million rows, so rows are written through a mirror of each table whose columns have
plain types and no bind processing. Rows therefore carry values already in their stored form
where that is cheap and exact: quantities and money as **scaled integers** (thousandths and
ten-thousandths, exactly what ``Qty``/``Money`` store; anything else is refused), UUIDs as
``uuid.UUID``, times as timezone-aware datetimes (formatted by the real column type, so the
text is byte-for-byte what the ORM writes).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from functools import lru_cache
from types import TracebackType
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Dialect,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeEngine

from dmdesk.db import models as m
from dmdesk.db.changes import LOCAL_TABLES, dumps, to_json_value
from dmdesk.db.types import Money, Qty, UTCDateTime, UUIDBytes
from dmdesk.demo.clock import DemoClock
from dmdesk.domain.numbering import DocKind, format_number
from dmdesk.domain.quantity import from_scaled
from dmdesk.services.context import ServiceContext, UnitOfWork

Row = dict[str, Any]
Encode = Callable[[Any], Any]

BATCH_ROWS = 20_000
# A transaction's outbox rows all carry HLC stamps of the same wall-clock millisecond (the
# unit of work reads the clock once), told apart by the stamp's counter, which is written
# with five digits: keep well under 100,000 stamps per transaction so they still sort as text.
# A transaction is committed after the flush that takes it past this; a flush adds at most
# BATCH_ROWS, so no transaction gets more than the two together (50,000).
COMMIT_AFTER_OUTBOX_ROWS = 30_000


class _RawBlob(LargeBinary):
    """Bytes passed straight to sqlite3 (LargeBinary would wrap each one in a memoryview)."""

    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def _same(value: Any) -> Any:
    return value


def _uuid_db(value: uuid.UUID | None) -> bytes | None:
    return None if value is None else value.bytes


def _uuid_json(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _scaled_db(value: int | None) -> int | None:
    # The one check that keeps bulk quantities exact: an int is exact, anything else (a
    # Decimal that would need scaling, a float) is a programming error here.
    if value is not None and type(value) is not int:
        raise TypeError(f"bulk quantities are scaled integers, got {value!r}")
    return value


def _scaled_json(scale: int, places: int) -> Encode:
    def encode(value: int | None) -> str | None:
        return None if value is None else str(from_scaled(value, scale, places))
    return encode


def _time_db(column_type: TypeEngine[Any], dialect: Dialect) -> Encode:
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return lru_cache(maxsize=8192)(process)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _hex(value: bytes | None) -> str | None:
    return None if value is None else value.hex()


def _bool_db(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _column_codec(column: Column[Any], dialect: Dialect
                  ) -> tuple[Encode, Encode, TypeEngine[Any]]:
    """(to the database, to the outbox payload, the mirror column's plain type)."""
    kind = column.type
    if isinstance(kind, UUIDBytes):
        return _uuid_db, _uuid_json, _RawBlob()
    if isinstance(kind, Qty | Money):
        return _scaled_db, _scaled_json(kind.scale, kind.places), BigInteger()
    if isinstance(kind, UTCDateTime | Date):
        return _time_db(kind, dialect), _iso, String()
    if isinstance(kind, Boolean):
        return _bool_db, _same, Integer()
    if isinstance(kind, LargeBinary):
        return _same, _hex, _RawBlob()
    if isinstance(kind, Integer | Float):
        return _same, _same, type(kind)()
    return _same, _same, String()


class TableCodec:
    """How one table's rows go to SQLite (through a plain-typed mirror) and to the outbox."""

    def __init__(self, table: Table, dialect: Dialect, mirrors: MetaData) -> None:
        self.name = table.name
        self.synced = table.name not in LOCAL_TABLES
        auto = table.autoincrement_column
        columns = [c for c in table.columns if c is not auto]
        codecs = [_column_codec(c, dialect) for c in columns]
        self.columns = [(c.name, db, js, self._default(c))
                        for c, (db, js, _t) in zip(columns, codecs, strict=True)]
        self.mirror = Table(table.name, mirrors,
                            *[Column(c.name, t) for c, (_d, _j, t) in zip(columns, codecs,
                                                                        strict=True)])
        self.key_names = [c.name for c in table.primary_key.columns]
        self.uuid_key = (len(self.key_names) == 1
                         and isinstance(table.primary_key.columns[0].type, UUIDBytes))

    @staticmethod
    def _default(column: Column[Any]) -> Any:
        default = column.default
        if default is not None and default.is_scalar:
            return getattr(default, "arg", None)
        return None

    def encode(self, row: Row) -> Row:
        return {name: db(row.get(name, default)) for name, db, _js, default in self.columns}

    def payload(self, row: Row) -> Row:
        return {name: js(row.get(name, default)) for name, _db, js, default in self.columns}

    def key(self, row: Row) -> bytes:
        """The outbox entity key, as change capture forms it (``changes._key_bytes``)."""
        if self.uuid_key:
            value: uuid.UUID = row[self.key_names[0]]
            return value.bytes
        return dumps({"key": [to_json_value(row[k]) for k in self.key_names]}).encode()


class BulkWriter:
    """Queues rows and writes them in big batches over a few transactions.

    Use as a context manager. ``checkpoint(moment)`` tells it the simulated time of the
    history being written, which stamps the next transaction (its audit entries, outbox rows
    and HLC). ``before_commit`` hooks run at every commit, after the last flush.
    """

    def __init__(self, ctx: ServiceContext, clock: DemoClock) -> None:
        self.ctx = ctx
        self.clock = clock
        dialect = ctx.db.writer.dialect
        mirrors = MetaData()
        self.codecs = {t.name: TableCodec(t, dialect, mirrors)
                       for t in m.Base.metadata.sorted_tables}
        # Parents before children, so every foreign key points at a row already written.
        self.order = [t.name for t in m.Base.metadata.sorted_tables]
        self.queued: dict[str, list[Row]] = defaultdict(list)
        self.queued_rows = 0
        self.numbers: dict[DocKind, int] = {}
        self.site_code = ""
        self.before_commit: list[Callable[[], None]] = []
        self._stack: ExitStack | None = None
        self._uow: UnitOfWork | None = None
        self._outbox_in_transaction = 0

    # --- transactions ---------------------------------------------------------------------

    def __enter__(self) -> BulkWriter:
        self._begin()
        self.site_code = self.uow.site_code
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.flush()
            self._commit(begin_next=False)
        else:  # the open transaction is rolled back; those before it stay committed
            self._end(exc_type, exc, tb)

    @property
    def uow(self) -> UnitOfWork:
        assert self._uow is not None, "use BulkWriter as a context manager"
        return self._uow

    @property
    def connection(self) -> Connection:
        return self.uow.session.connection()

    def _begin(self) -> None:
        self._stack = ExitStack()
        self._uow = self._stack.enter_context(self.ctx.transaction())
        self._outbox_in_transaction = 0

    def _end(self, exc_type: type[BaseException] | None, exc: BaseException | None,
             tb: TracebackType | None) -> None:
        stack, self._stack, self._uow = self._stack, None, None
        if stack is not None:
            stack.__exit__(exc_type, exc, tb)

    def _commit(self, begin_next: bool = True) -> None:
        for hook in self.before_commit:
            hook()
        self._save_numbers()
        self._end(None, None, None)
        if begin_next:
            self._begin()

    def checkpoint(self, moment: datetime) -> None:
        """The history written next happens at ``moment``: the next transaction says so."""
        self.clock.advance_to(moment)

    # --- rows -------------------------------------------------------------------------------

    def add(self, table: str, row: Row) -> None:
        self.queued[table].append(row)
        self.queued_rows += 1
        if self.queued_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write everything queued, parents first, with outbox and audit; commit if the
        transaction has grown large."""
        if not self.queued_rows:
            return
        for name in self.order:
            rows = self.queued.pop(name, None)
            if rows:
                self._write(self.codecs[name], rows)
        self.queued_rows = 0
        if self._outbox_in_transaction >= COMMIT_AFTER_OUTBOX_ROWS:
            self._commit()

    def upsert(self, table: str, rows: Sequence[Row], keys: Sequence[str]) -> None:
        """Insert or overwrite rows of a local table (no outbox: it is not synced)."""
        codec = self.codecs[table]
        if codec.synced:
            raise ValueError(f"{table} is synced: changes to it need outbox rows")
        if not rows:
            return
        statement = sqlite_insert(codec.mirror)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={c.name: statement.excluded[c.name] for c in codec.mirror.columns
                  if c.name not in keys})
        self.connection.execute(statement, [codec.encode(row) for row in rows])
        self.uow.audit("demo_bulk_upsert", table, None, count=len(rows))

    def _write(self, codec: TableCodec, rows: list[Row]) -> None:
        connection = self.connection
        connection.execute(insert(codec.mirror), [codec.encode(row) for row in rows])
        if codec.synced:
            outbox = self.codecs["outbox"]
            changes = self.uow.changes
            # The owner builds its whole network's history: only another role's is checked.
            check = not self.uow.guard.actor.is_owner
            ops = [outbox.encode(changes.outbox_row(codec.name, codec.key(row), "insert",
                                                    codec.payload(row), check=check))
                   for row in rows]
            connection.execute(insert(outbox.mirror), ops)
            self._outbox_in_transaction += len(ops)
        self.uow.audit("demo_bulk_insert", codec.name, None, count=len(rows))

    # --- document numbers -----------------------------------------------------------------

    def next_number(self, kind: DocKind) -> str:
        """The site's next number of ``kind``; the counter is saved when the writer closes."""
        if kind not in self.numbers:
            self.numbers[kind] = self._last_number(kind)
        self.numbers[kind] += 1
        return format_number(self.site_code, kind, self.numbers[kind])

    def _last_number(self, kind: DocKind) -> int:
        table = m.NumberSequence
        last = self.uow.session.scalar(select(table.last).where(
            table.prefix == self.site_code, table.kind == kind.value))
        return int(last or 0)

    def _save_numbers(self) -> None:
        table = m.NumberSequence
        for kind, last in self.numbers.items():
            where = (table.prefix == self.site_code) & (table.kind == kind.value)
            if self.uow.session.scalar(select(table.last).where(where)) is None:
                self.connection.execute(insert(table).values(
                    prefix=self.site_code, kind=kind.value, last=last))
            else:
                self.connection.execute(update(table).where(where).values(last=last))
