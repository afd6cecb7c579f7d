"""The frame every detail pane beside a list shares: a hint while nothing is selected, and a
page with the record's title (a heading over a line of detail, the pane's buttons beside it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget


def heading_font(widget: QWidget, scale: float = 1.35) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    return font


def stacked_pages(pane: QWidget, hint: str,
                  content: Callable[[], QWidget]) -> tuple[QStackedWidget, QLabel]:
    """Fill ``pane`` with two pages: 0, ``hint`` centred, for while nothing is selected; 1, the
    page ``content`` builds (called after the hint is made, so the tab order is the same)."""
    pages = QStackedWidget(pane)
    label = QLabel(hint, pane)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    pages.addWidget(label)
    pages.addWidget(content())
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(6, 0, 0, 0)
    layout.addWidget(pages)
    return pages, label


def content_page(pane: QWidget) -> tuple[QWidget, QVBoxLayout]:
    """The page that shows a record, and its column layout (edge to edge)."""
    page = QWidget(pane)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    return page, layout


def title_labels(pane: QWidget, page: QWidget, name: str) -> tuple[QLabel, QLabel]:
    """The heading (named ``name``, big and bold in ``pane``'s font) and the line under it."""
    heading = QLabel(page)
    heading.setObjectName(name)
    heading.setFont(heading_font(pane))
    heading.setWordWrap(True)
    return heading, QLabel(page)


def title_bar(heading: QLabel, subheading: QLabel, buttons: Sequence[QWidget]) -> QHBoxLayout:
    """The heading over its subheading, and ``buttons`` at the right, top-aligned."""
    top = QHBoxLayout()
    titles = QVBoxLayout()
    titles.addWidget(heading)
    titles.addWidget(subheading)
    top.addLayout(titles, 1)
    for button in buttons:
        top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    return top
