"""The Documents area through its widgets: an export for one site written where the Save
dialog says and read back by LibreOffice; Cancel leaves no file; job sheets for typed-in
numbers (an unknown one is named, nothing written); the session's documents with Open folder."""

from __future__ import annotations

import gc
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from dmdesk.documents.excel.exports import EXPORT_KINDS
from dmdesk.documents.importing.kind_contacts import FIELDS as CONTACT_FIELDS
from dmdesk.gui.context import GuiContext
from dmdesk.gui.views.documents import DocumentsArea, parse_numbers
from dmdesk.gui.views.documents_export import preset_period
from dmdesk.services import contacts, stock, work_orders
from dmdesk.services.stock import ReceiptLine
from tests.gui.office import sheets_as_csv
from tests.helpers import require_tool
from tests.integration.support import Network


@pytest.fixture
def area(qtbot: QtBot, gctx: GuiContext, net: Network) -> DocumentsArea:
    ctx = gctx.services
    stock.receive(ctx, net.steel, net.hq_stock, 20)   # 20 m x 4.25 = 85.00
    stock.receive(ctx, net.screw, net.hq_stock, 100)  # 100 x 0.05 = 5.00
    stock.receive(ctx, net.steel, net.wh_stock, 7)    # another site: not in an HQ export
    widget = DocumentsArea(gctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def _answer_save(qtbot: QtBot, dialog: object, path: Path) -> None:
    assert isinstance(dialog, QFileDialog)
    dialog.selectFile(str(path))
    dialog.accept()


def _choose(box: object, data: object) -> None:
    index = box.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, data
    box.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_a_site_valuation_export_opens_in_libreoffice_with_the_right_total(
        qtbot: QtBot, area: DocumentsArea, gctx: GuiContext, tmp_path: Path,
        screenshots: Path) -> None:
    panel = area.exports
    assert list(panel.buttons) == list(EXPORT_KINDS)
    _choose(panel.site, "HQ")
    _choose(panel.preset, "All dates")
    assert not panel.date_from.isEnabled()
    qtbot.mouseClick(panel.buttons["valuation"], Qt.MouseButton.LeftButton)
    target = tmp_path / "valuation-hq.xlsx"
    with qtbot.waitSignal(panel.written, timeout=30_000) as written:
        _answer_save(qtbot, panel.dialog, target)
    assert str(target) in written.args[0] and area.message.text() == written.args[0]
    sheets = sheets_as_csv(target, tmp_path)
    assert ["Site", "HQ — Head office workshop"] in sheets["About"]
    rows = sheets["Valuation"]
    assert rows[0][:3] == ["Site", "Site name", "SKU"]
    lines = [r for r in rows[1:] if r[2]]
    assert {r[0] for r in lines} == {"HQ"}
    grand = next(r for r in rows if r[1] == "Grand total")
    assert Decimal(grand[7].replace(",", "")) == Decimal("90.00")
    assert [d.path for d in gctx.documents.items] == [target]
    assert area.recent.list.count() == 1
    area.grab().save(str(screenshots / "documents_area.png"))


def test_the_contacts_button_writes_the_layout_the_contacts_import_reads(
        qtbot: QtBot, area: DocumentsArea, gctx: GuiContext, tmp_path: Path,
        screenshots: Path) -> None:
    contacts.create_contact(gctx.services, name="Atelier Őrség", role="producer",
                            capabilities="cnc", lead_time_days=7, hourly_rate="42.5")
    panel = area.exports
    button = panel.buttons["contacts"]
    assert button.text() == "Contacts…" and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    target = tmp_path / "contacts.xlsx"
    with qtbot.waitSignal(panel.written, timeout=30_000):
        _answer_save(qtbot, panel.dialog, target)
    rows = sheets_as_csv(target, tmp_path)["Contacts"]
    assert rows[0] == [field.label for field in CONTACT_FIELDS]
    assert rows[1][:3] == ["Atelier Őrség", "organisation", "producer"]
    assert rows[1][10:13] == ["cnc", "7", "42.5"]
    area.grab().save(str(screenshots / "documents_area_contacts_export.png"))


# A cancelled export must close its half-written sheets itself: left to the garbage collector
# they raised "I/O operation on closed file" (reported as unraisable exceptions).
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_cancel_stops_an_export_and_leaves_no_file(
        qtbot: QtBot, area: DocumentsArea, gctx: GuiContext, net: Network,
        tmp_path: Path) -> None:
    openpyxl_temp_files = list(ALL_TEMP_FILES)
    # Enough moves for the export to report progress (every 2,000 rows) and so see Cancel.
    stock.receive_many(gctx.services, [ReceiptLine(net.screw, net.hq_stock, 1)] * 4500)
    folder = tmp_path / "out"
    folder.mkdir()
    progress = area.exports.export_to("moves", folder / "moves.xlsx")
    progress.cancel()
    qtbot.waitUntil(lambda: not gctx.runner.busy, timeout=30_000)
    qtbot.waitUntil(lambda: area.exports.buttons["moves"].isEnabled(), timeout=5_000)
    assert list(folder.iterdir()) == []  # neither the workbook nor a temporary file
    assert gctx.documents.items == []
    assert openpyxl_temp_files == ALL_TEMP_FILES  # the sheets' streams deleted, too
    gc.collect()  # any generator left unfinished would complain now, failing the test


def test_job_sheets_for_typed_numbers_and_open_folder(
        qtbot: QtBot, area: DocumentsArea, gctx: GuiContext, net: Network,
        tmp_path: Path) -> None:
    first = work_orders.create_work_order(gctx.services, net.frame, 2, net.hq, "2030-06-30")
    second = work_orders.create_work_order(gctx.services, net.chair, 1, net.hq, "2030-06-30")
    panel = area.sheets
    panel.numbers.setText(f"{first.number.lower()}, HQ-WO-99999")
    with qtbot.waitSignal(panel.printing.failed, timeout=30_000) as failed:
        qtbot.mouseClick(panel.buttons[2], Qt.MouseButton.LeftButton)  # Save as PDF…
    assert "HQ-WO-99999" in failed.args[0] and "HQ-WO-99999" in area.message.text()
    assert panel.printing.dialog is None  # said at once: no file to choose for nothing
    assert list(tmp_path.glob("*.pdf")) == []

    panel.numbers.setText(f"{first.number} {second.number}")
    qtbot.mouseClick(panel.buttons[2], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.printing.done, timeout=30_000):
        _answer_save(qtbot, panel.printing.dialog, tmp_path / "two.pdf")
    text = subprocess.run([require_tool("pdftotext"), str(tmp_path / "two.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert first.number in text and second.number in text and "Lounge chair" in text
    opened: list[QUrl] = []
    area.recent.open_url = lambda url: opened.append(url) or True
    qtbot.mouseClick(area.recent.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]


def test_numbers_and_periods_parse_as_a_user_types_them() -> None:
    assert parse_numbers(" hq-wo-1, HQ-WO-2;HQ-WO-1\nmp1-wo-3 ") == ["HQ-WO-1", "HQ-WO-2",
                                                                     "MP1-WO-3"]
    from datetime import date
    assert preset_period("Last month", date(2026, 3, 15)) == (date(2026, 2, 1),
                                                              date(2026, 2, 28))
    assert preset_period("Last month", date(2026, 1, 5)) == (date(2025, 12, 1),
                                                             date(2025, 12, 31))
    assert preset_period("All dates", date(2026, 1, 5)) == (None, None)


def test_the_period_pickers_reach_the_export(
        qtbot: QtBot, area: DocumentsArea, tmp_path: Path) -> None:
    """Last month holds none of today's moves; a custom period ending today holds all three."""
    from datetime import date

    panel = area.exports
    _choose(panel.preset, "Last month")
    first, last = preset_period("Last month", date.today())
    assert panel.period() == (first, last) and panel.date_from.isEnabled()
    target = tmp_path / "last-month.xlsx"
    qtbot.mouseClick(panel.buttons["moves"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.written, timeout=30_000):
        _answer_save(qtbot, panel.dialog, target)
    panel.date_to.setDate(QDate.currentDate())  # editing a date makes the period custom
    assert panel.preset.currentData() == "Custom"
    custom = tmp_path / "custom.xlsx"
    qtbot.mouseClick(panel.buttons["moves"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.written, timeout=30_000):
        _answer_save(qtbot, panel.dialog, custom)
    old = sheets_as_csv(target, tmp_path)
    assert ["Period", f"{first} to {last} (UTC days, inclusive)"] in old["About"]
    assert len(old["Moves"]) == 1  # the header only
    new = sheets_as_csv(custom, tmp_path)
    assert len(new["Moves"]) == 1 + 3


@pytest.mark.parametrize("kind", ["products", "bom", "contacts", "counts"])
def test_each_import_button_opens_the_wizard_for_its_kind(
        qtbot: QtBot, area: DocumentsArea, kind: str, screenshots: Path) -> None:
    button = area.imports.buttons[kind]
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wizard = area.imports.wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    qtbot.waitUntil(wizard.isVisible, timeout=5_000)
    assert wizard.currentPage() is wizard.source_page
    assert wizard.source_page.kind.currentData() == kind
    assert wizard.state.kind == kind
    if kind == "bom":
        area.grab().save(str(screenshots / "documents_area_imports.png"))
        wizard.grab().save(str(screenshots / "documents_import_wizard_bom.png"))
    wizard.reject()
    assert not wizard.isVisible()


def test_a_narrow_window_keeps_the_period_captions_and_dates_whole(
        qtbot: QtBot, area: DocumentsArea) -> None:
    """At 700 px the row squeezed "To" to "Tc" and cut the dates; the site list gives way."""
    area.show()
    qtbot.waitExposed(area)
    area.resize(700, 700)
    qtbot.waitUntil(lambda: area.width() == 700)
    qtbot.wait(50)  # the layout settles
    panel = area.exports
    for caption in panel.findChildren(QLabel):
        if caption.buddy() in (panel.site, panel.preset, panel.date_from, panel.date_to):
            letters = caption.text().replace("&", "")
            whole = sum(caption.fontMetrics().horizontalAdvance(ch) for ch in letters)
            assert caption.width() >= whole, caption.text()
    for edit in (panel.date_from, panel.date_to):
        assert edit.width() >= edit.sizeHint().width()
