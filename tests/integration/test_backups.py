"""Backups that suit a large file: at most one a day, none when nothing changed, kept by age
(7 daily, 4 weekly), a whole and consistent copy, a folder of the user's choosing, and a clear
refusal when that folder cannot be used. Real database files throughout; the clock is a
parameter (``now``), so days pass without sleeping."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from dmdesk import cli
from dmdesk.db.backup import STAMP_FORMAT, backup_dir_for, list_backups
from dmdesk.db.backup_daily import daily_backup, rotating_backup
from dmdesk.db.database import Database, open_database
from dmdesk.domain.backup_retention import stamps_to_keep
from dmdesk.services import stock
from dmdesk.services.backups import BackupFolderError, backup_folder, set_backup_folder
from dmdesk.services.context import ServiceContext
from tests.integration.conftest import ACTOR, copy_database
from tests.integration.support import Network, build_network

DAY1 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _closed_network_db(migrated_template: Path, path: Path) -> Network:
    db = copy_database(migrated_template, path)
    try:
        return build_network(ServiceContext(db, actor=ACTOR))
    finally:
        db.close()


def _receive(path: Path, network: Network, quantity: str = "5") -> None:
    """A change made the way the app makes one: open, write through a service, close."""
    db = open_database(path)
    try:
        stock.receive(ServiceContext(db, actor=ACTOR), network.steel, network.hq_stock,
                      Decimal(quantity))
    finally:
        db.close()


def _backups(path: Path) -> list[Path]:
    return [b.path for b in list_backups(backup_dir_for(path), path.stem)]


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
    connection.close()
    return rows


def test_opening_twice_in_a_day_writes_one_backup(migrated_template: Path,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    network = _closed_network_db(migrated_template, path)
    first = daily_backup(path, now=DAY1)
    assert first.written is not None and first.written.name.startswith("shop-20260310T0900")
    _receive(path, network)  # changed since, but the day has its backup
    second = daily_backup(path, now=DAY1 + timedelta(hours=8))
    assert second.written is None and "one of today" in second.skipped
    assert _backups(path) == [first.written]
    # The next day the change is backed up.
    third = daily_backup(path, now=DAY1 + timedelta(days=1))
    assert third.written is not None and len(_backups(path)) == 2


def test_an_unchanged_database_writes_no_backup(migrated_template: Path,
                                                tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    network = _closed_network_db(migrated_template, path)
    assert daily_backup(path, now=DAY1).written is not None
    # Opened and read the next day, as the app does, but nothing written: no new backup.
    db = open_database(path)
    with db.read_session() as session:
        session.execute(text("SELECT COUNT(*) FROM product"))
    db.close()
    skipped = daily_backup(path, now=DAY1 + timedelta(days=1))
    assert skipped.written is None and "unchanged" in skipped.skipped
    assert len(_backups(path)) == 1
    # A write, even one still in the WAL of a database open elsewhere, counts as a change.
    db = open_database(path)
    try:
        stock.receive(ServiceContext(db, actor=ACTOR), network.steel, network.hq_stock,
                      Decimal("1"))
        assert daily_backup(path, now=DAY1 + timedelta(days=2)).written is not None
    finally:
        db.close()
    assert len(_backups(path)) == 2


def test_the_backup_is_a_valid_database_with_the_same_rows(migrated_template: Path,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    network = _closed_network_db(migrated_template, path)
    _receive(path, network, "12.5")
    db = open_database(path)  # open while the copy is taken, as in the app
    try:
        written = daily_backup(path, now=DAY1).written
    finally:
        db.close()
    assert written is not None
    with sqlite3.connect(written) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert _rows(written) == _rows(path)
    assert _rows(written)["stock_move"]  # not an empty copy
    assert not list(written.parent.glob("*.partial"))


def test_retention_keeps_seven_daily_and_four_weekly(migrated_template: Path,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    network = _closed_network_db(migrated_template, path)
    today = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    seed = rotating_backup(path, "daily", now=today - timedelta(days=90))
    folder = seed.parent
    older = [today - timedelta(days=d, hours=h) for d in range(1, 60) for h in (0, 5)]
    for stamp in older:  # two backups a day over two months, older than today
        name = f"shop-{stamp.strftime(STAMP_FORMAT)}-daily.sqlite"
        shutil.copyfile(seed, folder / name)
    _receive(path, network)
    made = daily_backup(path, now=today)
    assert made.written is not None
    kept = {b.stamp for b in list_backups(folder, "shop")}
    everything = {*older, today, today - timedelta(days=90)}
    assert kept == stamps_to_keep(everything)
    days = sorted({stamp.astimezone().date() for stamp in kept}, reverse=True)
    assert len(kept) <= 11 and len(days) == len(kept)  # one a day at most
    assert days[:7] == [(today - timedelta(days=d)).astimezone().date() for d in range(7)]
    weeks = {stamp.astimezone().isocalendar()[:2] for stamp in kept}
    assert len(weeks) == 4 and made.usage.count == len(kept)
    assert made.usage.total_bytes == sum(p.stat().st_size for p in folder.glob("shop-*.sqlite"))


def test_the_chosen_folder_holds_later_backups(db: Database, tmp_path: Path) -> None:
    ctx = ServiceContext(db, actor=ACTOR)
    chosen = tmp_path / "nas" / "dmdesk"
    assert set_backup_folder(ctx, str(chosen)) == chosen
    assert backup_folder(db) == chosen and chosen.is_dir()
    assert daily_backup(db.path, now=DAY1).written is not None
    assert len(list(chosen.glob("dmdesk-*-daily.sqlite"))) == 1
    assert not backup_dir_for(db.path).exists()
    # Back beside the database.
    assert set_backup_folder(ctx, "") == backup_dir_for(db.path)


def test_a_bad_folder_is_refused_with_a_clear_message(db: Database, tmp_path: Path) -> None:
    ctx = ServiceContext(db, actor=ACTOR)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(BackupFolderError, match=r"a-file.*is a file, not a folder"):
        set_backup_folder(ctx, str(blocker))
    with pytest.raises(BackupFolderError, match="cannot be created"):
        set_backup_folder(ctx, str(blocker / "backups"))
    assert backup_folder(db) == backup_dir_for(db.path)  # the setting stayed as it was
    # A folder that was fine when chosen and is not any more (a drive unplugged).
    later = tmp_path / "usb"
    set_backup_folder(ctx, str(later))
    later.rmdir()
    later.write_text("now a file")
    with pytest.raises(BackupFolderError, match=r"usb is a file, not a folder.*File > Backups"):
        daily_backup(db.path, now=DAY1)


def test_two_databases_of_one_name_do_not_share_a_folder(migrated_template: Path,
                                                         tmp_path: Path) -> None:
    shared = tmp_path / "backups"
    first, second = tmp_path / "a" / "dmdesk.sqlite", tmp_path / "b" / "dmdesk.sqlite"
    for path in (first, second):
        copy_database(migrated_template, path).close()
    assert daily_backup(first, folder=shared, now=DAY1).written is not None
    with pytest.raises(BackupFolderError, match="already holds the backups of"):
        daily_backup(second, folder=shared, now=DAY1)
    assert len(list(shared.glob("dmdesk-*.sqlite"))) == 1


def test_cli_backs_up_into_a_folder_and_sets_it(db: Database, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    db.close()
    target = tmp_path / "elsewhere"
    assert cli.main(["db", "backup", "--db", str(db.path), "--folder", str(target)]) == 0
    assert "1 backup(s) of it in" in capsys.readouterr().out
    assert len(list(target.glob("dmdesk-*-manual.sqlite"))) == 1
    assert cli.main(["settings", "set", "backup_folder", str(target), "--db", str(db.path)]) == 0
    assert cli.main(["db", "backup", "--db", str(db.path)]) == 0
    # Both manual copies of today: the newest of the day is kept.
    assert len(list(target.glob("dmdesk-*-manual.sqlite"))) == 1
    (tmp_path / "a-file").write_text("x")
    assert cli.main(["settings", "set", "backup_folder", str(tmp_path / "a-file"),
                     "--db", str(db.path)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
