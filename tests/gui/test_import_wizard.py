"""The import wizard driven like a person would: choose the kind and a real file, look at the
preview, fix a column the guess missed, read the check, import, and find the rows in the
database; a bad file shows every problem on the check page and writes nothing."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QProgressDialog, QPushButton, QWizard
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from dmdesk.db import models as m
from dmdesk.documents.importing import Problem
from dmdesk.gui.app import build_window
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.import_wizard import ImportWizard, open_import_wizard
from dmdesk.gui.models.problems import ProblemsModel
from dmdesk.gui.views.stock import StockArea
from tests.integration.import_files import write_csv, write_xlsx
from tests.integration.support import Network, db_fingerprint

WAIT_MS = 20_000


def _shot(wizard: ImportWizard, folder: Path, name: str) -> None:
    assert wizard.grab().save(str(folder / f"import-{name}.png"))


def _start(qtbot: QtBot, gctx: GuiContext, path: Path, kind: str) -> ImportWizard:
    wizard = open_import_wizard(gctx, None, kind=kind)
    qtbot.addWidget(wizard)
    assert wizard.source_page.kind.currentData() == kind
    qtbot.keyClicks(wizard.source_page.path, str(path))
    return wizard


def _next(qtbot: QtBot, wizard: ImportWizard, page: object) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    if wizard.currentPage().isCommitPage():
        button = wizard.button(QWizard.WizardButton.CommitButton)
    assert button.isEnabled()
    button.click()
    qtbot.waitUntil(lambda: wizard.currentPage() is page, timeout=WAIT_MS)


def test_import_products_through_the_wizard(qtbot: QtBot, gctx: GuiContext, net: Network,
                                            tmp_path: Path, screenshots: Path) -> None:
    path = write_xlsx(tmp_path / "new-products.xlsx", [
        ("Ref", "Label", "UOM", "Cost", "Lot tracked"),
        ("OAK-BOARD", "Oak board 18 mm", "m2", 31.2, "no"),
        ("HINGE-35", "Cup hinge 35 mm", "pcs", 1.45, "no"),
        ("LINSEED", "Linseed oil", "l", 9.9, "yes"),
    ], title="Products")
    changed: list[str] = []  # "products" once per notice that touched the product table
    gctx.events.changed.connect(
        lambda notice: changed.extend(["products"] if "product" in notice.tables else []))
    wizard = _start(qtbot, gctx, path, "products")
    _shot(wizard, screenshots, "1-source")
    _next(qtbot, wizard, wizard.preview_page)
    assert wizard.preview_page.table.rowCount() == 3
    assert wizard.preview_page.table.item(0, 1).text() == "Oak board 18 mm"
    _shot(wizard, screenshots, "2-preview")
    _next(qtbot, wizard, wizard.columns_page)
    combos = wizard.columns_page.combos
    assert combos["sku"].currentText() == "Ref" and combos["unit"].currentText() == "UOM"
    assert combos["standard_cost"].currentText() == "Cost"
    assert combos["name"].currentText() == "(not imported)"  # "Label" is no synonym
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert "Choose a column for: Name" in wizard.columns_page.missing.text()
    _shot(wizard, screenshots, "3-columns-missing")
    combos["name"].setCurrentIndex(combos["name"].findText("Label"))
    assert wizard.columns_page.missing.isHidden()
    _shot(wizard, screenshots, "3-columns")
    _next(qtbot, wizard, wizard.check_page)
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=WAIT_MS)
    assert "3 rows checked: no problems" in wizard.check_page.summary.text()
    _shot(wizard, screenshots, "4-check")
    with gctx.db.read_session() as session:
        assert session.scalar(select(m.Product).where(m.Product.sku == "OAK-BOARD")) is None
    _next(qtbot, wizard, wizard.import_page)
    qtbot.waitUntil(wizard.import_page.isComplete, timeout=WAIT_MS)
    assert wizard.import_page.summary.text().startswith(
        "Imported 3 products from new-products.xlsx. Took ")
    _shot(wizard, screenshots, "5-done")
    with gctx.db.read_session() as session:
        rows = session.execute(select(m.Product.sku, m.Product.name, m.Product.unit,
                                      m.Product.standard_cost, m.Product.lot_tracked)
                               .where(m.Product.sku.in_(["OAK-BOARD", "HINGE-35", "LINSEED"]))
                               .order_by(m.Product.sku)).all()
    assert [tuple(r) for r in rows] == [
        ("HINGE-35", "Cup hinge 35 mm", "pcs", Decimal("1.45"), False),
        ("LINSEED", "Linseed oil", "l", Decimal("9.9"), True),
        ("OAK-BOARD", "Oak board 18 mm", "m2", Decimal("31.2"), False)]
    assert changed == ["products"]
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.isVisible()


def test_a_bad_file_shows_every_problem_and_writes_nothing(
        qtbot: QtBot, gctx: GuiContext, net: Network, tmp_path: Path,
        screenshots: Path) -> None:
    path = write_csv(tmp_path / "count.csv", [
        ("Site", "Location", "SKU", "Lot", "Counted"),
        ("HQ", "STOCK", "SCREW", "", "250"),
        ("HQ", "STOCK", "SCREW", "", "2.5"),
        ("HQ", "STOCK", "FABRIC", "", "4"),
        ("XX", "STOCK", "STEEL", "", "1"),
        ("HQ", "STOCK", "BOLT", "", "lots"),
    ])
    before = db_fingerprint(gctx.db)
    wizard = _start(qtbot, gctx, path, "counts")
    _next(qtbot, wizard, wizard.preview_page)
    _next(qtbot, wizard, wizard.columns_page)
    _next(qtbot, wizard, wizard.check_page)
    page = wizard.check_page
    qtbot.waitUntil(lambda: page.view.isVisible(), timeout=WAIT_MS)
    assert page.summary.text().startswith("6 problems in 5 rows. Nothing will be written")
    problems = [tuple(page.model.index(r, c).data() for c in range(3))
                for r in range(page.model.rowCount())]
    assert problems == [
        (3, "Counted", "2.5 pcs is not a whole number: 'pcs' is counted in whole units."),
        (3, "SKU", "duplicate count: row 2 counts the same product, location and lot."),
        (4, "Lot", "FABRIC is tracked by lot: give a lot code."),
        (5, "Site", "unknown site code 'XX'. Known: HQ, MP1, WH."),
        (6, "SKU", "unknown SKU 'BOLT'."),
        (6, "Counted", "'lots' is not a number."),
    ]
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    _shot(wizard, screenshots, "4-check-problems")
    assert page.save.isVisible()
    page.save_problems(tmp_path / "problems.csv")
    with (tmp_path / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        saved = list(csv.reader(handle))
    assert saved[0] == ["Row", "Column", "Problem"]
    assert saved[1:] == [[str(r), c, p] for r, c, p in problems]
    wizard.reject()
    assert db_fingerprint(gctx.db) == before


def test_a_file_that_cannot_be_read_is_named_on_the_first_page(
        qtbot: QtBot, gctx: GuiContext, tmp_path: Path, screenshots: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 +
                     "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100)
    wizard = _start(qtbot, gctx, path, "bom")
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.waitUntil(lambda: wizard.source_page.error.isVisible(), timeout=WAIT_MS)
    assert "secret.xlsx is password-protected" in wizard.source_page.error.text()
    assert wizard.currentPage() is wizard.source_page
    _shot(wizard, screenshots, "1-source-error")


def test_file_import_in_the_main_window(qtbot: QtBot, gctx: GuiContext) -> None:
    window, _ = build_window(gctx.db, gctx.runner)
    qtbot.addWidget(window)
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    window.show_area(next(a for a in window.areas if isinstance(a, StockArea)).title)
    window.import_action.trigger()
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible()
    assert wizard.source_page.kind.currentData() == "counts"
    wizard.reject()


def test_cancel_during_the_import_writes_nothing(qtbot: QtBot, gctx: GuiContext,
                                                 tmp_path: Path) -> None:
    rows = [("SKU", "Name", "Unit")] + [(f"P-{i:05d}", f"Part {i}", "pcs") for i in range(6000)]
    path = write_csv(tmp_path / "many.csv", rows)
    before = db_fingerprint(gctx.db)
    wizard = _start(qtbot, gctx, path, "products")
    _next(qtbot, wizard, wizard.preview_page)
    _next(qtbot, wizard, wizard.columns_page)
    _next(qtbot, wizard, wizard.check_page)
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=WAIT_MS)
    _next(qtbot, wizard, wizard.import_page)

    def progress_dialog() -> QProgressDialog | None:
        found = [d for d in wizard.findChildren(QProgressDialog) if d.isVisible()]
        return found[0] if found else None

    def writing() -> bool:  # past the second check (under the write lock), into the writes
        dialog = progress_dialog()
        return dialog is not None and dialog.labelText().startswith("Importing products")

    qtbot.waitUntil(writing, timeout=WAIT_MS)
    dialog = progress_dialog()
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    cancel.click()
    qtbot.waitUntil(wizard.import_page.isComplete, timeout=WAIT_MS)
    assert wizard.import_page.summary.text() == \
        "The import was cancelled; nothing was written."
    assert db_fingerprint(gctx.db) == before


def test_the_problems_model_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = ProblemsModel()
    model.set_problems([Problem(2, "SKU", "unknown SKU 'X'."), Problem(None, "", "whole file")])
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "" and model.index(0, 2).data() == "unknown SKU 'X'."


def test_update_existing_products_through_the_wizard(qtbot: QtBot, gctx: GuiContext,
                                                     net: Network, tmp_path: Path,
                                                     screenshots: Path) -> None:
    path = write_xlsx(tmp_path / "prices.xlsx", [
        ("SKU", "Name", "Unit", "Price"),
        ("CHAIR", "Armchair", "pcs", 279.5),
        ("SCREW", "Screw M6", "pcs", 0.08),
        ("STOOL", "Bar stool", "pcs", 120),
    ], title="Products")
    wizard = _start(qtbot, gctx, path, "products")
    box = wizard.source_page.update_existing
    assert box.isVisible() and not box.isChecked()
    assert box.text() == "&Update products that already exist (matched by SKU)"
    wizard.source_page.kind.setCurrentIndex(wizard.source_page.kind.findData("bom"))
    assert not box.isVisible()
    wizard.source_page.kind.setCurrentIndex(wizard.source_page.kind.findData("products"))
    box.click()
    assert box.isChecked() and wizard.state.update
    _shot(wizard, screenshots, "1-source-update")
    _next(qtbot, wizard, wizard.preview_page)
    _next(qtbot, wizard, wizard.columns_page)
    _next(qtbot, wizard, wizard.check_page)
    qtbot.waitUntil(wizard.check_page.isComplete, timeout=WAIT_MS)
    assert wizard.check_page.summary.text() == (
        "3 rows checked: no problems. Import would create 1 product and update 2 (price: 2, "
        "name: 1), in one step (all or nothing).")
    _shot(wizard, screenshots, "4-check-update")
    _next(qtbot, wizard, wizard.import_page)
    qtbot.waitUntil(wizard.import_page.isComplete, timeout=WAIT_MS)
    assert wizard.import_page.summary.text().startswith(
        "Imported prices.xlsx: created 1 product and updated 2 (price: 2, name: 1). Took ")
    with gctx.db.read_session() as session:
        rows = session.execute(select(m.Product.sku, m.Product.name, m.Product.price)
                               .where(m.Product.sku.in_(["CHAIR", "SCREW", "STOOL"]))
                               .order_by(m.Product.sku)).all()
    assert [tuple(r) for r in rows] == [("CHAIR", "Armchair", Decimal("279.5")),
                                        ("SCREW", "Screw M6", Decimal("0.08")),
                                        ("STOOL", "Bar stool", Decimal("120"))]
