"""A grid of read-only facts, "caption: value": what a detail pane says about one record (a
site's address, a contact's e-mail, a work order's due date). The values can be selected and
copied; an empty one shows a dash, or hides its pair when the caller says so."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

EMPTY = "—"
CAPTION_STYLE = "color: palette(placeholder-text);"


class FactGrid(QWidget):
    """Facts on a grid of caption/value pairs. One pair a row reads like a form: captions
    right-aligned against their values, the style's spacing. ``pairs_per_row=2`` packs an
    order's facts tight, two pairs a row (a long value may span both): captions left, 10 px
    between columns, 4 between rows. Each value is the QLabel ``values[key]``, named
    ``fact_<key>``."""

    def __init__(self, parent: QWidget | None = None, *, pairs_per_row: int = 1) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self._caption_alignment = Qt.AlignmentFlag.AlignTop
        if pairs_per_row == 1:
            self._caption_alignment |= Qt.AlignmentFlag.AlignRight
        else:
            self.grid.setHorizontalSpacing(10)
            self.grid.setVerticalSpacing(4)
        for pair in range(pairs_per_row):
            self.grid.setColumnStretch(pair * 2 + 1, 1)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}

    @classmethod
    def rows(cls, facts: Sequence[tuple[str, str]], parent: QWidget | None = None) -> FactGrid:
        """One fact a row, in the order given as (key, caption)."""
        grid = cls(parent)
        for row, (key, caption) in enumerate(facts):
            grid.add(key, caption, row)
        return grid

    def add(self, key: str, caption: str, row: int, pair: int = 0, span: int = 1) -> None:
        """The fact ``key`` on ``row``, in the ``pair``-th pair of columns, its value spanning
        ``span`` pairs."""
        label = QLabel(caption, self)
        label.setStyleSheet(CAPTION_STYLE)
        value = QLabel(self)
        value.setObjectName(f"fact_{key}")
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(label, row, pair * 2, self._caption_alignment)
        self.grid.addWidget(value, row, pair * 2 + 1, 1, span * 2 - 1, Qt.AlignmentFlag.AlignTop)
        self.values[key], self.captions[key] = value, label

    def set(self, key: str, text: str, tooltip: str = "", *, hide_empty: bool = False) -> None:
        """Show ``text`` (a dash when empty); with ``hide_empty`` an empty value hides its
        pair and a value shows it again."""
        self.values[key].setText(text or EMPTY)
        self.values[key].setToolTip(tooltip)
        if hide_empty:
            self.show_fact(key, bool(text))

    def show_fact(self, key: str, visible: bool) -> None:
        """Show or hide the pair (a fact that does not apply to this record)."""
        self.values[key].setVisible(visible)
        self.captions[key].setVisible(visible)
