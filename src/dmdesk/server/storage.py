"""The sync server's own store: sites and tokens, the op log, and the ownership index.

It has its own SQLAlchemy metadata (not the desktop's ``Base``): the server keeps a log of
ops, not a copy of a site's tables, so it needs no migrations of the business schema and
works the same on SQLite and PostgreSQL. The tables are created on first open.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)

metadata = MetaData()

# One row per site that may talk to the server. Only a hash of the token is kept.
sites = Table(
    "server_site", metadata,
    Column("code", String(6), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("role", String(10), nullable=False),
    Column("token_hash", String(64), unique=True, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at_ms", BigInteger, nullable=False),
)

# The op log. ``seq`` is the pull cursor; (site, op_id) makes a resent op a no-op.
# BigInteger on PostgreSQL, INTEGER PRIMARY KEY (the rowid) on SQLite.
ops = Table(
    "server_op", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("site", String(6), nullable=False),
    Column("op_id", String(32), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(512), nullable=False),
    Column("op", String(10), nullable=False),
    Column("payload", Text, nullable=False),
    Column("hlc", String(64), nullable=False),
    Column("schema_version", String(40), nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    UniqueConstraint("site", "op_id", name="uq_server_op_site_op_id"),
    # One row's history (GET /v1/row: what the network holds for a row a site was refused).
    Index("ix_server_op_entity", "entity", "entity_id"),
)
# Per writer site: the ops it stored, how many of them insert stock moves, and its highest
# seq, kept in push's transaction, so that GET /v1/digest reads one row a site instead of
# scanning the log (it subtracts only the ops newer than the caller's cursor).
site_counts = Table(
    "server_site_count", metadata,
    Column("site", String(6), primary_key=True),
    Column("changes", BigInteger, nullable=False),
    Column("moves", BigInteger, nullable=False),
    Column("max_seq", BigInteger, nullable=False),
)
# Grouped by an expression: by the column, SQLite walks the (site, op_id) index and looks
# up every row (27 s at 1M ops, against 1.5 s for a plain scan).
COUNT_OPS = (
    "SELECT site || '', COUNT(*), SUM(CASE WHEN entity = 'stock_move' AND op = 'insert' "
    "THEN 1 ELSE 0 END), MAX(seq) FROM server_op GROUP BY site || ''")

# Indexes added after the first release: create_all makes them for a new store only, so an
# existing one gets them at open (both SQLite and PostgreSQL know IF NOT EXISTS).
LATER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_server_op_entity ON server_op (entity, entity_id)",
)

# What the server learns from the ops it stores, to decide what a site may write: who made
# a row, and which site it belongs to (see dmdesk.server.rules). Immutable rows (stock moves)
# are not indexed: nobody may change them, and their location says whose they are.
owners = Table(
    "server_row_owner", metadata,
    Column("entity", String(40), primary_key=True),
    Column("entity_id", String(512), primary_key=True),
    Column("creator", String(6), nullable=False),
    Column("site_id", String(512), nullable=True),       # the site the row belongs to
    Column("peer_site_id", String(512), nullable=True),  # a transfer's receiving site
    Column("parent_id", String(512), nullable=True),     # a line's document
    Column("code", String(512), nullable=True),          # site rows: their code
    Column("kind", String(512), nullable=True),          # site rows: their kind
    # site rows: the site reports its own progress, so it holds its orders' lifecycle
    Column("reports_progress", Boolean, nullable=True),
    # Added with producer scopes (schema migrated at open, see ``_migrate``):
    Column("product_id", String(512), nullable=True),    # the product a row is about
    Column("extra", String(512), nullable=True),         # a second reference (see index.py)
)
Index("ix_server_row_owner_parent", owners.c.parent_id)
Index("ix_server_row_owner_product", owners.c.product_id)
Index("ix_server_op_entity_row", ops.c.entity, ops.c.entity_id)

# A producer's scope (dmdesk.server.scope): the rows it holds, and in what state:
# "live" (gets every change), "frozen" (a work order moved away, kept as it stood), "made" /
# "used" (products its live work orders make / that it only holds or consumes).
scope_rows = Table(
    "server_scope", metadata,
    Column("entity", String(40), primary_key=True),
    Column("entity_id", String(512), primary_key=True),
    Column("site", String(6), primary_key=True),
    Column("state", String(8), nullable=False),
)

# What each producer pulls, in the order it pulls it: ``at_seq`` is the place in the op log
# where the entry belongs (the op's own seq; for a catch-up of older rows, the seq of the op
# that brought them into scope), so a producer's cursor is the op log's seq like anyone's.
# ``kind`` "op" refers to server_op ``seq`` (``payload`` set when projected), "withdraw"
# tells the producer to remove the row (entity, entity_id).
feed = Table(
    "server_feed", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("site", String(6), nullable=False),
    Column("at_seq", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=True),
    Column("kind", String(8), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(512), nullable=False),
    Column("payload", Text, nullable=True),
    Index("ix_server_feed_site_at", "site", "at_seq", "id"),
)

# Columns added to the store's tables since their first release: (table, column), added at
# open to a store made before them. The store has no migrations; these are the whole history.
_ADDED_COLUMNS = ((owners, "reports_progress"),)


def engine_url(db: str) -> str:
    """SQLAlchemy URL for what the user typed: a path, a sqlite:/// URL or postgresql://."""
    if db.startswith(("postgresql://", "postgres://")):
        return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", db)
    if db.startswith(("postgresql+", "sqlite:")):
        return db
    return f"sqlite:///{db}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: pulls read while a push writes. busy_timeout: two writers wait instead of failing.
    # Python's sqlite3 opens transactions lazily; BEGIN IMMEDIATE is issued in ``begin``.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_store(db: str) -> Store:
    url = engine_url(db)
    # psycopg prepares a statement run five times, and PostgreSQL may then keep a generic
    # plan made while server_op was nearly empty: a sequential scan per duplicate check,
    # which made pushes slower with every batch (50 ms at 8,000 ops, 1 s at 20,000).
    connect_args = {"prepare_threshold": None} if url.startswith("postgresql") else {}
    # More pooled connections than uvicorn's 40 worker threads: a burst of requests waits
    # for the database, never for a free connection (which would time out as a 500).
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args,
                           pool_size=10, max_overflow=40)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    counted = inspect(engine).has_table(site_counts.name)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    with engine.begin() as connection:
        for statement in LATER_INDEXES:
            connection.exec_driver_sql(statement)
        if not counted:  # a store from before the counts: counted once, here
            connection.exec_driver_sql(
                f"INSERT INTO {site_counts.name} (site, changes, moves, max_seq) {COUNT_OPS}")
    _migrate(engine)
    return Store(engine)


