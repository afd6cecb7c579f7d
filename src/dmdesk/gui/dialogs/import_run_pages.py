"""The import wizard's last pages: check every row (nothing written), then import on the worker.

Both run on the task runner with a progress dialog that can be cancelled; a cancelled check or
import leaves the database untouched (the import's one transaction is rolled back).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from dmdesk.documents.importing import (
    ImportRefusedError,
    ImportResult,
    Problem,
    check_file,
    import_file,
    write_problems_csv,
)
from dmdesk.domain.errors import DomainError
from dmdesk.gui.dialogs.import_pages import WizardPage
from dmdesk.gui.models.problems import ProblemsModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.palette import ERROR_STYLE
from dmdesk.gui.tasks import Progress, TaskCancelledError

if TYPE_CHECKING:
    from dmdesk.gui.dialogs.import_wizard import ImportWizard


def _problems_view(page: WizardPage, model: ProblemsModel) -> QTableView:
    view = QTableView(page)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(True)
    view.hide()
    return view


class CheckPage(WizardPage):
    """Every row checked against the database; the problems listed; Import only when none."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Check"))
        self.setCommitPage(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = ProblemsModel(self)
        self.view = _problems_view(self, self.model)
        self.save = QPushButton(self.tr("&Save the problems as CSV…"), self)
        self.save.clicked.connect(self._ask_where_to_save)
        self.save.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()  # keeps the summary at the top while the list is hidden

    def initializePage(self) -> None:  # noqa: N802
        state = self.state
        state.checked = None
        self.model.set_problems([])
        self.view.hide()
        self.save.hide()
        self.summary.setStyleSheet("")
        self.summary.setText(self.tr("Checking every row…"))
        self.setSubTitle(self.tr("Every row is checked before anything is written."))
        kind, path, mapping = state.kind, state.path, dict(state.mapping)
        update = state.update
        assert path is not None
        db = self.owner.gctx.db

        def work(progress: Progress) -> ImportResult | None:
            try:
                return check_file(db, kind, path, mapping=mapping,
                                  progress=progress.report, update=update)
            except TaskCancelledError:
                return None

        run_op(self.owner.gctx.runner, work, what="checking an import file",
               parent=self.owner, on_done=self._checked, report=self._failed,
               expected=(DomainError, OSError),
               long=self.tr("Checking {0}…").format(path.name))
        self.completeChanged.emit()

    def _checked(self, result: ImportResult | None) -> None:
        if result is None:
            self.summary.setText(self.tr("The check was cancelled. Go back, or press Cancel."))
            return
        self.state.checked = result
        if result.ok and result.plan is not None:
            self.summary.setText(self.tr(
                "{0} rows checked: no problems. Import {1}, in one step (all or nothing)."
            ).format(f"{result.rows:,}", result.plan.describe(done=False)))
        elif result.ok:
            self.summary.setText(self.tr(
                "{0} rows checked: no problems. Import writes {1} in one step (all or "
                "nothing).").format(f"{result.rows:,}", result.summary))
        else:
            self._show_problems(result.problems, result.problem_count, result.rows)
        self.completeChanged.emit()

    def _show_problems(self, problems: Sequence[Problem], count: int, rows: int) -> None:
        self.summary.setStyleSheet(ERROR_STYLE)
        shown = "" if count <= len(problems) else self.tr(" (the first {0} are listed)").format(
            f"{len(problems):,}")
        self.summary.setText(self.tr(
            "{0} problems in {1} rows{2}. Nothing will be written: correct the file and check "
            "again (Back), or change the columns.").format(f"{count:,}", f"{rows:,}", shown))
        self.model.set_problems(problems)
        self.view.resizeColumnToContents(0)
        self.view.resizeColumnToContents(1)
        self.view.show()
        self.save.show()

    def _ask_where_to_save(self) -> None:
        path = self.state.path
        assert path is not None
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the problems"), str(path.with_name(f"{path.stem}-problems.csv")),
            self.tr("CSV files (*.csv)"))
        if name:
            self.save_problems(Path(name))

    def save_problems(self, target: Path) -> None:
        checked = self.state.checked
        if checked is None:
            return
        try:
            write_problems_csv(target, checked.problems, checked.problem_count)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Save the problems"), str(exc))
            return
        self.owner.gctx.notify(self.tr("Saved the problems to {0}.").format(target))

    def _failed(self, _error: BaseException, message: str) -> None:
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(message)

    def isComplete(self) -> bool:  # noqa: N802
        return self.state.checked is not None and self.state.checked.ok


class ImportPage(WizardPage):
    """The import itself, on the worker; then the lists are refreshed and the result shown."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Import"))
        self.setSubTitle(self.tr("All rows are written in one transaction: Cancel leaves the "
                                 "database as it was."))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = ProblemsModel(self)
        self.view = _problems_view(self, self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addStretch()  # keeps the summary at the top while the list is hidden
        self.done = False

    def initializePage(self) -> None:  # noqa: N802
        self.done = False
        state = self.state
        kind, path, mapping = state.kind, state.path, dict(state.mapping)
        update = state.update
        assert path is not None
        self.summary.setText(self.tr("Importing {0}…").format(path.name))
        services = self.owner.gctx.services

        def work(progress: Progress) -> ImportResult | None:
            try:
                return import_file(services, kind, path, mapping=mapping,
                                   progress=progress.report, update=update)
            except TaskCancelledError:
                return None

        run_op(self.owner.gctx.runner, work, what="importing a file", parent=self.owner,
               on_done=self._imported, report=self._failed, expected=(DomainError, OSError),
               unexpected=self.tr("Nothing was imported: {0}"),
               long=self.tr("Importing {0}…").format(path.name))

    def _finish(self, text: str, error: bool = False) -> None:
        self.done = True
        self.summary.setText(text)
        self.summary.setStyleSheet(ERROR_STYLE if error else "")
        self.completeChanged.emit()

    def _imported(self, result: ImportResult | None) -> None:
        if result is None:
            self._finish(self.tr("The import was cancelled; nothing was written."), True)
            return
        self.state.result = result
        if result.plan is not None:
            message = self.tr("Imported {0}: {1}.").format(
                result.path.name, result.plan.describe(done=True))
        else:
            message = self.tr("Imported {0} from {1}.").format(result.summary,
                                                                result.path.name)
        self._finish(message + " " + self.tr("Took {0:.1f} s; the lists show them now.").format(
            result.seconds))
        self.owner.gctx.notify(message)  # the operation announced what it changed

    def _failed(self, error: BaseException, message: str) -> None:
        if isinstance(error, ImportRefusedError):
            # The database changed since the check (another window, a sync).
            self.model.set_problems(error.problems)
            self.view.show()
        if isinstance(error, DomainError | OSError):  # an unexpected one came in the template
            message = self.tr("Nothing was imported: {0}").format(message)
        self._finish(message, True)

    def isComplete(self) -> bool:  # noqa: N802
        return self.done
