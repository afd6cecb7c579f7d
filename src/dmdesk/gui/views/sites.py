"""Sites & producers: the network's own workshops, micro-producers and warehouses.

A list (filtered by kind and status, archived sites hidden unless asked for) and a detail pane:
the site's facts, its stock locations, the people there, its open work orders and its history
of finished work with on-time and scrap figures. Ctrl+N creates a site, Enter or a double-click
edits it, Del archives it (Ctrl+Z brings it back).
"""

from __future__ import annotations

import dataclasses
import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dmdesk.domain.kinds import SiteKind, SiteStatus
from dmdesk.gui.context import GuiContext
from dmdesk.gui.dialogs.form import dispose_when_idle
from dmdesk.gui.dialogs.reroute import RerouteDialog
from dmdesk.gui.dialogs.site_common import hours_label, percent_label
from dmdesk.gui.dialogs.site_form import SiteForm
from dmdesk.gui.dialogs.site_location import LocationForm
from dmdesk.gui.formatting import enum_items, enum_label, tags_label
from dmdesk.gui.models.scoped import ScopedModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.views.archivable_area import ArchivableArea
from dmdesk.gui.views.detail_pane import content_page, stacked_pages, title_bar, title_labels
from dmdesk.gui.views.site_reorder import SiteReorderTab
from dmdesk.gui.views.site_scorecard import SiteScorecardTab
from dmdesk.gui.widgets.facts import FactGrid
from dmdesk.gui.widgets.tables import MappedDelegate, fit_columns_on_reset, small_table
from dmdesk.queries import lists, network
from dmdesk.queries.network import SiteDetail, SiteFigures
from dmdesk.queries.paging import ListSpec
from dmdesk.services import rerouting, sites
from dmdesk.services.changes import CONTACTS, QUALITY_CHECKS, SITES, STOCK, WORK_ORDERS
from dmdesk.services.context import ServiceContext
from dmdesk.services.database import Database
from dmdesk.services.rerouting import RerouteResult

# The SITES list, with kind and status shown as words ("micro producer", not micro_producer)
# and the long capability lists after the short columns.
_SITE_COLUMN_ORDER = ("code", "name", "kind", "status", "weekly_capacity_hours", "capabilities",
                      "archived")
SITES_LIST: ListSpec = dataclasses.replace(lists.SITES, columns=tuple(
    dataclasses.replace(c, kind="enum") if c.key in ("kind", "status") else c
    for c in sorted(lists.SITES.columns, key=lambda c: (
        _SITE_COLUMN_ORDER.index(c.key) if c.key in _SITE_COLUMN_ORDER else 99))))


def coordinates_label(site: SiteDetail) -> str:
    if site.latitude is None or site.longitude is None:
        return ""
    return f"{site.latitude:.5f}, {site.longitude:.5f}"


