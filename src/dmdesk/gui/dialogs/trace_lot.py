"""Trace a lot: backward (what it is made of: the work order and site that made it, the design
file by hash, the component lots and theirs, down to the receipts of bought lots) and forward
(where it went: its moves, the transfers that carried it, the lots it was built into and
where those went). Two trees, side by side; the trace (queries.traceability) runs on the
worker."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.formatting import display
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import ERROR_STYLE
from dmdesk.gui.tasks import Progress
from dmdesk.queries.traceability import BackwardNode, ForwardNode, LotTrace, find_lot, trace_lot


def _tree(parent: QWidget, name: str, headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget(parent)
    tree.setObjectName(name)
    tree.setHeaderLabels(headers)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    return tree


class TraceLotDialog(QDialog):
    traced = Signal()

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None,
                 lot: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("trace_lot_dialog")
        self.setWindowTitle(self.tr("Trace a lot"))
        self.resize(1150, 600)
        self.gctx = gctx
        self.trace: LotTrace | None = None
        self.lot_edit = QLineEdit(lot, self)
        self.lot_edit.setObjectName("lot_code")
        self.lot_edit.setPlaceholderText(self.tr("Lot code, or SKU/CODE when codes repeat"))
        self.lot_edit.returnPressed.connect(self.run_trace)
        go = QPushButton(self.tr("&Trace"), self)
        go.setObjectName("trace")
        go.clicked.connect(self.run_trace)
        self.message = QLabel(self)
        self.message.setObjectName("trace_message")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Lot"), self))
        row.addWidget(self.lot_edit, 1)
        row.addWidget(go)
        self.backward = _tree(self, "trace_backward", [self.tr("Made of"), self.tr("Quantity"),
                                                       self.tr("Made by / came in")])
        self.forward = _tree(self, "trace_forward", [self.tr("Went to"), self.tr("Quantity"),
                                                     self.tr("Where")])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for title, tree in ((self.tr("Backward: what it is made of"), self.backward),
                            (self.tr("Forward: where it went"), self.forward)):
            box = QWidget(splitter)
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(QLabel(title, box))
            layout.addWidget(tree, 1)
            splitter.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        if lot:
            self.run_trace()

    def run_trace(self) -> None:
        text, db = self.lot_edit.text().strip(), self.gctx.db
        if not text:
            self._say(self.tr("Type a lot code to trace."))
            return

        def trace(_progress: Progress) -> LotTrace:
            with db.read_session() as session:
                return trace_lot(session, find_lot(session, text).lot_id)

        self.message.setText(self.tr("Tracing…"))
        self.message.setStyleSheet("")
        run_op(self.gctx.runner, trace, what="tracing a lot", parent=self, on_done=self._show,
               report=lambda _error, message: self._say(message),
               unexpected=self.tr("Could not trace: {0}"),
               long=self.tr("Tracing {0}").format(text))

    def _say(self, problem: str) -> None:
        self.message.setText(problem)
        self.message.setStyleSheet(ERROR_STYLE)

    def _show(self, trace: LotTrace) -> None:
        self.trace = trace
        self.message.setText(self.tr("{0} — {1}").format(trace.lot.label, trace.lot.product_name))
        for tree, root in ((self.backward, self._backward_item(trace.backward)),
                           (self.forward, self._forward_item(trace.forward))):
            tree.clear()
            tree.addTopLevelItem(root)
            tree.expandAll()
            for column in range(tree.columnCount()):
                tree.resizeColumnToContents(column)
        self.traced.emit()

    def _backward_item(self, node: BackwardNode) -> QTreeWidgetItem:
        origin = node.origin
        if origin is not None:
            design = (self.tr(", design {0} ({1})").format(origin.design_name,
                                                           origin.design_sha256[:12])
                      if origin.design_sha256 else "")
            made = self.tr("made by {0} at {1}{2}").format(origin.number, origin.site_code,
                                                           design)
        else:
            made = "; ".join(self.tr("received {0} at {1} ({2})").format(
                display(r.at, "datetime"), r.site_code, r.reference) for r in node.receipts) \
                or self.tr("bought (no receipt found)")
        item = QTreeWidgetItem([node.lot.label, self._qty(node.quantity), made])
        item.setToolTip(2, made)
        item.addChildren([self._backward_item(child) for child in node.components])
        return item

    def _forward_item(self, node: ForwardNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.lot.label, self._qty(node.quantity), ""])
        for move in node.moves:
            item.addChild(QTreeWidgetItem([
                self.tr("{0} {1}").format(move.reason.replace("_", " "), move.reference),
                format_quantity(move.quantity),
                f"{move.site_code} {move.location_code} · {display(move.at, 'datetime')}"]))
        for transfer in node.transfers:
            item.addChild(QTreeWidgetItem([
                self.tr("transfer {0}").format(transfer.number), format_quantity(
                    transfer.quantity), self.tr("{0} → {1} ({2})").format(
                    transfer.from_site, transfer.to_site, transfer.state)]))
        item.addChildren([self._forward_item(parent) for parent in node.used_in])
        return item

    @staticmethod
    def _qty(value: object) -> str:
        return "" if value is None else format_quantity(value)  # type: ignore[arg-type]
