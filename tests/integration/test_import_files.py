"""Files that are not what an import needs each get a clear answer (a DomainError naming the
problem), never a traceback, and leave the database as it was; and the formats that are fine
(UTF-8 with BOM, Windows-1252, UTF-16 tab-separated, semicolons, a workbook with an About
sheet first) are read whatever their extension says."""

from __future__ import annotations

import resource
import time
import tracemalloc
from pathlib import Path

import pytest

from dmdesk.db.database import Database
from dmdesk.documents.importing import ImportRefusedError, check_file, import_file
from dmdesk.domain.errors import DomainError
from dmdesk.services.context import ServiceContext
from tests.helpers import require_module
from tests.integration.import_files import (
    truncated_xlsx,
    write_csv,
    write_encrypted_xlsx,
    write_ods_like,
    write_xlsx,
)
from tests.integration.support import Network, count_rows, db_fingerprint

HEADER = ("SKU", "Name", "Unit", "Standard cost")
ROWS = [HEADER, ("NEW-1", "Walnut board", "m2", "12.50"), ("NEW-2", "Brass hinge", "pcs", "3")]


def _refused(db: Database, path: Path, kind: str = "products") -> str:
    before = db_fingerprint(db)
    with pytest.raises(DomainError) as caught:
        check_file(db, kind, path)
    with pytest.raises(DomainError) as caught_again:
        import_file(ServiceContext(db, actor="tester"), kind, path)
    assert str(caught.value) == str(caught_again.value)
    assert db_fingerprint(db) == before
    return str(caught.value)


def test_an_empty_file(db: Database, tmp_path: Path) -> None:
    for name, data in (("empty.csv", b""), ("blank.xlsx", b"\n \r\n\t")):
        path = tmp_path / name
        path.write_bytes(data)
        assert f"{name} is empty" in _refused(db, path)


def test_a_file_that_is_not_a_spreadsheet(db: Database, tmp_path: Path) -> None:
    pdf = tmp_path / "products.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    assert "is a PDF document, not a spreadsheet" in _refused(db, pdf)
    binary = tmp_path / "products.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "not a spreadsheet" in _refused(db, binary)
    ods = write_ods_like(tmp_path / "products.ods")
    assert "OpenDocument spreadsheet (.ods)" in _refused(db, ods)
    docx = tmp_path / "letter.xlsx"
    import zipfile
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "text document, not a spreadsheet" in _refused(db, docx)
    cut = truncated_xlsx(tmp_path / "cut.xlsx", ROWS)
    assert "damaged" in _refused(db, cut) or "cannot be read" in _refused(db, cut)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "is a folder" in _refused(db, folder)
    assert "There is no file" in _refused(db, tmp_path / "missing.csv")


def test_a_password_protected_workbook(db: Database, tmp_path: Path) -> None:
    require_module("msoffcrypto")
    path = write_encrypted_xlsx(tmp_path / "secret.xlsx", ROWS, "s3cret")
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # really a CFB container now
    message = _refused(db, path)
    assert "secret.xlsx is password-protected (encrypted)" in message
    assert "remove the password" in message


def test_an_old_binary_workbook(db: Database, tmp_path: Path) -> None:
    # The CFB signature without an EncryptionInfo stream: what an Excel 97-2003 .xls starts as.
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 +
                     "Workbook".encode("utf-16-le") + b"\x00" * 1000)
    assert "old Excel 97-2003 (.xls)" in _refused(db, path)


def test_a_file_with_no_header(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "noheader.csv", ROWS[1:])
    message = _refused(db, path)
    assert "has no header row" in message and "'NEW-1'" in message
    assert "SKU, Name, Unit" in message
    only_blank = write_xlsx(tmp_path / "blank-rows.xlsx", [(None, None), ("", "  ")])
    assert "has no rows" in _refused(db, only_blank)


def test_the_format_comes_from_the_content_not_the_name(db: Database, network: Network,
                                                        tmp_path: Path) -> None:
    workbook_named_csv = write_xlsx(tmp_path / "really-a-workbook.csv", ROWS)
    csv_named_xlsx = write_csv(tmp_path / "really-text.xlsx", ROWS)
    for path in (workbook_named_csv, csv_named_xlsx):
        result = check_file(db, "products", path)
        assert result.ok and result.rows == 2, result.problems


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t"), ("utf-8", "|")])
def test_csv_encodings_and_separators(db: Database, tmp_path: Path, encoding: str,
                                      delimiter: str) -> None:
    rows = [HEADER, ("NEW-1", "Café table – oak", "pcs", "1.5")]
    path = write_csv(tmp_path / "p.csv", rows, delimiter=delimiter, encoding=encoding)
    result = import_file(ServiceContext(db, actor="tester"), "products", path)
    assert result.rows == 1
    with db.read_session() as session:
        from sqlalchemy import text
        assert session.execute(text("SELECT name FROM product")).scalar_one() == \
            "Café table – oak"


def test_a_workbook_with_an_about_sheet_first(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", ROWS, title="Products", about_first=True)
    result = check_file(db, "products", path)
    assert result.ok and result.sheet == "Products" and result.rows == 2


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_of_100000_rows(db: Database, tmp_path: Path, fmt: str) -> None:
    """Streamed: checked with bounded memory, a clear answer (every bad row counted, a few
    kept), and nothing written because of the one bad row at the end."""
    def rows(bad_last: bool):  # type: ignore[no-untyped-def]
        yield HEADER
        for i in range(100_000):
            unit = "bogus" if bad_last and i == 99_999 else "pcs"
            yield (f"SKU-{i:06d}", f"Product {i}", unit, f"{i % 97}.25")
    writer = write_csv if fmt == "csv" else write_xlsx
    good = writer(tmp_path / f"good.{fmt}", rows(False))
    bad = writer(tmp_path / f"bad.{fmt}", rows(True))
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    seen: list[int] = []
    tracemalloc.start()
    try:
        result = check_file(db, "products", good,
                            progress=lambda done, total, t: seen.append(done))
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    checked = time.perf_counter() - started
    assert result.ok and result.rows == 100_000 and result.summary == "100000 products"
    assert seen[-1] == 100_000 and len(seen) > 100  # progress along the way
    before = db_fingerprint(db)
    with pytest.raises(ImportRefusedError) as refused:
        import_file(ServiceContext(db, actor="tester"), "products", bad)
    assert refused.value.count == 1
    assert str(refused.value.problems[0]).startswith("row 100001, column 'Unit': unknown unit")
    assert db_fingerprint(db) == before and count_rows(db, "product") == 0
    grew = _peak_rss_mb() - rss_before
    print(f"\n{fmt}: 100,000 rows checked in {checked:.1f} s with tracemalloc on "
          f"({100_000 / checked:,.0f} rows/s); Python allocations peaked at {traced_peak:.1f} "
          f"MB; peak RSS grew {grew:.0f} MB")
    # The rows are streamed: what grows is the index of SKUs seen (to find duplicates), about
    # 100 bytes a row, not the rows themselves (a list of 100,000 parsed rows is ~100 MB).
    assert traced_peak < 40
    assert grew < 150
