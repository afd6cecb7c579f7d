"""The quality checks of a work order, in its detail pane: each check with its target and
tolerance, the measured value, and the result; out-of-tolerance results in red. "Add check…"
records a new one (gui.dialogs.quality_check)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.models.rows import DetailRow, RowsModel
from dmdesk.gui.views.detail_widgets import caption, detail_table
from dmdesk.queries.scorecards import CheckRow


class QualityChecksBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quality_checks")
        self.model = RowsModel([self.tr("Check"), self.tr("Operation"), self.tr("Target"),
                                self.tr("Measured"), self.tr("Result")], right=(2, 3),
                               parent=self)
        self.table = detail_table(self.model, self, stretch=0)
        self.table.setObjectName("checks_table")
        self.title = caption(self.tr("Quality checks"), self)
        self.add_button = QPushButton(self.tr("Add &check…"), self)
        self.add_button.setObjectName("add_check")
        self.add_button.setToolTip(self.tr("Record a measurement against its target and "
                                           "tolerance"))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def set_checks(self, checks: list[CheckRow]) -> None:
        failed = sum(1 for c in checks if not c.passed)
        self.title.setText(self.tr("Quality checks ({0}, {1} out of tolerance)").format(
            len(checks), failed) if checks else self.tr("Quality checks (none yet)"))
        self.model.set_rows([self._row(c) for c in checks])

    def _row(self, c: CheckRow) -> DetailRow:
        unit = f" {c.unit}" if c.unit else ""
        target = f"{format_quantity(c.target)} ± {format_quantity(c.tolerance)}{unit}"
        result = self.tr("within tolerance") if c.passed else self.tr("OUT OF TOLERANCE")
        where = str(c.operation_sequence) if c.operation_sequence is not None else ""
        tip = self.tr("Recorded by {0}").format(c.actor) + (f"\n{c.notes}" if c.notes else "")
        return DetailRow((c.name, where, target, f"{format_quantity(c.measured)}{unit}", result),
                         c.id, tip, frozenset() if c.passed else frozenset({0, 3, 4}))
