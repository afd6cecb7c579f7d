"""The desktop app's composition root: settings, logging, the database, the window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from dmdesk import __version__
from dmdesk.domain.errors import DomainError
from dmdesk.gui import screenshot
from dmdesk.gui.areas import build_areas, connect_areas
from dmdesk.gui.backups import BackupStatus, attach_backups
from dmdesk.gui.context import GuiContext
from dmdesk.gui.crash import enable_fault_log, install_excepthook, setup_logging
from dmdesk.gui.dialogs.import_wizard import open_import_wizard
from dmdesk.gui.dialogs.new_database import NewDatabaseDialog
from dmdesk.gui.dialogs.welcome import WelcomeDialog
from dmdesk.gui.file_menu import attach_file_menu
from dmdesk.gui.main_window import STATUS_MS, MainWindow
from dmdesk.gui.ops import run_op
from dmdesk.gui.producer_mode import build_producer_areas, connect_producer_areas, window_title
from dmdesk.gui.recent import recent_databases, remember
from dmdesk.gui.single_instance import InstanceServer, ask_running_instance
from dmdesk.gui.tasks import Progress, TaskRunner
from dmdesk.gui.views.area import Area
from dmdesk.gui.views.contacts import ContactsArea
from dmdesk.gui.views.products import ProductsArea
from dmdesk.gui.views.stock import StockArea
from dmdesk.gui.views.sync import SyncArea
from dmdesk.paths import resources_dir
from dmdesk.queries.producer_mode import producer_scope
from dmdesk.queries.settings import local_site_code
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database, open_database

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setOrganizationName("dmdesk")
    app.setApplicationName("dmdesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "dmdesk.png")))
    return app


def build_window(db: Database, runner: TaskRunner) -> tuple[MainWindow, GuiContext]:
    gctx = GuiContext(db, ServiceContext(db), runner)
    with db.read_session() as session:
        scope = producer_scope(session)  # once: the areas a producer works in, or all
        site_code = scope.site_code if scope else local_site_code(session)
    if scope is None:
        window = MainWindow(f"dmdesk — {db.path.name}", build_areas(gctx), gctx.undo)
        connect_areas(window)
        window.import_requested.connect(lambda: open_import_wizard(
            gctx, window, import_kind_for(window.current_area())))
    else:
        window = MainWindow(window_title(scope, db.path.name),
                            build_producer_areas(gctx, scope), gctx.undo)
        connect_producer_areas(window, gctx)
    gctx.status = lambda message: window.statusBar().showMessage(message, STATUS_MS)
    window.set_status(window.tr("Database: {0}").format(db.path),
                      window.tr("Site: {0}").format(site_code),
                      window.tr("Sync: not set up"))
    return window, gctx


def import_kind_for(area: Area) -> str | None:
    """File > Import... from the products, stock or contacts list preselects that kind."""
    kinds = ((ProductsArea, "products"), (StockArea, "counts"), (ContactsArea, "contacts"))
    return next((kind for cls, kind in kinds if isinstance(area, cls)), None)


def bring_forward(window: MainWindow) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()


def choose_database(default: Path) -> tuple[str, Path] | None:
    dialog = WelcomeDialog(default.parent, recent_databases())
    if dialog.exec() and dialog.choice is not None:
        return dialog.choice
    return None


def new_database_at_start(path: Path) -> Path | None:
    """The welcome's New database... gave a file name; the site's code and name come next,
    and the database is made as `dmdesk init` makes it. None when cancelled."""
    dialog = NewDatabaseDialog(path)
    if dialog.exec() and dialog.created is not None:
        return dialog.created
    return None


def _build_demo_then(window: MainWindow, gctx: GuiContext) -> None:
    from dmdesk.demo import DemoSummary, build_demo
    from dmdesk.demo.unfinished import finish

    building = window.tr("Building the demo network: {0}…")

    def work(progress: Progress) -> DemoSummary:
        summary = build_demo(gctx.services, "small", progress=lambda done, total, stage:
                             progress.report(done, total, building.format(stage)))
        finish(gctx.db.path)  # only now is it the demo; until then the next start rebuilds
        return summary

    def done(_summary: DemoSummary) -> None:
        for area in window.areas:  # everything is new: every area reads again, now
            area.refresh()

    def cancelled() -> None:
        # Whole days are committed as they are built: show what there is, and say so.
        done(DemoSummary(0, 0, 0, 0, 0, 0, 0.0))
        window.statusBar().showMessage(window.tr(
            "Demo build cancelled: this window shows the part built so far; the next "
            "dmdesk --demo builds the whole demo again."))

    progress = run_op(gctx.runner, work, what="building the demo network", parent=window,
                      on_done=done, on_cancel=cancelled,
                      long=window.tr("Building the demo network…"))
    # Quitting mid-build stops it at the next day (closing waits for the worker to finish).
    QApplication.instance().aboutToQuit.connect(progress.cancel)  # type: ignore[union-attr]


def prepare_demo(path: Path) -> str:
    """"open" for a demo built to the end; else "demo", after removing any part-built one
    (a cancelled or crashed build) so that it is built again from the start."""
    from dmdesk.demo.unfinished import begin, discard_unfinished, is_finished

    if is_finished(path):
        return "open"
    if discard_unfinished(path):
        log.info("%s was a part-built demo (cancelled or crashed); building it again", path)
    begin(path)  # before the file is made: a crash from here on leaves it marked unfinished
    return "demo"


@dataclass
class Session:
    """An open database with its window: what ``run`` keeps alive until the app quits."""

    db: Database
    window: MainWindow
    gctx: GuiContext
    server: InstanceServer
    backups: BackupStatus

    def retire(self) -> None:
        """Another database took over: the window goes, and so does the single-instance
        server (a second ``dmdesk --db`` of this file must open it, not raise a closed
        window). The database and worker stay until quit, as a task may still be finishing."""
        self.window.close()
        self.window.deleteLater()
        self.server.server.close()

    def close(self) -> None:
        self.backups.wait()  # a copy under way finishes rather than being cut short
        self.gctx.runner.shutdown()
        self.server.deleteLater()
        self.db.close()


def open_session(path: Path, kind: str = "open") -> Session | None:
    """Open ``path`` in a new window, or None when refused (a message was shown)."""
    fresh = not path.exists()
    try:
        db = open_database(path)
    except DomainError as exc:
        QMessageBox.critical(None, "dmdesk", str(exc))
        return None
    remember(path)
    window, gctx = build_window(db, TaskRunner())
    backups = attach_backups(window, gctx)
    server = InstanceServer(path, lambda: bring_forward(window))
    window.restore_geometry_from_settings()
    window.show()
    if kind == "demo" and fresh:
        _build_demo_then(window, gctx)
    elif not fresh:
        # The day's backup (if one is due), once the event loop runs: after the first paint.
        QTimer.singleShot(0, backups.start)
    return Session(db, window, gctx, server, backups)


def open_or_forward(path: Path, kind: str) -> Session | None:
    """Open ``path`` in a new window; None when it is open in another dmdesk (brought
    forward) or refused. ``kind`` "demo": the demo, built there unless already finished."""
    if ask_running_instance(path):
        log.info("%s is open in another window; brought it forward", path)
        return None
    if kind == "demo":
        kind = prepare_demo(path)
    return open_session(path, kind)


def wire(session: Session, sessions: list[Session]) -> None:
    """File > New/Open/Open recent/Welcome, and joining a network, go on in a new window on
    the other database; this one closes (see gui/file_menu.py for why a new window)."""
    def switch(path: Path, kind: str) -> None:
        if kind == "open" and path.resolve() == Path(session.db.path).resolve():
            bring_forward(session.window)
            return
        new = open_or_forward(path, kind)
        if new is None:
            return
        sessions.append(new)
        wire(new, sessions)
        session.retire()

    attach_file_menu(session.window, session.gctx, switch)
    sync = next((a for a in session.window.areas if isinstance(a, SyncArea)), None)
    if sync is not None:
        sync.joined.connect(lambda path: switch(Path(str(path)), "open"))


def run(path: Path | None, *, explicit: bool = True, kind: str = "open") -> int:
    """Open ``path`` (or ask, when none was given and the default does not exist);
    ``kind`` "demo": the demo in it, built once the window is up unless already built."""
    app = application()
    install_excepthook(setup_logging())
    enable_fault_log()
    from dmdesk.paths import default_database_path

    if shot := screenshot.requested():  # undocumented: smoke tests of installed builds
        screenshot.grab_when_shown(shot)

    if path is None or (not explicit and not path.exists()):
        choice = choose_database(path or default_database_path())
        if choice is None:
            return 0
        kind, path = choice
        if kind == "new":
            created = new_database_at_start(path)
            if created is None:
                return 0
            kind, path = "open", created
    if ask_running_instance(path):
        log.info("%s is open in another window; brought it forward", path)
        return 0
    session = open_session(path, prepare_demo(path) if kind == "demo" else kind)
    if session is None:
        return 1
    sessions = [session]
    wire(session, sessions)
    try:
        return int(app.exec())
    finally:
        for each in sessions:
            each.close()
