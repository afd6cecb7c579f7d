"""What the Contacts and Sites areas share: a list of records, with a detail pane, that are
created and edited in a form, archived with Del (Ctrl+Z brings them back) and hidden while
archived unless "Show archived" is ticked. Writes run as operations (gui/ops.py), which
announce what they changed to the other areas."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QCheckBox, QPushButton, QVBoxLayout, QWidget

from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import FormDialog
from dmdesk.gui.undo import archive_with_undo
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.list_area import ListArea
from dmdesk.gui.widgets.messages import show_message
from dmdesk.gui.widgets.tables import humanize_columns
from dmdesk.queries.paging import ListSpec
from dmdesk.services.context import ServiceContext


class ArchivableArea(Area):
    name_column = "name"  # the column that names a record in messages

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gctx = gctx
        self.form: FormDialog | None = None
        self._select_first = ""

    def _make_list(self, spec: ListSpec, title: str) -> ListArea:
        """The list, filling the area."""
        self.list = ListArea(self.gctx.db, spec, self, gctx=self.gctx, title=title)
        humanize_columns(self.list.table, spec, tags=("capabilities",))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        return self.list

    def _fill_toolbar(self, filters: Sequence[QWidget], *, new_text: str, new_name: str,
                     new_tip: str, archive_name: str, archive_tip: str,
                     select_first: str) -> None:
        """``filters``, then Show archived, the New… button and Archive; ``select_first`` is
        the note when Archive finds nothing selected."""
        self.archived_box = QCheckBox(self.tr("Show archived"), self)
        self.archived_box.setObjectName("show_archived")
        self.archived_box.toggled.connect(self.set_show_archived)
        new = QPushButton(new_text, self)
        new.setObjectName(new_name)
        new.setToolTip(new_tip)
        new.clicked.connect(self.create_new)
        archive = QPushButton(self.tr("Archive"), self)
        archive.setObjectName(archive_name)
        archive.setToolTip(archive_tip)
        archive.clicked.connect(self.archive_selected)
        for widget in (*filters, self.archived_box, new, archive):
            self.list.toolbar.addWidget(widget)
        self._select_first = select_first

    def _listen(self) -> None:
        """Follow the changes of other areas and syncs; start with the archived records
        hidden."""
        self.follow_changes(self.gctx.events)
        self.set_show_archived(False)

    def set_show_archived(self, show: bool) -> None:
        if self.archived_box.isChecked() != show:
            self.archived_box.setChecked(show)  # comes back here through toggled
            return
        column = [c.key for c in self.list.model.spec.columns].index("archived")
        self.list.table.setColumnHidden(column, not show)
        self.list.model.set_filter("archived", None if show else False)

    def _clear_detail(self) -> None:
        """Show no record in the detail pane."""
        raise NotImplementedError

    @staticmethod
    def _archive_one(services: ServiceContext, record_id: uuid.UUID, archived: bool) -> None:
        """Archive the record, or bring it back (on the worker thread)."""
        raise NotImplementedError

    # --- the Area protocol -----------------------------------------------------------------

    def refresh(self) -> None:
        self.list.refresh()
        if self.list.current_id() is None:
            self._clear_detail()

    def focus_search(self) -> None:
        self.list.focus_search()

    def archive_selected(self) -> None:
        ids = self.list.selected_ids()
        if not ids:
            self.gctx.notify(self._select_first)
            return
        names = ", ".join(self._name_of(record_id) for record_id in ids)
        self.gctx.notify(archive_with_undo(
            self.gctx.undo, self.gctx.runner, names,
            lambda flag: self._set_archived(ids, flag), self._after_write, self,
            report=self._report, on_failed=lambda _error: self.refresh()))

    # --- writing ---------------------------------------------------------------------------

    def _open_form(self, form: FormDialog, done: Callable[[object], None]) -> None:
        """Show ``form`` without blocking; ``done`` gets what its service returned."""
        self.form = form
        form.accepted.connect(lambda: done(form.result_value))
        form.finished.connect(form.deleteLater)
        form.open()

    def _record_saved(self, record_id: object, message: str) -> None:
        self._after_write()
        if isinstance(record_id, uuid.UUID):
            self.list.select_id(record_id)
        self.gctx.notify(message)

    def _set_archived(self, ids: list[uuid.UUID], archived: bool) -> Callable[[], None]:
        services, archive_one = self.gctx.services, self._archive_one

        def run() -> None:  # on the worker thread
            for record_id in ids:
                archive_one(services, record_id, archived)
        return run

    def _after_write(self) -> None:
        """Reload after this area's own operation (its notice names this area, which the
        follower skips: the area reloads here, knowing what to select after)."""
        self.refresh()

    def _report(self, _error: BaseException, message: str) -> None:
        """Say why an operation of this area failed: in the status bar and in a box."""
        self.gctx.notify(message)
        show_message(self, self.title, message)

    def _name_of(self, record_id: uuid.UUID) -> str:
        for row in range(self.list.model.rowCount()):
            if self.list.model.row_id(row) == record_id:
                return str(self.list.model.row_values(row)[self.name_column])
        return str(record_id)