class SiteDetailPane(QWidget):
    """Everything about one site; empty (with a hint) while no site is selected."""

    edit_requested = Signal(object)  # site id
    add_location_requested = Signal(object)  # site id
    offline_requested = Signal(object)  # site id: take it offline, moving its open work
    online_requested = Signal(object)  # site id: active again
    move_requested = Signal(object)  # site id (paused or offline): move its open work

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.site: SiteDetail | None = None
        self.figures: SiteFigures | None = None
        self.locations = ScopedModel(db, network.SITE_LOCATIONS, "site_id", self)
        self.contacts = ScopedModel(db, network.SITE_CONTACTS, "site_id", self)
        self.open_work = ScopedModel(db, network.SITE_OPEN_WORK, "site_id", self)
        self.history = ScopedModel(db, network.SITE_HISTORY, "site_id", self)
        self.history.descending = True  # latest first
        self.pages, _hint = stacked_pages(self, self.tr(
            "Select a site to see its locations, people, open work and history."), self._content)

    def _content(self) -> QWidget:
        page, layout = content_page(self)
        self.heading, self.subheading = title_labels(self, page, "site_heading")
        self.edit_button = QPushButton(self.tr("Edit…"), page)
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self._site_id()))
        self.offline_button = QPushButton(self.tr("Take offline…"), page)
        self.offline_button.setObjectName("take_offline")
        self.offline_button.setToolTip(self.tr("Pause the site or take it offline, and move "
                                               "its open work orders to other sites"))
        self.offline_button.clicked.connect(self._status_clicked)
        self.move_button = QPushButton(self.tr("Move open work…"), page)
        self.move_button.setObjectName("move_open_work")
        self.move_button.setToolTip(self.tr("Move the open work orders still at this paused or "
                                            "offline site to other sites"))
        self.move_button.clicked.connect(lambda: self.move_requested.emit(self._site_id()))
        self.facts = FactGrid.rows([("address", self.tr("Address")),
                                    ("coordinates", self.tr("Coordinates")),
                                    ("capabilities", self.tr("Capabilities")),
                                    ("capacity", self.tr("Weekly capacity"))], page)
        layout.addLayout(title_bar(self.heading, self.subheading,
                                   [self.move_button, self.offline_button, self.edit_button]))
        layout.addWidget(self.facts)
        layout.addWidget(self._tabs(page), 1)
        return page

    def _tabs(self, parent: QWidget) -> QTabWidget:
        self.tabs = QTabWidget(parent)
        self.tabs.setObjectName("site_tabs")
        add = QPushButton(self.tr("Add location…"))
        add.setObjectName("add_location")
        add.clicked.connect(lambda: self.add_location_requested.emit(self._site_id()))
        self.open_summary = QLabel()
        self.history_summary = QLabel()
        self.history_summary.setWordWrap(True)
        for model, name, extra in ((self.locations, "locations_table", add),
                                   (self.contacts, "contacts_table", None),
                                   (self.open_work, "open_work_table", self.open_summary),
                                   (self.history, "history_table", self.history_summary)):
            self.tabs.addTab(self._tab(model, name, extra), "")
        history = self.tabs.findChild(QTableView, "history_table")
        assert history is not None
        on_time = [c.key for c in network.SITE_HISTORY.columns].index("on_time")
        history.setItemDelegateForColumn(on_time, MappedDelegate(
            lambda value: "✓" if value else self.tr("late"), history))
        return self.tabs

    def _tab(self, model: ScopedModel, name: str, extra: QWidget | None) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.setContentsMargins(4, 4, 4, 4)
        if isinstance(extra, QPushButton):
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(extra)
            box.addLayout(row)
        elif extra is not None:
            box.addWidget(extra)
        box.addWidget(small_table(model, tab, name), 1)
        return tab

    def _site_id(self) -> uuid.UUID | None:
        return self.site.id if self.site else None

    def _status_clicked(self) -> None:
        if self.site is None:
            return
        if self.site.status == SiteStatus.ACTIVE:
            self.offline_requested.emit(self.site.id)
        else:
            self.online_requested.emit(self.site.id)

    def show_site(self, site_id: uuid.UUID | None) -> None:
        if site_id is None:
            self.site = self.figures = None
            for model in (self.locations, self.contacts, self.open_work, self.history):
                model.set_scope(None)
            self.pages.setCurrentIndex(0)
            return
        with self.db.read_session() as session:
            self.site = network.site_detail(session, site_id)
            self.figures = network.site_figures(session, site_id)
        for model in (self.locations, self.contacts, self.open_work, self.history):
            model.set_scope(site_id)
        self._show_facts(self.site)
        self._show_figures(self.figures)
        self.pages.setCurrentIndex(1)

    def _show_facts(self, site: SiteDetail) -> None:
        self.heading.setText(f"{site.code} — {site.name}")
        state = enum_label(site.status)
        if site.archived:
            state = self.tr("{0}, archived").format(state)
        self.subheading.setText(f"{enum_label(site.kind)} · {state}")
        active = site.status == SiteStatus.ACTIVE
        self.offline_button.setText(self.tr("Take offline…") if active
                                    else self.tr("Bring back online"))
        self.offline_button.setVisible(not site.archived and site.kind != SiteKind.IN_TRANSIT)
        self.facts.set("address", site.address)
        self.facts.set("coordinates", coordinates_label(site))
        self.facts.set("capabilities", tags_label(site.capabilities))
        self.facts.set("capacity", hours_label(site.weekly_capacity_hours))

    def _show_figures(self, f: SiteFigures) -> None:
        site = self.site
        self.move_button.setVisible(site is not None and site.status != SiteStatus.ACTIVE
                                    and not site.archived and f.open_orders > 0)
        self.tabs.setTabText(0, self.tr("Locations ({0})").format(f.locations))
        self.tabs.setTabText(1, self.tr("People ({0})").format(f.contacts))
        self.tabs.setTabText(2, self.tr("Open work ({0})").format(f.open_orders))
        self.tabs.setTabText(3, self.tr("History ({0})").format(f.finished))
        self.open_summary.setText(self.tr("{0} open work orders at this site, soonest due "
                                          "first.").format(f.open_orders))
        if f.finished:
            self.history_summary.setText(self.tr(
                "{0} finished · {1} on time ({2}) · scrap {3} of what was made").format(
                f.finished, f.on_time, percent_label(f.on_time_share),
                percent_label(f.scrap_share)))
        else:
            self.history_summary.setText(self.tr("No finished work orders yet."))


