"""File > Import...: a wizard that imports products, BOM lines, contacts or stock counts.

Pages: the kind and the file (for products, whether rows whose SKU exists update them); a
preview of its first rows; the columns (each field's combo box pre-filled by the guess from the
headers); the check, which lists every problem (row, column, reason) before anything is written;
and the import itself, on the task runner's worker with progress and Cancel. Nothing is written
until the check page's Import button, and then all rows or none (see
dmdesk.documents.importing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget, QWizard

from dmdesk.documents.importing import ImportResult, Preview
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.import_pages import ColumnsPage, PreviewPage, SourcePage
from dmdesk.gui.dialogs.import_run_pages import CheckPage, ImportPage


@dataclass
class ImportState:
    """What the pages decide, in order: kind and file, then preview, mapping, check, result."""

    kind: str = "products"
    path: Path | None = None
    preview: Preview | None = None
    mapping: dict[str, int] = field(default_factory=dict)
    update: bool = False  # rows whose key exists update that record (kinds with an updater)
    kinds: tuple[str, ...] = ()  # the kinds offered ((): all); a producer imports counts only
    checked: ImportResult | None = None
    result: ImportResult | None = None


class ImportWizard(QWizard):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None,
                 kind: str | None = None, kinds: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.state = ImportState(kind or (kinds[0] if kinds else "products"), kinds=tuple(kinds))
        self.setWindowTitle(self.tr("Import"))
        self.setObjectName("import_wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Import"))
        self.source_page = SourcePage(self)
        self.preview_page = PreviewPage(self)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        for page in (self.source_page, self.preview_page, self.columns_page, self.check_page,
                     self.import_page):
            self.addPage(page)
        self.resize(860, 600)


def open_import_wizard(gctx: GuiContext, parent: QWidget | None = None,
                       kind: str | None = None, kinds: Sequence[str] = ()) -> ImportWizard:
    """Open the wizard (window-modal, returns at once); ``kind`` preselects what to import,
    ``kinds`` (when given) are the only ones offered."""
    wizard = ImportWizard(gctx, parent, kind, kinds)
    wizard.open()
    return wizard
