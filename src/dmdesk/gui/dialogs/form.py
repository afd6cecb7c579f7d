"""Forms that validate as you type and say what is wrong next to the field.

A ``FormDialog`` holds fields, each with a validator that turns the widget's text into a clean
value or raises a DomainError. OK stays disabled while any field is wrong. On OK the form's
``submit`` runs as an operation (gui/ops.py, off the GUI thread); a refusal from the service
is shown next to the field it names, or at the top, and the dialog stays open with the
user's input; anything unexpected is logged and said with the log's path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.errors import DomainError
from dmdesk.gui.crash import failure_message
from dmdesk.gui.ops import run_op, unexpected_text
from dmdesk.gui.palette import ERROR_STYLE, FIELD_ERROR_STYLE
from dmdesk.gui.tasks import TaskRunner

Validator = Callable[[Any], Any]


def _raw(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QDateEdit):
        return widget.date().toPython()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    raise TypeError(f"no reader for {type(widget).__name__}")


@dataclass
class Field:
    name: str
    widget: QWidget
    validate: Validator
    error: QLabel


class FormDialog(QDialog):
    def __init__(self, title: str, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runner = runner
        self.fields: dict[str, Field] = {}
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.hide()
        self.banner.setObjectName("form_error")
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.result_value: Any = None
        self.edited: set[str] = set()
        # Who the form's change notice names as having asked: the screen that opened it,
        # which reloads itself once the form is done.
        self.initiator: object | None = parent

    @property
    def ok_button(self) -> QWidget:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def add_field(self, name: str, label: str, widget: QWidget,
                  validate: Validator = lambda v: v) -> QWidget:
        error = QLabel(self)
        error.setStyleSheet(FIELD_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        error.setObjectName(f"error_{name}")
        widget.setObjectName(name)
        container = QWidget(self)
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        self.form.addRow(label, container)
        self.fields[name] = Field(name, widget, validate, error)
        for signal in ("textChanged", "currentIndexChanged", "dateChanged", "toggled"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(lambda *_, n=name: self._changed(n))
        self.revalidate()
        return widget

    def _changed(self, name: str) -> None:
        self.edited.add(name)
        self.revalidate()

    def values(self) -> dict[str, Any]:
        """The clean values; raises DomainError for the first wrong field."""
        return {name: field.validate(_raw(field.widget)) for name, field in self.fields.items()}

    def revalidate(self) -> bool:
        ok = True
        for field in self.fields.values():
            try:
                field.validate(_raw(field.widget))
            except DomainError as exc:
                ok = False
                # An empty required field is not an error yet while the user has not typed.
                self._show_field_error(field, str(exc) if self._touched(field) else "")
            else:
                self._show_field_error(field, "")
        self.ok_button.setEnabled(ok)
        return ok

    def _touched(self, field: Field) -> bool:
        """Show a field's error once the user has typed in it (emptying it counts) or it
        holds something; a form just opened does not greet the user with red text."""
        return field.name in self.edited or _raw(field.widget) not in ("", None)

    def _show_field_error(self, field: Field, message: str) -> None:
        field.error.setText(message)
        field.error.setVisible(bool(message))

    def show_error(self, error: BaseException, message: str | None = None) -> None:
        """Say a refusal next to the field it names (and at the top); ``message`` is what the
        operation made of the error (an unexpected one logged, with the log's path)."""
        if message is None:
            message = failure_message(error, unexpected_text(), f"the form {self.windowTitle()}")
        name = getattr(error, "field", None)
        if name in self.fields:
            self._show_field_error(self.fields[name], message)
        self.banner.setText(message)
        self.banner.show()
        self.ok_button.setEnabled(True)

    def submit(self, values: dict[str, Any]) -> Any:
        """Runs on the worker thread: call the service. Override."""
        raise NotImplementedError

    def _submit(self) -> None:
        try:
            values = self.values()
        except DomainError as exc:
            self.show_error(exc)
            return
        self.banner.hide()
        # OK stays off until the answer: a refusal turns it back on (show_error), a success
        # closes the form.
        self.ok_button.setEnabled(False)
        run_op(self.runner, lambda _progress: self.submit(values),
               what=f"the form {self.windowTitle()}", parent=self, initiator=self.initiator,
               on_done=self._done, report=self.show_error)

    def _done(self, result: Any) -> None:
        self.result_value = result
        self.accept()


def line_edit(text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setText(text)
    edit.setPlaceholderText(placeholder)
    return edit


def find_data(box: QComboBox, value: object) -> int:
    """``QComboBox.findData`` for any Python value (it cannot match UUIDs: they are wrapped
    Python objects, which a QVariant compares by identity); -1 when no item holds it."""
    return next((i for i in range(box.count()) if box.itemData(i) == value), -1)


def select_data(box: QComboBox, value: object) -> None:
    """Make the item holding ``value`` current (nothing changes when none does)."""
    index = find_data(box, value)
    if index >= 0:
        box.setCurrentIndex(index)


def combo(items: list[tuple[str, Any]], current: Any = None) -> QComboBox:
    box = QComboBox()
    for label, value in items:
        box.addItem(label, value)
    if current is not None:
        select_data(box, current)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box


def right_aligned(edit: QLineEdit) -> QLineEdit:
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def dispose_when_idle(dialog: QDialog, runner: TaskRunner) -> None:
    """Delete a closed dialog once the runner has nothing queued: a form cancelled while its
    submit was still running still gets the result delivered to it (and so says what was
    done) instead of to a deleted object."""
    if not runner.busy:
        dialog.deleteLater()
        return

    def when_idle(busy: bool) -> None:
        if not busy:
            runner.busy_changed.disconnect(when_idle)
            dialog.deleteLater()

    runner.busy_changed.connect(when_idle)


def open_create_form(dialog: FormDialog, notify: Callable[[str], None],
                     message: Callable[[Any], str],
                     on_created: Callable[[Any], None] | None = None) -> None:
    """Show a create form window-modally without blocking; when it has created something
    (its operation announced the change), say so (``message`` of the service's result), call
    ``on_created``, and dispose of the form once the worker is idle."""
    def created() -> None:
        result = dialog.result_value
        notify(message(result))
        if on_created is not None:
            on_created(result)

    dialog.accepted.connect(created)
    dialog.finished.connect(lambda _result: dispose_when_idle(dialog, dialog.runner))
    dialog.open()