class SitesArea(ArchivableArea):
    work_order_requested = Signal(object)  # a work order at risk, to open in its area
    SHOWS = SITES | CONTACTS | WORK_ORDERS | STOCK | QUALITY_CHECKS
    name_column = "code"

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(gctx, parent)
        self.title = self.tr("Sites & producers")
        self.dialog: RerouteDialog | None = None  # the last reroute dialog (tests reach it)
        self._make_list(SITES_LIST, self.tr("Sites and producers"))
        self._add_filters()
        self.detail = SiteDetailPane(gctx.db, self)
        self.list.set_detail(self.detail)
        self.scorecard = SiteScorecardTab(gctx, self)
        self.reorder = SiteReorderTab(gctx, self)
        self.detail.tabs.addTab(self.scorecard, self.tr("Scorecard"))
        self.detail.tabs.addTab(self.reorder, self.tr("Reorder"))
        self.scorecard.work_order_requested.connect(self.work_order_requested)
        self._planning_site: object = None
        self._stale: set[QWidget] = set()
        self.detail.tabs.currentChanged.connect(lambda _i: self._load_planning_tab())
        self.list.splitter.setSizes([560, 520])
        fit_columns_on_reset(self.list.table, self.list.model)
        self.list.selection_changed.connect(self.detail.show_site)
        self.list.selection_changed.connect(self._show_planning)  # after: it reads the code
        self.list.opened.connect(self.edit_site)
        self.detail.edit_requested.connect(self.edit_site)
        self.detail.add_location_requested.connect(self.add_location)
        self.detail.offline_requested.connect(self.take_offline)
        self.detail.online_requested.connect(self.bring_online)
        self.detail.move_requested.connect(lambda site_id: self.take_offline(
            site_id, self.detail.site.status if self.detail.site else SiteStatus.OFFLINE))
        self._listen()

    # --- toolbar -------------------------------------------------------------------------------

    def _add_filters(self) -> None:
        self.kind_filter = self._filter_combo("kind_filter", self.tr("All kinds"),
                                              enum_items(SiteKind), "kind")
        self.status_filter = self._filter_combo("status_filter", self.tr("Any status"),
                                                enum_items(SiteStatus), "status")
        self._fill_toolbar(
            [self.kind_filter, self.status_filter], new_text=self.tr("New site…"),
            new_name="new_site", new_tip=self.tr("Create a site (Ctrl+N)"),
            archive_name="archive_site",
            archive_tip=self.tr("Archive the selected sites (Del); Ctrl+Z undoes it"),
            select_first=self.tr("Select the sites to archive first."))

    def _filter_combo(self, name: str, everything: str, items: list[tuple[str, object]],
                      key: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.addItem(everything, None)
        for label, value in items:
            box.addItem(label, value)
        box.currentIndexChanged.connect(
            lambda _i: self.list.model.set_filter(key, box.currentData()))
        return box

    # --- the Area protocol -----------------------------------------------------------------

    def _show_planning(self, site_id: object) -> None:
        """A new selection (or fresh data): the scorecard and reorder tabs are stale; the one
        on show is read again, on the worker."""
        self._planning_site = site_id
        self._stale = {self.scorecard, self.reorder}
        self._load_planning_tab()

    def _load_planning_tab(self) -> None:
        """Read the tab on show if it is stale. A tab nobody looks at is not read: the reorder
        forecast of a big warehouse takes seconds, and the worker is serial."""
        current, site = self.detail.tabs.currentWidget(), self.detail.site
        if current is self.scorecard and current in self._stale:
            self._stale.discard(current)
            self.scorecard.show_site(self._planning_site)
        elif current is self.reorder and current in self._stale:
            self._stale.discard(current)
            self.reorder.show_site(self._planning_site, site.code if site is not None else "")

    def show_history(self, site_id: uuid.UUID) -> None:
        """Select ``site_id`` (whatever the filters hid) and show its finished work."""
        self.list.search.clear()
        self.list.model.set_search("")  # now: the debounced search then finds nothing to do
        for box in (self.kind_filter, self.status_filter):
            box.setCurrentIndex(0)
        if self.list.select_id(site_id):
            self.detail.tabs.setCurrentIndex(3)

    def create_new(self) -> None:
        with self.gctx.db.read_session() as session:
            taken = network.site_codes(session)
        form = SiteForm(self.gctx.services, self.gctx.runner, taken_codes=taken, parent=self)
        self._open_form(form, lambda new_id: self._record_saved(
            new_id, self.tr("Created site {0}.").format(form.code_text())))

    def edit_site(self, site_id: uuid.UUID | None) -> None:
        if site_id is None:
            return
        with self.gctx.db.read_session() as session:
            site = network.site_detail(session, site_id)
            taken = network.site_codes(session)
        form = SiteForm(self.gctx.services, self.gctx.runner, site=site, taken_codes=taken,
                        parent=self)
        self._open_form(form, lambda same_id: self._edited(same_id, site.status, form))

    def _edited(self, site_id: object, was: str, form: SiteForm) -> None:
        """Saved; a site the form just paused or took offline that still has open work
        orders gets the reroute dialog, so its work does not sit where nobody makes it."""
        self._record_saved(site_id, self.tr("Saved site {0}.").format(form.code_text()))
        figures, site = self.detail.figures, self.detail.site
        if (isinstance(site_id, uuid.UUID) and site is not None and site.id == site_id
                and was == SiteStatus.ACTIVE and site.status != SiteStatus.ACTIVE
                and figures is not None and figures.open_orders):
            self.take_offline(site_id, site.status)

    def take_offline(self, site_id: uuid.UUID,
                     status: str = SiteStatus.OFFLINE.value) -> RerouteDialog:
        """The dialog that marks the site and moves its open work orders elsewhere."""
        dialog = RerouteDialog(self.gctx, site_id, self, status=status)
        self.dialog = dialog
        dialog.applied.connect(lambda result: self._rerouted(site_id, result))
        dialog.finished.connect(lambda _r: dispose_when_idle(dialog, self.gctx.runner))
        dialog.open()
        return dialog

    def _rerouted(self, site_id: uuid.UUID, result: RerouteResult) -> None:
        self._after_write()
        self.list.select_id(site_id)
        self.detail.show_site(site_id)
        self.gctx.notify(self.tr("{0} is {1}: {2} work orders moved, {3} stayed.").format(
            result.site_code, enum_label(result.status), len(result.moved), len(result.failed)))

    def bring_online(self, site_id: uuid.UUID) -> None:
        services = self.gctx.services
        run_op(self.gctx.runner,
               lambda _p: rerouting.set_site_status(services, site_id, SiteStatus.ACTIVE.value),
               what="bringing a site online", parent=self, initiator=self,
               on_done=lambda code: self._record_saved(site_id, self.tr(
                   "{0} is active again.").format(code)),
               report=self._report, on_failed=lambda _error: self.refresh())

    def add_location(self, site_id: uuid.UUID | None) -> None:
        site = self.detail.site
        if site_id is None or site is None:
            return
        with self.gctx.db.read_session() as session:
            taken = network.location_codes(session, site_id)
        message = self.tr("Added a location to {0}.").format(site.code)
        self._open_form(LocationForm(self.gctx.services, self.gctx.runner, site_id, site.code,
                                     taken, parent=self),
                        lambda _location_id: self._saved(message))

    # --- writing ---------------------------------------------------------------------------

    def _saved(self, message: str) -> None:
        self._after_write()
        self.gctx.notify(message)

    def _clear_detail(self) -> None:
        self.detail.show_site(None)

    @staticmethod
    def _archive_one(services: ServiceContext, record_id: uuid.UUID, archived: bool) -> None:
        sites.set_site_archived(services, record_id, archived)
