"""A site's Scorecard tab: its record (on-time, scrap, lead time, volume, quality checks; what
routing weighs), its load against capacity for the coming weeks, and the work orders at risk
of being late. Read on the worker (queries.scorecards, queries.capacity) each time another site
is shown; double-clicking an order at risk asks to open it.
"""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.context import GuiContext
from dmdesk.gui.models.rows import DetailRow, RowsModel
from dmdesk.gui.ops import run_op
from dmdesk.gui.tasks import Progress
from dmdesk.gui.views.detail_widgets import caption, detail_table
from dmdesk.gui.widgets.facts import FactGrid
from dmdesk.queries.capacity import SiteCapacity, capacity_plan
from dmdesk.queries.scorecards import Scorecard, scorecard

WEEKS = 6


def share(value: float | None, places: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{places}f} %"


def hours(minutes: object) -> str:
    return f"{float(str(minutes)) / 60:,.1f} h"


class SiteScorecardTab(QWidget):
    loaded = Signal()
    work_order_requested = Signal(object)  # work order id

    def __init__(self, gctx: GuiContext, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scorecard_tab")
        self.gctx, self.today = gctx, today
        self.site_id: uuid.UUID | None = None
        self.card: Scorecard | None = None
        self.capacity: SiteCapacity | None = None
        self._generation = 0
        self.facts = FactGrid.rows([("on_time", self.tr("On time")), ("scrap", self.tr("Scrap")),
                                    ("lead", self.tr("Average lead time")),
                                    ("volume", self.tr("Volume")),
                                    ("checks", self.tr("Quality checks")),
                                    ("record", self.tr("Record (for routing)"))], self)
        self.weeks = RowsModel([self.tr("Week of"), self.tr("Planned"), self.tr("Capacity"),
                                self.tr("Load")], right=(1, 2, 3), parent=self)
        self.risks = RowsModel([self.tr("Work order"), self.tr("Due"),
                                self.tr("Expected finish"), self.tr("Why")], parent=self)
        self.weeks_table = detail_table(self.weeks, self, stretch=3)
        self.weeks_table.setObjectName("capacity_table")
        self.risks_table = detail_table(self.risks, self, stretch=3)
        self.risks_table.setObjectName("at_risk_table")
        self.risks_table.doubleClicked.connect(
            lambda index: self.work_order_requested.emit(self.risks.key(index.row())))
        self.risk_caption = caption(self.tr("Work orders at risk of being late"), self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.facts)
        layout.addWidget(caption(self.tr("Load in the coming weeks"), self))
        layout.addWidget(self.note)
        layout.addWidget(self.weeks_table, 2)
        layout.addWidget(self.risk_caption)
        layout.addWidget(self.risks_table, 3)

    def show_site(self, site_id: object) -> None:
        self._generation += 1
        self.site_id = site_id if isinstance(site_id, uuid.UUID) else None
        if self.site_id is None:
            return
        generation, db, wanted, today = self._generation, self.gctx.db, self.site_id, self.today
        self.note.setText(self.tr("Reading the record and the planned work…"))

        def read(_progress: Progress) -> tuple[Scorecard, SiteCapacity | None]:
            with db.read_session() as session:
                plans = capacity_plan(session, WEEKS, today, site_id=wanted)
                return scorecard(session, wanted), (plans[0] if plans else None)

        run_op(self.gctx.runner, read, what="reading a site's scorecard", parent=self,
               on_done=lambda data: self._show(generation, *data),
               report=lambda _error, message: self.note.setText(message))

    def _show(self, generation: int, card: Scorecard, plan: SiteCapacity | None) -> None:
        if generation != self._generation:
            return
        self.card, self.capacity = card, plan
        facts = self.facts
        facts.set("on_time", self.tr("{0} ({1} of {2} finished)").format(
            share(card.on_time_rate), card.on_time, card.finished) if card.finished else "")
        facts.set("scrap", share(card.scrap_rate, 1))
        lead = card.average_lead_days
        facts.set("lead", "" if lead is None else self.tr("{0:.1f} days").format(lead))
        facts.set("volume", self.tr("{0} good units").format(format_quantity(card.volume)))
        facts.set("checks", self.tr("{0} of {1} out of tolerance").format(
            card.failed_checks, card.checks) if card.checks else "")
        facts.set("record", f"{card.record_score:.2f} — {card.summary()}")
        self._show_plan(plan)
        self.loaded.emit()

    def _show_plan(self, plan: SiteCapacity | None) -> None:
        if plan is None:  # a warehouse: it makes nothing
            self.note.setText(self.tr("This site does not make things: no capacity to plan."))
            self.weeks.set_rows([])
            self.risks.set_rows([])
            return
        self.note.setText(self.tr("{0} a week; all open work: {1}.").format(
            hours(plan.weekly_capacity_minutes), hours(plan.backlog_minutes)))
        self.weeks.set_rows([DetailRow(
            (w.week_start.isoformat(), hours(w.planned_minutes), hours(w.capacity_minutes),
             share(w.share)), w.week_start, "",
            frozenset({1, 3}) if w.overloaded else frozenset()) for w in plan.weeks])
        self.risk_caption.setText(self.tr("Work orders at risk of being late ({0})").format(
            len(plan.at_risk)))
        self.risks.set_rows([DetailRow(
            (r.number, r.due_date.isoformat(),
             r.expected_finish.isoformat() if r.expected_finish else self.tr("cannot plan"),
             r.reason), r.work_order_id, r.reason, frozenset({0, 2})) for r in plan.at_risk])
