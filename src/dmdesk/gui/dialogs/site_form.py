"""Create or edit a site (own workshop, micro-producer, warehouse).

Each field is checked as the user types with the service's own rules (``SITE_FIELDS``), so the
form and the service can never disagree; a code already taken is caught here too, from the
codes loaded when the form opened (the service checks again on save, in its transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from dmdesk.domain.errors import DomainError, DuplicateError
from dmdesk.domain.kinds import CAPABILITIES, SiteKind, SiteStatus
from dmdesk.domain.quantity import format_quantity
from dmdesk.gui.dialogs.form import FormDialog, combo, line_edit, right_aligned
from dmdesk.gui.formatting import enum_items
from dmdesk.gui.tasks import TaskRunner
from dmdesk.queries.network import SiteDetail
from dmdesk.services import sites
from dmdesk.services.context import ServiceContext
from dmdesk.services.fields import Validator
from dmdesk.services.sites import SITE_FIELDS


def service_rule(name: str, label: str = "", rules: Mapping[str, Validator] = SITE_FIELDS,
                 empty: Any = None) -> Callable[[Any], Any]:
    """The service's validator for ``name`` as a one-argument form validator; its message
    names the field by its ``label`` rather than the column; ``empty`` input gives ``empty``
    when that is not None (an optional number left blank)."""
    rule = rules[name]

    def check(value: Any) -> Any:
        if empty is not None and isinstance(value, str) and not value.strip():
            return empty
        try:
            return rule(value, name)
        except DomainError as exc:
            if label and exc.message.startswith(name):
                exc.message = label + exc.message[len(name):]
            raise
    return check


class CapabilityPicker(QWidget):
    """Check boxes for the usual capabilities, kept in step with a comma-list line edit (which
    also takes capabilities not in the list)."""

    def __init__(self, edit: QLineEdit, known: Iterable[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for number, tag in enumerate(sorted(set(known))):
            box = QCheckBox(tag, self)
            box.setObjectName(f"capability_{tag}")
            box.toggled.connect(lambda on, t=tag: self._toggled(t, on))
            grid.addWidget(box, number // 4, number % 4)
            self.boxes[tag] = box
        edit.textChanged.connect(self._sync_boxes)
        self._sync_boxes(edit.text())

    def tags(self) -> list[str]:
        return [t.strip().lower() for t in self.edit.text().split(",") if t.strip()]

    def _toggled(self, tag: str, on: bool) -> None:
        tags = [t for t in self.tags() if t != tag]
        if on:
            tags.append(tag)
        text = ", ".join(tags)
        if text != self.edit.text():
            self.edit.setText(text)

    def _sync_boxes(self, _text: str) -> None:
        present = set(self.tags())
        for tag, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(tag in present)
            box.blockSignals(False)


class SiteForm(FormDialog):
    """``site`` None creates a new site; otherwise edits it (only changed fields are sent)."""

    def __init__(self, services: ServiceContext, runner: TaskRunner, *,
                 site: SiteDetail | None = None, taken_codes: Iterable[str] = (),
                 parent: QWidget | None = None) -> None:
        title = self.tr("New site") if site is None else self.tr("Edit site {0}").format(
            site.code)
        super().__init__(title, runner, parent)
        self.setObjectName("site_form")
        self.services = services
        self.site = site
        own = site.code.upper() if site else None
        self.taken = {c.upper() for c in taken_codes if c.upper() != own}
        self._build(site)
        self.initial = self.values() if site is not None else {}
        self.resize(560, self.sizeHint().height())

    def _build(self, site: SiteDetail | None) -> None:
        code = self.add_field("code", self.tr("Code"), line_edit(
            site.code if site else "", self.tr("2–6 letters or digits, e.g. LIS")), self._code)
        assert isinstance(code, QLineEdit)
        code.setMaxLength(6)
        code.textEdited.connect(lambda text: self._upper(code, text))
        self.add_field("name", self.tr("Name"), line_edit(site.name if site else ""),
                       service_rule("name", self.tr("Name")))
        self._kind_field(site)
        self.add_field("status", self.tr("Status"), combo(
            enum_items(SiteStatus), site.status if site else SiteStatus.ACTIVE.value),
            service_rule("status", self.tr("Status")))
        address = QPlainTextEdit(site.address if site else "")
        address.setTabChangesFocus(True)
        address.setFixedHeight(56)
        self.add_field("address", self.tr("Address"), address,
                       service_rule("address", self.tr("Address")))
        self._coordinate("latitude", self.tr("Latitude"), site.latitude if site else None,
                         "38.7223")
        self._coordinate("longitude", self.tr("Longitude"), site.longitude if site else None,
                         "-9.1393")
        self._capabilities(site)
        hours = format_quantity(site.weekly_capacity_hours) if site else ""
        label = self.tr("Capacity (hours / week)")
        self.add_field("weekly_capacity_hours", label, right_aligned(line_edit(hours, "40")),
                       service_rule("weekly_capacity_hours", label, empty=Decimal(0)))
        reports = QCheckBox(self.tr("Runs dmdesk and reports its own progress"), self)
        reports.setChecked(site.reports_progress if site else False)
        reports.setToolTip(self.tr(
            "Checked: only this site releases, starts, reports and completes its work "
            "orders. Unchecked: the owner records them on its behalf. A site sets this "
            "itself the first time it syncs."))
        self.add_field("reports_progress", self.tr("Progress"), reports)

    def _kind_field(self, site: SiteDetail | None) -> None:
        transit = site is not None and site.kind == SiteKind.IN_TRANSIT
        exclude = () if transit else (SiteKind.IN_TRANSIT.value,)
        kind = combo(enum_items(SiteKind, exclude),
                     site.kind if site else SiteKind.OWN_WORKSHOP.value)
        kind.setEnabled(not transit)  # the in-transit site stays what it is
        self.add_field("kind", self.tr("Kind"), kind, service_rule("kind", self.tr("Kind")))

    def _coordinate(self, name: str, label: str, value: float | None, example: str) -> None:
        text = "" if value is None else repr(value)
        self.add_field(name, label, right_aligned(line_edit(text, example)),
                       service_rule(name, label))

    def _capabilities(self, site: SiteDetail | None) -> None:
        text = ", ".join(site.capabilities) if site else ""
        edit = line_edit(text, self.tr("comma list, e.g. cnc, welding"))
        self.add_field("capabilities", self.tr("Capabilities"), edit,
                       service_rule("capabilities", self.tr("Capabilities")))
        known = set(CAPABILITIES) | set(site.capabilities if site else ())
        self.picker = CapabilityPicker(edit, known, self)
        self.form.addRow("", self.picker)

    @staticmethod
    def _upper(edit: QLineEdit, text: str) -> None:
        if text != text.upper():
            position = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(position)

    def _code(self, value: Any) -> str:
        code: str = service_rule("code", self.tr("Code"))(value)
        if code in self.taken:
            raise DuplicateError(self.tr("Site code {0} is already taken.").format(code),
                                 field="code")
        return code

    def code_text(self) -> str:
        """The code as typed (upper case), for messages."""
        edit = self.fields["code"].widget
        return edit.text().strip().upper() if isinstance(edit, QLineEdit) else ""

    def changes(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if self.initial.get(k) != v}

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        if self.site is None:
            return sites.create_site(self.services, **values)
        changed = self.changes(values)
        if changed:
            sites.update_site(self.services, self.site.id, **changed)
        return self.site.id
