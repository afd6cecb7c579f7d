"""The Documents area's Import section: a button per kind of data the app imports from Excel
or CSV, each opening the import wizard with that kind already chosen."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.import_wizard import ImportWizard, open_import_wizard

# (kind, button text): the kinds of dmdesk.documents.importing, with mnemonics the Documents
# area does not use elsewhere.
IMPORTS = (
    ("products", "P&roducts…"),
    ("bom", "&BOM lines…"),
    ("contacts", "Conta&cts…"),
    ("counts", "Stock co&unts…"),
)


class ImportPanel(QGroupBox):
    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.setTitle(self.tr("Import from Excel or CSV"))
        self.wizard: ImportWizard | None = None  # the last one opened
        self.kinds: tuple[str, ...] = ()  # the kinds its wizard offers ((): all)
        hint = QLabel(self.tr("Each import previews the file, lets you match its columns and "
                              "lists every problem before anything is written."), self)
        hint.setWordWrap(True)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for kind, text in IMPORTS:
            button = QPushButton(self.tr(text), self)
            button.setObjectName(f"import_{kind}")
            button.setToolTip(self.tr("Open the import wizard for {0}").format(
                self.tr(text).replace("&", "").rstrip("…").lower()))
            button.clicked.connect(lambda _=False, k=kind: self.open_wizard(k))
            row.addWidget(button)
            self.buttons[kind] = button
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(row)

    def open_wizard(self, kind: str) -> ImportWizard:
        self.wizard = open_import_wizard(self.gctx, self.window(), kind=kind, kinds=self.kinds)
        return self.wizard