def _add_missing_columns(engine: Engine) -> None:
    """Bring a store made by an older server up to date (nothing learnt before is lost:
    a new column starts empty, as an op that never said so)."""
    for table, name in _ADDED_COLUMNS:
        present = {c["name"] for c in inspect(engine).get_columns(table.name)}
        if name in present:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=engine.dialect)
        # Two servers starting on one PostgreSQL database at once: the second adds nothing.
        guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
        with engine.begin() as connection:
            connection.execute(text(
                f"ALTER TABLE {table.name} ADD COLUMN {guard}{name} {kind}"))


def _migrate(engine: Engine) -> None:
    """Bring a server database made by an older dmdesk up to date: columns and indexes that
    ``create_all`` does not add to existing tables, and the index fields they hold, re-learnt
    from the op log."""
    present = {c["name"] for c in inspect(engine).get_columns("server_row_owner")}
    added = [c for c in ("product_id", "extra") if c not in present]
    with engine.begin() as connection:
        for column in added:
            connection.execute(text(f"ALTER TABLE server_row_owner ADD COLUMN {column} "
                                    "VARCHAR(512)"))
    for index in (*owners.indexes, *ops.indexes):
        index.create(engine, checkfirst=True)
    if added:
        from dmdesk.server.index import relearn  # the index's rules; imported late (cycle)
        with engine.begin() as connection:
            relearn(connection)


class Store:
    """The engine and the two kinds of transactions the server runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # Pushes of this process queue here, without a deadline; only a writer of another
        # process (an admin command) meets the database's lock and its busy_timeout. Before,
        # three long pushes on a busy machine could wait past busy_timeout: "database is
        # locked", answered with HTTP 500.
        self._writer = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One writer at a time, so that ``seq`` order is commit order.

        A puller that has read up to seq N must never later see a commit with seq < N; with
        concurrent writers on PostgreSQL, a sequence value taken early can commit late. The
        table lock serialises pushes (they are short); SQLite's BEGIN IMMEDIATE does the same.
        """
        with self._writer, self.engine.connect() as connection:
            if self.is_sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield connection
                except BaseException:
                    connection.exec_driver_sql("ROLLBACK")
                    raise
                connection.exec_driver_sql("COMMIT")
                return
            with connection.begin():
                connection.execute(text("LOCK TABLE server_op IN SHARE ROW EXCLUSIVE MODE"))
                yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            if self.is_sqlite:
                connection.exec_driver_sql("BEGIN")
                try:
                    yield connection
                finally:
                    connection.exec_driver_sql("ROLLBACK")
                return
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        self.engine.dispose()

