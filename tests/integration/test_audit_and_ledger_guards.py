"""History cannot be edited: the audit chain is hash-linked and checked; the audit log and the
stock ledger refuse UPDATE and DELETE in the database itself, whatever code runs against it."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from dmdesk.db.audit import GENESIS_HASH, audit_hash, audit_record
from dmdesk.db.database import Database
from dmdesk.services import stock
from dmdesk.services.context import ServiceContext
from tests.integration.support import (
    Network,
    audit_chain_problems,
    audit_entries,
    checkpoint,
    raw_connection,
)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def history(ctx: ServiceContext, network: Network) -> Network:
    stock.receive(ctx, network.steel, network.hq_stock, 10)
    stock.issue(ctx, network.steel, network.hq_stock, 4)
    return network


def test_entries_are_hash_linked(ctx: ServiceContext, history: Network) -> None:
    entries = audit_entries(ctx.db)
    assert len(entries) > 20
    assert entries[0].prev_hash == GENESIS_HASH
    for before, entry in itertools.pairwise(entries):
        assert entry.seq == before.seq + 1
        assert entry.prev_hash == before.hash
    for entry in entries:
        assert entry.hash == audit_hash(entry.prev_hash, audit_record(entry))
        assert entry.actor == "tester"
        assert entry.at.tzinfo is not None
        json.loads(entry.details)
    assert audit_chain_problems(ctx.db) == []


def test_the_hash_covers_every_recorded_field(ctx: ServiceContext, history: Network) -> None:
    entry = audit_entries(ctx.db)[-1]
    record = audit_record(entry)
    for name, changed in (("actor", "mallory"), ("action", "receipt"), ("site", "XX"),
                          ("details", "{}"), ("at", "2000-01-01T00:00:00+00:00"),
                          ("entity", "site"), ("entity_id", None)):
        assert audit_hash(entry.prev_hash, {**record, name: changed}) != entry.hash, name


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
    "DELETE FROM audit_log WHERE seq = 3",
    "DELETE FROM audit_log",
])
def test_the_audit_log_refuses_edits(db: Database, history: Network, db_path: Path,
                                     statement: str) -> None:
    checkpoint(db)
    before = audit_entries(db)
    with raw_connection(db_path) as connection, pytest.raises(
            sqlite3.DatabaseError, match="the audit log is append-only"):
        connection.execute(statement)
    assert [(e.seq, e.actor, e.hash) for e in audit_entries(db)] == [
        (e.seq, e.actor, e.hash) for e in before]


@pytest.mark.parametrize("statement", [
    "UPDATE stock_move SET quantity = quantity * 2",
    "UPDATE stock_move SET note = 'edited'",
    "DELETE FROM stock_move",
])
def test_the_stock_ledger_refuses_edits(db: Database, history: Network, db_path: Path,
                                        statement: str) -> None:
    checkpoint(db)
    with raw_connection(db_path) as connection:
        before = connection.execute("SELECT * FROM stock_move ORDER BY id").fetchall()
        with pytest.raises(sqlite3.DatabaseError, match="stock moves are never changed"):
            connection.execute(statement)
        assert connection.execute("SELECT * FROM stock_move ORDER BY id").fetchall() == before


def test_the_ledger_guard_holds_through_sqlalchemy_too(db: Database, history: Network) -> None:
    with pytest.raises(SQLAlchemyDatabaseError, match="post a reversing move instead"), \
            db.write_session() as session:
        session.execute(text("DELETE FROM stock_move"))
    with db.read_session() as session:
        assert session.execute(text("SELECT COUNT(*) FROM stock_move")).scalar_one() == 2


def _tamper(db_path: Path, sql: str) -> None:
    """What someone with the file and a SQLite shell could do: drop the guard, edit history."""
    with raw_connection(db_path) as connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute(sql)
        connection.commit()


@pytest.mark.parametrize(("sql", "expected"), [
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5", "entry 5: hash"),
    ("DELETE FROM audit_log WHERE seq = 5", "entry 6: prev_hash"),
    ("UPDATE audit_log SET details = '{}' WHERE seq = (SELECT MAX(seq) FROM audit_log)",
     "hash does not match"),
])
def test_an_edit_of_history_is_detected(db: Database, history: Network, db_path: Path,
                                        sql: str, expected: str) -> None:
    checkpoint(db)
    _tamper(db_path, sql)
    problems = audit_chain_problems(db)
    assert problems and expected in problems[0]


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5",
    "DELETE FROM audit_log WHERE seq = 5",
])
def test_database_check_reports_a_broken_audit_chain(db: Database, history: Network,
                                                     db_path: Path, sql: str) -> None:
    integrity = pytest.importorskip("dmdesk.queries.integrity")
    assert integrity.check_database(db).ok
    checkpoint(db)
    _tamper(db_path, sql)
    report = integrity.check_database(db)
    assert not report.ok
    assert any("Audit chain broken at entry" in p for p in report.problems)


def test_database_check_reports_a_cache_that_differs_from_the_ledger(
        db: Database, history: Network, db_path: Path) -> None:
    integrity = pytest.importorskip("dmdesk.queries.integrity")
    checkpoint(db)
    with raw_connection(db_path) as connection:
        connection.execute("UPDATE stock_balance SET on_hand = on_hand + 1")
        connection.commit()
    report = integrity.check_database(db)
    assert any("Balance cache differs from the ledger" in p for p in report.problems)
