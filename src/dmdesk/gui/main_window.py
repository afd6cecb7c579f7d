"""The main window: a navigation list of areas, each a page of a stacked widget.

Ctrl+1..Ctrl+9 jump to the areas in order; Ctrl+F, Ctrl+N, Del and F5 go to the current area.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from dmdesk.gui.recent import recent_databases
from dmdesk.gui.views.area import Area

STATUS_MS = 8000  # how long a message stays in the status bar


class MainWindow(QMainWindow):
    area_changed = Signal(int)
    import_requested = Signal()  # File > Import... (the composition root opens the wizard)
    backups_requested = Signal()  # File > Backups...
    # The rest of File and Help: the composition root (gui/file_menu.py) answers them.
    new_database_requested = Signal()
    open_requested = Signal()
    open_path_requested = Signal(object)  # a Path from File > Open recent
    save_copy_requested = Signal()
    about_requested = Signal()
    documentation_requested = Signal()
    welcome_requested = Signal()

    def __init__(self, title: str, areas: Sequence[Area], undo: QUndoStack | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = undo or QUndoStack(self)
        self.setWindowTitle(title)
        self.areas = list(areas)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(220)
        self.nav.setSpacing(3)
        self.stack = QStackedWidget(self)
        for number, area in enumerate(self.areas, start=1):
            item = QListWidgetItem(area.title)
            item.setToolTip(self.tr("{0} (Ctrl+{1})").format(area.title, number))
            self.nav.addItem(item)
            self.stack.addWidget(area)
        self.nav.currentRowChanged.connect(self._show_area)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 1090])
        self.setCentralWidget(splitter)
        self._add_shortcuts()
        self._add_menus()
        self.database_label = QLabel(self)
        self.site_label = QLabel(self)
        self.sync_label = QLabel(self)
        self.backup_label = QLabel(self)  # filled once the day's backup is decided
        self.backup_label.setObjectName("backup_status")
        for label in (self.database_label, self.site_label, self.sync_label,
                      self.backup_label):
            self.statusBar().addPermanentWidget(label)
        self.nav.setCurrentRow(0)

    def _add_shortcuts(self) -> None:
        for keys, handler in ((QKeySequence.StandardKey.Find, "focus_search"),
                              (QKeySequence.StandardKey.New, "create_new"),
                              (QKeySequence(Qt.Key.Key_Delete), "archive_selected"),
                              (QKeySequence(Qt.Key.Key_F5), "refresh")):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, name=handler: self._on_current(name))
            self.addAction(action)

    def _add_menus(self) -> None:
        self._add_file_menu()
        edit = self.menuBar().addMenu(self.tr("&Edit"))
        undo = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addAction(undo)
        edit.addAction(redo)
        # The area said "Archived X. Ctrl+Z undoes it."; once undone that would mislead.
        undo.triggered.connect(lambda: self._say_undone(self.tr("Undone: {0}."),
                                                        self.undo_stack.index()))
        redo.triggered.connect(lambda: self._say_undone(self.tr("Redone: {0}."),
                                                        self.undo_stack.index() - 1))
        go = self.menuBar().addMenu(self.tr("&Go"))
        for number, area in enumerate(self.areas, start=1):
            # "&" in a menu text marks the access key: "Sites & producers" showed as
            # "Sites _producers" (P underlined) unless doubled.
            action = go.addAction(area.title.replace("&", "&&"))
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, row=number - 1: self.nav.setCurrentRow(row))
        self._add_help_menu()

    def _add_file_menu(self) -> None:
        file = self.menuBar().addMenu(self.tr("&File"))
        self.file_menu = file
        # Ctrl+N is the current area's "new" (product, order...): a new database is rarer.
        self.new_database_action = self._item(file, self.tr("&New database…"),
                                              self.new_database_requested, "Ctrl+Shift+N")
        self._item(file, self.tr("&Open…"), self.open_requested, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        file.addSeparator()
        self.import_action = self._item(file, self.tr("&Import…"), self.import_requested,
                                        "Ctrl+I")
        self._item(file, self.tr("Save a &copy…"), self.save_copy_requested,
                   "Ctrl+Shift+S")  # StandardKey.SaveAs has no key on Windows
        self._item(file, self.tr("&Backups…"), self.backups_requested)
        file.addSeparator()
        self.quit_action = file.addAction(self.tr("&Quit"))
        # Spelled out: StandardKey.Quit is empty on Windows, where people still expect Ctrl+Q.
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)

    def _add_help_menu(self) -> None:
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.help_menu = help_menu
        self._item(help_menu, self.tr("&Documentation"), self.documentation_requested,
                   QKeySequence.StandardKey.HelpContents)
        self.welcome_action = self._item(help_menu, self.tr("&Welcome…"),
                                         self.welcome_requested)
        help_menu.addSeparator()
        self.about_action = self._item(help_menu, self.tr("&About dmdesk"),
                                       self.about_requested)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _item(self, menu: QMenu, text: str, signal: SignalInstance,
              keys: str | QKeySequence.StandardKey | None = None) -> QAction:
        action = menu.addAction(text)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False: signal.emit())
        return action

    def fill_recent_menu(self) -> None:
        """Filled as it opens: files removed since are left out (recent_databases checks)."""
        self.recent_menu.clear()
        paths = recent_databases()
        for number, path in enumerate(paths, start=1):
            # "&1 name": the digit is the access key; a "&" in the file name is doubled.
            action = self.recent_menu.addAction(
                f"&{number} {path.name.replace('&', '&&')}" if number < 10 else path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(
                lambda _=False, chosen=path: self.open_path_requested.emit(chosen))
        if not paths:
            self.recent_menu.addAction(self.tr("(none yet)")).setEnabled(False)

    def _say_undone(self, text: str, index: int) -> None:
        command = self.undo_stack.command(index)
        if command is not None:
            self.statusBar().showMessage(text.format(command.text()), STATUS_MS)

    def _on_current(self, name: str) -> None:
        getattr(self.current_area(), name)()

    def _show_area(self, row: int) -> None:
        if 0 <= row < len(self.areas):
            area = self.areas[row]
            area.stale = False  # reloaded just below, whatever it missed while hidden
            self.stack.setCurrentIndex(row)
            area.refresh()
            self.area_changed.emit(row)

    def current_area(self) -> Area:
        return self.areas[self.stack.currentIndex()]

    def show_area(self, title: str) -> Area:
        for row, area in enumerate(self.areas):
            if area.title == title:
                self.nav.setCurrentRow(row)
                return area
        raise KeyError(title)

    def set_status(self, database: str, site: str, sync: str) -> None:
        self.database_label.setText(database)
        self.site_label.setText(site)
        self.sync_label.setText(sync)

    def restore_geometry_from_settings(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
